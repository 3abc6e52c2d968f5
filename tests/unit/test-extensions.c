/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* API extensions (C1.1): exact, case-sensitive names; NULL is always present; the list
 * holds the core's names first and grows only by committed registrations. */
#include "test-common.h"

static void
test_has_extension (void)
{
  g_autoptr(CoveContext) context = test_context_new ();

  g_assert_true (cove_context_has_api_extension (context, NULL));
  g_assert_true (cove_context_has_api_extension (context, "lxc_log"));
  g_assert_true (cove_context_has_api_extension (context, "lxc_config_item_is_supported"));
  g_assert_false (cove_context_has_api_extension (context, "LXC_LOG"));
  g_assert_false (cove_context_has_api_extension (context, "Lxc_log"));
  g_assert_false (cove_context_has_api_extension (context, "lxc_log "));
  g_assert_false (cove_context_has_api_extension (context, "lxc_lo"));
  g_assert_false (cove_context_has_api_extension (context, "lxc_logs"));
  g_assert_false (cove_context_has_api_extension (context, ""));
  g_assert_false (cove_context_has_api_extension (context, "nonexistent"));
  /* a plugin's extension, with no plugin loaded */
  g_assert_false (cove_context_has_api_extension (context, "network_ipvlan"));
  g_assert_false (cove_context_has_api_extension (context, "console_log"));
}

/* The library-wide calls use the default context; the core names hold there too. */
static void
test_has_extension_default (void)
{
  g_auto(GStrv) list = cove_list_api_extensions ();

  g_assert_true (cove_has_api_extension (NULL));
  g_assert_true (cove_has_api_extension ("lxc_log"));
  g_assert_true (cove_has_api_extension ("lxc_config_item_is_supported"));
  g_assert_false (cove_has_api_extension ("LXC_LOG"));
  g_assert_false (cove_has_api_extension (""));
  g_assert_false (cove_has_api_extension ("nonexistent"));
  g_assert_true (test_strv_has (list, "lxc_log"));
  for (char **e = list; *e; e++)
    g_assert_true (cove_has_api_extension (*e));
  g_assert_true (cove_config_item_is_supported ("lxc.log.file"));
  g_assert_false (cove_config_item_is_supported ("lxc.nonsense"));
  g_assert_false (cove_config_item_is_supported (NULL));
}

static void
test_list (void)
{
  g_autoptr(CoveContext) context = test_context_new ();
  g_auto(GStrv) list = cove_context_list_api_extensions (context);
  const char * const *core = cove_core_extensions ();
  guint n_core = g_strv_length ((char **) core);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_nonnull (list);
  g_assert_true (test_strv_has (list, "lxc_log"));
  g_assert_true (test_strv_has (list, "lxc_config_item_is_supported"));
  /* the core's names come first, in their order; no plugin adds any here */
  g_assert_cmpuint (g_strv_length (list), ==, n_core);
  for (guint i = 0; i < n_core; i++)
    g_assert_cmpstr (list[i], ==, core[i]);
  for (char **e = list; *e; e++) {
    g_assert_true (cove_context_has_api_extension (context, *e));
    g_assert_true (g_hash_table_add (seen, *e));
    g_assert_cmpstr (*e, !=, "");
  }
  /* a copy: changing it changes nothing */
  g_free (list[0]);
  list[0] = g_strdup ("changed");
  {
    g_auto(GStrv) again = cove_context_list_api_extensions (context);
    g_assert_cmpstr (again[0], ==, core[0]);
  }
}

static void
test_register (void)
{
  g_autoptr(CoveContext) context = test_context_new ();
  const CoveKeySpec spec = { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "xext.key", COVE_KEY_STRING,
                             .doc = "test" };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) before = cove_context_list_api_extensions (context);
  CoveStaging staging;

  /* committed: appended at the end */
  cove_staging_init (&staging, "test");
  g_ptr_array_add (staging.extensions, g_strdup ("x_test_one"));
  g_ptr_array_add (staging.extensions, g_strdup ("x_test_two"));
  g_assert_true (cove_registry_commit (context->registry, &staging, &error));
  cove_staging_clear (&staging);
  g_assert_no_error (error);
  {
    g_auto(GStrv) after = cove_context_list_api_extensions (context);
    guint n = g_strv_length (before);
    g_assert_cmpuint (g_strv_length (after), ==, n + 2);
    for (guint i = 0; i < n; i++)
      g_assert_cmpstr (after[i], ==, before[i]);
    g_assert_cmpstr (after[n], ==, "x_test_one");
    g_assert_cmpstr (after[n + 1], ==, "x_test_two");
  }
  g_assert_true (cove_context_has_api_extension (context, "x_test_one"));
  g_assert_false (cove_context_has_api_extension (context, "X_TEST_ONE"));

  /* a name that exists (core's or another component's) refuses the whole staging area */
  cove_staging_init (&staging, "other");
  g_ptr_array_add (staging.keys, cove_key_new (&spec, "other"));
  g_ptr_array_add (staging.extensions, g_strdup ("x_other_new"));
  g_ptr_array_add (staging.extensions, g_strdup ("lxc_log"));
  g_assert_false (cove_registry_commit (context->registry, &staging, &error));
  cove_staging_clear (&staging);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_CONFLICT);
  g_assert_nonnull (strstr (error->message, "lxc_log"));
  g_assert_nonnull (strstr (error->message, "core"));
  g_clear_error (&error);
  g_assert_false (cove_context_has_api_extension (context, "x_other_new"));
  g_assert_false (cove_context_config_item_is_supported (context, "lxc.xext.key"));

  /* twice in one staging area */
  cove_staging_init (&staging, "other");
  g_ptr_array_add (staging.extensions, g_strdup ("x_dup"));
  g_ptr_array_add (staging.extensions, g_strdup ("x_dup"));
  g_assert_false (cove_registry_commit (context->registry, &staging, &error));
  cove_staging_clear (&staging);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_CONFLICT);
  g_assert_false (cove_context_has_api_extension (context, "x_dup"));
  {
    g_auto(GStrv) after = cove_context_list_api_extensions (context);
    g_assert_cmpuint (g_strv_length (after), ==, g_strv_length (before) + 2);
  }
}

/* Extensions of one context are not seen by another. */
static void
test_contexts_separate (void)
{
  g_autoptr(CoveContext) a = test_context_new ();
  g_autoptr(CoveContext) b = test_context_new ();
  g_autoptr(GError) error = NULL;
  CoveStaging staging;

  cove_staging_init (&staging, "test");
  g_ptr_array_add (staging.extensions, g_strdup ("x_only_a"));
  g_assert_true (cove_registry_commit (a->registry, &staging, &error));
  cove_staging_clear (&staging);
  g_assert_true (cove_context_has_api_extension (a, "x_only_a"));
  g_assert_false (cove_context_has_api_extension (b, "x_only_a"));
}

int
main (int argc, char **argv)
{
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/extensions/has", test_has_extension);
  g_test_add_func ("/extensions/has-default-context", test_has_extension_default);
  g_test_add_func ("/extensions/list", test_list);
  g_test_add_func ("/extensions/register", test_register);
  g_test_add_func ("/extensions/contexts-separate", test_contexts_separate);
  return g_test_run ();
}
