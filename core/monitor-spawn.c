/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cloning the container init and the staged setup between monitor and child. The child
 * reports each failure as a serialized GError before it exits; "exec" comes right before
 * execve, and the sync socket (close-on-exec) then reads EOF.
 */
#define COVE_LOG_CATEGORY "start"
#include "monitor.h"
#include "wire.h"
#include "net.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define SYNC_MAX (64 * 1024)
#define SYNC_TIMEOUT_MS (60 * 1000)

static G_NORETURN void
child_fail (int sync_fd, GError *error)
{
  cove_wire_send (sync_fd, g_variant_new ("(sv)", "error", cove_wire_reply_error (error)), NULL, 0, NULL);
  _exit (126);
}

static gboolean
run_child_hooks (CoveMonitor *m, CoveHookPoint point, GError **error)
{
  return cove_hooks_run (m->context->registry, &m->hctx, point, error);
}

/* The monitor blocks some signals (signalfd) and ignores SIGPIPE; the init starts clean. */
static void
reset_signals (void)
{
  sigset_t none;

  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

static G_NORETURN void
exec_payload (int sync_fd, char **argv, char **envp)
{
  g_autoptr(GError) error = NULL;

  if (!cove_wire_send (sync_fd, g_variant_new ("(sv)", "exec", g_variant_new ("()")), NULL, 0, &error))
    _exit (125);
  execve (argv[0], argv, envp);
  cove_throw_errno (&error, "lxc.init.cmd: execute %s", argv[0]);
  child_fail (sync_fd, g_steal_pointer (&error));
}

/* cove execute: like lxc-execute's lxc-init, pid 1 stays a tiny init that forwards
 * signals to the payload, reaps orphans and exits with the payload's status; a payload
 * that is pid 1 itself could not even be killed by its own SIGKILL. */
static G_NORETURN void
exec_under_init (int sync_fd, char **argv, char **envp)
{
  sigset_t all, none;
  pid_t payload;

  sigfillset (&all);
  sigemptyset (&none);
  sigprocmask (SIG_BLOCK, &all, NULL);
  payload = fork ();
  if (payload < 0) {
    g_autoptr(GError) error = NULL;
    cove_throw_errno (&error, "fork the payload");
    child_fail (sync_fd, g_steal_pointer (&error));
  }
  if (payload == 0) {
    sigprocmask (SIG_SETMASK, &none, NULL);
    exec_payload (sync_fd, argv, envp);
  }
  close (sync_fd);   /* the payload's copy alone tells the monitor about its exec */
  prctl (PR_SET_NAME, "cove-init");

  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo (&all, &info);

    if (sig < 0)
      continue;
    if (sig != SIGCHLD) {
      kill (payload, sig);
      continue;
    }
    for (;;) {
      int wstatus;
      pid_t pid = waitpid (-1, &wstatus, WNOHANG);
      if (pid <= 0)
        break;
      if (pid == payload)
        _exit (WIFEXITED (wstatus) ? WEXITSTATUS (wstatus) : 128 + WTERMSIG (wstatus));
    }
  }
}

static G_NORETURN void
child_main (CoveMonitor *m, int sync_fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) go = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = NULL;

  /* the init never outlives its monitor; a monitor that died before this point
   * closed the sync socket, and the "go" below reads EOF */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    _exit (125);
  reset_signals ();
  m->hctx.child_sync_fd = sync_fd;
  go = cove_wire_recv (sync_fd, G_VARIANT_TYPE ("(sv)"), SYNC_MAX, NULL, -1, &error);
  if (go == NULL)
    _exit (125);

  if (!cove_net_setup_child (m->context->registry, &m->hctx, &error) ||
      !run_child_hooks (m, COVE_HOOK_NET_SETUP_CHILD, &error) ||
      !run_child_hooks (m, COVE_HOOK_CHILD_PRE_PIVOT, &error) ||
      !cove_child_setup_rootfs (&m->setup, &error) ||
      !run_child_hooks (m, COVE_HOOK_CHILD_POST_PIVOT, &error) ||
      !cove_child_apply_security (&m->setup, &error) ||
      !cove_run_hook_scripts (&m->setup, COVE_SCRIPT_START, NULL, &error) ||
      !cove_child_prepare_exec (&m->setup, (const char * const *) m->opts.argv, &argv, &envp, &error) ||
      !run_child_hooks (m, COVE_HOOK_CHILD_PRE_EXEC, &error))
    child_fail (sync_fd, g_steal_pointer (&error));

  if (m->opts.execute)
    exec_under_init (sync_fd, argv, envp);
  exec_payload (sync_fd, argv, envp);
}

static gboolean
net_type_none (CoveConfig *config)
{
  for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n))
    if (g_strcmp0 (cove_config_get_string (config, n, "type"), "none") == 0)
      return TRUE;
  return FALSE;
}

static pid_t
clone_init (CoveMonitor *m, int *pidfd, GError **error)
{
  struct clone_args args = { 0 };
  long pid;

  args.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP |
               CLONE_PIDFD;
  if (!net_type_none (m->config))
    args.flags |= CLONE_NEWNET;
  args.pidfd = (guint64) (guintptr) pidfd;
  args.exit_signal = SIGCHLD;
  pid = syscall (SYS_clone3, &args, sizeof args);
  if (pid < 0)
    cove_throw_errno (error, "clone3 the container init");
  return (pid_t) pid;
}

/* How the init died, once it has (waited for at most a second; NULL if it still runs).
 * The status stays to be collected by kill_and_reap(). */
static char *
describe_death (int pidfd)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  siginfo_t info = { 0 };

  if (poll (&p, 1, 1000) != 1 ||
      waitid (P_PIDFD, pidfd, &info, WEXITED | WNOHANG | WNOWAIT) < 0 || info.si_pid == 0)
    return NULL;
  if (info.si_code == CLD_EXITED)
    return g_strdup_printf ("exit status %d", info.si_status);
  if (info.si_status == SIGSYS)
    return g_strdup ("killed by SIGSYS: a seccomp filter refused one of its system calls");
  return g_strdup_printf ("killed by signal %d, %s", info.si_status, g_strsignal (info.si_status));
}

/* Keeps an fd a child-side hook sent with cove_hook_context_send_fd(). */
static gboolean
take_child_fd (CoveMonitor *m, GVariant *payload, GArray *fds, GError **error)
{
  if (!g_variant_is_of_type (payload, G_VARIANT_TYPE_STRING) || fds == NULL || fds->len != 1) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "container init sent a malformed fd message");
    return FALSE;
  }
  cove_hook_context_add_child_fd (&m->hctx, g_variant_get_string (payload, NULL),
                                  g_array_index (fds, int, 0));
  g_array_set_size (fds, 0);
  return TRUE;
}

/* Reads the child's next messages, keeping the fds its hooks send, until @expect (the
 * name that means success; NULL: EOF, which execve causes by closing the socket). */
static gboolean
sync_expect (CoveMonitor *m, int sync_fd, const char *expect, GError **error)
{
  for (;;) {
    g_autoptr(GError) local_error = NULL;
    g_autoptr(GVariant) msg = NULL;
    g_autoptr(GVariant) payload = NULL;
    g_autoptr(GArray) fds = NULL;
    const char *name;
    gboolean kept;

    msg = cove_wire_recv (sync_fd, G_VARIANT_TYPE ("(sv)"), SYNC_MAX, &fds, SYNC_TIMEOUT_MS, &local_error);
    if (msg == NULL) {
      g_autofree char *how = NULL;
      if (expect == NULL && g_error_matches (local_error, COVE_ERROR, COVE_ERROR_NOT_RUNNING))
        return TRUE;
      how = describe_death (m->init_pidfd);
      g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "container init died during setup (%s)",
                   how ? how : local_error->message);
      return FALSE;
    }
    g_variant_get (msg, "(&sv)", &name, &payload);
    if (g_str_equal (name, "fd")) {
      kept = take_child_fd (m, payload, fds, error);
      cove_wire_close_fds (g_steal_pointer (&fds));
      if (!kept)
        return FALSE;
      continue;
    }
    cove_wire_close_fds (g_steal_pointer (&fds));
    if (g_str_equal (name, "error")) {
      cove_wire_reply_unpack (payload, NULL, error);
      return FALSE;
    }
    if (expect == NULL || !g_str_equal (name, expect)) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "container init sent \"%s\" during setup", name);
      return FALSE;
    }
    return TRUE;
  }
}

static void
kill_and_reap (CoveMonitor *m)
{
  siginfo_t info;

  if (m->init_pidfd < 0)
    return;
  syscall (SYS_pidfd_send_signal, m->init_pidfd, SIGKILL, NULL, 0);
  while (waitid (P_PIDFD, m->init_pidfd, &info, WEXITED) < 0 && errno == EINTR)
    ;
  cove_close_fdp (&m->init_pidfd);
  m->init_pid = 0;
}

gboolean
cove_monitor_spawn_init (CoveMonitor *m, GError **error)
{
  int pair[2];
  cove_autofd sync_fd = -1;
  pid_t pid;
  int pidfd = -1;

  if (!cove_net_prepare (m->context->registry, &m->hctx, error))
    return FALSE;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    return cove_throw_errno (error, "socketpair");
  pid = clone_init (m, &pidfd, error);
  if (pid < 0) {
    close (pair[0]);
    close (pair[1]);
    return FALSE;
  }
  if (pid == 0) {
    close (pair[0]);
    child_main (m, pair[1]);
  }
  close (pair[1]);
  sync_fd = pair[0];
  m->init_pid = pid;
  m->init_pidfd = pidfd;
  m->hctx.init_pid = pid;
  m->hctx.init_pidfd = pidfd;
  cove_debug ("container init is pid %d", (int) pid);

  if (!cove_net_setup_host (m->context->registry, &m->hctx, error) ||
      !cove_hooks_run (m->context->registry, &m->hctx, COVE_HOOK_NET_SETUP_HOST, error) ||
      !cove_wire_send (sync_fd, g_variant_new ("(sv)", "go", g_variant_new ("()")), NULL, 0, error) ||
      !sync_expect (m, sync_fd, "exec", error) ||
      !sync_expect (m, sync_fd, NULL, error)) {
    kill_and_reap (m);
    return FALSE;
  }
  return TRUE;
}
