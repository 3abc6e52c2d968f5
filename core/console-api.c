/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cove_container_console_log() and friends: the typed public API of the console-ringbuffer
 * plugin's monitor commands ("console-log", "console-attach", "console-resize"; see
 * plugins/console-ringbuffer/commands.c for the wire format). The bytes of a read arrive
 * in a sealed memfd sent with the reply: length bytes from offset, wrapping at its size.
 */
#define COVE_LOG_CATEGORY "console"
#include "cove-private.h"

#include <sys/mman.h>
#include <sys/stat.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define EXTENSION "console_log"
#define PLUGIN "console-ringbuffer"
#define CALL_TIMEOUT_MS (60 * 1000)

static void
close_fds (GArray *fds)
{
  if (fds == NULL)
    return;
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  g_array_unref (fds);
}

static GVariant *
call (CoveContainer *c, const char *command, GVariant *args, const char *type, GArray **fds,
      GError **error)
{
  GVariant *payload = cove_container_plugin_call (c, EXTENSION, PLUGIN, command, args, fds,
                                                  CALL_TIMEOUT_MS, error);

  if (payload != NULL && !g_variant_is_of_type (payload, G_VARIANT_TYPE (type))) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "%s: malformed reply of type %s", command,
                 g_variant_get_type_string (payload));
    g_clear_pointer (&payload, g_variant_unref);
  }
  if (payload == NULL && fds != NULL) {
    close_fds (*fds);
    *fds = NULL;
  }
  return payload;
}

static gboolean
pread_all (int fd, char *buf, guint64 len, guint64 offset, GError **error)
{
  guint64 done = 0;

  while (done < len) {
    ssize_t n = pread (fd, buf + done, len - done, offset + done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      cove_throw_errno (error, "console-log: read the reply's data");
      return FALSE;
    }
    done += n;
  }
  return TRUE;
}

/* Faults the pages of a large new buffer in with one call instead of one page fault per
 * page (on the project machine that halves the cost of reading a 1 MiB ring). */
static void
populate (char *buf, guint64 len)
{
  gsize page = sysconf (_SC_PAGESIZE);
  guintptr start = ((guintptr) buf + page - 1) & ~(guintptr) (page - 1);
  guintptr end = ((guintptr) buf + len) & ~(guintptr) (page - 1);

  if (len >= 64 * 1024 && end > start)
    madvise ((void *) start, end - start, MADV_POPULATE_WRITE);   /* Linux 5.14; best effort */
}

/* Reads @len bytes of the memfd from @offset, wrapping at its end, into a new
 * NUL-terminated buffer. */
static char *
read_snapshot (int fd, guint64 len, guint64 offset, GError **error)
{
  g_autofree char *data = NULL;
  struct stat st;
  guint64 size, first;

  if (fstat (fd, &st) < 0 || (size = st.st_size) < len || (offset > 0 && offset >= size) ||
      len > G_MAXSIZE - 1) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "console-log: the reply's data is incomplete");
    return NULL;
  }
  data = g_malloc (len + 1);
  populate (data, len);
  first = MIN (len, size - offset);
  if (!pread_all (fd, data, first, offset, error) || !pread_all (fd, data + first, len - first, 0, error))
    return NULL;
  data[len] = '\0';
  return g_steal_pointer (&data);
}

gboolean
cove_container_console_log (CoveContainer *c, CoveConsoleLog *log, GError **error)
{
  g_autoptr(GVariant) payload = NULL;
  GArray *fds = NULL;
  guint64 len, offset;

  g_return_val_if_fail (c != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (log == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "console_log: no CoveConsoleLog given");
    return FALSE;
  }
  log->data = NULL;
  payload = call (c, "console-log", g_variant_new ("(bbt)", log->clear, log->read, log->read_max),
                  "(tt)", &fds, error);
  if (payload == NULL) {
    log->read_max = 0;
    return FALSE;
  }
  g_variant_get (payload, "(tt)", &len, &offset);
  if (log->read && len > 0) {
    if (fds == NULL || fds->len != 1) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "console-log: the reply carries no data");
      close_fds (fds);
      log->read_max = 0;
      return FALSE;
    }
    log->data = read_snapshot (g_array_index (fds, int, 0), len, offset, error);
    if (log->data == NULL) {
      close_fds (fds);
      log->read_max = 0;
      return FALSE;
    }
  }
  close_fds (fds);
  log->read_max = len;
  return TRUE;
}

int
cove_container_console_attach (CoveContainer *c, GError **error)
{
  g_autoptr(GVariant) payload = NULL;
  GArray *fds = NULL;
  int fd;

  g_return_val_if_fail (c != NULL, -1);
  payload = call (c, "console-attach", NULL, "()", &fds, error);
  if (payload == NULL)
    return -1;
  if (fds == NULL || fds->len != 1) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "console-attach: the reply carries no socket");
    close_fds (fds);
    return -1;
  }
  fd = g_array_index (fds, int, 0);
  g_array_unref (fds);
  return fd;
}

gboolean
cove_container_console_resize (CoveContainer *c, guint rows, guint columns, GError **error)
{
  g_autoptr(GVariant) payload = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  if (rows > G_MAXUINT16 || columns > G_MAXUINT16) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "console window size %ux%u is out of range", rows, columns);
    return FALSE;
  }
  payload = call (c, "console-resize", g_variant_new ("(qq)", (guint16) rows, (guint16) columns),
                  "()", NULL, error);
  return payload != NULL;
}
