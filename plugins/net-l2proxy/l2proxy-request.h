/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * net-l2proxy: the netlink requests of one interface, built from its configuration alone
 * so that a unit test decodes exactly what the plugin sends (spec C11.7, C11.8).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends to @out (GBytes, one netlink message each) the requests for the addresses
 * @ipv4 (lxc.net.N.ipv4.address values, "A.B.C.D/P[ bcast]") and @ipv6: per address,
 * with @lo_ifindex > 0 (ipvlan), a route addr/32 (/128) on lo, then a permanent proxy
 * neighbour entry on @link_ifindex. @add FALSE: the matching deletes, in the same order
 * (so that request i of the deletes undoes request i of the adds). */
gboolean l2proxy_build_requests (const char * const *ipv4, const char * const *ipv6,
                                 int link_ifindex, int lo_ifindex, gboolean add,
                                 GPtrArray *out, GError **error);

/* The sysctl checks of spec §11 before anything is created: reads
 * @proc_sys/net/ipv4/conf/<link>/forwarding (when @has_ipv4), then
 * net/ipv6/conf/<link>/proxy_ndp and .../forwarding (when @has_ipv6); @proc_sys is
 * "/proc/sys" except in tests. */
gboolean l2proxy_check_sysctls (const char *proc_sys, const char *link, gboolean has_ipv4,
                                gboolean has_ipv6, GError **error);

G_END_DECLS
