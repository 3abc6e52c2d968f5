/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * net-ipvlan: the RTM_NEWLINK the provider sends, built from the configuration values
 * alone so that a unit test decodes exactly these bytes (spec C10.3).
 */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include <linux/netlink.h>

G_BEGIN_DECLS

/* lxc.net.N.ipvlan.mode: l2 = 0, l3 = 1, l3s = 2 (IPVLAN_MODE_*); NULL = l3 */
gboolean net_ipvlan_mode_value (const char *mode, guint16 *out, GError **error);
/* lxc.net.N.ipvlan.isolation: bridge = 0, private = 1 (IPVLAN_F_PRIVATE), vepa = 2
 * (IPVLAN_F_VEPA); NULL = bridge */
gboolean net_ipvlan_isolation_value (const char *isolation, guint16 *out, GError **error);

/* Interface @net_index as an ipvlan of @link_ifindex born in the network namespace of
 * @ns_pid under the transient name cvnet<N> (COVE_NET_TRANSIENT_FMT); @buf holds
 * COVE_NL_BUF_SIZE bytes. NULL and @error on an invalid mode or isolation. */
struct nlmsghdr *net_ipvlan_build_request (void *buf, guint net_index, const char *mode,
                                           const char *isolation, int link_ifindex,
                                           guint mtu, pid_t ns_pid, GError **error);

G_END_DECLS
