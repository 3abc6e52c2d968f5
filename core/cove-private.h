/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal declarations shared across core/ files; never installed. */
#pragma once

#define COVE_COMPILATION 1
#include <errno.h>
#include <unistd.h>
#include "cove-plugin.h"
#include "cove-build-config.h"

/* ---- fds and errors (util.c) ------------------------------------------------------- */

static inline void
cove_close_fdp (int *fd)
{
  if (*fd >= 0) {
    int saved = errno;
    close (*fd);
    errno = saved;
    *fd = -1;
  }
}
#define cove_autofd __attribute__((cleanup (cove_close_fdp))) int

/* G_IO_ERROR without linking GIO: see io-error.h */
#include "io-error.h"
#define COVE_IO_ERROR (cove_io_error_domain ())

/* Sets a G_IO_ERROR from errno: "<what>: <strerror>"; always returns FALSE. */
gboolean cove_throw_errno (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);
gboolean cove_throw_errno_code (GError **error, int errsv, const char *format, ...) G_GNUC_PRINTF (3, 4);
/* Sets COVE_ERROR_INVALID_CONFIG with a formatted message; always returns FALSE. */
gboolean cove_throw_invalid_config (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* A name usable as one path component: non-empty, no '/', not "." or "..", printable. */
gboolean cove_validate_name (const char *what, const char *name, GError **error);
const char *cove_secure_getenv (const char *name);
/* posix_spawn @argv with fds[i] as fd 3+i and nothing else open (spawn.c). */
gboolean cove_spawn_helper (const char * const *argv, const int *fds, guint n_fds,
                            gboolean inherit_stdin, pid_t *out_pid, GError **error);

/* ---- logging (log.c) --------------------------------------------------------------- */

typedef enum {
  COVE_LOG_TRACE, COVE_LOG_DEBUG, COVE_LOG_INFO, COVE_LOG_NOTICE, COVE_LOG_WARN,
  COVE_LOG_ERROR, COVE_LOG_CRIT, COVE_LOG_ALERT, COVE_LOG_FATAL, COVE_LOG_N_LEVELS
} CoveLogLevel;

/* Per-call target: the container whose API call logs (its lxc.log.file and level). */
typedef struct {
  const char *name;
  const char *path;    /* opened on first use, so reading a config creates no file */
  int fd;              /* -1: not open */
  gboolean open_failed;
  CoveLogLevel level;
} CoveLogTarget;

gboolean cove_log_level_parse (const char *text, CoveLogLevel *level, GError **error);
const char *cove_log_level_to_string (CoveLogLevel level);
void cove_log_push_target (CoveLogTarget *target);
void cove_log_pop_target (void);
void cove_log_full (CoveLogLevel level, const char *category, const char *file, int line,
                    const char *func, const char *format, ...) G_GNUC_PRINTF (6, 7);
int cove_log_open_file (const char *path, GError **error);

#define COVE_LOG_(lvl, ...) cove_log_full ((lvl), COVE_LOG_CATEGORY, __FILE__, __LINE__, G_STRFUNC, __VA_ARGS__)
#define cove_trace(...)  COVE_LOG_ (COVE_LOG_TRACE, __VA_ARGS__)
#define cove_debug(...)  COVE_LOG_ (COVE_LOG_DEBUG, __VA_ARGS__)
#define cove_info(...)   COVE_LOG_ (COVE_LOG_INFO, __VA_ARGS__)
#define cove_notice(...) COVE_LOG_ (COVE_LOG_NOTICE, __VA_ARGS__)
#define cove_warn(...)   COVE_LOG_ (COVE_LOG_WARN, __VA_ARGS__)
#define cove_error(...)  COVE_LOG_ (COVE_LOG_ERROR, __VA_ARGS__)

/* ---- keys and the registry (registry.c, keys.c, keys-core.c) ----------------------- */

typedef struct {
  CoveKeySpec spec;        /* strings point into resident plugin or core data */
  char *display;           /* "lxc.console.size", "lxc.net.N.ipvlan.mode", "lxc.cgroup2.*" */
  const char *owner;       /* "core" or the plugin name */
} CoveKey;

typedef struct {
  char *name;
  CoveNetTypeOps ops;
  gpointer user_data;
  const char *owner;
} CoveNetType;

typedef struct {
  CoveHookPoint point;
  int priority;
  CoveHookFunc func;
  gpointer user_data;
  CovePlugin *plugin;      /* NULL for the core */
  const char *owner;
  guint seq;               /* registration order, for stable ties */
} CoveHook;

typedef struct {
  char *name;
  CoveCommandFunc func;
  gpointer user_data;
  const char *owner;
  CovePlugin *plugin;
} CoveCommand;

typedef struct {
  GHashTable *global_keys;   /* path → CoveKey */
  GHashTable *net_keys;      /* path → CoveKey */
  GPtrArray *keys;           /* every CoveKey in registration order (owns them) */
  GHashTable *extensions;    /* name → owner */
  GPtrArray *extension_list; /* names in order */
  GHashTable *net_types;     /* name → CoveNetType */
  GHashTable *commands;      /* name → CoveCommand */
  GPtrArray *hooks[COVE_HOOK_N_POINTS];
  guint hook_seq;
} CoveRegistry;

CoveRegistry *cove_registry_new (void);
void cove_registry_free (CoveRegistry *registry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoveRegistry, cove_registry_free)

gboolean cove_key_spec_check (const CoveKeySpec *spec, GError **error);
CoveKey *cove_key_new (const CoveKeySpec *spec, const char *owner);
void cove_key_free (CoveKey *key);

/* Staged registrations of one component, committed all at once or not at all. */
typedef struct {
  const char *owner;     /* "core" or the plugin name; outlives the registry */
  GPtrArray *keys;       /* CoveKey */
  GPtrArray *extensions; /* char* */
  GPtrArray *net_types;  /* CoveNetType */
  GPtrArray *hooks;      /* CoveHook */
  GPtrArray *commands;   /* CoveCommand */
} CoveStaging;

void cove_staging_init (CoveStaging *staging, const char *owner);
void cove_staging_clear (CoveStaging *staging);
gboolean cove_registry_commit (CoveRegistry *registry, CoveStaging *staging, GError **error);

const CoveKey *cove_registry_lookup_key (CoveRegistry *registry, CoveKeyScope scope, const char *path);
const CoveNetType *cove_registry_lookup_net_type (CoveRegistry *registry, const char *name);
const CoveCommand *cove_registry_lookup_command (CoveRegistry *registry, const char *name);

gboolean cove_core_register (CoveStaging *staging, GError **error);
const char * const *cove_core_extensions (void);
/* Which first-party plugin provides keys under @path in @scope, or NULL. */
const char *cove_key_owner_hint (CoveKeyScope scope, const char *path);

/* A parsed key name. */
typedef enum {
  COVE_KEY_REF_KEY,      /* lxc.<path> or lxc.net.<N>.<path> */
  COVE_KEY_REF_NET_ALL,  /* lxc.net: only an empty value (clears every interface) */
  COVE_KEY_REF_NET_ONE,  /* lxc.net.<N>: only an empty value (clears that interface) */
} CoveKeyRefKind;

#define COVE_NET_INDEX_MAX 1023

typedef struct {
  CoveKeyRefKind kind;
  int net;                 /* -1 for global keys */
  const char *path;        /* points into the parsed name */
  const CoveKey *key;
} CoveKeyRef;

gboolean cove_key_parse (CoveContext *context, const char *name, CoveKeyRef *ref, GError **error);
char *cove_key_normalize_value (const CoveKey *key, const char *name, const char *value, GError **error);
gboolean cove_parse_byte_size (const char *text, guint64 *bytes, GError **error);

/* ---- context (context.c) ----------------------------------------------------------- */

struct _CovePluginInfo {
  char *name;
  char *version;
  char *summary;
  char *file;
  char *reason;
  CovePluginState state;
  GStrv extensions;
  GStrv keys;
};

struct _CovePlugin {
  CoveContext *context;    /* not a reference: the context owns its plugins */
  CovePluginInfo info;
  const CovePluginDesc *desc;
  GModule *module;
  CoveStaging staging;
  GError *staging_error;   /* the first add_* failure */
};

struct _CoveContext {
  gint ref_count;
  CoveRegistry *registry;
  GPtrArray *plugins;      /* CovePlugin, load order */
  GPtrArray *plugin_infos; /* const CovePluginInfo*, NULL-terminated view */
  GStrv search_path;
  GStrv disabled;
};

CovePlugin *cove_context_find_plugin (CoveContext *context, const char *name);

/* ---- plugin loader (plugin-loader.c) ----------------------------------------------- */

void cove_plugin_loader_run (CoveContext *context);
gboolean cove_plugin_file_is_trusted (const char *path, GError **error);
void cove_plugin_free (CovePlugin *plugin);
gboolean cove_plugin_stage_extension (CovePlugin *plugin, const char *name, GError **error);

/* ---- configuration (config.c, config-parse.c) -------------------------------------- */

CoveConfig *cove_config_new (CoveContext *context);
void cove_config_free (CoveConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoveConfig, cove_config_free)
CoveContext *cove_config_get_context (CoveConfig *config);

/* Sets one key; @origin is "file:line" or NULL (API). Errors name the key and the value. */
gboolean cove_config_set (CoveConfig *config, const char *name, const char *value,
                          const char *origin, GError **error);
char *cove_config_get (CoveConfig *config, const char *name, GError **error);
gboolean cove_config_clear (CoveConfig *config, const char *name, GError **error);
char *cove_config_to_data (CoveConfig *config);
gboolean cove_config_validate (CoveConfig *config, GError **error);
char **cove_config_list_keys (CoveConfig *config, const char *prefix, GError **error);

#define COVE_CONFIG_LINE_MAX 4096
#define COVE_CONFIG_FILE_MAX (16 * 1024 * 1024)
#define COVE_CONFIG_INCLUDE_DEPTH_MAX 32

/* Files being read ("dev:ino"), innermost last, for include loop detection. */
GPtrArray *cove_config_loading_stack (CoveConfig *config);
gboolean cove_config_load_file (CoveConfig *config, const char *file, GError **error);
gboolean cove_config_load_data (CoveConfig *config, const char *data, gsize len,
                                const char *origin_name, GError **error);

/* ---- hooks (hooks.c) --------------------------------------------------------------- */

struct _CoveHookContext {
  CoveHookPoint point;
  CoveConfig *config;
  const char *container_name;
  const char *container_path;
  const char *rootfs;
  pid_t init_pid;
  int init_pidfd;
  GMainContext *main_context;
  GHashTable *plugin_data;     /* CovePlugin* → HookData, per run */
  GHashTable *container_data;  /* CovePlugin* → HookData, the monitor's life; not owned */
  CovePlugin *current;
  int child_sync_fd;           /* child-side points: the socket to the monitor; else -1 */
  GHashTable *child_fds;       /* monitor: "plugin/tag" → fd sent by a child-side hook */
};

/* Per-plugin data tables (values freed with their destroy functions). */
GHashTable *cove_hook_data_table_new (void);
gpointer cove_hook_data_lookup (GHashTable *table, CovePlugin *plugin);

void cove_hook_context_init (CoveHookContext *ctx, CoveConfig *config, const char *container_name);
void cove_hook_context_clear (CoveHookContext *ctx);
/* The monitor's side of cove_hook_context_send_fd(): @key is "plugin/tag"; takes @fd. */
void cove_hook_context_add_child_fd (CoveHookContext *ctx, const char *key, int fd);
gboolean cove_hooks_run (CoveRegistry *registry, CoveHookContext *ctx, CoveHookPoint point, GError **error);

/* ---- containers (container.c) ------------------------------------------------------ */

CoveConfig *cove_container_get_config (CoveContainer *container);
CoveContext *cove_container_get_context (CoveContainer *container);

/* plugin-api.c: a plugin's monitor command for a typed public call; without the extension
 * (plugin absent, disabled or refused) COVE_ERROR_NOT_SUPPORTED names both. */
GVariant *cove_container_plugin_call (CoveContainer *container, const char *extension,
                                      const char *plugin, const char *command, GVariant *args,
                                      GArray **fds, int timeout_ms, GError **error);
gboolean cove_container_load_data (CoveContainer *container, const char *data, gsize len,
                                   const char *origin, GError **error);
/* Log through this container's lxc.log.file/level until pop (the monitor's whole life). */
void cove_container_push_log (CoveContainer *container);
void cove_container_pop_log (CoveContainer *container);
