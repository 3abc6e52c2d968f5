/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Errors of failed system calls, as the core reports them. */
#include "console.h"

#include <errno.h>
#include <gio/gio.h>   /* GIOErrorEnum only; GIO is not linked */

static int
io_error_code (int errsv)
{
  switch (errsv) {
  case ENOENT: return G_IO_ERROR_NOT_FOUND;
  case EEXIST: return G_IO_ERROR_EXISTS;
  case EACCES: case EPERM: return G_IO_ERROR_PERMISSION_DENIED;
  case ENOSPC: case EDQUOT: return G_IO_ERROR_NO_SPACE;
  case EINVAL: return G_IO_ERROR_INVALID_ARGUMENT;
  case EBUSY: return G_IO_ERROR_BUSY;
  case ENOTDIR: return G_IO_ERROR_NOT_DIRECTORY;
  case EISDIR: return G_IO_ERROR_IS_DIRECTORY;
  case EOPNOTSUPP: return G_IO_ERROR_NOT_SUPPORTED;
  case EMFILE: return G_IO_ERROR_TOO_MANY_OPEN_FILES;
  default: return G_IO_ERROR_FAILED;
  }
}

gboolean
console_throw_errno (GError **error, const char *format, ...)
{
  int errsv = errno;
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  /* the quark string of G_IO_ERROR: the error crosses the command socket as such */
  g_set_error (error, g_quark_from_static_string ("g-io-error-quark"), io_error_code (errsv),
               "%s: %s", what, g_strerror (errsv));
  return FALSE;
}
