/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc readers shared by the root tests: open fds of a process (leak checks) and a field
 * of its status file.
 */
#pragma once

#include <glib.h>
#include <string.h>
#include <sys/types.h>

/* Entries of /proc/PID/fd. */
static G_GNUC_UNUSED guint
proc_fd_count (pid_t pid)
{
  g_autofree char *file = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (file, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The fd count of @pid at rest: the lowest count seen within @ms milliseconds, or as soon
 * as it is at or below @at_most. A monitor's count only falls while it closes the
 * connections of clients that just went away, so a single reading may count one of those;
 * pass @at_most 0 to take a baseline, the baseline to check for leaks. */
static G_GNUC_UNUSED guint
proc_fd_count_settled (pid_t pid, guint at_most, guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  guint best = proc_fd_count (pid);

  while (best > at_most && g_get_monotonic_time () < deadline) {
    g_usleep (10 * 1000);
    best = MIN (best, proc_fd_count (pid));
  }
  return best;
}

/* The value of @field ("Seccomp", "PPid" …) in /proc/PID/status without blanks; NULL if
 * the process or the field does not exist. */
static G_GNUC_UNUSED char *
proc_status_field (pid_t pid, const char *field)
{
  g_autofree char *file = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *line;

  if (!g_file_get_contents (file, &status, NULL, NULL) || (line = strstr (status, key)) == NULL)
    return NULL;
  line += strlen (key);
  return g_strstrip (g_strndup (line, strcspn (line, "\n")));
}
