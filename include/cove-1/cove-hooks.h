/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"
#include "cove-config.h"
#include <sys/types.h>

G_BEGIN_DECLS

/**
 * CoveHookPoint:
 *
 * Where in a container's life a plugin hook runs; see docs/hooks.md. Append-only.
 */
typedef enum {
  COVE_HOOK_CONFIG_VALIDATE,   /* caller, after the whole config is known; no side effects */
  COVE_HOOK_PRE_START,         /* monitor, before clone */
  COVE_HOOK_NET_SETUP_HOST,    /* monitor, the child's netns exists */
  COVE_HOOK_NET_SETUP_CHILD,   /* child, in its netns, before pivot */
  COVE_HOOK_CHILD_PRE_PIVOT,
  COVE_HOOK_CHILD_POST_PIVOT,
  COVE_HOOK_CHILD_PRE_EXEC,    /* child, the last step before execve */
  COVE_HOOK_POST_START,        /* monitor, init runs */
  COVE_HOOK_STOP,              /* monitor, a stop was requested; never fatal */
  COVE_HOOK_POST_STOP,         /* monitor, the container is gone; never fatal */
  COVE_HOOK_REBOOT,            /* monitor, between teardown and the next PRE_START */
} CoveHookPoint;

#define COVE_HOOK_N_POINTS (COVE_HOOK_REBOOT + 1)

typedef struct _CoveHookContext CoveHookContext;

typedef gboolean (*CoveHookFunc) (CoveHookContext *ctx, gpointer user_data, GError **error);

COVE_API CoveHookPoint  cove_hook_context_get_point          (CoveHookContext *ctx);
COVE_API CoveConfig    *cove_hook_context_get_config         (CoveHookContext *ctx);
COVE_API const char    *cove_hook_context_get_container_name (CoveHookContext *ctx);
/* Per-run data of the calling plugin; @destroy runs when the run ends. */
COVE_API gpointer       cove_hook_context_get_data           (CoveHookContext *ctx);
COVE_API void           cove_hook_context_set_data           (CoveHookContext *ctx, gpointer data,
                                                              GDestroyNotify destroy);

/* Where the container lives: its container path (-P) and the host path of its rootfs
 * (NULL when lxc.rootfs.path is unset and the container shares the host's root). */
COVE_API const char    *cove_hook_context_get_container_path (CoveHookContext *ctx);
COVE_API const char    *cove_hook_context_get_rootfs         (CoveHookContext *ctx);
/* The init as the monitor sees it, from NET_SETUP_HOST on in monitor-side points; 0 and
 * -1 before the clone and in child-side points (where the init is the calling process). */
COVE_API pid_t          cove_hook_context_get_init_pid       (CoveHookContext *ctx);
COVE_API int            cove_hook_context_get_init_pidfd     (CoveHookContext *ctx);
/* The monitor's main context (single-threaded): add fd watches and timeouts here.
 * NULL outside the monitor (CONFIG_VALIDATE). */
COVE_API GMainContext  *cove_hook_context_get_main_context   (CoveHookContext *ctx);
/* Data of the calling plugin that lives as long as the monitor, across reboots (per-run
 * data ends with each run); @destroy runs when the monitor exits. */
COVE_API gpointer       cove_hook_context_get_container_data (CoveHookContext *ctx);
COVE_API void           cove_hook_context_set_container_data (CoveHookContext *ctx, gpointer data,
                                                              GDestroyNotify destroy);

/* Child-side points (NET_SETUP_CHILD to CHILD_PRE_EXEC): sends a duplicate of @fd to the
 * monitor under @tag (the caller keeps @fd). From POST_START on, the same plugin's
 * monitor-side hooks take it with cove_hook_context_take_child_fd(); fds nobody took are
 * closed when the run ends. */
COVE_API gboolean       cove_hook_context_send_fd            (CoveHookContext *ctx, const char *tag,
                                                              int fd, GError **error);
/* Monitor-side points: the fd this plugin's child-side hook sent under @tag, now owned
 * by the caller; -1 if none came. */
COVE_API int            cove_hook_context_take_child_fd      (CoveHookContext *ctx, const char *tag);

COVE_API const char    *cove_hook_point_to_string (CoveHookPoint point);

G_END_DECLS
