/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp notification proxy client, on the monitor's main loop.
 *
 * Each notification read from the listener goes to the proxy as one SOCK_SEQPACKET
 * message in LXC's layout — header, struct seccomp_notif, an empty struct
 * seccomp_notif_resp (both in the kernel's sizes), the cookie — with three fds:
 * /proc/<pid>, /proc/<pid>/mem and the listener. The proxy answers with header, notif and
 * resp (no cookie). Unlike LXC, nothing here waits: requests are sent without blocking
 * and replies are matched to them by id when they come, so a slow proxy delays only the
 * syscalls it has not answered yet, and the command socket keeps being served.
 *
 * The init's listener comes first; attached commands bring listeners of their own
 * (seccomp_proxy_add_listener()), each watched until no task uses its filter. Notification
 * ids are random 64-bit values per listener, so an id names its request across them.
 */
#include "proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* LXC's struct seccomp_notify_proxy_msg, the header of messages both ways. */
typedef struct {
  guint64 reserved;
  pid_t monitor_pid;
  pid_t init_pid;
  struct seccomp_notif_sizes sizes;
  guint64 cookie_len;
} ProxyHeader;

G_STATIC_ASSERT (sizeof (ProxyHeader) == 32);

#define LISTENERS_MAX 1024

typedef struct {
  SeccompProxy *proxy;
  int fd;
  GSource *source;
} Listener;

typedef struct {
  Listener *listener;
  guint64 id;
  gint64 deadline;   /* g_get_monotonic_time() */
} Pending;

struct _SeccompProxy {
  char *address;
  struct sockaddr_un sun;
  socklen_t sun_len;
  char *cookie;
  gsize cookie_len;
  int sock;
  GPtrArray *listeners;             /* Listener *, the init's first */
  guint timeout_ms;

  ProxyHeader header;
  struct seccomp_notif *notif;      /* MAX (kernel's size, ours), zeroed before each receive */
  gsize notif_alloc;
  guint8 *resp_zero;                /* the empty resp sent with each request */
  guint8 *reply;                    /* one reply, plus a byte to see an oversized one */
  gsize reply_size;                 /* the one valid reply size: header + notif + resp */

  GMainContext *context;
  GSource *sock_source;
  GSource *timeout_source;
  GQueue pending;                   /* Pending, oldest first: all share one timeout */
};

static void close_connection (SeccompProxy *proxy);
static void listener_free (gpointer data);

/* ---- addresses and the connection ---------------------------------------------------- */

gboolean
seccomp_proxy_address_parse (const char *address, struct sockaddr_un *sun, socklen_t *len,
                             GError **error)
{
  const char *name;
  gsize name_len;

  if (!g_str_has_prefix (address, "unix:")) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "expected unix:/PATH or unix:@NAME (an abstract socket)");
    return FALSE;
  }
  name = address + strlen ("unix:");
  name_len = strlen (name);
  if (name[0] != '/' && name[0] != '@') {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "\"%s\" is neither an absolute path nor an @abstract name", name);
    return FALSE;
  }
  if (name_len < 2) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "the socket name is empty");
    return FALSE;
  }
  if (name_len > sizeof sun->sun_path - 1) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "the socket name is %zu bytes long; at most %zu fit", name_len,
                 sizeof sun->sun_path - 1);
    return FALSE;
  }
  if (sun == NULL)
    return TRUE;
  memset (sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  memcpy (sun->sun_path, name, name_len);
  if (name[0] == '@') {
    /* the whole name counts, after the leading NUL (LXC drops its last byte) */
    sun->sun_path[0] = '\0';
    *len = offsetof (struct sockaddr_un, sun_path) + name_len;
  } else {
    *len = offsetof (struct sockaddr_un, sun_path) + name_len + 1;
  }
  return TRUE;
}

static gboolean on_sock (int fd, GIOCondition condition, gpointer user_data);

/* A watch that may recurse: GLib then leaves its fd in the poll set while dispatching
 * instead of taking it out and back (six eventfd syscalls per notification otherwise). */
static GSource *
watch_fd (GMainContext *context, int fd, GUnixFDSourceFunc func, gpointer data)
{
  GSource *source = g_unix_fd_source_new (fd, G_IO_IN | G_IO_HUP | G_IO_ERR);

  g_source_set_callback (source, G_SOURCE_FUNC (func), data, NULL);
  g_source_set_can_recurse (source, TRUE);
  g_source_attach (source, context);
  return source;
}

static gboolean
connect_proxy (SeccompProxy *proxy, GError **error)
{
  int sock = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int errsv;

  if (sock < 0)
    return cove_set_error_from_errno (error, errno, "seccomp proxy %s: socket", proxy->address);
  if (connect (sock, (struct sockaddr *) &proxy->sun, proxy->sun_len) < 0) {
    errsv = errno;
    close (sock);
    return cove_set_error_from_errno (error, errsv, "connect to the seccomp proxy %s", proxy->address);
  }
  proxy->sock = sock;
  if (proxy->context != NULL)
    proxy->sock_source = watch_fd (proxy->context, sock, on_sock, proxy);
  return TRUE;
}

SeccompProxy *
seccomp_proxy_new (const char *address, const char *cookie, GError **error)
{
  g_autoptr(SeccompProxy) proxy = g_new0 (SeccompProxy, 1);

  proxy->sock = -1;
  proxy->listeners = g_ptr_array_new_with_free_func (listener_free);
  proxy->address = g_strdup (address);
  proxy->cookie = g_strdup (cookie ? cookie : "");
  proxy->cookie_len = strlen (proxy->cookie);
  g_queue_init (&proxy->pending);
  if (!seccomp_proxy_address_parse (address, &proxy->sun, &proxy->sun_len, error)) {
    g_prefix_error (error, "lxc.seccomp.notify.proxy = \"%s\": ", address);
    return NULL;
  }
  if (!connect_proxy (proxy, error))
    return NULL;
  return g_steal_pointer (&proxy);
}

/* ---- answers ------------------------------------------------------------------------ */

static void
respond (Listener *listener, guint64 id, gint64 val, gint32 err, guint32 flags)
{
  struct seccomp_notif_resp resp = { .id = id, .val = val, .error = err, .flags = flags };

  if (ioctl (listener->fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0 || errno == ENOENT)
    return;   /* ENOENT: the task is gone, or was interrupted and restarts the syscall */
  g_debug ("seccomp proxy %s: answer notification %" G_GUINT64_FORMAT ": %s; failing it with ENOSYS",
           listener->proxy->address, id, g_strerror (errno));
  resp.val = 0;
  resp.error = -ENOSYS;
  resp.flags = 0;
  ioctl (listener->fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static void
fail_pending (SeccompProxy *proxy, Pending *p)
{
  g_queue_remove (&proxy->pending, p);
  respond (p->listener, p->id, 0, -ENOSYS, 0);
  g_free (p);
}

static Pending *
find_pending (SeccompProxy *proxy, guint64 id)
{
  for (GList *l = proxy->pending.head; l != NULL; l = l->next)
    if (((Pending *) l->data)->id == id)
      return l->data;
  return NULL;
}

static gboolean on_timeout (gpointer user_data);

static void
arm_timeout (SeccompProxy *proxy)
{
  Pending *oldest = g_queue_peek_head (&proxy->pending);
  gint64 wait_us;

  if (proxy->timeout_source != NULL || oldest == NULL)
    return;
  wait_us = MAX (0, oldest->deadline - g_get_monotonic_time ());
  proxy->timeout_source = g_timeout_source_new ((guint) (wait_us / 1000) + 1);
  g_source_set_callback (proxy->timeout_source, on_timeout, proxy, NULL);
  g_source_attach (proxy->timeout_source, proxy->context);
}

static gboolean
on_timeout (gpointer user_data)
{
  SeccompProxy *proxy = user_data;
  gint64 now = g_get_monotonic_time ();
  Pending *oldest;

  g_clear_pointer (&proxy->timeout_source, g_source_unref);
  while ((oldest = g_queue_peek_head (&proxy->pending)) != NULL && oldest->deadline <= now) {
    g_debug ("seccomp proxy %s: no answer to notification %" G_GUINT64_FORMAT " in %u ms; ENOSYS",
             proxy->address, oldest->id, proxy->timeout_ms);
    fail_pending (proxy, oldest);
  }
  arm_timeout (proxy);
  return G_SOURCE_REMOVE;
}

/* ---- requests ----------------------------------------------------------------------- */

static gboolean
send_request (SeccompProxy *proxy, const int fds[3])
{
  struct iovec iov[4] = {
    { &proxy->header, sizeof proxy->header },
    { proxy->notif, proxy->header.sizes.seccomp_notif },
    { proxy->resp_zero, proxy->header.sizes.seccomp_notif_resp },
    { proxy->cookie, proxy->cookie_len },
  };
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (3 * sizeof (int))];
  } control = { 0 };
  struct msghdr msg = {
    .msg_iov = iov, .msg_iovlen = proxy->cookie_len > 0 ? 4 : 3,
    .msg_control = control.buf, .msg_controllen = sizeof control.buf,
  };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);

  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (3 * sizeof (int));
  memcpy (CMSG_DATA (cmsg), fds, 3 * sizeof (int));
  while (sendmsg (proxy->sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return FALSE;
  return TRUE;
}

static gboolean
connection_lost (int errsv)
{
  return errsv == EPIPE || errsv == ECONNRESET || errsv == ENOTCONN || errsv == ECONNREFUSED ||
         errsv == EBADF;
}

/* Sends the request in proxy->notif, reconnecting once to a proxy that went away. */
static gboolean
forward (SeccompProxy *proxy, const int fds[3])
{
  g_autoptr(GError) error = NULL;

  if (proxy->sock >= 0 && send_request (proxy, fds))
    return TRUE;
  if (proxy->sock >= 0 && !connection_lost (errno)) {
    g_debug ("seccomp proxy %s: send: %s", proxy->address, g_strerror (errno));
    return FALSE;
  }
  close_connection (proxy);
  if (!connect_proxy (proxy, &error)) {
    g_debug ("%s", error->message);
    return FALSE;
  }
  if (send_request (proxy, fds))
    return TRUE;
  g_debug ("seccomp proxy %s: send after reconnecting: %s", proxy->address, g_strerror (errno));
  return FALSE;
}

/* No task uses the filter any more: nothing it had pending can be answered. */
static void
drop_listener (Listener *listener)
{
  SeccompProxy *proxy = listener->proxy;

  for (GList *l = proxy->pending.head, *next; l != NULL; l = next) {
    next = l->next;
    if (((Pending *) l->data)->listener == listener) {
      g_free (l->data);
      g_queue_delete_link (&proxy->pending, l);
    }
  }
  g_ptr_array_remove_fast (proxy->listeners, listener);
}

static gboolean
on_listener (int fd, GIOCondition condition, gpointer user_data)
{
  Listener *listener = user_data;
  SeccompProxy *proxy = listener->proxy;
  char path[64];
  int fds[3] = { -1, -1, listener->fd };
  guint64 id;
  Pending *p;

  if (condition & (G_IO_HUP | G_IO_ERR)) {
    drop_listener (listener);
    return G_SOURCE_REMOVE;
  }
  memset (proxy->notif, 0, proxy->notif_alloc);
  if (ioctl (listener->fd, SECCOMP_IOCTL_NOTIF_RECV, proxy->notif) < 0)
    return G_SOURCE_CONTINUE;   /* ENOENT: the task died; EINTR: try again on the next round */
  id = proxy->notif->id;

  g_snprintf (path, sizeof path, "/proc/%d", (int) proxy->notif->pid);
  fds[0] = open (path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  /* through the directory: one process for both fds, and no second walk of /proc */
  fds[1] = fds[0] >= 0 ? openat (fds[0], "mem", O_RDWR | O_CLOEXEC) : -1;
  /* the pid was read before the opens: only a still-valid id proves they are the task's */
  if (ioctl (listener->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0) {
    if (fds[0] >= 0)
      close (fds[0]);
    if (fds[1] >= 0)
      close (fds[1]);
    return G_SOURCE_CONTINUE;
  }
  if (fds[0] < 0 || fds[1] < 0 || !forward (proxy, fds)) {
    if (fds[0] < 0 || fds[1] < 0)
      g_debug ("seccomp proxy %s: open %s%s: %s", proxy->address, path, fds[0] >= 0 ? "/mem" : "",
               g_strerror (errno));
    respond (listener, id, 0, -ENOSYS, 0);
  } else {
    p = g_new (Pending, 1);
    p->listener = listener;
    p->id = id;
    p->deadline = g_get_monotonic_time () + (gint64) proxy->timeout_ms * 1000;
    g_queue_push_tail (&proxy->pending, p);
    arm_timeout (proxy);
  }
  if (fds[0] >= 0)
    close (fds[0]);
  if (fds[1] >= 0)
    close (fds[1]);
  return G_SOURCE_CONTINUE;
}

/* ---- replies ------------------------------------------------------------------------ */

/* The request a reply answers: resp.id, else the echoed notif.id, else the only one
 * pending (LXC corrects a wrong resp.id to the one request it has in flight). */
static Pending *
match_reply (SeccompProxy *proxy, gsize len)
{
  gsize notif_end = sizeof (ProxyHeader) + proxy->header.sizes.seccomp_notif;
  Pending *p = NULL;
  guint64 id;

  if (len == proxy->reply_size) {
    memcpy (&id, proxy->reply + notif_end + offsetof (struct seccomp_notif_resp, id), sizeof id);
    p = find_pending (proxy, id);
  }
  if (p == NULL && len >= notif_end) {
    memcpy (&id, proxy->reply + sizeof (ProxyHeader) + offsetof (struct seccomp_notif, id), sizeof id);
    p = find_pending (proxy, id);
  }
  if (p == NULL && g_queue_get_length (&proxy->pending) == 1)
    p = g_queue_peek_head (&proxy->pending);
  return p;
}

static void
handle_reply (SeccompProxy *proxy, gsize len)
{
  gsize resp_at = sizeof (ProxyHeader) + proxy->header.sizes.seccomp_notif;
  struct seccomp_notif_resp resp;
  Pending *p = match_reply (proxy, len);

  if (p == NULL) {
    g_debug ("seccomp proxy %s: a reply of %zu bytes to no pending notification; dropped",
             proxy->address, len);
    return;
  }
  if (len != proxy->reply_size) {
    g_debug ("seccomp proxy %s: a reply of %zu bytes (expected %zu); ENOSYS", proxy->address,
             len, proxy->reply_size);
    fail_pending (proxy, p);
    return;
  }
  memcpy (&resp, proxy->reply + resp_at, sizeof resp);
  g_queue_remove (&proxy->pending, p);
  respond (p->listener, p->id, resp.val, resp.error, resp.flags);
  g_free (p);
}

/* One reply per dispatch: a second recv would almost always be EAGAIN; more queued
 * replies keep the socket readable for the next round. */
static gboolean
on_sock (int fd, GIOCondition condition, gpointer user_data)
{
  SeccompProxy *proxy = user_data;
  ssize_t n;

  do
    n = recv (proxy->sock, proxy->reply, proxy->reply_size + 1, MSG_DONTWAIT | MSG_TRUNC);
  while (n < 0 && errno == EINTR);
  if (n > 0) {
    handle_reply (proxy, (gsize) n);
    return G_SOURCE_CONTINUE;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !(condition & (G_IO_HUP | G_IO_ERR)))
    return G_SOURCE_CONTINUE;
  g_debug ("seccomp proxy %s: connection closed; %u notifications fail with ENOSYS",
           proxy->address, g_queue_get_length (&proxy->pending));
  close_connection (proxy);
  return G_SOURCE_REMOVE;
}

static void
destroy_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Everything in flight on the old connection will never be answered. */
static void
close_connection (SeccompProxy *proxy)
{
  Pending *p;

  if (proxy->sock_source != NULL) {
    g_source_destroy (proxy->sock_source);
    g_clear_pointer (&proxy->sock_source, g_source_unref);
  }
  if (proxy->sock >= 0) {
    close (proxy->sock);
    proxy->sock = -1;
  }
  while ((p = g_queue_peek_head (&proxy->pending)) != NULL)
    fail_pending (proxy, p);
}

/* ---- life --------------------------------------------------------------------------- */

static void
listener_free (gpointer data)
{
  Listener *listener = data;

  if (listener->source != NULL) {
    g_source_destroy (listener->source);
    g_source_unref (listener->source);
  }
  close (listener->fd);
  g_free (listener);
}

static gboolean
is_seccomp_listener (int fd)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autofree char *target = g_file_read_link (link, NULL);

  return g_strcmp0 (target, "anon_inode:seccomp notify") == 0;
}

gboolean
seccomp_proxy_add_listener (SeccompProxy *proxy, int fd, GError **error)
{
  Listener *listener;

  if (proxy->context == NULL || !is_seccomp_listener (fd) || proxy->listeners->len >= LISTENERS_MAX) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 proxy->context == NULL ? "the seccomp proxy %s is not serving yet" :
                 proxy->listeners->len >= LISTENERS_MAX ? "the seccomp proxy %s serves too many listeners" :
                 "not a seccomp notification listener (for the seccomp proxy %s)", proxy->address);
    close (fd);
    return FALSE;
  }
  listener = g_new0 (Listener, 1);
  listener->proxy = proxy;
  listener->fd = fd;
  listener->source = watch_fd (proxy->context, fd, on_listener, listener);
  g_ptr_array_add (proxy->listeners, listener);
  return TRUE;
}

gboolean
seccomp_proxy_start (SeccompProxy *proxy, int listener, pid_t monitor_pid, pid_t init_pid,
                     GMainContext *context, guint timeout_ms, GError **error)
{
  struct seccomp_notif_sizes sizes;

  proxy->timeout_ms = timeout_ms;
  if (syscall (SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
    close (listener);
    return cove_set_error_from_errno (error, errno, "seccomp(SECCOMP_GET_NOTIF_SIZES)");
  }
  proxy->header.monitor_pid = monitor_pid;
  proxy->header.init_pid = init_pid;
  proxy->header.sizes = sizes;
  proxy->header.cookie_len = proxy->cookie_len;
  proxy->notif_alloc = MAX (sizes.seccomp_notif, sizeof (struct seccomp_notif));
  proxy->notif = g_malloc0 (proxy->notif_alloc);
  proxy->resp_zero = g_malloc0 (MAX (sizes.seccomp_notif_resp, sizeof (struct seccomp_notif_resp)));
  proxy->reply_size = sizeof (ProxyHeader) + sizes.seccomp_notif + sizes.seccomp_notif_resp;
  proxy->reply = g_malloc0 (MAX (proxy->reply_size, sizeof (ProxyHeader) + sizeof (struct seccomp_notif) +
                                                      sizeof (struct seccomp_notif_resp)) + 1);

  proxy->context = g_main_context_ref (context);
  if (proxy->sock >= 0)
    proxy->sock_source = watch_fd (proxy->context, proxy->sock, on_sock, proxy);
  return seccomp_proxy_add_listener (proxy, listener, error);
}

void
seccomp_proxy_free (SeccompProxy *proxy)
{
  if (proxy == NULL)
    return;
  destroy_source (&proxy->timeout_source);
  close_connection (proxy);   /* answers what is still pending, while the listeners are open */
  g_ptr_array_unref (proxy->listeners);
  g_clear_pointer (&proxy->context, g_main_context_unref);
  g_free (proxy->notif);
  g_free (proxy->resp_zero);
  g_free (proxy->reply);
  g_free (proxy->cookie);
  g_free (proxy->address);
  g_free (proxy);
}
