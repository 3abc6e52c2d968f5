/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * G_IO_ERROR without linking GIO (loading libgio costs ~2 ms per process start, paid by
 * the caller and by every monitor): the same quark string, and GIOErrorEnum codes from
 * errno. Header-only, so that the core and the internal netlink library share it.
 */
#pragma once

#include <errno.h>
#include <glib.h>
#include <gio/gio.h>   /* GIOErrorEnum only: nothing here calls into GIO */

static inline GQuark
cove_io_error_domain (void)
{
  return g_quark_from_static_string ("g-io-error-quark");
}

static inline int
cove_io_error_code (int errsv)
{
  switch (errsv) {
  case EEXIST: return G_IO_ERROR_EXISTS;
  case EISDIR: return G_IO_ERROR_IS_DIRECTORY;
  case EACCES: case EPERM: return G_IO_ERROR_PERMISSION_DENIED;
  case ENAMETOOLONG: return G_IO_ERROR_FILENAME_TOO_LONG;
  case ENOENT: case ENODEV: case ESRCH: return G_IO_ERROR_NOT_FOUND;
  case ENOTDIR: return G_IO_ERROR_NOT_DIRECTORY;
  case ENXIO: return G_IO_ERROR_NOT_REGULAR_FILE;
  case EROFS: return G_IO_ERROR_READ_ONLY;
  case ELOOP: return G_IO_ERROR_TOO_MANY_LINKS;
  case ENOSPC: case EDQUOT: return G_IO_ERROR_NO_SPACE;
  case ENOMEM: return G_IO_ERROR_NO_SPACE;
  case EINVAL: case ERANGE: return G_IO_ERROR_INVALID_ARGUMENT;
  case EBUSY: return G_IO_ERROR_BUSY;
  case EAGAIN: return G_IO_ERROR_WOULD_BLOCK;
  case EMFILE: case ENFILE: return G_IO_ERROR_TOO_MANY_OPEN_FILES;
  case EADDRINUSE: return G_IO_ERROR_ADDRESS_IN_USE;
  case EHOSTUNREACH: return G_IO_ERROR_HOST_UNREACHABLE;
  case ENETUNREACH: return G_IO_ERROR_NETWORK_UNREACHABLE;
  case ECONNREFUSED: return G_IO_ERROR_CONNECTION_REFUSED;
  case EPIPE: return G_IO_ERROR_BROKEN_PIPE;
  case ECONNRESET: return G_IO_ERROR_CONNECTION_CLOSED;
  case ENOTCONN: return G_IO_ERROR_NOT_CONNECTED;
  case EMSGSIZE: return G_IO_ERROR_MESSAGE_TOO_LARGE;
  case ETIMEDOUT: return G_IO_ERROR_TIMED_OUT;
  case ENOTEMPTY: return G_IO_ERROR_NOT_EMPTY;
  case ENOTSUP: return G_IO_ERROR_NOT_SUPPORTED;
  case ECANCELED: return G_IO_ERROR_CANCELLED;
  default: return G_IO_ERROR_FAILED;
  }
}
