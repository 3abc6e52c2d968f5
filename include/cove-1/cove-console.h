/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"
#include "cove-container.h"

G_BEGIN_DECLS

/**
 * CoveConsoleLog:
 * @clear: in: after the read (if any), discard what is left in the ring
 * @read: in: return the oldest bytes of the ring, and consume them
 * @read_max: in: the most bytes to read (or, with neither @read nor @clear, to discard);
 *   0 = all. Out: the bytes read (or discarded); 0 on error
 * @data: out: with @read, the bytes, NUL-terminated (one byte more is allocated), free
 *   with g_free(); NULL otherwise and on error. Its previous value is overwritten, not freed
 *
 * LXC's struct lxc_console_log, with read_max a value instead of a pointer.
 */
typedef struct {
  gboolean clear;
  gboolean read;
  guint64 read_max;
  char *data;
} CoveConsoleLog;

/*
 * The container's console ring (API extension `console_log`, plugin console-ringbuffer;
 * without it COVE_ERROR_NOT_SUPPORTED naming both). Errors: COVE_ERROR_NO_DATA when @read
 * finds the ring empty; COVE_ERROR_INVALID_CONFIG when the container has no ring
 * (lxc.console.buffer.size unset or 0, or lxc.console.path = none);
 * COVE_ERROR_NOT_RUNNING when the container is not running; COVE_ERROR_INVALID_ARGUMENT
 * when @log is NULL.
 */
COVE_API gboolean cove_container_console_log (CoveContainer *container, CoveConsoleLog *log,
                                              GError **error);

/*
 * Attaches to the container's console (what `cove console` does): returns a stream socket
 * (the caller owns it) that carries the console's output as it arrives and takes the bytes
 * to type into it; it reads end-of-file when the container stops. One client at a time:
 * COVE_ERROR_BUSY while another is attached. Available iff `console_log` is.
 */
COVE_API int      cove_container_console_attach (CoveContainer *container, GError **error);
/* Sets the console's window size (the container's foreground processes get SIGWINCH). */
COVE_API gboolean cove_container_console_resize (CoveContainer *container, guint rows,
                                                 guint columns, GError **error);

G_END_DECLS
