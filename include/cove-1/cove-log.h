/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"

G_BEGIN_DECLS

/**
 * CoveLogOptions:
 * @name: container name printed in every line (NULL: the container whose call logs)
 * @path: container path, used with @name to pick a default file when @file is NULL
 * @file: log file; "none" for no file; NULL for the default (see docs/logging.md)
 * @level: "TRACE" … "FATAL" (case-insensitive); NULL means "ERROR"
 * @prefix: first word of every line (at most 31 bytes are used); NULL means "cove"
 * @quiet: TRUE: nothing is written to stderr
 *
 * Options of cove_log_init(), LXC's struct lxc_log.
 */
typedef struct {
  const char *name;
  const char *path;
  const char *file;
  const char *level;
  const char *prefix;
  gboolean quiet;
} CoveLogOptions;

COVE_API gboolean cove_log_init  (const CoveLogOptions *options, GError **error);
COVE_API void     cove_log_close (void);

G_END_DECLS
