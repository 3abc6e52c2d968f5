/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * net-l2proxy on real busybox containers in a private network namespace (suite "root",
 * tests/common/net-itest.h), set up as in spec §15 C11: a bridge br0 with carrier through
 * the veth pair up0/up1, the container on a veth with link = br0 and l2proxy = 1.
 * C11.1–C11.6, entries removed on a failed start, and the l3s rule of C11.8 (the ipvlan
 * path itself cannot run on a kernel without ipvlan: tests/plugins/net-l2proxy decodes
 * its requests).
 */
#include "net-itest.h"

static void
uplink_add (void)
{
  g_free (net_sh_ok ("ip link add br0 type bridge && ip link add up0 type veth peer name up1 && "
                     "ip link set up0 master br0 && ip link set up0 up && ip link set up1 up && "
                     "ip link set br0 up"));
}

static void
uplink_del (void)
{
  g_free (net_sh_ok ("ip link del up0 && ip link del br0"));
}

static void
sysctls (int ipv4_forwarding, int proxy_ndp, int ipv6_forwarding)
{
  g_autofree char *cmd = g_strdup_printf ("sysctl -q -w net.ipv4.conf.br0.forwarding=%d "
                                          "net.ipv6.conf.br0.proxy_ndp=%d "
                                          "net.ipv6.conf.br0.forwarding=%d",
                                          ipv4_forwarding, proxy_ndp, ipv6_forwarding);
  g_free (net_sh_ok (cmd));
}

static CoveContainer *
proxied (const char *path)
{
  CoveContainer *c = net_open (path);

  net_set (c, "lxc.net.0.type", "veth");
  net_set (c, "lxc.net.0.link", "br0");
  net_set (c, "lxc.net.0.veth.pair", "vethP0");
  net_set (c, "lxc.net.0.flags", "up");
  net_set (c, "lxc.net.0.l2proxy", "1");
  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.20/24");
  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.21/24");
  net_set (c, "lxc.net.0.ipv6.address", "2001:db8:3::20/64");
  return c;
}

static char *
proxies4 (void)
{
  return net_sh_ok ("ip -4 neigh show proxy dev br0 | sort");
}

static char *
proxies6 (void)
{
  return net_sh_ok ("ip -6 neigh show proxy dev br0");
}

static void
assert_no_proxies (void)
{
  g_autofree char *v4 = net_sh_ok ("ip -4 neigh show proxy");
  g_autofree char *v6 = net_sh_ok ("ip -6 neigh show proxy");

  g_assert_cmpstr (v4, ==, "");
  g_assert_cmpstr (v6, ==, "");
}

static void
assert_proxies (void)
{
  g_autofree char *v4 = proxies4 ();
  g_autofree char *v6 = proxies6 ();

  g_assert_cmpstr (v4, ==, "192.0.2.20 proxy \n192.0.2.21 proxy");
  g_assert_cmpstr (v6, ==, "2001:db8:3::20 proxy");
}

/* C11.1, C11.2: the sysctls, checked before anything is created */
static void
case_sysctls (const char *path)
{
  g_autoptr(CoveContainer) c = proxied (path);
  g_autofree char *links = NULL;

  g_assert_true (cove_has_api_extension ("network_l2proxy"));
  uplink_add ();
  sysctls (0, 1, 1);
  net_start_fails (c, "Requires sysctl net.ipv4.conf.br0.forwarding=1");
  assert_no_proxies ();
  g_assert_false (net_link_exists ("vethP0"));
  sysctls (1, 0, 1);
  net_start_fails (c, "Requires sysctl net.ipv6.conf.br0.proxy_ndp=1");
  sysctls (1, 1, 0);
  net_start_fails (c, "Requires sysctl net.ipv6.conf.br0.forwarding=1");
  assert_no_proxies ();
  links = net_links ();
  g_assert_cmpstr (links, ==, "br0\nup0\nup1");
  uplink_del ();
}

/* C11.3, C11.4, C11.5 */
static void
case_entries (const char *path)
{
  g_autoptr(CoveContainer) c = proxied (path);

  uplink_add ();
  sysctls (1, 1, 1);
  net_start_ok (c);
  assert_proxies ();
  /* br0 loses its carrier: permanent entries stay (LXC's ndm_state 0 ones vanish) */
  g_free (net_sh_ok ("ip link set up1 down"));
  g_usleep (200 * 1000);
  assert_proxies ();
  g_free (net_sh_ok ("ip link set up1 up"));
  net_stop_ok (c);
  assert_no_proxies ();
  /* a second start works (LXC ≥ 5.19 leaks the entries and then fails with EEXIST) */
  net_start_ok (c);
  assert_proxies ();
  net_stop_ok (c);
  assert_no_proxies ();
  g_assert_true (net_wait_link_gone ("vethP0"));
  uplink_del ();
}

/* a start that fails after the entries were added removes them, and only them */
static void
case_failed_start (const char *path)
{
  g_autoptr(CoveContainer) c = proxied (path);
  g_autofree char *v4 = NULL;

  uplink_add ();
  sysctls (1, 1, 1);
  /* an entry that exists already: the second add fails with EEXIST after the first
   * succeeded; the first is removed, the one that was there stays */
  g_free (net_sh_ok ("ip neigh add proxy 192.0.2.21 dev br0"));
  net_start_fails (c, "File exists");
  v4 = proxies4 ();
  g_assert_cmpstr (v4, ==, "192.0.2.21 proxy");
  g_free (net_sh_ok ("ip neigh del proxy 192.0.2.21 dev br0"));
  assert_no_proxies ();
  g_assert_false (net_link_exists ("vethP0"));

  /* a failure after every entry was added (the init cannot be executed) */
  net_set (c, "lxc.init.cmd", "/nonexistent/init");
  net_start_fails (c, "nonexistent");
  assert_no_proxies ();
  uplink_del ();
}

/* C11.6 (+ the l3s rule of C11.8, checked before a start) */
static void
case_keys (const char *path)
{
  g_autoptr(CoveContainer) c = proxied (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  g_assert_true (cove_config_item_is_supported ("lxc.net.7.l2proxy"));
  value = cove_container_get_config_item (c, "lxc.net.0.l2proxy", &error);
  g_assert_cmpstr (value, ==, "1");
  g_assert_false (cove_container_set_config_item (c, "lxc.net.0.l2proxy", "2", &error));
  g_printerr ("# %s\n", error->message);
  net_assert_contains (error->message, "lxc.net.0.l2proxy");
  g_clear_error (&error);

  /* without a link: nothing to proxy on, the start succeeds, no entries, no sysctls read */
  uplink_add ();
  sysctls (0, 0, 0);
  net_set (c, "lxc.net.0.link", "");
  net_start_ok (c);
  assert_no_proxies ();
  net_stop_ok (c);

  /* ipvlan: only l3s */
  net_set (c, "lxc.net.0.veth.pair", "");
  net_set (c, "lxc.net.0.type", "ipvlan");
  net_set (c, "lxc.net.0.link", "up1");
  g_assert_false (cove_container_validate_config (c, &error));
  g_printerr ("# %s\n", error->message);
  net_assert_contains (error->message, "Requires ipvlan mode on dev \"up1\" be l3s when used with l2proxy");
  g_clear_error (&error);
  net_start_fails (c, "be l3s when used with l2proxy");
  net_set (c, "lxc.net.0.ipvlan.mode", "l3s");
  g_assert_true (cove_container_validate_config (c, &error));
  g_assert_no_error (error);
  uplink_del ();
}

static const NetCase cases[] = {
  { "/net-l2proxy/sysctls", case_sysctls, 60 },
  { "/net-l2proxy/entries", case_entries, 60 },
  { "/net-l2proxy/failed-start", case_failed_start, 60 },
  { "/net-l2proxy/keys", case_keys, 60 },
};

int
main (int argc, char **argv)
{
  net_test_init (&argc, &argv);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], net_run_case);
  return g_test_run ();
}
