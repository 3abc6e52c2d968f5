/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"

G_BEGIN_DECLS

/**
 * CoveContext:
 *
 * The registry that knows the loaded plugins, the configuration keys and the API
 * extensions. The library-wide calls (cove_has_api_extension() …) use one default
 * context that loads plugins from the standard search path on first use; an embedder
 * that needs another plugin path or disable list creates its own.
 */
typedef struct _CoveContext CoveContext;
typedef struct _CovePluginInfo CovePluginInfo;

typedef enum {
  COVE_CONTEXT_FLAGS_NONE = 0,
  COVE_CONTEXT_NO_ENVIRONMENT = 1 << 0,   /* ignore COVE_PLUGIN_PATH / COVE_PLUGINS_DISABLE */
  COVE_CONTEXT_NO_DEFAULT_PATH = 1 << 1,  /* do not search the compiled-in plugin directory */
} CoveContextFlags;

typedef struct {
  gsize struct_size;                   /* sizeof (CoveContextOptions) */
  const char * const *plugin_path;     /* searched first, NULL-terminated */
  const char * const *disable;         /* plugin names not to load */
  CoveContextFlags flags;
} CoveContextOptions;

typedef enum {
  COVE_PLUGIN_STATE_ACTIVE,
  COVE_PLUGIN_STATE_UNAVAILABLE,  /* init said the system lacks something it needs */
  COVE_PLUGIN_STATE_FAILED,       /* refused or init failed: see the reason */
  COVE_PLUGIN_STATE_DISABLED,     /* disabled by policy */
} CovePluginState;

COVE_API CoveContext *cove_context_new  (const CoveContextOptions *options, GError **error);
COVE_API CoveContext *cove_context_get_default (void);
COVE_API CoveContext *cove_context_ref   (CoveContext *context);
COVE_API void         cove_context_unref (CoveContext *context);

COVE_API gboolean cove_context_has_api_extension        (CoveContext *context, const char *extension);
COVE_API char   **cove_context_list_api_extensions      (CoveContext *context);
COVE_API gboolean cove_context_config_item_is_supported (CoveContext *context, const char *key);
COVE_API char   **cove_context_list_keys                (CoveContext *context, const char *prefix);

/* Plugins, in load order, including refused ones; owned by the context. */
COVE_API const CovePluginInfo * const *cove_context_list_plugins (CoveContext *context, guint *n_plugins);

COVE_API const char        *cove_plugin_info_get_name       (const CovePluginInfo *info);
COVE_API const char        *cove_plugin_info_get_version    (const CovePluginInfo *info);
COVE_API const char        *cove_plugin_info_get_summary    (const CovePluginInfo *info);
COVE_API const char        *cove_plugin_info_get_file       (const CovePluginInfo *info);
COVE_API CovePluginState    cove_plugin_info_get_state      (const CovePluginInfo *info);
COVE_API const char        *cove_plugin_info_get_reason     (const CovePluginInfo *info);
COVE_API const char * const *cove_plugin_info_get_extensions (const CovePluginInfo *info);
COVE_API const char * const *cove_plugin_info_get_keys       (const CovePluginInfo *info);
COVE_API const char        *cove_plugin_state_to_string     (CovePluginState state);

/* Library-wide calls on the default context. */
COVE_API gboolean cove_has_api_extension        (const char *extension);
COVE_API gboolean cove_config_item_is_supported (const char *key);
COVE_API char   **cove_list_api_extensions      (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoveContext, cove_context_unref)

G_END_DECLS
