/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Key names: the lxc.<path> / lxc.net.<N>.<path> grammar, exact lookup, families, plugin
 * hints, cove_context_config_item_is_supported (C3.1, C3.2) and get_keys (C3.3, C3.4). */
#include "test-common.h"

/* ---- grammar ------------------------------------------------------------------------ */

typedef struct {
  const char *name;
  CoveError code;
} BadKey;

static const BadKey bad_keys[] = {
  { "lxc.net.x.type", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.0.", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.2147483647.type", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.99999999999999999999999.type", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.1024.x", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.1024.type", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.1024", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.-1.type", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.0x1.type", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.1a", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net..type", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.0.asdf", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.0.xtest", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.0.xtest.mtu.x", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.net.0.log.file", COVE_ERROR_UNKNOWN_KEY },  /* a global key is no net key */
  { "lxc.xtest.addr", COVE_ERROR_UNKNOWN_KEY },      /* …and a net key no global key */
  { "lxc.nonsense", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.", COVE_ERROR_UNKNOWN_KEY },
  { "lxc", COVE_ERROR_UNKNOWN_KEY },
  { "", COVE_ERROR_UNKNOWN_KEY },
  { "LXC.log.file", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.LOG.FILE", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.log", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.log.fil", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.log.filex", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.log.file.x", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.log.file ", COVE_ERROR_UNKNOWN_KEY },
  { " lxc.log.file", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.xtest.fam", COVE_ERROR_UNKNOWN_KEY },       /* a family needs a member */
  { "lxc.xtest.family.a", COVE_ERROR_UNKNOWN_KEY },  /* families match whole words */
  { "lxc.xtest.fa", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.xtest.fam.", COVE_ERROR_UNKNOWN_KEY },      /* …and a non-empty one */
  { "lxc.xtest.fam..x", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.xtest.fam.x.", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.cgroup2.", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.xtest.string.", COVE_ERROR_UNKNOWN_KEY },
  { "lxc.arch.nonsense", COVE_ERROR_UNKNOWN_KEY },
};

static void
test_grammar_bad (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_keys); i++) {
    const char *name = bad_keys[i].name;
    g_autoptr(GError) error = NULL;
    g_autofree char *value = NULL;
    CoveKeyRef ref;

    g_test_message ("key \"%s\"", name);
    g_assert_false (cove_key_parse (context, name, &ref, &error));
    test_assert_error_contains (error, bad_keys[i].code, name);
    g_clear_error (&error);

    /* every entry point refuses it the same way and changes nothing */
    g_assert_false (cove_config_set (config, name, "1", NULL, &error));
    test_assert_error_contains (error, bad_keys[i].code, name);
    g_clear_error (&error);
    value = cove_config_get (config, name, &error);
    g_assert_null (value);
    test_assert_error_contains (error, bad_keys[i].code, name);
    g_clear_error (&error);
    g_assert_false (cove_config_clear (config, name, &error));
    test_assert_error_contains (error, bad_keys[i].code, name);
    g_clear_error (&error);
    g_assert_false (cove_context_config_item_is_supported (context, name));
  }
  {
    g_autofree char *data = cove_config_to_data (config);
    g_assert_cmpstr (data, ==, "");
    g_assert_cmpint (cove_config_next_net (config, -1), ==, -1);
  }
}

static void
test_grammar_good (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  CoveKeyRef ref;
  g_autoptr(GError) error = NULL;

  g_assert_true (cove_key_parse (context, "lxc.log.file", &ref, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ref.kind, ==, COVE_KEY_REF_KEY);
  g_assert_cmpint (ref.net, ==, -1);
  g_assert_cmpstr (ref.path, ==, "log.file");
  g_assert_nonnull (ref.key);
  g_assert_cmpstr (ref.key->owner, ==, "core");

  g_assert_true (cove_key_parse (context, "lxc.net.1023.xtest.mtu", &ref, &error));
  g_assert_cmpint (ref.kind, ==, COVE_KEY_REF_KEY);
  g_assert_cmpint (ref.net, ==, 1023);
  g_assert_cmpstr (ref.path, ==, "xtest.mtu");
  g_assert_cmpstr (ref.key->display, ==, "lxc.net.N.xtest.mtu");
  g_assert_cmpstr (ref.key->owner, ==, "test");

  g_assert_true (cove_key_parse (context, "lxc.net.007.xtest.mtu", &ref, &error));
  g_assert_cmpint (ref.net, ==, 7);

  g_assert_true (cove_key_parse (context, "lxc.net", &ref, &error));
  g_assert_cmpint (ref.kind, ==, COVE_KEY_REF_NET_ALL);
  g_assert_true (cove_key_parse (context, "lxc.net.0", &ref, &error));
  g_assert_cmpint (ref.kind, ==, COVE_KEY_REF_NET_ONE);
  g_assert_cmpint (ref.net, ==, 0);
  g_assert_true (cove_key_parse (context, "lxc.net.1023", &ref, &error));
  g_assert_cmpint (ref.kind, ==, COVE_KEY_REF_NET_ONE);
  g_assert_cmpint (ref.net, ==, 1023);

  /* families: any member below the prefix, the key keeps the full relative path */
  g_assert_true (cove_key_parse (context, "lxc.xtest.fam.a", &ref, &error));
  g_assert_cmpstr (ref.path, ==, "xtest.fam.a");
  g_assert_cmpstr (ref.key->spec.path, ==, "xtest.fam");
  g_assert_cmpstr (ref.key->display, ==, "lxc.xtest.fam.*");
  g_assert_true (cove_key_parse (context, "lxc.xtest.fam.a.b.c", &ref, &error));
  g_assert_cmpstr (ref.key->spec.path, ==, "xtest.fam");
  g_assert_true (cove_key_parse (context, "lxc.cgroup2.memory.max", &ref, &error));
  g_assert_no_error (error);
}

/* lxc.net and lxc.net.N take only an empty value, which removes interfaces. */
static void
test_net_clear (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autoptr(GError) error = NULL;
  static const char *const nets[] = { "lxc.net.0.xtest.mtu", "lxc.net.1.xtest.mtu", "lxc.net.5.xtest.mtu" };

  for (gsize i = 0; i < G_N_ELEMENTS (nets); i++) {
    g_assert_true (cove_config_set (config, nets[i], "1500", NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_true (cove_config_set (config, "lxc.xtest.string", "keep", NULL, &error));

  g_assert_false (cove_config_set (config, "lxc.net.1", "x", NULL, &error));
  test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "lxc.net.1");
  g_clear_error (&error);
  g_assert_false (cove_config_set (config, "lxc.net", "0", NULL, &error));
  test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "lxc.net");
  g_clear_error (&error);
  test_assert_get (config, "lxc.net.1.xtest.mtu", "1500");

  /* reading them makes no sense */
  g_assert_null (cove_config_get (config, "lxc.net.1", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (cove_config_get (config, "lxc.net", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* lxc.net.1 = (empty) removes interface 1 only */
  g_assert_true (cove_config_set (config, "lxc.net.1", "", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cove_config_next_net (config, -1), ==, 0);
  g_assert_cmpint (cove_config_next_net (config, 0), ==, 5);
  g_assert_cmpint (cove_config_next_net (config, 5), ==, -1);
  test_assert_get (config, "lxc.net.1.xtest.mtu", "");
  test_assert_get (config, "lxc.net.5.xtest.mtu", "1500");

  /* clear_config_item works the same */
  g_assert_true (cove_config_clear (config, "lxc.net.5", &error));
  g_assert_no_error (error);
  g_assert_cmpint (cove_config_next_net (config, 0), ==, -1);

  /* NULL value means empty too; lxc.net removes every interface and nothing else */
  g_assert_true (cove_config_set (config, "lxc.net.9.xtest.mtu", "1", NULL, &error));
  g_assert_true (cove_config_set (config, "lxc.net", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cove_config_next_net (config, -1), ==, -1);
  test_assert_get (config, "lxc.xtest.string", "keep");
  {
    g_autofree char *data = cove_config_to_data (config);
    g_assert_cmpstr (data, ==, "lxc.xtest.string = keep\n");
  }
  /* the store is usable afterwards */
  g_assert_true (cove_config_set (config, "lxc.net.2.xtest.mtu", "1", NULL, &error));
  g_assert_cmpint (cove_config_next_net (config, -1), ==, 2);
}

/* ---- plugin hints ------------------------------------------------------------------- */

static void
test_owner_hints (void)
{
  g_autoptr(CoveContext) context = test_context_new ();
  static const struct { const char *key; const char *plugin; } cases[] = {
    { "lxc.net.0.ipvlan.mode", "net-ipvlan" },
    { "lxc.net.7.ipvlan.isolation", "net-ipvlan" },
    { "lxc.net.0.veth.pair", "net-veth" },
    { "lxc.net.0.l2proxy", "net-l2proxy" },
    { "lxc.seccomp.profile", "seccomp-notify" },
    { "lxc.seccomp.notify.proxy", "seccomp-notify" },
    { "lxc.console.buffer.size", "console-ringbuffer" },
    { "lxc.console.size", "console-ringbuffer" },
    { "lxc.console.logfile", "console-ringbuffer" },
    { "lxc.console.rotate", "console-ringbuffer" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(CoveConfig) config = cove_config_new (context);
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = g_strdup_printf ("%s needs plugin %s, which is not installed",
                                                 cases[i].key, cases[i].plugin);

    if (cove_context_find_plugin (context, cases[i].plugin) != NULL)
      continue;  /* cannot happen: this context loads no plugin */
    g_assert_false (cove_config_set (config, cases[i].key, "x", NULL, &error));
    g_assert_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_MISSING);
    g_assert_cmpstr (error->message, ==, expected);
    g_assert_false (cove_context_config_item_is_supported (context, cases[i].key));
  }

  /* the exact spec message */
  {
    g_autoptr(GError) error = NULL;
    CoveKeyRef ref;
    g_assert_false (cove_key_parse (context, "lxc.net.0.ipvlan.mode", &ref, &error));
    g_assert_cmpstr (error->message, ==, "lxc.net.0.ipvlan.mode needs plugin net-ipvlan, which is not installed");
  }

  /* keys near, but outside, a plugin's namespace stay plain unknown keys */
  {
    static const char *const plain[] = { "lxc.net.0.ipvlan", "lxc.net.0.l2proxy.x", "lxc.console.sizes",
                                         "lxc.seccompx", "lxc.ipvlan.mode", "lxc.console.paths" };
    for (gsize i = 0; i < G_N_ELEMENTS (plain); i++) {
      g_autoptr(GError) error = NULL;
      CoveKeyRef ref;
      g_assert_false (cove_key_parse (context, plain[i], &ref, &error));
      g_assert_error (error, COVE_ERROR, COVE_ERROR_UNKNOWN_KEY);
      g_assert_nonnull (strstr (error->message, plain[i]));
    }
  }
  g_assert_cmpstr (cove_key_owner_hint (COVE_KEY_SCOPE_NET, "ipvlan.mode"), ==, "net-ipvlan");
  g_assert_cmpstr (cove_key_owner_hint (COVE_KEY_SCOPE_GLOBAL, "console.path"), ==, "console-ringbuffer");
  g_assert_null (cove_key_owner_hint (COVE_KEY_SCOPE_GLOBAL, "ipvlan.mode"));
  g_assert_null (cove_key_owner_hint (COVE_KEY_SCOPE_NET, "console.size"));
}

/* A registered key wins over the hint. */
static void
test_owner_hint_registered (void)
{
  g_autoptr(CoveContext) context = test_context_new ();
  static const char *const modes[] = { "l3", "l3s", "l2", NULL };
  const CoveKeySpec spec = { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "ipvlan.mode", COVE_KEY_ENUM,
                             .values = modes, .default_value = "l3", .doc = "test ipvlan mode" };
  g_autoptr(CoveConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (cove_context_config_item_is_supported (context, "lxc.net.7.ipvlan.mode"));
  test_register_keys (context, &spec, 1);
  config = cove_config_new (context);
  g_assert_true (cove_context_config_item_is_supported (context, "lxc.net.7.ipvlan.mode"));
  g_assert_true (cove_config_set (config, "lxc.net.7.ipvlan.mode", "l2", NULL, &error));
  g_assert_no_error (error);
  test_assert_get (config, "lxc.net.7.ipvlan.mode", "l2");
  g_assert_false (cove_config_set (config, "lxc.net.7.ipvlan.mode", "l4", NULL, &error));
  test_assert_error_contains (error, COVE_ERROR_INVALID_CONFIG, "lxc.net.7.ipvlan.mode");
  g_assert_cmpstr (cove_config_get_string (config, 7, "ipvlan.mode"), ==, "l2");
  g_assert_cmpstr (cove_config_get_string (config, 8, "ipvlan.mode"), ==, "l3");  /* default */
}

/* ---- is_supported (C3.1, C3.2) ----------------------------------------------------- */

static void
test_is_supported (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  static const char *const yes[] = {
    "lxc.arch", "lxc.net", "lxc.net.0", "lxc.net.1023", "lxc.net.0.type", "lxc.net.1023.type",
    "lxc.net.7.xtest.vmode", "lxc.cgroup2.memory.max", "lxc.include", "lxc.log.file",
    "lxc.log.level", "lxc.xtest.fam.x",
  };
  static const char *const no[] = {
    "lxc.nonsense", "lxc.arch.nonsense", "lxc.net.x.type", "lxc.net.0.bogus", "lxc.net.0.",
    "lxc.net.1024.type", "lxc.net.2147483647.type", "lxc.net.", "lxc.cgroup2", "lxc.log",
    "lxc.", "lxc", "", "arch", "LXC.ARCH", "lxc.xtest.fam",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    if (!cove_context_config_item_is_supported (context, yes[i]))
      g_error ("\"%s\" should be supported", yes[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (no); i++)
    if (cove_context_config_item_is_supported (context, no[i]))
      g_error ("\"%s\" should not be supported", no[i]);
  g_assert_false (cove_context_config_item_is_supported (context, NULL));
}

/* Without the test keys, the LXC keys the core does not apply are not supported either. */
static void
test_is_supported_unregistered (void)
{
  g_autoptr(CoveContext) context = test_context_new ();

  g_assert_true (cove_context_config_item_is_supported (context, "lxc.log.level"));
  g_assert_true (cove_context_config_item_is_supported (context, "lxc.net"));
  g_assert_false (cove_context_config_item_is_supported (context, "lxc.xtest.string"));
  g_assert_false (cove_context_config_item_is_supported (context, "lxc.net.0.xtest.mtu"));
  if (cove_registry_lookup_key (context->registry, COVE_KEY_SCOPE_NET, "type") == NULL)
    g_assert_false (cove_context_config_item_is_supported (context, "lxc.net.0.type"));
}

/* ---- get_keys (C3.3, C3.4) ---------------------------------------------------------- */

static void
test_get_keys_toplevel (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = cove_config_list_keys (config, NULL, &error);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *joined = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (keys);
  g_assert_cmpuint (g_strv_length (keys), >, 0);
  for (char **k = keys; *k; k++) {
    g_assert_true (g_str_has_prefix (*k, "lxc."));
    g_assert_false (g_str_has_suffix (*k, "."));
    g_assert_null (strchr (*k, '\n'));
    g_assert_true (g_hash_table_add (seen, *k));  /* no duplicates */
  }
  /* the LXC get_keys text: newline-terminated names */
  joined = g_strjoinv ("\n", keys);
  g_assert_nonnull (strstr (joined, "lxc.arch\n"));
  g_assert_true (test_strv_has (keys, "lxc.net"));
  g_assert_true (test_strv_has (keys, "lxc.include"));
  g_assert_true (test_strv_has (keys, "lxc.log.file"));
  g_assert_true (test_strv_has (keys, "lxc.log.level"));
  g_assert_true (test_strv_has (keys, "lxc.xtest.enum"));
  g_assert_true (test_strv_has (keys, "lxc.xtest.fam"));    /* a family as its bare prefix */
  g_assert_true (test_strv_has (keys, "lxc.cgroup2"));
  g_assert_false (test_strv_has (keys, "lxc.xtest.mtu"));   /* net keys are below lxc.net.N */
  g_assert_false (test_strv_has (keys, "lxc.net.N.xtest.mtu"));
  g_assert_false (test_strv_has (keys, "lxc.net."));

  /* the container API gives the same list, without any config loaded */
  {
    g_autofree char *dir = test_make_tmp_dir ();
    g_autoptr(CoveContainer) c = cove_container_new_with_context (context, "c1", dir, &error);
    g_auto(GStrv) again = cove_container_get_keys (c, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (again), ==, g_strv_length (keys));
    for (guint i = 0; keys[i]; i++)
      g_assert_cmpstr (again[i], ==, keys[i]);
    test_rm_rf (dir);
  }
}

static void
test_get_keys_net (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autofree char *dir = test_make_tmp_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContainer) c = cove_container_new_with_context (context, "c1", dir, &error);
  g_auto(GStrv) untyped = NULL, veth = NULL, vlan = NULL;

  g_assert_no_error (error);

  /* no interface yet: lxc.net.0 → error, like lxc.net.1 later */
  g_assert_null (cove_container_get_keys (c, "lxc.net.0", &error));
  test_assert_error_contains (error, COVE_ERROR_INVALID_ARGUMENT, "lxc.net.0");
  g_clear_error (&error);

  g_assert_true (cove_container_set_config_item (c, "lxc.net.0.xtest.mtu", "1400", &error));
  g_assert_no_error (error);
  untyped = cove_container_get_keys (c, "lxc.net.0", &error);
  g_assert_no_error (error);
  g_assert_true (test_strv_has (untyped, "type"));
  g_assert_true (test_strv_has (untyped, "xtest.mtu"));
  g_assert_true (test_strv_has (untyped, "xtest.addr"));
  g_assert_false (test_strv_has (untyped, "xtest.vmode"));
  g_assert_false (test_strv_has (untyped, "xtest.vlan.id"));

  g_assert_true (cove_container_set_config_item (c, "lxc.net.0.type", "xveth", &error));
  g_assert_true (cove_container_set_config_item (c, "lxc.net.3.type", "xvlan", &error));
  g_assert_no_error (error);
  veth = cove_container_get_keys (c, "lxc.net.0", &error);
  g_assert_no_error (error);
  g_assert_true (test_strv_has (veth, "type"));
  g_assert_true (test_strv_has (veth, "xtest.mtu"));
  g_assert_true (test_strv_has (veth, "xtest.vmode"));
  g_assert_false (test_strv_has (veth, "xtest.vlan.id"));
  vlan = cove_container_get_keys (c, "lxc.net.3", &error);
  g_assert_no_error (error);
  g_assert_true (test_strv_has (vlan, "xtest.vlan.id"));
  g_assert_false (test_strv_has (vlan, "xtest.vmode"));
  for (char **k = veth; *k; k++) {
    g_autofree char *full = g_strdup_printf ("lxc.net.0.%s", *k);
    g_assert_true (cove_context_config_item_is_supported (context, full));
  }

  /* errors: no nic 1, bare lxc.net, a full key, out-of-range, an unknown namespace */
  {
    static const char *const bad[] = { "lxc.net.1", "lxc.net", "lxc.net.0.type", "lxc.net.1024",
                                       "lxc.net.x", "lxc.bogus", "lxc.netx", "lxc.arch" };
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
      g_auto(GStrv) keys = cove_container_get_keys (c, bad[i], &error);
      g_test_message ("get_keys (\"%s\")", bad[i]);
      g_assert_null (keys);
      g_assert_nonnull (error);
      g_assert_true (error->domain == COVE_ERROR);
      g_clear_error (&error);
    }
  }
  test_rm_rf (dir);
}

/* A namespace: the names below it, relative. */
static void
test_get_keys_namespace (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_autoptr(CoveConfig) config = cove_config_new (context);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) log = cove_config_list_keys (config, "lxc.log", &error);
  g_auto(GStrv) xtest = NULL;

  g_assert_no_error (error);
  g_assert_true (test_strv_has (log, "file"));
  g_assert_true (test_strv_has (log, "level"));
  xtest = cove_config_list_keys (config, "lxc.xtest", &error);
  g_assert_no_error (error);
  g_assert_true (test_strv_has (xtest, "string"));
  g_assert_true (test_strv_has (xtest, "fam"));
  g_assert_false (test_strv_has (xtest, "addr"));
  g_assert_false (test_strv_has (xtest, "mtu"));
}

/* The context's list of key displays (cove keys). */
static void
test_context_list_keys (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  g_auto(GStrv) all = cove_context_list_keys (context, NULL);
  g_auto(GStrv) net = cove_context_list_keys (context, "lxc.net.N.");
  g_auto(GStrv) none = cove_context_list_keys (context, "lxc.nothing");

  g_assert_true (test_strv_has (all, "lxc.log.file"));
  g_assert_true (test_strv_has (all, "lxc.xtest.fam.*"));
  g_assert_true (test_strv_has (all, "lxc.net.N.xtest.vmode"));
  g_assert_true (test_strv_has (net, "lxc.net.N.xtest.mtu"));
  g_assert_false (test_strv_has (net, "lxc.log.file"));
  for (char **k = net; *k; k++)
    g_assert_true (g_str_has_prefix (*k, "lxc.net.N."));
  g_assert_nonnull (none);
  g_assert_null (none[0]);
}

/* ---- registration ------------------------------------------------------------------- */

static void
test_key_spec_check (void)
{
  static const char *const no_values[] = { NULL };
  static const CoveKeySpec bad[] = {
    { sizeof (CoveKeySpec) - 1, COVE_KEY_SCOPE_GLOBAL, "a.b", COVE_KEY_STRING, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "a.b", COVE_KEY_STRING },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "a.b", COVE_KEY_STRING, .doc = "" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, NULL, COVE_KEY_STRING, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "", COVE_KEY_STRING, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "A.b", COVE_KEY_STRING, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "a..b", COVE_KEY_STRING, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, ".a", COVE_KEY_STRING, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "a.", COVE_KEY_STRING, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "a b", COVE_KEY_STRING, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "net", COVE_KEY_STRING, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "net.x", COVE_KEY_STRING, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "fam", COVE_KEY_STRING, COVE_KEY_FAMILY, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "e", COVE_KEY_ENUM, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "e", COVE_KEY_ENUM, .values = no_values, .doc = "d" },
    { sizeof (CoveKeySpec), 7, "a", COVE_KEY_STRING, .doc = "d" },
    { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "a", 42, .doc = "d" },
  };
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_test_message ("bad spec %" G_GSIZE_FORMAT, i);
    g_assert_false (cove_key_spec_check (&bad[i], &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  g_assert_true (cove_key_spec_check (&test_keys[0], &error));
  g_assert_false (cove_key_spec_check (NULL, &error));
  g_clear_error (&error);
}

/* A staging area with a conflicting key is refused whole. */
static void
test_registry_conflict (void)
{
  g_autoptr(CoveContext) context = test_context_new_with_keys ();
  const CoveKeySpec fresh = { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "xother.key", COVE_KEY_STRING,
                              .doc = "new" };
  const CoveKeySpec clash = { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "log.file", COVE_KEY_STRING,
                              .doc = "clash" };
  const CoveKeySpec net_same_path = { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "xtest.string",
                                      COVE_KEY_STRING, .doc = "same path, other scope" };
  guint n_keys = context->registry->keys->len;
  g_autoptr(GError) error = NULL;
  CoveStaging staging;

  cove_staging_init (&staging, "other");
  g_ptr_array_add (staging.keys, cove_key_new (&fresh, "other"));
  g_ptr_array_add (staging.keys, cove_key_new (&clash, "other"));
  g_ptr_array_add (staging.extensions, g_strdup ("x_other"));
  g_assert_false (cove_registry_commit (context->registry, &staging, &error));
  cove_staging_clear (&staging);
  test_assert_error_contains (error, COVE_ERROR_PLUGIN_CONFLICT, "lxc.log.file");
  g_assert_nonnull (strstr (error->message, "core"));
  g_clear_error (&error);
  g_assert_cmpuint (context->registry->keys->len, ==, n_keys);
  g_assert_false (cove_context_config_item_is_supported (context, "lxc.xother.key"));
  g_assert_false (cove_context_has_api_extension (context, "x_other"));

  /* the same key twice in one staging area */
  cove_staging_init (&staging, "other");
  g_ptr_array_add (staging.keys, cove_key_new (&fresh, "other"));
  g_ptr_array_add (staging.keys, cove_key_new (&fresh, "other"));
  g_assert_false (cove_registry_commit (context->registry, &staging, &error));
  cove_staging_clear (&staging);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_CONFLICT);
  g_clear_error (&error);

  /* scopes are separate name spaces */
  test_register_keys (context, &net_same_path, 1);
  g_assert_true (cove_context_config_item_is_supported (context, "lxc.net.0.xtest.string"));
  g_assert_true (cove_context_config_item_is_supported (context, "lxc.xtest.string"));
}

int
main (int argc, char **argv)
{
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/keys/grammar/bad", test_grammar_bad);
  g_test_add_func ("/keys/grammar/good", test_grammar_good);
  g_test_add_func ("/keys/net-clear", test_net_clear);
  g_test_add_func ("/keys/owner-hint/not-installed", test_owner_hints);
  g_test_add_func ("/keys/owner-hint/registered", test_owner_hint_registered);
  g_test_add_func ("/keys/is-supported/registered", test_is_supported);
  g_test_add_func ("/keys/is-supported/unregistered", test_is_supported_unregistered);
  g_test_add_func ("/keys/get-keys/toplevel", test_get_keys_toplevel);
  g_test_add_func ("/keys/get-keys/net", test_get_keys_net);
  g_test_add_func ("/keys/get-keys/namespace", test_get_keys_namespace);
  g_test_add_func ("/keys/context-list-keys", test_context_list_keys);
  g_test_add_func ("/keys/registry/spec-check", test_key_spec_check);
  g_test_add_func ("/keys/registry/conflict", test_registry_conflict);
  return g_test_run ();
}
