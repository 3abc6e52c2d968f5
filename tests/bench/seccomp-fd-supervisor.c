/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmark helper, variant (a) of the seccomp notification round trip: an in-process
 * supervisor on Cove's fd API. A thread pinned to CPU M runs
 * cove_container_execute (NAME, CMD…) — the monitor and the container's init inherit its
 * affinity (posix_spawn, clone) and so run on M (seccomp-caller -c then moves itself to
 * its own CPU). The main thread, pinned to CPU S, waits
 * for the container to be RUNNING, takes the listener with
 * cove_container_seccomp_notify_fd() and answers every notification with val 0, error 0
 * in the same loop as seccomp-floor.c — poll(), SECCOMP_IOCTL_NOTIF_RECV,
 * SECCOMP_IOCTL_NOTIF_SEND — until the listener reports POLLHUP (no task left under the
 * filter). Prints "answered COUNT" and exits with CMD's status.
 *   seccomp-fd-supervisor [-P PATH] [-m M] [-s S] NAME -- CMD...   (defaults: M = 1, S = 1)
 */
#define _GNU_SOURCE
#include <cove.h>
#include "seccomp-serve.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct {
  const char *name;
  const char *path;
  int cpu;
  const char * const *argv;
  int status;
  GError *error;
} Execute;

static gboolean
pin (int cpu, GError **error)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  if (sched_setaffinity (0, sizeof set, &set) == 0)   /* 0: this thread only */
    return TRUE;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "pin to CPU %d: %s", cpu,
               g_strerror (errno));
  return FALSE;
}

static gpointer
execute_thread (gpointer data)
{
  Execute *e = data;
  g_autoptr(CoveContainer) c = NULL;

  e->status = -1;
  if (!pin (e->cpu, &e->error))
    return NULL;
  c = cove_container_new (e->name, e->path, &e->error);
  if (c != NULL && cove_container_load_config (c, NULL, &e->error))
    e->status = cove_container_execute (c, e->argv, &e->error);
  return NULL;
}

/* The listener of the container the execute thread is starting. */
static int
get_listener (const char *name, const char *path, GError **error)
{
  g_autoptr(CoveContainer) c = cove_container_new (name, path, error);
  int fd;

  if (c == NULL)
    return -1;
  /* RUNNING is reached after the post-start hooks, where the plugin takes the listener */
  if (!cove_container_wait (c, COVE_STATE_RUNNING, 30, error))
    return -1;
  fd = cove_container_seccomp_notify_fd (c, error);
  return fd;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  Execute e = { .cpu = 1 };
  int supervisor_cpu = 1;
  GThread *thread;
  long answered = -1;
  int listener, opt;

  while ((opt = getopt (argc, argv, "+P:m:s:")) != -1) {
    switch (opt) {
    case 'P': e.path = optarg; break;
    case 'm': e.cpu = atoi (optarg); break;
    case 's': supervisor_cpu = atoi (optarg); break;
    default: return 2;
    }
  }
  if (argc - optind < 3 || strcmp (argv[optind + 1], "--") != 0) {
    fprintf (stderr, "usage: %s [-P PATH] [-m CPU] [-s CPU] NAME -- CMD...\n", argv[0]);
    return 2;
  }
  e.name = argv[optind];
  e.argv = (const char * const *) argv + optind + 2;
  if (!pin (supervisor_cpu, &error)) {
    fprintf (stderr, "seccomp-fd-supervisor: %s\n", error->message);
    return 1;
  }

  thread = g_thread_new ("execute", execute_thread, &e);
  listener = get_listener (e.name, e.path, &error);
  if (listener >= 0) {
    answered = serve_notifications ("seccomp-fd-supervisor", listener, NULL, NULL);
    close (listener);   /* the calls still pending, if any, fail with ENOSYS */
  } else {
    /* its caller waits for an answer forever: stop the container */
    g_autoptr(CoveContainer) c = cove_container_new (e.name, e.path, NULL);

    fprintf (stderr, "seccomp-fd-supervisor: the listener: %s\n", error->message);
    if (c != NULL)
      cove_container_stop (c, NULL);
  }
  g_thread_join (thread);
  if (e.error != NULL) {
    fprintf (stderr, "seccomp-fd-supervisor: execute: %s\n", e.error->message);
    g_error_free (e.error);
    return 1;
  }
  printf ("answered %ld\n", answered);
  return answered < 0 ? 1 : e.status;
}
