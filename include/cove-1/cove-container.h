/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"
#include "cove-context.h"
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct _CoveContainer CoveContainer;

COVE_API CoveContainer *cove_container_new              (const char *name, const char *path, GError **error);
COVE_API CoveContainer *cove_container_new_with_context (CoveContext *context, const char *name,
                                                         const char *path, GError **error);
COVE_API CoveContainer *cove_container_ref   (CoveContainer *container);
COVE_API void           cove_container_unref (CoveContainer *container);

COVE_API const char *cove_container_get_name (CoveContainer *container);
COVE_API const char *cove_container_get_path (CoveContainer *container);
/* The file cove_container_load_config() loads when given NULL: <path>/<name>/config. */
COVE_API const char *cove_container_get_config_file (CoveContainer *container);

COVE_API gboolean cove_container_load_config       (CoveContainer *container, const char *file, GError **error);
COVE_API gboolean cove_container_set_config_item   (CoveContainer *container, const char *key,
                                                    const char *value, GError **error);
COVE_API char    *cove_container_get_config_item   (CoveContainer *container, const char *key, GError **error);
COVE_API gboolean cove_container_clear_config_item (CoveContainer *container, const char *key, GError **error);
COVE_API gboolean cove_container_save_config       (CoveContainer *container, const char *file, GError **error);
/* Cross-key checks that need the whole configuration (run by load_config and before a start). */
COVE_API gboolean cove_container_validate_config   (CoveContainer *container, GError **error);
/* Keys valid under @prefix for this container (LXC get_keys): NULL lists top-level names,
 * "lxc.net.N" the subkeys valid for that interface's type. */
COVE_API char   **cove_container_get_keys          (CoveContainer *container, const char *prefix, GError **error);

/* ---- lifecycle --------------------------------------------------------------------- */

typedef enum {
  COVE_STATE_STOPPED,
  COVE_STATE_STARTING,
  COVE_STATE_RUNNING,
  COVE_STATE_STOPPING,
  COVE_STATE_ABORTING,
  COVE_STATE_REBOOTING,
} CoveState;

#define COVE_STATE_MASK(state) (1u << (state))

typedef enum {
  COVE_START_FLAGS_NONE = 0,
  COVE_START_FOREGROUND = 1 << 0,   /* the monitor stays a child of the caller; start()
                                       returns when the container has stopped */
} CoveStartFlags;

COVE_API const char *cove_state_to_string   (CoveState state);
/* "RUNNING|STOPPED" → a mask of COVE_STATE_MASK() bits; unknown names are an error. */
COVE_API gboolean    cove_state_parse_mask  (const char *states, guint *mask, GError **error);

/* Timeouts are in seconds: 0 = do not wait, -1 = wait forever, >0 = wait at most that long. */
COVE_API gboolean  cove_container_start      (CoveContainer *container, CoveStartFlags flags,
                                              const char * const *argv, GError **error);
COVE_API CoveState cove_container_state      (CoveContainer *container);
COVE_API gboolean  cove_container_is_running (CoveContainer *container);
COVE_API gboolean  cove_container_wait       (CoveContainer *container, CoveState state,
                                              int timeout, GError **error);
COVE_API gboolean  cove_container_wait_mask  (CoveContainer *container, guint states,
                                              int timeout, CoveState *reached, GError **error);
COVE_API gboolean  cove_container_stop       (CoveContainer *container, GError **error);
COVE_API gboolean  cove_container_shutdown   (CoveContainer *container, int timeout, GError **error);
COVE_API gboolean  cove_container_reboot2    (CoveContainer *container, int timeout, GError **error);
COVE_API pid_t     cove_container_init_pid   (CoveContainer *container, GError **error);
COVE_API int       cove_container_init_pidfd (CoveContainer *container, GError **error);
/* Runs @argv as the container's payload to completion: its exit status, 128+N if killed
 * by signal N, or -1 with @error. */
COVE_API int       cove_container_execute    (CoveContainer *container, const char * const *argv,
                                              GError **error);
/* Runs @argv inside the running container's namespaces and root: exit status as above. */
COVE_API int       cove_container_attach_run_wait (CoveContainer *container,
                                                   const char * const *argv, GError **error);

/* A running container's network interfaces (loopback excepted). */
typedef struct {
  char *name;          /* in the container, e.g. "eth0" */
  char *host_name;     /* the host end of a veth, or NULL */
  char **addresses;    /* "192.0.2.10/24", "2001:db8::10/64" …; NULL-terminated */
  gpointer reserved[4];
} CoveInterface;

COVE_API void       cove_interface_free (CoveInterface *iface);
/* A GPtrArray of CoveInterface (it frees them); empty for lxc.net.N.type = none. */
COVE_API GPtrArray *cove_container_get_interfaces (CoveContainer *container, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoveContainer, cove_container_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoveInterface, cove_interface_free)

G_END_DECLS
