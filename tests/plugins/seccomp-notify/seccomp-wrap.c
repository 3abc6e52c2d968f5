/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-wrap CMD…: runs CMD under an allow-all seccomp filter (acceptance check C7.3:
 * the runtime itself starts already confined). As root no no_new_privs is needed, and
 * none is set, so that it does not leak into the containers started below.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sock_filter allow[] = { BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
  struct sock_fprog prog = { .len = 1, .filter = allow };

  if (argc < 2) {
    fprintf (stderr, "usage: seccomp-wrap CMD [ARG…]\n");
    return 125;
  }
  if (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
    fprintf (stderr, "seccomp-wrap: PR_SET_SECCOMP: %s\n", strerror (errno));
    return 125;
  }
  execvp (argv[1], argv + 1);
  fprintf (stderr, "seccomp-wrap: %s: %s\n", argv[1], strerror (errno));
  return 127;
}
