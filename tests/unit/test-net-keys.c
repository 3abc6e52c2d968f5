/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's lxc.net.N.* keys without a kernel: canonical values, rejected values,
 * key order (spec C0.5, Cove: order never matters), and the start-time validation of
 * impossible combinations (spec C12.3, C12.4) and types.
 */
#include "test-common.h"

static CoveConfig *
config_new (CoveContext *context)
{
  return cove_config_new (context);
}

static void
set_ok (CoveConfig *config, const char *key, const char *value)
{
  g_autoptr(GError) error = NULL;

  if (!cove_config_set (config, key, value, NULL, &error))
    g_error ("set %s = %s: %s", key, value, error->message);
}

static void
get_is (CoveConfig *config, const char *key, const char *expect)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = cove_config_get (config, key, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, expect);
}

static void
set_fails (CoveConfig *config, const char *key, const char *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (cove_config_set (config, key, value, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s = %s: %s", key, value, error->message);
  g_assert_nonnull (strstr (error->message, key));
}

static void
test_values (void)
{
  g_autoptr(CoveContext) context = test_context_new ();
  g_autoptr(CoveConfig) config = config_new (context);

  set_ok (config, "lxc.net.0.ipv4.address", "192.0.2.10");
  set_ok (config, "lxc.net.0.ipv4.address", "192.0.2.11/25 192.0.2.127");
  set_ok (config, "lxc.net.0.ipv4.address", "10.0.0.1");
  get_is (config, "lxc.net.0.ipv4.address", "192.0.2.10/24\n192.0.2.11/25 192.0.2.127\n10.0.0.1/8");
  set_ok (config, "lxc.net.0.ipv4.address", "");
  get_is (config, "lxc.net.0.ipv4.address", "");
  set_fails (config, "lxc.net.0.ipv4.address", "192.0.2.10/33");
  set_fails (config, "lxc.net.0.ipv4.address", "192.0.2");
  set_fails (config, "lxc.net.0.ipv4.address", "2001:db8::1");

  set_ok (config, "lxc.net.0.ipv6.address", "2001:DB8:0::10");
  get_is (config, "lxc.net.0.ipv6.address", "2001:db8::10/64");
  set_fails (config, "lxc.net.0.ipv6.address", "2001:db8::1/129");

  for (int v6 = 0; v6 < 2; v6++) {
    const char *key = v6 ? "lxc.net.0.ipv6.gateway" : "lxc.net.0.ipv4.gateway";
    set_ok (config, key, "dev");
    get_is (config, key, "dev");
    set_ok (config, key, "auto");
    get_is (config, key, "auto");
    set_ok (config, key, v6 ? "2001:db8::1" : "192.0.2.1");
    get_is (config, key, v6 ? "2001:db8::1" : "192.0.2.1");
    set_fails (config, key, "device");
    set_fails (config, key, v6 ? "192.0.2.1" : "2001:db8::1");
  }

  set_ok (config, "lxc.net.0.hwaddr", "02:00:00:XX:xx:xX");
  get_is (config, "lxc.net.0.hwaddr", "02:00:00:xx:xx:xx");
  set_ok (config, "lxc.net.0.hwaddr", "xx:xx:xx:xx:xx:xx");
  set_fails (config, "lxc.net.0.hwaddr", "01:00:00:00:00:00");   /* multicast */
  set_fails (config, "lxc.net.0.hwaddr", "02:00:00:00:00");
  set_fails (config, "lxc.net.0.hwaddr", "02-00-00-00-00-00");

  set_ok (config, "lxc.net.0.mtu", "1400");
  set_fails (config, "lxc.net.0.mtu", "abc");
  set_fails (config, "lxc.net.0.mtu", "67");
  set_fails (config, "lxc.net.0.mtu", "65536");
  get_is (config, "lxc.net.0.mtu", "1400");   /* transactional */

  set_ok (config, "lxc.net.0.flags", "up");
  set_fails (config, "lxc.net.0.flags", "down");   /* LXC: also means up (spec §14 item 12) */

  set_ok (config, "lxc.net.0.name", "123456789012345");
  set_fails (config, "lxc.net.0.name", "1234567890123456");   /* LXC truncates */
  set_fails (config, "lxc.net.0.link", "a/b");
  set_fails (config, "lxc.net.0.type", "Veth!");
}

/* spec C0.5 */
static void
test_key_order (void)
{
  g_autoptr(CoveContext) context = test_context_new ();
  g_autoptr(CoveConfig) config = config_new (context);
  g_autoptr(GError) error = NULL;

  set_ok (config, "lxc.net.0.link", "br0");
  set_ok (config, "lxc.net.0.type", "empty");
  get_is (config, "lxc.net.0.link", "br0");   /* Cove: kept */

  g_assert_false (cove_config_set (config, "lxc.net.0.asdf", "1", NULL, &error));
  g_assert_nonnull (strstr (error->message, "lxc.net.0.asdf"));
  g_clear_error (&error);
  g_assert_false (cove_config_set (config, "lxc.net.0.", "1", NULL, &error));
  g_assert_nonnull (strstr (error->message, "lxc.net.0."));
  g_clear_error (&error);
  g_assert_false (cove_config_set (config, "lxc.net.2147483647.type", "veth", NULL, &error));
  g_assert_nonnull (strstr (error->message, "lxc.net.2147483647.type"));
}

static void
validate_fails (CoveConfig *config, const char *expect)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (cove_config_validate (config, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (strstr (error->message, expect) == NULL)
    g_error ("\"%s\" does not say \"%s\"", error->message, expect);
}

static void
validate_ok (CoveConfig *config)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cove_config_validate (config, &error));
  g_assert_no_error (error);
}

static void
test_validate (void)
{
  g_autoptr(CoveContext) context = test_context_new ();
  g_autoptr(CoveConfig) config = config_new (context);

  test_register_net_types (context);
  set_ok (config, "lxc.net.0.name", "eth0");
  validate_fails (config, "lxc.net.0.name: an interface of type empty (lxc.net.N.type is not set)");
  set_ok (config, "lxc.net.0.type", "bogus");
  validate_fails (config, "invalid network type \"bogus\"");
  set_ok (config, "lxc.net.0.type", "veth");   /* no plugin in unit tests */
  validate_fails (config, "needs plugin net-veth");
  set_ok (config, "lxc.net.0.type", "xveth");
  validate_ok (config);

  /* C12.3 */
  set_ok (config, "lxc.net.0.ipv4.gateway", "dev");
  validate_fails (config, "Cannot add ipv4 gateway for network device \"eth0\" when not bringing up the interface");
  set_ok (config, "lxc.net.0.flags", "up");
  validate_fails (config, "Cannot add ipv4 gateway for network device \"eth0\" when not assigning an address");
  set_ok (config, "lxc.net.0.ipv4.address", "192.0.2.10/24");
  validate_ok (config);
  /* C12.4: LXC crashes the child here */
  set_ok (config, "lxc.net.0.ipv6.gateway", "dev");
  validate_fails (config, "Cannot add ipv6 gateway for network device \"eth0\" when not assigning an address");
  set_ok (config, "lxc.net.0.ipv6.address", "2001:db8::10/64");
  validate_ok (config);
  set_ok (config, "lxc.net.0.ipv6.gateway", "auto");
  validate_fails (config, "needs lxc.net.0.link");
  set_ok (config, "lxc.net.0.ipv6.gateway", "");

  /* two interfaces with one name */
  set_ok (config, "lxc.net.1.type", "xveth");
  set_ok (config, "lxc.net.1.name", "eth0");
  validate_fails (config, "already named \"eth0\"");
  set_ok (config, "lxc.net.1.name", "eth1");
  validate_ok (config);

  /* none shares the host's netns: alone, and without device keys */
  set_ok (config, "lxc.net.2.type", "none");
  validate_fails (config, "cannot be combined");
  set_ok (config, "lxc.net", "");
  set_ok (config, "lxc.net.0.type", "none");
  validate_ok (config);
  set_ok (config, "lxc.net.0.ipv4.address", "192.0.2.10/24");
  validate_fails (config, "lxc.net.0.ipv4.address: an interface of type none");
  set_ok (config, "lxc.net.0.type", "empty");
  validate_fails (config, "lxc.net.0.ipv4.address: an interface of type empty");
  set_ok (config, "lxc.net.0.ipv4.address", "");
  set_ok (config, "lxc.net.0.flags", "up");
  validate_ok (config);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net-keys/values", test_values);
  g_test_add_func ("/net-keys/order", test_key_order);
  g_test_add_func ("/net-keys/validate", test_validate);
  return g_test_run ();
}
