/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor loop of the seccomp benchmarks, shared by seccomp-floor.c and
 * seccomp-fd-supervisor.c so that the floor and variant (a) answer in exactly the same
 * way: poll(), SECCOMP_IOCTL_NOTIF_RECV, then (optionally) a relay that fills the answer,
 * SECCOMP_IOCTL_NOTIF_SEND with val 0, error 0, until the listener reports POLLHUP.
 */
#pragma once

#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Fills @resp for @req (e.g. through a proxy); 0, or -1 to stop serving. */
typedef int (*ServeRelay) (void *data, int listener, const struct seccomp_notif_sizes *sizes,
                           const struct seccomp_notif *req, struct seccomp_notif_resp *resp);

/* Answers until no task uses the filter any more; returns the count, -1 on error
 * (reported on stderr with @who). */
static long
serve_notifications (const char *who, int listener, ServeRelay relay, void *data)
{
  struct seccomp_notif_sizes sizes;
  struct seccomp_notif *req;
  size_t req_size;
  long answered = 0;

  if (syscall (SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    return -1;
  req_size = sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req;
  req = malloc (req_size);
  if (req == NULL)
    return -1;
  for (;;) {
    struct pollfd pfd = { .fd = listener, .events = POLLIN };
    struct seccomp_notif_resp resp = { 0 };

    if (poll (&pfd, 1, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (pfd.revents & POLLIN) {
      memset (req, 0, req_size);
      if (ioctl (listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
        if (errno == EINTR || errno == ENOENT)
          continue;
        break;
      }
      resp.id = req->id;
      if (relay != NULL && relay (data, listener, &sizes, req, &resp) < 0)
        break;
      if (ioctl (listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
        answered++;
      else if (errno != ENOENT)
        break;
      continue;
    }
    if (pfd.revents & (POLLHUP | POLLERR)) {
      free (req);
      return answered;
    }
  }
  fprintf (stderr, "%s: serve: %s\n", who, strerror (errno));
  free (req);
  return -1;
}
