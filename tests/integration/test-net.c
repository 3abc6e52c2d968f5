/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Core network keys on real busybox containers (suite "root", each case in the private
 * network namespace main() creates; see tests/common/net-itest.h): spec C0.6 and
 * C12.1–C12.6, types none and empty, and a ping between the container and the host end
 * of its veth. Interfaces are veth (the net-veth plugin); without it those cases skip.
 */
#include "net-itest.h"

static gboolean
have_veth (void)
{
  if (cove_has_api_extension ("network_veth_routes"))
    return TRUE;
  g_test_skip ("the net-veth plugin is not active");
  return FALSE;
}

static CoveContainer *
veth_container (const char *path)
{
  CoveContainer *c = net_open (path);

  net_set (c, "lxc.net.0.type", "veth");
  net_set (c, "lxc.net.0.name", "eth0");
  net_set (c, "lxc.net.0.flags", "up");
  net_set (c, "lxc.net.0.veth.pair", "vethC0");
  return c;
}

/* C0.6 */
static void
case_basic (const char *path)
{
  g_autoptr(CoveContainer) c = veth_container (path);
  g_autofree char *link = NULL, *addr = NULL, *host = NULL;
  g_auto(GStrv) words = NULL;

  net_set (c, "lxc.net.0.hwaddr", "02:00:00:xx:xx:xx");
  net_set (c, "lxc.net.0.mtu", "1400");
  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.10/24");
  net_start_ok (c);
  link = net_inside (c, "ip -d -o link show eth0");
  net_assert_contains (link, "mtu 1400");
  net_assert_contains (link, "link/ether 02:00:00:");
  addr = net_inside (c, "ip -4 -o addr show eth0");
  net_assert_contains (addr, "inet 192.0.2.10/24 brd 192.0.2.255");
  host = net_sh_ok ("ip -o link show vethC0");
  net_assert_contains (host, "mtu 1400");
  net_assert_contains (host, "link/ether fe:");
  net_assert_contains (host, "state UP");
  /* lo comes up with the interface */
  g_free (link);
  link = net_inside (c, "ip -o link show lo");
  net_assert_contains (link, "UP");
  net_stop_ok (c);
  g_assert_true (net_wait_link_gone ("vethC0"));
  /* a second run: the same name again (a leftover would be replaced, never fail) */
  net_start_ok (c);
  net_stop_ok (c);
}

/* C12.1, C12.2 */
static void
case_gateway_dev (const char *path)
{
  g_autoptr(CoveContainer) c = veth_container (path);
  g_autofree char *r4 = NULL, *r6 = NULL, *r4d = NULL, *value = NULL;

  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.10/24");
  net_set (c, "lxc.net.0.ipv4.gateway", "dev");
  net_set (c, "lxc.net.0.ipv6.address", "2001:db8::10/64");
  net_set (c, "lxc.net.0.ipv6.gateway", "dev");
  value = cove_container_get_config_item (c, "lxc.net.0.ipv4.gateway", NULL);
  g_assert_cmpstr (value, ==, "dev");
  net_start_ok (c);
  r4 = net_inside (c, "ip -4 route show default");
  g_assert_cmpstr (r4, ==, "default dev eth0");
  r4d = net_inside (c, "ip -d -4 route show default");
  net_assert_contains (r4d, "proto boot scope global");
  r6 = net_inside (c, "ip -6 route show default");
  net_assert_contains (r6, "default dev eth0");
  net_assert_contains (r6, "metric 1024");
  net_stop_ok (c);
}

/* C12.3, C12.4: clean failures before anything is created */
static void
case_gateway_errors (const char *path)
{
  g_autoptr(CoveContainer) c = veth_container (path);

  net_set (c, "lxc.net.0.flags", "");
  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.10/24");
  net_set (c, "lxc.net.0.ipv4.gateway", "dev");
  net_start_fails (c, "Cannot add ipv4 gateway for network device \"eth0\" when not bringing up the interface");
  net_set (c, "lxc.net.0.flags", "up");
  net_set (c, "lxc.net.0.ipv4.address", "");
  net_start_fails (c, "Cannot add ipv4 gateway for network device \"eth0\" when not assigning an address");
  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.10/24");
  net_set (c, "lxc.net.0.ipv6.gateway", "dev");
  net_start_fails (c, "Cannot add ipv6 gateway for network device \"eth0\" when not assigning an address");
  g_assert_false (net_link_exists ("vethC0"));
}

/* C12.5 */
static void
case_gateway_outside (const char *path)
{
  g_autoptr(CoveContainer) c = veth_container (path);
  g_autofree char *routes = NULL;

  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.10/32");
  net_set (c, "lxc.net.0.ipv4.gateway", "198.51.100.1");
  net_start_ok (c);
  routes = net_inside (c, "ip -4 route show");
  net_assert_contains (routes, "default via 198.51.100.1 dev eth0");
  net_assert_contains (routes, "198.51.100.1 dev eth0 scope link");
  net_stop_ok (c);
}

/* C12.6 (and veth in a bridge) */
static void
case_gateway_auto (const char *path)
{
  g_autoptr(CoveContainer) c = veth_container (path);
  g_autofree char *route = NULL, *master = NULL;

  g_free (net_sh_ok ("ip link add br0 type bridge && ip addr add 192.0.2.1/24 dev br0 && ip link set br0 up"));
  net_set (c, "lxc.net.0.link", "br0");
  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.10/24");
  net_set (c, "lxc.net.0.ipv4.gateway", "auto");
  net_start_ok (c);
  route = net_inside (c, "ip -4 route show default");
  g_assert_cmpstr (route, ==, "default via 192.0.2.1 dev eth0");
  master = net_sh_ok ("ip -o link show vethC0");
  net_assert_contains (master, "master br0");
  g_assert_cmpint (net_attach (c, NARGV ("ping", "-c", "1", "-W", "5", "192.0.2.1")), ==, 0);
  net_stop_ok (c);
  g_free (net_sh_ok ("ip link del br0"));
}

/* a ping both ways between the container and the host end of its veth */
static void
case_ping (const char *path)
{
  g_autoptr(CoveContainer) c = veth_container (path);

  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.10/24");
  net_start_ok (c);
  g_free (net_sh_ok ("ip addr add 192.0.2.1/24 dev vethC0"));
  g_assert_cmpint (net_attach (c, NARGV ("ping", "-c", "1", "-W", "5", "192.0.2.1")), ==, 0);
  g_free (net_sh_ok ("busybox ping -c 1 -W 5 192.0.2.10"));
  net_stop_ok (c);
}

/* a start that fails on the host side (C0.1's missing bridge) leaves nothing */
static void
case_missing_link (const char *path)
{
  g_autoptr(CoveContainer) c = veth_container (path);

  net_set (c, "lxc.net.0.link", "br-missing");
  net_start_fails (c, "br-missing");
  g_assert_false (net_link_exists ("vethC0"));
}

static void
case_empty (const char *path)
{
  g_autoptr(CoveContainer) c = net_open (path);
  g_autofree char *links = NULL;

  net_set (c, "lxc.net.0.type", "empty");
  net_start_ok (c);
  links = net_inside (c, "ip -o link show | wc -l");
  g_assert_cmpstr (links, ==, "1");
  g_free (links);
  links = net_inside (c, "ip -o link show lo");
  net_assert_contains (links, "UP");
  net_stop_ok (c);
}

static void
case_none (const char *path)
{
  g_autoptr(CoveContainer) c = net_open (path);
  g_autofree char *mine = NULL, *theirs = NULL;
  g_autoptr(GError) error = NULL;
  pid_t pid;

  net_set (c, "lxc.net.0.type", "none");
  net_start_ok (c);
  pid = cove_container_init_pid (c, &error);
  g_assert_no_error (error);
  mine = g_file_read_link ("/proc/self/ns/net", NULL);
  g_autofree char *file = g_strdup_printf ("/proc/%d/ns/net", (int) pid);
  theirs = g_file_read_link (file, NULL);
  g_assert_cmpstr (mine, ==, theirs);
  net_stop_ok (c);
}

/* cove_container_get_interfaces(), which `cove info` prints: the container's names,
 * the host end of its veth and its addresses; nothing for type none */
static void
case_interfaces (const char *path)
{
  g_autoptr(CoveContainer) c = veth_container (path);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  const CoveInterface *iface;

  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.10/24");
  net_set (c, "lxc.net.0.ipv6.address", "2001:db8::10/64");
  net_start_ok (c);
  list = cove_container_get_interfaces (c, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);   /* lo is not listed */
  iface = list->pdata[0];
  g_assert_cmpstr (iface->name, ==, "eth0");
  g_assert_cmpstr (iface->host_name, ==, "vethC0");
  g_assert_true (g_strv_contains ((const char * const *) iface->addresses, "192.0.2.10/24"));
  g_assert_true (g_strv_contains ((const char * const *) iface->addresses, "2001:db8::10/64"));
  net_stop_ok (c);

  g_clear_pointer (&list, g_ptr_array_unref);
  list = cove_container_get_interfaces (c, &error);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
  g_assert_null (list);
}

static const NetCase cases[] = {
  { "/net/interfaces", case_interfaces, 60 },
  { "/net/basic", case_basic, 60 },
  { "/net/gateway-dev", case_gateway_dev, 60 },
  { "/net/gateway-errors", case_gateway_errors, 60 },
  { "/net/gateway-outside", case_gateway_outside, 60 },
  { "/net/gateway-auto", case_gateway_auto, 60 },
  { "/net/ping", case_ping, 60 },
  { "/net/missing-link", case_missing_link, 60 },
  { "/net/empty", case_empty, 60 },
  { "/net/none", case_none, 60 },
};

static void
run_veth_case (gconstpointer data)
{
  const NetCase *tc = data;

  if (tc->body != case_empty && tc->body != case_none && !have_veth ())
    return;
  net_run_case (data);
}

int
main (int argc, char **argv)
{
  net_test_init (&argc, &argv);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], run_veth_case);
  return g_test_run ();
}
