/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loader tests, through the public API only. Each case gets fresh plugin directories
 * (mode 0755) holding *copies* of the fixture plugins it needs — a copy is a new inode,
 * so no case can be handed a module an earlier one loaded — and runs in a subprocess,
 * because plugin modules stay resident. The parent prepares and removes the
 * directories; the child creates contexts and checks what the loader made of them.
 */
#include <cove-plugin.h>
#include "proc-info.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LOADER_FIXTURE_DIR
#error "LOADER_FIXTURE_DIR must name the directory of the built fixture plugins"
#endif

#define DIRS_ENV "COVE_LOADER_TEST_DIRS"
#define MAX_DIRS 3
#define STEMS(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* ---- cases --------------------------------------------------------------------------- */

typedef struct LoaderCase LoaderCase;
struct LoaderCase {
  const char *const *dirs[MAX_DIRS];   /* fixture stems copied into each directory */
  /* parent, after copying: chmod, chown …; returns FALSE after g_test_skip() */
  gboolean (*prepare) (const LoaderCase *lc, char **dirs);
  void (*body) (const LoaderCase *lc, char **dirs);  /* child */
  gconstpointer data;
};

/* ---- parent side: directories and copies ------------------------------------------- */

static char *
fixture_file (const char *stem)
{
  return g_strdup_printf ("%s/%s.so", LOADER_FIXTURE_DIR, stem);
}

/* Copies a fixture into @dir as <stem>.so, or as @as; mode 0644 whatever the umask. */
static void
copy_fixture (const char *stem, const char *dir, const char *as)
{
  g_autofree char *source = fixture_file (stem);
  g_autofree char *target = as ? g_build_filename (dir, as, NULL)
                               : g_strdup_printf ("%s/%s.so", dir, stem);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  int fd;

  g_file_get_contents (source, &contents, &length, &error);
  g_assert_no_error (error);
  /* not g_file_set_contents: the mode must not depend on the umask */
  fd = open (target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, contents, length), ==, (gssize) length);
  g_assert_cmpint (fchmod (fd, 0644), ==, 0);
  g_assert_cmpint (close (fd), ==, 0);
}

static char *
make_plugin_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cove-loader-XXXXXX", &error);

  g_assert_no_error (error);
  g_assert_cmpint (chmod (dir, 0755), ==, 0);
  return dir;
}

static void
remove_tree (const char *path)
{
  struct stat st;

  if (lstat (path, &st) < 0)
    return;
  if (S_ISDIR (st.st_mode)) {
    g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
    rmdir (path);
  } else {
    unlink (path);
  }
}

static char *
path_in (const char *dir, const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static void
chmod_in (const char *dir, const char *name, mode_t mode)
{
  g_autofree char *path = path_in (dir, name);
  g_assert_cmpint (chmod (path, mode), ==, 0);
}

static void
run_case (gconstpointer data)
{
  const LoaderCase *lc = data;
  g_auto(GStrv) dirs = NULL;
  g_autofree char *joined = NULL;
  gboolean run = TRUE;

  if (g_test_subprocess ()) {
    const char *env = g_getenv (DIRS_ENV);
    g_assert_nonnull (env);
    dirs = g_strsplit (env, ":", -1);
    lc->body (lc, dirs);
    return;
  }

  dirs = g_new0 (char *, MAX_DIRS + 1);
  for (guint i = 0; i < MAX_DIRS && lc->dirs[i]; i++) {
    dirs[i] = make_plugin_dir ();
    for (const char *const *stem = lc->dirs[i]; *stem; stem++)
      copy_fixture (*stem, dirs[i], NULL);
  }
  if (lc->prepare)
    run = lc->prepare (lc, dirs);
  if (run) {
    joined = g_strjoinv (":", dirs);
    g_setenv (DIRS_ENV, joined, TRUE);
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_unsetenv (DIRS_ENV);
  }
  for (char **d = dirs; *d; d++) {
    chmod (*d, 0755);
    remove_tree (*d);
  }
  if (run)
    g_test_trap_assert_passed ();
}

/* ---- child side: contexts and assertions ------------------------------------------- */

#define assert_contains(haystack, needle)                                                  \
  G_STMT_START {                                                                           \
    const char *h_ = (haystack), *n_ = (needle);                                           \
    if (h_ == NULL || strstr (h_, n_) == NULL) {                                           \
      g_autofree char *m_ = g_strdup_printf ("\"%s\" does not contain \"%s\"",             \
                                             h_ ? h_ : "(null)", n_);                      \
      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, m_);               \
    }                                                                                      \
  } G_STMT_END

static CoveContext *
new_context_full (char **dirs, const char *const *disable, CoveContextFlags flags)
{
  CoveContextOptions options = {
    .struct_size = sizeof (CoveContextOptions),
    .plugin_path = (const char *const *) dirs,
    .disable = disable,
    .flags = flags,
  };
  g_autoptr(GError) error = NULL;
  CoveContext *context = cove_context_new (&options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (context);
  return context;
}

static CoveContext *
new_context (char **dirs, const char *const *disable)
{
  return new_context_full (dirs, disable, COVE_CONTEXT_NO_ENVIRONMENT | COVE_CONTEXT_NO_DEFAULT_PATH);
}

static const CovePluginInfo *
find_plugin (CoveContext *context, const char *name)
{
  const CovePluginInfo *const *plugins = cove_context_list_plugins (context, NULL);
  const CovePluginInfo *found = NULL;

  for (guint i = 0; plugins[i]; i++) {
    if (g_str_equal (cove_plugin_info_get_name (plugins[i]), name)) {
      g_assert_null (found);   /* one entry per name */
      found = plugins[i];
    }
  }
  if (found == NULL)
    g_error ("plugin %s is not listed", name);
  return found;
}

/* Checks a plugin's state and that its reason contains @fragment (ACTIVE: no reason). */
static const CovePluginInfo *
assert_plugin (CoveContext *context, const char *name, CovePluginState state, const char *fragment)
{
  const CovePluginInfo *info = find_plugin (context, name);
  const char *reason = cove_plugin_info_get_reason (info);

  if (cove_plugin_info_get_state (info) != state)
    g_error ("plugin %s is %s (reason: %s), expected %s", name,
             cove_plugin_state_to_string (cove_plugin_info_get_state (info)),
             reason ? reason : "none", cove_plugin_state_to_string (state));
  if (state == COVE_PLUGIN_STATE_ACTIVE) {
    g_assert_null (reason);
  } else {
    g_assert_nonnull (reason);
    if (fragment)
      assert_contains (reason, fragment);
    /* a refused plugin contributes nothing */
    g_assert_null (cove_plugin_info_get_extensions (info)[0]);
    g_assert_null (cove_plugin_info_get_keys (info)[0]);
  }
  return info;
}

static void
assert_extension (CoveContext *context, const char *name, gboolean expected)
{
  g_auto(GStrv) list = cove_context_list_api_extensions (context);

  if (cove_context_has_api_extension (context, name) != expected)
    g_error ("API extension %s is %s, expected %s", name, expected ? "absent" : "present",
             expected ? "present" : "absent");
  g_assert_cmpint (g_strv_contains ((const char *const *) list, name), ==, expected);
}

static void
assert_supported (CoveContext *context, const char *key, gboolean expected)
{
  if (cove_context_config_item_is_supported (context, key) != expected)
    g_error ("configuration key %s is %s, expected %s", key,
             expected ? "not supported" : "supported", expected ? "supported" : "not supported");
}

static void
assert_listed_key (CoveContext *context, const char *display, gboolean expected)
{
  g_auto(GStrv) keys = cove_context_list_keys (context, NULL);

  if (g_strv_contains ((const char *const *) keys, display) != expected)
    g_error ("key %s is %s cove_context_list_keys()", display, expected ? "missing from" : "in");
}

static void
assert_strv_equal (char **actual, const char *const *expected)
{
  g_autofree char *a = g_strjoinv (" ", actual);
  g_autofree char *e = g_strjoinv (" ", (char **) expected);
  g_assert_cmpstr (a, ==, e);
}

static const char *
plugin_file (const char *dir, const char *stem)
{
  static char buffer[4096];
  g_snprintf (buffer, sizeof buffer, "%s/%s.so", dir, stem);
  return buffer;
}

/* Everything the good fixture registers is there and works. */
static void
assert_good_active (CoveContext *context)
{
  assert_plugin (context, "good", COVE_PLUGIN_STATE_ACTIVE, NULL);
  assert_extension (context, "x_test_good", TRUE);
  assert_extension (context, "x_test_good_extra", TRUE);
  assert_supported (context, "lxc.x-test.good", TRUE);
  assert_supported (context, "lxc.net.3.xtest.mode", TRUE);
  assert_listed_key (context, "lxc.net.N.xtest.mode", TRUE);
}

/* Nothing the good fixture stages made it into the registry (its hook included). */
static void
assert_good_absent (CoveContext *context)
{
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;

  assert_extension (context, "x_test_good", FALSE);
  assert_extension (context, "x_test_good_extra", FALSE);
  assert_supported (context, "lxc.net.3.xtest.mode", FALSE);
  assert_listed_key (context, "lxc.net.N.xtest.mode", FALSE);
  /* its CONFIG_VALIDATE hook would reject lxc.x-test.good = reject */
  if (cove_context_config_item_is_supported (context, "lxc.x-test.good")) {
    c = cove_container_new_with_context (context, "c", "/nonexistent", &error);
    g_assert_no_error (error);
    g_assert_true (cove_container_set_config_item (c, "lxc.x-test.good", "reject", &error));
    g_assert_no_error (error);
    g_assert_true (cove_container_validate_config (c, &error));
    g_assert_no_error (error);
  }
}

/* The registry is exactly the core's plus what the ACTIVE plugins list. */
static void
assert_registry_derived (CoveContext *context)
{
  g_autoptr(CoveContext) bare = NULL;
  g_autoptr(GPtrArray) want_ext = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_autoptr(GPtrArray) want_keys = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  g_auto(GStrv) core_ext = NULL;
  g_auto(GStrv) core_keys = NULL;
  g_auto(GStrv) ext = cove_context_list_api_extensions (context);
  g_auto(GStrv) keys = cove_context_list_keys (context, NULL);
  const CovePluginInfo *const *plugins = cove_context_list_plugins (context, NULL);
  char *empty[] = { NULL };

  bare = new_context (empty, NULL);
  core_ext = cove_context_list_api_extensions (bare);
  core_keys = cove_context_list_keys (bare, NULL);
  for (char **e = core_ext; *e; e++)
    g_ptr_array_add (want_ext, *e);
  for (char **k = core_keys; *k; k++)
    g_ptr_array_add (want_keys, *k);
  for (guint i = 0; plugins[i]; i++) {
    if (cove_plugin_info_get_state (plugins[i]) != COVE_PLUGIN_STATE_ACTIVE)
      continue;
    for (const char *const *e = cove_plugin_info_get_extensions (plugins[i]); *e; e++)
      g_ptr_array_add (want_ext, (gpointer) *e);
    for (const char *const *k = cove_plugin_info_get_keys (plugins[i]); *k; k++)
      g_ptr_array_add (want_keys, (gpointer) *k);
  }
  assert_strv_equal (ext, (const char *const *) want_ext->pdata);
  assert_strv_equal (keys, (const char *const *) want_keys->pdata);
}

/* ---- good ----------------------------------------------------------------------------- */

static void
body_good (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) x_keys = NULL;
  g_autofree char *value = NULL;
  const CovePluginInfo *info;
  guint n = 0;

  cove_context_list_plugins (context, &n);
  g_assert_cmpuint (n, ==, 1);
  info = assert_plugin (context, "good", COVE_PLUGIN_STATE_ACTIVE, NULL);
  g_assert_cmpstr (cove_plugin_info_get_version (info), ==, "1.2.3");
  g_assert_cmpstr (cove_plugin_info_get_summary (info), ==, "Loader fixture: registers one of everything");
  g_assert_cmpstr (cove_plugin_info_get_file (info), ==, plugin_file (dirs[0], "good"));
  assert_strv_equal ((char **) cove_plugin_info_get_extensions (info),
                     STEMS ("x_test_good", "x_test_good_extra"));
  assert_strv_equal ((char **) cove_plugin_info_get_keys (info),
                     STEMS ("lxc.x-test.good", "lxc.net.N.xtest.mode"));

  assert_good_active (context);
  assert_extension (context, "lxc_log", TRUE);
  assert_extension (context, "x_test_bogus", FALSE);
  assert_supported (context, "lxc.x-test.bogus", FALSE);
  assert_supported (context, "lxc.x-test", FALSE);
  x_keys = cove_context_list_keys (context, "lxc.x-test.");
  assert_strv_equal (x_keys, STEMS ("lxc.x-test.good"));
  assert_registry_derived (context);

  /* the key works; the hook was committed and runs */
  c = cove_container_new_with_context (context, "c", "/nonexistent", &error);
  g_assert_no_error (error);
  g_assert_true (cove_container_set_config_item (c, "lxc.x-test.good", "hello", &error));
  g_assert_no_error (error);
  value = cove_container_get_config_item (c, "lxc.x-test.good", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "hello");
  g_assert_true (cove_container_validate_config (c, &error));
  g_assert_no_error (error);
  g_assert_true (cove_container_set_config_item (c, "lxc.x-test.good", "reject", &error));
  g_assert_no_error (error);
  g_assert_false (cove_container_validate_config (c, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "good: config-validate: lxc.x-test.good: the good fixture rejects \"reject\"");
  g_clear_error (&error);
  g_assert_false (cove_container_set_config_item (c, "lxc.net.0.xtest.mode", "medium", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  g_assert_true (cove_container_set_config_item (c, "lxc.net.0.xtest.mode", "slow", &error));
  g_assert_no_error (error);
}

static const LoaderCase case_good = { { STEMS ("good") }, NULL, body_good };

/* ---- refused fixtures, each next to good ---------------------------------------------- */

typedef struct {
  const char *stem;
  CovePluginState state;
  const char *reason;        /* fragment; a "%s" is replaced by the plugin file */
  const char *version;       /* reported once the descriptor passed its checks */
  const char *staged_key;    /* registered by init() before the refusal, or NULL */
  const char *const *extensions;  /* declared by the descriptor */
} Refused;

static void
body_refused (const LoaderCase *lc, char **dirs)
{
  const Refused *r = lc->data;
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  g_auto(GStrv) x_keys = NULL;
  const CovePluginInfo *info;
  guint n = 0;

  cove_context_list_plugins (context, &n);
  g_assert_cmpuint (n, ==, 2);
  info = assert_plugin (context, r->stem, r->state, r->reason);
  g_assert_cmpstr (cove_plugin_info_get_file (info), ==, plugin_file (dirs[0], r->stem));
  g_assert_cmpstr (cove_plugin_info_get_version (info), ==, r->version);
  if (r->staged_key)
    assert_supported (context, r->staged_key, FALSE);
  for (const char *const *e = r->extensions; e && *e; e++)
    assert_extension (context, *e, g_str_equal (*e, "lxc_log"));   /* the core's stays */

  /* one bad plugin never stops the others */
  assert_good_active (context);
  x_keys = cove_context_list_keys (context, "lxc.x-test.");
  assert_strv_equal (x_keys, STEMS ("lxc.x-test.good"));
  assert_registry_derived (context);
}

/* newer-minor's and bad-size's reasons depend on the SDK; main () fills them in */
static Refused refused[] = {
  { "bad-abi", COVE_PLUGIN_STATE_FAILED,
    "built for plugin ABI 2.0, this core has ABI 1.0", NULL },
  { "newer-minor", COVE_PLUGIN_STATE_FAILED, NULL, NULL },
  { "bad-size", COVE_PLUGIN_STATE_FAILED, NULL, NULL },
  { "no-version", COVE_PLUGIN_STATE_FAILED,
    "descriptor lacks a name, version, summary or init function", NULL },
  { "name-mismatch", COVE_PLUGIN_STATE_FAILED,
    "declares the name \"good\", but its file is name-mismatch.so (they must match)", NULL },
  { "no-descriptor", COVE_PLUGIN_STATE_FAILED,
    "no cove_plugin_desc symbol: not a Cove plugin", NULL },
  { "init-fails", COVE_PLUGIN_STATE_FAILED, "init: the init-fails fixture always fails", "1.0",
    "lxc.x-test.init-fails", STEMS ("x_test_init_fails") },
  { "init-unavailable", COVE_PLUGIN_STATE_UNAVAILABLE, "init: the kernel lacks the x-test feature",
    "1.0", "lxc.x-test.unavailable", STEMS ("x_test_unavailable") },
  { "init-silent", COVE_PLUGIN_STATE_FAILED, "init: failed without setting an error", "1.0" },
  { "bad-key", COVE_PLUGIN_STATE_FAILED,
    "init: invalid key path \"X-Test.Bad Key\" (lower-case words separated by dots)", "1.0",
    "lxc.x-test.bad-key-valid", STEMS ("x_test_bad_key") },
  { "dup-extension", COVE_PLUGIN_STATE_FAILED, "API extension lxc_log is already registered by core",
    "1.0", "lxc.x-test.dup-extension", STEMS ("x_test_dup_extension", "lxc_log") },
};

/* ---- duplicate key -------------------------------------------------------------------- */

static void
body_dup_key (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  g_auto(GStrv) x_keys = NULL;
  const CovePluginInfo *const *plugins;
  guint n = 0, active = 0;

  /* load order is by file name: dup-key.so before good.so, so dup-key wins */
  plugins = cove_context_list_plugins (context, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (cove_plugin_info_get_name (plugins[0]), ==, "dup-key");
  g_assert_cmpstr (cove_plugin_info_get_name (plugins[1]), ==, "good");
  for (guint i = 0; i < n; i++)
    active += cove_plugin_info_get_state (plugins[i]) == COVE_PLUGIN_STATE_ACTIVE;
  g_assert_cmpuint (active, ==, 1);
  assert_plugin (context, "dup-key", COVE_PLUGIN_STATE_ACTIVE, NULL);
  assert_plugin (context, "good", COVE_PLUGIN_STATE_FAILED,
                 "key lxc.x-test.good is already registered by dup-key");
  assert_extension (context, "x_test_dup_key", TRUE);
  assert_supported (context, "lxc.x-test.good", TRUE);   /* dup-key's */
  x_keys = cove_context_list_keys (context, "lxc.x-test.");
  assert_strv_equal (x_keys, STEMS ("lxc.x-test.good"));
  /* staged registration: good's other key, extensions and hook are not there either */
  assert_good_absent (context);
  assert_registry_derived (context);
}

static const LoaderCase case_dup_key = { { STEMS ("good", "dup-key") }, NULL, body_dup_key };

static void
body_dup_key_dir_order (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);

  /* directories first: good (first directory) wins over dup-key (second) */
  assert_good_active (context);
  assert_plugin (context, "dup-key", COVE_PLUGIN_STATE_FAILED,
                 "key lxc.x-test.good is already registered by good");
  assert_extension (context, "x_test_dup_key", FALSE);
  assert_registry_derived (context);
}

static const LoaderCase case_dup_key_dir_order = {
  { STEMS ("good"), STEMS ("dup-key") }, NULL, body_dup_key_dir_order
};

/* ---- trust checks --------------------------------------------------------------------- */

typedef struct {
  const char *name;      /* file or "" for the directory, in dirs[0] */
  mode_t mode;
  const char *before;    /* the reason is before + the path + after */
  const char *after;
  gboolean mkdir;        /* create @name as a directory first */
} TrustCase;

static gboolean
prepare_trust (const LoaderCase *lc, char **dirs)
{
  const TrustCase *t = lc->data;
  g_autofree char *path = path_in (dirs[0], t->name);

  if (t->mkdir)
    g_assert_cmpint (mkdir (path, 0755), ==, 0);
  g_assert_cmpint (chmod (path, t->mode), ==, 0);
  return TRUE;
}

static void
body_trust (const LoaderCase *lc, char **dirs)
{
  const TrustCase *t = lc->data;
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  g_autofree char *path = path_in (dirs[0], t->name);
  g_autofree char *reason = g_strconcat (t->before, *t->name ? path : dirs[0], t->after, NULL);
  guint n = 0, expected = t->mkdir ? 1 : 0;

  if (*t->name) {
    /* one file refused; the rest of its directory still loads */
    g_autofree char *stem = g_strndup (t->name, strlen (t->name) - 3);
    assert_plugin (context, stem, COVE_PLUGIN_STATE_FAILED, reason);
    if (!g_str_equal (stem, "good"))
      assert_good_active (context);
    else
      assert_good_absent (context);
    assert_plugin (context, "net-ipvlan", COVE_PLUGIN_STATE_ACTIVE, NULL);
  } else {
    /* an untrusted directory refuses all its plugins; the next directory still loads */
    assert_plugin (context, "good", COVE_PLUGIN_STATE_FAILED, reason);
    assert_plugin (context, "dup-extension", COVE_PLUGIN_STATE_FAILED, reason);
    assert_good_absent (context);
    assert_plugin (context, "net-ipvlan", COVE_PLUGIN_STATE_ACTIVE, NULL);
    g_assert_cmpstr (cove_plugin_info_get_file (find_plugin (context, "net-ipvlan")), ==,
                     plugin_file (dirs[1], "net-ipvlan"));
  }
  assert_extension (context, "network_ipvlan", TRUE);
  for (guint i = 0; i < MAX_DIRS && lc->dirs[i]; i++)
    expected += g_strv_length ((char **) lc->dirs[i]);
  cove_context_list_plugins (context, &n);
  g_assert_cmpuint (n, ==, expected);
  assert_registry_derived (context);
}

static const TrustCase trust_world_writable_file = {
  "good.so", 0666, "plugin file ", " is writable by everyone"
};
static const TrustCase trust_other_writable_file = {
  "good.so", 0646, "plugin file ", " is writable by everyone"
};
static const TrustCase trust_group_writable_file = {
  "good.so", 0664, "plugin file ", " is writable by its group"
};
static const TrustCase trust_setuid_file = { "good.so", 04755, "", " is setuid or setgid" };
static const TrustCase trust_not_regular = {
  "directory.so", 0755, "", " is not a regular file", TRUE
};
static const TrustCase trust_group_writable_dir = {
  "", 0775, "plugin directory ", " is writable by its group"
};
static const TrustCase trust_world_writable_dir = {
  "", 0777, "plugin directory ", " is writable by everyone"
};
static const TrustCase trust_other_writable_dir = {
  "", 0757, "plugin directory ", " is writable by everyone"
};
static const TrustCase trust_sticky_dir = {
  "", 01777, "plugin directory ", " is world-writable (like /tmp)"
};

static const LoaderCase case_trust_world_writable_file = {
  { STEMS ("good", "net-ipvlan") }, prepare_trust, body_trust, &trust_world_writable_file
};
static const LoaderCase case_trust_other_writable_file = {
  { STEMS ("good", "net-ipvlan") }, prepare_trust, body_trust, &trust_other_writable_file
};
static const LoaderCase case_trust_group_writable_file = {
  { STEMS ("good", "net-ipvlan") }, prepare_trust, body_trust, &trust_group_writable_file
};
static const LoaderCase case_trust_setuid_file = {
  { STEMS ("good", "net-ipvlan") }, prepare_trust, body_trust, &trust_setuid_file
};
static const LoaderCase case_trust_not_regular = {
  { STEMS ("good", "net-ipvlan") }, prepare_trust, body_trust, &trust_not_regular
};
static const LoaderCase case_trust_group_writable_dir = {
  { STEMS ("good", "dup-extension"), STEMS ("net-ipvlan") }, prepare_trust, body_trust,
  &trust_group_writable_dir
};
static const LoaderCase case_trust_world_writable_dir = {
  { STEMS ("good", "dup-extension"), STEMS ("net-ipvlan") }, prepare_trust, body_trust,
  &trust_world_writable_dir
};
static const LoaderCase case_trust_other_writable_dir = {
  { STEMS ("good", "dup-extension"), STEMS ("net-ipvlan") }, prepare_trust, body_trust,
  &trust_other_writable_dir
};

/* A root-owned sticky world-writable directory gets its own message; as another user the
 * directory is ours and the generic one applies. */
static const LoaderCase case_trust_sticky_dir = {
  { STEMS ("good", "dup-extension"), STEMS ("net-ipvlan") }, prepare_trust, body_trust,
  &trust_sticky_dir
};
static const LoaderCase case_trust_sticky_dir_user = {
  { STEMS ("good", "dup-extension"), STEMS ("net-ipvlan") }, prepare_trust, body_trust,
  &(const TrustCase) { "", 01777, "plugin directory ", " is writable by everyone" }
};

#define FOREIGN_UID 65534

static gboolean
prepare_foreign_owner (const LoaderCase *lc, char **dirs)
{
  g_autofree char *file = path_in (dirs[0], "good.so");
  g_autofree char *dir_plugin = path_in (dirs[1], "dup-extension.so");

  if (geteuid () != 0) {
    g_test_skip ("giving a file to another uid needs root (run the loader suite as root)");
    return FALSE;
  }
  g_assert_cmpint (chown (file, FOREIGN_UID, FOREIGN_UID), ==, 0);
  g_assert_cmpint (chown (dirs[1], FOREIGN_UID, FOREIGN_UID), ==, 0);
  g_assert_cmpint (chown (dir_plugin, 0, 0), ==, 0);   /* the file is fine, its directory is not */
  return TRUE;
}

static void
body_foreign_owner (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  g_autofree char *file = path_in (dirs[0], "good.so");
  g_autofree char *file_reason = g_strdup_printf (
      "plugin file %s is owned by uid %d, neither root nor the current user", file, FOREIGN_UID);
  g_autofree char *dir_reason = g_strdup_printf (
      "plugin directory %s is owned by uid %d, neither root nor the current user", dirs[1], FOREIGN_UID);

  assert_plugin (context, "good", COVE_PLUGIN_STATE_FAILED, file_reason);
  assert_plugin (context, "dup-extension", COVE_PLUGIN_STATE_FAILED, dir_reason);
  assert_good_absent (context);
  assert_plugin (context, "net-ipvlan", COVE_PLUGIN_STATE_ACTIVE, NULL);
  assert_extension (context, "network_ipvlan", TRUE);
  assert_registry_derived (context);
}

static const LoaderCase case_foreign_owner = {
  { STEMS ("good", "net-ipvlan"), STEMS ("dup-extension") }, prepare_foreign_owner,
  body_foreign_owner
};

/* Only *.so files whose name does not start with a dot are plugins. */
static gboolean
prepare_file_names (const LoaderCase *lc, char **dirs)
{
  copy_fixture ("init-fails", dirs[0], ".hidden.so");
  copy_fixture ("init-fails", dirs[0], "init-fails.so.1");
  copy_fixture ("init-fails", dirs[0], "README");
  return TRUE;
}

static void
body_file_names (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  guint n = 0;

  cove_context_list_plugins (context, &n);
  g_assert_cmpuint (n, ==, 1);
  assert_good_active (context);
}

static const LoaderCase case_file_names = {
  { STEMS ("good") }, prepare_file_names, body_file_names
};

/* ---- search path ---------------------------------------------------------------------- */

static void
body_relative_dir (const LoaderCase *lc, char **dirs)
{
  const char *path[] = { dirs[0], "relative/plugins", NULL };
  CoveContextOptions options = {
    .struct_size = sizeof (CoveContextOptions),
    .plugin_path = path,
    .flags = COVE_CONTEXT_NO_ENVIRONMENT | COVE_CONTEXT_NO_DEFAULT_PATH,
  };
  g_autoptr(GError) error = NULL;
  CoveContext *context = cove_context_new (&options, &error);

  g_assert_null (context);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "plugin directory \"relative/plugins\" is not an absolute path");
}

static const LoaderCase case_relative_dir = { { STEMS ("good") }, NULL, body_relative_dir };

static void
body_first_dir_wins (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  const CovePluginInfo *const *plugins;
  guint n = 0;

  plugins = cove_context_list_plugins (context, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (cove_plugin_info_get_name (plugins[0]), ==, "good");
  g_assert_cmpstr (cove_plugin_info_get_file (plugins[0]), ==, plugin_file (dirs[0], "good"));
  g_assert_cmpstr (cove_plugin_info_get_name (plugins[1]), ==, "net-ipvlan");
  g_assert_cmpstr (cove_plugin_info_get_file (plugins[1]), ==, plugin_file (dirs[1], "net-ipvlan"));
  assert_good_active (context);
  assert_plugin (context, "net-ipvlan", COVE_PLUGIN_STATE_ACTIVE, NULL);
}

static const LoaderCase case_first_dir_wins = {
  { STEMS ("good"), STEMS ("good", "net-ipvlan") }, NULL, body_first_dir_wins
};

/* The first file with a name is the only one considered, even when it is refused. */
static gboolean
prepare_refused_shadows (const LoaderCase *lc, char **dirs)
{
  chmod_in (dirs[0], "good.so", 0666);
  return TRUE;
}

static void
body_refused_shadows (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  const CovePluginInfo *info;
  guint n = 0;

  cove_context_list_plugins (context, &n);
  g_assert_cmpuint (n, ==, 1);
  info = assert_plugin (context, "good", COVE_PLUGIN_STATE_FAILED, "is writable by everyone");
  g_assert_cmpstr (cove_plugin_info_get_file (info), ==, plugin_file (dirs[0], "good"));
  assert_good_absent (context);
}

static const LoaderCase case_refused_shadows = {
  { STEMS ("good"), STEMS ("good") }, prepare_refused_shadows, body_refused_shadows
};

/* API paths, then COVE_PLUGIN_PATH (relative entries are skipped). */
static void
body_environment_path (const LoaderCase *lc, char **dirs)
{
  char *api[] = { dirs[0], NULL };
  g_autofree char *env = g_strdup_printf ("relative/dir:%s:", dirs[1]);
  g_autoptr(CoveContext) context = NULL;
  g_autoptr(CoveContext) ignored = NULL;
  guint n = 0;

  g_setenv ("COVE_PLUGIN_PATH", env, TRUE);
  g_unsetenv ("COVE_PLUGINS_DISABLE");
  context = new_context_full (api, NULL, COVE_CONTEXT_NO_DEFAULT_PATH);
  cove_context_list_plugins (context, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (cove_plugin_info_get_file (find_plugin (context, "good")), ==,
                   plugin_file (dirs[0], "good"));
  g_assert_cmpstr (cove_plugin_info_get_file (find_plugin (context, "net-ipvlan")), ==,
                   plugin_file (dirs[1], "net-ipvlan"));
  assert_good_active (context);
  assert_extension (context, "network_ipvlan", TRUE);

  /* COVE_CONTEXT_NO_ENVIRONMENT ignores it */
  ignored = new_context (api, NULL);
  cove_context_list_plugins (ignored, &n);
  g_assert_cmpuint (n, ==, 1);
  assert_extension (ignored, "network_ipvlan", FALSE);
}

static const LoaderCase case_environment_path = {
  { STEMS ("good"), STEMS ("good", "net-ipvlan") }, NULL, body_environment_path
};

/* ---- disabling, and the net-ipvlan stand-in ------------------------------------------ */

static void
assert_ipvlan_missing (CoveContext *context, const char *message)
{
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;

  assert_extension (context, "network_ipvlan", FALSE);
  assert_supported (context, "lxc.net.0.ipvlan.mode", FALSE);
  assert_listed_key (context, "lxc.net.N.ipvlan.mode", FALSE);
  c = cove_container_new_with_context (context, "c", "/nonexistent", &error);
  g_assert_no_error (error);
  g_assert_false (cove_container_set_config_item (c, "lxc.net.0.ipvlan.mode", "l2", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_MISSING);
  g_assert_cmpstr (error->message, ==, message);
}

static void
assert_ipvlan_disabled (CoveContext *context)
{
  const CovePluginInfo *info;

  info = assert_plugin (context, "net-ipvlan", COVE_PLUGIN_STATE_DISABLED,
                        "disabled by COVE_PLUGINS_DISABLE or the context options");
  g_assert_null (cove_plugin_info_get_version (info));   /* never opened */
  assert_ipvlan_missing (context, "lxc.net.0.ipvlan.mode needs plugin net-ipvlan, which is disabled");
  assert_good_active (context);
  assert_registry_derived (context);
}

static void
body_disable_option (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, STEMS ("net-ipvlan", "not-installed"));

  assert_ipvlan_disabled (context);
}

static const LoaderCase case_disable_option = {
  { STEMS ("good", "net-ipvlan") }, NULL, body_disable_option
};

static void
body_disable_environment (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = NULL;
  g_autoptr(CoveContext) ignored = NULL;

  g_unsetenv ("COVE_PLUGIN_PATH");
  g_setenv ("COVE_PLUGINS_DISABLE", " net-ipvlan ,,not-installed", TRUE);
  context = new_context_full (dirs, NULL, COVE_CONTEXT_NO_DEFAULT_PATH);
  assert_ipvlan_disabled (context);

  /* COVE_CONTEXT_NO_ENVIRONMENT ignores it */
  ignored = new_context (dirs, NULL);
  assert_plugin (ignored, "net-ipvlan", COVE_PLUGIN_STATE_ACTIVE, NULL);
  assert_extension (ignored, "network_ipvlan", TRUE);
}

static const LoaderCase case_disable_environment = {
  { STEMS ("good", "net-ipvlan") }, NULL, body_disable_environment
};

/* A disabled plugin is not even opened: no trust checks, no init. */
static gboolean
prepare_disable_unopened (const LoaderCase *lc, char **dirs)
{
  chmod_in (dirs[0], "net-ipvlan.so", 0666);
  return TRUE;
}

static void
body_disable_unopened (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, STEMS ("net-ipvlan", "init-fails", "bad-abi"));

  assert_ipvlan_disabled (context);
  assert_plugin (context, "init-fails", COVE_PLUGIN_STATE_DISABLED, "disabled by");
  assert_plugin (context, "bad-abi", COVE_PLUGIN_STATE_DISABLED, "disabled by");
}

static const LoaderCase case_disable_unopened = {
  { STEMS ("good", "net-ipvlan", "init-fails", "bad-abi") }, prepare_disable_unopened,
  body_disable_unopened
};

static void
body_ipvlan_active (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  assert_plugin (context, "net-ipvlan", COVE_PLUGIN_STATE_ACTIVE, NULL);
  g_assert_true (cove_context_has_api_extension (context, "network_ipvlan"));
  g_assert_true (cove_context_config_item_is_supported (context, "lxc.net.7.ipvlan.mode"));
  g_assert_true (cove_context_config_item_is_supported (context, "lxc.net.0.ipvlan.mode"));
  g_assert_false (cove_context_config_item_is_supported (context, "lxc.net.x.type"));
  g_assert_false (cove_context_config_item_is_supported (context, "lxc.net.0.bogus"));
  g_assert_false (cove_context_config_item_is_supported (context, "lxc.net.0.ipvlan"));
  g_assert_false (cove_context_config_item_is_supported (context, "lxc.net.-1.ipvlan.mode"));
  g_assert_false (cove_context_config_item_is_supported (context, "lxc.net.1024.ipvlan.mode"));
  g_assert_false (cove_context_config_item_is_supported (context, "lxc.ipvlan.mode"));
  assert_listed_key (context, "lxc.net.N.ipvlan.mode", TRUE);

  c = cove_container_new_with_context (context, "c", "/nonexistent", &error);
  g_assert_no_error (error);
  g_assert_true (cove_container_set_config_item (c, "lxc.net.0.ipvlan.mode", "l2", &error));
  g_assert_no_error (error);
  value = cove_container_get_config_item (c, "lxc.net.0.ipvlan.mode", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "l2");
  g_assert_false (cove_container_set_config_item (c, "lxc.net.0.ipvlan.mode", "l4", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  assert_contains (error->message, "expected one of l3, l3s, l2");
  g_clear_error (&error);
  /* net_type: the key applies only to interfaces of type ipvlan */
  g_assert_false (cove_container_validate_config (c, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  assert_contains (error->message, "lxc.net.0.ipvlan.mode applies only to interfaces of type ipvlan");
}

static const LoaderCase case_ipvlan_active = { { STEMS ("net-ipvlan") }, NULL, body_ipvlan_active };

static void
body_ipvlan_not_installed (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);

  assert_ipvlan_missing (context, "lxc.net.0.ipvlan.mode needs plugin net-ipvlan, which is not installed");
}

static const LoaderCase case_ipvlan_not_installed = {
  { STEMS ("good") }, NULL, body_ipvlan_not_installed
};

static void
body_ipvlan_failed (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  g_autofree char *message = g_strdup_printf (
      "lxc.net.0.ipvlan.mode needs plugin net-ipvlan, which is not loaded: "
      "plugin file %s is writable by everyone", plugin_file (dirs[0], "net-ipvlan"));

  assert_ipvlan_missing (context, message);
}

static const LoaderCase case_ipvlan_failed = {
  { STEMS ("net-ipvlan") }, prepare_disable_unopened, body_ipvlan_failed
};

/* ---- the out-of-tree example (docs/examples/plugin) ----------------------------------- */

static void
body_example (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  const CovePluginInfo *info;
  const char *const blank[] = { "   ", "...", " - ", NULL };

  info = assert_plugin (context, "example-hello", COVE_PLUGIN_STATE_ACTIVE, NULL);
  g_assert_cmpstr (cove_plugin_info_get_version (info), ==, "1.0.0");
  assert_strv_equal ((char **) cove_plugin_info_get_extensions (info), STEMS ("x_example_greeting"));
  assert_strv_equal ((char **) cove_plugin_info_get_keys (info), STEMS ("lxc.x-example.greeting"));
  assert_extension (context, "x_example_greeting", TRUE);
  assert_supported (context, "lxc.x-example.greeting", TRUE);
  assert_good_active (context);

  c = cove_container_new_with_context (context, "c", "/nonexistent", &error);
  g_assert_no_error (error);
  g_assert_true (cove_container_validate_config (c, &error));   /* unset: fine */
  g_assert_no_error (error);
  for (const char *const *value = blank; *value; value++) {
    g_autofree char *expected = g_strdup_printf (
        "example-hello: config-validate: set through the API: lxc.x-example.greeting \"%s\" "
        "has no letter or digit; write a real greeting or remove the key", *value);
    g_assert_true (cove_container_set_config_item (c, "lxc.x-example.greeting", *value, &error));
    g_assert_no_error (error);
    g_assert_false (cove_container_validate_config (c, &error));
    g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
    g_assert_cmpstr (error->message, ==, expected);
    g_clear_error (&error);
  }
  /* hooks of equal priority run in plugin name order: example-hello before good */
  g_assert_true (cove_container_set_config_item (c, "lxc.x-test.good", "reject", &error));
  g_assert_false (cove_container_validate_config (c, &error));
  assert_contains (error->message, "example-hello: config-validate: ");
  g_clear_error (&error);
  g_assert_true (cove_container_set_config_item (c, "lxc.x-example.greeting", "Hello, world", &error));
  g_assert_false (cove_container_validate_config (c, &error));
  assert_contains (error->message, "good: config-validate: ");
  g_clear_error (&error);
  g_assert_true (cove_container_set_config_item (c, "lxc.x-test.good", "fine", &error));
  g_assert_true (cove_container_validate_config (c, &error));
  g_assert_no_error (error);
}

static const LoaderCase case_example = { { STEMS ("example-hello", "good") }, NULL, body_example };

/* ---- extension derivation ------------------------------------------------------------- */

typedef struct {
  const char *stem;
  const char *const *extensions;   /* what its descriptor declares */
} Declared;

static const Declared declared[] = {
  { "bad-key", STEMS ("x_test_bad_key") },
  { "dup-extension", STEMS ("x_test_dup_extension", "lxc_log") },
  { "good", STEMS ("x_test_good", "x_test_good_extra") },
  { "init-fails", STEMS ("x_test_init_fails") },
  { "init-unavailable", STEMS ("x_test_unavailable") },
  { "net-ipvlan", STEMS ("network_ipvlan") },
};

/* Disabling one plugin removes exactly the extensions it contributed while ACTIVE —
 * nothing when it was refused anyway, and never a core extension it also claimed. */
static void
body_derivation (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) full = new_context (dirs, NULL);
  g_auto(GStrv) all = cove_context_list_api_extensions (full);

  assert_registry_derived (full);
  for (gsize i = 0; i < G_N_ELEMENTS (declared); i++) {
    const char *disable[] = { declared[i].stem, NULL };
    g_autoptr(CoveContext) context = new_context (dirs, disable);
    g_autoptr(GPtrArray) want = g_ptr_array_new_null_terminated (8, NULL, TRUE);
    g_auto(GStrv) got = cove_context_list_api_extensions (context);
    const CovePluginInfo *was = find_plugin (full, declared[i].stem);
    const char *const *contributed = cove_plugin_info_get_extensions (was);

    g_test_message ("disabling %s (%s in the full set)", declared[i].stem,
                    cove_plugin_state_to_string (cove_plugin_info_get_state (was)));
    /* what a plugin contributes is what it declares, when it is ACTIVE */
    if (cove_plugin_info_get_state (was) == COVE_PLUGIN_STATE_ACTIVE)
      assert_strv_equal ((char **) contributed, declared[i].extensions);
    else
      g_assert_null (contributed[0]);
    for (char **e = all; *e; e++)
      if (!g_strv_contains (contributed, *e))
        g_ptr_array_add (want, *e);
    assert_strv_equal (got, (const char *const *) want->pdata);
    for (const char *const *e = declared[i].extensions; *e; e++)
      g_assert_cmpint (cove_context_has_api_extension (context, *e), ==, g_str_equal (*e, "lxc_log"));

    assert_plugin (context, declared[i].stem, COVE_PLUGIN_STATE_DISABLED, NULL);
    for (gsize j = 0; j < G_N_ELEMENTS (declared); j++)
      if (j != i)
        g_assert_cmpint (cove_plugin_info_get_state (find_plugin (context, declared[j].stem)), ==,
                         cove_plugin_info_get_state (find_plugin (full, declared[j].stem)));
    assert_registry_derived (context);
  }
  /* the two that load contribute, the others do not */
  assert_extension (full, "x_test_good", TRUE);
  assert_extension (full, "network_ipvlan", TRUE);
  assert_extension (full, "x_test_init_fails", FALSE);
}

static const LoaderCase case_derivation = {
  { STEMS ("bad-key", "dup-extension", "good", "init-fails", "init-unavailable", "net-ipvlan") },
  NULL, body_derivation
};

/* ---- everything at once --------------------------------------------------------------- */

static const char *const all_fixtures[] = {
  "bad-abi", "bad-key", "bad-size", "dup-extension", "dup-key", "good", "init-fails",
  "init-silent", "init-unavailable", "name-mismatch", "net-ipvlan", "newer-minor",
  "no-descriptor", "no-version", NULL,
};

static void
body_everything (const LoaderCase *lc, char **dirs)
{
  g_autoptr(CoveContext) context = new_context (dirs, NULL);
  g_autoptr(CoveContext) again = NULL;
  const CovePluginInfo *const *plugins;
  g_auto(GStrv) x_keys = NULL;
  guint n = 0;

  /* every file is listed, in file name order, and each kept its own descriptor */
  plugins = cove_context_list_plugins (context, &n);
  g_assert_cmpuint (n, ==, g_strv_length ((char **) all_fixtures));
  for (guint i = 0; i < n; i++) {
    g_assert_cmpstr (cove_plugin_info_get_name (plugins[i]), ==, all_fixtures[i]);
    g_assert_cmpstr (cove_plugin_info_get_file (plugins[i]), ==, plugin_file (dirs[0], all_fixtures[i]));
  }
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    assert_plugin (context, refused[i].stem, refused[i].state, refused[i].reason);
  assert_plugin (context, "dup-key", COVE_PLUGIN_STATE_ACTIVE, NULL);
  assert_plugin (context, "good", COVE_PLUGIN_STATE_FAILED, "already registered by dup-key");
  assert_plugin (context, "net-ipvlan", COVE_PLUGIN_STATE_ACTIVE, NULL);
  g_assert_cmpstr (cove_plugin_info_get_version (find_plugin (context, "net-ipvlan")), ==, "0.0.1");
  x_keys = cove_context_list_keys (context, "lxc.x-test.");
  assert_strv_equal (x_keys, STEMS ("lxc.x-test.good"));
  assert_registry_derived (context);

  /* a second context in the same process loads the same files the same way */
  again = new_context (dirs, NULL);
  for (guint i = 0; i < n; i++) {
    const CovePluginInfo *info = find_plugin (again, all_fixtures[i]);
    g_assert_cmpint (cove_plugin_info_get_state (info), ==, cove_plugin_info_get_state (plugins[i]));
    g_assert_cmpstr (cove_plugin_info_get_reason (info), ==, cove_plugin_info_get_reason (plugins[i]));
  }
  assert_registry_derived (again);

  /* more contexts over the same files reuse the loaded modules: no fd is kept per context */
  {
    guint before = proc_fd_count (getpid ());
    for (int i = 0; i < 3; i++) {
      g_autoptr(CoveContext) more = new_context (dirs, NULL);
      assert_plugin (more, "net-ipvlan", COVE_PLUGIN_STATE_ACTIVE, NULL);
    }
    g_assert_cmpuint (proc_fd_count (getpid ()), ==, before);
  }
}

static const LoaderCase case_everything = { { all_fixtures }, NULL, body_everything };

/* ---- main ------------------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  static LoaderCase refused_cases[G_N_ELEMENTS (refused)];
  static const char *refused_dirs[G_N_ELEMENTS (refused)][3];

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_data_func ("/loader/good", &case_good, run_case);

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++) {
    g_autofree char *path = g_strdup_printf ("/loader/refused/%s", refused[i].stem);
    if (g_str_equal (refused[i].stem, "newer-minor"))
      refused[i].reason = g_strdup_printf ("needs plugin ABI %d.%d, this core has only %d.%d (update Cove)",
                                                  COVE_PLUGIN_ABI_MAJOR, COVE_PLUGIN_ABI_MINOR + 1,
                                                  COVE_PLUGIN_ABI_MAJOR, COVE_PLUGIN_ABI_MINOR);
    else if (g_str_equal (refused[i].stem, "bad-size"))
      refused[i].reason = g_strdup_printf ("descriptor is %zu bytes, ABI %d.%d needs %zu",
                                                  (gsize) G_STRUCT_OFFSET (CovePluginDesc, reserved),
                                                  COVE_PLUGIN_ABI_MAJOR, COVE_PLUGIN_ABI_MINOR,
                                                  sizeof (CovePluginDesc));
    refused_dirs[i][0] = refused[i].stem;
    refused_dirs[i][1] = "good";
    refused_cases[i] = (LoaderCase) { { refused_dirs[i] }, NULL, body_refused, &refused[i] };
    g_test_add_data_func (path, &refused_cases[i], run_case);
  }

  g_test_add_data_func ("/loader/dup-key/file-order", &case_dup_key, run_case);
  g_test_add_data_func ("/loader/dup-key/directory-order", &case_dup_key_dir_order, run_case);

  g_test_add_data_func ("/loader/trust/world-writable-file", &case_trust_world_writable_file, run_case);
  g_test_add_data_func ("/loader/trust/other-writable-file", &case_trust_other_writable_file, run_case);
  g_test_add_data_func ("/loader/trust/group-writable-file", &case_trust_group_writable_file, run_case);
  g_test_add_data_func ("/loader/trust/setuid-file", &case_trust_setuid_file, run_case);
  g_test_add_data_func ("/loader/trust/not-regular", &case_trust_not_regular, run_case);
  g_test_add_data_func ("/loader/trust/group-writable-dir", &case_trust_group_writable_dir, run_case);
  g_test_add_data_func ("/loader/trust/world-writable-dir", &case_trust_world_writable_dir, run_case);
  g_test_add_data_func ("/loader/trust/other-writable-dir", &case_trust_other_writable_dir, run_case);
  g_test_add_data_func ("/loader/trust/sticky-world-writable-dir",
                        geteuid () == 0 ? &case_trust_sticky_dir : &case_trust_sticky_dir_user, run_case);
  g_test_add_data_func ("/loader/trust/foreign-owner", &case_foreign_owner, run_case);
  g_test_add_data_func ("/loader/trust/file-names", &case_file_names, run_case);

  g_test_add_data_func ("/loader/search/relative-dir", &case_relative_dir, run_case);
  g_test_add_data_func ("/loader/search/first-dir-wins", &case_first_dir_wins, run_case);
  g_test_add_data_func ("/loader/search/refused-shadows", &case_refused_shadows, run_case);
  g_test_add_data_func ("/loader/search/environment", &case_environment_path, run_case);

  g_test_add_data_func ("/loader/disable/option", &case_disable_option, run_case);
  g_test_add_data_func ("/loader/disable/environment", &case_disable_environment, run_case);
  g_test_add_data_func ("/loader/disable/not-opened", &case_disable_unopened, run_case);

  g_test_add_data_func ("/loader/net-ipvlan/active", &case_ipvlan_active, run_case);
  g_test_add_data_func ("/loader/net-ipvlan/not-installed", &case_ipvlan_not_installed, run_case);
  g_test_add_data_func ("/loader/net-ipvlan/failed", &case_ipvlan_failed, run_case);

  g_test_add_data_func ("/loader/example-hello", &case_example, run_case);
  g_test_add_data_func ("/loader/extensions/derivation", &case_derivation, run_case);
  g_test_add_data_func ("/loader/everything", &case_everything, run_case);

  return g_test_run ();
}
