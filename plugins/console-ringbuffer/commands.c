/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plugin's monitor commands, served on the container's command socket:
 *
 *   console-log     (bbt) clear, read, read_max  →  (tt) length, offset [+ 1 fd]
 *   console-attach  ()                           →  () + 1 fd (a stream socket)
 *   console-resize  (qq) rows, columns           →  ()
 *
 * console-log's data does not travel inside the reply but in a sealed memfd sent with it
 * (SCM_RIGHTS): length bytes from offset, wrapping at the memfd's size. A read that takes
 * all the ring holds gets the ring's own memfd and the monitor starts a new ring (no copy:
 * console_ring_steal()); a partial read gets a copy. The reply itself is a few bytes that
 * always fit the socket's buffer: the monitor writes replies synchronously, and with the
 * bytes inline a client that stops reading in the middle of a 1 MiB reply would hold the
 * whole monitor (console drain, state requests) until it reads or goes away.
 *
 * The fds the monitor sends are its own until the reply is out: the reply is written right
 * after the command returns, so they are closed by a high-priority idle on the main
 * context, which runs only after that. A stolen ring is unmapped, sealed and closed a
 * little later (RETIRE_DELAY_MS): unmapping it and freeing its pages is the slowest part of
 * the request, and whoever closes the memfd last pays for the freeing; done after the
 * client has read and closed its copy, none of it is on the client's path.
 */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define RETIRE_DELAY_MS 20

static gboolean
close_fd_idle (gpointer data)
{
  close (GPOINTER_TO_INT (data));
  return G_SOURCE_REMOVE;
}

static gboolean
retire_ring_later (gpointer data)
{
  console_ring_retire (data);
  return G_SOURCE_REMOVE;
}

static void
after_reply (Console *con, guint delay_ms, GSourceFunc func, gpointer data, GDestroyNotify destroy)
{
  GSource *later = delay_ms > 0 ? g_timeout_source_new (delay_ms) : g_idle_source_new ();

  g_source_set_priority (later, G_PRIORITY_HIGH);
  g_source_set_callback (later, func, data, destroy);
  g_source_attach (later, con->main_context);
  g_source_unref (later);
}

/* Sends @fd with the reply, then closes it. */
static gboolean
reply_with_fd (CoveCommandContext *ctx, Console *con, int fd, GError **error)
{
  if (!cove_command_context_add_reply_fd (ctx, fd, error)) {
    close (fd);
    return FALSE;
  }
  after_reply (con, 0, close_fd_idle, GINT_TO_POINTER (fd), NULL);
  return TRUE;
}

/* The console of a container whose plugin data exists, or NULL with the reason. */
static Console *
get_console (CoveCommandContext *ctx, GError **error)
{
  Console *con = cove_command_context_get_container_data (ctx);
  CoveConfig *config = cove_command_context_get_config (ctx);

  if (con != NULL)
    return con;
  if (g_strcmp0 (cove_config_get_string (config, -1, "console.path"), "none") == 0)
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "container \"%s\" has no console (lxc.console.path = none)",
                 cove_command_context_get_container_name (ctx));
  else
    g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING, "container \"%s\" has no console yet",
                 cove_command_context_get_container_name (ctx));
  return NULL;
}

static gboolean
check_args (GVariant *args, const char *type, const char *command, GError **error)
{
  if (args != NULL && g_variant_is_of_type (args, G_VARIANT_TYPE (type)))
    return TRUE;
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "%s expects arguments %s, got %s",
               command, type, args ? g_variant_get_type_string (args) : "none");
  return FALSE;
}

/* A sealed memfd holding @n bytes of @data. */
static int
snapshot (const guint8 *data, gsize n, GError **error)
{
  int fd = memfd_create ("cove-console-log", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  gsize off = 0;

  if (fd < 0) {
    console_throw_errno (error, "memfd_create");
    return -1;
  }
  while (off < n) {
    ssize_t done = write (fd, data + off, n - off);
    if (done < 0 && errno == EINTR)
      continue;
    if (done <= 0) {
      console_throw_errno (error, "copy the console log");
      close (fd);
      return -1;
    }
    off += done;
  }
  fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

/*
 * LXC's console_log semantics (spec §4) with two Cove decisions:
 *  - read: up to read_max bytes (0: all), oldest first, and they are consumed; an empty
 *    ring is COVE_ERROR_NO_DATA;
 *  - clear: after the read (if any), everything left is discarded;
 *  - neither, read_max > 0: discards up to read_max bytes and says how many (the API
 *    header of LXC promises it, its code does nothing);
 *  - a container without a ring: COVE_ERROR_INVALID_CONFIG naming the key (LXC: EFAULT).
 */
static GVariant *
cmd_console_log (CoveCommandContext *ctx, GVariant *args, gpointer user_data, GError **error)
{
  Console *con;
  gboolean clear, do_read;
  guint64 read_max, n;
  int fd;

  if (!check_args (args, "(bbt)", "console-log", error) || (con = get_console (ctx, error)) == NULL)
    return NULL;
  g_variant_get (args, "(bbt)", &clear, &do_read, &read_max);
  if (con->ring.addr == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "container \"%s\" has no console ring buffer (lxc.console.buffer.size is not set)",
                 cove_command_context_get_container_name (ctx));
    return NULL;
  }
  /* output that arrived since the last dispatch counts (bounded: a flood must not keep
   * the monitor here) */
  console_drain_now (con, CONSOLE_DRAIN_BUDGET);

  n = console_ring_used (&con->ring);
  if (read_max > 0)
    n = MIN (n, read_max);
  if (!do_read) {
    if (clear) {
      console_ring_consume (&con->ring, console_ring_used (&con->ring));
      return g_variant_new ("(tt)", (guint64) 0, (guint64) 0);
    }
    if (read_max > 0)
      console_ring_consume (&con->ring, n);
    return g_variant_new ("(tt)", read_max > 0 ? n : (guint64) 0, (guint64) 0);
  }
  if (n == 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NO_DATA, "the console ring of \"%s\" is empty",
                 cove_command_context_get_container_name (ctx));
    return NULL;
  }
  if (n == console_ring_used (&con->ring) || clear) {
    /* everything goes: hand the ring over */
    g_autoptr(GError) local_error = NULL;
    ConsoleRing *old = g_new (ConsoleRing, 1);

    if (console_ring_steal (&con->ring, old, &local_error)) {
      gboolean sent = cove_command_context_add_reply_fd (ctx, old->fd, error);
      after_reply (con, RETIRE_DELAY_MS, retire_ring_later, old, g_free);
      return sent ? g_variant_new ("(tt)", n, old->r) : NULL;
    }
    g_free (old);
    g_debug ("console-log: new ring: %s; copying instead", local_error->message);
  }
  fd = snapshot (console_ring_read_ptr (&con->ring), n, error);
  if (fd < 0 || !reply_with_fd (ctx, con, fd, error))
    return NULL;
  console_ring_consume (&con->ring, clear ? console_ring_used (&con->ring) : n);
  return g_variant_new ("(tt)", n, (guint64) 0);
}

static GVariant *
cmd_console_attach (CoveCommandContext *ctx, GVariant *args, gpointer user_data, GError **error)
{
  Console *con;
  int pair[2];

  if (!check_args (args, "()", "console-attach", error) || (con = get_console (ctx, error)) == NULL)
    return NULL;
  if (con->peer >= 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_BUSY,
                 "another client is attached to the console of \"%s\" (only one at a time)",
                 cove_command_context_get_container_name (ctx));
    return NULL;
  }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
    console_throw_errno (error, "socketpair");
    return NULL;
  }
  fcntl (pair[0], F_SETFL, O_NONBLOCK);
  if (!reply_with_fd (ctx, con, pair[1], error)) {
    close (pair[0]);
    return NULL;
  }
  console_attach_peer (con, pair[0], NULL);
  return g_variant_new ("()");
}

static GVariant *
cmd_console_resize (CoveCommandContext *ctx, GVariant *args, gpointer user_data, GError **error)
{
  Console *con;
  guint16 rows, cols;

  if (!check_args (args, "(qq)", "console-resize", error) || (con = get_console (ctx, error)) == NULL)
    return NULL;
  g_variant_get (args, "(qq)", &rows, &cols);
  if (!console_resize (con, rows, cols, error))
    return NULL;
  return g_variant_new ("()");
}

gboolean
console_register_commands (CovePlugin *plugin, GError **error)
{
  return cove_plugin_add_command (plugin, "console-log", cmd_console_log, NULL, error) &&
         cove_plugin_add_command (plugin, "console-attach", cmd_console_attach, NULL, error) &&
         cove_plugin_add_command (plugin, "console-resize", cmd_console_resize, NULL, error);
}
