/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"
#include "cove-context.h"

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoveContainer, cove_container_unref)

G_END_DECLS
