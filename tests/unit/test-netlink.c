/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/netlink: decode the requests the builders produce (no kernel involved): flags
 * (deletes carry only REQUEST|ACK, spec §14 item 1 / C11.7), veth with its peer in a
 * netns, IPv4 broadcast (spec §14 item 13), routes, permanent proxy neighbours (§14
 * item 2), and the ipvlan RTM_NEWLINK of spec C10.3.
 */
#include "cove-netlink.h"

#include <arpa/inet.h>
#include <string.h>
#include <gio/gio.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#define ADD (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)
#define DEL (NLM_F_REQUEST | NLM_F_ACK)

typedef struct {
  const struct nlattr *tb[64];
} Attrs;

static int
collect (const struct nlattr *attr, void *data)
{
  Attrs *a = data;
  int type = mnl_attr_get_type (attr);

  g_assert_cmpint (type, <, 64);
  g_assert_null (a->tb[type]);   /* each attribute once */
  a->tb[type] = attr;
  return MNL_CB_OK;
}

static void
parse (const struct nlmsghdr *nlh, gsize hdr, Attrs *a)
{
  memset (a, 0, sizeof *a);
  g_assert_cmpint (mnl_attr_parse (nlh, hdr, collect, a), ==, MNL_CB_OK);
}

static void
parse_nested (const struct nlattr *nest, Attrs *a)
{
  memset (a, 0, sizeof *a);
  g_assert_nonnull (nest);
  g_assert_cmpint (mnl_attr_parse_nested (nest, collect, a), ==, MNL_CB_OK);
}

static CoveNlAddr
addr (int family, const char *text)
{
  CoveNlAddr a;
  g_assert_true (cove_nl_parse_addr (family, text, &a, NULL));
  return a;
}

static void
test_veth (void)
{
  char buf[COVE_NL_BUF_SIZE];
  const guint8 mac[6] = { 0xfe, 1, 2, 3, 4, 5 };
  struct nlmsghdr *nlh = cove_nl_build_veth (buf, "vethC0", "cvnet0", 1400, mac, 4242, -1);
  const struct ifinfomsg *ifi = mnl_nlmsg_get_payload (nlh);
  const struct ifinfomsg *peer_ifi;
  Attrs top, info, data, peer;

  g_assert_cmpint (nlh->nlmsg_type, ==, RTM_NEWLINK);
  g_assert_cmpint (nlh->nlmsg_flags, ==, ADD);
  g_assert_cmpint (ifi->ifi_family, ==, AF_UNSPEC);
  parse (nlh, sizeof *ifi, &top);
  g_assert_cmpstr (mnl_attr_get_str (top.tb[IFLA_IFNAME]), ==, "vethC0");
  g_assert_cmpuint (mnl_attr_get_u32 (top.tb[IFLA_MTU]), ==, 1400);
  g_assert_cmpmem (mnl_attr_get_payload (top.tb[IFLA_ADDRESS]), 6, mac, 6);
  parse_nested (top.tb[IFLA_LINKINFO], &info);
  g_assert_cmpstr (mnl_attr_get_str (info.tb[IFLA_INFO_KIND]), ==, "veth");
  parse_nested (info.tb[IFLA_INFO_DATA], &data);
  g_assert_nonnull (data.tb[VETH_INFO_PEER]);
  /* VETH_INFO_PEER = ifinfomsg + the peer's attributes */
  peer_ifi = mnl_attr_get_payload (data.tb[VETH_INFO_PEER]);
  g_assert_cmpint (peer_ifi->ifi_family, ==, AF_UNSPEC);
  {
    const struct nlattr *attr;
    const char *base = mnl_attr_get_payload (data.tb[VETH_INFO_PEER]);
    gsize len = mnl_attr_get_payload_len (data.tb[VETH_INFO_PEER]);
    memset (&peer, 0, sizeof peer);
    for (attr = (const struct nlattr *) (base + MNL_ALIGN (sizeof *peer_ifi));
         mnl_attr_ok (attr, (int) (base + len - (const char *) attr)); attr = mnl_attr_next (attr))
      collect (attr, &peer);
  }
  g_assert_cmpstr (mnl_attr_get_str (peer.tb[IFLA_IFNAME]), ==, "cvnet0");
  g_assert_cmpuint (mnl_attr_get_u32 (peer.tb[IFLA_MTU]), ==, 1400);
  g_assert_cmpuint (mnl_attr_get_u32 (peer.tb[IFLA_NET_NS_PID]), ==, 4242);
  g_assert_null (peer.tb[IFLA_NET_NS_FD]);

  /* by fd instead of pid */
  nlh = cove_nl_build_veth (buf, "a", "b", 0, NULL, 0, 7);
  parse (nlh, sizeof *ifi, &top);
  g_assert_null (top.tb[IFLA_MTU]);
  g_assert_null (top.tb[IFLA_ADDRESS]);
}

static void
test_link (void)
{
  char buf[COVE_NL_BUF_SIZE];
  const guint8 mac[6] = { 2, 0, 0, 1, 2, 3 };
  CoveNlLinkChange change = { .name = "eth0", .mtu = 1280, .mac = mac, .master = 9,
                              .up = COVE_NL_UP, .ns_fd = -1 };
  struct nlmsghdr *nlh = cove_nl_build_link_set (buf, 5, &change);
  const struct ifinfomsg *ifi = mnl_nlmsg_get_payload (nlh);
  Attrs a;

  g_assert_cmpint (nlh->nlmsg_type, ==, RTM_NEWLINK);
  g_assert_cmpint (nlh->nlmsg_flags, ==, NLM_F_REQUEST | NLM_F_ACK);
  g_assert_cmpint (ifi->ifi_index, ==, 5);
  g_assert_cmpuint (ifi->ifi_change, ==, IFF_UP);
  g_assert_cmpuint (ifi->ifi_flags, ==, IFF_UP);
  parse (nlh, sizeof *ifi, &a);
  g_assert_cmpstr (mnl_attr_get_str (a.tb[IFLA_IFNAME]), ==, "eth0");
  g_assert_cmpuint (mnl_attr_get_u32 (a.tb[IFLA_MTU]), ==, 1280);
  g_assert_cmpuint (mnl_attr_get_u32 (a.tb[IFLA_MASTER]), ==, 9);
  g_assert_cmpmem (mnl_attr_get_payload (a.tb[IFLA_ADDRESS]), 6, mac, 6);
  g_assert_null (a.tb[IFLA_NET_NS_PID]);

  /* move by pid, nothing else */
  change = (CoveNlLinkChange) { .up = COVE_NL_UP_KEEP, .ns_pid = 77, .ns_fd = -1 };
  nlh = cove_nl_build_link_set (buf, 5, &change);
  ifi = mnl_nlmsg_get_payload (nlh);
  g_assert_cmpuint (ifi->ifi_change, ==, 0);
  parse (nlh, sizeof *ifi, &a);
  g_assert_cmpuint (mnl_attr_get_u32 (a.tb[IFLA_NET_NS_PID]), ==, 77);
  g_assert_null (a.tb[IFLA_IFNAME]);

  nlh = cove_nl_build_link_del (buf, 0, "vethC0");
  g_assert_cmpint (nlh->nlmsg_type, ==, RTM_DELLINK);
  g_assert_cmpint (nlh->nlmsg_flags, ==, DEL);
  parse (nlh, sizeof (struct ifinfomsg), &a);
  g_assert_cmpstr (mnl_attr_get_str (a.tb[IFLA_IFNAME]), ==, "vethC0");
}

static void
check_addr4 (const char *text, guint prefix, const char *bcast)
{
  char buf[COVE_NL_BUF_SIZE];
  CoveNlAddr a = addr (AF_INET, text);
  struct nlmsghdr *nlh = cove_nl_build_addr (buf, TRUE, AF_INET, 3, &a, prefix, NULL);
  const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload (nlh);
  Attrs at;

  g_assert_cmpint (nlh->nlmsg_type, ==, RTM_NEWADDR);
  g_assert_cmpint (nlh->nlmsg_flags, ==, ADD);
  g_assert_cmpint (ifa->ifa_family, ==, AF_INET);
  g_assert_cmpint (ifa->ifa_prefixlen, ==, prefix);
  g_assert_cmpint (ifa->ifa_index, ==, 3);
  parse (nlh, sizeof *ifa, &at);
  g_assert_cmpmem (mnl_attr_get_payload (at.tb[IFA_LOCAL]), 4, &a.v4, 4);
  g_assert_cmpmem (mnl_attr_get_payload (at.tb[IFA_ADDRESS]), 4, &a.v4, 4);
  if (bcast == NULL) {
    g_assert_null (at.tb[IFA_BROADCAST]);
  } else {
    CoveNlAddr b = addr (AF_INET, bcast);
    g_assert_cmpmem (mnl_attr_get_payload (at.tb[IFA_BROADCAST]), 4, &b.v4, 4);
  }
}

static void
test_addr (void)
{
  char buf[COVE_NL_BUF_SIZE];
  CoveNlAddr a6 = addr (AF_INET6, "2001:db8::10");
  struct nlmsghdr *nlh;
  Attrs at;

  check_addr4 ("192.0.2.10", 24, "192.0.2.255");   /* not 0.0.0.255 (LXC ≤ 6.0) */
  check_addr4 ("198.51.100.77", 25, "198.51.100.127");
  check_addr4 ("192.0.2.10", 16, "192.0.255.255");
  check_addr4 ("192.0.2.10", 31, NULL);
  check_addr4 ("192.0.2.10", 32, NULL);

  nlh = cove_nl_build_addr (buf, TRUE, AF_INET6, 4, &a6, 64, NULL);
  parse (nlh, sizeof (struct ifaddrmsg), &at);
  g_assert_cmpmem (mnl_attr_get_payload (at.tb[IFA_ADDRESS]), 16, &a6.v6, 16);
  g_assert_null (at.tb[IFA_BROADCAST]);

  nlh = cove_nl_build_addr (buf, FALSE, AF_INET6, 4, &a6, 64, NULL);
  g_assert_cmpint (nlh->nlmsg_type, ==, RTM_DELADDR);
  g_assert_cmpint (nlh->nlmsg_flags, ==, DEL);
}

static void
test_route (void)
{
  char buf[COVE_NL_BUF_SIZE];
  CoveNlAddr dst = addr (AF_INET, "198.51.100.0");
  CoveNlAddr gw = addr (AF_INET, "192.0.2.1");
  struct nlmsghdr *nlh;
  const struct rtmsg *rtm;
  Attrs a;

  /* a veth route (spec §9): scope link, proto boot, main, unicast, dst, oif */
  nlh = cove_nl_build_route (buf, TRUE, AF_INET, 6, &dst, 24, NULL);
  rtm = mnl_nlmsg_get_payload (nlh);
  g_assert_cmpint (nlh->nlmsg_type, ==, RTM_NEWROUTE);
  g_assert_cmpint (nlh->nlmsg_flags, ==, ADD);
  g_assert_cmpint (rtm->rtm_family, ==, AF_INET);
  g_assert_cmpint (rtm->rtm_dst_len, ==, 24);
  g_assert_cmpint (rtm->rtm_table, ==, RT_TABLE_MAIN);
  g_assert_cmpint (rtm->rtm_protocol, ==, RTPROT_BOOT);
  g_assert_cmpint (rtm->rtm_scope, ==, RT_SCOPE_LINK);
  g_assert_cmpint (rtm->rtm_type, ==, RTN_UNICAST);
  parse (nlh, sizeof *rtm, &a);
  g_assert_cmpmem (mnl_attr_get_payload (a.tb[RTA_DST]), 4, &dst.v4, 4);
  g_assert_cmpuint (mnl_attr_get_u32 (a.tb[RTA_OIF]), ==, 6);
  g_assert_null (a.tb[RTA_GATEWAY]);

  /* gateway = dev (spec §12): default route, scope universe, no RTA_GATEWAY, no RTA_DST */
  nlh = cove_nl_build_route (buf, TRUE, AF_INET6, 2, NULL, 0, NULL);
  rtm = mnl_nlmsg_get_payload (nlh);
  g_assert_cmpint (rtm->rtm_dst_len, ==, 0);
  g_assert_cmpint (rtm->rtm_scope, ==, RT_SCOPE_UNIVERSE);
  g_assert_cmpint (rtm->rtm_protocol, ==, RTPROT_BOOT);
  parse (nlh, sizeof *rtm, &a);
  g_assert_null (a.tb[RTA_DST]);
  g_assert_null (a.tb[RTA_GATEWAY]);
  g_assert_cmpuint (mnl_attr_get_u32 (a.tb[RTA_OIF]), ==, 2);

  /* an address gateway */
  nlh = cove_nl_build_route (buf, TRUE, AF_INET, 2, NULL, 0, &gw);
  rtm = mnl_nlmsg_get_payload (nlh);
  g_assert_cmpint (rtm->rtm_scope, ==, RT_SCOPE_UNIVERSE);
  parse (nlh, sizeof *rtm, &a);
  g_assert_cmpmem (mnl_attr_get_payload (a.tb[RTA_GATEWAY]), 4, &gw.v4, 4);

  nlh = cove_nl_build_route (buf, FALSE, AF_INET, 6, &dst, 24, NULL);
  g_assert_cmpint (nlh->nlmsg_type, ==, RTM_DELROUTE);
  g_assert_cmpint (nlh->nlmsg_flags, ==, DEL);
}

static void
test_neigh (void)
{
  char buf[COVE_NL_BUF_SIZE];
  CoveNlAddr a = addr (AF_INET6, "2001:db8:3::20");
  struct nlmsghdr *nlh = cove_nl_build_neigh_proxy (buf, TRUE, AF_INET6, 8, &a);
  const struct ndmsg *ndm = mnl_nlmsg_get_payload (nlh);
  Attrs at;

  g_assert_cmpint (nlh->nlmsg_type, ==, RTM_NEWNEIGH);
  g_assert_cmpint (nlh->nlmsg_flags, ==, ADD);
  g_assert_cmpint (ndm->ndm_family, ==, AF_INET6);
  g_assert_cmpint (ndm->ndm_ifindex, ==, 8);
  g_assert_cmpint (ndm->ndm_flags, ==, NTF_PROXY);
  g_assert_cmpint (ndm->ndm_state, ==, NUD_PERMANENT);
  g_assert_cmpint (ndm->ndm_type, ==, RTN_UNICAST);
  parse (nlh, sizeof *ndm, &at);
  g_assert_cmpmem (mnl_attr_get_payload (at.tb[NDA_DST]), 16, &a.v6, 16);

  /* spec C11.7: NLM_F_EXCL is NLM_F_BULK on deletes (≥ 5.19) → EOPNOTSUPP */
  nlh = cove_nl_build_neigh_proxy (buf, FALSE, AF_INET6, 8, &a);
  g_assert_cmpint (nlh->nlmsg_type, ==, RTM_DELNEIGH);
  g_assert_cmpint (nlh->nlmsg_flags, ==, NLM_F_REQUEST | NLM_F_ACK);
}

/* spec C10.3: {l2,l3,l3s} × {bridge,private,vepa} */
static void
test_ipvlan (void)
{
  for (guint16 mode = 0; mode <= 2; mode++) {
    for (guint16 flags = 0; flags <= 2; flags++) {
      char buf[COVE_NL_BUF_SIZE];
      struct nlmsghdr *nlh = cove_nl_build_ipvlan (buf, "ipAb3xYz", 4, mode, flags, 1400, 0);
      const struct ifinfomsg *ifi = mnl_nlmsg_get_payload (nlh);
      Attrs top, info, data;
      gsize len;

      g_assert_cmpint (nlh->nlmsg_type, ==, RTM_NEWLINK);
      g_assert_cmpint (nlh->nlmsg_flags, ==, ADD);
      g_assert_cmpint (ifi->ifi_family, ==, AF_UNSPEC);
      parse (nlh, sizeof *ifi, &top);
      len = strlen (mnl_attr_get_str (top.tb[IFLA_IFNAME]));
      g_assert_cmpuint (len, >=, 2);
      g_assert_cmpuint (len, <=, 15);
      g_assert_cmpuint (mnl_attr_get_u32 (top.tb[IFLA_LINK]), ==, 4);
      parse_nested (top.tb[IFLA_LINKINFO], &info);
      g_assert_cmpstr (mnl_attr_get_str (info.tb[IFLA_INFO_KIND]), ==, "ipvlan");
      parse_nested (info.tb[IFLA_INFO_DATA], &data);
      g_assert_nonnull (data.tb[IFLA_IPVLAN_MODE]);   /* also for l2 = 0 */
      g_assert_cmpuint (mnl_attr_get_payload_len (data.tb[IFLA_IPVLAN_MODE]), ==, 2);
      g_assert_cmpuint (mnl_attr_get_u16 (data.tb[IFLA_IPVLAN_MODE]), ==, mode);
      if (flags == 0) {
        g_assert_null (data.tb[IFLA_IPVLAN_FLAGS]);
      } else {
        g_assert_cmpuint (mnl_attr_get_payload_len (data.tb[IFLA_IPVLAN_FLAGS]), ==, 2);
        g_assert_cmpuint (mnl_attr_get_u16 (data.tb[IFLA_IPVLAN_FLAGS]), ==, flags);
      }
    }
  }
}

static void
test_parse (void)
{
  CoveNlAddr a;
  guint prefix;
  g_autoptr(GError) error = NULL;

  g_assert_true (cove_nl_parse_prefix (AF_INET, "10.1.2.3", FALSE, -1, &a, &prefix, NULL));
  g_assert_cmpuint (prefix, ==, 8);
  g_assert_true (cove_nl_parse_prefix (AF_INET, "172.16.0.1", FALSE, -1, &a, &prefix, NULL));
  g_assert_cmpuint (prefix, ==, 16);
  g_assert_true (cove_nl_parse_prefix (AF_INET, "192.0.2.1", FALSE, -1, &a, &prefix, NULL));
  g_assert_cmpuint (prefix, ==, 24);
  g_assert_true (cove_nl_parse_prefix (AF_INET6, "2001:db8::1", FALSE, 64, &a, &prefix, NULL));
  g_assert_cmpuint (prefix, ==, 64);
  g_assert_false (cove_nl_parse_prefix (AF_INET, "10.9.1.1", TRUE, 0, &a, &prefix, &error));
  g_assert_error (error, cove_nl_io_error_quark (), G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cove_nl_parse_prefix (AF_INET, "10.9.0.0/33", TRUE, 0, &a, &prefix, NULL));
  g_assert_false (cove_nl_parse_prefix (AF_INET6, "2001:db8::/129", TRUE, 0, &a, &prefix, NULL));
  g_assert_false (cove_nl_parse_prefix (AF_INET, "10.9.0.0/-1", TRUE, 0, &a, &prefix, NULL));
  g_assert_false (cove_nl_parse_prefix (AF_INET, "10.9.0.0/", TRUE, 0, &a, &prefix, NULL));
  g_assert_false (cove_nl_parse_prefix (AF_INET, "2001:db8::/64", TRUE, 0, &a, &prefix, NULL));

  g_assert_true (cove_nl_ifname_valid ("eth0", NULL));
  g_assert_true (cove_nl_ifname_valid ("123456789012345", NULL));
  g_assert_false (cove_nl_ifname_valid ("1234567890123456", NULL));
  g_assert_false (cove_nl_ifname_valid ("", NULL));
  g_assert_false (cove_nl_ifname_valid ("a/b", NULL));
  g_assert_false (cove_nl_ifname_valid ("a b", NULL));
  g_assert_false (cove_nl_ifname_valid ("..", NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/netlink/veth", test_veth);
  g_test_add_func ("/netlink/link", test_link);
  g_test_add_func ("/netlink/addr", test_addr);
  g_test_add_func ("/netlink/route", test_route);
  g_test_add_func ("/netlink/neigh-proxy", test_neigh);
  g_test_add_func ("/netlink/ipvlan", test_ipvlan);
  g_test_add_func ("/netlink/parse", test_parse);
  return g_test_run ();
}
