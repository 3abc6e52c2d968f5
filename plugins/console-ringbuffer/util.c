/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Errors of failed system calls, as the core reports them. */
#include "console.h"

#include <errno.h>

gboolean
console_throw_errno (GError **error, const char *format, ...)
{
  int errsv = errno;
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  return cove_set_error_from_errno (error, errsv, "%s", what);
}
