/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cove-private.h"

#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>   /* GIOErrorEnum only; nothing here calls into GIO */

G_DEFINE_QUARK (cove-error-quark, cove_error)

GQuark
cove_io_error_quark (void)
{
  return g_quark_from_static_string ("g-io-error-quark");
}

int
cove_io_error_from_errno (int errsv)
{
  switch (errsv) {
  case EEXIST: return G_IO_ERROR_EXISTS;
  case EISDIR: return G_IO_ERROR_IS_DIRECTORY;
  case EACCES: case EPERM: return G_IO_ERROR_PERMISSION_DENIED;
  case ENAMETOOLONG: return G_IO_ERROR_FILENAME_TOO_LONG;
  case ENOENT: return G_IO_ERROR_NOT_FOUND;
  case ENOTDIR: return G_IO_ERROR_NOT_DIRECTORY;
  case ENXIO: return G_IO_ERROR_NOT_REGULAR_FILE;
  case EROFS: return G_IO_ERROR_READ_ONLY;
  case ELOOP: return G_IO_ERROR_TOO_MANY_LINKS;
  case ENOSPC: case EDQUOT: return G_IO_ERROR_NO_SPACE;
  case ENOMEM: return G_IO_ERROR_NO_SPACE;
  case EINVAL: return G_IO_ERROR_INVALID_ARGUMENT;
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

static gboolean throw_errno_valist (GError **error, int errsv, const char *format, va_list args) G_GNUC_PRINTF (3, 0);

static gboolean
throw_errno_valist (GError **error, int errsv, const char *format, va_list args)
{
  g_autofree char *what = g_strdup_vprintf (format, args);

  g_set_error (error, COVE_IO_ERROR, cove_io_error_from_errno (errsv), "%s: %s", what, g_strerror (errsv));
  errno = errsv;
  return FALSE;
}

gboolean
cove_throw_errno (GError **error, const char *format, ...)
{
  int errsv = errno;
  va_list args;

  va_start (args, format);
  throw_errno_valist (error, errsv, format, args);
  va_end (args);
  return FALSE;
}

gboolean
cove_throw_errno_code (GError **error, int errsv, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  throw_errno_valist (error, errsv, format, args);
  va_end (args);
  return FALSE;
}

gboolean
cove_validate_name (const char *what, const char *name, GError **error)
{
  if (name == NULL || *name == '\0') {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "%s must not be empty", what);
    return FALSE;
  }
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0 || strchr (name, '/') != NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "invalid %s \"%s\": must not contain \"/\" or be \".\" or \"..\"", what, name);
    return FALSE;
  }
  if (strlen (name) > 255) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "invalid %s: longer than 255 bytes", what);
    return FALSE;
  }
  for (const char *p = name; *p; p++) {
    if (g_ascii_iscntrl (*p)) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                   "invalid %s: contains a control character", what);
      return FALSE;
    }
  }
  return TRUE;
}

const char *
cove_secure_getenv (const char *name)
{
  return secure_getenv (name);
}
