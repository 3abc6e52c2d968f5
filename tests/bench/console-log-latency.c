/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmark helper: latency of cove_container_console_log() reading RING_BYTES, all the
 * ring holds (a full ring when RING_BYTES is lxc.console.buffer.size) (the
 * whole call: connect, request, the monitor's copy into a memfd, the reply, the client's
 * read into a new buffer). Before each read the container writes exactly one ring's worth
 * to /dev/console and the helper waits until the log file has grown by as much (the
 * monitor writes the ring and the log in the same step). Also times a "state" call, the
 * bare round trip of a command, for scale.
 *   console-log-latency PATH NAME LOGFILE RING_BYTES ROUNDS
 */
#include <cove.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static double
now_us (void)
{
  return g_get_monotonic_time ();
}

static guint64
size_of (const char *file)
{
  struct stat st;
  return stat (file, &st) == 0 ? (guint64) st.st_size : 0;
}

static int
cmp (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
report (const char *what, GArray *t)
{
  g_array_sort (t, cmp);
  printf ("%-36s n=%u  min %.0f  median %.0f  p90 %.0f  max %.0f us\n", what, t->len,
          g_array_index (t, double, 0), g_array_index (t, double, t->len / 2),
          g_array_index (t, double, t->len * 9 / 10), g_array_index (t, double, t->len - 1));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GArray) full = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) state = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *fill = NULL;
  guint64 ring;
  int rounds;

  if (argc != 6)
    return 2;
  ring = g_ascii_strtoull (argv[4], NULL, 10);
  rounds = atoi (argv[5]);
  c = cove_container_new (argv[2], argv[1], &error);
  if (c == NULL)
    g_error ("%s", error->message);
  fill = g_strdup_printf ("head -c %" G_GUINT64_FORMAT " /dev/zero | tr '\\0' x > /dev/console", ring);
  for (;;) {   /* start from an empty ring */
    CoveConsoleLog log = { .read = TRUE };
    if (!cove_container_console_log (c, &log, NULL))
      break;
    g_free (log.data);
  }
  for (int i = 0; i < rounds; i++) {
    CoveConsoleLog log = { .read = TRUE };
    guint64 target = size_of (argv[3]) + ring;
    double t0, t1;

    if (cove_container_attach_run_wait (c, (const char *const[]) { "/bin/sh", "-c", fill, NULL }, &error) != 0)
      g_error ("fill: %s", error ? error->message : "failed");
    while (size_of (argv[3]) < target)
      g_usleep (200);
    t0 = now_us ();
    if (!cove_container_console_log (c, &log, &error))
      g_error ("console_log: %s", error->message);
    t1 = now_us ();
    if (log.read_max != ring)
      g_error ("read %" G_GUINT64_FORMAT " bytes, expected %" G_GUINT64_FORMAT,
               log.read_max, ring);
    g_free (log.data);
    g_array_append_val (full, (double) { t1 - t0 });
    t0 = now_us ();
    cove_container_state (c);
    t1 = now_us ();
    g_array_append_val (state, (double) { t1 - t0 });
  }
  {
    g_autofree char *what = g_strdup_printf ("cove console_log, %" G_GUINT64_FORMAT " B", ring);
    report (what, full);
  }
  report ("cove state (round trip)", state);
  return 0;
}
