/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Cove plugin SDK: the only header a plugin includes. Everything here is ABI:
 * structs only grow at the end (each starts with struct_size), enums are append-only,
 * and every addition bumps COVE_PLUGIN_ABI_MINOR. See docs/plugin-authoring.md.
 */
#pragma once

#include <gmodule.h>
#include "cove.h"

#define __COVE_H_INSIDE__
#include "cove-config.h"
#include "cove-hooks.h"
#undef __COVE_H_INSIDE__

G_BEGIN_DECLS

#define COVE_PLUGIN_ABI_MAJOR 1
#define COVE_PLUGIN_ABI_MINOR 0

typedef struct _CovePlugin CovePlugin;

/**
 * CovePluginDesc:
 *
 * The one symbol a plugin exports (`cove_plugin_desc`), filled by COVE_PLUGIN_DEFINE().
 * The loader validates it before it runs any of the plugin's code.
 */
typedef struct {
  guint16 abi_major;                 /* must equal the core's */
  guint16 abi_minor;                 /* must not exceed the core's */
  guint32 struct_size;               /* sizeof (CovePluginDesc) when the plugin was built */
  const char *name;                  /* must equal the file stem: "net-ipvlan" for net-ipvlan.so */
  const char *version;
  const char *license;               /* SPDX identifier */
  const char *summary;               /* one line */
  const char * const *extensions;    /* API extensions provided; NULL-terminated, may be NULL */
  gboolean (*init) (CovePlugin *plugin, GError **error);
  gpointer reserved[8];
} CovePluginDesc;

#define COVE_PLUGIN_DEFINE(name_, version_, license_, summary_, extensions_, init_)   \
  G_MODULE_EXPORT const CovePluginDesc cove_plugin_desc = {                          \
    .abi_major = COVE_PLUGIN_ABI_MAJOR,                                              \
    .abi_minor = COVE_PLUGIN_ABI_MINOR,                                              \
    .struct_size = sizeof (CovePluginDesc),                                          \
    .name = (name_),                                                                 \
    .version = (version_),                                                           \
    .license = (license_),                                                           \
    .summary = (summary_),                                                           \
    .extensions = (extensions_),                                                     \
    .init = (init_),                                                                 \
  }

/* ---- configuration keys ------------------------------------------------------------ */

typedef enum {
  COVE_KEY_SCOPE_GLOBAL,   /* lxc.<path> */
  COVE_KEY_SCOPE_NET,      /* lxc.net.<N>.<path>; the core parses N */
} CoveKeyScope;

typedef enum {
  COVE_KEY_STRING,
  COVE_KEY_BOOL,           /* 0 or 1 */
  COVE_KEY_UINT,           /* decimal, fits in guint64 */
  COVE_KEY_SIZE,           /* byte size: 4096, 4K, 1 MB, 2GiB (whole numbers, units of 1024); stored as a byte count */
  COVE_KEY_ENUM,           /* one of CoveKeySpec.values */
} CoveKeyType;

typedef enum {
  COVE_KEY_FLAGS_NONE = 0,
  COVE_KEY_REPEATABLE = 1 << 0,   /* each line adds a value; an empty value clears all */
  COVE_KEY_FAMILY = 1 << 1,       /* path is a prefix: lxc.<path>.<anything> */
} CoveKeyFlags;

/* Returns the canonical form of @value (stored, and returned by get), or NULL and sets @error. */
typedef char *(*CoveKeyNormalizeFunc) (const char *key, const char *value, GError **error);

typedef struct {
  guint32 struct_size;            /* sizeof (CoveKeySpec) */
  CoveKeyScope scope;
  const char *path;               /* relative to the scope: "ipvlan.mode", "console.size" */
  CoveKeyType type;
  CoveKeyFlags flags;
  const char * const *values;     /* COVE_KEY_ENUM: allowed values, NULL-terminated */
  const char *default_value;      /* documentation and cove_config_get_*(); may be NULL */
  const char *net_type;           /* COVE_KEY_SCOPE_NET: only for this lxc.net.N.type; NULL: any */
  const char *doc;                /* one line, shown by `cove keys` and in docs/config-keys.md */
  CoveKeyNormalizeFunc normalize; /* optional check beyond the type's own */
} CoveKeySpec;

COVE_API gboolean cove_plugin_add_key (CovePlugin *plugin, const CoveKeySpec *spec, GError **error);

/* ---- API extensions, net types, hooks, monitor commands ---------------------------- */

typedef struct {
  guint32 struct_size;            /* sizeof (CoveNetTypeOps) */
  /* monitor, after clone: the container's netns exists; create and move devices */
  gboolean (*setup_host)    (CoveHookContext *ctx, guint net_index, gpointer user_data, GError **error);
  /* container init, in its netns, before pivot_root */
  gboolean (*setup_child)   (CoveHookContext *ctx, guint net_index, gpointer user_data, GError **error);
  /* monitor, after the container stopped or a start failed; never fatal */
  void     (*teardown_host) (CoveHookContext *ctx, guint net_index, gpointer user_data);
} CoveNetTypeOps;

COVE_API gboolean cove_plugin_add_net_type (CovePlugin *plugin, const char *type,
                                            const CoveNetTypeOps *ops, gpointer user_data,
                                            GError **error);

/* Lower priority runs first for setup points, last for STOP and POST_STOP. */
COVE_API gboolean cove_plugin_add_hook (CovePlugin *plugin, CoveHookPoint point, int priority,
                                        CoveHookFunc func, gpointer user_data, GError **error);

typedef struct _CoveCommandContext CoveCommandContext;

/* Serves a named monitor command; returns the reply payload (floating refs are sunk). */
typedef GVariant *(*CoveCommandFunc) (CoveCommandContext *ctx, GVariant *args,
                                      gpointer user_data, GError **error);

COVE_API gboolean cove_plugin_add_command (CovePlugin *plugin, const char *name,
                                           CoveCommandFunc func, gpointer user_data,
                                           GError **error);

/* What a monitor command sees. The data getters return the registering plugin's data
 * (the same as its hooks' cove_hook_context_get_data / _get_container_data). */
COVE_API CoveConfig *cove_command_context_get_config         (CoveCommandContext *ctx);
COVE_API const char *cove_command_context_get_container_name (CoveCommandContext *ctx);
COVE_API CoveState   cove_command_context_get_state          (CoveCommandContext *ctx);
COVE_API pid_t       cove_command_context_get_init_pid       (CoveCommandContext *ctx);
COVE_API int         cove_command_context_get_init_pidfd     (CoveCommandContext *ctx);
COVE_API gpointer    cove_command_context_get_data           (CoveCommandContext *ctx);
COVE_API gpointer    cove_command_context_get_container_data (CoveCommandContext *ctx);
/* File descriptors that came with the request; steal one to keep it (-1 if none). */
COVE_API guint       cove_command_context_get_n_fds          (CoveCommandContext *ctx);
COVE_API int         cove_command_context_steal_fd           (CoveCommandContext *ctx, guint index);
/* Sends a duplicate of @fd with the reply; @fd stays the caller's. At most 4. */
COVE_API gboolean    cove_command_context_add_reply_fd       (CoveCommandContext *ctx, int fd,
                                                              GError **error);

COVE_API const char *cove_plugin_get_name (CovePlugin *plugin);

/* ---- errors ------------------------------------------------------------------------ */

/* Sets @error to G_IO_ERROR with the code the core gives @errsv (plugins need not link
 * GIO for it), message "<format …>: <strerror (errsv)>"; returns FALSE and leaves errno
 * set to @errsv. */
COVE_API gboolean cove_set_error_from_errno (GError **error, int errsv, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

G_END_DECLS
