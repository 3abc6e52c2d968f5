/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * console-ringbuffer: internal declarations shared by the plugin's files. Nothing here is
 * installed; the plugin includes only <cove-plugin.h> (and GLib).
 */
#pragma once

#include <cove-plugin.h>

/* ---- ring.c: the in-memory ring ----------------------------------------------------- */

/*
 * One memfd of @size bytes mapped twice, back to back, over a 2 × @size reservation: any
 * span of at most @size bytes that starts in the first copy is contiguous in memory, so a
 * write and a read are each one memcpy (or one read(2)/write(2)) and never split at the
 * wrap. Offsets: 0 <= r < size, r <= w <= r + size; used = w - r. Single-threaded (the
 * monitor's main loop), no locking.
 */
typedef struct {
  guint8 *addr;     /* NULL: no ring */
  guint64 size;     /* a power of two, a multiple of the page size */
  guint64 r, w;
  int fd;           /* the memfd */
} ConsoleRing;

gboolean console_ring_init (ConsoleRing *ring, guint64 size, GError **error);
void     console_ring_release (ConsoleRing *ring);
/* Replaces @ring with a new empty one of the same size and moves the old one to @old,
 * whose memfd can then be handed out (its used bytes start at old->r and wrap at the
 * size). FALSE with @error if no new ring can be made; @ring is then unchanged. */
gboolean console_ring_steal  (ConsoleRing *ring, ConsoleRing *old, GError **error);
/* Unmaps a stolen ring, seals its memfd against any change and closes it. */
void     console_ring_retire (ConsoleRing *old);

static inline guint64
console_ring_used (const ConsoleRing *ring)
{
  return ring->w - ring->r;
}

/* Where the next byte goes; @size contiguous bytes may be written there. */
static inline guint8 *
console_ring_write_ptr (const ConsoleRing *ring)
{
  return ring->addr + (ring->w & (ring->size - 1));
}

/* Commits @n (<= size) bytes written at console_ring_write_ptr(): the oldest bytes that no
 * longer fit are dropped, exactly as many as needed. */
void console_ring_commit (ConsoleRing *ring, gsize n);
/* Copies @n bytes in; of a chunk larger than the ring only its last size bytes are kept. */
void console_ring_append (ConsoleRing *ring, const guint8 *data, gsize n);

static inline const guint8 *
console_ring_read_ptr (const ConsoleRing *ring)
{
  return ring->addr + ring->r;
}

/* Drops the oldest @n (<= used) bytes. */
void console_ring_consume (ConsoleRing *ring, guint64 n);

/* ---- logfile.c: lxc.console.logfile ------------------------------------------------- */

typedef struct {
  char *path;
  char *rotated;    /* path + ".1" */
  int fd;           /* -1: no log file */
  guint64 limit;    /* lxc.console.size; 0: unlimited */
  gboolean rotate;  /* lxc.console.rotate */
  guint64 size;     /* bytes in the current file */
} ConsoleLogFile;

gboolean console_logfile_open  (ConsoleLogFile *log, const char *path, guint64 limit,
                                gboolean rotate, GError **error);
/* Appends as output arrives; at the limit rotates to path.1 (rotate) or truncates. Errors
 * (a full disk …) drop the bytes: the console itself never stops for its log. */
void     console_logfile_write (ConsoleLogFile *log, const guint8 *data, gsize n);
void     console_logfile_close (ConsoleLogFile *log);

/* ---- console.c: the pty, its drain, the attached client ----------------------------- */

#define CONSOLE_PEER_BUF 4096

typedef struct {
  CoveConfig *config;
  GMainContext *main_context;

  int master;               /* pty master: O_NONBLOCK, O_CLOEXEC */
  int hold;                 /* a slave fd the monitor keeps open, so the master never sees
                             * a hangup between two openers; the init's stdio is dup'ed
                             * from it */
  char *slave_path;         /* /dev/pts/N of the monitor's devpts */
  ConsoleRing ring;
  ConsoleLogFile log;
  guint8 *buf;              /* read buffer when there is no ring */

  GSource *master_in;       /* output of the container → ring, log, peer */
  GSource *master_out;      /* waiting to pass the peer's input on */
  gboolean drain_paused;    /* the peer is full: stop reading until it drains */

  int peer;                 /* the attached `cove console` client (a socket), or -1 */
  GSource *peer_in;
  GSource *peer_out;
  GByteArray *peer_pending; /* output the peer could not take yet */
  guint8 peer_input[CONSOLE_PEER_BUF];
  gsize peer_input_len, peer_input_off;

  int child_tree;           /* container init only: /dev/console to be, from open_tree() */
} Console;

/* PRE_START, first run: allocates the pty, the ring and opens the log file. */
Console *console_new  (CoveConfig *config, GMainContext *main_context, GError **error);
void     console_free (Console *con);
/* POST_START: drain the master on the main context (idempotent across reboots). */
void     console_watch (Console *con);
/* The most one dispatch reads before it lets the other sources of the loop run. */
#define CONSOLE_DRAIN_BUDGET (256 * 1024)
/* Reads pending output, at most @budget bytes, without waiting (POST_STOP, commands). */
void     console_drain_now (Console *con, gsize budget);
/* Child side: CHILD_PRE_PIVOT takes a mount of the slave, CHILD_POST_PIVOT puts it on
 * /dev/console and makes it the init's stdio and controlling terminal. */
gboolean console_child_pre_pivot  (Console *con, GError **error);
gboolean console_child_post_pivot (Console *con, GError **error);
/* "console-attach": @fd becomes the peer; FALSE (COVE_ERROR_BUSY) if one is attached. */
gboolean console_attach_peer (Console *con, int fd, GError **error);
gboolean console_resize      (Console *con, guint16 rows, guint16 cols, GError **error);

/* ---- commands.c --------------------------------------------------------------------- */

gboolean console_register_commands (CovePlugin *plugin, GError **error);

/* ---- errors ------------------------------------------------------------------------- */

/* G_IO_ERROR from errno without linking GIO: "<what>: <strerror>"; returns FALSE. */
gboolean console_throw_errno (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);
