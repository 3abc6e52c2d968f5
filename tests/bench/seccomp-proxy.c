/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmark helper, variant (b) of the seccomp notification round trip: a minimal
 * lxc.seccomp.notify.proxy. Listens on the SOCK_SEQPACKET socket PATH, pinned to CPU S,
 * and answers every request at once with val 0, error 0: each request is LXC's header
 * (32 bytes), struct seccomp_notif, an empty struct seccomp_notif_resp and the cookie, with
 * three fds (/proc/<pid>, /proc/<pid>/mem, the listener), which it closes; the reply is
 * the header, the notif and the filled-in resp (no cookie). Any number of connections, one
 * at a time or together. On SIGTERM or SIGINT it removes PATH, prints "answered COUNT
 * malformed COUNT" and exits.
 *   seccomp-proxy [-s S] PATH        (default S = 1)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CONN 16

/* LXC's struct seccomp_notify_proxy_msg */
struct proxy_header {
  uint64_t reserved;
  pid_t monitor_pid;
  pid_t init_pid;
  struct seccomp_notif_sizes sizes;
  uint64_t cookie_len;
};

static volatile sig_atomic_t stop;

static void
on_signal (int sig)
{
  (void) sig;
  stop = 1;
}

/* Reads one request; 1 answered, 0 malformed (dropped), -1 the connection is done. */
static int
answer (int conn)
{
  static unsigned char buf[65536];
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (8 * sizeof (int))];
  } control;
  struct iovec iov = { buf, sizeof buf };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  struct proxy_header header;
  struct seccomp_notif notif;
  struct seccomp_notif_resp resp = { 0 };
  size_t notif_size, resp_size, reply_size;
  ssize_t n;

  n = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  if (n <= 0)
    return n < 0 && errno == EINTR ? 0 : -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      size_t count = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
      for (size_t i = 0; i < count; i++) {
        int fd;
        memcpy (&fd, CMSG_DATA (c) + i * sizeof (int), sizeof fd);
        close (fd);
      }
    }
  }
  if ((size_t) n < sizeof header)
    return 0;
  memcpy (&header, buf, sizeof header);
  notif_size = header.sizes.seccomp_notif;
  resp_size = header.sizes.seccomp_notif_resp;
  reply_size = sizeof header + notif_size + resp_size;
  if (notif_size < sizeof notif || resp_size < sizeof resp || reply_size > (size_t) n)
    return 0;
  memcpy (&notif, buf + sizeof header, sizeof notif);
  resp.id = notif.id;   /* val 0, error 0, flags 0 */
  header.cookie_len = 0;
  memcpy (buf, &header, sizeof header);
  memset (buf + sizeof header + notif_size, 0, resp_size);
  memcpy (buf + sizeof header + notif_size, &resp, sizeof resp);
  if (send (conn, buf, reply_size, MSG_NOSIGNAL) != (ssize_t) reply_size)
    return -1;
  return 1;
}

int
main (int argc, char **argv)
{
  struct sigaction sa = { .sa_handler = on_signal };   /* no SA_RESTART: poll() returns */
  struct pollfd pfd[1 + MAX_CONN];
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  long answered = 0, malformed = 0;
  int cpu = 1, nconn = 0, opt, sock;
  cpu_set_t set;

  while ((opt = getopt (argc, argv, "s:")) != -1) {
    if (opt != 's')
      return 2;
    cpu = atoi (optarg);
  }
  if (argc - optind != 1 || strlen (argv[optind]) >= sizeof sun.sun_path) {
    fprintf (stderr, "usage: %s [-s CPU] PATH\n", argv[0]);
    return 2;
  }
  strcpy (sun.sun_path, argv[optind]);
  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  if (sched_setaffinity (0, sizeof set, &set) < 0) {
    perror ("seccomp-proxy: pin");
    return 1;
  }
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  sock = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (sock < 0 || bind (sock, (struct sockaddr *) &sun, sizeof sun) < 0 || listen (sock, 16) < 0) {
    perror ("seccomp-proxy: listen");
    return 1;
  }
  pfd[0] = (struct pollfd) { .fd = sock, .events = POLLIN };

  while (!stop) {
    if (poll (pfd, 1 + nconn, -1) < 0) {
      if (errno == EINTR)
        continue;
      perror ("seccomp-proxy: poll");
      break;
    }
    for (int i = 1; i <= nconn; i++) {
      int r;

      if (pfd[i].revents == 0)
        continue;
      r = (pfd[i].revents & POLLIN) ? answer (pfd[i].fd) : -1;
      if (r == 1)
        answered++;
      else if (r == 0)
        malformed++;
      else {
        close (pfd[i].fd);
        pfd[i--] = pfd[nconn--];
      }
    }
    if (pfd[0].revents & POLLIN) {
      int conn = accept4 (sock, NULL, NULL, SOCK_CLOEXEC);

      if (conn >= 0 && nconn < MAX_CONN)
        pfd[++nconn] = (struct pollfd) { .fd = conn, .events = POLLIN };
      else if (conn >= 0)
        close (conn);
    }
  }
  unlink (sun.sun_path);
  printf ("answered %ld malformed %ld\n", answered, malformed);
  return 0;
}
