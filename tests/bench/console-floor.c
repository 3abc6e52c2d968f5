/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmark helper, the kernel floor of console throughput: a plain pty pair whose master
 * a minimal reader drains (read(2) into one 64 KiB buffer, nothing else) while a child
 * runs WRITER SLAVE BYTES RESULT (console-writer) on the slave. Prints "reader BYTES
 * SECONDS" measured from the fork to the last byte read. With LOGFILE, every chunk read is
 * also appended to it (write(2) per read, like a runtime's console log), to separate the
 * cost of the log file from the runtime's own.
 *   console-floor WRITER BYTES RESULT [LOGFILE]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  static char buf[65536];
  struct timespec t0, t1;
  char slave[64];
  long long total, got = 0;
  int master, hold, status;
  unsigned int n;
  int unlock = 0;
  pid_t pid;

  int log = -1;

  if (argc != 4 && argc != 5)
    return 2;
  if (argc == 5 && (log = open (argv[4], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
    return 1;
  total = atoll (argv[2]);
  master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || ioctl (master, TIOCSPTLCK, &unlock) < 0 || ioctl (master, TIOCGPTN, &n) < 0)
    return 1;
  snprintf (slave, sizeof slave, "/dev/pts/%u", n);
  /* like the monitor: a slave fd held, so the master never reads EIO before the writer opens */
  hold = open (slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (hold < 0)
    return 1;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  pid = fork ();
  if (pid == 0) {
    execl (argv[1], argv[1], slave, argv[2], argv[3], (char *) NULL);
    _exit (127);
  }
  while (got < total) {
    ssize_t r = read (master, buf, sizeof buf);
    if (r <= 0)
      break;
    if (log >= 0 && write (log, buf, r) != r)
      return 1;
    got += r;
  }
  clock_gettime (CLOCK_MONOTONIC, &t1);
  waitpid (pid, &status, 0);
  fflush (stdout);
  printf ("reader %lld %.6f\n", got, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return got == total && WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : 1;
}
