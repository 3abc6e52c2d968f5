/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The monitor's life: take the container's lock, serve the command socket, start the
 * init, watch it through its pidfd, restart it on reboot, tear down when it is gone.
 */
#define COVE_LOG_CATEGORY "monitor"
#include "monitor.h"

#include <stdlib.h>
#include "rundir.h"
#include "wire.h"
#include "net.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <glib-unix.h>

static gboolean start_init (CoveMonitor *m, GError **error);

void
cove_monitor_set_state (CoveMonitor *m, CoveState state)
{
  cove_debug ("state %s → %s", cove_state_to_string (m->state), cove_state_to_string (state));
  m->state = state;
  cove_monitor_notify_state (m, state, FALSE);
}

gboolean
cove_monitor_send_signal (CoveMonitor *m, int sig, GError **error)
{
  if (m->init_pidfd < 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING, "container \"%s\" is not running", m->opts.name);
    return FALSE;
  }
  if (syscall (SYS_pidfd_send_signal, m->init_pidfd, sig, NULL, 0) < 0)
    return cove_throw_errno (error, "send signal %d to the container init", sig);
  return TRUE;
}

static void
report_status (CoveMonitor *m, GVariant *reply)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (reply);

  if (m->opts.status_fd < 0)
    return;
  /* cove_wire_send() sinks a floating message and otherwise takes a reference of its
   * own, so passing g_variant_ref (owned) would leak one */
  if (!cove_wire_send (m->opts.status_fd, owned, NULL, 0, NULL))
    cove_debug ("the starting caller went away");
}

static void
close_status (CoveMonitor *m)
{
  cove_close_fdp (&m->opts.status_fd);
}

static void
teardown_run (CoveMonitor *m, const char *target)
{
  g_autoptr(GError) error = NULL;

  if (m->hctx_live) {
    cove_hooks_run (m->context->registry, &m->hctx, COVE_HOOK_POST_STOP, NULL);
    cove_net_teardown_host (m->context->registry, &m->hctx);
    cove_hook_context_clear (&m->hctx);
    m->hctx_live = FALSE;
  }
  if (!cove_run_hook_scripts (&m->setup, COVE_SCRIPT_POST_STOP, target, &error))
    cove_warn ("lxc.hook.post-stop: %s, ignoring", error->message);
}

/* REBOOT hooks run between the teardown and the next start, with a fresh per-run
 * context; a failing one turns the reboot into a stop. */
static gboolean
run_reboot_hooks (CoveMonitor *m, GError **error)
{
  CoveHookContext ctx;
  gboolean ok;

  cove_hook_context_init (&ctx, m->config, m->opts.name);
  ctx.container_path = m->opts.path;
  ctx.rootfs = m->rootfs;
  ctx.main_context = g_main_context_default ();
  ctx.container_data = m->container_data;
  ok = cove_hooks_run (m->context->registry, &ctx, COVE_HOOK_REBOOT, error);
  cove_hook_context_clear (&ctx);
  return ok;
}

void
cove_monitor_run_stop_hooks (CoveMonitor *m)
{
  if (m->hctx_live)
    cove_hooks_run (m->context->registry, &m->hctx, COVE_HOOK_STOP, NULL);
}

static int
decode_status (const siginfo_t *info)
{
  if (info->si_code == CLD_EXITED)
    return info->si_status;
  return 128 + info->si_status;
}

static void
release_rundir (CoveMonitor *m)
{
  g_autofree char *lock_path = g_build_filename (m->rundir, "lock", NULL);

  if (m->lock_fd < 0)
    return;
  /* unlinked while still locked, so a concurrent start cannot lock a file that vanishes */
  unlink (lock_path);
  rmdir (m->rundir);
  cove_close_fdp (&m->lock_fd);
}

static gboolean
on_init_exit (int fd, GIOCondition condition, gpointer user_data)
{
  CoveMonitor *m = user_data;
  g_autoptr(GError) error = NULL;
  siginfo_t info = { 0 };
  gboolean reboot;

  if (waitid (P_PIDFD, m->init_pidfd, &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0)
    return G_SOURCE_CONTINUE;
  m->init_source = 0;
  cove_close_fdp (&m->init_pidfd);
  m->init_pid = 0;
  m->hctx.init_pid = 0;
  m->hctx.init_pidfd = -1;
  m->last_status = decode_status (&info);

  /* reboot(2) inside a pid namespace kills its init with SIGHUP; a requested stop
   * always wins, so lxc.signal.stop = SIGHUP can never turn a stop into a reboot */
  reboot = info.si_code != CLD_EXITED && info.si_status == SIGHUP && !m->stop_requested;
  cove_info ("container init exited (%s %d)%s", info.si_code == CLD_EXITED ? "status" : "signal",
             info.si_status, reboot ? ": rebooting" : "");

  if (reboot) {
    cove_monitor_set_state (m, COVE_STATE_REBOOTING);
    cove_monitor_set_state (m, COVE_STATE_STOPPING);
    teardown_run (m, "reboot");
    cove_monitor_set_state (m, COVE_STATE_STOPPED);
    if (run_reboot_hooks (m, &error) && start_init (m, &error))
      return G_SOURCE_REMOVE;
    cove_error ("reboot failed, stopping: %s", error->message);
  } else {
    cove_monitor_set_state (m, COVE_STATE_STOPPING);
    teardown_run (m, "stop");
  }
  /* close the socket and release the lock before anyone hears "stopped": a new client
   * gets "not running", never a dying monitor, and a start right after the stop never
   * finds the container "already running" */
  cove_monitor_close_listener (m);
  release_rundir (m);
  m->state = COVE_STATE_STOPPED;
  cove_monitor_notify_state (m, COVE_STATE_STOPPED, TRUE);
  report_status (m, g_variant_new ("(bv)", TRUE, g_variant_new ("(si)", "exited", m->last_status)));
  g_main_loop_quit (m->loop);
  return G_SOURCE_REMOVE;
}

/* STARTING → (setup) → RUNNING; on failure ABORTING → STOPPING → STOPPED with the
 * run torn down. */
static gboolean
start_init (CoveMonitor *m, GError **error)
{
  m->stop_requested = FALSE;
  cove_monitor_set_state (m, COVE_STATE_STARTING);
  cove_hook_context_init (&m->hctx, m->config, m->opts.name);
  m->hctx.container_path = m->opts.path;
  m->hctx.rootfs = m->rootfs;
  m->hctx.main_context = g_main_context_default ();
  m->hctx.container_data = m->container_data;
  m->hctx_live = TRUE;
  if (!cove_run_hook_scripts (&m->setup, COVE_SCRIPT_PRE_START, NULL, error) ||
      !cove_hooks_run (m->context->registry, &m->hctx, COVE_HOOK_PRE_START, error) ||
      !cove_monitor_spawn_init (m, error) ||
      !cove_hooks_run (m->context->registry, &m->hctx, COVE_HOOK_POST_START, error)) {
    cove_monitor_set_state (m, COVE_STATE_ABORTING);
    if (m->init_pidfd >= 0) {
      siginfo_t info;
      cove_monitor_send_signal (m, SIGKILL, NULL);
      waitid (P_PIDFD, m->init_pidfd, &info, WEXITED);
      cove_close_fdp (&m->init_pidfd);
    }
    cove_monitor_set_state (m, COVE_STATE_STOPPING);
    teardown_run (m, "stop");
    return FALSE;
  }
  m->init_source = g_unix_fd_add (m->init_pidfd, G_IO_IN, on_init_exit, m);
  cove_monitor_set_state (m, COVE_STATE_RUNNING);
  return TRUE;
}

static gboolean
acquire_lock (CoveMonitor *m, GError **error)
{
  g_autofree char *lock_path = g_build_filename (m->rundir, "lock", NULL);

  if (!cove_rundir_ensure (m->rundir, error))
    return FALSE;
  for (;;) {
    struct stat held, now;

    m->lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (m->lock_fd < 0 && errno == ENOENT) {
      /* a stopping monitor removed the run directory between our mkdir and open */
      if (!cove_rundir_ensure (m->rundir, error))
        return FALSE;
      continue;
    }
    if (m->lock_fd < 0)
      return cove_throw_errno (error, "open %s", lock_path);
    if (flock (m->lock_fd, LOCK_EX | LOCK_NB) < 0) {
      int saved = errno;
      /* not ours: release_rundir() must never unlink the winner's lock file */
      cove_close_fdp (&m->lock_fd);
      errno = saved;
      if (errno == EWOULDBLOCK) {
        g_set_error (error, COVE_ERROR, COVE_ERROR_BUSY, "container \"%s\" is already running",
                     m->opts.name);
        return FALSE;
      }
      return cove_throw_errno (error, "lock %s", lock_path);
    }
    /* the previous holder unlinks the file before it unlocks: a lock on a file that is
     * no longer at lock_path protects nothing, so open the current one again */
    if (fstat (m->lock_fd, &held) == 0 && stat (lock_path, &now) == 0 &&
        held.st_dev == now.st_dev && held.st_ino == now.st_ino)
      return TRUE;
    cove_close_fdp (&m->lock_fd);
    if (!cove_rundir_ensure (m->rundir, error))
      return FALSE;
  }
}

static gboolean
load_config (CoveMonitor *m, GError **error)
{
  CoveContextOptions copts = { sizeof copts };
  g_autoptr(GString) data = g_string_new (NULL);
  char buf[16384];
  ssize_t n;

  while ((n = pread (m->opts.config_fd, buf, sizeof buf, data->len)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return cove_throw_errno (error, "read the configuration");
    if (data->len + n > COVE_CONFIG_FILE_MAX) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "configuration too large");
      return FALSE;
    }
    g_string_append_len (data, buf, n);
  }
  cove_close_fdp (&m->opts.config_fd);

  copts.plugin_path = (const char * const *) m->opts.plugin_path;
  copts.disable = (const char * const *) m->opts.disable;
  copts.flags = m->opts.context_flags;
  m->context = cove_context_new (&copts, error);
  if (m->context == NULL)
    return FALSE;
  m->container = cove_container_new_with_context (m->context, m->opts.name, m->opts.path, error);
  if (m->container == NULL ||
      !cove_container_load_data (m->container, data->str, data->len,
                                 m->opts.config_file ? m->opts.config_file : "(configuration)", error))
    return FALSE;
  m->config = cove_container_get_config (m->container);
  return TRUE;
}

static gboolean
prepare_setup (CoveMonitor *m)
{
  const char *rootfs = cove_config_get_string (m->config, -1, "rootfs.path");

  /* unset: the container shares the host's root (as in LXC) */
  if (rootfs != NULL && g_str_has_prefix (rootfs, "dir:"))
    rootfs += 4;
  m->rootfs = g_strdup (rootfs);
  m->setup.config = m->config;
  m->setup.name = m->opts.name;
  m->setup.config_file = m->opts.config_file;
  m->setup.rootfs = m->rootfs;
  return TRUE;
}

static gboolean
on_terminate (int fd, GIOCondition condition, gpointer user_data)
{
  CoveMonitor *m = user_data;
  struct signalfd_siginfo info;

  if (read (fd, &info, sizeof info) != sizeof info)
    return G_SOURCE_CONTINUE;
  /* SIGTERM/SIGINT/SIGHUP to the monitor: stop the container, then exit */
  cove_info ("monitor got signal %u: stopping the container", info.ssi_signo);
  m->stop_requested = TRUE;
  cove_monitor_send_signal (m, SIGKILL, NULL);
  return G_SOURCE_CONTINUE;
}

/* A signalfd, not g_unix_signal_add(): that starts GLib's worker thread, and the monitor
 * must stay single-threaded because it clones the container init (a clone of a threaded
 * process can deadlock on a lock another thread held). The child restores the mask. */
static gboolean
watch_signals (CoveMonitor *m, GError **error)
{
  sigset_t mask;

  sigemptyset (&mask);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGHUP);
  if (sigprocmask (SIG_BLOCK, &mask, NULL) < 0)
    return cove_throw_errno (error, "block signals");
  m->signal_fd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (m->signal_fd < 0)
    return cove_throw_errno (error, "signalfd");
  g_unix_fd_add (m->signal_fd, G_IO_IN, on_terminate, m);
  return TRUE;
}

static void
daemonize (CoveMonitor *m)
{
  pid_t pid = fork ();
  int null_fd;

  if (pid < 0)
    return;   /* stay in the foreground rather than fail the start */
  if (pid > 0)
    _exit (0);
  setsid ();
  if (chdir ("/") < 0)
    cove_debug ("chdir /: %s", g_strerror (errno));
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd >= 0) {
    dup2 (null_fd, STDIN_FILENO);
    dup2 (null_fd, STDOUT_FILENO);
    dup2 (null_fd, STDERR_FILENO);
    if (null_fd > STDERR_FILENO)
      close (null_fd);
  }
}

static CoveLogLevel
log_level_from_glib (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return COVE_LOG_FATAL;
  if (level & G_LOG_LEVEL_CRITICAL)
    return COVE_LOG_CRIT;
  if (level & G_LOG_LEVEL_WARNING)
    return COVE_LOG_WARN;
  if (level & G_LOG_LEVEL_MESSAGE)
    return COVE_LOG_NOTICE;
  if (level & G_LOG_LEVEL_INFO)
    return COVE_LOG_INFO;
  return COVE_LOG_DEBUG;
}

/* Plugins report through GLib (g_info(), g_debug() …, domain = the plugin's name): in the
 * monitor, and in the init it clones, those messages go to the container's log
 * (lxc.log.file at lxc.log.level) like the core's own. The core's own messages, which it
 * also forwards to GLib, carry COVE_LEVEL and are not written twice. */
static GLogWriterOutput
write_glib_log (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  g_autofree char *message = NULL;
  const char *domain = "plugin", *file = "", *func = "";
  int line = 0;

  for (gsize i = 0; i < n_fields; i++) {
    const char *key = fields[i].key;
    const char *value = fields[i].value;

    if (g_str_equal (key, "COVE_LEVEL"))
      return G_LOG_WRITER_HANDLED;
    if (g_str_equal (key, "MESSAGE"))
      message = fields[i].length < 0 ? g_strdup (value) : g_strndup (value, fields[i].length);
    else if (g_str_equal (key, "GLIB_DOMAIN") && value != NULL)
      domain = value;
    else if (g_str_equal (key, "CODE_FILE"))
      file = value;
    else if (g_str_equal (key, "CODE_LINE"))
      line = atoi (value);
    else if (g_str_equal (key, "CODE_FUNC"))
      func = value;
  }
  if (message != NULL)
    cove_log_full (log_level_from_glib (level), domain, file, line, func, "%s", message);
  return G_LOG_WRITER_HANDLED;
}

int
cove_monitor_main (const CoveMonitorOptions *options)
{
  CoveMonitor monitor = { 0 };
  CoveMonitor *m = &monitor;
  g_autoptr(GError) error = NULL;
  int status = 1;

  m->opts = *options;
  m->lock_fd = m->listen_fd = m->init_pidfd = m->signal_fd = -1;
  m->state = COVE_STATE_STOPPED;
  m->rundir = cove_rundir_for (options->path, options->name);
  m->container_data = cove_hook_data_table_new ();
  m->socket_path = cove_rundir_socket (m->rundir);

  if (!m->opts.foreground)
    daemonize (m);
  signal (SIGPIPE, SIG_IGN);

  if (!load_config (m, &error) || !prepare_setup (m) || !acquire_lock (m, &error)) {
    report_status (m, cove_wire_reply_error (error));
    goto out;
  }
  cove_container_push_log (m->container);
  g_log_set_writer_func (write_glib_log, NULL, NULL);
  m->loop = g_main_loop_new (NULL, FALSE);
  if (!watch_signals (m, &error)) {
    report_status (m, cove_wire_reply_error (error));
    cove_container_pop_log (m->container);
    goto out;
  }

  if (!cove_monitor_listen (m, &error) || !start_init (m, &error)) {
    cove_error ("start failed: %s", error->message);
    cove_monitor_close_listener (m);
    release_rundir (m);
    m->state = COVE_STATE_STOPPED;
    cove_monitor_notify_state (m, COVE_STATE_STOPPED, TRUE);
    report_status (m, cove_wire_reply_error (error));
    cove_container_pop_log (m->container);
    goto out;
  }
  report_status (m, g_variant_new ("(bv)", TRUE, g_variant_new ("(si)", "running", (int) m->init_pid)));
  if (!m->opts.foreground)
    close_status (m);

  g_main_loop_run (m->loop);
  status = 0;
  cove_container_pop_log (m->container);

out:
  cove_monitor_drop_clients (m);
  if (m->hctx_live) {
    cove_hook_context_clear (&m->hctx);
    m->hctx_live = FALSE;
  }
  g_clear_pointer (&m->container_data, g_hash_table_unref);
  release_rundir (m);
  close_status (m);
  cove_close_fdp (&m->signal_fd);
  g_clear_pointer (&m->loop, g_main_loop_unref);
  g_clear_pointer (&m->container, cove_container_unref);
  g_clear_pointer (&m->context, cove_context_unref);
  g_free (m->rootfs);
  g_free (m->rundir);
  g_free (m->socket_path);
  return status;
}
