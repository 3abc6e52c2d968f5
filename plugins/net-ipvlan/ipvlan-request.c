/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <cove.h>
#include "cove-netlink.h"
#include "ipvlan-request.h"

#include <net/if.h>
#include <linux/if_link.h>

gboolean
net_ipvlan_mode_value (const char *mode, guint16 *out, GError **error)
{
  if (mode == NULL || g_str_equal (mode, "l3"))
    *out = IPVLAN_MODE_L3;
  else if (g_str_equal (mode, "l3s"))
    *out = IPVLAN_MODE_L3S;
  else if (g_str_equal (mode, "l2"))
    *out = IPVLAN_MODE_L2;
  else {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "invalid ipvlan mode \"%s\" (l3, l3s or l2)", mode);
    return FALSE;
  }
  return TRUE;
}

gboolean
net_ipvlan_isolation_value (const char *isolation, guint16 *out, GError **error)
{
  if (isolation == NULL || g_str_equal (isolation, "bridge"))
    *out = 0;
  else if (g_str_equal (isolation, "private"))
    *out = IPVLAN_F_PRIVATE;
  else if (g_str_equal (isolation, "vepa"))
    *out = IPVLAN_F_VEPA;
  else {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "invalid ipvlan isolation \"%s\" (bridge, private or vepa)", isolation);
    return FALSE;
  }
  return TRUE;
}

struct nlmsghdr *
net_ipvlan_build_request (void *buf, guint net_index, const char *mode, const char *isolation,
                          int link_ifindex, guint mtu, pid_t ns_pid, GError **error)
{
  char name[IFNAMSIZ];
  guint16 mode_value, flags;

  if (!net_ipvlan_mode_value (mode, &mode_value, error) ||
      !net_ipvlan_isolation_value (isolation, &flags, error))
    return NULL;
  g_snprintf (name, sizeof name, COVE_NET_TRANSIENT_FMT, net_index);
  return cove_nl_build_ipvlan (buf, name, link_ifindex, mode_value, flags, mtu, ns_pid);
}
