/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cove-private.h"

#include <stdlib.h>
#include <string.h>
#include "io-error.h"

G_DEFINE_QUARK (cove-error-quark, cove_error)

static gboolean throw_errno_valist (GError **error, int errsv, const char *format, va_list args) G_GNUC_PRINTF (3, 0);

static gboolean
throw_errno_valist (GError **error, int errsv, const char *format, va_list args)
{
  g_autofree char *what = g_strdup_vprintf (format, args);

  g_set_error (error, COVE_IO_ERROR, cove_io_error_code (errsv), "%s: %s", what, g_strerror (errsv));
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
cove_set_error_from_errno (GError **error, int errsv, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  throw_errno_valist (error, errsv, format, args);
  va_end (args);
  return FALSE;
}

gboolean
cove_throw_invalid_config (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, message);
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
