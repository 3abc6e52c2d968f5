/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's network: lxc.net.N.{type,link,flags,name,hwaddr,mtu,ipv4.*,ipv6.*} (keys in
 * net-keys.c) and the per-interface dispatch to the net-type providers (net.c).
 *
 * Provider contract: setup_host (monitor, after the clone) leaves interface N inside the
 * container's network namespace under the transient name COVE_NET_TRANSIENT_FMT
 * (core/netlink/cove-netlink.h); the core then renames it in the child (lxc.net.N.name,
 * else eth%d), sets MAC and MTU, adds the addresses, brings it up and adds the gateways,
 * all before the rootfs setup.
 */
#pragma once

#include "cove-private.h"

extern const CoveKeySpec cove_net_keys[];
extern const gsize cove_net_keys_count;

/* CONFIG_VALIDATE: types, impossible combinations (gateways, none/empty). */
gboolean cove_net_validate (CoveHookContext *ctx, gpointer user_data, GError **error);

/* Monitor, before the clone: resolves ipv4/ipv6.gateway = auto (the child is a clone and
 * sees the result). */
gboolean cove_net_prepare (CoveRegistry *registry, CoveHookContext *ctx, GError **error);
/* Monitor, after the clone: every provider's setup_host, in index order. */
gboolean cove_net_setup_host (CoveRegistry *registry, CoveHookContext *ctx, GError **error);
/* Child, in its netns, before the rootfs setup: setup_child, then the core keys. */
gboolean cove_net_setup_child (CoveRegistry *registry, CoveHookContext *ctx, GError **error);
/* Monitor, after a stop or a failed start: every provider's teardown_host (never fatal). */
void cove_net_teardown_host (CoveRegistry *registry, CoveHookContext *ctx);
