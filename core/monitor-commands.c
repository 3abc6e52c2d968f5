/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command socket: a filesystem unix socket per container (reachable from any network
 * namespace), peers checked with SO_PEERCRED (root or the monitor's user), one GVariant
 * request (sv) at a time per connection, bounded in size; requests that wait for a state
 * ("stop", "reboot", "wait-state" …) are answered when the state is reached.
 */
#define COVE_LOG_CATEGORY "command"
#include "monitor.h"
#include "rundir.h"
#include "wire.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib-unix.h>

typedef struct {
  CoveMonitor *m;
  int fd;
  guint source;
  GByteArray *buf;
  GArray *fds;
} MonitorConn;

typedef enum { WAIT_STATE, WAIT_STOP, WAIT_REBOOT } WaitKind;

typedef struct {
  MonitorConn *conn;
  WaitKind kind;
  guint mask;
  gboolean stream;
  guint timeout_source;
  int timeout;
} MonitorWaiter;

struct _CoveCommandContext {
  CoveMonitor *monitor;
  const CoveCommand *command;
  GArray *fds;          /* received with the request; entries stolen become -1 */
  int reply_fds[4];
  guint n_reply_fds;
};

CoveConfig *
cove_command_context_get_config (CoveCommandContext *ctx)
{
  return ctx->monitor->config;
}

const char *
cove_command_context_get_container_name (CoveCommandContext *ctx)
{
  return ctx->monitor->opts.name;
}

CoveState
cove_command_context_get_state (CoveCommandContext *ctx)
{
  return ctx->monitor->state;
}

pid_t
cove_command_context_get_init_pid (CoveCommandContext *ctx)
{
  return ctx->monitor->init_pid;
}

int
cove_command_context_get_init_pidfd (CoveCommandContext *ctx)
{
  return ctx->monitor->init_pidfd;
}

gpointer
cove_command_context_get_data (CoveCommandContext *ctx)
{
  CoveMonitor *m = ctx->monitor;
  return m->hctx_live ? cove_hook_data_lookup (m->hctx.plugin_data, ctx->command->plugin) : NULL;
}

gpointer
cove_command_context_get_container_data (CoveCommandContext *ctx)
{
  return cove_hook_data_lookup (ctx->monitor->container_data, ctx->command->plugin);
}

guint
cove_command_context_get_n_fds (CoveCommandContext *ctx)
{
  return ctx->fds ? ctx->fds->len : 0;
}

int
cove_command_context_steal_fd (CoveCommandContext *ctx, guint index)
{
  int fd;

  if (ctx->fds == NULL || index >= ctx->fds->len)
    return -1;
  fd = g_array_index (ctx->fds, int, index);
  g_array_index (ctx->fds, int, index) = -1;
  return fd;
}

gboolean
cove_command_context_add_reply_fd (CoveCommandContext *ctx, int fd, GError **error)
{
  if (fd < 0 || ctx->n_reply_fds >= G_N_ELEMENTS (ctx->reply_fds)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "a reply carries at most %zu valid fds", G_N_ELEMENTS (ctx->reply_fds));
    return FALSE;
  }
  ctx->reply_fds[ctx->n_reply_fds++] = fd;
  return TRUE;
}

static void conn_close (MonitorConn *conn);

static void
reply (MonitorConn *conn, GVariant *message, const int *fds, guint n_fds)
{
  g_autoptr(GError) error = NULL;

  if (!cove_wire_send (conn->fd, message, fds, n_fds, &error))
    cove_debug ("reply to a client failed: %s", error->message);
}

static void
reply_error (MonitorConn *conn, GError *error)
{
  reply (conn, cove_wire_reply_error (error), NULL, 0);
}

static void
waiter_free (MonitorWaiter *w)
{
  g_clear_handle_id (&w->timeout_source, g_source_remove);
  g_free (w);
}

static void
waiter_finish (CoveMonitor *m, MonitorWaiter *w, GVariant *message)
{
  MonitorConn *conn = w->conn;

  m->waiters = g_list_remove (m->waiters, w);
  waiter_free (w);
  reply (conn, message, NULL, 0);
}

static MonitorWaiter *
waiter_add (CoveMonitor *m, MonitorConn *conn, WaitKind kind, guint mask, gboolean stream)
{
  MonitorWaiter *w = g_new0 (MonitorWaiter, 1);

  w->conn = conn;
  w->kind = kind;
  w->mask = mask;
  w->stream = stream;
  m->waiters = g_list_append (m->waiters, w);
  return w;
}

void
cove_monitor_notify_state (CoveMonitor *m, CoveState state, gboolean final)
{
  GList *l = m->waiters;

  while (l != NULL) {
    MonitorWaiter *w = l->data;
    l = l->next;

    if (w->stream) {
      if (w->mask & COVE_STATE_MASK (state))
        reply (w->conn, cove_wire_reply_ok (g_variant_new ("(u)", state)), NULL, 0);
      continue;
    }
    switch (w->kind) {
    case WAIT_REBOOT:
      if (state == COVE_STATE_RUNNING) {
        waiter_finish (m, w, cove_wire_reply_ok (NULL));
      } else if (final) {
        g_autoptr(GError) e = g_error_new (COVE_ERROR, COVE_ERROR_NOT_RUNNING,
                                           "container \"%s\" stopped instead of rebooting", m->opts.name);
        waiter_finish (m, w, cove_wire_reply_error (e));
      }
      break;
    case WAIT_STOP:
      if (final)
        waiter_finish (m, w, cove_wire_reply_ok (NULL));
      break;
    case WAIT_STATE:
      /* the STOPPED in the middle of a reboot is not the end */
      if ((w->mask & COVE_STATE_MASK (state)) && (state != COVE_STATE_STOPPED || final)) {
        waiter_finish (m, w, cove_wire_reply_ok (g_variant_new ("(u)", state)));
      } else if (final) {
        g_autoptr(GError) e = g_error_new (COVE_ERROR, COVE_ERROR_NOT_RUNNING,
                                           "container \"%s\" stopped", m->opts.name);
        waiter_finish (m, w, cove_wire_reply_error (e));
      }
      break;
    }
  }
}

static gboolean
on_shutdown_timeout (gpointer user_data)
{
  MonitorWaiter *w = user_data;

  w->timeout_source = 0;
  cove_info ("shutdown timeout reached: killing the container");
  cove_monitor_send_signal (w->conn->m, SIGKILL, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
on_reboot_timeout (gpointer user_data)
{
  MonitorWaiter *w = user_data;
  CoveMonitor *m = w->conn->m;
  g_autoptr(GError) e = g_error_new (COVE_ERROR, COVE_ERROR_TIMEOUT,
                                     "container \"%s\" did not come back within %d s",
                                     m->opts.name, w->timeout);

  w->timeout_source = 0;
  waiter_finish (m, w, cove_wire_reply_error (e));
  return G_SOURCE_REMOVE;
}

/* g_timeout_add_seconds() may fire up to a second late (it batches wakeups on whole
 * seconds); reboot2(2) must time out after 2 s, not 2.9. */
static guint
timeout_ms (gint32 seconds)
{
  return (guint) MIN ((guint64) seconds * 1000, G_MAXUINT);
}

/* LXC's rule: without lxc.signal.halt, an init that blocks SIGRTMIN+3 (systemd) is
 * halted with SIGRTMIN+3 instead of SIGPWR. */
static gboolean
init_blocks (pid_t pid, int sig)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) || (line = strstr (status, "\nSigBlk:")) == NULL)
    return FALSE;
  return (g_ascii_strtoull (line + strlen ("\nSigBlk:"), NULL, 16) >> (sig - 1)) & 1;
}

static int
halt_or_signal (CoveMonitor *m, const char *key)
{
  if (g_str_equal (key, "signal.halt") && !cove_config_is_set (m->config, -1, "signal.halt") &&
      init_blocks (m->init_pid, SIGRTMIN + 3))
    return SIGRTMIN + 3;
  return cove_config_signal (m->config, key);
}

static gboolean
signal_init (CoveMonitor *m, const char *key, GError **error)
{
  if (m->state != COVE_STATE_RUNNING || m->init_pidfd < 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING, "container \"%s\" is not running",
                 m->opts.name);
    return FALSE;
  }
  return cove_monitor_send_signal (m, halt_or_signal (m, key), error);
}

/* Returns TRUE when the request was answered (or will be, by a waiter). */
static gboolean
dispatch (MonitorConn *conn, const char *name, GVariant *args, GError **error)
{
  CoveMonitor *m = conn->m;
  gint32 timeout;

  if (g_str_equal (name, "state")) {
    reply (conn, cove_wire_reply_ok (g_variant_new ("(u)", m->state)), NULL, 0);
  } else if (g_str_equal (name, "init-pid") || g_str_equal (name, "init-pidfd")) {
    if (m->init_pidfd < 0) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING, "container \"%s\" has no init now",
                   m->opts.name);
      return FALSE;
    }
    if (g_str_equal (name, "init-pid"))
      reply (conn, cove_wire_reply_ok (g_variant_new ("(i)", (gint32) m->init_pid)), NULL, 0);
    else
      reply (conn, cove_wire_reply_ok (NULL), &m->init_pidfd, 1);
  } else if (g_str_equal (name, "interfaces")) {
    GVariant *list = cove_monitor_list_interfaces (m, error);
    if (list == NULL)
      return FALSE;
    reply (conn, cove_wire_reply_ok (list), NULL, 0);
  } else if (g_str_equal (name, "monitor-pid")) {
    reply (conn, cove_wire_reply_ok (g_variant_new ("(i)", (gint32) getpid ())), NULL, 0);
  } else if (g_str_equal (name, "stop")) {
    if (m->state == COVE_STATE_RUNNING)
      cove_monitor_run_stop_hooks (m);
    if (!signal_init (m, "signal.stop", error))
      return FALSE;
    m->stop_requested = TRUE;
    waiter_add (m, conn, WAIT_STOP, 0, FALSE);
  } else if (g_str_equal (name, "shutdown") && g_variant_is_of_type (args, G_VARIANT_TYPE ("(i)"))) {
    g_variant_get (args, "(i)", &timeout);
    if (m->state == COVE_STATE_RUNNING)
      cove_monitor_run_stop_hooks (m);
    if (!signal_init (m, "signal.halt", error))
      return FALSE;
    m->stop_requested = TRUE;
    if (timeout == 0) {
      reply (conn, cove_wire_reply_ok (NULL), NULL, 0);
    } else {
      MonitorWaiter *w = waiter_add (m, conn, WAIT_STOP, 0, FALSE);
      if (timeout > 0)
        w->timeout_source = g_timeout_add (timeout_ms (timeout), on_shutdown_timeout, w);
    }
  } else if (g_str_equal (name, "reboot") && g_variant_is_of_type (args, G_VARIANT_TYPE ("(i)"))) {
    g_variant_get (args, "(i)", &timeout);
    if (!signal_init (m, "signal.reboot", error))
      return FALSE;
    if (timeout == 0) {
      reply (conn, cove_wire_reply_ok (NULL), NULL, 0);
    } else {
      MonitorWaiter *w = waiter_add (m, conn, WAIT_REBOOT, 0, FALSE);
      w->timeout = timeout;
      if (timeout > 0)
        w->timeout_source = g_timeout_add (timeout_ms (timeout), on_reboot_timeout, w);
    }
  } else if (g_str_equal (name, "wait-state") && g_variant_is_of_type (args, G_VARIANT_TYPE ("(ub)"))) {
    guint32 mask;
    gboolean stream;
    g_variant_get (args, "(ub)", &mask, &stream);
    if (!stream && (mask & COVE_STATE_MASK (m->state)))
      reply (conn, cove_wire_reply_ok (g_variant_new ("(u)", m->state)), NULL, 0);
    else
      waiter_add (m, conn, WAIT_STATE, mask, stream);
  } else {
    const CoveCommand *command = cove_registry_lookup_command (m->context->registry, name);
    CoveCommandContext ctx = { m, command, conn->fds, { -1, -1, -1, -1 }, 0 };
    g_autoptr(GVariant) payload = NULL;

    if (command == NULL) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED,
                   "unknown command \"%s\" (or wrong arguments)", name);
      return FALSE;
    }
    payload = command->func (&ctx, args, command->user_data, error);
    if (payload == NULL) {
      if (error != NULL && *error == NULL)
        g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "%s: command %s failed without a reason",
                     command->owner, name);
      return FALSE;
    }
    reply (conn, cove_wire_reply_ok (g_variant_ref_sink (payload)), ctx.reply_fds, ctx.n_reply_fds);
  }
  return TRUE;
}

static void
handle_request (MonitorConn *conn, const guint8 *data, gsize size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GVariant) raw = NULL;
  g_autoptr(GVariant) request = NULL;
  g_autoptr(GVariant) args = NULL;
  const char *name;

  /* g_variant_get_normal_form() returns a full reference of its own (not floating) */
  raw = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE ("(sv)"), bytes, FALSE));
  request = g_variant_get_normal_form (raw);
  g_variant_get (request, "(&sv)", &name, &args);
  if (!dispatch (conn, name, args, &error))
    reply_error (conn, error);
  cove_wire_close_fds (g_steal_pointer (&conn->fds));
  conn->fds = g_array_new (FALSE, FALSE, sizeof (int));
}

static gboolean
on_conn_readable (int fd, GIOCondition condition, gpointer user_data)
{
  MonitorConn *conn = user_data;
  char control[CMSG_SPACE (sizeof (int) * COVE_WIRE_FDS_MAX)];
  guint8 chunk[8192];
  struct iovec iov = { chunk, sizeof chunk };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof control };
  ssize_t n = recvmsg (fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0) {
    conn->source = 0;
    conn_close (conn);
    return G_SOURCE_REMOVE;
  }
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int *in = (int *) CMSG_DATA (c);
      for (guint i = 0; i < (c->cmsg_len - CMSG_LEN (0)) / sizeof (int); i++)
        g_array_append_val (conn->fds, in[i]);
    }
  }
  g_byte_array_append (conn->buf, chunk, n);

  while (conn->buf->len >= 4) {
    const guint8 *h = conn->buf->data;
    gsize size = h[0] | (h[1] << 8) | (h[2] << 16) | ((gsize) h[3] << 24);

    if (size > COVE_WIRE_REQUEST_MAX || conn->fds->len > COVE_WIRE_FDS_MAX) {
      g_autoptr(GError) e = g_error_new (COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                                         "request too large (limit %d bytes, %d fds)",
                                         COVE_WIRE_REQUEST_MAX, COVE_WIRE_FDS_MAX);
      reply_error (conn, e);
      conn->source = 0;
      conn_close (conn);
      return G_SOURCE_REMOVE;
    }
    if (conn->buf->len < 4 + size)
      break;
    handle_request (conn, conn->buf->data + 4, size);
    g_byte_array_remove_range (conn->buf, 0, 4 + size);
  }
  return G_SOURCE_CONTINUE;
}

static void
conn_close (MonitorConn *conn)
{
  CoveMonitor *m = conn->m;

  for (GList *l = m->waiters; l != NULL;) {
    MonitorWaiter *w = l->data;
    l = l->next;
    if (w->conn == conn) {
      m->waiters = g_list_remove (m->waiters, w);
      waiter_free (w);
    }
  }
  m->conns = g_list_remove (m->conns, conn);
  g_clear_handle_id (&conn->source, g_source_remove);
  cove_close_fdp (&conn->fd);
  g_byte_array_unref (conn->buf);
  cove_wire_close_fds (conn->fds);
  g_free (conn);
}

static gboolean
peer_allowed (int fd, GError **error)
{
  struct ucred cred;
  socklen_t len = sizeof cred;

  if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    return cove_throw_errno (error, "SO_PEERCRED");
  if (cred.uid == 0 || cred.uid == geteuid ())
    return TRUE;
  g_set_error (error, COVE_ERROR, COVE_ERROR_PERMISSION,
               "permission denied: uid %u may not control this container", (guint) cred.uid);
  return FALSE;
}

static gboolean
on_accept (int fd, GIOCondition condition, gpointer user_data)
{
  CoveMonitor *m = user_data;
  g_autoptr(GError) error = NULL;
  MonitorConn *conn;
  int client = accept4 (fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

  if (client < 0)
    return G_SOURCE_CONTINUE;
  if (!peer_allowed (client, &error)) {
    cove_warn ("command socket: %s", error->message);
    cove_wire_send (client, cove_wire_reply_error (error), NULL, 0, NULL);
    close (client);
    return G_SOURCE_CONTINUE;
  }
  conn = g_new0 (MonitorConn, 1);
  conn->m = m;
  conn->fd = client;
  conn->buf = g_byte_array_new ();
  conn->fds = g_array_new (FALSE, FALSE, sizeof (int));
  conn->source = g_unix_fd_add (client, G_IO_IN | G_IO_HUP | G_IO_ERR, on_conn_readable, conn);
  m->conns = g_list_prepend (m->conns, conn);
  return G_SOURCE_CONTINUE;
}

gboolean
cove_monitor_listen (CoveMonitor *m, GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  g_autofree char *tmp_path = g_strconcat (m->socket_path, ".new", NULL);

  if (strlen (tmp_path) >= sizeof addr.sun_path) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "socket path %s is too long", m->socket_path);
    return FALSE;
  }
  strcpy (addr.sun_path, tmp_path);
  /* we hold the container's lock, so any socket file here is stale */
  unlink (m->socket_path);
  unlink (tmp_path);
  m->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (m->listen_fd < 0)
    return cove_throw_errno (error, "socket");
  /* bound under a temporary name and renamed once listening: a client woken by the
   * socket's appearance (cove_container_wait watches the run directory) must never
   * find it refusing connections */
  if (bind (m->listen_fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return cove_throw_errno (error, "bind %s", tmp_path);
  if (listen (m->listen_fd, 64) < 0) {
    unlink (tmp_path);
    return cove_throw_errno (error, "listen on %s", tmp_path);
  }
  if (rename (tmp_path, m->socket_path) < 0) {
    unlink (tmp_path);
    return cove_throw_errno (error, "rename %s", tmp_path);
  }
  m->listen_source = g_unix_fd_add (m->listen_fd, G_IO_IN, on_accept, m);
  return TRUE;
}

void
cove_monitor_close_listener (CoveMonitor *m)
{
  if (m->listen_fd < 0)
    return;
  g_clear_handle_id (&m->listen_source, g_source_remove);
  unlink (m->socket_path);
  cove_close_fdp (&m->listen_fd);
}

void
cove_monitor_drop_clients (CoveMonitor *m)
{
  cove_monitor_close_listener (m);
  while (m->conns != NULL)
    conn_close (m->conns->data);
}
