/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finds, checks and loads plugins. Per file, in order: trust checks, dlopen (local
 * binding, immediate), descriptor checks, init() into a staging area, commit. Every
 * refusal is recorded with its reason; one bad plugin never stops the others.
 */
#define COVE_LOG_CATEGORY "plugin-loader"
#include "cove-private.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

static gboolean
check_owner_and_mode (const char *what, const char *path, const struct stat *st, GError **error)
{
  if (st->st_uid != 0 && st->st_uid != geteuid ()) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_LOAD,
                 "%s %s is owned by uid %u, neither root nor the current user", what, path,
                 (guint) st->st_uid);
    return FALSE;
  }
  if (st->st_mode & (S_IWGRP | S_IWOTH)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_LOAD, "%s %s is writable by %s", what, path,
                 (st->st_mode & S_IWOTH) ? "everyone" : "its group");
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_directory (const char *dir, GError **error)
{
  struct stat st;

  if (stat (dir, &st) < 0)
    return cove_throw_errno (error, "plugin directory %s", dir);
  if (!S_ISDIR (st.st_mode)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_LOAD, "%s is not a directory", dir);
    return FALSE;
  }
  if ((st.st_mode & S_IWOTH) && (st.st_mode & S_ISVTX) && st.st_uid == 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_LOAD,
                 "plugin directory %s is world-writable (like /tmp)", dir);
    return FALSE;
  }
  return check_owner_and_mode ("plugin directory", dir, &st, error);
}

/* Opens @path and checks the opened file, so that loading through /proc/self/fd/N
 * loads exactly what was checked. */
static int
open_trusted (const char *path, GError **error)
{
  cove_autofd fd = -1;
  struct stat st;

  if (!g_path_is_absolute (path)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_LOAD, "%s: plugin paths must be absolute", path);
    return -1;
  }
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    cove_throw_errno (error, "open %s", path);
    return -1;
  }
  if (fstat (fd, &st) < 0) {
    cove_throw_errno (error, "stat %s", path);
    return -1;
  }
  if (!S_ISREG (st.st_mode)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_LOAD, "%s is not a regular file", path);
    return -1;
  }
  if (st.st_mode & (S_ISUID | S_ISGID)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_LOAD, "%s is setuid or setgid", path);
    return -1;
  }
  if (!check_owner_and_mode ("plugin file", path, &st, error))
    return -1;
  return g_steal_fd (&fd);
}

gboolean
cove_plugin_file_is_trusted (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  cove_autofd fd = -1;

  if (!check_directory (dir, error))
    return FALSE;
  fd = open_trusted (path, error);
  return fd >= 0;
}

static gboolean
check_descriptor (const CovePluginDesc *desc, const char *stem, GError **error)
{
  if (desc->abi_major != COVE_PLUGIN_ABI_MAJOR) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_ABI,
                 "built for plugin ABI %u.%u, this core has ABI %d.%d", desc->abi_major,
                 desc->abi_minor, COVE_PLUGIN_ABI_MAJOR, COVE_PLUGIN_ABI_MINOR);
    return FALSE;
  }
  if (desc->abi_minor > COVE_PLUGIN_ABI_MINOR) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_ABI,
                 "needs plugin ABI %u.%u, this core has only %d.%d (update Cove)", desc->abi_major,
                 desc->abi_minor, COVE_PLUGIN_ABI_MAJOR, COVE_PLUGIN_ABI_MINOR);
    return FALSE;
  }
  if (desc->struct_size < sizeof (CovePluginDesc)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_ABI,
                 "descriptor is %u bytes, ABI %u.%u needs %zu", desc->struct_size, desc->abi_major,
                 desc->abi_minor, sizeof (CovePluginDesc));
    return FALSE;
  }
  if (desc->name == NULL || *desc->name == '\0' || desc->version == NULL || desc->init == NULL ||
      desc->summary == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_LOAD,
                 "descriptor lacks a name, version, summary or init function");
    return FALSE;
  }
  if (strcmp (desc->name, stem) != 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_LOAD,
                 "declares the name \"%s\", but its file is %s.so (they must match)", desc->name, stem);
    return FALSE;
  }
  return TRUE;
}

static void
refuse (CovePlugin *plugin, CovePluginState state, GError *error)
{
  plugin->info.state = state;
  plugin->info.reason = g_strdup (error->message);
  cove_debug ("plugin %s (%s): %s: %s", plugin->info.name, plugin->info.file,
              cove_plugin_state_to_string (state), error->message);
}

static char **
key_names (GPtrArray *keys)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **names;

  for (guint i = 0; i < keys->len; i++)
    g_strv_builder_add (builder, ((CoveKey *) keys->pdata[i])->display);
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return names;
}

/*
 * dlopen() and GModule both return an already loaded object when asked for the *name*
 * it was opened with, and that name is "/proc/self/fd/N". Were N closed and reused for
 * the next plugin file, that file would silently get the earlier plugin's module. So a
 * module, once opened, is never closed (whether or not it is then accepted), it is
 * opened through a dup of the checked fd that stays open for the life of the process,
 * and a file (device and inode) opened before is reused instead of opened again.
 */
G_LOCK_DEFINE_STATIC (opened_modules);
static GHashTable *opened_modules;   /* "dev:ino" → GModule */

static GModule *
open_module (int fd, GError **error)
{
  g_autofree char *id = NULL;
  GError *local_error = NULL;
  GModule *module;
  struct stat st;

  if (fstat (fd, &st) < 0) {
    cove_throw_errno (error, "stat");
    return NULL;
  }
  id = g_strdup_printf ("%ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
  G_LOCK (opened_modules);
  if (opened_modules == NULL)
    opened_modules = g_hash_table_new (g_str_hash, g_str_equal);
  module = g_hash_table_lookup (opened_modules, id);
  if (module == NULL) {
    int kept = fcntl (fd, F_DUPFD_CLOEXEC, 3);
    g_autofree char *proc_path = g_strdup_printf ("/proc/self/fd/%d", kept);

    if (kept < 0) {
      cove_throw_errno (error, "dup");
    } else if ((module = g_module_open_full (proc_path, G_MODULE_BIND_LOCAL, &local_error)) == NULL) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_LOAD, "cannot load: %s", local_error->message);
      g_error_free (local_error);
      close (kept);
    } else {
      g_module_make_resident (module);
      g_hash_table_insert (opened_modules, g_steal_pointer (&id), module);   /* @kept stays open */
    }
  }
  G_UNLOCK (opened_modules);
  return module;
}

/* Everything after the trust checks: returns the state, sets @error unless ACTIVE. */
static CovePluginState
load_checked (CoveContext *context, CovePlugin *plugin, int fd, GError **error)
{
  const CovePluginDesc *desc = NULL;
  GError *local_error = NULL;
  GModule *module;

  module = open_module (fd, error);
  if (module == NULL)
    return COVE_PLUGIN_STATE_FAILED;
  if (!g_module_symbol (module, "cove_plugin_desc", (gpointer *) &desc) || desc == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_LOAD,
                 "no cove_plugin_desc symbol: not a Cove plugin (use COVE_PLUGIN_DEFINE)");
    return COVE_PLUGIN_STATE_FAILED;
  }
  if (!check_descriptor (desc, plugin->info.name, error))
    return COVE_PLUGIN_STATE_FAILED;

  plugin->desc = desc;
  plugin->info.version = g_strdup (desc->version);
  plugin->info.summary = g_strdup (desc->summary);
  for (const char *const *e = desc->extensions; e && *e; e++) {
    if (!cove_plugin_stage_extension (plugin, *e, error))
      return COVE_PLUGIN_STATE_FAILED;
  }

  if (!desc->init (plugin, &local_error) || plugin->staging_error != NULL) {
    gboolean unavailable = local_error && g_error_matches (local_error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED);
    if (local_error == NULL && plugin->staging_error != NULL)
      local_error = g_error_copy (plugin->staging_error);
    if (local_error == NULL)
      local_error = g_error_new_literal (COVE_ERROR, COVE_ERROR_PLUGIN_LOAD,
                                         "failed without setting an error");
    g_propagate_prefixed_error (error, local_error, "init: ");
    return unavailable ? COVE_PLUGIN_STATE_UNAVAILABLE : COVE_PLUGIN_STATE_FAILED;
  }

  plugin->info.keys = key_names (plugin->staging.keys);
  plugin->info.extensions = g_strdupv ((char **) plugin->staging.extensions->pdata);
  if (!cove_registry_commit (context->registry, &plugin->staging, error)) {
    g_clear_pointer (&plugin->info.keys, g_strfreev);
    g_clear_pointer (&plugin->info.extensions, g_strfreev);
    return COVE_PLUGIN_STATE_FAILED;
  }
  plugin->module = module;
  return COVE_PLUGIN_STATE_ACTIVE;
}

static CovePlugin *
new_plugin_in (CoveContext *context, const char *name, const char *file)
{
  CovePlugin *plugin = g_new0 (CovePlugin, 1);

  plugin->context = context;
  plugin->info.name = g_strdup (name);
  plugin->info.file = g_strdup (file);
  plugin->info.state = COVE_PLUGIN_STATE_FAILED;
  cove_staging_init (&plugin->staging, plugin->info.name);
  g_ptr_array_add (context->plugins, plugin);
  return plugin;
}

void
cove_plugin_free (CovePlugin *plugin)
{
  if (plugin == NULL)
    return;
  g_free (plugin->info.name);
  g_free (plugin->info.version);
  g_free (plugin->info.summary);
  g_free (plugin->info.file);
  g_free (plugin->info.reason);
  g_strfreev (plugin->info.extensions);
  g_strfreev (plugin->info.keys);
  cove_staging_clear (&plugin->staging);
  g_clear_error (&plugin->staging_error);
  g_free (plugin);
}

static void
load_file (CoveContext *context, const char *path, const char *stem, GError *dir_error)
{
  CovePlugin *plugin;
  g_autoptr(GError) error = NULL;
  cove_autofd fd = -1;
  CovePluginState state;

  if (cove_context_find_plugin (context, stem) != NULL) {
    cove_debug ("plugin %s: %s is shadowed by an earlier directory", stem, path);
    return;
  }
  plugin = new_plugin_in (context, stem, path);
  if (g_strv_contains ((const char * const *) context->disabled, stem)) {
    plugin->info.state = COVE_PLUGIN_STATE_DISABLED;
    plugin->info.reason = g_strdup ("disabled by COVE_PLUGINS_DISABLE or the context options");
    return;
  }
  if (dir_error != NULL) {
    refuse (plugin, COVE_PLUGIN_STATE_FAILED, dir_error);
    return;
  }
  fd = open_trusted (path, &error);
  if (fd < 0) {
    refuse (plugin, COVE_PLUGIN_STATE_FAILED, error);
    return;
  }
  state = load_checked (context, plugin, fd, &error);
  if (state != COVE_PLUGIN_STATE_ACTIVE) {
    refuse (plugin, state, error);
    return;
  }
  plugin->info.state = COVE_PLUGIN_STATE_ACTIVE;
  cove_debug ("plugin %s %s loaded from %s", stem, plugin->info.version, path);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

static void
load_directory (CoveContext *context, const char *dir_path)
{
  g_autoptr(GError) dir_error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_path_is_absolute (dir_path)) {
    cove_warn ("plugin directory %s is not absolute, ignoring it", dir_path);
    return;
  }
  dir = g_dir_open (dir_path, 0, NULL);
  if (dir == NULL) {
    cove_debug ("plugin directory %s cannot be read, skipping it", dir_path);
    return;
  }
  check_directory (dir_path, &dir_error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".so") && strlen (name) > 3 && name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++) {
    const char *file = names->pdata[i];
    g_autofree char *stem = g_strndup (file, strlen (file) - 3);
    g_autofree char *path = g_build_filename (dir_path, file, NULL);
    load_file (context, path, stem, dir_error);
  }
}

void
cove_plugin_loader_run (CoveContext *context)
{
  for (char **dir = context->search_path; dir && *dir; dir++)
    load_directory (context, *dir);
}
