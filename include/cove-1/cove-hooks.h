/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"
#include "cove-config.h"

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

COVE_API const char    *cove_hook_point_to_string (CoveHookPoint point);

G_END_DECLS
