/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's console: a pty the monitor allocates from its own devpts (the host's)
 * before the clone. The init makes the slave /dev/console (a bind mount onto the autodev
 * /dev/console, created if missing), its controlling terminal, and its stdin/stdout/stderr
 * where those are /dev/null (a daemonized start); the monitor drains the master on its main
 * loop with a non-blocking fd watch and copies what it reads to the ring, the log file and
 * the attached `cove console` client, if any.
 *
 * The console belongs to the container, not to one boot: it is kept in the plugin's
 * container data and survives reboots (same pty, same ring, same log file, same attached
 * client) until the monitor exits.
 */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>
#include <glib-unix.h>

#define PLAIN_BUF (64 * 1024)

/* ---- sources on the monitor's main context ------------------------------------------ */

static GSource *
watch (Console *con, int fd, GIOCondition condition, GUnixFDSourceFunc func)
{
  GSource *source = g_unix_fd_source_new (fd, condition);

  /* GLib blocks a source that cannot recurse while it is dispatched: it takes the fd out
   * of the poll set and puts it back, two eventfd wakeups and one more poll per dispatch,
   * i.e. per 4 KiB of console output. The callbacks never run a nested main loop. */
  g_source_set_can_recurse (source, TRUE);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) func, con, NULL);
  g_source_attach (source, con->main_context);
  return source;
}

static void
unwatch (GSource **source)
{
  if (*source != NULL) {
    g_source_destroy (*source);
    g_source_unref (*source);
    *source = NULL;
  }
}

static gboolean on_master_in (int fd, GIOCondition condition, gpointer user_data);
static gboolean on_master_out (int fd, GIOCondition condition, gpointer user_data);
static gboolean on_peer_in (int fd, GIOCondition condition, gpointer user_data);
static gboolean on_peer_out (int fd, GIOCondition condition, gpointer user_data);

/* ---- the attached client ----------------------------------------------------------- */

static void
peer_detach (Console *con)
{
  if (con->peer < 0)
    return;
  unwatch (&con->peer_in);
  unwatch (&con->peer_out);
  unwatch (&con->master_out);
  close (con->peer);
  con->peer = -1;
  g_byte_array_set_size (con->peer_pending, 0);
  con->peer_input_len = con->peer_input_off = 0;
  if (con->drain_paused) {
    con->drain_paused = FALSE;
    if (con->master_in == NULL && con->main_context != NULL)
      con->master_in = watch (con, con->master, G_IO_IN | G_IO_HUP | G_IO_ERR, on_master_in);
  }
}

/* Sends output to the client; what it cannot take now waits, and the drain pauses until
 * it has (the console back-pressures like a serial line with flow control, the monitor
 * never blocks and the ring and log file lose nothing). */
static void
peer_send (Console *con, const guint8 *data, gsize n)
{
  ssize_t done = 0;

  if (con->peer < 0)
    return;
  if (con->peer_pending->len == 0) {
    done = send (con->peer, data, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (done < 0 && errno != EAGAIN && errno != EINTR) {
      peer_detach (con);
      return;
    }
    if (done < 0)
      done = 0;
  }
  if ((gsize) done < n) {
    g_byte_array_append (con->peer_pending, data + done, n - done);
    if (con->peer_out == NULL)
      con->peer_out = watch (con, con->peer, G_IO_OUT | G_IO_HUP | G_IO_ERR, on_peer_out);
    con->drain_paused = TRUE;
  }
}

static gboolean
on_peer_out (int fd, GIOCondition condition, gpointer user_data)
{
  Console *con = user_data;

  while (con->peer_pending->len > 0) {
    ssize_t done = send (fd, con->peer_pending->data, con->peer_pending->len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (done < 0 && errno == EINTR)
      continue;
    if (done < 0 && errno == EAGAIN)
      return G_SOURCE_CONTINUE;
    if (done <= 0) {
      peer_detach (con);   /* destroys this source */
      return G_SOURCE_CONTINUE;
    }
    g_byte_array_remove_range (con->peer_pending, 0, done);
  }
  unwatch (&con->peer_out);
  if (con->drain_paused) {
    con->drain_paused = FALSE;
    if (con->master_in == NULL)
      con->master_in = watch (con, con->master, G_IO_IN | G_IO_HUP | G_IO_ERR, on_master_in);
  }
  return G_SOURCE_CONTINUE;
}

/* Input typed by the client goes to the master; when the container does not read it the
 * client's input waits in its socket (the monitor stops reading it). */
static gboolean
flush_input (Console *con)
{
  while (con->peer_input_off < con->peer_input_len) {
    ssize_t done = write (con->master, con->peer_input + con->peer_input_off,
                          con->peer_input_len - con->peer_input_off);
    if (done < 0 && errno == EINTR)
      continue;
    if (done < 0 && errno == EAGAIN)
      return FALSE;
    if (done <= 0) {
      g_debug ("console: input to the container lost: %s", g_strerror (errno));
      break;
    }
    con->peer_input_off += done;
  }
  con->peer_input_len = con->peer_input_off = 0;
  return TRUE;
}

static gboolean
on_peer_in (int fd, GIOCondition condition, gpointer user_data)
{
  Console *con = user_data;
  ssize_t n = recv (fd, con->peer_input, sizeof con->peer_input, MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0) {
    peer_detach (con);   /* the client went away */
    return G_SOURCE_CONTINUE;
  }
  con->peer_input_len = n;
  con->peer_input_off = 0;
  if (!flush_input (con)) {
    unwatch (&con->peer_in);
    con->master_out = watch (con, con->master, G_IO_OUT | G_IO_ERR, on_master_out);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_master_out (int fd, GIOCondition condition, gpointer user_data)
{
  Console *con = user_data;

  if (!flush_input (con))
    return G_SOURCE_CONTINUE;
  unwatch (&con->master_out);
  if (con->peer >= 0)
    con->peer_in = watch (con, con->peer, G_IO_IN | G_IO_HUP | G_IO_ERR, on_peer_in);
  return G_SOURCE_CONTINUE;
}

gboolean
console_attach_peer (Console *con, int fd, GError **error)
{
  if (con->peer >= 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_BUSY,
                 "another client is attached to the console (only one at a time)");
    return FALSE;
  }
  con->peer = fd;
  con->peer_in = watch (con, fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_peer_in);
  return TRUE;
}

gboolean
console_resize (Console *con, guint16 rows, guint16 cols, GError **error)
{
  struct winsize ws = { .ws_row = rows, .ws_col = cols };

  /* on the master: the kernel sends SIGWINCH to the console's foreground process group */
  if (ioctl (con->master, TIOCSWINSZ, &ws) < 0)
    return console_throw_errno (error, "set the console's window size");
  return TRUE;
}

/* ---- draining the master ----------------------------------------------------------- */

/* Every slave fd was closed (a vhangup() inside can do that to ours): hold a new one, or
 * the master would report a hangup on every poll. */
static gboolean
rehold (Console *con)
{
  int fd = ioctl (con->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

  if (fd < 0) {
    g_debug ("console: reopen the slave: %s; no more console output", g_strerror (errno));
    return FALSE;
  }
  if (con->hold >= 0)
    close (con->hold);
  con->hold = fd;
  return TRUE;
}

/* Reads until the master is empty (@to_eagain), or after one short read (the watch: poll()
 * says when there is more), the budget is spent or the peer is full. FALSE when the master
 * cannot be read any more. */
static gboolean
drain (Console *con, gsize budget, gboolean to_eagain)
{
  while (budget > 0 && !con->drain_paused) {
    guint8 *dst = con->ring.addr ? console_ring_write_ptr (&con->ring) : con->buf;
    gsize room = MIN (budget, con->ring.addr ? con->ring.size : PLAIN_BUF);
    ssize_t n = read (con->master, dst, room);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return TRUE;
    if (n < 0 && errno == EIO)
      return rehold (con);
    if (n <= 0) {
      g_debug ("console: read the master: %s", n < 0 ? g_strerror (errno) : "end of file");
      return FALSE;
    }
    /* the bytes were read straight into the ring: the log and the peer take them from
     * there before the next read can overwrite them */
    if (con->ring.addr)
      console_ring_commit (&con->ring, n);
    console_logfile_write (&con->log, dst, n);
    peer_send (con, dst, n);
    budget -= n;
    /* a short read emptied what the pty had (it hands out at most 4 KiB at a time): back
     * to poll() rather than one more read(2) that would most likely fail with EAGAIN */
    if ((gsize) n < room && !to_eagain)
      return TRUE;
  }
  return TRUE;
}

static gboolean
on_master_in (int fd, GIOCondition condition, gpointer user_data)
{
  Console *con = user_data;

  if (!drain (con, CONSOLE_DRAIN_BUDGET, FALSE)) {
    g_clear_pointer (&con->master_in, g_source_unref);
    return G_SOURCE_REMOVE;
  }
  if (con->drain_paused) {
    g_clear_pointer (&con->master_in, g_source_unref);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

void
console_watch (Console *con)
{
  if (con->master_in == NULL && !con->drain_paused)
    con->master_in = watch (con, con->master, G_IO_IN | G_IO_HUP | G_IO_ERR, on_master_in);
}

void
console_drain_now (Console *con, gsize budget)
{
  drain (con, budget, TRUE);
}

/* ---- allocation --------------------------------------------------------------------- */

static gboolean
open_pty (Console *con, GError **error)
{
  struct winsize ws = { .ws_row = 24, .ws_col = 80 };
  struct stat held, named;
  unsigned int n;
  int unlock = 0;

  con->master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (con->master < 0)
    return console_throw_errno (error, "open /dev/ptmx");
  if (ioctl (con->master, TIOCSPTLCK, &unlock) < 0 || ioctl (con->master, TIOCGPTN, &n) < 0)
    return console_throw_errno (error, "unlock the console pty");
  /* O_NOCTTY: the daemonized monitor is a session leader and must never get this tty */
  con->hold = ioctl (con->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (con->hold < 0)
    return console_throw_errno (error, "open the console pty's slave");
  con->slave_path = g_strdup_printf ("/dev/pts/%u", n);
  /* the init finds the slave by name in its copy of our mount namespace */
  if (fstat (con->hold, &held) < 0 || stat (con->slave_path, &named) < 0 ||
      held.st_rdev != named.st_rdev) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED,
                 "the console pty is not %s (is /dev/ptmx the devpts of /dev/pts?)", con->slave_path);
    return FALSE;
  }
  ioctl (con->master, TIOCSWINSZ, &ws);
  return TRUE;
}

Console *
console_new (CoveConfig *config, GMainContext *main_context, GError **error)
{
  Console *con = g_new0 (Console, 1);
  guint64 ring_size = cove_config_get_uint (config, -1, "console.buffer.size");
  const char *logfile = cove_config_get_string (config, -1, "console.logfile");

  con->config = config;
  con->main_context = main_context ? g_main_context_ref (main_context) : NULL;
  con->master = con->hold = con->peer = con->child_tree = -1;
  con->log.fd = -1;
  con->peer_pending = g_byte_array_new ();

  if (!open_pty (con, error))
    goto fail;
  if (ring_size > 0 && !console_ring_init (&con->ring, ring_size, error)) {
    g_prefix_error (error, "lxc.console.buffer.size: ");
    goto fail;
  }
  if (con->ring.addr == NULL)
    con->buf = g_malloc (PLAIN_BUF);
  if (logfile != NULL && *logfile != '\0' &&
      !console_logfile_open (&con->log, logfile, cove_config_get_uint (config, -1, "console.size"),
                             cove_config_get_bool (config, -1, "console.rotate"), error))
    goto fail;
  return con;

fail:
  console_free (con);
  return NULL;
}

void
console_free (Console *con)
{
  if (con == NULL)
    return;
  /* the last output; bounded, in case something still writes */
  if (con->master >= 0)
    console_drain_now (con, 16 * 1024 * 1024);
  peer_detach (con);
  unwatch (&con->master_in);
  unwatch (&con->master_out);
  if (con->master >= 0)
    close (con->master);
  if (con->hold >= 0)
    close (con->hold);
  if (con->child_tree >= 0)
    close (con->child_tree);
  console_ring_release (&con->ring);
  console_logfile_close (&con->log);
  g_byte_array_unref (con->peer_pending);
  g_free (con->buf);
  g_free (con->slave_path);
  if (con->main_context)
    g_main_context_unref (con->main_context);
  g_free (con);
}

/* ---- the container init's side ------------------------------------------------------ */

gboolean
console_child_pre_pivot (Console *con, GError **error)
{
  struct stat tree, held;

  /* a detached copy of the slave's mount, taken by name in this (the init's) mount
   * namespace: an fd of the monitor's namespace cannot be cloned from here */
  con->child_tree = open_tree (AT_FDCWD, con->slave_path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (con->child_tree < 0)
    return console_throw_errno (error, "console: take a mount of %s", con->slave_path);
  if (fstat (con->child_tree, &tree) < 0 || fstat (con->hold, &held) < 0 || tree.st_rdev != held.st_rdev) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "console: %s is not the console pty",
                 con->slave_path);
    return FALSE;
  }
  return TRUE;
}

static gboolean
is_dev_null (int fd)
{
  struct stat st;

  if (fstat (fd, &st) < 0)
    return errno == EBADF;   /* closed: take it too */
  return S_ISCHR (st.st_mode) && st.st_rdev == makedev (1, 3);
}

gboolean
console_child_post_pivot (Console *con, GError **error)
{
  struct stat st;

  /* /dev/console: an empty file to mount over (autodev does not create one), or an
   * existing node of the rootfs */
  if (lstat ("/dev/console", &st) < 0) {
    int fd;
    if (errno != ENOENT)
      return console_throw_errno (error, "console: stat /dev/console");
    fd = open ("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0)
      return console_throw_errno (error, "console: create /dev/console");
    close (fd);
  } else if (S_ISLNK (st.st_mode) || S_ISDIR (st.st_mode)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED,
                 "console: /dev/console in the container is a %s, not a file to mount the console on",
                 S_ISLNK (st.st_mode) ? "symbolic link" : "directory");
    return FALSE;
  }
  if (move_mount (con->child_tree, "", AT_FDCWD, "/dev/console", MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return console_throw_errno (error, "console: mount the console pty on /dev/console");
  close (con->child_tree);
  con->child_tree = -1;

  /* the init's session and controlling terminal; stdio where it is /dev/null (a
   * daemonized monitor's), so that a foreground start keeps the caller's terminal or
   * pipes as the init's stdio */
  if (setsid () < 0)
    return console_throw_errno (error, "console: setsid");
  if (ioctl (con->hold, TIOCSCTTY, 0) < 0)
    return console_throw_errno (error, "console: make it the controlling terminal");
  for (int fd = 0; fd <= 2; fd++)
    if (is_dev_null (fd) && dup2 (con->hold, fd) < 0)
      return console_throw_errno (error, "console: make it fd %d of the init", fd);
  return TRUE;
}
