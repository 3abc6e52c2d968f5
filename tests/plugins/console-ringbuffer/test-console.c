/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * console-ringbuffer with real containers (suite "root"): acceptance checks C4.2–C4.9 of
 * spec/lxc-extensions.md §15 (C4.1 is in test-console-unit.c), many concurrent console_log
 * clients while the container floods its console, clients that go away in the middle of a
 * request, `cove console` / cove_container_console_attach(), `cove console-log`, and the
 * init's stdio rule.
 *
 * Layout (as tests/integration/test-lifecycle.c): main() moves the test into a private
 * network namespace; every case gets a fresh container path with a busybox container
 * "c1" (`cove create -t busybox`, COVE_TOOL) and runs in a g_test_trap_subprocess() child,
 * so that a failed assertion never skips the cleanup: the parent then stops what runs
 * there, checks that no monitor, container process or mount survived, and removes it.
 */
#include <cove.h>
#include "proc-info.h"
#include "root-itest.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define PATH_ENV "COVE_CTEST_PATH"
#define NAME "c1"
#define ARGV(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define SUITE_BUDGET_S 540
static ItestSuite suite = { NAME, PATH_ENV, "cove-ctest-XXXXXX", SUITE_BUDGET_S };

/* ---- helpers ---------------------------------------------------------------------- */

static double
now_s (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static void
sleep_ms (guint ms)
{
  g_usleep (ms * 1000);
}

static char *
read_text (const char *file, gsize *len)
{
  char *contents = NULL;

  if (!g_file_get_contents (file, &contents, len, NULL))
    return NULL;
  return contents;
}

static gsize
file_size (const char *file)
{
  struct stat st;

  return stat (file, &st) == 0 ? (gsize) st.st_size : 0;
}

/* Waits (at most @seconds) until @file contains @needle. */
static gboolean
wait_file_contains (const char *file, const char *needle, double seconds)
{
  double deadline = now_s () + seconds;

  for (;;) {
    gsize len = 0;
    g_autofree char *text = read_text (file, &len);
    if (text != NULL && g_strstr_len (text, len, needle) != NULL)
      return TRUE;
    if (now_s () > deadline)
      return FALSE;
    sleep_ms (10);
  }
}

/* Whether the last 64 KiB of @file contain @needle (for logs that grow to megabytes). */
static gboolean
tail_contains (const char *file, const char *needle)
{
  char buf[65536 + 1];
  int fd = open (file, O_RDONLY | O_CLOEXEC);
  gsize size = file_size (file);
  ssize_t n;

  if (fd < 0)
    return FALSE;
  n = pread (fd, buf, sizeof buf - 1, size > sizeof buf - 1 ? size - (sizeof buf - 1) : 0);
  close (fd);
  if (n <= 0)
    return FALSE;
  buf[n] = '\0';
  return g_strstr_len (buf, n, needle) != NULL;
}

static gboolean
wait_tail_contains (const char *file, const char *needle, double seconds)
{
  double deadline = now_s () + seconds;

  while (!tail_contains (file, needle)) {
    if (now_s () > deadline)
      return FALSE;
    sleep_ms (10);
  }
  return TRUE;
}

/* Waits until the sizes of @files add up to @total. */
static gboolean
wait_total_size (const char *const *files, gsize total, double seconds)
{
  double deadline = now_s () + seconds;

  for (;;) {
    gsize sum = 0;
    for (const char *const *f = files; *f; f++)
      sum += file_size (*f);
    if (sum == total)
      return TRUE;
    if (now_s () > deadline) {
      g_printerr ("# sizes add up to %zu, expected %zu\n", sum, total);
      return FALSE;
    }
    sleep_ms (10);
  }
}

/* Runs the cove tool with "-P PATH"; its exit status; stdout in @out. */
static int
run_tool (const char *path, char **out, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list ap;
  int wait_status;

  g_ptr_array_add (argv, (char *) g_getenv ("COVE_TOOL"));
  g_ptr_array_add (argv, (char *) "-P");
  g_ptr_array_add (argv, (char *) path);
  va_start (ap, first);
  for (arg = first; arg; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &stdout_text,
                &stderr_text, &wait_status, &error);
  g_assert_no_error (error);
  if (stderr_text && *stderr_text)
    g_printerr ("# cove %s: %s", first, stderr_text);
  if (out)
    *out = g_steal_pointer (&stdout_text);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
}

/* ---- the command socket, spoken raw (only for the disconnect case) ----------------- */

/* The monitor's pid: the "monitor-pid" command, reply (bv) with (i). */
static pid_t
monitor_pid (const char *socket_path)
{
  int fd = raw_connect (socket_path);
  guint8 header[4];
  g_autofree guint8 *body = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) inner = NULL;
  gboolean ok;
  gint32 pid;
  gsize size;

  g_assert_cmpint (fd, >=, 0);
  g_assert_true (raw_send (fd, "monitor-pid", NULL));
  g_assert_cmpint (recv (fd, header, 4, MSG_WAITALL), ==, 4);
  size = header[0] | (header[1] << 8) | (header[2] << 16) | ((gsize) header[3] << 24);
  g_assert_cmpuint (size, <, 4096);
  body = g_malloc (size);
  g_assert_cmpint (recv (fd, body, size, MSG_WAITALL), ==, (ssize_t) size);
  close (fd);
  reply = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE ("(bv)"), body, size, FALSE, NULL, NULL));
  g_variant_get (reply, "(bv)", &ok, &inner);
  g_assert_true (ok);
  g_variant_get (inner, "(i)", &pid);
  return pid;
}

/* ---- the test environment --------------------------------------------------------- */

typedef struct {
  char *path;     /* the temporary container path */
  char *socket;   /* the command socket of c1 */
  char *log;      /* path/log/console.log */
  char *log1;     /* its rotation */
} Env;

static void
start_ok (CoveContainer *c, const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cove_container_start (c, COVE_START_FLAGS_NONE, argv, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
stop_ok (Env *e, CoveContainer *c)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cove_container_stop (c, &error));
  g_assert_no_error (error);
  g_assert_true (itest_wait_no_monitor (e->path, 5));
}

static int
attach_sh (CoveContainer *c, const char *script)
{
  g_autoptr(GError) error = NULL;
  int status = cove_container_attach_run_wait (c, ARGV ("/bin/sh", "-c", script), &error);

  g_assert_no_error (error);
  return status;
}

/* Writes @text to /dev/console inside (printf, no newline unless @text has one). */
static void
console_write (CoveContainer *c, const char *text)
{
  g_autofree char *quoted = g_shell_quote (text);
  g_autofree char *script = g_strdup_printf ("printf %%s %s > /dev/console", quoted);

  g_assert_cmpint (attach_sh (c, script), ==, 0);
}

/* One console_log call; the data (or NULL) and its length. */
static char *
console_read (CoveContainer *c, gboolean read, gboolean clear, guint64 max, guint64 *len,
              GError **error)
{
  CoveConsoleLog log = { .read = read, .clear = clear, .read_max = max };

  if (!cove_container_console_log (c, &log, error)) {
    g_assert_null (log.data);
    g_assert_cmpuint (log.read_max, ==, 0);
    *len = 0;
    return NULL;
  }
  if (read && log.read_max > 0) {
    g_assert_nonnull (log.data);
    g_assert_cmpint (log.data[log.read_max], ==, '\0');
  }
  *len = log.read_max;
  return log.data;
}

/* Reads the ring until it is empty; returns everything. */
static GString *
drain_ring (CoveContainer *c)
{
  GString *all = g_string_new (NULL);

  for (;;) {
    g_autoptr(GError) error = NULL;
    guint64 len;
    g_autofree char *data = console_read (c, TRUE, FALSE, 0, &len, &error);
    if (data == NULL) {
      g_assert_error (error, COVE_ERROR, COVE_ERROR_NO_DATA);
      return all;
    }
    g_string_append_len (all, data, len);
  }
}

static void
expect_no_data (CoveContainer *c)
{
  g_autoptr(GError) error = NULL;
  guint64 len = 99;
  g_autofree char *data = console_read (c, TRUE, FALSE, 0, &len, &error);

  g_assert_error (error, COVE_ERROR, COVE_ERROR_NO_DATA);
  g_assert_null (data);
  g_assert_cmpuint (len, ==, 0);
}

/* A container with a ring and a log file under the case's path. */
static CoveContainer *
ring_container (Env *e, const char *ring_size)
{
  CoveContainer *c = itest_open_container (e->path, NAME);

  itest_set_item (c, "lxc.console.buffer.size", ring_size);
  itest_set_item (c, "lxc.console.logfile", e->log);
  return c;
}

/* ---- C4.2: read ------------------------------------------------------------------- */

static void
case_read (Env *e)
{
  g_autoptr(CoveContainer) c = ring_container (e, "4096");
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *out = NULL;
  guint64 len;

  start_ok (c, NULL);
  console_write (c, "MARK-1\n");
  g_assert_true (wait_file_contains (e->log, "MARK-1", 5));
  data = console_read (c, TRUE, FALSE, 0, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >=, 7);
  g_assert_nonnull (strstr (data, "MARK-1"));
  expect_no_data (c);
  /* the tool prints nothing for an empty ring, and succeeds */
  g_assert_cmpint (run_tool (e->path, &out, "console-log", NAME, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  stop_ok (e, c);
}

/* ---- C4.3: partial reads consume ---------------------------------------------------- */

static void
case_partial (Env *e)
{
  g_autoptr(CoveContainer) c = ring_container (e, "4096");
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *rest = NULL;
  guint64 len;

  start_ok (c, NULL);
  g_string_free (drain_ring (c), TRUE);
  console_write (c, "0123456789");
  g_assert_true (wait_file_contains (e->log, "0123456789", 5));
  first = console_read (c, TRUE, FALSE, 4, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 4);
  g_assert_cmpstr (first, ==, "0123");
  rest = console_read (c, TRUE, FALSE, 0, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 6);
  g_assert_cmpstr (rest, ==, "456789");
  expect_no_data (c);
  stop_ok (e, c);
}

/* ---- C4.4: clear, and discard ------------------------------------------------------- */

static void
case_clear (Env *e)
{
  g_autoptr(CoveContainer) c = ring_container (e, "4096");
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  guint64 len;

  start_ok (c, NULL);
  console_write (c, "something");
  g_assert_true (wait_file_contains (e->log, "something", 5));
  g_assert_null (console_read (c, FALSE, TRUE, 0, &len, &error));
  g_assert_no_error (error);
  expect_no_data (c);
  /* clear on an empty ring succeeds too */
  g_assert_null (console_read (c, FALSE, TRUE, 0, &len, &error));
  g_assert_no_error (error);

  /* Cove: neither read nor clear, read_max > 0 discards that many bytes */
  console_write (c, "ABCDEFGHIJ");
  g_assert_true (wait_file_contains (e->log, "ABCDEFGHIJ", 5));
  g_assert_null (console_read (c, FALSE, FALSE, 3, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 3);
  /* read and clear: the read's bytes, then the rest is gone */
  data = console_read (c, TRUE, TRUE, 2, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (data, ==, "DE");
  expect_no_data (c);
  stop_ok (e, c);
}

/* ---- C4.5: overflow keeps the newest bytes ------------------------------------------- */

static void
case_overflow (Env *e)
{
  g_autoptr(CoveContainer) c = ring_container (e, "4096");
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  guint64 len;

  start_ok (c, NULL);
  g_string_free (drain_ring (c), TRUE);
  /* 1667 lines of 6 bytes (7 on the console: ONLCR) = 10002 bytes */
  g_assert_cmpint (attach_sh (c, "i=0; while [ $i -lt 1667 ]; do printf 'L%04d\\n' $i; i=$((i+1)); done > /dev/console"), ==, 0);
  g_assert_true (wait_file_contains (e->log, "L1666", 5));
  data = console_read (c, TRUE, FALSE, 0, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 4096);
  g_assert_true (g_str_has_suffix (data, "L1666\r\n") || g_str_has_suffix (data, "L1666\n"));
  g_assert_null (strstr (data, "L0000"));
  expect_no_data (c);
  stop_ok (e, c);
}

/* ---- C4.6: no ring, stopped, no console ---------------------------------------------- */

static void
case_errors (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  g_autofree char *link = NULL;
  g_autofree char *fd1 = NULL;
  guint64 len;
  pid_t pid;

  /* no lxc.console.buffer.size (LXC: EFAULT) */
  start_ok (c, NULL);
  g_assert_null (console_read (c, TRUE, FALSE, 0, &len, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "lxc.console.buffer.size"));
  g_clear_error (&error);
  /* no struct (LXC: read_max NULL crashes) */
  g_assert_false (cove_container_console_log (c, NULL, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* the console is there all the same: /dev/console is the pty, the init's stdio too */
  g_assert_cmpint (attach_sh (c, "test -c /dev/console && [ \"$(stat -c %t /dev/console)\" = 88 ]"), ==, 0);
  pid = cove_container_init_pid (c, NULL);
  fd1 = g_strdup_printf ("/proc/%d/fd/1", (int) pid);
  link = g_file_read_link (fd1, NULL);
  g_assert_nonnull (link);
  g_assert_true (g_str_has_prefix (link, "/dev/pts/"));
  stop_ok (e, c);
  g_assert_null (console_read (c, TRUE, FALSE, 0, &len, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  /* lxc.console.path = none: no console at all */
  itest_set_item (c, "lxc.console.path", "none");
  start_ok (c, NULL);
  g_assert_cmpint (attach_sh (c, "test -e /dev/console"), !=, 0);
  g_clear_pointer (&link, g_free);
  g_clear_pointer (&fd1, g_free);
  pid = cove_container_init_pid (c, NULL);
  fd1 = g_strdup_printf ("/proc/%d/fd/1", (int) pid);
  link = g_file_read_link (fd1, NULL);
  g_assert_cmpstr (link, ==, "/dev/null");
  g_assert_null (console_read (c, TRUE, FALSE, 0, &len, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "lxc.console.path = none"));
  g_clear_error (&error);
  g_assert_cmpint (cove_container_console_attach (c, &error), ==, -1);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  stop_ok (e, c);
}

/* ---- C4.7: rotation -------------------------------------------------------------------- */

static void
write_bytes (CoveContainer *c, char ch, int n)
{
  g_autofree char *script = g_strdup_printf ("head -c %d /dev/zero | tr '\\0' %c > /dev/console", n, ch);

  g_assert_cmpint (attach_sh (c, script), ==, 0);
}

static void
case_rotate (Env *e)
{
  g_autoptr(CoveContainer) c = ring_container (e, "4096");
  const char *files[] = { e->log, e->log1, NULL };
  g_autofree char *rotated = NULL;
  g_autofree char *log2 = g_build_filename (e->path, "log2", "console.log", NULL);
  g_autofree char *log2_1 = g_strconcat (log2, ".1", NULL);
  const char *files2[] = { log2, NULL };
  gsize len;

  itest_set_item (c, "lxc.console.size", "4096");
  itest_set_item (c, "lxc.console.rotate", "1");
  start_ok (c, NULL);
  write_bytes (c, 'x', 5000);
  g_assert_true (wait_total_size (files, 5000, 10));
  g_assert_cmpuint (file_size (e->log1), ==, 4096);
  g_assert_cmpuint (file_size (e->log), ==, 904);
  /* a second overflow replaces .1 */
  write_bytes (c, 'y', 5000);
  g_assert_true (wait_total_size (files, 4096 + 1808, 10));
  g_assert_cmpuint (file_size (e->log1), ==, 4096);
  g_assert_cmpuint (file_size (e->log), ==, 1808);
  rotated = read_text (e->log1, &len);
  g_assert_cmpuint (len, ==, 4096);
  g_assert_cmpint (rotated[0], ==, 'x');
  g_assert_cmpint (rotated[903], ==, 'x');
  g_assert_cmpint (rotated[904], ==, 'y');
  stop_ok (e, c);
  g_assert_cmpuint (file_size (e->log), ==, 1808);   /* stop keeps the file */

  /* rotate = 0: no .1, the file restarts from 0 */
  itest_set_item (c, "lxc.console.rotate", "0");
  itest_set_item (c, "lxc.console.logfile", log2);
  start_ok (c, NULL);
  write_bytes (c, 'z', 5000);
  g_assert_true (wait_total_size (files2, 904, 10));
  g_assert_false (g_file_test (log2_1, G_FILE_TEST_EXISTS));
  write_bytes (c, 'z', 4000);
  g_assert_true (wait_total_size (files2, 808, 10));   /* 904 + 4000 - 4096 */
  g_assert_false (g_file_test (log2_1, G_FILE_TEST_EXISTS));
  stop_ok (e, c);
}

/* ---- C4.8: stop keeps the log file -------------------------------------------------------- */

static void
case_stop_keeps_log (Env *e)
{
  g_autoptr(CoveContainer) c = ring_container (e, "4096");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *again = NULL;
  gsize len_before, len_after;

  /* with lxc.console.size: the file as it was written */
  itest_set_item (c, "lxc.console.size", "4096");
  start_ok (c, NULL);
  console_write (c, "MARK-SIZED");
  g_assert_true (wait_file_contains (e->log, "MARK-SIZED", 5));
  before = read_text (e->log, &len_before);
  stop_ok (e, c);
  after = read_text (e->log, &len_after);
  g_assert_cmpmem (after, len_after, before, len_before);

  /* without lxc.console.size (LXC empties the file at stop): every byte stays */
  itest_set_item (c, "lxc.console.size", "");
  start_ok (c, NULL);
  console_write (c, "MARK-A ");
  console_write (c, "MARK-B ");
  console_write (c, "MARK-C");
  g_assert_true (wait_file_contains (e->log, "MARK-C", 5));
  g_string_free (drain_ring (c), TRUE);   /* reading the ring never touches the file */
  stop_ok (e, c);
  again = read_text (e->log, NULL);
  g_assert_nonnull (strstr (again, "MARK-SIZEDMARK-A MARK-B MARK-C"));
}

/* ---- C4.9: reboot ------------------------------------------------------------------------ */

static void
case_reboot (Env *e)
{
  g_autoptr(CoveContainer) c = ring_container (e, "65536");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) ring = NULL;
  g_autofree char *log = NULL;
  g_autofree char *rdev_before = NULL;
  g_autofree char *rdev_after = NULL;
  const char *a, *b;

  pid_t monitor;
  int fds_before;

  start_ok (c, NULL);
  itest_wait_busybox_ready (c);
  monitor = monitor_pid (e->socket);
  fds_before = (int) proc_fd_count_settled (monitor, 0, 300);
  console_write (c, "MARK-A\n");
  g_assert_true (wait_file_contains (e->log, "MARK-A", 5));
  g_assert_cmpint (run_tool (e->path, &rdev_before, "attach", NAME, "--", "stat", "-c", "%t:%T", "/dev/console", NULL), ==, 0);

  g_assert_true (cove_container_reboot2 (c, 30, &error));
  g_assert_no_error (error);
  itest_wait_busybox_ready (c);
  console_write (c, "MARK-B\n");
  g_assert_true (wait_file_contains (e->log, "MARK-B", 5));
  g_assert_cmpint (run_tool (e->path, &rdev_after, "attach", NAME, "--", "stat", "-c", "%t:%T", "/dev/console", NULL), ==, 0);

  /* Cove: the ring is the container's, not the boot's: what was not read before the
   * reboot is still there, followed by the new boot's output; the pty is the same */
  ring = drain_ring (c);
  a = strstr (ring->str, "MARK-A");
  b = strstr (ring->str, "MARK-B");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_true (a < b);
  g_assert_cmpstr (rdev_before, ==, rdev_after);
  /* the same monitor, and nothing of the console leaks across the reboot */
  g_assert_cmpint (monitor_pid (e->socket), ==, monitor);
  g_assert_cmpint ((int) proc_fd_count_settled (monitor, fds_before, 3000), <=, fds_before);
  /* the log file is neither truncated nor rewritten at the reboot */
  log = read_text (e->log, NULL);
  a = strstr (log, "MARK-A");
  b = strstr (log, "MARK-B");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_true (a < b);
  stop_ok (e, c);
}

/* ---- many readers while the container floods its console ------------------------------------ */

typedef struct {
  const char *path;
  volatile gint *stop;
  guint64 bytes, reads, lines_checked;
  char *failure;
} Reader;

/* Lines "L<n>\r\n": every whole line of one read follows the previous one. */
static char *
check_contiguous (const char *data, gsize len, guint64 *checked)
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *copy = g_strndup (data, len);
  gint64 prev = -1;
  guint n;

  lines = g_strsplit (copy, "\n", -1);
  n = g_strv_length (lines);
  /* the first and the last pieces may be parts of lines */
  for (guint i = 1; i + 1 < n; i++) {
    char *line = lines[i];
    gint64 value;
    char *end;

    g_strchomp (line);
    if (g_str_equal (line, "END"))
      break;
    if (line[0] != 'L')
      return g_strdup_printf ("unexpected line \"%s\"", line);
    value = g_ascii_strtoll (line + 1, &end, 10);
    if (*end != '\0')
      return g_strdup_printf ("unexpected line \"%s\"", line);
    if (prev >= 0 && value != prev + 1)
      return g_strdup_printf ("line L%" G_GINT64_FORMAT " follows L%" G_GINT64_FORMAT " in one read",
                              value, prev);
    prev = value;
    (*checked)++;
  }
  return NULL;
}

static gpointer
reader_thread (gpointer data)
{
  Reader *r = data;
  g_autoptr(CoveContainer) c = cove_container_new (NAME, r->path, NULL);

  while (!g_atomic_int_get (r->stop) && r->failure == NULL) {
    g_autoptr(GError) error = NULL;
    CoveConsoleLog log = { .read = TRUE };

    if (!cove_container_console_log (c, &log, &error)) {
      if (!g_error_matches (error, COVE_ERROR, COVE_ERROR_NO_DATA))
        r->failure = g_strdup_printf ("console_log: %s", error->message);
      continue;
    }
    r->reads++;
    r->bytes += log.read_max;
    r->failure = check_contiguous (log.data, log.read_max, &r->lines_checked);
    g_free (log.data);
  }
  return NULL;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
case_flood (Env *e)
{
  g_autoptr(CoveContainer) c = ring_container (e, "1M");
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autofree char *ring = NULL;
  g_autofree char *log = NULL;
  Reader readers[8];
  GThread *threads[8];
  volatile gint stop = 0;
  guint64 len, total_reads = 0, total_bytes = 0, total_lines = 0;
  gsize log_len;
  double deadline;
  pid_t monitor;
  int fds_before;

  start_ok (c, ARGV ("/bin/sh", "-c",
                     "i=0; while [ $i -lt 600000 ]; do echo L$i; i=$((i+1)); done; echo END; exec sleep 1000000"));
  monitor = monitor_pid (e->socket);
  fds_before = (int) proc_fd_count_settled (monitor, 0, 300);
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++) {
    readers[i] = (Reader) { .path = e->path, .stop = &stop };
    threads[i] = g_thread_new ("reader", reader_thread, &readers[i]);
  }
  /* meanwhile, the monitor answers state requests promptly */
  deadline = now_s () + 60;
  while (!tail_contains (e->log, "END") && now_s () < deadline) {
    double t0 = now_s ();
    g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
    g_array_append_val (latencies, (double) { now_s () - t0 });
    sleep_ms (5);
  }
  g_atomic_int_set (&stop, 1);
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++) {
    g_thread_join (threads[i]);
    if (readers[i].failure)
      g_error ("reader %u: %s", i, readers[i].failure);
    total_reads += readers[i].reads;
    total_bytes += readers[i].bytes;
    total_lines += readers[i].lines_checked;
  }
  g_assert_true (tail_contains (e->log, "END"));
  g_array_sort (latencies, compare_doubles);
  g_printerr ("# %u readers: %" G_GUINT64_FORMAT " reads, %" G_GUINT64_FORMAT " bytes, %" G_GUINT64_FORMAT
              " lines checked; %u state calls: median %.2f ms, max %.2f ms\n",
              (guint) G_N_ELEMENTS (readers), total_reads, total_bytes, total_lines, latencies->len,
              g_array_index (latencies, double, latencies->len / 2) * 1000,
              g_array_index (latencies, double, latencies->len - 1) * 1000);
  g_assert_cmpuint (latencies->len, >, 10);
  g_assert_cmpuint (total_reads, >, 10);
  g_assert_cmpfloat (g_array_index (latencies, double, latencies->len / 2), <, 0.1);
  g_assert_cmpfloat (g_array_index (latencies, double, latencies->len - 1), <, 1.0);

  /* then, without readers, a burst larger than the ring: the ring holds exactly the
   * newest 1 MiB of what the log file got */
  g_assert_cmpint (attach_sh (c, "i=0; while [ $i -lt 200000 ]; do echo L$i; i=$((i+1)); done > /dev/console; echo END2 > /dev/console"), ==, 0);
  g_assert_true (wait_tail_contains (e->log, "END2", 30));
  ring = console_read (c, TRUE, FALSE, 0, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 1 << 20);
  log = read_text (e->log, &log_len);
  g_assert_cmpuint (log_len, >=, len);
  g_assert_true (memcmp (log + log_len - len, ring, len) == 0);
  g_assert_true (g_str_has_suffix (ring, "END2\r\n"));
  /* no fd left behind by the thousands of replies */
  g_assert_cmpint ((int) proc_fd_count_settled (monitor, fds_before, 3000), <=, fds_before);
  stop_ok (e, c);
}

/* ---- clients that go away in the middle of a request ---------------------------------- */

static void
case_disconnect (Env *e)
{
  g_autoptr(CoveContainer) c = ring_container (e, "1M");
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  GVariant *args;
  guint64 len;
  pid_t monitor;
  int baseline;

  start_ok (c, ARGV ("/bin/sh", "-c",
                     "i=0; while [ $i -lt 150000 ]; do echo L$i; i=$((i+1)); done; echo END; exec sleep 1000000"));
  g_assert_true (wait_tail_contains (e->log, "END", 30));
  monitor = monitor_pid (e->socket);
  baseline = (int) proc_fd_count_settled (monitor, 0, 300);

  for (int i = 0; i < 30; i++) {
    int fd = raw_connect (e->socket);
    guint8 two[2];

    g_assert_cmpint (fd, >=, 0);
    /* small reads, so that the ring does not run dry */
    args = g_variant_new ("(bbt)", FALSE, TRUE, (guint64) 1000);
    g_assert_true (raw_send (fd, "console-log", args));
    if (i % 3 == 1)
      g_assert_cmpint (recv (fd, two, sizeof two, MSG_WAITALL), ==, 2);   /* part of the reply */
    if (i % 3 == 2) {
      /* a client that does not read at all: the monitor goes on serving others */
      double t0 = now_s ();
      g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
      g_assert_cmpfloat (now_s () - t0, <, 1.0);
    }
    close (fd);
  }
  /* a request cut in the middle */
  {
    int fd = raw_connect (e->socket);
    guint8 partial[6] = { 100, 0, 0, 0, '(', 's' };
    g_assert_cmpint (send (fd, partial, sizeof partial, MSG_NOSIGNAL), ==, (ssize_t) sizeof partial);
    close (fd);
  }
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
  g_assert_cmpint (monitor_pid (e->socket), ==, monitor);
  /* the fds of the replies nobody took are gone (closed right after each reply) */
  g_assert_cmpint ((int) proc_fd_count_settled (monitor, baseline, 3000), <=, baseline);
  /* and the ring still serves */
  data = console_read (c, TRUE, FALSE, 100, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 100);
  stop_ok (e, c);
}

/* ---- attach through the API ---------------------------------------------------------- */

/* Reads from @fd into @acc until it contains @needle. */
static gboolean
read_until (int fd, GString *acc, const char *needle, double seconds)
{
  double deadline = now_s () + seconds;

  while (strstr (acc->str, needle) == NULL) {
    struct pollfd p = { fd, POLLIN, 0 };
    char buf[4096];
    double left = deadline - now_s ();
    ssize_t n;

    if (left <= 0 || poll (&p, 1, (int) (left * 1000) + 1) <= 0)
      return FALSE;
    n = read (fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n <= 0)
      return FALSE;
    g_string_append_len (acc, buf, n);
  }
  return TRUE;
}

static void
case_attach (Env *e)
{
  g_autoptr(CoveContainer) c = ring_container (e, "65536");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) ring = NULL;
  double deadline;
  int fd, fd2 = -1;

  /* a shell as the init: its stdin is the console */
  start_ok (c, ARGV ("/bin/sh"));
  fd = cove_container_console_attach (c, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "echo hel''lo-$((6*7))\n", 22), ==, 22);
  g_assert_true (read_until (fd, out, "hello-42", 10));

  /* one client at a time */
  g_assert_cmpint (cove_container_console_attach (c, &error), ==, -1);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_BUSY);
  g_clear_error (&error);

  /* the window size reaches the container's tty */
  g_assert_true (cove_container_console_resize (c, 33, 101, &error));
  g_assert_no_error (error);
  g_assert_cmpint (write (fd, "stty size\n", 10), ==, 10);
  g_assert_true (read_until (fd, out, "33 101", 10));

  /* the ring got the same output */
  ring = drain_ring (c);
  g_assert_nonnull (strstr (ring->str, "hello-42"));
  g_assert_nonnull (strstr (ring->str, "33 101"));

  /* detaching frees the console for the next client */
  close (fd);
  deadline = now_s () + 5;
  while (now_s () < deadline) {
    g_clear_error (&error);
    fd2 = cove_container_console_attach (c, &error);
    if (fd2 >= 0)
      break;
    g_assert_error (error, COVE_ERROR, COVE_ERROR_BUSY);
    sleep_ms (20);
  }
  g_assert_cmpint (fd2, >=, 0);
  g_string_truncate (out, 0);
  g_assert_cmpint (write (fd2, "echo again-$((1+2))\n", 20), ==, 20);
  g_assert_true (read_until (fd2, out, "again-3", 10));

  /* the stream ends when the container stops */
  stop_ok (e, c);
  g_assert_false (read_until (fd2, out, "never printed", 5));
  close (fd2);
}

/* ---- the cove tool: console-log and console -------------------------------------------- */

static void
case_cli (Env *e)
{
  g_autoptr(CoveContainer) c = ring_container (e, "65536");
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *text = NULL;
  struct winsize ws = { .ws_row = 30, .ws_col = 90 };
  struct termios before, during, after;
  int master, slave, status;
  pid_t pid;

  start_ok (c, ARGV ("/bin/sh"));

  /* console-log: --max, then the rest; --clear prints nothing and empties the ring (once
   * the shell has printed its prompt: nothing else comes without input) */
  g_assert_true (wait_file_contains (e->log, "# ", 10));
  sleep_ms (200);
  g_string_free (drain_ring (c), TRUE);
  console_write (c, "0123456789");
  g_assert_true (wait_file_contains (e->log, "0123456789", 5));
  g_assert_cmpint (run_tool (e->path, &text, "console-log", NAME, "--max", "4", NULL), ==, 0);
  g_assert_cmpstr (text, ==, "0123");
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (run_tool (e->path, &text, "console-log", NAME, NULL), ==, 0);
  g_assert_cmpstr (text, ==, "456789");
  g_clear_pointer (&text, g_free);
  console_write (c, "to be cleared");
  g_assert_true (wait_file_contains (e->log, "to be cleared", 5));
  g_assert_cmpint (run_tool (e->path, &text, "console-log", NAME, "--clear", NULL), ==, 0);
  g_assert_cmpstr (text, ==, "");
  g_clear_pointer (&text, g_free);
  expect_no_data (c);

  /* console: in a terminal of our own */
  g_assert_cmpint (openpty (&master, &slave, NULL, NULL, &ws), ==, 0);
  g_assert_cmpint (tcgetattr (slave, &before), ==, 0);
  g_assert_true (before.c_lflag & ICANON);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0) {
    const char *tool = g_getenv ("COVE_TOOL");
    setsid ();
    ioctl (slave, TIOCSCTTY, 0);
    dup2 (slave, 0);
    dup2 (slave, 1);
    dup2 (slave, 2);
    close (master);
    if (slave > 2)
      close (slave);
    execl (tool, tool, "-P", e->path, "console", NAME, NULL);
    _exit (127);
  }
  g_assert_true (read_until (master, out, "Ctrl+a q", 10));
  /* raw while attached; the size came with the attach */
  for (double deadline = now_s () + 5; now_s () < deadline; sleep_ms (20)) {
    g_assert_cmpint (tcgetattr (slave, &during), ==, 0);
    if (!(during.c_lflag & ICANON))
      break;
  }
  g_assert_false (during.c_lflag & ICANON);
  g_assert_cmpint (write (master, "stty size\r", 10), ==, 10);
  g_assert_true (read_until (master, out, "30 90", 10));
  /* SIGWINCH is forwarded */
  ws.ws_row = 41;
  ws.ws_col = 123;
  g_assert_cmpint (ioctl (master, TIOCSWINSZ, &ws), ==, 0);
  sleep_ms (300);
  g_assert_cmpint (write (master, "stty size\r", 10), ==, 10);
  g_assert_true (read_until (master, out, "41 123", 10));
  /* Ctrl+a Ctrl+a sends one Ctrl+a (read by `read`: the shell's line editor would take
   * it as "beginning of line"); Ctrl+a q detaches */
  g_assert_cmpint (write (master, "read x; echo len-${#x}\r", 23), ==, 23);
  g_assert_cmpint (write (master, "\001\001\001\001\r", 5), ==, 5);
  g_assert_true (read_until (master, out, "len-2\r\n", 10));
  g_assert_cmpint (write (master, "\001q", 2), ==, 2);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  /* the terminal is as it was */
  g_assert_cmpint (tcgetattr (slave, &after), ==, 0);
  g_assert_cmpint (after.c_lflag, ==, before.c_lflag);
  g_assert_cmpint (after.c_iflag, ==, before.c_iflag);
  g_assert_cmpint (after.c_oflag, ==, before.c_oflag);
  close (master);
  close (slave);
  /* and the console is free again */
  {
    g_autoptr(GError) error = NULL;
    int fd = -1;
    for (double deadline = now_s () + 5; now_s () < deadline && fd < 0; sleep_ms (20)) {
      g_clear_error (&error);
      fd = cove_container_console_attach (c, &error);
    }
    g_assert_no_error (error);
    close (fd);
  }
  stop_ok (e, c);
}

/* ---- the init's stdio: a foreground start keeps the caller's ---------------------------- */

static void
case_foreground_stdio (Env *e)
{
  g_autofree char *out = NULL;
  g_autofree char *config = g_build_filename (e->path, NAME, "config", NULL);
  g_autofree char *text = read_text (config, NULL);
  g_autofree char *more = g_strdup_printf ("%slxc.console.buffer.size = 4096\nlxc.console.logfile = %s\n",
                                           text, e->log);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (config, more, -1, &error));
  /* stdout of cove execute is a pipe here: the payload writes to it, not to the console,
   * while /dev/console is the console all the same */
  g_assert_cmpint (run_tool (e->path, &out, "execute", NAME, "--", "sh", "-c",
                             "echo out-$((1+1)); echo to-console > /dev/console; test -c /dev/console", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "out-2\n");
  g_assert_true (wait_file_contains (e->log, "to-console", 2));
}

/* ---- the harness -------------------------------------------------------------------------- */

typedef struct {
  const char *path;
  void (*body) (Env *e);
  guint timeout;
} Case;

static const Case cases[] = {
  { "/console/C4.2/read", case_read, 60 },
  { "/console/C4.3/partial-read", case_partial, 60 },
  { "/console/C4.4/clear", case_clear, 60 },
  { "/console/C4.5/overflow", case_overflow, 60 },
  { "/console/C4.6/errors", case_errors, 60 },
  { "/console/C4.7/rotate", case_rotate, 60 },
  { "/console/C4.8/stop-keeps-log", case_stop_keeps_log, 60 },
  { "/console/C4.9/reboot", case_reboot, 90 },
  { "/console/flood-concurrent-readers", case_flood, 150 },
  { "/console/disconnect-mid-request", case_disconnect, 90 },
  { "/console/attach", case_attach, 60 },
  { "/console/cli", case_cli, 60 },
  { "/console/foreground-stdio", case_foreground_stdio, 60 },
};

static void
env_init (Env *e, const char *path)
{
  e->path = g_strdup (path);
  e->socket = raw_socket_for (path, NAME);
  e->log = g_build_filename (path, "log", "console.log", NULL);
  e->log1 = g_strconcat (e->log, ".1", NULL);
}

static void
env_clear (Env *e)
{
  g_free (e->path);
  g_free (e->socket);
  g_free (e->log);
  g_free (e->log1);
}

static void
run_body (const char *path, gconstpointer data)
{
  const Case *tc = data;
  Env e = { 0 };

  env_init (&e, path);
  tc->body (&e);
  env_clear (&e);
}

static void
run_case (gconstpointer data)
{
  const Case *tc = data;

  itest_run_case (&suite, TRUE, tc->timeout, run_body, tc);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  itest_suite_start (&suite);

  if (geteuid () != 0) {
    suite.skip_reason = "needs root (the root suite runs real containers)";
  } else if (!g_test_subprocess ()) {
    const char *tool = g_getenv ("COVE_TOOL");

    /* every case runs in this private network namespace (the subprocesses inherit it) */
    if (unshare (CLONE_NEWNET) < 0)
      suite.skip_reason = g_strdup_printf ("unshare(CLONE_NEWNET): %s", g_strerror (errno));
    else if (tool == NULL || g_getenv ("COVE_MONITOR") == NULL || g_getenv ("COVE_PLUGIN_PATH") == NULL)
      suite.skip_reason = "COVE_TOOL, COVE_MONITOR and COVE_PLUGIN_PATH must be set (run through meson test)";
    else if (!g_file_test ("/bin/busybox", G_FILE_TEST_IS_EXECUTABLE))
      suite.skip_reason = "the busybox template needs /bin/busybox (apt-get install busybox-static)";
    else if (!cove_has_api_extension ("console_log"))
      suite.skip_reason = "the console-ringbuffer plugin is not active (COVE_PLUGIN_PATH, COVE_PLUGINS_DISABLE)";
    g_test_set_nonfatal_assertions ();
  }

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], run_case);
  return g_test_run ();
}
