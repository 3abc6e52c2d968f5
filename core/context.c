/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CoveContext: the registry of one set of plugins, and the library-wide calls. */
#define COVE_LOG_CATEGORY "context"
#include "cove-private.h"

#include <string.h>

static void
add_list (GStrvBuilder *builder, const char *list, const char *separators)
{
  g_auto(GStrv) parts = g_strsplit_set (list, separators, -1);

  for (char **p = parts; *p; p++) {
    g_strstrip (*p);
    if (**p != '\0')
      g_strv_builder_add (builder, *p);
  }
}

CoveContext *
cove_context_new (const CoveContextOptions *options, GError **error)
{
  g_autoptr(CoveContext) context = g_new0 (CoveContext, 1);
  g_autoptr(GStrvBuilder) path = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) disabled = g_strv_builder_new ();
  CoveContextFlags flags = COVE_CONTEXT_FLAGS_NONE;
  CoveStaging core;
  const char *env;
  gboolean ok;

  context->ref_count = 1;
  if (options != NULL) {
    if (options->struct_size < sizeof (CoveContextOptions)) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                   "CoveContextOptions.struct_size must be sizeof (CoveContextOptions)");
      return NULL;
    }
    for (const char *const *p = options->plugin_path; p && *p; p++) {
      if (!g_path_is_absolute (*p)) {
        g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                     "plugin directory \"%s\" is not an absolute path", *p);
        return NULL;
      }
      g_strv_builder_add (path, *p);
    }
    if (options->disable)
      g_strv_builder_addv (disabled, (const char **) options->disable);
    flags = options->flags;
  }
  if (!(flags & COVE_CONTEXT_NO_ENVIRONMENT)) {
    /* secure_getenv: a setuid or file-capability helper never takes plugins from the caller */
    if ((env = cove_secure_getenv ("COVE_PLUGIN_PATH")) != NULL)
      add_list (path, env, ":");
    if ((env = cove_secure_getenv ("COVE_PLUGINS_DISABLE")) != NULL)
      add_list (disabled, env, ",");
  }
  if (!(flags & COVE_CONTEXT_NO_DEFAULT_PATH))
    g_strv_builder_add (path, COVE_PLUGINSDIR);

  context->registry = cove_registry_new ();
  context->plugins = g_ptr_array_new_with_free_func ((GDestroyNotify) cove_plugin_free);
  context->search_path = g_strv_builder_end (path);
  context->disabled = g_strv_builder_end (disabled);

  cove_staging_init (&core, "core");
  ok = cove_core_register (&core, error) && cove_registry_commit (context->registry, &core, error);
  cove_staging_clear (&core);
  if (!ok)
    return NULL;

  cove_plugin_loader_run (context);
  return g_steal_pointer (&context);
}

CoveContext *
cove_context_get_default (void)
{
  static CoveContext *default_context;

  if (g_once_init_enter (&default_context)) {
    g_autoptr(GError) error = NULL;
    CoveContext *context = cove_context_new (NULL, &error);
    /* without options, only a broken core registration can fail */
    if (context == NULL)
      g_error ("cove: cannot create the default context: %s", error->message);
    g_once_init_leave (&default_context, context);
  }
  return default_context;
}

CoveContext *
cove_context_ref (CoveContext *context)
{
  g_return_val_if_fail (context != NULL, NULL);
  g_atomic_int_inc (&context->ref_count);
  return context;
}

void
cove_context_unref (CoveContext *context)
{
  if (context == NULL || !g_atomic_int_dec_and_test (&context->ref_count))
    return;
  /* plugin modules stay resident; only our records go */
  g_clear_pointer (&context->plugin_infos, g_ptr_array_unref);
  g_clear_pointer (&context->plugins, g_ptr_array_unref);
  g_clear_pointer (&context->registry, cove_registry_free);
  g_strfreev (context->search_path);
  g_strfreev (context->disabled);
  g_free (context);
}

CovePlugin *
cove_context_find_plugin (CoveContext *context, const char *name)
{
  for (guint i = 0; context->plugins && i < context->plugins->len; i++) {
    CovePlugin *plugin = context->plugins->pdata[i];
    if (g_str_equal (plugin->info.name, name))
      return plugin;
  }
  return NULL;
}

gboolean
cove_context_has_api_extension (CoveContext *context, const char *extension)
{
  g_return_val_if_fail (context != NULL, FALSE);
  if (extension == NULL)
    return TRUE;   /* LXC: the NULL extension is always present */
  return g_hash_table_contains (context->registry->extensions, extension);
}

char **
cove_context_list_api_extensions (CoveContext *context)
{
  g_return_val_if_fail (context != NULL, NULL);
  return g_strdupv ((char **) context->registry->extension_list->pdata);
}

gboolean
cove_context_config_item_is_supported (CoveContext *context, const char *key)
{
  CoveKeyRef ref;

  g_return_val_if_fail (context != NULL, FALSE);
  if (key == NULL)
    return FALSE;
  /* the full grammar: lxc.net.<N>.<registered net key>, families, exact global keys */
  return cove_key_parse (context, key, &ref, NULL);
}

char **
cove_context_list_keys (CoveContext *context, const char *prefix)
{
  GPtrArray *keys = context->registry->keys;
  GStrvBuilder *builder = g_strv_builder_new ();
  char **names;

  for (guint i = 0; i < keys->len; i++) {
    CoveKey *key = keys->pdata[i];
    if (prefix == NULL || g_str_has_prefix (key->display, prefix))
      g_strv_builder_add (builder, key->display);
  }
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return names;
}

const CovePluginInfo * const *
cove_context_list_plugins (CoveContext *context, guint *n_plugins)
{
  g_return_val_if_fail (context != NULL, NULL);
  if (context->plugin_infos == NULL || context->plugin_infos->len != context->plugins->len) {
    g_clear_pointer (&context->plugin_infos, g_ptr_array_unref);
    context->plugin_infos = g_ptr_array_new_null_terminated (context->plugins->len + 1, NULL, TRUE);
    for (guint i = 0; i < context->plugins->len; i++)
      g_ptr_array_add (context->plugin_infos, &((CovePlugin *) context->plugins->pdata[i])->info);
  }
  if (n_plugins)
    *n_plugins = context->plugin_infos->len;
  return (const CovePluginInfo * const *) context->plugin_infos->pdata;
}

static const char *const empty_strv[] = { NULL };

const char *cove_plugin_info_get_name (const CovePluginInfo *info) { return info->name; }
const char *cove_plugin_info_get_version (const CovePluginInfo *info) { return info->version; }
const char *cove_plugin_info_get_summary (const CovePluginInfo *info) { return info->summary; }
const char *cove_plugin_info_get_file (const CovePluginInfo *info) { return info->file; }
CovePluginState cove_plugin_info_get_state (const CovePluginInfo *info) { return info->state; }
const char *cove_plugin_info_get_reason (const CovePluginInfo *info) { return info->reason; }

const char * const *
cove_plugin_info_get_extensions (const CovePluginInfo *info)
{
  return info->extensions ? (const char * const *) info->extensions : empty_strv;
}

const char * const *
cove_plugin_info_get_keys (const CovePluginInfo *info)
{
  return info->keys ? (const char * const *) info->keys : empty_strv;
}

const char *
cove_plugin_state_to_string (CovePluginState state)
{
  switch (state) {
  case COVE_PLUGIN_STATE_ACTIVE: return "ACTIVE";
  case COVE_PLUGIN_STATE_UNAVAILABLE: return "UNAVAILABLE";
  case COVE_PLUGIN_STATE_FAILED: return "FAILED";
  case COVE_PLUGIN_STATE_DISABLED: return "DISABLED";
  }
  return "UNKNOWN";
}

gboolean
cove_has_api_extension (const char *extension)
{
  return cove_context_has_api_extension (cove_context_get_default (), extension);
}

gboolean
cove_config_item_is_supported (const char *key)
{
  return cove_context_config_item_is_supported (cove_context_get_default (), key);
}

char **
cove_list_api_extensions (void)
{
  return cove_context_list_api_extensions (cove_context_get_default ());
}
