/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Messages between libcove, the monitor and the container init: a 4-byte little-endian
 * length, then a serialized GVariant; file descriptors travel as SCM_RIGHTS with the
 * length. Replies are (bv): (true, payload) or (false, <(sis)> domain, code, message).
 */
#pragma once

#include "cove-private.h"

#define COVE_WIRE_REQUEST_MAX (64 * 1024)
#define COVE_WIRE_REPLY_MAX (64 * 1024 * 1024)
#define COVE_WIRE_FDS_MAX 8

gboolean  cove_wire_send (int fd, GVariant *message, const int *fds, guint n_fds, GError **error);
/* Blocks (at most @timeout_ms when >= 0) for one message; received fds go to @fds
 * (owned by the caller, may be NULL to close them). EOF is COVE_ERROR_NOT_RUNNING. */
GVariant *cove_wire_recv (int fd, const GVariantType *type, gsize max, GArray **fds,
                          int timeout_ms, GError **error);

GVariant *cove_wire_reply_ok (GVariant *payload);
GVariant *cove_wire_reply_error (const GError *error);
/* Unpacks a reply: TRUE and the payload, or FALSE with the error it carries. */
gboolean  cove_wire_reply_unpack (GVariant *reply, GVariant **payload, GError **error);

void      cove_wire_close_fds (GArray *fds);
