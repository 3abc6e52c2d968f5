/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"

G_BEGIN_DECLS

/**
 * CoveConfig:
 *
 * A container's configuration as plugins read it at hook time: values are already
 * validated and canonical. @net is the interface index for lxc.net.<N>.* keys, or -1 for
 * global keys; @path is the key relative to its scope ("ipvlan.mode", "console.size").
 * A key that is not set yields its registered default.
 */
typedef struct _CoveConfig CoveConfig;

COVE_API gboolean     cove_config_is_set     (CoveConfig *config, int net, const char *path);
COVE_API const char  *cove_config_get_string (CoveConfig *config, int net, const char *path);
COVE_API gboolean     cove_config_get_bool   (CoveConfig *config, int net, const char *path);
COVE_API guint64      cove_config_get_uint   (CoveConfig *config, int net, const char *path);
/* Repeatable keys: every value in order; NULL-terminated, owned by the config. */
COVE_API const char * const *cove_config_get_list (CoveConfig *config, int net, const char *path);
/* Where a key was set, for error messages: "file:line", or "set through the API". */
COVE_API const char  *cove_config_get_origin (CoveConfig *config, int net, const char *path);

/* Interfaces in index order: start with -1, stop at -1. */
COVE_API int          cove_config_next_net   (CoveConfig *config, int after);

G_END_DECLS
