/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lifecycle half of CoveContainer, a client of the container's monitor: start execs
 * cove-monitor and waits for its verdict; everything else is a command-socket request.
 */
#define COVE_LOG_CATEGORY "lifecycle"
#include "cove-private.h"
#include "rundir.h"
#include "wire.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

static const char *const state_names[] = {
  "STOPPED", "STARTING", "RUNNING", "STOPPING", "ABORTING", "REBOOTING",
};

const char *
cove_state_to_string (CoveState state)
{
  return (guint) state < G_N_ELEMENTS (state_names) ? state_names[state] : "UNKNOWN";
}

gboolean
cove_state_parse_mask (const char *states, guint *mask, GError **error)
{
  g_auto(GStrv) words = NULL;
  guint result = 0;

  g_return_val_if_fail (states != NULL && mask != NULL, FALSE);
  words = g_strsplit (states, "|", -1);
  for (char **w = words; *w; w++) {
    guint i;
    for (i = 0; i < G_N_ELEMENTS (state_names); i++)
      if (g_ascii_strcasecmp (*w, state_names[i]) == 0)
        break;
    if (i == G_N_ELEMENTS (state_names)) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                   "unknown state \"%s\" (expected STOPPED, STARTING, RUNNING, STOPPING, ABORTING "
                   "or REBOOTING, separated by |)", *w);
      return FALSE;
    }
    result |= COVE_STATE_MASK (i);
  }
  if (result == 0) {
    /* an empty mask would wait for nothing, forever */
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                         "no state given (expected e.g. RUNNING or RUNNING|STOPPED)");
    return FALSE;
  }
  *mask = result;
  return TRUE;
}

static GVariant *
call (CoveContainer *c, const char *command, GVariant *args, GArray **fds, GError **error)
{
  return cove_command_call (cove_container_get_path (c), cove_container_get_name (c), command,
                            args, fds, -1, error);
}

static int
write_config_memfd (CoveContainer *c, GError **error)
{
  g_autofree char *data = cove_config_to_data (cove_container_get_config (c));
  gsize len = strlen (data), off = 0;
  cove_autofd fd = memfd_create ("cove-config", MFD_CLOEXEC);

  if (fd < 0) {
    cove_throw_errno (error, "memfd_create");
    return -1;
  }
  while (off < len) {
    ssize_t n = write (fd, data + off, len - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      cove_throw_errno (error, "write the configuration");
      return -1;
    }
    off += n;
  }
  return g_steal_fd (&fd);
}

/* Not a public flag: cove_container_execute() runs its command under a minimal init. */
#define START_EXECUTE (1u << 16)

static char **
monitor_argv (CoveContainer *c, CoveStartFlags flags, const char * const *argv)
{
  CoveContext *context = cove_container_get_context (c);
  GStrvBuilder *b = g_strv_builder_new ();
  char **result;

  g_strv_builder_add_many (b, cove_monitor_path (), "--name", cove_container_get_name (c),
                           "--path", cove_container_get_path (c), "--config-fd", "3",
                           "--status-fd", "4", "--config-file", cove_container_get_config_file (c),
                           "--no-environment", "--no-default-path", NULL);
  for (char **p = context->search_path; p && *p; p++)
    g_strv_builder_add_many (b, "--plugin-path", *p, NULL);
  for (char **d = context->disabled; d && *d; d++)
    g_strv_builder_add_many (b, "--disable", *d, NULL);
  if (flags & COVE_START_FOREGROUND)
    g_strv_builder_add (b, "--foreground");
  if (flags & START_EXECUTE)
    g_strv_builder_add (b, "--execute");
  if (argv != NULL) {
    g_strv_builder_add (b, "--");
    g_strv_builder_addv (b, (const char **) argv);
  }
  result = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return result;
}

/* Spawns the monitor and reads its verdict. @exit_status, when given, waits for the
 * container to stop and returns the init's status (foreground only). */
static gboolean
run_monitor (CoveContainer *c, CoveStartFlags flags, const char * const *argv, int *exit_status,
             GError **error)
{
  g_auto(GStrv) args = monitor_argv (c, flags, argv);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) payload = NULL;
  cove_autofd config_fd = -1;
  cove_autofd status_fd = -1;
  int pair[2];
  pid_t pid;
  int wstatus;
  gboolean ok;

  config_fd = write_config_memfd (c, error);
  if (config_fd < 0)
    return FALSE;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    return cove_throw_errno (error, "socketpair");
  status_fd = pair[0];
  {
    int fds[] = { config_fd, pair[1] };   /* the monitor's fds 3 and 4 */
    ok = cove_spawn_helper ((const char * const *) args, fds, 2, FALSE, &pid, error);
    close (pair[1]);
  }
  if (!ok) {
    g_prefix_error (error, "start the monitor %s: ", args[0]);
    return FALSE;
  }
  if (!(flags & COVE_START_FOREGROUND))
    waitpid (pid, &wstatus, 0);   /* the monitor forks and its first process exits at once */

  reply = cove_wire_recv (status_fd, G_VARIANT_TYPE ("(bv)"), COVE_WIRE_REQUEST_MAX, NULL, -1, error);
  if (reply == NULL) {
    g_prefix_error (error, "monitor of \"%s\": ", cove_container_get_name (c));
    ok = FALSE;
  } else {
    ok = cove_wire_reply_unpack (reply, &payload, error);
  }
  if (ok && exit_status != NULL) {
    g_clear_pointer (&reply, g_variant_unref);
    g_clear_pointer (&payload, g_variant_unref);
    reply = cove_wire_recv (status_fd, G_VARIANT_TYPE ("(bv)"), COVE_WIRE_REQUEST_MAX, NULL, -1, error);
    ok = reply != NULL && cove_wire_reply_unpack (reply, &payload, error);
    if (ok && g_variant_is_of_type (payload, G_VARIANT_TYPE ("(si)")))
      g_variant_get (payload, "(&si)", NULL, exit_status);
  }
  if (flags & COVE_START_FOREGROUND)
    waitpid (pid, &wstatus, 0);
  return ok;
}

gboolean
cove_container_start (CoveContainer *c, CoveStartFlags flags, const char * const *argv,
                      GError **error)
{
  g_return_val_if_fail (c != NULL, FALSE);
  if (!cove_container_validate_config (c, error))
    return FALSE;
  if (flags & COVE_START_FOREGROUND) {
    int status;
    return run_monitor (c, flags, argv, &status, error);
  }
  return run_monitor (c, flags, argv, NULL, error);
}

int
cove_container_execute (CoveContainer *c, const char * const *argv, GError **error)
{
  int status = -1;

  g_return_val_if_fail (c != NULL, -1);
  if (argv == NULL || argv[0] == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "execute needs a command");
    return -1;
  }
  if (!cove_container_validate_config (c, error) ||
      !run_monitor (c, COVE_START_FOREGROUND | START_EXECUTE, argv, &status, error))
    return -1;
  return status;
}

CoveState
cove_container_state (CoveContainer *c)
{
  g_autoptr(GVariant) payload = NULL;
  guint32 state;

  g_return_val_if_fail (c != NULL, COVE_STATE_STOPPED);
  payload = call (c, "state", NULL, NULL, NULL);
  if (payload == NULL || !g_variant_is_of_type (payload, G_VARIANT_TYPE ("(u)")))
    return COVE_STATE_STOPPED;
  g_variant_get (payload, "(u)", &state);
  return (CoveState) state;
}

gboolean
cove_container_is_running (CoveContainer *c)
{
  CoveState state = cove_container_state (c);
  return state != COVE_STATE_STOPPED;
}

static gboolean
wait_for_socket (CoveContainer *c, int inotify_fd, gint64 deadline, GError **error)
{
  char events[4096];
  struct pollfd p = { inotify_fd, POLLIN, 0 };
  int timeout = -1;

  if (deadline >= 0) {
    gint64 left = deadline - g_get_monotonic_time ();
    if (left <= 0)
      goto timeout;
    timeout = (int) ((left + 999) / 1000);
  }
  if (poll (&p, 1, timeout) == 0)
    goto timeout;
  while (read (inotify_fd, events, sizeof events) > 0)
    ;
  return TRUE;
timeout:
  g_set_error (error, COVE_ERROR, COVE_ERROR_TIMEOUT, "timed out waiting for container \"%s\"",
               cove_container_get_name (c));
  return FALSE;
}

/* EOF, or a reset: a monitor whose start failed closes its listening socket with our
 * connection still unaccepted in the backlog, and the kernel resets it. */
static gboolean
monitor_went_away (const GError *error)
{
  /* ECONNRESET and EPIPE both become G_IO_ERROR_CONNECTION_CLOSED (== BROKEN_PIPE) */
  return g_error_matches (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING) ||
         g_error_matches (error, COVE_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
}

gboolean
cove_container_wait_mask (CoveContainer *c, guint states, int timeout, CoveState *reached,
                          GError **error)
{
  const char *path, *name;
  g_autofree char *rundir = NULL;
  gint64 deadline;
  cove_autofd inotify_fd = -1;
  int wd, last_wd = -1;

  g_return_val_if_fail (c != NULL, FALSE);
  path = cove_container_get_path (c);
  name = cove_container_get_name (c);
  deadline = timeout < 0 ? -1 : g_get_monotonic_time () + (gint64) timeout * G_USEC_PER_SEC;
  rundir = cove_rundir_for (path, name);

  for (;;) {
    g_autoptr(GError) local_error = NULL;
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GVariant) payload = NULL;
    cove_autofd fd = cove_command_connect (path, name, &local_error);
    guint32 state;

    if (fd < 0) {
      if (!g_error_matches (local_error, COVE_ERROR, COVE_ERROR_NOT_RUNNING)) {
        g_propagate_error (error, g_steal_pointer (&local_error));
        return FALSE;
      }
      if (states & COVE_STATE_MASK (COVE_STATE_STOPPED)) {
        if (reached)
          *reached = COVE_STATE_STOPPED;
        return TRUE;
      }
      if (timeout == 0) {
        g_set_error (error, COVE_ERROR, COVE_ERROR_TIMEOUT, "container \"%s\" is not running", name);
        return FALSE;
      }
      /* not running yet: wait for its monitor's socket to appear, without polling. The
       * watch is renewed every round: a monitor whose start fails removes the run
       * directory, and the watch with it (the next start makes a new directory). */
      if (inotify_fd < 0) {
        inotify_fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
        if (inotify_fd < 0)
          return cove_throw_errno (error, "inotify_init1");
      }
      if (!cove_rundir_ensure (rundir, error))
        return FALSE;
      wd = inotify_add_watch (inotify_fd, rundir, IN_CREATE | IN_MOVED_TO);
      if (wd < 0)
        return cove_throw_errno (error, "watch %s", rundir);
      if (wd != last_wd) {
        last_wd = wd;
        continue;   /* a new watch: the socket may have appeared before it */
      }
      if (!wait_for_socket (c, inotify_fd, deadline, error))
        return FALSE;
      continue;
    }

    if (timeout == 0) {
      g_autoptr(GVariant) now = call (c, "state", NULL, NULL, error);
      if (now == NULL)
        return FALSE;
      g_variant_get (now, "(u)", &state);
      if (!(states & COVE_STATE_MASK (state))) {
        g_set_error (error, COVE_ERROR, COVE_ERROR_TIMEOUT, "container \"%s\" is %s", name,
                     cove_state_to_string (state));
        return FALSE;
      }
      if (reached)
        *reached = state;
      return TRUE;
    }
    if (!cove_wire_send (fd, g_variant_new ("(sv)", "wait-state", g_variant_new ("(ub)", states, FALSE)),
                         NULL, 0, &local_error)) {
      if (monitor_went_away (local_error))
        continue;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
    reply = cove_wire_recv (fd, G_VARIANT_TYPE ("(bv)"), COVE_WIRE_REQUEST_MAX, NULL,
                            deadline < 0 ? -1 : (int) MAX (0, (deadline - g_get_monotonic_time ()) / 1000),
                            &local_error);
    if (reply == NULL) {
      if (monitor_went_away (local_error))
        continue;   /* the monitor went away: re-evaluate */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
    if (!cove_wire_reply_unpack (reply, &payload, &local_error)) {
      if (g_error_matches (local_error, COVE_ERROR, COVE_ERROR_NOT_RUNNING))
        continue;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
    g_variant_get (payload, "(u)", &state);
    if (reached)
      *reached = state;
    return TRUE;
  }
}

gboolean
cove_container_wait (CoveContainer *c, CoveState state, int timeout, GError **error)
{
  return cove_container_wait_mask (c, COVE_STATE_MASK (state), timeout, NULL, error);
}

gboolean
cove_container_stop (CoveContainer *c, GError **error)
{
  g_autoptr(GVariant) r = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  r = call (c, "stop", NULL, NULL, error);
  return r != NULL;
}

gboolean
cove_container_shutdown (CoveContainer *c, int timeout, GError **error)
{
  g_autoptr(GVariant) r = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  r = call (c, "shutdown", g_variant_new ("(i)", timeout), NULL, error);
  return r != NULL;
}

gboolean
cove_container_reboot2 (CoveContainer *c, int timeout, GError **error)
{
  g_autoptr(GVariant) r = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  r = call (c, "reboot", g_variant_new ("(i)", timeout), NULL, error);
  return r != NULL;
}

pid_t
cove_container_init_pid (CoveContainer *c, GError **error)
{
  g_autoptr(GVariant) r = NULL;
  gint32 pid;

  g_return_val_if_fail (c != NULL, -1);
  r = call (c, "init-pid", NULL, NULL, error);
  if (r == NULL)
    return -1;
  g_variant_get (r, "(i)", &pid);
  return pid;
}

int
cove_container_init_pidfd (CoveContainer *c, GError **error)
{
  g_autoptr(GVariant) r = NULL;
  GArray *fds = NULL;
  int fd;

  g_return_val_if_fail (c != NULL, -1);
  r = call (c, "init-pidfd", NULL, &fds, error);
  if (r == NULL)
    return -1;
  if (fds == NULL || fds->len != 1) {
    cove_wire_close_fds (fds);
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "the monitor sent no pidfd");
    return -1;
  }
  fd = g_array_index (fds, int, 0);
  g_array_set_size (fds, 0);
  cove_wire_close_fds (fds);
  return fd;
}

int
cove_container_attach_run_wait (CoveContainer *c, const char * const *argv, GError **error)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autofree char *rundir = NULL;
  g_autofree char *socket_path = NULL;
  cove_autofd pidfd = -1;
  pid_t pid;
  int wstatus;

  g_return_val_if_fail (c != NULL, -1);
  if (argv == NULL || argv[0] == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "attach needs a command");
    return -1;
  }
  pidfd = cove_container_init_pidfd (c, error);
  if (pidfd < 0)
    return -1;
  rundir = cove_rundir_for (cove_container_get_path (c), cove_container_get_name (c));
  socket_path = cove_rundir_socket (rundir);
  g_strv_builder_add_many (b, cove_monitor_path (), "--attach", "3", "--command-socket", socket_path,
                           "--name", cove_container_get_name (c), "--", NULL);
  g_strv_builder_addv (b, (const char **) argv);
  args = g_strv_builder_end (b);
  if (!cove_spawn_helper ((const char * const *) args, &pidfd, 1, TRUE, &pid, error))
    return -1;
  while (waitpid (pid, &wstatus, 0) < 0) {
    if (errno != EINTR) {
      cove_throw_errno (error, "wait for the attached command");
      return -1;
    }
  }
  if (WIFSIGNALED (wstatus))
    return 128 + WTERMSIG (wstatus);
  if (WEXITSTATUS (wstatus) == 255) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED,
                 "attach to \"%s\" failed (see the monitor helper's message above)",
                 cove_container_get_name (c));
    return -1;
  }
  return WEXITSTATUS (wstatus);
}
