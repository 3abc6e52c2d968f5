/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmark helper, the floor of a seccomp user-notification round trip: no container, no
 * runtime. A forked child pins itself to CPU C, loads a minimal libseccomp filter (default
 * allow, getppid → SCMP_ACT_NOTIFY, native architecture only), sends its listener to the
 * parent over a socketpair and execs CALLER ARG… (seccomp-caller, which inherits the filter);
 * the parent, pinned to CPU S, answers every notification with val 0, error 0 in the
 * same loop as seccomp-fd-supervisor.c — poll(), SECCOMP_IOCTL_NOTIF_RECV,
 * SECCOMP_IOCTL_NOTIF_SEND — until the listener reports POLLHUP (the caller exited).
 * Prints "answered COUNT" and exits with the caller's status.
 *
 * With -r PROXY the parent is instead the floor of a proxy relay (what the monitor does for
 * lxc.seccomp.notify.proxy, in a plain blocking loop): each notification goes to the
 * SOCK_SEQPACKET proxy at PROXY in LXC's layout (header, notif, empty resp, no cookie) with
 * the three fds the monitor sends — /proc/<pid>, /proc/<pid>/mem (opened per notification)
 * and the listener — and the proxy's resp is sent to the kernel. -f sends the listener
 * three times instead of opening /proc files; -n sends no fds at all.
 *   seccomp-floor [-c C] [-s S] [-r PROXY [-f|-n]] CALLER [ARG...]   (defaults: C = 0, S = 1)
 */
#define _GNU_SOURCE
#include "seccomp-serve.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int
pin (int cpu)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  return sched_setaffinity (0, sizeof set, &set);
}

static int
send_fd (int sock, int fd)
{
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control = { 0 };
  char byte = 0;
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);

  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof fd);
  return sendmsg (sock, &msg, 0) == 1 ? 0 : -1;
}

static int
recv_fd (int sock)
{
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control = { 0 };
  char byte;
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg;
  int fd;

  if (recvmsg (sock, &msg, MSG_CMSG_CLOEXEC) != 1)
    return -1;
  cmsg = CMSG_FIRSTHDR (&msg);
  if (cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN (sizeof (int)))
    return -1;
  memcpy (&fd, CMSG_DATA (cmsg), sizeof fd);
  return fd;
}

/* The child: filter, listener to the parent, exec the caller. */
static void
child (int sock, int cpu, char **argv)
{
  scmp_filter_ctx ctx;
  int listener;

  if (pin (cpu) < 0) {
    perror ("seccomp-floor: pin the caller");
    _exit (1);
  }
  ctx = seccomp_init (SCMP_ACT_ALLOW);
  if (ctx == NULL || seccomp_rule_add (ctx, SCMP_ACT_NOTIFY, SCMP_SYS (getppid), 0) < 0 ||
      seccomp_load (ctx) < 0 || (listener = seccomp_notify_fd (ctx)) < 0) {
    fprintf (stderr, "seccomp-floor: cannot load the filter\n");
    _exit (1);
  }
  if (send_fd (sock, listener) < 0) {
    perror ("seccomp-floor: send the listener");
    _exit (1);
  }
  close (listener);
  close (sock);
  seccomp_release (ctx);
  execv (argv[0], argv);
  perror ("seccomp-floor: exec the caller");
  _exit (127);
}

enum { RELAY_PROC_FDS, RELAY_LISTENER_FDS, RELAY_NO_FDS };

/* LXC's struct seccomp_notify_proxy_msg */
struct proxy_header {
  uint64_t reserved;
  pid_t monitor_pid;
  pid_t init_pid;
  struct seccomp_notif_sizes sizes;
  uint64_t cookie_len;
};

/* Forwards @req to the proxy and fills @resp from its reply; -1 on error. */
static int
relay_one (int proxy, int mode, int listener, const struct seccomp_notif_sizes *sizes,
           const struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
  static unsigned char zero[256], reply[512];
  struct proxy_header header = { .monitor_pid = getpid (), .sizes = *sizes };
  struct iovec iov[3] = {
    { &header, sizeof header },
    { (void *) req, sizes->seccomp_notif },
    { zero, sizes->seccomp_notif_resp },
  };
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (3 * sizeof (int))];
  } control = { 0 };
  struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 3 };
  size_t reply_size = sizeof header + sizes->seccomp_notif + sizes->seccomp_notif_resp;
  int fds[3] = { listener, listener, listener };
  char path[64];
  ssize_t n;

  if (mode == RELAY_PROC_FDS) {
    snprintf (path, sizeof path, "/proc/%d", (int) req->pid);
    fds[0] = open (path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    fds[1] = fds[0] >= 0 ? openat (fds[0], "mem", O_RDWR | O_CLOEXEC) : -1;   /* as the monitor */
    if (fds[0] < 0 || fds[1] < 0)
      return -1;
  }
  if (mode != RELAY_NO_FDS) {
    struct cmsghdr *cmsg;

    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    cmsg = CMSG_FIRSTHDR (&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN (3 * sizeof (int));
    memcpy (CMSG_DATA (cmsg), fds, sizeof fds);
  }
  n = sendmsg (proxy, &msg, MSG_NOSIGNAL);
  if (mode == RELAY_PROC_FDS) {
    close (fds[0]);
    close (fds[1]);
  }
  if (n < 0 || reply_size > sizeof reply || recv (proxy, reply, sizeof reply, 0) != (ssize_t) reply_size)
    return -1;
  memcpy (resp, reply + sizeof header + sizes->seccomp_notif, sizeof *resp);
  resp->id = req->id;
  return 0;
}

typedef struct {
  int proxy;
  int mode;
} Relay;

static int
relay_notification (void *data, int listener, const struct seccomp_notif_sizes *sizes,
                    const struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
  Relay *relay = data;

  return relay_one (relay->proxy, relay->mode, listener, sizes, req, resp);
}

int
main (int argc, char **argv)
{
  int caller_cpu = 0, supervisor_cpu = 1;
  const char *proxy_path = NULL;
  int mode = RELAY_PROC_FDS, proxy = -1;
  int sv[2], listener, status, opt;
  long answered;
  pid_t pid;

  while ((opt = getopt (argc, argv, "+c:s:r:fn")) != -1) {
    switch (opt) {
    case 'c': caller_cpu = atoi (optarg); break;
    case 's': supervisor_cpu = atoi (optarg); break;
    case 'r': proxy_path = optarg; break;
    case 'f': mode = RELAY_LISTENER_FDS; break;
    case 'n': mode = RELAY_NO_FDS; break;
    default: return 2;
    }
  }
  if (argc - optind < 1) {
    fprintf (stderr, "usage: %s [-c CPU] [-s CPU] [-r PROXY [-f|-n]] CALLER [ARG...]\n", argv[0]);
    return 2;
  }
  if (proxy_path != NULL) {
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    if (strlen (proxy_path) >= sizeof sun.sun_path)
      return 2;
    strcpy (sun.sun_path, proxy_path);
    proxy = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (proxy < 0 || connect (proxy, (struct sockaddr *) &sun, sizeof sun) < 0) {
      perror ("seccomp-floor: connect to the proxy");
      return 1;
    }
  }
  if (pin (supervisor_cpu) < 0) {
    perror ("seccomp-floor: pin the supervisor");
    return 1;
  }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return 1;
  pid = fork ();
  if (pid < 0)
    return 1;
  if (pid == 0) {
    close (sv[0]);
    child (sv[1], caller_cpu, argv + optind);
  }
  close (sv[1]);
  listener = recv_fd (sv[0]);
  close (sv[0]);
  {
    Relay relay = { proxy, mode };
    answered = listener >= 0 ? serve_notifications ("seccomp-floor", listener,
                                                    proxy >= 0 ? relay_notification : NULL, &relay)
                             : -1;
  }
  if (listener < 0)
    kill (pid, SIGKILL);   /* nobody would ever answer its first call */
  else
    close (listener);      /* the calls still pending, if any, fail with ENOSYS */
  waitpid (pid, &status, 0);
  printf ("answered %ld\n", answered);
  if (answered < 0)
    return 1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
