/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * net-ipvlan: the RTM_NEWLINK the provider sends, decoded for every mode × isolation
 * (spec C10.3): IFLA_LINK = the link's ifindex, IFLA_IFNAME 2–15 characters,
 * IFLA_NET_NS_PID, IFLA_LINKINFO{KIND "ipvlan", DATA{IFLA_IPVLAN_MODE u16 always,
 * IFLA_IPVLAN_FLAGS u16 only when not bridge}}, flags REQUEST|CREATE|EXCL|ACK.
 */
#include <cove.h>
#include "cove-netlink.h"
#include "ipvlan-request.h"

#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

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
test_request (void)
{
  static const struct { const char *name; guint16 value; } modes[] = {
    { "l2", 0 }, { "l3", 1 }, { "l3s", 2 }, { NULL, 1 },          /* NULL: the default, l3 */
  };
  static const struct { const char *name; guint16 value; } isolations[] = {
    { "bridge", 0 }, { "private", 1 }, { "vepa", 2 }, { NULL, 0 }, /* NULL: bridge */
  };

  for (gsize m = 0; m < G_N_ELEMENTS (modes); m++) {
    for (gsize i = 0; i < G_N_ELEMENTS (isolations); i++) {
      char buf[COVE_NL_BUF_SIZE];
      g_autoptr(GError) error = NULL;
      struct nlmsghdr *nlh = net_ipvlan_build_request (buf, 3, modes[m].name, isolations[i].name,
                                                       7, m == 0 ? 1400 : 0, 4242, &error);
      const struct ifinfomsg *ifi;
      Attrs top = { 0 }, info = { 0 }, data = { 0 };
      gsize len;

      g_test_message ("mode %s, isolation %s", modes[m].name, isolations[i].name);
      g_assert_no_error (error);
      g_assert_nonnull (nlh);
      g_assert_cmpuint (nlh->nlmsg_len, <=, COVE_NL_BUF_SIZE);
      g_assert_cmpint (nlh->nlmsg_type, ==, RTM_NEWLINK);
      g_assert_cmphex (nlh->nlmsg_flags, ==, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
      ifi = mnl_nlmsg_get_payload (nlh);
      g_assert_cmpint (ifi->ifi_family, ==, AF_UNSPEC);
      g_assert_cmpint (ifi->ifi_index, ==, 0);
      g_assert_cmpint (mnl_attr_parse (nlh, sizeof *ifi, collect, &top), ==, MNL_CB_OK);

      g_assert_nonnull (top.tb[IFLA_IFNAME]);
      g_assert_cmpstr (mnl_attr_get_str (top.tb[IFLA_IFNAME]), ==, "cvnet3");
      len = strlen (mnl_attr_get_str (top.tb[IFLA_IFNAME]));
      g_assert_cmpuint (len, >=, 2);
      g_assert_cmpuint (len, <=, 15);
      g_assert_nonnull (top.tb[IFLA_LINK]);
      g_assert_cmpuint (mnl_attr_get_u32 (top.tb[IFLA_LINK]), ==, 7);
      g_assert_nonnull (top.tb[IFLA_NET_NS_PID]);
      g_assert_cmpuint (mnl_attr_get_u32 (top.tb[IFLA_NET_NS_PID]), ==, 4242);
      g_assert_null (top.tb[IFLA_NET_NS_FD]);
      if (m == 0)
        g_assert_cmpuint (mnl_attr_get_u32 (top.tb[IFLA_MTU]), ==, 1400);
      else
        g_assert_null (top.tb[IFLA_MTU]);

      g_assert_nonnull (top.tb[IFLA_LINKINFO]);
      g_assert_cmpint (mnl_attr_parse_nested (top.tb[IFLA_LINKINFO], collect, &info), ==, MNL_CB_OK);
      g_assert_cmpstr (mnl_attr_get_str (info.tb[IFLA_INFO_KIND]), ==, "ipvlan");
      g_assert_nonnull (info.tb[IFLA_INFO_DATA]);
      g_assert_cmpint (mnl_attr_parse_nested (info.tb[IFLA_INFO_DATA], collect, &data), ==, MNL_CB_OK);
      /* the mode is always sent, l2 (0) included (LXC before #3365 omitted it) */
      g_assert_nonnull (data.tb[IFLA_IPVLAN_MODE]);
      g_assert_cmpuint (mnl_attr_get_payload_len (data.tb[IFLA_IPVLAN_MODE]), ==, 2);
      g_assert_cmpuint (mnl_attr_get_u16 (data.tb[IFLA_IPVLAN_MODE]), ==, modes[m].value);
      if (isolations[i].value == 0) {
        g_assert_null (data.tb[IFLA_IPVLAN_FLAGS]);
      } else {
        g_assert_nonnull (data.tb[IFLA_IPVLAN_FLAGS]);
        g_assert_cmpuint (mnl_attr_get_payload_len (data.tb[IFLA_IPVLAN_FLAGS]), ==, 2);
        g_assert_cmpuint (mnl_attr_get_u16 (data.tb[IFLA_IPVLAN_FLAGS]), ==, isolations[i].value);
      }
    }
  }
}

static void
test_invalid (void)
{
  char buf[COVE_NL_BUF_SIZE];
  g_autoptr(GError) error = NULL;

  g_assert_null (net_ipvlan_build_request (buf, 0, "bogus", "bridge", 2, 0, 1, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "bogus"));
  g_clear_error (&error);
  g_assert_null (net_ipvlan_build_request (buf, 0, "l3", "bogus", 2, 0, 1, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net-ipvlan/request", test_request);
  g_test_add_func ("/net-ipvlan/invalid", test_invalid);
  return g_test_run ();
}
