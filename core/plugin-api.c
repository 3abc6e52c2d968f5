/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The typed public API of plugin features (cove_container_console_log(), _mount() …) is a
 * thin layer over the providing plugin's monitor command; this is the shared part.
 */
#define COVE_LOG_CATEGORY "plugin-api"
#include "cove-private.h"
#include "rundir.h"

static void
not_supported (CoveContext *context, const char *extension, const char *plugin_name, GError **error)
{
  CovePlugin *plugin = cove_context_find_plugin (context, plugin_name);
  const char *why = "is not installed";
  g_autofree char *reason = NULL;

  if (plugin != NULL) {
    switch (plugin->info.state) {
    case COVE_PLUGIN_STATE_DISABLED:
      why = "is disabled";
      break;
    case COVE_PLUGIN_STATE_ACTIVE:
      why = "does not provide it";
      break;
    default:
      why = reason = g_strdup_printf ("is %s: %s",
                                      plugin->info.state == COVE_PLUGIN_STATE_FAILED ? "not loaded" : "unavailable",
                                      plugin->info.reason);
      break;
    }
  }
  g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED,
               "%s is not available: it needs plugin %s, which %s", extension, plugin_name, why);
}

GVariant *
cove_container_plugin_call (CoveContainer *c, const char *extension, const char *plugin,
                            const char *command, GVariant *args, GArray **fds, int timeout_ms,
                            GError **error)
{
  CoveContext *context = cove_container_get_context (c);

  if (!cove_context_has_api_extension (context, extension)) {
    if (args)
      g_variant_unref (g_variant_ref_sink (args));
    not_supported (context, extension, plugin, error);
    return NULL;
  }
  return cove_command_call (cove_container_get_path (c), cove_container_get_name (c), command,
                            args, fds, timeout_ms, error);
}
