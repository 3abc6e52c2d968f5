/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lxc.console.logfile, written as the output arrives (never dumped from the ring).
 *
 * With lxc.console.size = N > 0 the file never exceeds N bytes: output fills it up to N,
 * then the file is renamed to <file>.1 (replacing an older one) and a new file starts
 * (lxc.console.rotate = 1), or the file is truncated to 0 (rotate = 0), and the rest of
 * the output goes to the new file. This is what LXC does while the container runs.
 * Unlike LXC, nothing is done to the file when the container stops or reboots: LXC then
 * rewrites it from the ring, and empties it when lxc.console.size is unset (spec §14,
 * item 5); in Cove the file simply keeps what was written.
 */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int
open_file (const char *path, GError **error)
{
  /* O_NONBLOCK so that a FIFO at this path cannot block the monitor in open() */
  int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
  struct stat st;

  if (fd < 0) {
    console_throw_errno (error, "lxc.console.logfile: open %s", path);
    return -1;
  }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "lxc.console.logfile: %s is not a regular file", path);
    close (fd);
    return -1;
  }
  fcntl (fd, F_SETFL, O_WRONLY | O_APPEND);
  return fd;
}

gboolean
console_logfile_open (ConsoleLogFile *log, const char *path, guint64 limit, gboolean rotate,
                      GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  struct stat st;

  log->fd = -1;
  if (g_mkdir_with_parents (dir, 0755) < 0)
    return console_throw_errno (error, "lxc.console.logfile: create %s", dir);
  log->fd = open_file (path, error);
  if (log->fd < 0)
    return FALSE;
  log->path = g_strdup (path);
  log->rotated = g_strconcat (path, ".1", NULL);
  log->limit = limit;
  log->rotate = rotate;
  log->size = fstat (log->fd, &st) == 0 ? (guint64) st.st_size : 0;
  return TRUE;
}

/* The file is full: start a new one. */
static void
restart (ConsoleLogFile *log)
{
  if (log->rotate) {
    g_autoptr(GError) error = NULL;
    int fd;

    if (rename (log->path, log->rotated) == 0 && (fd = open_file (log->path, &error)) >= 0) {
      close (log->fd);
      log->fd = fd;
      log->size = 0;
      return;
    }
    g_debug ("console log: rotate %s: %s; truncating it instead", log->path,
             error ? error->message : g_strerror (errno));
  }
  if (ftruncate (log->fd, 0) < 0)
    g_debug ("console log: truncate %s: %s", log->path, g_strerror (errno));
  log->size = 0;
}

void
console_logfile_write (ConsoleLogFile *log, const guint8 *data, gsize n)
{
  while (log->fd >= 0 && n > 0) {
    gsize chunk = n;
    ssize_t done;

    if (log->limit > 0) {
      if (log->size >= log->limit)
        restart (log);
      chunk = MIN (n, log->limit - log->size);
    }
    done = write (log->fd, data, chunk);
    if (done < 0 && errno == EINTR)
      continue;
    if (done <= 0) {
      g_debug ("console log: write %s: %s; dropping %zu bytes", log->path,
               done < 0 ? g_strerror (errno) : "nothing written", n);
      return;
    }
    log->size += done;
    data += done;
    n -= done;
  }
}

void
console_logfile_close (ConsoleLogFile *log)
{
  if (log->fd >= 0)
    close (log->fd);
  log->fd = -1;
  g_clear_pointer (&log->path, g_free);
  g_clear_pointer (&log->rotated, g_free);
}
