/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmark helper (built static by console-bench.sh and copied into the container's
 * rootfs): writes BYTES bytes of 'x' (no newlines, so no ONLCR expansion) to PATH in
 * 64 KiB writes, then writes "BYTES SECONDS" measured around the writes to RESULT (a
 * file: stdout may be the console itself, depending on the runtime's stdio rules).
 *   console-writer PATH BYTES RESULT
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  static char buf[65536];
  struct timespec t0, t1;
  long long total, done = 0;
  FILE *result;
  int fd;

  if (argc != 4)
    return 2;
  total = atoll (argv[2]);
  memset (buf, 'x', sizeof buf);
  fd = open (argv[1], O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    perror (argv[1]);
    return 1;
  }
  clock_gettime (CLOCK_MONOTONIC, &t0);
  while (done < total) {
    size_t chunk = total - done < (long long) sizeof buf ? (size_t) (total - done) : sizeof buf;
    ssize_t n = write (fd, buf, chunk);
    if (n <= 0) {
      perror ("write");
      return 1;
    }
    done += n;
  }
  clock_gettime (CLOCK_MONOTONIC, &t1);
  result = fopen (argv[3], "w");
  if (result == NULL) {
    perror (argv[3]);
    return 1;
  }
  fprintf (result, "%lld %.6f\n", done, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return fclose (result) == 0 ? 0 : 1;
}
