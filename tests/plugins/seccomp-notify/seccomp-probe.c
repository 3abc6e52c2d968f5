/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Runs inside test containers (linked statically: the busybox rootfs has no libc). Each
 * command exits with the errno of the call it makes (0: it succeeded), so that the test
 * sees exactly which answer the seccomp filter or its supervisor gave.
 *
 *   seccomp-probe mknod PATH MAJOR MINOR      mknodat(AT_FDCWD, PATH, S_IFCHR | 0600, dev)
 *   seccomp-probe open_by_handle_at           open_by_handle_at(-1, NULL, 0)
 *   seccomp-probe storm COUNT PATH ERRNO      COUNT mknodats that must all fail with ERRNO
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int
do_mknod (const char *path, unsigned int maj, unsigned int min)
{
  if (mknodat (AT_FDCWD, path, S_IFCHR | 0600, makedev (maj, min)) == 0)
    return 0;
  fprintf (stderr, "seccomp-probe: mknod %s: %s\n", path, strerror (errno));
  return errno;
}

int
main (int argc, char **argv)
{
  if (argc == 5 && strcmp (argv[1], "mknod") == 0)
    return do_mknod (argv[2], atoi (argv[3]), atoi (argv[4]));
  if (argc == 2 && strcmp (argv[1], "open_by_handle_at") == 0) {
    if (syscall (SYS_open_by_handle_at, -1, NULL, 0) >= 0)
      return 0;
    fprintf (stderr, "seccomp-probe: open_by_handle_at: %s\n", strerror (errno));
    return errno;
  }
  if (argc == 5 && strcmp (argv[1], "storm") == 0) {
    long count = atol (argv[2]), wrong = 0;
    int want = atoi (argv[4]);

    for (long i = 0; i < count; i++)
      if (mknodat (AT_FDCWD, argv[3], S_IFCHR | 0600, makedev (1, 3)) == 0 || errno != want)
        wrong++;
    printf ("seccomp-probe: %ld calls, %ld not failing with errno %d\n", count, wrong, want);
    return wrong == 0 ? 0 : 100;
  }
  fprintf (stderr, "usage: seccomp-probe mknod PATH MAJOR MINOR | open_by_handle_at | storm COUNT PATH ERRNO\n");
  return 125;
}
