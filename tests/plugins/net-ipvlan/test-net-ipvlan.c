/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * net-ipvlan on real busybox containers in a private network namespace (suite "root",
 * tests/common/net-itest.h): spec C10.1 (keys), C10.2 (no link), C10.4 (a start without
 * the ipvlan driver fails cleanly) and C10.5 (end to end, only where the kernel has
 * ipvlan; otherwise the case reports a skip naming the reason). The uplink is a veth
 * pair made inside the test's namespace (this kernel has no dummy driver).
 */
#include "net-itest.h"

#include <dirent.h>

#ifndef COVE_ITEST_RUNDIR
#define COVE_ITEST_RUNDIR "/run"
#endif

/* NULL when the kernel can make an ipvlan; else why not (set in main) */
static const char *no_ipvlan_reason;

static CoveContainer *
ipvlan_container (const char *path)
{
  CoveContainer *c = net_open (path);

  net_set (c, "lxc.net.0.type", "ipvlan");
  net_set (c, "lxc.net.0.name", "eth0");
  net_set (c, "lxc.net.0.flags", "up");
  net_set (c, "lxc.net.0.ipv4.address", "192.0.2.30/24");
  net_set (c, "lxc.net.0.ipv6.address", "2001:db8:4::30/64");
  net_set (c, "lxc.net.0.ipv4.gateway", "dev");
  return c;
}

static void
uplink_add (void)
{
  g_free (net_sh_ok ("ip link add up0 type veth peer name up1 && ip link set up0 up && ip link set up1 up"));
}

static void
uplink_del (void)
{
  g_free (net_sh_ok ("ip link del up0"));
}

static char *
get_item (CoveContainer *c, const char *key)
{
  g_autoptr(GError) error = NULL;
  char *value = cove_container_get_config_item (c, key, &error);

  g_assert_no_error (error);
  return value;
}

/* C10.1: defaults, accepted values, round trip through a saved config, errors */
static void
case_keys (const char *path)
{
  g_autoptr(CoveContainer) c = net_open (path);
  g_autoptr(CoveContainer) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (path, "ipvlan.conf", NULL);
  static const char *const modes[] = { "l3s", "l2", "l3" };
  static const char *const isolations[] = { "private", "vepa", "bridge" };

  g_assert_true (cove_has_api_extension ("network_ipvlan"));
  g_assert_true (cove_config_item_is_supported ("lxc.net.3.ipvlan.mode"));
  g_assert_true (cove_config_item_is_supported ("lxc.net.0.ipvlan.isolation"));
  net_set (c, "lxc.net.0.type", "ipvlan");
  net_set (c, "lxc.net.0.link", "up0");
  g_free (get_item (c, "lxc.net.0.ipvlan.mode"));
  {
    g_autofree char *mode = get_item (c, "lxc.net.0.ipvlan.mode");
    g_autofree char *isolation = get_item (c, "lxc.net.0.ipvlan.isolation");
    g_assert_cmpstr (mode, ==, "l3");
    g_assert_cmpstr (isolation, ==, "bridge");
  }
  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++) {
    g_autofree char *mode = NULL, *isolation = NULL;

    net_set (c, "lxc.net.0.ipvlan.mode", modes[i]);
    net_set (c, "lxc.net.0.ipvlan.isolation", isolations[i]);
    g_assert_true (cove_container_save_config (c, file, &error));
    g_assert_no_error (error);
    g_clear_pointer (&again, cove_container_unref);
    again = cove_container_new (NET_NAME, path, &error);
    g_assert_no_error (error);
    g_assert_true (cove_container_load_config (again, file, &error));
    g_assert_no_error (error);
    mode = get_item (again, "lxc.net.0.ipvlan.mode");
    isolation = get_item (again, "lxc.net.0.ipvlan.isolation");
    g_assert_cmpstr (mode, ==, modes[i]);
    g_assert_cmpstr (isolation, ==, isolations[i]);
    g_assert_true (cove_container_validate_config (again, &error));
    g_assert_no_error (error);
  }
  g_assert_false (cove_container_set_config_item (c, "lxc.net.0.ipvlan.mode", "bogus", &error));
  g_printerr ("# %s\n", error->message);
  net_assert_contains (error->message, "lxc.net.0.ipvlan.mode");
  g_clear_error (&error);
  g_assert_false (cove_container_set_config_item (c, "lxc.net.0.ipvlan.isolation", "bogus", &error));
  net_assert_contains (error->message, "lxc.net.0.ipvlan.isolation");
  g_clear_error (&error);

  /* on another type: refused before any start */
  net_set (c, "lxc.net.0.type", "veth");
  g_assert_false (cove_container_validate_config (c, &error));
  g_printerr ("# %s\n", error->message);
  net_assert_contains (error->message, "lxc.net.0.ipvlan.mode");
  net_assert_contains (error->message, "ipvlan");
}

/* The run directory, command socket, monitor and mounts of a failed start are gone;
 * so are devices (checked here and by the harness), routes and neighbours. */
static void
assert_nothing_left (const char *path, const char *routes_before, const char *neigh_before)
{
  g_autoptr(CoveContainer) c = net_open (path);
  g_autofree char *key = g_strdup_printf ("%s/%s", path, NET_NAME);
  g_autofree char *rundir = NULL, *info = NULL, *routes = NULL, *neigh = NULL, *links = NULL;
  guint64 h = 0xcbf29ce484222325ULL;
  double deadline = net_now () + 5;
  gboolean monitor;

  for (const char *s = key; *s; s++) {
    h ^= (guchar) *s;
    h *= 0x100000001b3ULL;
  }
  rundir = g_strdup_printf ("%s/cove/%016" G_GINT64_MODIFIER "x", COVE_ITEST_RUNDIR, h);
  do {
    g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
    const char *entry;

    monitor = FALSE;
    while (dir && (entry = g_dir_read_name (dir)) != NULL) {
      g_autofree char *file = g_strdup_printf ("/proc/%s/cmdline", entry);
      g_autofree char *cmdline = NULL;
      gsize len = 0;

      if (!g_ascii_isdigit (entry[0]) || atoi (entry) == getpid () ||
          !g_file_get_contents (file, &cmdline, &len, NULL))
        continue;
      for (gsize i = 0; i + 1 < len; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, "cove-monitor") && strstr (cmdline, path))
        monitor = TRUE;
    }
    if (!monitor && !g_file_test (rundir, G_FILE_TEST_EXISTS))
      break;
    g_usleep (20 * 1000);
  } while (net_now () < deadline);
  g_assert_false (monitor);
  g_assert_false (g_file_test (rundir, G_FILE_TEST_EXISTS));
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &info, NULL, NULL));
  g_assert_null (strstr (info, path));
  routes = net_sh_ok ("ip route show table all");
  g_assert_cmpstr (routes, ==, routes_before);
  neigh = net_sh_ok ("ip neigh show proxy; ip -6 neigh show proxy");
  g_assert_cmpstr (neigh, ==, neigh_before);
  links = net_links ();
  g_assert_cmpstr (links, ==, "up0\nup1");
}

/* C10.2 */
static void
case_no_link (const char *path)
{
  g_autoptr(CoveContainer) c = ipvlan_container (path);
  g_autoptr(GError) error = NULL;

  g_assert_false (cove_container_validate_config (c, &error));
  net_assert_contains (error->message, "No link for ipvlan network device specified");
  net_start_fails (c, "No link for ipvlan network device specified");
  g_assert_cmpstr (net_links (), ==, "");
  /* a link that does not exist: the start fails naming it */
  net_set (c, "lxc.net.0.link", "nosuch0");
  net_start_fails (c, "nosuch0");
}

/* C10.4 */
static void
case_no_driver (const char *path)
{
  g_autoptr(CoveContainer) c = ipvlan_container (path);
  g_autofree char *routes = NULL, *neigh = NULL;

  uplink_add ();
  routes = net_sh_ok ("ip route show table all");
  neigh = net_sh_ok ("ip neigh show proxy; ip -6 neigh show proxy");
  net_set (c, "lxc.net.0.link", "up0");
  net_start_fails (c, "Operation not supported");
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (cove_container_start (c, COVE_START_FLAGS_NONE, NULL, &error));
    net_assert_contains (error->message, "ipvlan");
    net_assert_contains (error->message, "up0");
  }
  assert_nothing_left (path, routes, neigh);
  uplink_del ();
}

/* C10.5 */
static void
case_end_to_end (const char *path)
{
  static const char *const combos[][3] = {
    { "l3", "bridge", "mode l3 bridge" }, { "l3s", "private", "mode l3s private" },
    { "l2", "vepa", "mode l2 vepa" },
  };
  g_autoptr(CoveContainer) c = ipvlan_container (path);

  uplink_add ();
  net_set (c, "lxc.net.0.link", "up0");
  net_set (c, "lxc.net.0.mtu", "1400");
  for (gsize i = 0; i < G_N_ELEMENTS (combos); i++) {
    g_autofree char *link = NULL, *route = NULL;

    net_set (c, "lxc.net.0.ipvlan.mode", combos[i][0]);
    net_set (c, "lxc.net.0.ipvlan.isolation", combos[i][1]);
    net_start_ok (c);
    link = net_inside (c, "ip -d link show eth0");
    net_assert_contains (link, combos[i][2]);
    net_assert_contains (link, "mtu 1400");
    route = net_inside (c, "ip route show default");
    g_assert_cmpstr (route, ==, "default dev eth0 proto boot scope link");
    net_stop_ok (c);
    g_assert_cmpstr (net_links (), ==, "up0\nup1");
  }
  uplink_del ();
}

static void
run_case (gconstpointer data)
{
  const NetCase *tc = data;

  if (g_test_subprocess ()) {
    net_run_case (data);
    return;
  }
  if (net_skip_reason == NULL && tc->body == case_end_to_end && no_ipvlan_reason != NULL) {
    g_test_skip (no_ipvlan_reason);
    return;
  }
  if (net_skip_reason == NULL && tc->body == case_no_driver && no_ipvlan_reason == NULL) {
    g_test_skip ("this kernel has the ipvlan driver (C10.4 needs one without)");
    return;
  }
  net_run_case (data);
}

static const NetCase cases[] = {
  { "/net-ipvlan/keys", case_keys, 60 },
  { "/net-ipvlan/no-link", case_no_link, 60 },
  { "/net-ipvlan/no-driver", case_no_driver, 60 },
  { "/net-ipvlan/end-to-end", case_end_to_end, 120 },
};

int
main (int argc, char **argv)
{
  net_test_init (&argc, &argv);
  if (net_skip_reason == NULL && !g_test_subprocess ()) {
    /* the driver may be built in or loadable: try one in this private namespace */
    if (net_sh (NULL, "ip link add cvprobe0 type veth peer name cvprobe1 && "
                      "ip link add cvprobe2 link cvprobe0 type ipvlan mode l3 >/dev/null 2>&1") != 0)
      no_ipvlan_reason = g_file_test ("/sys/module/ipvlan", G_FILE_TEST_EXISTS) ?
        "no ipvlan: creating one in a private netns failed" :
        "no ipvlan: this kernel has no ipvlan driver (no /sys/module/ipvlan, creating one fails)";
    net_sh (NULL, "ip link del cvprobe0 2>/dev/null");
  }
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], run_case);
  return g_test_run ();
}
