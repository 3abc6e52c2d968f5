/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * console-ringbuffer without root (suite "unit"): the ring and the log file writer
 * white-box (the plugin's ring.c, logfile.c and util.c are compiled in), and through the
 * public API with the built plugin (COVE_PLUGIN_PATH): acceptance check C4.1 (the size
 * grammar, lxc.console.rotate), the key checks, the console_log extension with and
 * without the plugin, and the API's errors that need no running container.
 */
#include "console.h"
#include "plugin-unit.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the ring --------------------------------------------------------------------- */

static void
fill_pattern (guint8 *buf, gsize n, guint seed)
{
  for (gsize i = 0; i < n; i++)
    buf[i] = (guint8) ((i * 7 + seed) % 251);
}

static void
test_ring_basic (void)
{
  ConsoleRing ring;
  g_autoptr(GError) error = NULL;

  g_assert_true (console_ring_init (&ring, 4096, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (console_ring_used (&ring), ==, 0);
  console_ring_append (&ring, (const guint8 *) "0123456789", 10);
  g_assert_cmpuint (console_ring_used (&ring), ==, 10);
  g_assert_cmpmem (console_ring_read_ptr (&ring), 4, "0123", 4);
  console_ring_consume (&ring, 4);
  g_assert_cmpmem (console_ring_read_ptr (&ring), 6, "456789", 6);
  console_ring_consume (&ring, 6);
  g_assert_cmpuint (console_ring_used (&ring), ==, 0);
  console_ring_release (&ring);
  g_assert_null (ring.addr);
}

/* The double mapping: a span across the end of the memfd is contiguous, and both copies
 * are the same memory. */
static void
test_ring_wrap (void)
{
  ConsoleRing ring;
  guint8 data[3000], more[3000];

  g_assert_true (console_ring_init (&ring, 4096, NULL));
  fill_pattern (data, sizeof data, 1);
  fill_pattern (more, sizeof more, 2);
  console_ring_append (&ring, data, sizeof data);
  console_ring_consume (&ring, sizeof data);
  console_ring_append (&ring, more, sizeof more);      /* 3000..6000: wraps at 4096 */
  g_assert_cmpuint (console_ring_used (&ring), ==, sizeof more);
  g_assert_cmpmem (console_ring_read_ptr (&ring), sizeof more, more, sizeof more);
  g_assert_cmpmem (ring.addr, 6000 - 4096, more + (4096 - 3000), 6000 - 4096);
  g_assert_cmpmem (ring.addr + 4096, 6000 - 4096, more + (4096 - 3000), 6000 - 4096);
  /* offsets stay small however much goes through */
  for (int i = 0; i < 1000; i++) {
    console_ring_append (&ring, data, 1234);
    console_ring_consume (&ring, console_ring_used (&ring));
  }
  g_assert_cmpuint (ring.r, <, ring.size);
  g_assert_cmpuint (ring.w, <=, ring.r + ring.size);
  console_ring_release (&ring);
}

/* Overflow keeps the newest bytes and drops exactly what does not fit. */
static void
test_ring_overflow (void)
{
  ConsoleRing ring;
  guint8 big[10000];
  guint8 *direct;

  g_assert_true (console_ring_init (&ring, 4096, NULL));
  fill_pattern (big, sizeof big, 3);
  console_ring_append (&ring, big, 4000);
  console_ring_append (&ring, big + 4000, 200);
  g_assert_cmpuint (console_ring_used (&ring), ==, 4096);
  g_assert_cmpmem (console_ring_read_ptr (&ring), 4096, big + 4200 - 4096, 4096);

  console_ring_append (&ring, big, sizeof big);        /* larger than the ring */
  g_assert_cmpuint (console_ring_used (&ring), ==, 4096);
  g_assert_cmpmem (console_ring_read_ptr (&ring), 4096, big + sizeof big - 4096, 4096);

  /* read(2) straight into the ring: write_ptr + commit */
  console_ring_consume (&ring, 100);
  direct = console_ring_write_ptr (&ring);
  memcpy (direct, "ABCDEFGHIJ", 10);
  console_ring_commit (&ring, 10);
  g_assert_cmpuint (console_ring_used (&ring), ==, 4006);
  g_assert_cmpmem (console_ring_read_ptr (&ring) + 3996, 10, "ABCDEFGHIJ", 10);
  /* a full-size read(2) into the ring replaces all of it */
  fill_pattern (big, 4096, 9);
  memcpy (console_ring_write_ptr (&ring), big, 4096);
  console_ring_commit (&ring, 4096);
  g_assert_cmpuint (console_ring_used (&ring), ==, 4096);
  g_assert_cmpmem (console_ring_read_ptr (&ring), 4096, big, 4096);
  console_ring_release (&ring);
}

/* A whole-ring read hands the memfd over: its bytes from old.r, wrapping at the size;
 * the ring goes on, new and empty; once retired the memfd is sealed against writes. */
static void
test_ring_steal (void)
{
  ConsoleRing ring, old;
  guint8 data[6000], back[4096];
  int fd;

  g_assert_true (console_ring_init (&ring, 4096, NULL));
  fill_pattern (data, sizeof data, 4);
  console_ring_append (&ring, data, 3000);
  console_ring_consume (&ring, 3000);
  console_ring_append (&ring, data, 3000);      /* wraps: bytes at 3000..4095, then 0..1903 */
  g_assert_true (console_ring_steal (&ring, &old, NULL));
  g_assert_cmpuint (console_ring_used (&ring), ==, 0);
  g_assert_true (ring.addr != old.addr);
  g_assert_cmpint (ring.fd, !=, old.fd);
  g_assert_cmpuint (old.r, ==, 3000);
  fd = dup (old.fd);
  console_ring_append (&ring, (const guint8 *) "new", 3);   /* the new ring is independent */
  console_ring_retire (&old);
  g_assert_cmpint (pread (fd, back, 4096 - 3000, 3000), ==, 4096 - 3000);
  g_assert_cmpint (pread (fd, back + 1096, 3000 - 1096, 0), ==, 3000 - 1096);
  g_assert_cmpmem (back, 3000, data, 3000);
  g_assert_cmpint (pwrite (fd, "x", 1, 0), ==, -1);          /* sealed */
  g_assert_cmpint (errno, ==, EPERM);
  g_assert_cmpint (fcntl (fd, F_GET_SEALS) & F_SEAL_WRITE, !=, 0);
  close (fd);
  g_assert_cmpmem (console_ring_read_ptr (&ring), 3, "new", 3);
  console_ring_release (&ring);
}

static void
test_ring_sizes (void)
{
  guint64 bad[] = { 0, 5000, 4096 + 2048, 100 };
  ConsoleRing ring;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(GError) error = NULL;
    g_assert_false (console_ring_init (&ring, bad[i], &error));
    g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  }
  g_assert_true (console_ring_init (&ring, 1 << 20, NULL));
  g_assert_cmpuint (ring.size, ==, 1 << 20);
  console_ring_release (&ring);
}

/* ---- the log file ----------------------------------------------------------------- */

static gsize
file_size (const char *path)
{
  struct stat st;

  if (stat (path, &st) < 0)
    return (gsize) -1;
  return st.st_size;
}

static char *
tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cove-console-unit-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_files (const char *dir, const char *const *names)
{
  for (; *names; names++) {
    g_autofree char *p = g_build_filename (dir, *names, NULL);
    unlink (p);
  }
  rmdir (dir);
}

/* C4.7 on the writer: 5000 bytes into size 4096 with rotation: .1 = 4096, the file the
 * rest; a second overflow replaces .1. */
static void
test_logfile_rotate (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "sub", "console.log", NULL);
  g_autofree char *rotated = g_strconcat (path, ".1", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  ConsoleLogFile log = { .fd = -1 };
  guint8 data[5000];
  gsize len;

  fill_pattern (data, sizeof data, 5);
  g_assert_true (console_logfile_open (&log, path, 4096, TRUE, NULL));   /* creates sub/ */
  console_logfile_write (&log, data, 1000);
  console_logfile_write (&log, data + 1000, 4000);
  g_assert_cmpuint (file_size (rotated), ==, 4096);
  g_assert_cmpuint (file_size (path), ==, 5000 - 4096);
  g_assert_true (g_file_get_contents (rotated, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, data, 4096);
  g_clear_pointer (&contents, g_free);

  console_logfile_write (&log, data, sizeof data);   /* 904 + 5000: fills, rotates again */
  g_assert_cmpuint (file_size (rotated), ==, 4096);
  g_assert_cmpuint (file_size (path), ==, 904 + 5000 - 4096);
  g_assert_true (g_file_get_contents (rotated, &contents, &len, NULL));
  g_assert_cmpmem (contents, 904, data + 4096, 904);
  g_assert_cmpmem (contents + 904, 4096 - 904, data, 4096 - 904);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, data + 4096 - 904, 5000 - (4096 - 904));
  console_logfile_close (&log);

  /* reopened (a new start): appends, and a file already at the limit rotates first */
  g_assert_true (console_logfile_open (&log, path, 1808, TRUE, NULL));
  g_assert_cmpuint (log.size, ==, 1808);
  console_logfile_write (&log, data, 10);
  g_assert_cmpuint (file_size (rotated), ==, 1808);
  g_assert_cmpuint (file_size (path), ==, 10);
  console_logfile_close (&log);

  remove_files (sub, (const char *const[]) { "console.log", "console.log.1", NULL });
  rmdir (dir);
}

/* rotate = 0: no .1, the file restarts from 0; unlimited: everything is kept. */
static void
test_logfile_truncate (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "console.log", NULL);
  g_autofree char *rotated = g_strconcat (path, ".1", NULL);
  g_autofree char *contents = NULL;
  ConsoleLogFile log = { .fd = -1 };
  guint8 data[5000];
  gsize len;

  fill_pattern (data, sizeof data, 6);
  g_assert_true (console_logfile_open (&log, path, 4096, FALSE, NULL));
  console_logfile_write (&log, data, sizeof data);
  g_assert_false (g_file_test (rotated, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (file_size (path), ==, 904);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, data + 4096, 904);
  console_logfile_close (&log);
  unlink (path);

  g_assert_true (console_logfile_open (&log, path, 0, TRUE, NULL));
  for (int i = 0; i < 20; i++)
    console_logfile_write (&log, data, sizeof data);
  g_assert_cmpuint (file_size (path), ==, 20 * sizeof data);
  g_assert_false (g_file_test (rotated, G_FILE_TEST_EXISTS));
  console_logfile_close (&log);
  remove_files (dir, (const char *const[]) { "console.log", NULL });
}

/* Not a regular file: refused (a FIFO must not block the monitor in open()). */
static void
test_logfile_not_regular (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  ConsoleLogFile log = { .fd = -1 };
  g_autoptr(GError) error = NULL;

  /* a FIFO without a reader: ENXIO at once, never a blocked open() */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_false (console_logfile_open (&log, fifo, 0, FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (console_logfile_open (&log, "/dev/null", 0, FALSE, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);
  g_assert_false (console_logfile_open (&log, dir, 0, FALSE, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (log.fd, ==, -1);
  remove_files (dir, (const char *const[]) { "fifo", NULL });
}

/* ---- through the API, with the built plugin ---------------------------------------- */

static char *
get_item (CoveContainer *c, const char *key)
{
  g_autoptr(GError) error = NULL;
  char *value = cove_container_get_config_item (c, key, &error);

  g_assert_no_error (error);
  return value;
}

/* C4.1: the table of the spec for both size keys; 4K is 4096 (Cove's byte-size grammar). */
static void
test_c4_1_sizes (void)
{
  static const struct { const char *in, *out; } table[] = {
    { "4096", "4096" }, { "5000", "8192" }, { "1kB", "4096" }, { "1 MB", "1048576" },
    { "auto", "131072" }, { "0", "0" }, { "4K", "4096" }, { "1", "4096" }, { "1 kb", "4096" },
    { "1MB", "1048576" }, { "3M", "4194304" }, { "65537", "131072" }, { "1GiB", "1073741824" },
    { "1B", "4096" },
  };
  static const char *const bad[] = { "-1", "abc", "1TB", "1 ", "", "0x10", "1.5M", "4 K B" };
  static const char *const size_keys[] = { "lxc.console.buffer.size", "lxc.console.size" };
  g_autoptr(CoveContext) context = plugin_test_context (NULL);
  g_autoptr(CoveContainer) c = plugin_test_container (context);

  for (gsize k = 0; k < G_N_ELEMENTS (size_keys); k++) {
    for (gsize i = 0; i < G_N_ELEMENTS (table); i++) {
      g_autoptr(GError) error = NULL;
      g_autofree char *value = NULL;

      g_assert_true (cove_container_set_config_item (c, size_keys[k], table[i].in, &error));
      g_assert_no_error (error);
      value = get_item (c, size_keys[k]);
      if (g_strcmp0 (value, table[i].out) != 0)
        g_error ("%s = \"%s\": got %s, expected %s", size_keys[k], table[i].in, value, table[i].out);
    }
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
      g_autoptr(GError) error = NULL;
      g_autofree char *value = NULL;

      if (*bad[i] == '\0')
        continue;   /* the empty value clears the key: tested below */
      g_assert_true (cove_container_set_config_item (c, size_keys[k], "8192", NULL));
      g_assert_false (cove_container_set_config_item (c, size_keys[k], bad[i], &error));
      g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
      g_test_message ("%s = \"%s\": %s", size_keys[k], bad[i], error->message);
      value = get_item (c, size_keys[k]);
      g_assert_cmpstr (value, ==, "8192");    /* the old value stays */
    }
    g_assert_true (cove_container_set_config_item (c, size_keys[k], "", NULL));
  }
  /* the ring is memory: at most 1 GiB; the log limit is not */
  g_assert_false (cove_container_set_config_item (c, "lxc.console.buffer.size", "2G", NULL));
  g_assert_true (cove_container_set_config_item (c, "lxc.console.size", "2G", NULL));
}

/* C4.1: rotate is 0 or 1; 2 is an error and the old value is kept. */
static void
test_c4_1_rotate (void)
{
  g_autoptr(CoveContext) context = plugin_test_context (NULL);
  g_autoptr(CoveContainer) c = plugin_test_container (context);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_true (cove_container_set_config_item (c, "lxc.console.rotate", "1", NULL));
  g_assert_false (cove_container_set_config_item (c, "lxc.console.rotate", "2", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  value = get_item (c, "lxc.console.rotate");
  g_assert_cmpstr (value, ==, "1");
}

static void
test_keys (void)
{
  g_autoptr(CoveContext) context = plugin_test_context (NULL);
  g_autoptr(CoveContainer) c = plugin_test_container (context);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  /* lxc.console.path: none, or unset */
  g_assert_true (cove_container_set_config_item (c, "lxc.console.path", "none", NULL));
  g_assert_false (cove_container_set_config_item (c, "lxc.console.path", "/dev/tty1", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  value = get_item (c, "lxc.console.path");
  g_assert_cmpstr (value, ==, "none");

  /* none and a ring (or a log file) do not go together */
  g_assert_true (cove_container_set_config_item (c, "lxc.console.buffer.size", "auto", NULL));
  g_assert_false (cove_container_validate_config (c, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "lxc.console.buffer.size needs a console"));
  g_clear_error (&error);
  g_assert_true (cove_container_set_config_item (c, "lxc.console.buffer.size", "0", NULL));
  g_assert_true (cove_container_validate_config (c, NULL));
  g_assert_true (cove_container_set_config_item (c, "lxc.console.logfile", "/tmp/x/console.log", NULL));
  g_assert_false (cove_container_validate_config (c, &error));
  g_assert_nonnull (strstr (error->message, "lxc.console.logfile needs a console"));
  g_clear_error (&error);
  g_assert_true (cove_container_clear_config_item (c, "lxc.console.path", NULL));
  g_assert_true (cove_container_validate_config (c, NULL));

  /* the log file is an absolute path */
  g_assert_false (cove_container_set_config_item (c, "lxc.console.logfile", "console.log", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  g_assert_true (cove_config_item_is_supported ("lxc.console.buffer.size") ||
                 g_getenv ("COVE_PLUGINS_DISABLE") != NULL);
}

/* console_log is advertised exactly when the plugin is active; without it the API and
 * the keys say which plugin they need. */
static void
test_extension (void)
{
  g_autoptr(CoveContext) with = plugin_test_context (NULL);
  g_autoptr(CoveContext) without = plugin_test_context ("console-ringbuffer");
  g_autoptr(CoveContainer) c = plugin_test_container (without);
  g_autoptr(GError) error = NULL;
  CoveConsoleLog log = { .read = TRUE };

  g_assert_true (cove_context_has_api_extension (with, "console_log"));
  g_assert_false (cove_context_has_api_extension (without, "console_log"));
  g_assert_false (cove_container_console_log (c, &log, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "console_log"));
  g_assert_nonnull (strstr (error->message, "console-ringbuffer"));
  g_assert_nonnull (strstr (error->message, "disabled"));
  g_assert_null (log.data);
  g_assert_cmpuint (log.read_max, ==, 0);
  g_clear_error (&error);
  g_assert_cmpint (cove_container_console_attach (c, &error), ==, -1);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_false (cove_container_set_config_item (c, "lxc.console.buffer.size", "auto", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_MISSING);
  g_assert_nonnull (strstr (error->message, "console-ringbuffer"));
}

/* Errors that need no running container: no log struct, not running. */
static void
test_api_errors (void)
{
  g_autoptr(CoveContext) context = plugin_test_context (NULL);
  g_autoptr(CoveContainer) c = plugin_test_container (context);
  g_autoptr(GError) error = NULL;
  CoveConsoleLog log = { .read = TRUE, .read_max = 5, .data = (char *) "stale" };

  g_assert_false (cove_container_console_log (c, NULL, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cove_container_console_log (c, &log, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
  g_assert_null (log.data);
  g_assert_cmpuint (log.read_max, ==, 0);
  g_clear_error (&error);
  g_assert_false (cove_container_console_resize (c, 70000, 80, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cove_container_console_resize (c, 24, 80, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/console/ring/basic", test_ring_basic);
  g_test_add_func ("/console/ring/wrap", test_ring_wrap);
  g_test_add_func ("/console/ring/overflow", test_ring_overflow);
  g_test_add_func ("/console/ring/steal", test_ring_steal);
  g_test_add_func ("/console/ring/sizes", test_ring_sizes);
  g_test_add_func ("/console/logfile/rotate", test_logfile_rotate);
  g_test_add_func ("/console/logfile/truncate", test_logfile_truncate);
  g_test_add_func ("/console/logfile/not-regular", test_logfile_not_regular);
  if (g_getenv ("COVE_PLUGIN_PATH") != NULL) {
    g_test_add_func ("/console/C4.1/sizes", test_c4_1_sizes);
    g_test_add_func ("/console/C4.1/rotate", test_c4_1_rotate);
    g_test_add_func ("/console/keys", test_keys);
    g_test_add_func ("/console/extension", test_extension);
    g_test_add_func ("/console/api-errors", test_api_errors);
  }
  return g_test_run ();
}
