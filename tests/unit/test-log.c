/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library logger (C2.1-C2.7). The logger is process-global and its settings stick
 * until cove_log_close(), so every case that initialises it runs in a subprocess.
 */
#include "test-common.h"

#include <fcntl.h>

#define LEVELS "(TRACE|DEBUG|INFO|NOTICE|WARN|ERROR|CRIT|ALERT|FATAL)"
/* C2.1, literally */
#define C21_RE "^px c1 [0-9]{14}\\.[0-9]{3} ERROR +\\S+ - \\S+:\\S+:[0-9]+ - .*lxc\\.nonsense"

static gboolean
has_line (const char *text, const char *pattern)
{
  return g_regex_match_simple (pattern, text, G_REGEX_MULTILINE, 0);
}

static guint
count_lines (const char *text)
{
  guint n = 0;
  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

/* Every line of a log file: <prefix> <name> <stamp> <LEVEL padded to 8> <category> -
 * <file>:<func>:<line> - <message>. */
static void
assert_all_lines_formatted (const char *text, const char *prefix, const char *name)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *pattern = g_strdup_printf ("^%s %s [0-9]{14}\\.[0-9]{3} %s +\\S+ - \\S+:\\S+:[0-9]+ - .*$",
                                              prefix, name, LEVELS);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (lines[n - 1], ==, "");  /* newline-terminated */
  for (guint i = 0; i + 1 < n; i++) {
    if (!g_regex_match_simple (pattern, lines[i], 0, 0))
      g_error ("log line \"%s\" does not match %s", lines[i], pattern);
    g_assert_cmpuint (strlen (lines[i]), <, 4096);
  }
}

/* A failing API call of container @name (C2.1 uses lxc.nonsense). */
static void
fail_call (CoveContext *context, const char *name, const char *key)
{
  g_autofree char *dir = test_make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContainer) c = cove_container_new_with_context (context, name, dir, &error);

  g_assert_no_error (error);
  g_assert_false (cove_container_set_config_item (c, key, "1", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_UNKNOWN_KEY);
  test_rm_rf (dir);
}

static void
assert_mode (const char *path, mode_t type, mode_t mode)
{
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & S_IFMT, ==, type);
  g_assert_cmpuint (st.st_mode & 07777, ==, mode);
}

/* C2.1: directories 0755, file 0640, the line format, TRACE reaches the file. */
static void
test_init_file (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *top = g_build_filename (dir, "L", NULL);
    g_autofree char *sub = g_build_filename (dir, "L", "a", NULL);
    g_autofree char *file = g_build_filename (sub, "b.log", NULL);
    const CoveLogOptions options = { "c1", NULL, file, "TRACE", "px", TRUE };
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) stamp = NULL;
    g_autoptr(GRegex) re = NULL;
    g_autoptr(GMatchInfo) match = NULL;

    umask (022);
    g_assert_true (cove_log_init (&options, &error));
    g_assert_no_error (error);
    assert_mode (top, S_IFDIR, 0755);
    assert_mode (sub, S_IFDIR, 0755);
    assert_mode (file, S_IFREG, 0640);

    {
      /* a successful call logs at TRACE */
      g_autofree char *cdir = test_make_tmp_dir ();
      g_autoptr(CoveContainer) c = cove_container_new_with_context (context, "c1", cdir, &error);
      g_assert_true (cove_container_set_config_item (c, "lxc.log.level", "INFO", &error));
      g_assert_no_error (error);
      test_rm_rf (cdir);
    }
    fail_call (context, "c1", "lxc.nonsense");

    text = test_read_file (file);
    g_test_message ("log file:\n%s", text);
    if (!has_line (text, C21_RE))
      g_error ("no line matches %s in:\n%s", C21_RE, text);
    g_assert_true (has_line (text, "^px c1 [0-9]{14}\\.[0-9]{3} TRACE    \\S+ - .*lxc\\.log\\.level"));
    assert_all_lines_formatted (text, "px", "c1");

    /* the stamp is UTC now, with milliseconds */
    re = g_regex_new ("^px c1 ([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})\\.[0-9]{3} ",
                      G_REGEX_MULTILINE, 0, NULL);
    g_assert_true (g_regex_match (re, text, 0, &match));
    {
      int f[6];
      for (int i = 0; i < 6; i++) {
        g_autofree char *part = g_match_info_fetch (match, i + 1);
        f[i] = atoi (part);
      }
      stamp = g_date_time_new_utc (f[0], f[1], f[2], f[3], f[4], f[5]);
      g_assert_nonnull (stamp);
      g_assert_cmpint (g_date_time_difference (stamp, before) / G_TIME_SPAN_SECOND, >=, -2);
      g_assert_cmpint (g_date_time_difference (stamp, before) / G_TIME_SPAN_SECOND, <=, 120);
    }
    cove_log_close ();
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");   /* quiet */
}

/* C2.2: a second init returns TRUE, warns, and changes nothing. */
static void
test_init_twice (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *file = g_build_filename (dir, "first.log", NULL);
    g_autofree char *other_dir = g_build_filename (dir, "second", NULL);
    g_autofree char *other = g_build_filename (other_dir, "second.log", NULL);
    const CoveLogOptions first = { "c1", NULL, file, "TRACE", "px", TRUE };
    const CoveLogOptions second = { "c2", NULL, other, "FATAL", "zz", FALSE };
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    g_assert_true (cove_log_init (&first, &error));
    g_assert_true (cove_log_init (&second, &error));
    g_assert_no_error (error);
    g_assert_false (g_file_test (other_dir, G_FILE_TEST_EXISTS));

    fail_call (context, "c2", "lxc.nonsense");
    text = test_read_file (file);
    g_test_message ("log file:\n%s", text);
    g_assert_true (has_line (text, "^px c1 [0-9]{14}\\.[0-9]{3} WARN     \\S+ - .*already initialized"));
    g_assert_true (has_line (text, C21_RE));           /* name c1, prefix px, level kept */
    g_assert_false (has_line (text, "^zz "));
    assert_all_lines_formatted (text, "px", "c1");
    cove_log_close ();
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");   /* quiet=TRUE of the first call still holds */
}

/* C2.3: file "none" creates nothing, not even the default file. */
static void
test_init_none (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    const CoveLogOptions options = { "c1", dir, "none", "TRACE", "px", TRUE };
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) listing = NULL;

    /* run from the scratch directory: "none" must not become a file named none */
    g_assert_cmpint (chdir (dir), ==, 0);
    g_assert_true (cove_log_init (&options, &error));
    g_assert_no_error (error);
    fail_call (context, "c1", "lxc.nonsense");
    listing = g_dir_open (dir, 0, &error);
    g_assert_no_error (error);
    g_assert_null (g_dir_read_name (listing));
    cove_log_close ();
    g_assert_cmpint (chdir ("/"), ==, 0);
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
}

/* No file but a name and a path: <path>/<name>/<name>.log (the contrast to "none"). */
static void
test_init_default_file (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *file = g_build_filename (dir, "c1", "c1.log", NULL);
    const CoveLogOptions options = { "c1", dir, NULL, NULL, "px", TRUE };
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    g_assert_true (cove_log_init (&options, &error));
    g_assert_no_error (error);
    fail_call (context, "c1", "lxc.nonsense");
    text = test_read_file (file);
    g_assert_true (has_line (text, C21_RE));
    /* level NULL means ERROR: nothing below it */
    g_assert_false (has_line (text, " (TRACE|DEBUG|INFO|NOTICE|WARN) "));
    cove_log_close ();
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* C2.4 (Cove): quiet=TRUE means nothing on stderr, with or without a file. */
static void
test_init_quiet (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *file = g_build_filename (dir, "q.log", NULL);
    const CoveLogOptions options = { "c1", NULL, file, "TRACE", "px", TRUE };
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    g_assert_true (cove_log_init (&options, &error));
    fail_call (context, "c1", "lxc.nonsense");
    text = test_read_file (file);
    g_assert_true (has_line (text, C21_RE));   /* it was logged, only not to stderr */
    cove_log_close ();
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
}

/* Runs @func with stderr redirected to a file and returns what it printed. */
static char *
capture_stderr (void (*func) (CoveContext *), CoveContext *context)
{
  g_autofree char *dir = test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "stderr", NULL);
  int saved = dup (STDERR_FILENO);
  int fd = open (path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
  char *text;

  g_assert_cmpint (saved, >=, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (dup2 (fd, STDERR_FILENO), ==, STDERR_FILENO);
  close (fd);
  func (context);
  g_assert_cmpint (dup2 (saved, STDERR_FILENO), ==, STDERR_FILENO);
  close (saved);
  text = test_read_file (path);
  test_rm_rf (dir);
  return text;
}

static void
noisy_calls (CoveContext *context)
{
  g_autofree char *dir = test_make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContainer) c = cove_container_new_with_context (context, "c1", dir, &error);
  const CoveLogOptions again = { "c1", NULL, "none", NULL, NULL, FALSE };

  g_assert_true (cove_log_init (&again, &error));                         /* WARN */
  g_assert_true (cove_container_set_config_item (c, "lxc.log.level", "1", &error));  /* TRACE */
  g_assert_no_error (error);
  g_assert_false (cove_container_set_config_item (c, "lxc.nonsense", "1", &error)); /* ERROR */
  test_rm_rf (dir);
}

/* C2.4: quiet=FALSE prints ERROR and above as "px: c1: <file>: <func>: <line> <msg>". */
static void
test_init_stderr (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *file = g_build_filename (dir, "loud.log", NULL);
    const CoveLogOptions options = { "c1", NULL, file, "TRACE", "px", FALSE };
    g_autoptr(GError) error = NULL;
    g_autofree char *printed = NULL, *text = NULL;

    g_assert_true (cove_log_init (&options, &error));
    printed = capture_stderr (noisy_calls, context);
    g_test_message ("stderr:\n%s", printed);
    g_assert_cmpuint (count_lines (printed), ==, 1);   /* no WARN, no TRACE */
    if (!g_regex_match_simple ("^px: c1: \\S+\\.c: \\w+: [0-9]+ .*lxc\\.nonsense.*\n$", printed, 0, 0))
      g_error ("unexpected stderr \"%s\"", printed);
    /* the file has all three */
    text = test_read_file (file);
    g_assert_true (has_line (text, " WARN "));
    g_assert_true (has_line (text, " TRACE "));
    g_assert_true (has_line (text, C21_RE));

    /* and once more for the parent to see */
    fail_call (context, "c1", "lxc.nonsense");
    cove_log_close ();
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("px: c1: *.c: *: * *lxc.nonsense*");
}

/* C2.5 (Cove): an unknown level is an error naming it, and initialises nothing. */
static void
test_init_bad_level (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *bad_file = g_build_filename (dir, "bad.log", NULL);
    g_autofree char *good_file = g_build_filename (dir, "good.log", NULL);
    static const char *const bad_levels[] = { "bogus", "", "9", "-1", "WARNING", "ERROR " };
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    for (gsize i = 0; i < G_N_ELEMENTS (bad_levels); i++) {
      const CoveLogOptions bad = { "c1", NULL, bad_file, bad_levels[i], "px", TRUE };
      g_assert_false (cove_log_init (&bad, &error));
      g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "invalid log level"));
      if (*bad_levels[i])
        g_assert_nonnull (strstr (error->message, bad_levels[i]));
      g_clear_error (&error);
    }
    g_assert_false (g_file_test (bad_file, G_FILE_TEST_EXISTS));
    g_assert_false (cove_log_init (NULL, &error));
    g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    {
      /* a bad name is refused too */
      const CoveLogOptions bad_name = { "a/b", NULL, bad_file, NULL, "px", TRUE };
      g_assert_false (cove_log_init (&bad_name, &error));
      g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }

    /* still uninitialised: these settings take effect; levels are case-insensitive */
    {
      const CoveLogOptions good = { "c1", NULL, good_file, "warn", "ok", TRUE };
      g_assert_true (cove_log_init (&good, &error));
      g_assert_no_error (error);
    }
    fail_call (context, "c1", "lxc.nonsense");
    text = test_read_file (good_file);
    g_assert_true (has_line (text, "^ok c1 [0-9]{14}\\.[0-9]{3} ERROR "));
    cove_log_close ();
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
}

/* A log file that cannot be opened fails cove_log_init and initialises nothing. */
static void
test_init_bad_file (void)
{
  if (g_test_subprocess ()) {
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *blocker = test_write_file (dir, "file", "x", -1);
    g_autofree char *below = g_build_filename (blocker, "sub", "x.log", NULL);  /* ENOTDIR */
    g_autofree char *good = g_build_filename (dir, "good.log", NULL);
    const CoveLogOptions bad = { "c1", NULL, below, NULL, "px", TRUE };
    const CoveLogOptions ok = { "c1", NULL, good, NULL, "px", TRUE };
    g_autoptr(GError) error = NULL;

    g_assert_false (cove_log_init (&bad, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "log file"));
    g_clear_error (&error);
    g_assert_true (cove_log_init (&ok, &error));
    g_assert_true (g_file_test (good, G_FILE_TEST_IS_REGULAR));
    cove_log_close ();
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* C2.7: a 40-byte prefix is cut to 31 bytes, no error. */
static void
test_init_long_prefix (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *file = g_build_filename (dir, "p.log", NULL);
    g_autofree char *prefix = g_strnfill (40, 'p');
    const CoveLogOptions options = { "c1", NULL, file, "ERROR", prefix, TRUE };
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    g_assert_true (cove_log_init (&options, &error));
    g_assert_no_error (error);
    fail_call (context, "c1", "lxc.nonsense");
    text = test_read_file (file);
    g_test_message ("log file:\n%s", text);
    g_assert_true (has_line (text, "^p{31} c1 [0-9]{14}\\.[0-9]{3} ERROR "));
    g_assert_false (has_line (text, "^p{32}"));
    cove_log_close ();
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* No name given to cove_log_init: each line names the container whose call logs. */
static void
test_init_no_name (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *file = g_build_filename (dir, "n.log", NULL);
    const CoveLogOptions options = { NULL, NULL, file, NULL, NULL, TRUE };
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    g_assert_true (cove_log_init (&options, &error));
    fail_call (context, "alpha", "lxc.nonsense");
    fail_call (context, "beta", "lxc.nonsense2");
    text = test_read_file (file);
    g_assert_true (has_line (text, "^cove alpha [0-9]{14}\\.[0-9]{3} ERROR .*lxc\\.nonsense\"?$"));
    g_assert_true (has_line (text, "^cove beta [0-9]{14}\\.[0-9]{3} ERROR .*lxc\\.nonsense2"));
    cove_log_close ();
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* C2.6: lxc.log.file / lxc.log.level of a container get that container's calls only. */
static void
test_container_log (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *log = g_build_filename (dir, "L", "c2.log", NULL);
    g_autofree char *quiet_conf = NULL, *debug_conf = NULL, *conf_text = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(CoveContainer) c2 = cove_container_new_with_context (context, "c2", dir, &error);
    g_autoptr(CoveContainer) c3 = cove_container_new_with_context (context, "c3", dir, &error);
    g_autofree char *text = NULL;

    umask (022);
    g_assert_no_error (error);
    g_assert_true (cove_container_set_config_item (c2, "lxc.log.level", "DEBUG", &error));
    g_assert_true (cove_container_set_config_item (c2, "lxc.log.file", log, &error));
    g_assert_no_error (error);
    /* Cove opens the file on the first message (LXC opens it when the key is set): reading
     * a config, e.g. `cove config check`, creates no file */
    g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));

    g_assert_false (cove_container_set_config_item (c2, "lxc.nonsense", "1", &error));
    assert_mode (log, S_IFREG, 0640);
    g_clear_error (&error);
    g_assert_false (cove_container_set_config_item (c3, "lxc.other.nonsense", "1", &error));
    g_clear_error (&error);
    g_assert_true (cove_container_set_config_item (c2, "lxc.log.level", "debug", &error)); /* TRACE */

    /* a load: DEBUG "loaded configuration" with the new config's target */
    conf_text = g_strdup_printf ("lxc.log.file = %s\nlxc.log.level = DEBUG\n", log);
    debug_conf = test_write_file (dir, "debug.conf", conf_text, -1);
    g_free (conf_text);
    conf_text = g_strdup_printf ("lxc.log.file = %s\nlxc.log.level = ERROR\n", log);
    quiet_conf = test_write_file (dir, "quiet.conf", conf_text, -1);
    g_assert_true (cove_container_load_config (c2, debug_conf, &error));
    g_assert_true (cove_container_load_config (c2, quiet_conf, &error));
    g_assert_no_error (error);

    text = test_read_file (log);
    g_test_message ("c2.log:\n%s", text);
    assert_all_lines_formatted (text, "cove", "c2");
    g_assert_true (has_line (text, "^cove c2 [0-9]{14}\\.[0-9]{3} ERROR +\\S+ - .*lxc\\.nonsense"));
    g_assert_false (has_line (text, "lxc\\.other\\.nonsense"));  /* c3's call */
    g_assert_false (has_line (text, " TRACE "));
    g_assert_true (has_line (text, " DEBUG .*debug\\.conf$"));
    g_assert_false (has_line (text, "quiet\\.conf"));

    /* lxc.log.level: 9 refused, 8 and FATAL accepted */
    g_assert_false (cove_container_set_config_item (c2, "lxc.log.level", "9", &error));
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "9");
    g_clear_error (&error);
    g_assert_true (cove_container_set_config_item (c2, "lxc.log.level", "8", &error));
    g_assert_true (cove_container_set_config_item (c2, "lxc.log.level", "FATAL", &error));
    g_assert_no_error (error);
    {
      g_autofree char *level = cove_container_get_config_item (c2, "lxc.log.level", &error);
      g_assert_cmpstr (level, ==, "FATAL");
    }
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");   /* the library never prints by itself */
}

/* An explicit global file wins over lxc.log.file (as in LXC). */
static void
test_container_log_global_wins (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *global = g_build_filename (dir, "global.log", NULL);
    g_autofree char *local = g_build_filename (dir, "local.log", NULL);
    const CoveLogOptions options = { NULL, NULL, global, NULL, "g", TRUE };
    g_autoptr(GError) error = NULL;
    g_autoptr(CoveContainer) c = cove_container_new_with_context (context, "c4", dir, &error);
    g_autofree char *global_text = NULL;

    g_assert_true (cove_log_init (&options, &error));
    g_assert_true (cove_container_set_config_item (c, "lxc.log.file", local, &error));
    g_assert_no_error (error);
    g_assert_false (cove_container_set_config_item (c, "lxc.nonsense", "1", &error));
    global_text = test_read_file (global);
    g_assert_true (has_line (global_text, "^g c4 [0-9]{14}\\.[0-9]{3} ERROR .*lxc\\.nonsense"));
    /* the container's file is opened on its first message, and none went there */
    g_assert_false (g_file_test (local, G_FILE_TEST_EXISTS));
    cove_log_close ();
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---- GLib structured logging -------------------------------------------------------- */

static GPtrArray *records;  /* GHashTable field → value, cove's messages only */

static GLogWriterOutput
record_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  GHashTable *record = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (gsize i = 0; i < n_fields; i++) {
    const char *value = fields[i].value;
    g_hash_table_insert (record, g_strdup (fields[i].key),
                         fields[i].length < 0 ? g_strdup (value) : g_strndup (value, fields[i].length));
  }
  if (g_strcmp0 (g_hash_table_lookup (record, "GLIB_DOMAIN"), "cove") == 0)
    g_ptr_array_add (records, record);
  else
    g_hash_table_unref (record);
  return G_LOG_WRITER_HANDLED;
}

static GHashTable *
find_record (const char *level, const char *needle)
{
  for (guint i = 0; i < records->len; i++) {
    GHashTable *record = records->pdata[i];
    const char *message = g_hash_table_lookup (record, "MESSAGE");
    if (g_strcmp0 (g_hash_table_lookup (record, "COVE_LEVEL"), level) == 0 &&
        message != NULL && strstr (message, needle) != NULL)
      return record;
  }
  return NULL;
}

static void
test_glib_forwarding (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autoptr(GError) error = NULL;
    g_autoptr(CoveContainer) c = cove_container_new_with_context (context, "c1", dir, &error);
    const CoveLogOptions options = { NULL, NULL, "none", "TRACE", "px", TRUE };
    GHashTable *record;

    records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
    g_log_set_writer_func (record_writer, NULL, NULL);

    /* without cove_log_init: errors still reach an embedder's writer */
    g_assert_false (cove_container_set_config_item (c, "lxc.nonsense", "1", &error));
    g_clear_error (&error);
    record = find_record ("ERROR", "lxc.nonsense");
    g_assert_nonnull (record);
    g_assert_cmpstr (g_hash_table_lookup (record, "PRIORITY"), ==, "3");
    g_assert_cmpstr (g_hash_table_lookup (record, "COVE_CONTAINER"), ==, "c1");
    g_assert_true (g_str_has_suffix (g_hash_table_lookup (record, "CODE_FILE"), ".c"));
    g_assert_cmpint (atoi (g_hash_table_lookup (record, "CODE_LINE")), >, 0);
    g_assert_nonnull (g_hash_table_lookup (record, "CODE_FUNC"));
    g_assert_true (g_str_has_prefix (g_hash_table_lookup (record, "MESSAGE"), "unknown configuration key"));
    /* …but nothing below the levels in force (ERROR) */
    g_assert_true (cove_container_set_config_item (c, "lxc.log.level", "ALERT", &error));
    g_assert_null (find_record ("TRACE", "ALERT"));

    /* with level TRACE: the trace of a successful set, and the WARN of a second init */
    g_assert_true (cove_log_init (&options, &error));
    g_assert_true (cove_container_set_config_item (c, "lxc.log.level", "INFO", &error));
    g_assert_no_error (error);
    record = find_record ("TRACE", "lxc.log.level = INFO");
    g_assert_nonnull (record);
    g_assert_cmpstr (g_hash_table_lookup (record, "PRIORITY"), ==, "7");
    g_assert_true (cove_log_init (&options, &error));
    record = find_record ("WARN", "already initialized");
    g_assert_nonnull (record);
    g_assert_cmpstr (g_hash_table_lookup (record, "PRIORITY"), ==, "4");

    cove_log_close ();
    g_ptr_array_unref (records);
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
}

/* After cove_log_close the logger can be initialised again with new settings. */
static void
test_close_reinit (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *one = g_build_filename (dir, "one.log", NULL);
    g_autofree char *two = g_build_filename (dir, "two.log", NULL);
    const CoveLogOptions first = { "c1", NULL, one, NULL, "a", TRUE };
    const CoveLogOptions second = { "c1", NULL, two, NULL, "b", TRUE };
    g_autoptr(GError) error = NULL;
    g_autofree char *one_text = NULL, *two_text = NULL;

    g_assert_true (cove_log_init (&first, &error));
    cove_log_close ();
    cove_log_close ();   /* twice is harmless */
    g_assert_true (cove_log_init (&second, &error));
    fail_call (context, "c1", "lxc.nonsense");
    one_text = test_read_file (one);
    two_text = test_read_file (two);
    g_assert_cmpstr (one_text, ==, "");
    g_assert_true (has_line (two_text, "^b c1 "));
    cove_log_close ();
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* The level parser itself (no global state). */
static void
test_level_parse (void)
{
  static const struct { const char *text; CoveLogLevel level; } good[] = {
    { "TRACE", COVE_LOG_TRACE }, { "trace", COVE_LOG_TRACE }, { "0", COVE_LOG_TRACE },
    { "DEBUG", COVE_LOG_DEBUG }, { "INFO", COVE_LOG_INFO }, { "NOTICE", COVE_LOG_NOTICE },
    { "WARN", COVE_LOG_WARN }, { "ERROR", COVE_LOG_ERROR }, { "CRIT", COVE_LOG_CRIT },
    { "ALERT", COVE_LOG_ALERT }, { "FATAL", COVE_LOG_FATAL }, { "8", COVE_LOG_FATAL },
    { "5", COVE_LOG_ERROR }, { "fAtAl", COVE_LOG_FATAL },
  };
  static const char *const bad[] = { "9", "10", "-1", "", "bogus", "ERR", "WARNING", " 1", "1 ", "0x1" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++) {
    CoveLogLevel level = COVE_LOG_N_LEVELS;
    g_autoptr(GError) error = NULL;
    g_assert_true (cove_log_level_parse (good[i].text, &level, &error));
    g_assert_no_error (error);
    g_assert_cmpint (level, ==, good[i].level);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    CoveLogLevel level = COVE_LOG_N_LEVELS;
    g_autoptr(GError) error = NULL;
    g_assert_false (cove_log_level_parse (bad[i], &level, &error));
    g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
    g_assert_cmpint (level, ==, COVE_LOG_N_LEVELS);
  }
  for (int i = 0; i < COVE_LOG_N_LEVELS; i++) {
    CoveLogLevel level;
    g_assert_true (cove_log_level_parse (cove_log_level_to_string (i), &level, NULL));
    g_assert_cmpint (level, ==, i);
  }
}

int
main (int argc, char **argv)
{
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/log/level-parse", test_level_parse);
  g_test_add_func ("/log/init/file", test_init_file);
  g_test_add_func ("/log/init/twice", test_init_twice);
  g_test_add_func ("/log/init/none", test_init_none);
  g_test_add_func ("/log/init/default-file", test_init_default_file);
  g_test_add_func ("/log/init/quiet", test_init_quiet);
  g_test_add_func ("/log/init/stderr", test_init_stderr);
  g_test_add_func ("/log/init/bad-level", test_init_bad_level);
  g_test_add_func ("/log/init/bad-file", test_init_bad_file);
  g_test_add_func ("/log/init/long-prefix", test_init_long_prefix);
  g_test_add_func ("/log/init/no-name", test_init_no_name);
  g_test_add_func ("/log/close-reinit", test_close_reinit);
  g_test_add_func ("/log/container/own-file", test_container_log);
  g_test_add_func ("/log/container/global-wins", test_container_log_global_wins);
  g_test_add_func ("/log/glib-forwarding", test_glib_forwarding);
  return g_test_run ();
}
