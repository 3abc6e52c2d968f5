/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * net-veth on real busybox containers in a private network namespace (suite "root",
 * tests/common/net-itest.h): spec C9.1–C9.4, the extension, leftover host names, and a
 * ping over the routed veth.
 */
#include "net-itest.h"

static CoveContainer *
routed (const char *path)
{
  CoveContainer *c = net_open (path);

  net_set (c, "lxc.net.0.type", "veth");
  net_set (c, "lxc.net.0.name", "eth0");
  net_set (c, "lxc.net.0.flags", "up");
  net_set (c, "lxc.net.0.veth.pair", "vethR0");
  net_set (c, "lxc.net.0.veth.ipv4.route", "198.51.100.0/24");
  net_set (c, "lxc.net.0.veth.ipv6.route", "2001:db8:2::/64");
  return c;
}

/* C9.1 (+ a ping over the route) */
static void
case_routes (const char *path)
{
  g_autoptr(CoveContainer) c = routed (path);
  g_autofree char *r4 = NULL, *r6 = NULL, *r4d = NULL;

  g_assert_true (cove_has_api_extension ("network_veth_routes"));
  net_set (c, "lxc.net.0.ipv4.address", "198.51.100.10/32");
  net_set (c, "lxc.net.0.ipv4.gateway", "dev");
  net_start_ok (c);
  r4 = net_sh_ok ("ip -4 route show dev vethR0");
  g_assert_cmpstr (r4, ==, "198.51.100.0/24 scope link");
  r4d = net_sh_ok ("ip -d -4 route show dev vethR0");
  net_assert_contains (r4d, "proto boot");
  r6 = net_sh_ok ("ip -6 route show dev vethR0 2001:db8:2::/64");
  g_assert_cmpstr (r6, ==, "2001:db8:2::/64 metric 1024 pref medium");
  /* routed, no bridge: the host reaches the container through the route, and the
   * container answers through its device default route */
  g_free (net_sh_ok ("ip addr add 192.0.2.1/32 dev lo"));
  g_free (net_sh_ok ("busybox ping -c 1 -W 5 198.51.100.10"));
  g_assert_cmpint (net_attach (c, NARGV ("ping", "-c", "1", "-W", "5", "192.0.2.1")), ==, 0);
  net_stop_ok (c);
  g_assert_true (net_wait_link_gone ("vethR0"));
  g_free (r4);
  r4 = net_sh_ok ("ip -4 route show 198.51.100.0/24");
  g_assert_cmpstr (r4, ==, "");
  g_free (r6);
  r6 = net_sh_ok ("ip -6 route show 2001:db8:2::/64");
  g_assert_cmpstr (r6, ==, "");
  g_free (net_sh_ok ("ip addr del 192.0.2.1/32 dev lo"));
}

/* C9.2, C9.4 */
static void
case_keys (const char *path)
{
  g_autoptr(CoveContainer) c = routed (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  net_set (c, "lxc.net.0.veth.ipv4.route", "192.0.2.0/25");
  value = cove_container_get_config_item (c, "lxc.net.0.veth.ipv4.route", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "198.51.100.0/24\n192.0.2.0/25");
  net_set (c, "lxc.net.0.veth.ipv4.route", "");
  g_free (value);
  value = cove_container_get_config_item (c, "lxc.net.0.veth.ipv4.route", &error);
  g_assert_cmpstr (value, ==, "");

  for (gsize i = 0; i < 4; i++) {
    static const char *const bad[][2] = {
      { "lxc.net.0.veth.ipv4.route", "10.9.1.1" },
      { "lxc.net.0.veth.ipv4.route", "10.9.0.0/33" },
      { "lxc.net.0.veth.ipv6.route", "2001:db8::/129" },
      { "lxc.net.0.veth.ipv4.route", "192.0.2.1/24" },   /* host bits */
    };
    g_assert_false (cove_container_set_config_item (c, bad[i][0], bad[i][1], &error));
    g_printerr ("# %s\n", error->message);
    net_assert_contains (error->message, bad[i][0]);
    g_clear_error (&error);
  }

  net_set (c, "lxc.net.0.veth.ipv4.route", "198.51.100.0/24");
  net_set (c, "lxc.net.0.veth.pair", "");
  net_set (c, "lxc.net.0.veth.ipv6.route", "");
  net_set (c, "lxc.net.0.type", "macvlan");
  g_assert_false (cove_container_validate_config (c, &error));
  g_printerr ("# %s\n", error->message);
  net_assert_contains (error->message, "lxc.net.0.veth.ipv4.route");
  net_assert_contains (error->message, "veth");
}

/* C9.3: a start that fails on an existing route leaves no veth */
static void
case_route_exists (const char *path)
{
  g_autoptr(CoveContainer) c = routed (path);

  g_free (net_sh_ok ("ip link add brx type bridge && ip link set brx up && "
                     "ip route add 198.51.100.0/24 dev brx"));
  net_start_fails (c, "File exists");
  g_assert_false (net_link_exists ("vethR0"));
  g_free (net_sh_ok ("ip link del brx"));
}

/* a leftover veth with the pair's name is replaced; another kind of device is not */
static void
case_leftover (const char *path)
{
  g_autoptr(CoveContainer) c = routed (path);
  g_autofree char *host = NULL;

  g_free (net_sh_ok ("ip link add vethR0 type veth peer name vethR0p"));
  net_start_ok (c);
  host = net_sh_ok ("ip -o link show vethR0");
  net_assert_contains (host, "link/ether fe:");
  g_assert_false (net_link_exists ("vethR0p"));
  net_stop_ok (c);
  /* an immediate restart never fails on the name, whatever the kernel's reaping did */
  net_start_ok (c);
  net_stop_ok (c);
  g_assert_true (net_wait_link_gone ("vethR0"));

  g_free (net_sh_ok ("ip link add vethR0 type bridge"));
  net_start_fails (c, "File exists");
  g_assert_true (net_link_exists ("vethR0"));
  g_free (net_sh_ok ("ip link del vethR0"));
}

/* a generated host name: veth + 6 characters */
static void
case_generated (const char *path)
{
  g_autoptr(CoveContainer) c = net_open (path);
  g_autofree char *links = NULL;

  net_set (c, "lxc.net.0.type", "veth");
  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.20/24");
  net_set (c, "lxc.net.0.flags", "up");
  net_start_ok (c);
  links = net_links ();
  g_assert_true (g_regex_match_simple ("^veth[A-Za-z0-9]{6}$", links, 0, 0));
  g_free (links);
  links = net_inside (c, "ip -o link show eth0");   /* default name eth%d */
  net_assert_contains (links, "eth0");
  net_stop_ok (c);
}

static const NetCase cases[] = {
  { "/net-veth/routes", case_routes, 60 },
  { "/net-veth/keys", case_keys, 60 },
  { "/net-veth/route-exists", case_route_exists, 60 },
  { "/net-veth/leftover", case_leftover, 60 },
  { "/net-veth/generated", case_generated, 60 },
};

int
main (int argc, char **argv)
{
  net_test_init (&argc, &argv);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], net_run_case);
  return g_test_run ();
}
