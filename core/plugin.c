/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registration half of the plugin SDK: everything lands in the plugin's staging area. */
#define COVE_LOG_CATEGORY "plugin"
#include "cove-private.h"

#include <string.h>

/* Remembers the first failure so that the loader refuses the plugin even when init()
 * ignored the error of an add_* call. */
static gboolean
staging_failed (CovePlugin *plugin, GError **error, GError *local_error)
{
  if (plugin->staging_error == NULL)
    plugin->staging_error = g_error_copy (local_error);
  g_propagate_error (error, local_error);
  return FALSE;
}

static gboolean
check_name (const char *what, const char *name, gboolean allow_dash, GError **error)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64)
    goto bad;
  for (const char *p = name; *p; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_' || (allow_dash && *p == '-')))
      goto bad;
  return TRUE;
bad:
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
               "invalid %s name \"%s\" (lower-case letters, digits, '_'%s; at most 64)", what,
               name ? name : "(null)", allow_dash ? ", '-'" : "");
  return FALSE;
}

gboolean
cove_plugin_stage_extension (CovePlugin *plugin, const char *name, GError **error)
{
  GError *local_error = NULL;

  if (!check_name ("API extension", name, FALSE, &local_error))
    return staging_failed (plugin, error, local_error);
  g_ptr_array_add (plugin->staging.extensions, g_strdup (name));
  return TRUE;
}

gboolean
cove_plugin_add_key (CovePlugin *plugin, const CoveKeySpec *spec, GError **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (plugin != NULL, FALSE);
  if (!cove_key_spec_check (spec, &local_error))
    return staging_failed (plugin, error, local_error);
  g_ptr_array_add (plugin->staging.keys, cove_key_new (spec, plugin->info.name));
  return TRUE;
}

gboolean
cove_plugin_add_net_type (CovePlugin *plugin, const char *type, const CoveNetTypeOps *ops,
                          gpointer user_data, GError **error)
{
  GError *local_error = NULL;
  CoveNetType *net_type;

  g_return_val_if_fail (plugin != NULL, FALSE);
  if (!check_name ("net type", type, FALSE, &local_error))
    return staging_failed (plugin, error, local_error);
  if (ops == NULL || ops->struct_size < sizeof (CoveNetTypeOps) || ops->setup_host == NULL) {
    local_error = g_error_new (COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                               "net type %s: ops need struct_size and setup_host", type);
    return staging_failed (plugin, error, local_error);
  }
  net_type = g_new0 (CoveNetType, 1);
  net_type->name = g_strdup (type);
  net_type->ops = *ops;
  net_type->user_data = user_data;
  net_type->owner = plugin->info.name;
  g_ptr_array_add (plugin->staging.net_types, net_type);
  return TRUE;
}

gboolean
cove_plugin_add_hook (CovePlugin *plugin, CoveHookPoint point, int priority, CoveHookFunc func,
                      gpointer user_data, GError **error)
{
  GError *local_error = NULL;
  CoveHook *hook;

  g_return_val_if_fail (plugin != NULL, FALSE);
  if ((guint) point >= COVE_HOOK_N_POINTS || func == NULL) {
    local_error = g_error_new (COVE_ERROR, COVE_ERROR_NOT_SUPPORTED,
                               "hook point %d is not known to this core (or no function given)",
                               (int) point);
    return staging_failed (plugin, error, local_error);
  }
  hook = g_new0 (CoveHook, 1);
  hook->point = point;
  hook->priority = priority;
  hook->func = func;
  hook->user_data = user_data;
  hook->plugin = plugin;
  hook->owner = plugin->info.name;
  g_ptr_array_add (plugin->staging.hooks, hook);
  return TRUE;
}

gboolean
cove_plugin_add_command (CovePlugin *plugin, const char *name, CoveCommandFunc func,
                         gpointer user_data, GError **error)
{
  GError *local_error = NULL;
  CoveCommand *command;

  g_return_val_if_fail (plugin != NULL, FALSE);
  if (!check_name ("monitor command", name, TRUE, &local_error))
    return staging_failed (plugin, error, local_error);
  if (func == NULL) {
    local_error = g_error_new (COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                               "monitor command %s: no function given", name);
    return staging_failed (plugin, error, local_error);
  }
  command = g_new0 (CoveCommand, 1);
  command->name = g_strdup (name);
  command->func = func;
  command->user_data = user_data;
  command->owner = plugin->info.name;
  command->plugin = plugin;
  g_ptr_array_add (plugin->staging.commands, command);
  return TRUE;
}

const char *
cove_plugin_get_name (CovePlugin *plugin)
{
  g_return_val_if_fail (plugin != NULL, NULL);
  return plugin->info.name;
}
