/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Values: byte sizes (C4.1), typed keys, transactional setters, repeatable keys, the
 * save/load round trip, and key order independence (C0.5). */
#include "test-common.h"

/* ---- byte sizes --------------------------------------------------------------------- */

typedef struct {
  const char *text;
  guint64 bytes;
} SizeCase;

static const SizeCase good_sizes[] = {
  { "4096", 4096 },
  { "5000", 5000 },            /* exact: rounding is the console plugin's business */
  { "0", 0 },
  { "00", 0 },
  { "1", 1 },
  { "1B", 1 },
  { "1b", 1 },
  { "1 b", 1 },
  { "1kB", 1024 },
  { "1KB", 1024 },
  { "1kb", 1024 },
  { "1 kb", 1024 },
  { "1K", 1024 },
  { "4K", 4096 },              /* Cove: 4K = 4 KiB (LXC: 4 bytes) */
  { "4k", 4096 },
  { "1KiB", 1024 },
  { "1kib", 1024 },
  { "1 MB", 1048576 },
  { "1MB", 1048576 },
  { "1M", 1048576 },
  { "1MiB", 1048576 },
  { "1\tMB", 1048576 },
  { "2GiB", G_GUINT64_CONSTANT (2147483648) },
  { "2G", G_GUINT64_CONSTANT (2147483648) },
  { "3gb", G_GUINT64_CONSTANT (3221225472) },
  { "18446744073709551615", G_MAXUINT64 },
  { "18446744073709551609", G_GUINT64_CONSTANT (18446744073709551609) },
  { "18446744073709551610", G_GUINT64_CONSTANT (18446744073709551610) },
  { "18014398509481983K", G_GUINT64_CONSTANT (18014398509481983) << 10 },
  { "17179869183G", G_GUINT64_CONSTANT (17179869183) << 30 },
};

static const char *const bad_sizes[] = {
  "-1", "abc", "1TB", "1T", "1 ", "1\t", " 1", "", " ", "+1", "0x10", "1e3", "1.5", "1.5MB",
  "1 TB", "1bb", "1 k b", "1kk", "1KBB", "MB", "1 2", "1,000", "auto",
  "18446744073709551616",         /* G_MAXUINT64 + 1 */
  "99999999999999999999",
  "184467440737095516150",
  "18014398509481984K",           /* (2^54) KiB = 2^64 */
  "17179869184G",
  "16777216TB",
};

static void
test_byte_size_good (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (good_sizes); i++) {
    g_autoptr(GError) error = NULL;
    guint64 bytes = 12345;

    g_test_message ("size \"%s\"", good_sizes[i].text);
    if (!cove_parse_byte_size (good_sizes[i].text, &bytes, &error))
      g_error ("\"%s\" rejected: %s", good_sizes[i].text, error->message);
    g_assert_cmpuint (bytes, ==, good_sizes[i].bytes);
  }
}

static void
test_byte_size_bad (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_sizes); i++) {
    g_autoptr(GError) error = NULL;
    guint64 bytes = 12345;

    g_test_message ("size \"%s\"", bad_sizes[i]);
    if (cove_parse_byte_size (bad_sizes[i], &bytes, &error))
      g_error ("\"%s\" accepted as %" G_GUINT64_FORMAT, bad_sizes[i], bytes);
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, bad_sizes[i]);
    g_assert_cmpuint (bytes, ==, 12345);  /* untouched on failure */
  }
}

/* The same table through a COVE_KEY_SIZE key: get returns the byte count; a rejected
 * value leaves the previous one. */
static void
test_size_key (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);

  for (gsize i = 0; i < G_N_ELEMENTS (good_sizes); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = g_strdup_printf ("%" G_GUINT64_FORMAT, good_sizes[i].bytes);
    g_assert_true (cove_config_set (config, "lxc.xtest.size", good_sizes[i].text, NULL, &error));
    g_assert_no_error (error);
    test_assert_get (config, "lxc.xtest.size", expected);
  }
  g_assert_true (cove_config_set (config, "lxc.xtest.size", "8K", NULL, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (bad_sizes); i++) {
    g_autoptr(GError) error = NULL;
    if (*bad_sizes[i] == '\0')
      continue;  /* empty = clear */
    g_assert_false (cove_config_set (config, "lxc.xtest.size", bad_sizes[i], NULL, &error));
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "lxc.xtest.size");
    test_assert_get (config, "lxc.xtest.size", "8192");
  }
  g_assert_cmpuint (cove_config_get_uint (config, -1, "xtest.size"), ==, 8192);
}

/* ---- other types -------------------------------------------------------------------- */

typedef struct {
  const char *key;
  const char *value;
  const char *canonical;  /* NULL: rejected */
} ValueCase;

static const ValueCase value_cases[] = {
  { "lxc.xtest.bool", "0", "0" },
  { "lxc.xtest.bool", "1", "1" },
  { "lxc.xtest.bool", "2", NULL },
  { "lxc.xtest.bool", "true", NULL },
  { "lxc.xtest.bool", "false", NULL },
  { "lxc.xtest.bool", "yes", NULL },
  { "lxc.xtest.bool", "01", NULL },
  { "lxc.xtest.bool", "1 ", NULL },
  { "lxc.xtest.bool", " 1", NULL },
  { "lxc.xtest.bool", "-1", NULL },
  { "lxc.xtest.uint", "0", "0" },
  { "lxc.xtest.uint", "42", "42" },
  { "lxc.xtest.uint", "007", "7" },
  { "lxc.xtest.uint", "18446744073709551615", "18446744073709551615" },
  { "lxc.xtest.uint", "18446744073709551616", NULL },
  { "lxc.xtest.uint", "-1", NULL },
  { "lxc.xtest.uint", "+1", NULL },
  { "lxc.xtest.uint", " 1", NULL },
  { "lxc.xtest.uint", "1 ", NULL },
  { "lxc.xtest.uint", "0x10", NULL },
  { "lxc.xtest.uint", "1.0", NULL },
  { "lxc.xtest.uint", "abc", NULL },
  { "lxc.xtest.enum", "alpha", "alpha" },
  { "lxc.xtest.enum", "gamma", "gamma" },
  { "lxc.xtest.enum", "Alpha", NULL },
  { "lxc.xtest.enum", "alph", NULL },
  { "lxc.xtest.enum", "alphabet", NULL },
  { "lxc.xtest.enum", "delta", NULL },
  { "lxc.xtest.enum", "alpha ", NULL },
  { "lxc.xtest.string", "any thing = #", "any thing = #" },
  { "lxc.xtest.string", "a\nb", NULL },
  { "lxc.xtest.string", "a\rb", NULL },
  { "lxc.xtest.norm", "low", "LOW" },
  { "lxc.xtest.norm", "bad", NULL },
  { "lxc.log.level", "TRACE", "TRACE" },
  { "lxc.log.level", "debug", "DEBUG" },
  { "lxc.log.level", "Warn", "WARN" },
  { "lxc.log.level", "0", "TRACE" },
  { "lxc.log.level", "8", "FATAL" },
  { "lxc.log.level", "FATAL", "FATAL" },
  { "lxc.log.level", "9", NULL },
  { "lxc.log.level", "-1", NULL },
  { "lxc.log.level", "WARNING", NULL },
  { "lxc.log.level", "bogus", NULL },
  { "lxc.log.file", "/var/log/x.log", "/var/log/x.log" },
  { "lxc.log.file", "relative.log", NULL },
  { "lxc.net.0.xtest.mtu", "1500", "1500" },
  { "lxc.net.0.xtest.mtu", "jumbo", NULL },
  { "lxc.net.0.xtest.vmode", "beta", "beta" },
  { "lxc.net.0.xtest.vmode", "l2", NULL },
};

static void
test_typed_values (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();

  for (gsize i = 0; i < G_N_ELEMENTS (value_cases); i++) {
    const ValueCase *c = &value_cases[i];
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_autoptr(GError) error = NULL;

    g_test_message ("%s = \"%s\"", c->key, c->value);
    if (c->canonical != NULL) {
      if (!cove_config_set (config, c->key, c->value, NULL, &error))
        g_error ("%s = \"%s\" rejected: %s", c->key, c->value, error->message);
      test_assert_get (config, c->key, c->canonical);
    } else {
      g_assert_false (cove_config_set (config, c->key, c->value, NULL, &error));
      test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, c->key);
      test_assert_get (config, c->key, "");
      /* a rejected net key creates no interface */
      g_assert_cmpint (cove_config_next_net (config, -1), ==, -1);
    }
  }
}

/* A normalize callback's message is part of the error. */
static void
test_normalize_message (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autoptr(GError) error = NULL;

  g_assert_false (cove_config_set (config, "lxc.xtest.norm", "bad", NULL, &error));
  test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "the word bad is not allowed");
  g_assert_nonnull (strstr (error->message, "lxc.xtest.norm"));
  g_clear_error (&error);
  g_assert_false (cove_config_set (config, "lxc.log.level", "bogus", NULL, &error));
  test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "bogus");
}

/* Every rejected set keeps the old value, for every type. */
static void
test_transactional (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  static const struct { const char *key, *good, *bad, *canonical; } cases[] = {
    { "lxc.xtest.bool", "1", "2", "1" },
    { "lxc.xtest.uint", "10", "ten", "10" },
    { "lxc.xtest.size", "1K", "1TB", "1024" },
    { "lxc.xtest.enum", "beta", "BETA", "beta" },
    { "lxc.xtest.norm", "ok", "bad", "OK" },
    { "lxc.xtest.string", "s", "two\nlines", "s" },
    { "lxc.log.level", "INFO", "9", "INFO" },
    { "lxc.log.file", "/tmp/x.log", "x.log", "/tmp/x.log" },
    { "lxc.net.4.xtest.mtu", "9000", "-1", "9000" },
    { "lxc.xtest.fam.one", "1", "a\rb", "1" },
  };
  g_autofree char *before = NULL, *after = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GError) error = NULL;
    g_assert_true (cove_config_set (config, cases[i].key, cases[i].good, "a.conf:1", &error));
    g_assert_no_error (error);
  }
  before = cove_config_to_data (config);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GError) error = NULL;
    g_assert_false (cove_config_set (config, cases[i].key, cases[i].bad, "b.conf:9", &error));
    g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
    test_assert_get (config, cases[i].key, cases[i].canonical);
  }
  after = cove_config_to_data (config);
  g_assert_cmpstr (after, ==, before);
  /* the origin is that of the accepted value */
  g_assert_cmpstr (cove_config_get_origin (config, -1, "xtest.uint"), ==, "a.conf:1");
  g_assert_cmpstr (cove_config_get_origin (config, 4, "xtest.mtu"), ==, "a.conf:1");
}

/* The same through the container API (what applications call). */
static void
test_transactional_container (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autofree char *dir = test_make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContainer) c = cove_container_new_with_context (context, "c1", dir, &error);
  g_autofree char *value = NULL;

  g_assert_no_error (error);
  g_assert_true (cove_container_set_config_item (c, "lxc.xtest.bool", "1", &error));
  g_assert_false (cove_container_set_config_item (c, "lxc.xtest.bool", "2", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  value = cove_container_get_config_item (c, "lxc.xtest.bool", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "1");
  g_assert_false (cove_container_set_config_item (c, NULL, "1", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  test_rm_rf (dir);
}

/* Whatever is stored saves to lines the parser accepts: a value whose saved line
 * ("lxc.<path> = <value>") would exceed COVE_CONFIG_LINE_MAX is refused. */
static void
test_line_limit (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autoptr(CoveConfig) reloaded = cove_config_new (context);
  g_autoptr(GError) error = NULL;
  gsize global_room = COVE_CONFIG_LINE_MAX - strlen ("lxc.xtest.string = ");
  gsize net_room = COVE_CONFIG_LINE_MAX - strlen ("lxc.net.1023.xtest.addr = ");
  g_autofree char *fits = g_strnfill (global_room, 'g');
  g_autofree char *too_long = g_strnfill (global_room + 1, 'g');
  g_autofree char *net_fits = g_strnfill (net_room, 'n');
  g_autofree char *net_too_long = g_strnfill (net_room + 1, 'n');
  g_autofree char *huge = g_strnfill (100000, 'h');
  g_autofree char *text = NULL, *text2 = NULL;

  g_assert_true (cove_config_set (config, "lxc.xtest.string", fits, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (cove_config_set (config, "lxc.xtest.string", too_long, NULL, &error));
  test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "lxc.xtest.string");
  g_assert_nonnull (strstr (error->message, "4096"));
  g_clear_error (&error);
  g_assert_false (cove_config_set (config, "lxc.xtest.string", huge, NULL, &error));
  g_clear_error (&error);
  test_assert_get (config, "lxc.xtest.string", fits);

  /* the interface number counts as saved (lxc.net.01023 saves as lxc.net.1023) */
  g_assert_true (cove_config_set (config, "lxc.net.01023.xtest.addr", net_fits, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (cove_config_set (config, "lxc.net.1023.xtest.addr", net_too_long, NULL, &error));
  test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "lxc.net.1023.xtest.addr");
  g_clear_error (&error);
  /* …and a rejected value leaves no empty interface behind */
  g_assert_false (cove_config_set (config, "lxc.net.7.xtest.addr", huge, NULL, &error));
  g_clear_error (&error);
  g_assert_cmpint (cove_config_next_net (config, 1023), ==, -1);
  g_assert_cmpint (cove_config_next_net (config, -1), ==, 1023);

  text = cove_config_to_data (config);
  g_assert_true (cove_config_load_data (reloaded, text, strlen (text), "saved", &error));
  g_assert_no_error (error);
  text2 = cove_config_to_data (reloaded);
  g_assert_cmpstr (text2, ==, text);
}

/* ---- repeatable keys ---------------------------------------------------------------- */

static void
test_repeatable (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autoptr(GError) error = NULL;
  const char * const *list;

  g_assert_cmpstrv (cove_config_get_list (config, -1, "xtest.list"), ((const char *[]) { NULL }));
  for (const char *const *v = (const char *[]) { "a", "b", "a", NULL }; *v; v++)
    g_assert_true (cove_config_set (config, "lxc.xtest.list", *v, NULL, &error));
  g_assert_no_error (error);
  test_assert_get (config, "lxc.xtest.list", "a\nb\na");
  list = cove_config_get_list (config, -1, "xtest.list");
  g_assert_cmpstrv (list, ((const char *[]) { "a", "b", "a", NULL }));
  g_assert_cmpstr (cove_config_get_string (config, -1, "xtest.list"), ==, "a");  /* the last */

  /* a rejected value appends nothing */
  g_assert_false (cove_config_set (config, "lxc.xtest.list", "x\ny", NULL, &error));
  g_clear_error (&error);
  test_assert_get (config, "lxc.xtest.list", "a\nb\na");

  /* an empty value clears the whole list, clear() too */
  g_assert_true (cove_config_set (config, "lxc.xtest.list", "", NULL, &error));
  test_assert_get (config, "lxc.xtest.list", "");
  g_assert_false (cove_config_is_set (config, -1, "xtest.list"));
  g_assert_true (cove_config_set (config, "lxc.xtest.list", "c", NULL, &error));
  test_assert_get (config, "lxc.xtest.list", "c");
  g_assert_true (cove_config_clear (config, "lxc.xtest.list", &error));
  test_assert_get (config, "lxc.xtest.list", "");

  /* per interface */
  g_assert_true (cove_config_set (config, "lxc.net.0.xtest.addr", "192.0.2.1/24", NULL, &error));
  g_assert_true (cove_config_set (config, "lxc.net.0.xtest.addr", "192.0.2.2/24", NULL, &error));
  g_assert_true (cove_config_set (config, "lxc.net.1.xtest.addr", "198.51.100.1/24", NULL, &error));
  g_assert_no_error (error);
  test_assert_get (config, "lxc.net.0.xtest.addr", "192.0.2.1/24\n192.0.2.2/24");
  test_assert_get (config, "lxc.net.1.xtest.addr", "198.51.100.1/24");
  g_assert_true (cove_config_set (config, "lxc.net.0.xtest.addr", "", NULL, &error));
  test_assert_get (config, "lxc.net.0.xtest.addr", "");
  test_assert_get (config, "lxc.net.1.xtest.addr", "198.51.100.1/24");

  /* a non-repeatable key replaces */
  g_assert_true (cove_config_set (config, "lxc.xtest.string", "1", NULL, &error));
  g_assert_true (cove_config_set (config, "lxc.xtest.string", "2", NULL, &error));
  g_assert_cmpstrv (cove_config_get_list (config, -1, "xtest.string"), ((const char *[]) { "2", NULL }));
}

/* ---- typed readers and defaults ----------------------------------------------------- */

static void
test_readers (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);

  g_assert_false (cove_config_is_set (config, -1, "xtest.uint"));
  g_assert_cmpuint (cove_config_get_uint (config, -1, "xtest.uint"), ==, 7);      /* default */
  g_assert_cmpstr (cove_config_get_string (config, -1, "xtest.enum"), ==, "alpha");
  g_assert_false (cove_config_get_bool (config, -1, "xtest.bool"));
  g_assert_null (cove_config_get_string (config, -1, "xtest.string"));
  g_assert_null (cove_config_get_origin (config, -1, "xtest.uint"));
  g_assert_cmpstr (cove_config_get_string (config, -1, "log.level"), ==, "ERROR");
  test_assert_get (config, "lxc.xtest.uint", "");  /* get shows what is set, not defaults */

  g_assert_true (cove_config_set (config, "lxc.xtest.uint", "99", NULL, NULL));
  g_assert_true (cove_config_set (config, "lxc.xtest.bool", "1", "x.conf:3", NULL));
  g_assert_true (cove_config_set (config, "lxc.net.2.xtest.mtu", "1280", NULL, NULL));
  g_assert_true (cove_config_is_set (config, -1, "xtest.uint"));
  g_assert_cmpuint (cove_config_get_uint (config, -1, "xtest.uint"), ==, 99);
  g_assert_true (cove_config_get_bool (config, -1, "xtest.bool"));
  g_assert_cmpstr (cove_config_get_origin (config, -1, "xtest.bool"), ==, "x.conf:3");
  g_assert_cmpstr (cove_config_get_origin (config, -1, "xtest.uint"), ==, "set through the API");
  g_assert_cmpuint (cove_config_get_uint (config, 2, "xtest.mtu"), ==, 1280);
  g_assert_false (cove_config_is_set (config, 3, "xtest.mtu"));
  g_assert_false (cove_config_is_set (config, -1, "xtest.mtu"));
}

/* ---- save and load ------------------------------------------------------------------ */

static const char *const roundtrip_sets[][2] = {
  { "lxc.xtest.string", "hello world = # x" },
  { "lxc.net.1.xtest.mtu", "9000" },
  { "lxc.xtest.list", "a" },
  { "lxc.net.0.xtest.vmode", "gamma" },     /* before its type: order never matters */
  { "lxc.net.0.xtest.addr", "192.0.2.10/24" },
  { "lxc.xtest.size", "1M" },
  { "lxc.net.0.type", "xveth" },
  { "lxc.xtest.list", "b" },
  { "lxc.log.level", "7" },
  { "lxc.xtest.fam.x.y", "z" },
  { "lxc.net.0.xtest.addr", "2001:db8::1/64" },
  { "lxc.net.1.type", "xvlan" },
  { "lxc.net.1.xtest.vlan.id", "10" },
  { "lxc.xtest.norm", "mixed Case" },
  { "lxc.xtest.bool", "0" },
};

static const char roundtrip_text[] =
  "lxc.xtest.string = hello world = # x\n"
  "lxc.xtest.list = a\n"
  "lxc.xtest.list = b\n"
  "lxc.xtest.size = 1048576\n"
  "lxc.log.level = ALERT\n"
  "lxc.xtest.fam.x.y = z\n"
  "lxc.xtest.norm = MIXED CASE\n"
  "lxc.xtest.bool = 0\n"
  "lxc.net.0.type = xveth\n"
  "lxc.net.0.xtest.vmode = gamma\n"
  "lxc.net.0.xtest.addr = 192.0.2.10/24\n"
  "lxc.net.0.xtest.addr = 2001:db8::1/64\n"
  "lxc.net.1.type = xvlan\n"
  "lxc.net.1.xtest.mtu = 9000\n"
  "lxc.net.1.xtest.vlan.id = 10\n";

static void
test_save_load (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autofree char *dir = test_make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContainer) c1 = cove_container_new_with_context (context, "c1", dir, &error);
  g_autoptr(CoveContainer) c2 = cove_container_new_with_context (context, "c2", dir, &error);
  g_autofree char *file1 = g_build_filename (dir, "c1", "config", NULL);
  g_autofree char *file2 = g_build_filename (dir, "saved", "again.conf", NULL);
  g_autofree char *text1 = NULL, *text2 = NULL;
  struct stat st;
  mode_t old_umask = umask (022);

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (roundtrip_sets); i++) {
    if (!cove_container_set_config_item (c1, roundtrip_sets[i][0], roundtrip_sets[i][1], &error))
      g_error ("%s: %s", roundtrip_sets[i][0], error->message);
  }
  g_assert_true (cove_container_validate_config (c1, &error));
  g_assert_no_error (error);

  /* NULL: <path>/<name>/config, directories created */
  g_assert_true (cove_container_save_config (c1, NULL, &error));
  g_assert_no_error (error);
  text1 = test_read_file (file1);
  g_assert_cmpstr (text1, ==, roundtrip_text);
  g_assert_cmpint (stat (file1, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);

  g_assert_true (cove_container_load_config (c2, file1, &error));
  g_assert_no_error (error);
  g_assert_true (cove_container_save_config (c2, file2, &error));
  g_assert_no_error (error);
  text2 = test_read_file (file2);
  g_assert_cmpstr (text2, ==, text1);

  /* every value reads back the same */
  for (gsize i = 0; i < G_N_ELEMENTS (roundtrip_sets); i++) {
    g_autofree char *v1 = cove_container_get_config_item (c1, roundtrip_sets[i][0], &error);
    g_autofree char *v2 = cove_container_get_config_item (c2, roundtrip_sets[i][0], &error);
    g_assert_no_error (error);
    g_assert_cmpstr (v1, ==, v2);
  }
  umask (old_umask);
  test_rm_rf (dir);
}

/* An empty config saves as an empty file and loads back empty. */
static void
test_save_empty (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autofree char *data = cove_config_to_data (config);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (data, ==, "");
  g_assert_true (cove_config_load_data (config, "", 0, "empty", &error));
  g_assert_no_error (error);
  g_assert_true (cove_config_validate (config, &error));
  g_assert_no_error (error);
}

/* ---- order independence and net types ----------------------------------------------- */

/* C0.5 (Cove): keys of an interface set before lxc.net.N.type are kept; a key of
 * another net type fails validation naming the key, its origin and the type. */
static void
test_order_independence (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  static const char late_type[] =
    "lxc.net.0.xtest.mtu = 1400\n"
    "lxc.net.0.xtest.vmode = beta\n"
    "lxc.net.0.type = xveth\n";
  static const char early_type[] =
    "lxc.net.0.type = xveth\n"
    "lxc.net.0.xtest.mtu = 1400\n"
    "lxc.net.0.xtest.vmode = beta\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *a_text = NULL, *b_text = NULL;

  {
    g_autoptr(CoveConfig) a = cove_config_new (context);
    g_autoptr(CoveConfig) b = cove_config_new (context);
    g_assert_true (cove_config_load_data (a, late_type, strlen (late_type), "late.conf", &error));
    g_assert_true (cove_config_load_data (b, early_type, strlen (early_type), "early.conf", &error));
    g_assert_no_error (error);
    g_assert_true (cove_config_validate (a, &error));
    g_assert_true (cove_config_validate (b, &error));
    g_assert_no_error (error);
    test_assert_get (a, "lxc.net.0.xtest.mtu", "1400");
    test_assert_get (a, "lxc.net.0.xtest.vmode", "beta");
    a_text = cove_config_to_data (a);
    b_text = cove_config_to_data (b);
    g_assert_cmpstr (a_text, ==, b_text);
    g_assert_true (g_str_has_prefix (a_text, "lxc.net.0.type = xveth\n"));
  }
  {
    /* setting the type again keeps the other keys (LXC would wipe them) */
    g_autoptr(CoveConfig) a = cove_config_new (context);
    g_assert_true (cove_config_load_data (a, late_type, strlen (late_type), "late.conf", &error));
    g_assert_true (cove_config_set (a, "lxc.net.0.type", "xveth", NULL, &error));
    g_assert_no_error (error);
    test_assert_get (a, "lxc.net.0.xtest.mtu", "1400");
    test_assert_get (a, "lxc.net.0.xtest.vmode", "beta");
  }
  {
    /* wrong type */
    g_autoptr(CoveConfig) a = cove_config_new (context);
    static const char wrong[] = "lxc.net.0.type = xvlan\n# x\nlxc.net.0.xtest.vmode = beta\n";
    g_assert_true (cove_config_load_data (a, wrong, strlen (wrong), "wrong.conf", &error));
    g_assert_no_error (error);
    g_assert_false (cove_config_validate (a, &error));
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "wrong.conf:3");
    g_assert_nonnull (strstr (error->message, "lxc.net.0.xtest.vmode"));
    g_assert_nonnull (strstr (error->message, "xveth"));
    g_assert_nonnull (strstr (error->message, "xvlan"));
    g_clear_error (&error);
  }
  {
    /* no type at all; the key was set through the API */
    g_autoptr(CoveConfig) a = cove_config_new (context);
    g_assert_true (cove_config_set (a, "lxc.net.2.xtest.vmode", "beta", NULL, &error));
    g_assert_false (cove_config_validate (a, &error));
    test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "lxc.net.2.xtest.vmode");
    g_assert_nonnull (strstr (error->message, "not set"));
    g_assert_nonnull (strstr (error->message, "set through the API"));
    g_clear_error (&error);
    /* keys of any type are fine without a type */
    g_assert_true (cove_config_set (a, "lxc.net.2.xtest.vmode", "", NULL, &error));
    g_assert_true (cove_config_set (a, "lxc.net.2.xtest.mtu", "1", NULL, &error));
    g_assert_true (cove_config_validate (a, &error));
    g_assert_no_error (error);
  }
}

/* Global keys: any order loads to the same values. */
static void
test_order_global (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  static const char *const lines[] = {
    "lxc.xtest.uint = 3", "lxc.log.level = DEBUG", "lxc.xtest.enum = beta", "lxc.net.0.xtest.mtu = 1",
  };
  /* all 24 permutations of the four lines */
  for (guint p = 0; p < 24; p++) {
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) text = g_string_new (NULL);
    guint idx[4] = { 0, 1, 2, 3 };
    guint n = p;

    for (guint i = 0; i < 4; i++) {
      guint pick = i + n % (4 - i), tmp;
      n /= 4 - i;
      tmp = idx[i]; idx[i] = idx[pick]; idx[pick] = tmp;
      g_string_append_printf (text, "%s\n", lines[idx[i]]);
    }
    g_assert_true (cove_config_load_data (config, text->str, text->len, "perm.conf", &error));
    g_assert_no_error (error);
    test_assert_get (config, "lxc.xtest.uint", "3");
    test_assert_get (config, "lxc.log.level", "DEBUG");
    test_assert_get (config, "lxc.xtest.enum", "beta");
    test_assert_get (config, "lxc.net.0.xtest.mtu", "1");
  }
}

int
main (int argc, char **argv)
{
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/values/byte-size/good", test_byte_size_good);
  g_test_add_func ("/values/byte-size/bad", test_byte_size_bad);
  g_test_add_func ("/values/byte-size/key", test_size_key);
  g_test_add_func ("/values/typed", test_typed_values);
  g_test_add_func ("/values/normalize-message", test_normalize_message);
  g_test_add_func ("/values/transactional/config", test_transactional);
  g_test_add_func ("/values/transactional/container", test_transactional_container);
  g_test_add_func ("/values/line-limit", test_line_limit);
  g_test_add_func ("/values/repeatable", test_repeatable);
  g_test_add_func ("/values/readers", test_readers);
  g_test_add_func ("/values/save-load", test_save_load);
  g_test_add_func ("/values/save-empty", test_save_empty);
  g_test_add_func ("/values/order/net-type", test_order_independence);
  g_test_add_func ("/values/order/global", test_order_global);
  return g_test_run ();
}
