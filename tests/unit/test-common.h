/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the white-box unit tests and the config fuzz target: a context that
 * loads no plugin, typed test keys registered through the internal staging API, and
 * scratch files.
 */
#pragma once

#include "cove-private.h"

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

/* A context that never loads a plugin: no COVE_PLUGIN_PATH, no compiled-in directory. */
static inline CoveContext *
test_context_new (void)
{
  CoveContextOptions options = { sizeof (CoveContextOptions), NULL, NULL,
                                 COVE_CONTEXT_NO_ENVIRONMENT | COVE_CONTEXT_NO_DEFAULT_PATH };
  g_autoptr(GError) error = NULL;
  CoveContext *context = cove_context_new (&options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (context);
  return context;
}

/* Commits @specs as one component owned by "test"; the commit must succeed. */
static inline void
test_register_keys (CoveContext *context, const CoveKeySpec *specs, gsize n_specs)
{
  g_autoptr(GError) error = NULL;
  CoveStaging staging;
  gboolean ok;

  cove_staging_init (&staging, "test");
  for (gsize i = 0; i < n_specs; i++) {
    g_assert_true (cove_key_spec_check (&specs[i], &error));
    g_assert_no_error (error);
    g_ptr_array_add (staging.keys, cove_key_new (&specs[i], "test"));
  }
  ok = cove_registry_commit (context->registry, &staging, &error);
  cove_staging_clear (&staging);
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* Registers @spec unless the core (or an earlier call) already has a key at that path:
 * for LXC keys the core does not register yet (lxc.arch, lxc.net.N.type …). */
static inline void
test_register_key_if_absent (CoveContext *context, const CoveKeySpec *spec)
{
  if (cove_registry_lookup_key (context->registry, spec->scope, spec->path) == NULL)
    test_register_keys (context, spec, 1);
}

static gboolean
test_net_setup_host (CoveHookContext *ctx, guint net_index, gpointer user_data, GError **error)
{
  return TRUE;
}

/* Net types "xveth" and "xvlan", in case the core checks lxc.net.N.type against them. */
static inline void
test_register_net_types (CoveContext *context)
{
  static const char *const names[] = { "xveth", "xvlan" };
  g_autoptr(GError) error = NULL;
  CoveStaging staging;
  gboolean ok;

  cove_staging_init (&staging, "test-net");
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    CoveNetType *type;
    if (cove_registry_lookup_net_type (context->registry, names[i]) != NULL)
      continue;
    type = g_new0 (CoveNetType, 1);
    type->name = g_strdup (names[i]);
    type->ops.struct_size = sizeof (CoveNetTypeOps);
    type->ops.setup_host = test_net_setup_host;
    type->owner = "test-net";
    g_ptr_array_add (staging.net_types, type);
  }
  ok = cove_registry_commit (context->registry, &staging, &error);
  cove_staging_clear (&staging);
  g_assert_no_error (error);
  g_assert_true (ok);
}

static char *
test_normalize_upper (const char *key, const char *value, GError **error)
{
  if (g_str_equal (value, "bad")) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "the word bad is not allowed");
    return NULL;
  }
  return g_ascii_strup (value, -1);
}

static const char *const test_enum_values[] = { "alpha", "beta", "gamma", NULL };

/* One key of every type and flag, in the global and in the network scope. */
static const CoveKeySpec test_keys[] = {
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "xtest.string", COVE_KEY_STRING,
    .doc = "test: a string" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "xtest.bool", COVE_KEY_BOOL,
    .default_value = "0", .doc = "test: a bool" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "xtest.uint", COVE_KEY_UINT,
    .default_value = "7", .doc = "test: an unsigned number" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "xtest.size", COVE_KEY_SIZE,
    .doc = "test: a byte size" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "xtest.enum", COVE_KEY_ENUM,
    .values = test_enum_values, .default_value = "alpha", .doc = "test: an enum" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "xtest.list", COVE_KEY_STRING,
    COVE_KEY_REPEATABLE, .doc = "test: a repeatable string" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "xtest.fam", COVE_KEY_STRING,
    COVE_KEY_FAMILY, .doc = "test: a key family" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "xtest.norm", COVE_KEY_STRING,
    .doc = "test: a string with a normalize callback", .normalize = test_normalize_upper },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "xtest.addr", COVE_KEY_STRING,
    COVE_KEY_REPEATABLE, .doc = "test: a repeatable net key" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "xtest.mtu", COVE_KEY_UINT,
    .doc = "test: a net key for every type" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "xtest.vmode", COVE_KEY_ENUM,
    .values = test_enum_values, .net_type = "xveth", .doc = "test: a key of xveth nics only" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "xtest.vlan.id", COVE_KEY_UINT,
    .net_type = "xvlan", .doc = "test: a key of xvlan nics only" },
};

/* LXC keys the core may not register yet; registered only when absent. */
static const CoveKeySpec test_lxc_keys[] = {
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "arch", COVE_KEY_STRING,
    .doc = "test: lxc.arch" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "cgroup2", COVE_KEY_STRING, COVE_KEY_FAMILY,
    .doc = "test: lxc.cgroup2.*" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "type", COVE_KEY_STRING,
    .doc = "test: lxc.net.N.type" },
};

/* A context with the core keys, test_keys and test_lxc_keys. */
static inline CoveContext *
test_context_new_with_keys (void)
{
  CoveContext *context = test_context_new ();

  test_register_keys (context, test_keys, G_N_ELEMENTS (test_keys));
  for (gsize i = 0; i < G_N_ELEMENTS (test_lxc_keys); i++)
    test_register_key_if_absent (context, &test_lxc_keys[i]);
  test_register_net_types (context);
  return context;
}

/* ---- scratch files ------------------------------------------------------------------ */

static inline char *
test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cove-unit-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static inline void
test_rm_rf (const char *path)
{
  struct stat st;

  if (lstat (path, &st) < 0)
    return;
  if (S_ISDIR (st.st_mode)) {
    g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      test_rm_rf (child);
    }
    g_rmdir (path);
  } else {
    g_unlink (path);
  }
}

/* Writes @len bytes (-1: a string) to @dir/@name, creating parent directories. */
static inline char *
test_write_file (const char *dir, const char *name, const char *contents, gssize len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

static inline char *
test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static inline gboolean
test_strv_has (char **strv, const char *name)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, name);
}

/* Asserts cove_config_get (@name) == @expected. */
#define test_assert_get(config, name, expected)                                \
  G_STMT_START {                                                               \
    g_autoptr(GError) get_error_ = NULL;                                       \
    g_autofree char *got_ = cove_config_get ((config), (name), &get_error_);   \
    g_assert_no_error (get_error_);                                            \
    g_assert_cmpstr (got_, ==, (expected));                                    \
  } G_STMT_END

/* Asserts that @error is set, in COVE_ERROR, and its message contains @needle. */
#define test_assert_error_contains(error, code, needle)                        \
  G_STMT_START {                                                               \
    g_assert_error ((error), COVE_ERROR, (int) (code));                           \
    if (strstr ((error)->message, (needle)) == NULL)                           \
      g_error ("error \"%s\" does not contain \"%s\"", (error)->message, (needle)); \
  } G_STMT_END
