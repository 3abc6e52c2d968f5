/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * net-l2proxy: the requests the plugin sends, decoded (spec C11.7: deletes carry only
 * NLM_F_REQUEST|NLM_F_ACK; spec §14 item 2: NUD_PERMANENT; C11.8: for ipvlan a route
 * addr/32|/128 on lo, scope link, proto boot, main table), and the sysctl checks with
 * the exact messages of C11.1–C11.2 against a fake /proc/sys.
 */
#include <cove.h>
#include "cove-netlink.h"
#include "l2proxy-request.h"

#include <arpa/inet.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <glib/gstdio.h>

#define ADD (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)
#define DEL (NLM_F_REQUEST | NLM_F_ACK)

typedef struct {
  const struct nlattr *tb[32];
} Attrs;

static int
collect (const struct nlattr *attr, void *data)
{
  Attrs *a = data;
  int type = mnl_attr_get_type (attr);

  g_assert_cmpint (type, <, 32);
  g_assert_null (a->tb[type]);
  a->tb[type] = attr;
  return MNL_CB_OK;
}

static void
assert_addr (const struct nlattr *attr, int family, const char *text)
{
  char out[INET6_ADDRSTRLEN];

  g_assert_nonnull (attr);
  g_assert_cmpuint (mnl_attr_get_payload_len (attr), ==, family == AF_INET ? 4 : 16);
  inet_ntop (family, mnl_attr_get_payload (attr), out, sizeof out);
  g_assert_cmpstr (out, ==, text);
}

static void
assert_neigh (GBytes *bytes, gboolean add, int family, const char *text)
{
  const struct nlmsghdr *nlh = g_bytes_get_data (bytes, NULL);
  const struct ndmsg *ndm = mnl_nlmsg_get_payload (nlh);
  Attrs a = { 0 };

  g_assert_cmpuint (g_bytes_get_size (bytes), ==, nlh->nlmsg_len);
  g_assert_cmpint (nlh->nlmsg_type, ==, add ? RTM_NEWNEIGH : RTM_DELNEIGH);
  g_assert_cmphex (nlh->nlmsg_flags, ==, add ? ADD : DEL);
  g_assert_cmpint (ndm->ndm_family, ==, family);
  g_assert_cmpint (ndm->ndm_ifindex, ==, 5);
  g_assert_cmphex (ndm->ndm_flags, ==, NTF_PROXY);
  g_assert_cmphex (ndm->ndm_state, ==, NUD_PERMANENT);
  g_assert_cmpint (mnl_attr_parse (nlh, sizeof *ndm, collect, &a), ==, MNL_CB_OK);
  assert_addr (a.tb[NDA_DST], family, text);
}

static void
assert_lo_route (GBytes *bytes, gboolean add, int family, const char *text)
{
  const struct nlmsghdr *nlh = g_bytes_get_data (bytes, NULL);
  const struct rtmsg *rtm = mnl_nlmsg_get_payload (nlh);
  Attrs a = { 0 };

  g_assert_cmpint (nlh->nlmsg_type, ==, add ? RTM_NEWROUTE : RTM_DELROUTE);
  g_assert_cmphex (nlh->nlmsg_flags, ==, add ? ADD : DEL);
  g_assert_cmpint (rtm->rtm_family, ==, family);
  g_assert_cmpint (rtm->rtm_dst_len, ==, family == AF_INET ? 32 : 128);
  g_assert_cmpint (rtm->rtm_table, ==, RT_TABLE_MAIN);
  g_assert_cmpint (rtm->rtm_scope, ==, RT_SCOPE_LINK);
  g_assert_cmpint (rtm->rtm_protocol, ==, RTPROT_BOOT);
  g_assert_cmpint (rtm->rtm_type, ==, RTN_UNICAST);
  g_assert_cmpint (mnl_attr_parse (nlh, sizeof *rtm, collect, &a), ==, MNL_CB_OK);
  assert_addr (a.tb[RTA_DST], family, text);
  g_assert_nonnull (a.tb[RTA_OIF]);
  g_assert_cmpuint (mnl_attr_get_u32 (a.tb[RTA_OIF]), ==, 1);
  g_assert_null (a.tb[RTA_GATEWAY]);
}

static const char *const ipv4[] = { "192.0.2.20/24", "192.0.2.21/24 192.0.2.255", NULL };
static const char *const ipv6[] = { "2001:db8:3::20/64", NULL };

/* veth (no lo routes): one proxy entry per address */
static void
test_entries (void)
{
  for (int add = 0; add < 2; add++) {
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    g_autoptr(GError) error = NULL;

    g_assert_true (l2proxy_build_requests (ipv4, ipv6, 5, 0, add, out, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (out->len, ==, 3);
    assert_neigh (out->pdata[0], add, AF_INET, "192.0.2.20");
    assert_neigh (out->pdata[1], add, AF_INET, "192.0.2.21");
    assert_neigh (out->pdata[2], add, AF_INET6, "2001:db8:3::20");
  }
}

/* ipvlan l3s (C11.8): a route on lo before each entry */
static void
test_ipvlan (void)
{
  for (int add = 0; add < 2; add++) {
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

    g_assert_true (l2proxy_build_requests (ipv4, ipv6, 5, 1, add, out, NULL));
    g_assert_cmpuint (out->len, ==, 6);
    assert_lo_route (out->pdata[0], add, AF_INET, "192.0.2.20");
    assert_neigh (out->pdata[1], add, AF_INET, "192.0.2.20");
    assert_lo_route (out->pdata[2], add, AF_INET, "192.0.2.21");
    assert_neigh (out->pdata[3], add, AF_INET, "192.0.2.21");
    assert_lo_route (out->pdata[4], add, AF_INET6, "2001:db8:3::20");
    assert_neigh (out->pdata[5], add, AF_INET6, "2001:db8:3::20");
  }
}

static void
write_sysctl (const char *root, const char *family, const char *name, const char *value)
{
  g_autofree char *dir = g_build_filename (root, "net", family, "conf", "br0", NULL);
  g_autofree char *file = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, value, -1, NULL));
}

static void
expect_sysctl_error (const char *root, gboolean v4, gboolean v6, const char *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (l2proxy_check_sysctls (root, "br0", v4, v6, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==, message);
}

/* C11.1, C11.2: the exact messages */
static void
test_sysctls (void)
{
  g_autofree char *root = g_dir_make_tmp ("l2proxy-sysctl-XXXXXX", NULL);
  g_autofree char *cleanup = NULL;

  write_sysctl (root, "ipv4", "forwarding", "0\n");
  write_sysctl (root, "ipv6", "proxy_ndp", "0\n");
  write_sysctl (root, "ipv6", "forwarding", "0\n");
  expect_sysctl_error (root, TRUE, FALSE, "Requires sysctl net.ipv4.conf.br0.forwarding=1");
  g_assert_true (l2proxy_check_sysctls (root, "br0", FALSE, FALSE, NULL));
  write_sysctl (root, "ipv4", "forwarding", "1\n");
  g_assert_true (l2proxy_check_sysctls (root, "br0", TRUE, FALSE, NULL));
  expect_sysctl_error (root, TRUE, TRUE, "Requires sysctl net.ipv6.conf.br0.proxy_ndp=1");
  write_sysctl (root, "ipv6", "proxy_ndp", "1\n");
  expect_sysctl_error (root, TRUE, TRUE, "Requires sysctl net.ipv6.conf.br0.forwarding=1");
  write_sysctl (root, "ipv6", "forwarding", "1\n");
  g_assert_true (l2proxy_check_sysctls (root, "br0", TRUE, TRUE, NULL));
  cleanup = g_strdup_printf ("rm -rf '%s'", root);
  g_assert_cmpint (system (cleanup), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net-l2proxy/entries", test_entries);
  g_test_add_func ("/net-l2proxy/ipvlan-l3s", test_ipvlan);
  g_test_add_func ("/net-l2proxy/sysctls", test_sysctls);
  return g_test_run ();
}
