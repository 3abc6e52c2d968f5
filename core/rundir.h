/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where a running container's monitor keeps its command socket and lock. */
#pragma once

#include "cove-private.h"

/* <rundir>/cove/<16 hex digits of FNV-1a-64 of "path/name"> */
char *cove_rundir_for (const char *path, const char *name);
char *cove_rundir_socket (const char *rundir);
gboolean cove_rundir_ensure (const char *rundir, GError **error);

/* Connects to a container's command socket; -1 with COVE_ERROR_NOT_RUNNING when no
 * monitor listens. */
int cove_command_connect (const char *path, const char *name, GError **error);
/* The same, given the socket's path (cove_rundir_socket()); @name is for the error. */
int cove_command_connect_socket (const char *socket_path, const char *name, GError **error);
/* One request/reply round trip on the connection @fd, the request carrying @send_fds
 * (duplicates; they stay the caller's); @timeout_ms -1 = no limit. */
GVariant *cove_command_call_on (int fd, const char *command, GVariant *args,
                                const int *send_fds, guint n_send_fds, GArray **fds,
                                int timeout_ms, GError **error);
/* One request/reply round trip on a new connection; @timeout_ms -1 = no limit. */
GVariant *cove_command_call (const char *path, const char *name, const char *command,
                             GVariant *args, GArray **fds, int timeout_ms, GError **error);

/* The monitor helper's path: COVE_MONITOR (secure_getenv) or the installed one. */
const char *cove_monitor_path (void);
