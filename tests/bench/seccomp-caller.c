/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmark helper (static: runs inside a busybox rootfs): the caller side of the seccomp
 * notification round trip. Its process runs under a filter with `getppid` → notify, and a
 * supervisor answers every getppid(2) with val 0, error 0. With -c, it first pins itself
 * to that CPU. Makes WARMUP = max (N / 10, 100) calls (the first one waits until the
 * supervisor has the listener), then REPS batches of N calls, one
 * clock read between consecutive calls (CLOCK_MONOTONIC, vDSO: not a syscall). Writes
 *   batch I mean_ns X p50_ns Y p90_ns Z p99_ns W        (one line per batch)
 *   result N REPS mean_ns X p50_ns Y p90_ns Z           (medians over the batches)
 * to OUT (or stdout). mean = batch time / N. Every call must return 0 — the supervisor's
 * answer, never the kernel's (a real getppid() returns a pid > 0) — else exit status 3.
 *   seccomp-caller [-c CPU] N REPS [OUT]
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
cmp_ll (const void *a, const void *b)
{
  long long x = *(const long long *) a, y = *(const long long *) b;

  return x < y ? -1 : x > y;
}

static int
cmp_d (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median_d (double *v, int n)
{
  qsort (v, n, sizeof *v, cmp_d);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main (int argc, char **argv)
{
  long n, reps, warmup, bad = 0;
  long long *lat, t0, t, prev;
  double *mean, *p50, *p90;
  FILE *out = stdout;

  if (argc > 2 && strcmp (argv[1], "-c") == 0) {
    cpu_set_t set;

    CPU_ZERO (&set);
    CPU_SET (atoi (argv[2]), &set);
    if (sched_setaffinity (0, sizeof set, &set) < 0) {
      perror ("seccomp-caller: pin");
      return 1;
    }
    argv += 2;
    argc -= 2;
  }
  if (argc != 3 && argc != 4)
    return 2;
  n = atol (argv[1]);
  reps = atol (argv[2]);
  if (n < 1 || reps < 1)
    return 2;
  warmup = n / 10 > 100 ? n / 10 : 100;
  lat = calloc (n, sizeof *lat);
  mean = calloc (reps, sizeof *mean);
  p50 = calloc (reps, sizeof *p50);
  p90 = calloc (reps, sizeof *p90);
  if (lat == NULL || mean == NULL || p50 == NULL || p90 == NULL)
    return 1;
  if (argc == 4 && (out = fopen (argv[3], "we")) == NULL)
    return 1;

  for (long i = 0; i < warmup; i++)
    if (syscall (SYS_getppid) != 0)
      bad++;
  for (long r = 0; r < reps; r++) {
    t0 = prev = now_ns ();
    for (long i = 0; i < n; i++) {
      if (syscall (SYS_getppid) != 0)
        bad++;
      t = now_ns ();
      lat[i] = t - prev;
      prev = t;
    }
    mean[r] = (double) (prev - t0) / n;
    qsort (lat, n, sizeof *lat, cmp_ll);
    p50[r] = lat[n / 2];
    p90[r] = lat[n * 9 / 10];
    fprintf (out, "batch %ld mean_ns %.1f p50_ns %.0f p90_ns %.0f p99_ns %lld\n", r, mean[r],
             p50[r], p90[r], lat[n * 99 / 100]);
  }
  fprintf (out, "result %ld %ld mean_ns %.1f p50_ns %.0f p90_ns %.0f\n", n, reps,
           median_d (mean, reps), median_d (p50, reps), median_d (p90, reps));
  if (bad > 0)
    fprintf (out, "error %ld calls did not return the supervisor's 0\n", bad);
  if (fclose (out) != 0)
    return 1;
  return bad > 0 ? 3 : 0;
}
