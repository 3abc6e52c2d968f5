/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-notify through the public API without root (suite "unit"): the key grammar of
 * acceptance checks C7.1 and C8.7, and the extensions, keys and API with and without the
 * plugin.
 */
#include "plugin-unit.h"

#include <string.h>

static void
assert_set (CoveContainer *c, const char *key, const char *value, const char *read_back)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;

  g_assert_true (cove_container_set_config_item (c, key, value, &error));
  g_assert_no_error (error);
  got = cove_container_get_config_item (c, key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, read_back);
}

/* A refused value leaves the previous one in place (LXC keeps the invalid one, §0.5). */
static void
assert_refused (CoveContainer *c, const char *key, const char *value, const char *kept)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;

  g_assert_false (cove_container_set_config_item (c, key, value, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_test_message ("%s = \"%s\": %s", key, value, error->message);
  g_assert_nonnull (strstr (error->message, key));
  g_clear_error (&error);
  got = cove_container_get_config_item (c, key, NULL);
  g_assert_cmpstr (got, ==, kept);
}

/* C7.1: 1 ok, 0 ok, 2 error, empty → 0. */
static void
test_allow_nesting (void)
{
  g_autoptr(CoveContext) context = plugin_test_context (NULL);
  g_autoptr(CoveContainer) c = plugin_test_container (context);
  const char *key = "lxc.seccomp.allow_nesting";

  assert_set (c, key, "1", "1");
  assert_set (c, key, "0", "0");
  assert_set (c, key, "1", "1");
  assert_refused (c, key, "2", "1");
  assert_refused (c, key, "yes", "1");
  g_assert_true (cove_container_set_config_item (c, key, "", NULL));
  g_assert_true (cove_config_item_is_supported (key));
}

/* C8.7, with Cove's improvement: get returns the value as set. */
static void
test_proxy_grammar (void)
{
  g_autoptr(CoveContext) context = plugin_test_context (NULL);
  g_autoptr(CoveContainer) c = plugin_test_container (context);
  const char *key = "lxc.seccomp.notify.proxy";
  g_autofree char *fill = g_strnfill (120, 'x');
  g_autofree char *long_path = g_strdup_printf ("unix:/%s", fill);

  assert_set (c, key, "unix:@abc", "unix:@abc");
  assert_set (c, key, "unix:/run/x.sock", "unix:/run/x.sock");
  assert_refused (c, key, "/run/x.sock", "unix:/run/x.sock");
  assert_refused (c, key, "unix:rel", "unix:/run/x.sock");
  assert_refused (c, key, "unix:/", "unix:/run/x.sock");
  assert_refused (c, key, "unix:@", "unix:/run/x.sock");
  assert_refused (c, key, "tcp:127.0.0.1:1", "unix:/run/x.sock");
  assert_refused (c, key, long_path, "unix:/run/x.sock");
  assert_set (c, "lxc.seccomp.notify.cookie", "c00kie", "c00kie");
  assert_set (c, "lxc.seccomp.profile", "/usr/share/cove/seccomp/common.seccomp",
              "/usr/share/cove/seccomp/common.seccomp");
  assert_refused (c, "lxc.seccomp.profile", "common.seccomp", "/usr/share/cove/seccomp/common.seccomp");
}

/* Both extensions exactly when the plugin is active; without it the keys and the API
 * name the plugin. */
static void
test_extensions (void)
{
  static const char *const names[] = {
    "seccomp_allow_nesting", "seccomp_notify", "seccomp_notify_fd_active",
    "seccomp_proxy_send_notify_fd",
  };
  g_autoptr(CoveContext) with = plugin_test_context (NULL);
  g_autoptr(CoveContext) without = plugin_test_context ("seccomp-notify");
  g_autoptr(CoveContainer) c = plugin_test_container (without);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    g_assert_true (cove_context_has_api_extension (with, names[i]));
    g_assert_false (cove_context_has_api_extension (without, names[i]));
  }
  g_assert_cmpint (cove_container_seccomp_notify_fd (c, &error), ==, -1);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "seccomp_notify"));
  g_assert_nonnull (strstr (error->message, "seccomp-notify"));
  g_assert_nonnull (strstr (error->message, "disabled"));
  g_clear_error (&error);
  g_assert_false (cove_container_set_config_item (c, "lxc.seccomp.profile", "/x", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_MISSING);
  g_assert_nonnull (strstr (error->message, "seccomp-notify"));
}

/* The API on a container that does not run. */
static void
test_not_running (void)
{
  g_autoptr(CoveContext) context = plugin_test_context (NULL);
  g_autoptr(CoveContainer) c = plugin_test_container (context);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (cove_container_seccomp_notify_fd (c, &error), ==, -1);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/seccomp-keys/allow-nesting", test_allow_nesting);
  g_test_add_func ("/seccomp-keys/proxy-grammar", test_proxy_grammar);
  g_test_add_func ("/seccomp-keys/extensions", test_extensions);
  g_test_add_func ("/seccomp-keys/not-running", test_not_running);
  return g_test_run ();
}
