/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The LXC config file parser: line grammar, errors with file:line, lxc.include. */
#include "test-common.h"

#include <sys/types.h>

/* ---- line grammar ------------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *text;
  const char *key;
  const char *expected;
} GoodCase;

static const GoodCase good_cases[] = {
  { "empty-file", "", "lxc.xtest.string", "" },
  { "only-comments", "# one\n#two\n", "lxc.xtest.string", "" },
  { "comments-and-blank-lines", "# comment\n\n   \n\t\nlxc.xtest.string = v\n\n", "lxc.xtest.string", "v" },
  { "indented-comment", "   # lxc.xtest.string = no\nlxc.xtest.string = yes\n", "lxc.xtest.string", "yes" },
  { "no-spaces", "lxc.xtest.string=v\n", "lxc.xtest.string", "v" },
  { "spaces-around-equals", "  \t lxc.xtest.string \t =  \t v  w  \t\n", "lxc.xtest.string", "v  w" },
  { "crlf", "lxc.xtest.string = v\r\nlxc.xtest.uint = 3\r\n", "lxc.xtest.string", "v" },
  { "crlf-uint", "lxc.xtest.string = v\r\nlxc.xtest.uint = 3\r\n", "lxc.xtest.uint", "3" },
  { "no-final-newline", "lxc.xtest.string = v", "lxc.xtest.string", "v" },
  { "equals-in-value", "lxc.xtest.string = a=b = c\n", "lxc.xtest.string", "a=b = c" },
  { "hash-in-value", "lxc.xtest.string = a # not a comment\n", "lxc.xtest.string", "a # not a comment" },
  { "empty-value-clears", "lxc.xtest.string = v\nlxc.xtest.string =\n", "lxc.xtest.string", "" },
  { "last-one-wins", "lxc.xtest.string = a\nlxc.xtest.string = b\n", "lxc.xtest.string", "b" },
  { "repeatable", "lxc.xtest.list = a\nlxc.xtest.list = b\n", "lxc.xtest.list", "a\nb" },
  { "repeatable-cleared", "lxc.xtest.list = a\nlxc.xtest.list =\nlxc.xtest.list = c\n", "lxc.xtest.list", "c" },
  { "size-canonical", "lxc.xtest.size = 4K\n", "lxc.xtest.size", "4096" },
  { "size-blank-before-unit", "lxc.xtest.size = 1 MB\n", "lxc.xtest.size", "1048576" },
  { "net-key", "lxc.net.3.xtest.mtu = 1400\n", "lxc.net.3.xtest.mtu", "1400" },
  { "family", "lxc.xtest.fam.a.b = x\n", "lxc.xtest.fam.a.b", "x" },
  { "log-level-digit", "lxc.log.level = 8\n", "lxc.log.level", "FATAL" },
};

static void
test_parse_good (gconstpointer data)
{
  const GoodCase *c = data;
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autoptr(GError) error = NULL;

  g_assert_true (cove_config_load_data (config, c->text, strlen (c->text), "test.conf", &error));
  g_assert_no_error (error);
  test_assert_get (config, c->key, c->expected);
}

typedef struct {
  const char *name;
  const char *text;
  gsize len;           /* 0: strlen (text) */
  guint line;
  const char *needle;  /* the message names this */
} BadCase;

#define NUL_TEXT "lxc.xtest.string = a\nlxc.xtest.\0string = b\n"
#define NUL_COMMENT "# a\0b\n"

static const BadCase bad_cases[] = {
  { "missing-equals", "\n# c\nlxc.xtest.string v\n", 0, 3, "lxc.xtest.string v" },
  { "empty-key", "lxc.xtest.string = a\n = v\n", 0, 2, "missing key" },
  { "only-equals", "=\n", 0, 1, "missing key" },
  { "unknown-key", "lxc.xtest.string = a\n\nlxc.nonsense = 1\n", 0, 3, "lxc.nonsense" },
  { "unknown-key-crlf", "lxc.xtest.string = a\r\n\r\nlxc.nonsense = 1\r\n", 0, 3, "lxc.nonsense" },
  { "not-lxc", "foo = 1\n", 0, 1, "\"foo\"" },
  { "uppercase-key", "LXC.xtest.string = 1\n", 0, 1, "LXC.xtest.string" },
  { "key-with-blank", "lxc.xtest .string = 1\n", 0, 1, "lxc.xtest .string" },
  { "bad-bool", "lxc.xtest.bool = 2\n", 0, 1, "lxc.xtest.bool" },
  { "trailing-comment-is-value", "lxc.xtest.uint = 5 # five\n", 0, 1, "lxc.xtest.uint" },
  { "bad-log-level", "lxc.log.level = LOUD\n", 0, 1, "LOUD" },
  { "cr-inside-value", "lxc.xtest.string = a\rb\n", 0, 1, "lxc.xtest.string" },
  { "nul-byte", NUL_TEXT, sizeof (NUL_TEXT) - 1, 2, "NUL" },
  { "nul-byte-in-comment", NUL_COMMENT, sizeof (NUL_COMMENT) - 1, 1, "NUL" },
  { "net-index-out-of-range", "lxc.net.1024.type = xveth\n", 0, 1, "lxc.net.1024.type" },
  { "net-huge-index", "lxc.net.2147483647.type = xveth\n", 0, 1, "lxc.net.2147483647.type" },
  { "net-no-index", "lxc.net.x.type = xveth\n", 0, 1, "lxc.net.x.type" },
  { "net-one-with-value", "lxc.net.0 = x\n", 0, 1, "lxc.net.0" },
  { "net-all-with-value", "lxc.net = x\n", 0, 1, "lxc.net" },
  { "include-empty", "lxc.include =\n", 0, 1, "lxc.include" },
  { "include-missing-file", "lxc.include = /nonexistent/cove-unit/none.conf\n", 0, 1,
    "/nonexistent/cove-unit/none.conf" },
};

static void
test_parse_bad (gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = g_strdup_printf ("test.conf:%u: ", c->line);
  gsize len = c->len ? c->len : strlen (c->text);

  g_assert_false (cove_config_load_data (config, c->text, len, "test.conf", &error));
  g_assert_nonnull (error);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("\"%s\" does not start with \"%s\"", error->message, prefix);
  if (strstr (error->message, c->needle) == NULL)
    g_error ("\"%s\" does not name \"%s\"", error->message, c->needle);
}

/* Lines of exactly COVE_CONFIG_LINE_MAX bytes load; one more byte is an error. */
static void
test_parse_line_length (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  const char *head = "lxc.xtest.string = ";
  gsize fill = COVE_CONFIG_LINE_MAX - strlen (head);
  g_autofree char *value = g_strnfill (fill, 'v');
  g_autofree char *ok_text = g_strdup_printf ("# first\n%s%s\nlxc.xtest.uint = 1\n", head, value);
  g_autofree char *long_value = g_strnfill (fill + 1, 'v');
  g_autofree char *bad_text = g_strdup_printf ("# first\n%s%s\n", head, long_value);
  g_autofree char *comment = g_strnfill (5000, '#');
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (strlen (head) + fill, ==, 4096);
  {
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_assert_true (cove_config_load_data (config, ok_text, strlen (ok_text), "test.conf", &error));
    g_assert_no_error (error);
    test_assert_get (config, "lxc.xtest.string", value);
    test_assert_get (config, "lxc.xtest.uint", "1");
  }
  {
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_assert_false (cove_config_load_data (config, bad_text, strlen (bad_text), "test.conf", &error));
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "4096");
    g_assert_true (g_str_has_prefix (error->message, "test.conf:2: "));
    g_clear_error (&error);
  }
  {
    /* a 4096-byte line without blanks around "=" would save as 4098 bytes ("key = value"),
     * which could not be loaded again: refused when read, naming the line */
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_autofree char *tight_value = g_strnfill (COVE_CONFIG_LINE_MAX - strlen ("lxc.xtest.string="), 't');
    g_autofree char *tight = g_strdup_printf ("lxc.xtest.string=%s\n", tight_value);
    g_assert_cmpuint (strlen (tight), ==, COVE_CONFIG_LINE_MAX + 1);
    g_assert_false (cove_config_load_data (config, tight, strlen (tight), "test.conf", &error));
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "too long");
    g_assert_true (g_str_has_prefix (error->message, "test.conf:1: "));
    g_clear_error (&error);
  }
  {
    /* the limit holds for comments too: nothing reads an unbounded line */
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_assert_false (cove_config_load_data (config, comment, strlen (comment), "test.conf", &error));
    g_assert_true (g_str_has_prefix (error->message, "test.conf:1: "));
  }
}

/* Errors of a file name its path and line; a NUL byte read from disk is caught too. */
static void
test_parse_file_errors (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autofree char *dir = test_make_tmp_dir ();
  static const char nul_text[] = "lxc.xtest.string = a\n\nlxc.xtest.string = b\0c\n";
  g_autofree char *nul_file = test_write_file (dir, "nul.conf", nul_text, sizeof nul_text - 1);
  g_autofree char *unknown_file = test_write_file (dir, "unknown.conf",
                                                   "# x\nlxc.xtest.uint = 1\nlxc.bogus.key = 2\n", -1);
  g_autofree char *prefix = NULL;
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_assert_false (cove_config_load_file (config, nul_file, &error));
    prefix = g_strdup_printf ("%s:3: ", nul_file);
    g_assert_true (g_str_has_prefix (error->message, prefix));
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "NUL");
    g_clear_error (&error);
    g_clear_pointer (&prefix, g_free);
  }
  {
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_assert_false (cove_config_load_file (config, unknown_file, &error));
    prefix = g_strdup_printf ("%s:3: ", unknown_file);
    g_assert_true (g_str_has_prefix (error->message, prefix));
    test_assert_error_contains (error, COVE_ERROR_UNKNOWN_KEY, "lxc.bogus.key");
    g_clear_error (&error);
  }
  {
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_autofree char *missing = g_build_filename (dir, "missing.conf", NULL);
    g_assert_false (cove_config_load_file (config, missing, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, missing));
    g_clear_error (&error);
  }
  {
    /* a directory given as the config itself is read like an include of it */
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_autofree char *sub = g_build_filename (dir, "empty.d", NULL);
    g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
    g_assert_true (cove_config_load_file (config, sub, &error));
    g_assert_no_error (error);
  }
  test_rm_rf (dir);
}

/* ---- lxc.include -------------------------------------------------------------------- */

static void
test_include_file (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autofree char *dir = test_make_tmp_dir ();
  g_autofree char *inc = test_write_file (dir, "common.conf",
                                          "lxc.xtest.list = inc\nlxc.xtest.string = from-include\n", -1);
  g_autofree char *main_text = g_strdup_printf ("lxc.xtest.list = before\n"
                                                "lxc.include = %s\n"
                                                "lxc.xtest.list = after\n", inc);
  g_autofree char *main_file = test_write_file (dir, "config", main_text, -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *origin = g_strdup_printf ("%s:2", inc);

  g_assert_true (cove_config_load_file (config, main_file, &error));
  g_assert_no_error (error);
  test_assert_get (config, "lxc.xtest.list", "before\ninc\nafter");
  test_assert_get (config, "lxc.xtest.string", "from-include");
  /* the include is applied, not stored: saving flattens it */
  data = cove_config_to_data (config);
  g_assert_null (strstr (data, "lxc.include"));
  g_assert_cmpstr (cove_config_get_origin (config, -1, "xtest.string"), ==, origin);
  /* nothing left on the loading stack */
  g_assert_cmpuint (cove_config_loading_stack (config)->len, ==, 0);
  test_rm_rf (dir);
}

static void
test_include_directory (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autofree char *dir = test_make_tmp_dir ();
  g_autofree char *confd = g_build_filename (dir, "conf.d", NULL);
  g_autofree char *main_text = g_strdup_printf ("lxc.xtest.list = first\n"
                                                "lxc.include = %s\n"
                                                "lxc.xtest.list = last\n", confd);
  g_autofree char *main_file = test_write_file (dir, "config", main_text, -1);
  g_autoptr(GError) error = NULL;

  /* created out of name order; only regular, non-hidden *.conf files count */
  g_free (test_write_file (confd, "b.conf", "lxc.xtest.list = b\n", -1));
  g_free (test_write_file (confd, "zz.txt", "this is not a config\n", -1));
  g_free (test_write_file (confd, "a.conf", "lxc.xtest.list = a\n", -1));
  g_free (test_write_file (confd, ".hidden.conf", "garbage\n", -1));
  g_free (test_write_file (confd, "c.conf.bak", "garbage\n", -1));
  g_free (test_write_file (confd, "10.conf", "lxc.xtest.list = 10\n", -1));
  g_free (test_write_file (confd, "B.conf", "lxc.xtest.list = B\n", -1));
  g_free (test_write_file (confd, "dir.conf/inner.conf", "garbage\n", -1));

  g_assert_true (cove_config_load_file (config, main_file, &error));
  g_assert_no_error (error);
  /* byte order: digits, upper case, lower case */
  test_assert_get (config, "lxc.xtest.list", "first\n10\nB\na\nb\nlast");
  test_rm_rf (dir);
}

/* A relative include is resolved against the directory of the including file, not the
 * current directory. */
static void
test_include_relative (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autofree char *dir = test_make_tmp_dir ();
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *main_file = test_write_file (dir, "ct/config",
                                                "lxc.include = sub/one.conf\n"
                                                "lxc.include = parts\n", -1);
  g_autoptr(GError) error = NULL;

  g_free (test_write_file (dir, "ct/sub/one.conf", "lxc.xtest.list = one\nlxc.include = two.conf\n", -1));
  g_free (test_write_file (dir, "ct/sub/two.conf", "lxc.xtest.list = two\n", -1));
  g_free (test_write_file (dir, "ct/parts/p.conf", "lxc.xtest.list = part\n", -1));
  g_assert_cmpstr (cwd, !=, dir);

  g_assert_true (cove_config_load_file (config, main_file, &error));
  g_assert_no_error (error);
  test_assert_get (config, "lxc.xtest.list", "one\ntwo\npart");
  test_rm_rf (dir);
}

/* An error inside an included file names that file and line first, then the include. */
static void
test_include_error_location (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autofree char *dir = test_make_tmp_dir ();
  g_autofree char *inc = test_write_file (dir, "inc.conf", "lxc.xtest.uint = 1\nlxc.xtest.bool = yes\n", -1);
  g_autofree char *main_file = test_write_file (dir, "config", "# main\nlxc.include = inc.conf\n", -1);
  g_autofree char *inner = g_strdup_printf ("%s:2: ", inc);
  g_autofree char *outer = g_strdup_printf ("(included from %s:2)", main_file);
  g_autoptr(GError) error = NULL;

  g_assert_false (cove_config_load_file (config, main_file, &error));
  g_assert_nonnull (error);
  if (!g_str_has_prefix (error->message, inner) || strstr (error->message, outer) == NULL)
    g_error ("unexpected message \"%s\"", error->message);
  test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "lxc.xtest.bool");
  g_clear_error (&error);
  g_assert_cmpuint (cove_config_loading_stack (config)->len, ==, 0);

  /* a missing include names the including line and the missing file */
  {
    g_autoptr(CoveConfig) other = cove_config_new (context);
    g_autofree char *broken = test_write_file (dir, "broken", "\n\nlxc.include = nowhere.conf\n", -1);
    g_autofree char *where = g_strdup_printf ("%s:3: ", broken);
    g_assert_false (cove_config_load_file (other, broken, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_true (g_str_has_prefix (error->message, where));
    g_assert_nonnull (strstr (error->message, "nowhere.conf"));
  }
  test_rm_rf (dir);
}

static void
test_include_loop (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autofree char *dir = test_make_tmp_dir ();
  g_autofree char *a = test_write_file (dir, "a.conf", "lxc.xtest.list = a\nlxc.include = b.conf\n", -1);
  g_autofree char *b = test_write_file (dir, "b.conf", "lxc.include = a.conf\n", -1);
  g_autofree char *self = test_write_file (dir, "self.conf", "# me\nlxc.include = self.conf\n", -1);
  g_autofree char *where = g_strdup_printf ("%s:1: ", b);
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_assert_false (cove_config_load_file (config, a, &error));
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "include loop");
    g_assert_true (g_str_has_prefix (error->message, where));
    g_assert_cmpuint (cove_config_loading_stack (config)->len, ==, 0);
    g_clear_error (&error);
  }
  {
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_assert_false (cove_config_load_file (config, self, &error));
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "include loop");
    g_clear_error (&error);
  }
  {
    /* a directory whose file includes the directory again */
    g_autofree char *d = g_build_filename (dir, "d", NULL);
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_autofree char *loop_text = g_strdup_printf ("lxc.include = %s\n", d);

    g_free (test_write_file (d, "loop.conf", loop_text, -1));
    g_assert_false (cove_config_load_file (config, d, &error));
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "include loop");
    g_clear_error (&error);
  }
  test_rm_rf (dir);
}

/* The same file twice, but not nested, is no loop. */
static void
test_include_twice (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autofree char *dir = test_make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  g_autofree char *main_file = NULL;

  g_free (test_write_file (dir, "leaf.conf", "lxc.xtest.list = leaf\n", -1));
  g_free (test_write_file (dir, "left.conf", "lxc.include = leaf.conf\n", -1));
  g_free (test_write_file (dir, "right.conf", "lxc.include = leaf.conf\n", -1));
  main_file = test_write_file (dir, "config", "lxc.include = left.conf\nlxc.include = right.conf\n", -1);

  g_assert_true (cove_config_load_file (config, main_file, &error));
  g_assert_no_error (error);
  test_assert_get (config, "lxc.xtest.list", "leaf\nleaf");
  test_rm_rf (dir);
}

/* A chain of COVE_CONFIG_INCLUDE_DEPTH_MAX files loads; one more file is refused. */
static void
test_include_depth (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autofree char *dir = test_make_tmp_dir ();
  const guint n = COVE_CONFIG_INCLUDE_DEPTH_MAX + 1;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++) {
    g_autofree char *name = g_strdup_printf ("f%02u.conf", i);
    g_autofree char *text = i + 1 < n ? g_strdup_printf ("lxc.include = f%02u.conf\n", i + 1)
                                      : g_strdup ("lxc.xtest.string = deepest\n");
    g_free (test_write_file (dir, name, text, -1));
  }
  {
    /* f01 … f32: exactly the maximum */
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_autofree char *start = g_build_filename (dir, "f01.conf", NULL);
    g_assert_true (cove_config_load_file (config, start, &error));
    g_assert_no_error (error);
    test_assert_get (config, "lxc.xtest.string", "deepest");
  }
  {
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_autofree char *start = g_build_filename (dir, "f00.conf", NULL);
    g_assert_false (cove_config_load_file (config, start, &error));
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "nested deeper");
    g_assert_cmpuint (cove_config_loading_stack (config)->len, ==, 0);
  }
  test_rm_rf (dir);
}

/* Including something that is neither a file nor a directory fails at once; a FIFO
 * without a writer must not block the caller.  Run in a subprocess with a timeout so
 * that a hang fails the test instead of the suite. */
static void
test_include_special (void)
{
  if (g_test_subprocess ()) {
    g_autoptr(CoveContext) context = test_context_new_with_keys ();
    g_autofree char *dir = test_make_tmp_dir ();
    g_autofree char *fifo = g_build_filename (dir, "fifo.conf", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
    {
      g_autoptr(CoveConfig) config = cove_config_new (context);
      g_autofree char *text = g_strdup_printf ("lxc.include = %s\n", fifo);
      g_assert_false (cove_config_load_data (config, text, strlen (text), "test.conf", &error));
      test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "not a regular file");
      g_assert_true (g_str_has_prefix (error->message, "test.conf:1: "));
      g_clear_error (&error);
    }
    {
      g_autoptr(CoveConfig) config = cove_config_new (context);
      const char *text = "lxc.include = /dev/null\n";
      g_assert_false (cove_config_load_data (config, text, strlen (text), "test.conf", &error));
      test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "not a regular file");
    }
    test_rm_rf (dir);
    return;
  }
  g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* ---- through the container API ------------------------------------------------------ */

/* A failing load leaves the container's previous configuration untouched. */
static void
test_container_load_transactional (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autofree char *dir = test_make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContainer) c = cove_container_new_with_context (context, "c1", dir, &error);
  g_autofree char *good = NULL, *bad = NULL, *invalid = NULL, *prefix = NULL;

  g_assert_no_error (error);
  good = test_write_file (dir, "c1/config",
                          "lxc.xtest.string = first\nlxc.xtest.list = a\nlxc.net.0.xtest.mtu = 1500\n", -1);
  g_assert_cmpstr (cove_container_get_config_file (c), ==, good);
  bad = test_write_file (dir, "bad.conf",
                         "lxc.xtest.string = second\nlxc.xtest.uint = 1\nlxc.net.1.xtest.mtu = 9\n"
                         "lxc.nonsense = 1\n", -1);
  invalid = test_write_file (dir, "invalid.conf",
                             "lxc.xtest.string = third\nlxc.net.0.xtest.vmode = beta\n"
                             "lxc.net.0.type = xvlan\n", -1);

  g_assert_true (cove_container_load_config (c, NULL, &error));
  g_assert_no_error (error);

#define CHECK_FIRST()                                                                    \
  G_STMT_START {                                                                         \
    g_autofree char *s_ = cove_container_get_config_item (c, "lxc.xtest.string", &error); \
    g_autofree char *u_ = cove_container_get_config_item (c, "lxc.xtest.uint", &error);  \
    g_autofree char *l_ = cove_container_get_config_item (c, "lxc.xtest.list", &error);  \
    g_autofree char *m_ = cove_container_get_config_item (c, "lxc.net.0.xtest.mtu", &error); \
    g_assert_no_error (error);                                                           \
    g_assert_cmpstr (s_, ==, "first");                                                   \
    g_assert_cmpstr (u_, ==, "");                                                        \
    g_assert_cmpstr (l_, ==, "a");                                                       \
    g_assert_cmpstr (m_, ==, "1500");                                                    \
    g_assert_cmpint (cove_config_next_net (cove_container_get_config (c), 0), ==, -1);   \
  } G_STMT_END

  CHECK_FIRST ();

  /* a parse error on line 4, after three good lines */
  g_assert_false (cove_container_load_config (c, bad, &error));
  prefix = g_strdup_printf ("%s:4: ", bad);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  test_assert_error_contains (error, COVE_ERROR_UNKNOWN_KEY, "lxc.nonsense");
  g_clear_error (&error);
  CHECK_FIRST ();

  /* a file that parses but fails validation (key of another net type) */
  g_assert_false (cove_container_load_config (c, invalid, &error));
  test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "lxc.net.0.xtest.vmode");
  g_clear_error (&error);
  CHECK_FIRST ();

  /* a file that does not exist */
  {
    g_autofree char *missing = g_build_filename (dir, "missing.conf", NULL);
    g_assert_false (cove_container_load_config (c, missing, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  CHECK_FIRST ();
#undef CHECK_FIRST

  /* and a good file replaces everything (no merge with the old store) */
  {
    g_autofree char *other = test_write_file (dir, "other.conf", "lxc.xtest.uint = 5\n", -1);
    g_autofree char *s = NULL, *u = NULL;
    g_assert_true (cove_container_load_config (c, other, &error));
    g_assert_no_error (error);
    s = cove_container_get_config_item (c, "lxc.xtest.string", &error);
    u = cove_container_get_config_item (c, "lxc.xtest.uint", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (s, ==, "");
    g_assert_cmpstr (u, ==, "5");
  }
  test_rm_rf (dir);
}

/* lxc.include through the API: a failing include changes nothing (setters are
 * transactional), neither the keys before the failing line nor interfaces it added. */
static void
test_include_api_transactional (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autofree char *dir = test_make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContainer) c = cove_container_new_with_context (context, "c1", dir, &error);
  g_autofree char *inc = test_write_file (dir, "half.conf",
                                          "lxc.xtest.string = changed\nlxc.net.3.type = empty\n"
                                          "lxc.nonsense = 1\n", -1);
  g_autofree char *good = test_write_file (dir, "good.conf", "lxc.xtest.string = included\n", -1);
  g_autofree char *value = NULL;
  g_autofree char *net = NULL;

  g_assert_true (cove_container_set_config_item (c, "lxc.xtest.string", "original", &error));
  g_assert_false (cove_container_set_config_item (c, "lxc.include", inc, &error));
  test_assert_error_contains (error, COVE_ERROR_UNKNOWN_KEY, "lxc.nonsense");
  g_clear_error (&error);
  value = cove_container_get_config_item (c, "lxc.xtest.string", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "original");
  net = cove_container_get_config_item (c, "lxc.net.3.type", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net, ==, "");

  g_assert_true (cove_container_set_config_item (c, "lxc.include", good, &error));
  g_assert_no_error (error);
  g_clear_pointer (&value, g_free);
  value = cove_container_get_config_item (c, "lxc.xtest.string", &error);
  g_assert_cmpstr (value, ==, "included");
  test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (good_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/config-parse/good/%s", good_cases[i].name);
    g_test_add_data_func (path, &good_cases[i], test_parse_good);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/config-parse/bad/%s", bad_cases[i].name);
    g_test_add_data_func (path, &bad_cases[i], test_parse_bad);
  }
  g_test_add_func ("/config-parse/line-length", test_parse_line_length);
  g_test_add_func ("/config-parse/file-errors", test_parse_file_errors);
  g_test_add_func ("/config-parse/include/file", test_include_file);
  g_test_add_func ("/config-parse/include/directory", test_include_directory);
  g_test_add_func ("/config-parse/include/relative", test_include_relative);
  g_test_add_func ("/config-parse/include/error-location", test_include_error_location);
  g_test_add_func ("/config-parse/include/loop", test_include_loop);
  g_test_add_func ("/config-parse/include/twice", test_include_twice);
  g_test_add_func ("/config-parse/include/depth", test_include_depth);
  g_test_add_func ("/config-parse/include/special-file", test_include_special);
  g_test_add_func ("/config-parse/container/load-transactional", test_container_load_transactional);
  g_test_add_func ("/config-parse/container/include-transactional", test_include_api_transactional);
  return g_test_run ();
}
