/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-supervisor: answers the mknod(2)/mknodat(2) calls of a running container whose
 * seccomp profile has `mknod notify` and `mknodat notify` rules. It fetches the
 * container's listener with cove_container_seccomp_notify_fd() and decides each call by
 * its device number, which the kernel copied from the caller's registers and the caller
 * can no longer change:
 *
 *   - the harmless character devices (null, zero, full, random, urandom, tty) are
 *     allowed: the call continues in the kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE);
 *   - anything else fails with EPERM.
 *
 * The path is read from the caller's memory for the log line only: it could change after
 * the read, so it must never be the reason for a decision.
 *
 *   seccomp-supervisor [-P PATH] [-n COUNT] NAME
 *
 * -n COUNT: exit after COUNT answers (tests); otherwise run until the container stops.
 */
#include <cove.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static gboolean
device_is_harmless (mode_t mode, dev_t dev)
{
  static const struct { unsigned int major, minor; } allowed[] = {
    { 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 }, { 5, 0 },
  };

  if (!S_ISCHR (mode))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (allowed); i++)
    if (major (dev) == allowed[i].major && minor (dev) == allowed[i].minor)
      return TRUE;
  return FALSE;
}

/* The path argument, for the log only (see the top of the file). */
static char *
read_path (pid_t pid, guint64 address)
{
  char path[64], buf[4096];
  int fd;
  ssize_t n;

  g_snprintf (path, sizeof path, "/proc/%d/mem", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return g_strdup ("?");
  n = pread (fd, buf, sizeof buf - 1, (off_t) address);
  close (fd);
  if (n <= 0)
    return g_strdup ("?");
  buf[n] = '\0';
  return g_strdup (buf);
}

static void
answer (int listener, const struct seccomp_notif *req)
{
  struct seccomp_notif_resp resp = { .id = req->id };
  int nr = req->data.nr;
  guint64 path_arg, mode_arg, dev_arg;
  g_autofree char *path = NULL;
  gboolean allow;

  if (nr == __NR_mknodat) {
    path_arg = req->data.args[1];
    mode_arg = req->data.args[2];
    dev_arg = req->data.args[3];
  } else {
    path_arg = req->data.args[0];
    mode_arg = req->data.args[1];
    dev_arg = req->data.args[2];
  }
  allow = (nr == __NR_mknodat || nr == __NR_mknod) &&
          device_is_harmless ((mode_t) mode_arg, (dev_t) dev_arg);
  path = read_path (req->pid, path_arg);
  /* a path read from a task that is gone, or reused its pid, is worthless */
  if (ioctl (listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
    return;
  if (allow)
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  else
    resp.error = -EPERM;
  printf ("pid %d %s(\"%s\", 0%o, %u:%u) -> %s\n", (int) req->pid,
          nr == __NR_mknodat ? "mknodat" : nr == __NR_mknod ? "mknod" : "syscall", path,
          (unsigned int) mode_arg, major ((dev_t) dev_arg), minor ((dev_t) dev_arg),
          allow ? "allowed" : "EPERM");
  fflush (stdout);
  if (ioctl (listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
    perror ("seccomp-supervisor: SECCOMP_IOCTL_NOTIF_SEND");
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContainer) container = NULL;
  const char *lxcpath = NULL;
  struct seccomp_notif_sizes sizes;
  g_autofree struct seccomp_notif *req = NULL;
  long count = -1;
  int listener, opt;

  while ((opt = getopt (argc, argv, "P:n:h")) != -1) {
    switch (opt) {
    case 'P': lxcpath = optarg; break;
    case 'n': count = strtol (optarg, NULL, 10); break;
    default:
      fprintf (stderr, "usage: %s [-P PATH] [-n COUNT] NAME\n"
                       "Answers the mknod/mknodat notifications of container NAME: harmless "
                       "character devices are allowed, anything else fails with EPERM.\n", argv[0]);
      return opt == 'h' ? 0 : 2;
    }
  }
  if (optind != argc - 1) {
    fprintf (stderr, "usage: %s [-P PATH] [-n COUNT] NAME\n", argv[0]);
    return 2;
  }
  if (!cove_has_api_extension ("seccomp_notify")) {
    fprintf (stderr, "seccomp-supervisor: this Cove has no seccomp_notify (plugin seccomp-notify)\n");
    return 1;
  }
  container = cove_container_new (argv[optind], lxcpath, &error);
  if (container == NULL || (listener = cove_container_seccomp_notify_fd (container, &error)) < 0) {
    fprintf (stderr, "seccomp-supervisor: %s\n", error->message);
    return 1;
  }
  /* the kernel's struct may be larger than the one we were compiled with */
  if (syscall (SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
    perror ("seccomp-supervisor: SECCOMP_GET_NOTIF_SIZES");
    return 1;
  }
  req = g_malloc (MAX (sizes.seccomp_notif, sizeof *req));

  while (count != 0) {
    struct pollfd pfd = { .fd = listener, .events = POLLIN };

    if (poll (&pfd, 1, -1) < 0) {
      if (errno == EINTR)
        continue;
      perror ("seccomp-supervisor: poll");
      return 1;
    }
    if (pfd.revents & POLLHUP)
      break;   /* every task of the filter is gone: the container stopped */
    memset (req, 0, MAX (sizes.seccomp_notif, sizeof *req));
    if (ioctl (listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
      if (errno == EINTR || errno == ENOENT)
        continue;
      perror ("seccomp-supervisor: SECCOMP_IOCTL_NOTIF_RECV");
      return 1;
    }
    answer (listener, req);
    if (count > 0)
      count--;
  }
  close (listener);
  return 0;
}
