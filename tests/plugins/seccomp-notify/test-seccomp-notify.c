/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-notify with real containers (suite "root"): acceptance checks C7.2–C7.4 and
 * C8.1–C8.5, C8.8 of spec/lxc-extensions.md §15 with Cove's improvements, profiles that
 * fail the start, a notification storm through the proxy while the monitor keeps
 * answering, and the example supervisor of docs/examples/seccomp-supervisor.
 *
 * Harness: tests/common/net-itest.h (a private network namespace — abstract proxy sockets
 * live there too —, one busybox container per case, everything stopped and removed after
 * it). The syscalls under test are made by seccomp-probe, a static binary copied into
 * the rootfs, run with cove_container_execute() in a thread while the case plays the
 * supervisor or the proxy; the probe exits with the errno the call got.
 */
#include "net-itest.h"
#include "proc-info.h"
#include "raw-command.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

/* ---- containers and profiles --------------------------------------------------------- */

static const char mknod_profile[] = "2\ndenylist\nmknod notify\nmknodat notify\n";

static char *
write_profile (const char *path, const char *name, const char *text)
{
  g_autoptr(GError) error = NULL;
  char *file = g_build_filename (path, name, NULL);

  g_file_set_contents (file, text, -1, &error);
  g_assert_no_error (error);
  return file;
}

static char *
common_profile (void)
{
  return g_build_filename (g_getenv ("COVE_DATADIR"), "seccomp", "common.seccomp", NULL);
}

static char *
rootfs_file (const char *path, const char *name)
{
  return g_build_filename (path, NET_NAME, "rootfs", name, NULL);
}

/* Copies the probe into the rootfs as /probe. */
static void
install_probe (const char *path)
{
  g_autofree char *probe = g_test_build_filename (G_TEST_BUILT, "seccomp-probe", NULL);
  g_autofree char *target = rootfs_file (path, "probe");
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_file_get_contents (probe, &data, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (target, data, len, G_FILE_SET_CONTENTS_NONE, 0755, &error);
  g_assert_no_error (error);
}

/* Opens c1, applies @keys (key, value, …, NULL) and saves them for other openers. */
static CoveContainer *
configure (const char *path, ...)
{
  CoveContainer *c = net_open (path);
  g_autoptr(GError) error = NULL;
  const char *key;
  va_list ap;

  va_start (ap, path);
  while ((key = va_arg (ap, const char *)) != NULL)
    net_set (c, key, va_arg (ap, const char *));
  va_end (ap);
  cove_container_save_config (c, NULL, &error);
  g_assert_no_error (error);
  install_probe (path);
  return c;
}

static void
assert_seccomp_filters (pid_t pid, const char *expect)
{
  g_autofree char *mode = proc_status_field (pid, "Seccomp");
  g_autofree char *filters = proc_status_field (pid, "Seccomp_filters");

  g_printerr ("# init %d: Seccomp: %s, Seccomp_filters: %s\n", (int) pid, mode, filters);
  g_assert_cmpstr (mode, ==, "2");
  g_assert_cmpstr (filters, ==, expect);
}

/* ---- cove_container_execute() in a thread --------------------------------------------- */

typedef struct {
  char *path;
  char **argv;
  int status;
  GError *error;
  GThread *thread;
} Exec;

static gpointer
exec_thread (gpointer data)
{
  Exec *e = data;
  g_autoptr(CoveContainer) c = cove_container_new (NET_NAME, e->path, &e->error);

  if (c != NULL && cove_container_load_config (c, NULL, &e->error))
    e->status = cove_container_execute (c, (const char *const *) e->argv, &e->error);
  return NULL;
}

/* Starts @argv in the container and returns once its monitor answers RUNNING. */
static Exec *
exec_start (const char *path, const char *const *argv)
{
  Exec *e = g_new0 (Exec, 1);
  g_autoptr(CoveContainer) c = net_open (path);

  e->path = g_strdup (path);
  e->argv = g_strdupv ((char **) argv);
  e->status = -1;
  e->thread = g_thread_new ("execute", exec_thread, e);
  if (!cove_container_wait (c, COVE_STATE_RUNNING, 10, NULL))
    g_error ("the container did not reach RUNNING");
  return e;
}

static int
exec_finish (Exec *e)
{
  int status;

  g_thread_join (e->thread);
  if (e->error != NULL)
    g_error ("execute: %s", e->error->message);
  status = e->status;
  g_strfreev (e->argv);
  g_free (e->path);
  g_free (e);
  return status;
}

/* ---- the proxy side ------------------------------------------------------------------- */

/* LXC's struct seccomp_notify_proxy_msg */
typedef struct {
  guint64 reserved;
  pid_t monitor_pid;
  pid_t init_pid;
  struct seccomp_notif_sizes sizes;
  guint64 cookie_len;
} ProxyHeader;

typedef struct {
  guint8 buf[8192];
  gssize len;
  int fds[4];
  int n_fds;
} ProxyMsg;

static socklen_t
proxy_address (const char *address, struct sockaddr_un *sun)
{
  const char *name = address + strlen ("unix:");

  memset (sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  g_assert_cmpuint (strlen (name), <, sizeof sun->sun_path);
  memcpy (sun->sun_path, name, strlen (name));
  if (name[0] == '@') {
    sun->sun_path[0] = '\0';
    return offsetof (struct sockaddr_un, sun_path) + strlen (name);
  }
  return offsetof (struct sockaddr_un, sun_path) + strlen (name) + 1;
}

static int
proxy_listen (const char *address)
{
  struct sockaddr_un sun;
  socklen_t len = proxy_address (address, &sun);
  int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  if (sun.sun_path[0] != '\0')
    unlink (sun.sun_path);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &sun, len), ==, 0);
  g_assert_cmpint (listen (fd, 4), ==, 0);
  return fd;
}

static gboolean
wait_readable (int fd, int timeout_ms)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };

  return poll (&p, 1, timeout_ms) == 1;
}

static int
proxy_accept (int listen_fd)
{
  int conn;

  if (!wait_readable (listen_fd, 10000))
    g_error ("the monitor did not connect to the proxy within 10 s");
  conn = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
  g_assert_cmpint (conn, >=, 0);
  return conn;
}

/* One request; FALSE at EOF. The fds stay open in @msg (proxy_msg_clear). */
static gboolean
proxy_recv (int conn, ProxyMsg *msg, int timeout_ms)
{
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (4 * sizeof (int))];
  } control;
  struct iovec iov = { msg->buf, sizeof msg->buf };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf };

  msg->n_fds = 0;
  if (!wait_readable (conn, timeout_ms))
    g_error ("no notification reached the proxy within %d ms", timeout_ms);
  msg->len = recvmsg (conn, &mh, MSG_CMSG_CLOEXEC);
  g_assert_cmpint (msg->len, >=, 0);
  if (msg->len == 0)
    return FALSE;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR (&mh); cm != NULL; cm = CMSG_NXTHDR (&mh, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
      msg->n_fds = (cm->cmsg_len - CMSG_LEN (0)) / sizeof (int);
      g_assert_cmpint (msg->n_fds, <=, 4);
      memcpy (msg->fds, CMSG_DATA (cm), msg->n_fds * sizeof (int));
    }
  }
  return TRUE;
}

static void
proxy_msg_clear (ProxyMsg *msg)
{
  for (int i = 0; i < msg->n_fds; i++)
    close (msg->fds[i]);
  msg->n_fds = 0;
}

static struct seccomp_notif *
proxy_notif (ProxyMsg *msg)
{
  return (struct seccomp_notif *) (msg->buf + sizeof (ProxyHeader));
}

/* Answers with header + notif + resp (@len bytes of it) carrying @err. */
static void
proxy_reply (int conn, ProxyMsg *msg, gint32 err, gsize len)
{
  ProxyHeader header;
  struct seccomp_notif_resp resp = { 0 };
  gsize at;

  memcpy (&header, msg->buf, sizeof header);
  at = sizeof header + header.sizes.seccomp_notif;
  resp.id = proxy_notif (msg)->id;
  resp.error = err;
  memcpy (msg->buf + at, &resp, sizeof resp);
  g_assert_cmpint (send (conn, msg->buf, len, MSG_NOSIGNAL), ==, (gssize) len);
}

static gsize
proxy_reply_size (ProxyMsg *msg)
{
  ProxyHeader header;

  memcpy (&header, msg->buf, sizeof header);
  return sizeof header + header.sizes.seccomp_notif + header.sizes.seccomp_notif_resp;
}

static char *
fd_target (int fd)
{
  g_autofree char *link = g_strdup_printf ("/proc/self/fd/%d", fd);

  return g_file_read_link (link, NULL);
}

/* Runs the probe's mknod in the container; returns once its notification reached the
 * proxy listening on @listen_fd, with the connection in @conn and the message in @msg. */
static Exec *
proxy_notified (const char *path, int listen_fd, int *conn, ProxyMsg *msg)
{
  Exec *e = exec_start (path, NARGV ("/probe", "mknod", "/dev/x", "1", "3"));

  *conn = proxy_accept (listen_fd);
  g_assert_true (proxy_recv (*conn, msg, 10000));
  return e;
}

/* ---- C7 ----------------------------------------------------------------------------- */

/* C7.2: a normal start loads the profile: one filter, and its errno 1 rules work. */
static void
case_profile_loaded (const char *path)
{
  g_autofree char *profile = common_profile ();
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile, NULL);
  pid_t init;

  net_start_ok (c);
  init = cove_container_init_pid (c, NULL);
  assert_seccomp_filters (init, "1");
  net_stop_ok (c);
  g_assert_cmpint (cove_container_execute (c, NARGV ("/probe", "open_by_handle_at"), NULL), ==, EPERM);
}

static int
wrapped_cove (const char *path, const char *const *args, char **err)
{
  g_autofree char *wrap = g_test_build_filename (G_TEST_BUILT, "seccomp-wrap", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_ptr_array_add (argv, wrap);
  g_ptr_array_add (argv, (char *) g_getenv ("COVE_TOOL"));
  g_ptr_array_add (argv, "-P");
  g_ptr_array_add (argv, (char *) path);
  for (const char *const *a = args; *a; a++)
    g_ptr_array_add (argv, (char *) *a);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, err,
                &wait_status, &error);
  g_assert_no_error (error);
  g_printerr ("# seccomp-wrap cove %s: status %d, stderr: %s\n", args[0], wait_status, *err);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
}

/* C7.3 and C7.4 (Cove: with allow_nesting = 0 an already-confined runtime fails the
 * start instead of silently running the container without its profile). */
static void
case_nesting (const char *path)
{
  g_autofree char *profile = common_profile ();
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile, NULL);
  g_autofree char *err = NULL;

  g_assert_cmpint (wrapped_cove (path, NARGV ("start", NET_NAME), &err), !=, 0);
  net_assert_contains (err, "lxc.seccomp.allow_nesting");
  net_assert_contains (err, "already runs under a seccomp filter");
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
  g_clear_pointer (&err, g_free);

  net_set (c, "lxc.seccomp.allow_nesting", "1");
  cove_container_save_config (c, NULL, NULL);
  g_assert_cmpint (wrapped_cove (path, NARGV ("start", NET_NAME), &err), ==, 0);
  g_clear_pointer (&err, g_free);
  assert_seccomp_filters (cove_container_init_pid (c, NULL), "2");
  net_stop_ok (c);

  /* C7.4: inside the nested container the profile's errno 1 rules are active */
  g_assert_cmpint (wrapped_cove (path, NARGV ("execute", NET_NAME, "--", "/probe", "open_by_handle_at"), &err),
                   ==, EPERM);
}

/* ---- C8 ----------------------------------------------------------------------------- */

/* C8.5 (and C8.6: it works from any process, not only the monitor's). */
static void
case_notify_fd (const char *path)
{
  g_autofree char *profile = write_profile (path, "mknod.seccomp", mknod_profile);
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile, NULL);
  g_autoptr(GError) error = NULL;
  struct seccomp_notif req = { 0 };
  struct seccomp_notif_resp resp = { 0 };
  g_autofree char *target = NULL;
  Exec *e = exec_start (path, NARGV ("/probe", "mknod", "/dev/x", "1", "3"));
  int fd = cove_container_seccomp_notify_fd (c, &error);

  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  target = fd_target (fd);
  g_assert_cmpstr (target, ==, "anon_inode:seccomp notify");
  g_assert_true (wait_readable (fd, 10000));
  g_assert_cmpint (ioctl (fd, SECCOMP_IOCTL_NOTIF_RECV, &req), ==, 0);
  g_assert_cmpint (req.data.nr, ==, __NR_mknodat);
#ifdef __x86_64__
  g_assert_cmphex (req.data.arch, ==, AUDIT_ARCH_X86_64);
#endif
  resp.id = req.id;
  resp.error = -EACCES;
  g_assert_cmpint (ioctl (fd, SECCOMP_IOCTL_NOTIF_SEND, &resp), ==, 0);
  close (fd);
  g_assert_cmpint (exec_finish (e), ==, EACCES);
}

/* C8.5's second half: no notify rule, no listener. */
static void
case_notify_fd_none (const char *path)
{
  g_autofree char *profile = common_profile ();
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile, NULL);
  g_autoptr(GError) error = NULL;

  net_start_ok (c);
  g_assert_cmpint (cove_container_seccomp_notify_fd (c, &error), ==, -1);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NO_DATA);
  net_assert_contains (error->message, "no notify rule");
  net_stop_ok (c);
}

/* C8.1 and C8.2: the message layout, and the answers: the proxy's, a reply of the wrong
 * size (ENOSYS), no reply (ENOSYS after 30 s while the monitor keeps answering). */
static void
case_proxy (const char *path)
{
  g_autofree char *profile = write_profile (path, "mknod.seccomp", mknod_profile);
  g_autofree char *address = g_strdup_printf ("unix:%s/proxy.sock", path);
  int listen_fd = proxy_listen (address);
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile,
                                          "lxc.seccomp.notify.proxy", address,
                                          "lxc.seccomp.notify.cookie", "c00kie", NULL);
  ProxyHeader header;
  ProxyMsg msg;
  Exec *e;
  int conn;
  pid_t init;

  /* C8.1, C8.2: the proxy's answer */
  e = proxy_notified (path, listen_fd, &conn, &msg);
  memcpy (&header, msg.buf, sizeof header);
  init = cove_container_init_pid (c, NULL);
  g_printerr ("# message of %zd bytes, sizes notif=%u resp=%u data=%u\n", msg.len,
                  header.sizes.seccomp_notif, header.sizes.seccomp_notif_resp, header.sizes.seccomp_data);
  g_assert_cmpint (msg.len, ==, 32 + header.sizes.seccomp_notif + header.sizes.seccomp_notif_resp + 6);
  g_assert_cmpuint (header.reserved, ==, 0);
  g_assert_cmpint (header.init_pid, ==, (int) init);
  {
    g_autofree char *ppid = proc_status_field (init, "PPid");
    g_assert_cmpint (header.monitor_pid, ==, atoi (ppid));
  }
  g_assert_cmpuint (header.cookie_len, ==, 6);
  g_assert_cmpmem (msg.buf + msg.len - 6, 6, "c00kie", 6);
  g_assert_cmpint (proxy_notif (&msg)->data.nr, ==, __NR_mknodat);
#ifdef __x86_64__
  g_assert_cmphex (proxy_notif (&msg)->data.arch, ==, AUDIT_ARCH_X86_64);
#endif
  g_assert_cmpint (msg.n_fds, ==, 3);
  {
    g_autofree char *dir = fd_target (msg.fds[0]);
    g_autofree char *mem = fd_target (msg.fds[1]);
    g_autofree char *listener = fd_target (msg.fds[2]);
    g_autofree char *want_dir = g_strdup_printf ("/proc/%u", proxy_notif (&msg)->pid);
    g_autofree char *want_mem = g_strdup_printf ("/proc/%u/mem", proxy_notif (&msg)->pid);

    g_assert_cmpstr (dir, ==, want_dir);
    g_assert_cmpstr (mem, ==, want_mem);
    g_assert_cmpstr (listener, ==, "anon_inode:seccomp notify");
  }
  proxy_msg_clear (&msg);
  proxy_reply (conn, &msg, -EPERM, proxy_reply_size (&msg));
  g_assert_cmpint (exec_finish (e), ==, EPERM);
  close (conn);

  /* a reply with another resp.id is taken for the only request in flight, as in LXC */
  e = proxy_notified (path, listen_fd, &conn, &msg);
  proxy_msg_clear (&msg);
  proxy_notif (&msg)->id ^= 0x5a5a;   /* the echoed notif too: nothing names the request */
  proxy_reply (conn, &msg, -EPERM, proxy_reply_size (&msg));
  g_assert_cmpint (exec_finish (e), ==, EPERM);
  close (conn);

  /* C8.2: a reply of the wrong size */
  e = proxy_notified (path, listen_fd, &conn, &msg);
  proxy_msg_clear (&msg);
  proxy_reply (conn, &msg, -EPERM, proxy_reply_size (&msg) - 8);
  g_assert_cmpint (exec_finish (e), ==, ENOSYS);
  close (conn);

  /* C8.2 (Cove): no reply; the monitor answers state while the syscall waits */
  e = proxy_notified (path, listen_fd, &conn, &msg);
  proxy_msg_clear (&msg);
  for (int i = 0; i < 20; i++)
    g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
  g_printerr ("# state answered 20 times while the notification waits for the proxy\n");
  g_assert_cmpint (exec_finish (e), ==, ENOSYS);
  close (conn);
  close (listen_fd);
}

/* C8.3 (Cove): a proxy that does not listen fails the start naming it; a proxy that
 * restarts while the container runs gets the next notification. */
static void
case_proxy_absent_restart (const char *path)
{
  g_autofree char *profile = write_profile (path, "mknod.seccomp", mknod_profile);
  g_autofree char *absent = g_strdup_printf ("unix:%s/absent.sock", path);
  g_autofree char *address = g_strdup_printf ("unix:%s/proxy.sock", path);
  g_autofree char *go = rootfs_file (path, "go");
  g_autofree char *rc1 = rootfs_file (path, "rc1");
  g_autofree char *first = NULL;
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile,
                                          "lxc.seccomp.notify.proxy", absent, NULL);
  ProxyMsg msg;
  Exec *e;
  int listen_fd, conn;

  net_start_fails (c, absent);

  net_set (c, "lxc.seccomp.notify.proxy", address);
  cove_container_save_config (c, NULL, NULL);
  listen_fd = proxy_listen (address);
  e = exec_start (path, NARGV ("/bin/sh", "-c",
                               "/probe mknod /dev/a 1 3; echo $? > /rc1; "
                               "until [ -e /go ]; do usleep 10000; done; "
                               "exec /probe mknod /dev/b 1 3"));
  conn = proxy_accept (listen_fd);
  g_assert_true (proxy_recv (conn, &msg, 10000));
  proxy_msg_clear (&msg);
  proxy_reply (conn, &msg, -EPERM, proxy_reply_size (&msg));
  /* the proxy restarts */
  close (conn);
  close (listen_fd);
  listen_fd = proxy_listen (address);
  g_file_set_contents (go, "", 0, NULL);
  conn = proxy_accept (listen_fd);
  g_assert_true (proxy_recv (conn, &msg, 10000));
  proxy_msg_clear (&msg);
  proxy_reply (conn, &msg, -EACCES, proxy_reply_size (&msg));
  g_assert_cmpint (exec_finish (e), ==, EACCES);
  g_assert_true (g_file_get_contents (rc1, &first, NULL, NULL));
  g_assert_cmpstr (g_strstrip (first), ==, "1");
  close (conn);
  close (listen_fd);
}

/* C8.4: the whole abstract name (LXC connects to it minus its last byte). */
static void
case_proxy_abstract (const char *path)
{
  g_autofree char *profile = write_profile (path, "mknod.seccomp", mknod_profile);
  g_autofree char *address = g_strdup_printf ("unix:@cove-proxy-test-%d", (int) getpid ());
  int listen_fd = proxy_listen (address);
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile,
                                          "lxc.seccomp.notify.proxy", address, NULL);
  g_autoptr(GError) error = NULL;
  ProxyMsg msg;
  Exec *e;
  int conn;

  e = proxy_notified (path, listen_fd, &conn, &msg);
  proxy_msg_clear (&msg);
  /* the proxy owns the listener: the fd API refuses to be a second reader */
  g_assert_cmpint (cove_container_seccomp_notify_fd (c, &error), ==, -1);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_BUSY);
  proxy_reply (conn, &msg, -EPERM, proxy_reply_size (&msg));
  g_assert_cmpint (exec_finish (e), ==, EPERM);
  close (conn);
  close (listen_fd);
}

/* C8.8 at start time, and profiles that cannot work: each start fails with the file and
 * line, leaving nothing behind (the harness checks). */
static void
case_bad_profiles (const char *path)
{
  static const struct { const char *text; const char *expect; } bad[] = {
    { "2\ndenylist\n[bogus]\nkexec_load errno 1\n", ":3: unsupported architecture \"bogus\"" },
    { "3\ndenylist\n", ":1:" },
    { "2\ndenylist debug\n", ":2:" },
    { "2\ndenylist\nkexec_load errno\n", ":3:" },
    { "2\ndenylist\nioctl errno 1 [7,0x5412,==]\n", ":3:" },
  };
  g_autoptr(CoveContainer) c = configure (path, NULL);
  g_autofree char *missing = g_build_filename (path, "missing.seccomp", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autofree char *profile = write_profile (path, "bad.seccomp", bad[i].text);
    g_autofree char *expect = g_strconcat (profile, bad[i].expect, NULL);

    net_set (c, "lxc.seccomp.profile", profile);
    net_start_fails (c, expect);
  }
  net_set (c, "lxc.seccomp.profile", missing);
  net_start_fails (c, missing);

  /* an allowlist without the syscalls the init needs: killed at its next syscall, which
   * the start reports instead of hanging */
  {
    g_autofree char *profile = write_profile (path, "empty.seccomp", "2\nallowlist\n");
    net_set (c, "lxc.seccomp.profile", profile);
    net_start_fails (c, "killed by SIGSYS");
  }
}

/* A proxy on its own thread that answers every notification with one error. */
typedef struct {
  int conn;
  gint32 answer;
  gint answered;
  gint last_pid;   /* of the last notified task */
} ProxyServer;

static gpointer
proxy_serve (gpointer data)
{
  ProxyServer *s = data;
  ProxyMsg msg;

  while (wait_readable (s->conn, 30000) && proxy_recv (s->conn, &msg, 1000)) {
    proxy_msg_clear (&msg);
    g_atomic_int_set (&s->last_pid, (gint) proxy_notif (&msg)->pid);
    proxy_reply (s->conn, &msg, s->answer, proxy_reply_size (&msg));
    g_atomic_int_inc (&s->answered);
  }
  return NULL;
}

/* Thousands of notified syscalls through the proxy while state and console-log requests
 * keep being answered. */
static void
case_storm (const char *path)
{
  const int count = 5000;
  g_autofree char *profile = write_profile (path, "mknod.seccomp", mknod_profile);
  g_autofree char *address = g_strdup_printf ("unix:%s/proxy.sock", path);
  g_autofree char *init_cmd = g_strdup_printf (
    "/bin/sh -c 'until [ -e /go ]; do usleep 10000; done; /probe storm %d /dev/x 1 > /storm.out 2>&1; "
    "echo $? > /storm.rc; exec sleep 1000'", count);
  g_autofree char *go = rootfs_file (path, "go");
  g_autofree char *rc_file = rootfs_file (path, "storm.rc");
  g_autofree char *rc = NULL;
  int listen_fd = proxy_listen (address);
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile,
                                          "lxc.seccomp.notify.proxy", address,
                                          "lxc.console.buffer.size", "64K",
                                          "lxc.init.cmd", init_cmd, NULL);
  gboolean console = cove_has_api_extension ("console_log");
  ProxyServer storm = { -1, -EPERM, 0, 0 };
  guint states = 0, logs = 0, fds_before, fds_after;
  g_autofree char *monitor_text = NULL;
  pid_t monitor;
  GThread *proxy;

  net_start_ok (c);
  storm.conn = proxy_accept (listen_fd);
  monitor_text = proc_status_field (cove_container_init_pid (c, NULL), "PPid");
  monitor = atoi (monitor_text);
  fds_before = proc_fd_count_settled (monitor, 0, 300);
  proxy = g_thread_new ("proxy", proxy_serve, &storm);
  g_file_set_contents (go, "", 0, NULL);
  while (g_atomic_int_get (&storm.answered) < count || !g_file_test (rc_file, G_FILE_TEST_EXISTS)) {
    CoveConsoleLog log = { .read = TRUE, .read_max = 4096 };
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
    states++;
    if (console) {
      if (cove_container_console_log (c, &log, &error) || g_error_matches (error, COVE_ERROR, COVE_ERROR_NO_DATA))
        logs++;
      g_free (log.data);
    }
  }
  g_usleep (100 * 1000);   /* the rc file is written before the shell closes it */
  g_assert_true (g_file_get_contents (rc_file, &rc, NULL, NULL));
  g_assert_cmpstr (g_strstrip (rc), ==, "0");
  fds_after = proc_fd_count_settled (monitor, fds_before, 3000);
  g_printerr ("# %d notifications answered by the proxy; meanwhile %u state and %u console-log requests "
              "answered; monitor fds %u before, %u after\n", storm.answered, states, logs, fds_before, fds_after);
  g_assert_cmpint (storm.answered, ==, count);
  g_assert_cmpuint (states, >, 0);
  g_assert_cmpuint (fds_after, <=, fds_before);
  if (console)
    g_assert_cmpuint (logs, ==, states);
  net_stop_ok (c);
  g_thread_join (proxy);   /* the monitor's stop closed the connection: EOF there */
  close (storm.conn);
  close (listen_fd);
}

/* The plugin's messages reach the container's log: an unknown syscall is skipped with its
 * file and line at INFO. */
static void
case_log (const char *path)
{
  g_autofree char *profile = write_profile (path, "unknown.seccomp", "2\ndenylist\nno_such_call errno 1\n");
  g_autofree char *log_file = g_build_filename (path, "c1.log", NULL);
  g_autofree char *expect = g_strdup_printf ("%s:3: unknown system call \"no_such_call\", rule skipped", profile);
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile,
                                          "lxc.log.file", log_file, "lxc.log.level", "INFO", NULL);
  g_autofree char *text = NULL;

  net_start_ok (c);
  net_stop_ok (c);
  g_assert_true (g_file_get_contents (log_file, &text, NULL, NULL));
  net_assert_contains (text, expect);
  g_printerr ("# %s", text);
  net_assert_contains (text, "seccomp-notify");
}

/* A reboot gives the new init a new filter and listener: the old one hangs up. */
static void
case_reboot_listener (const char *path)
{
  g_autofree char *profile = write_profile (path, "mknod.seccomp", mknod_profile);
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile, NULL);
  g_autoptr(GError) error = NULL;
  struct pollfd p = { .events = POLLIN };
  int before, after;

  net_start_ok (c);
  before = cove_container_seccomp_notify_fd (c, &error);
  g_assert_no_error (error);
  g_assert_true (cove_container_reboot2 (c, 30, &error));
  g_assert_no_error (error);
  after = cove_container_seccomp_notify_fd (c, &error);
  g_assert_no_error (error);
  p.fd = before;
  g_assert_cmpint (poll (&p, 1, 5000), ==, 1);
  g_assert_true (p.revents & POLLHUP);
  p.fd = after;
  p.revents = 0;
  g_assert_cmpint (poll (&p, 1, 0), ==, 0);
  close (before);
  close (after);
  net_stop_ok (c);
}

/* An attached command runs under the init's filters: its errno rules apply, and without a
 * proxy its notify-rule syscalls, which no supervisor sees, fail with ENOSYS. */
static void
case_attach (const char *path)
{
  g_autofree char *profile = write_profile (path, "attach.seccomp",
                                            "2\ndenylist\nmknodat notify\nopen_by_handle_at errno 1\n");
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile, NULL);
  g_autofree char *filters = rootfs_file (path, "filters");
  g_autofree char *text = NULL;

  net_start_ok (c);
  g_assert_cmpint (net_attach (c, NARGV ("/probe", "open_by_handle_at")), ==, EPERM);
  g_assert_cmpint (net_attach (c, NARGV ("/probe", "mknod", "/dev/x", "1", "3")), ==, ENOSYS);
  g_assert_cmpint (net_attach (c, NARGV ("/bin/sh", "-c", "grep Seccomp /proc/self/status > /filters")), ==, 0);
  g_assert_true (g_file_get_contents (filters, &text, NULL, NULL));
  g_printerr ("# attached: %s", text);
  net_assert_contains (text, "Seccomp_filters:\t1");
  /* the init was only interrupted for the read: it still runs and answers */
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
  net_stop_ok (c);
}

/* An attached command's notifications reach the container's proxy through a listener of
 * its own, which the monitor closes once the command is gone. */
static void
case_attach_proxy (const char *path)
{
  g_autofree char *profile = write_profile (path, "mknod.seccomp", mknod_profile);
  g_autofree char *address = g_strdup_printf ("unix:%s/proxy.sock", path);
  g_autofree char *filters = rootfs_file (path, "filters");
  g_autofree char *text = NULL;
  g_autofree char *monitor_text = NULL;
  int listen_fd = proxy_listen (address);
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile,
                                          "lxc.seccomp.notify.proxy", address, NULL);
  ProxyServer server = { -1, -EACCES, 0, 0 };
  guint fds_before, fds_after;
  GThread *thread;
  pid_t init;

  net_start_ok (c);
  server.conn = proxy_accept (listen_fd);
  init = cove_container_init_pid (c, NULL);
  monitor_text = proc_status_field (init, "PPid");
  fds_before = proc_fd_count_settled (atoi (monitor_text), 0, 300);
  thread = g_thread_new ("proxy", proxy_serve, &server);

  for (int i = 0; i < 3; i++)
    g_assert_cmpint (net_attach (c, NARGV ("/probe", "mknod", "/dev/x", "1", "3")), ==, EACCES);
  g_assert_cmpint (g_atomic_int_get (&server.answered), ==, 3);
  g_assert_cmpint (g_atomic_int_get (&server.last_pid), !=, init);
  /* the notify filter was loaded once, with its listener, not next to a copy of it */
  g_assert_cmpint (net_attach (c, NARGV ("/bin/sh", "-c", "grep Seccomp /proc/self/status > /filters")), ==, 0);
  g_assert_true (g_file_get_contents (filters, &text, NULL, NULL));
  net_assert_contains (text, "Seccomp_filters:\t1");
  fds_after = proc_fd_count_settled (atoi (monitor_text), fds_before, 3000);
  g_printerr ("# 3 attached mknods answered by the proxy; monitor fds %u before, %u after\n",
              fds_before, fds_after);
  g_assert_cmpuint (fds_after, <=, fds_before);

  net_stop_ok (c);
  g_thread_join (thread);
  close (server.conn);
  close (listen_fd);
}

/* seccomp-notify-add-listener refuses what is not one attached command's listener, and
 * keeps none of the fds it refused; without a proxy it declines a real listener. */
static void
case_add_listener_bad_input (const char *path)
{
  g_autofree char *profile = write_profile (path, "mknod.seccomp", mknod_profile);
  g_autofree char *address = g_strdup_printf ("unix:%s/proxy.sock", path);
  g_autofree char *socket_path = raw_socket_for (path, NET_NAME);
  g_autofree char *monitor_text = NULL;
  int listen_fd = proxy_listen (address);
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile,
                                          "lxc.seccomp.notify.proxy", address, NULL);
  g_autoptr(GError) error = NULL;
  int pipe_fds[2], conn, listener;
  guint fds_before;
  struct {
    const char *what;
    GVariant *args;
    guint n_fds;
  } bad[] = {
    { "no arguments, no fd", g_variant_new ("()"), 0 },
    { "a pid, no fd", g_variant_new ("(i)", 1), 0 },
    { "a pid and a pipe", g_variant_new ("(i)", 1), 1 },
    { "a pid and two pipes", g_variant_new ("(i)", 1), 2 },
    { "a string and a pipe", g_variant_new ("(s)", "x"), 1 },
  };

  net_start_ok (c);
  conn = proxy_accept (listen_fd);
  monitor_text = proc_status_field (cove_container_init_pid (c, NULL), "PPid");
  fds_before = proc_fd_count_settled (atoi (monitor_text), 0, 300);
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(GVariant) reply = raw_call_fds (socket_path, "seccomp-notify-add-listener", bad[i].args,
                                              pipe_fds, bad[i].n_fds, &error);

    g_assert_null (reply);
    g_printerr ("# %s: %s\n", bad[i].what, error->message);
    g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  close (pipe_fds[0]);
  close (pipe_fds[1]);
  g_assert_cmpuint (proc_fd_count_settled (atoi (monitor_text), fds_before, 3000), <=, fds_before);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
  net_stop_ok (c);
  close (conn);

  /* no proxy: a real listener (the init's, from the fd API) is declined */
  net_set (c, "lxc.seccomp.notify.proxy", "");
  net_start_ok (c);
  listener = cove_container_seccomp_notify_fd (c, &error);
  g_assert_no_error (error);
  g_assert_null (raw_call_fds (socket_path, "seccomp-notify-add-listener", g_variant_new ("(i)", 1),
                               &listener, 1, &error));
  g_printerr ("# without a proxy: %s\n", error->message);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED);
  close (listener);
  net_stop_ok (c);
  close (listen_fd);
}

/* docs/examples/seccomp-supervisor against a real container: 1:3 continues, 1:1 EPERM. */
static void
case_example_supervisor (const char *path)
{
  g_autofree char *profile = write_profile (path, "mknod.seccomp", mknod_profile);
  g_autoptr(CoveContainer) c = configure (path, "lxc.seccomp.profile", profile, NULL);
  g_autofree char *supervisor = g_test_build_filename (G_TEST_BUILT, "seccomp-supervisor", NULL);
  g_autofree char *null_node = rootfs_file (path, "null2");
  const char *argv[] = { supervisor, "-P", path, "-n", "2", NET_NAME, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  GPid pid;
  int out_fd, wait_status;
  struct stat st;
  Exec *e;

  e = exec_start (path, NARGV ("/bin/sh", "-c", "/probe mknod /null2 1 3 && exec /probe mknod /mem2 1 1"));
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                            NULL, &out_fd, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (exec_finish (e), ==, EPERM);
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0);
  {
    g_autoptr(GIOChannel) ch = g_io_channel_unix_new (out_fd);
    g_io_channel_set_close_on_unref (ch, TRUE);
    g_io_channel_read_to_end (ch, &out, NULL, NULL);
  }
  g_printerr ("# supervisor: %s\n", out);
  net_assert_contains (out, "\"/null2\", 020600, 1:3) -> allowed");
  net_assert_contains (out, "\"/mem2\", 020600, 1:1) -> EPERM");
  g_assert_cmpint (lstat (null_node, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpuint (st.st_rdev, ==, makedev (1, 3));
}

static const NetCase cases[] = {
  { "/seccomp-notify/profile-loaded", case_profile_loaded, 60 },
  { "/seccomp-notify/nesting", case_nesting, 60 },
  { "/seccomp-notify/notify-fd", case_notify_fd, 60 },
  { "/seccomp-notify/notify-fd-none", case_notify_fd_none, 60 },
  { "/seccomp-notify/proxy", case_proxy, 120 },
  { "/seccomp-notify/proxy-absent-restart", case_proxy_absent_restart, 60 },
  { "/seccomp-notify/proxy-abstract", case_proxy_abstract, 60 },
  { "/seccomp-notify/bad-profiles", case_bad_profiles, 60 },
  { "/seccomp-notify/storm", case_storm, 120 },
  { "/seccomp-notify/log", case_log, 60 },
  { "/seccomp-notify/reboot-listener", case_reboot_listener, 60 },
  { "/seccomp-notify/attach", case_attach, 60 },
  { "/seccomp-notify/attach-proxy", case_attach_proxy, 60 },
  { "/seccomp-notify/add-listener-bad-input", case_add_listener_bad_input, 60 },
  { "/seccomp-notify/example-supervisor", case_example_supervisor, 60 },
};

int
main (int argc, char **argv)
{
  net_test_init (&argc, &argv);
  if (net_skip_reason == NULL && !g_test_subprocess () && !cove_has_api_extension ("seccomp_notify"))
    net_skip_reason = "the seccomp-notify plugin is not active (COVE_PLUGIN_PATH)";
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], net_run_case);
  return g_test_run ();
}
