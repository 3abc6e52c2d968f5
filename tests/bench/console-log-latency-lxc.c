/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmark helper, LXC's side of console-log-latency.c: the latency of LXC 5.0's
 * c->console_log() reading a full ring, filled and waited for the same way.
 *   console-log-latency-lxc LXCPATH NAME LOGFILE RING_BYTES ROUNDS
 */
#include <errno.h>
#include <lxc/lxccontainer.h>
#include <lxc/attach_options.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double
now_us (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static unsigned long long
size_of (const char *file)
{
  struct stat st;
  return stat (file, &st) == 0 ? (unsigned long long) st.st_size : 0;
}

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  struct lxc_container *c;
  lxc_attach_options_t options = LXC_ATTACH_OPTIONS_DEFAULT;
  unsigned long long ring;
  char fill[256];
  double *t;
  int rounds;

  if (argc != 6)
    return 2;
  ring = strtoull (argv[4], NULL, 10);
  rounds = atoi (argv[5]);
  t = calloc (rounds, sizeof *t);
  c = lxc_container_new (argv[2], argv[1]);
  if (c == NULL || !c->is_running (c))
    return 1;
  snprintf (fill, sizeof fill, "head -c %llu /dev/zero | tr '\\0' x > /dev/console", ring);
  for (;;) {
    uint64_t max = 0;
    struct lxc_console_log log = { .read = true, .read_max = &max };
    if (c->console_log (c, &log) < 0)
      break;
    free (log.data);
  }
  for (int i = 0; i < rounds; i++) {
    char *args[] = { "/bin/sh", "-c", fill, NULL };
    unsigned long long target = size_of (argv[3]) + ring;
    uint64_t max = 0;
    struct lxc_console_log log = { .read = true, .read_max = &max };
    double t0;
    int ret;

    if (c->attach_run_wait (c, &options, "/bin/sh", (const char *const *) args) != 0)
      return 1;
    while (size_of (argv[3]) < target)
      usleep (200);
    t0 = now_us ();
    ret = c->console_log (c, &log);
    t[i] = now_us () - t0;
    if (ret < 0 || max != ring) {
      fprintf (stderr, "console_log: %d, %llu bytes\n", ret, (unsigned long long) max);
      return 1;
    }
    free (log.data);
  }
  qsort (t, rounds, sizeof *t, cmp);
  printf ("lxc console_log, %-10llu n=%d  min %.0f  median %.0f  p90 %.0f  max %.0f us\n", ring,
          rounds, t[0], t[rounds / 2], t[rounds * 9 / 10], t[rounds - 1]);
  lxc_container_put (c);
  return 0;
}
