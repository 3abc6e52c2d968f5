/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * net-ipvlan: lxc.net.N.type = ipvlan (network_ipvlan, spec §10). One RTM_NEWLINK creates
 * the ipvlan on lxc.net.N.link directly inside the container's network namespace
 * (IFLA_NET_NS_PID; IFLA_LINK is resolved in the monitor's namespace) under the transient
 * name the core renames in the child, which also applies MTU, MAC, addresses and gateways
 * (`dev` is the natural gateway of an L3 device, spec §12).
 *
 * No host-side name exists, so nothing can collide with a later run, and a stop costs
 * nothing: the kernel deletes the device with the container's network namespace.
 * Without the ipvlan driver the kernel answers EOPNOTSUPP and the start aborts, with
 * "Operation not supported" in the error (spec C10.4).
 */
#include <cove-plugin.h>
#include "cove-netlink.h"
#include "ipvlan-request.h"

static const char *const ipvlan_extensions[] = { "network_ipvlan", NULL };
static const char *const mode_values[] = { "l3", "l3s", "l2", NULL };
static const char *const isolation_values[] = { "bridge", "private", "vepa", NULL };

static const CoveKeySpec ipvlan_keys[] = {
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "ipvlan.mode", COVE_KEY_ENUM,
    .values = mode_values, .default_value = "l3", .net_type = "ipvlan",
    .doc = "ipvlan mode: l3 (default), l3s (l3 through the host's netfilter) or l2" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "ipvlan.isolation", COVE_KEY_ENUM,
    .values = isolation_values, .default_value = "bridge", .net_type = "ipvlan",
    .doc = "ipvlan isolation between slaves of one link: bridge (default), private or vepa" },
};

static gboolean
ipvlan_validate (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  CoveConfig *config = cove_hook_context_get_config (ctx);

  for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n)) {
    if (g_strcmp0 (cove_config_get_string (config, n, "type"), "ipvlan") != 0)
      continue;
    if (!cove_config_is_set (config, n, "link")) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "lxc.net.%d: No link for ipvlan network device specified (set lxc.net.%d.link)", n, n);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
ipvlan_setup_host (CoveHookContext *ctx, guint net_index, gpointer user_data, GError **error)
{
  CoveConfig *config = cove_hook_context_get_config (ctx);
  int n = (int) net_index;
  const char *link = cove_config_get_string (config, n, "link");
  const char *mode = cove_config_get_string (config, n, "ipvlan.mode");
  const char *isolation = cove_config_get_string (config, n, "ipvlan.isolation");
  g_autoptr(CoveNl) nl = NULL;
  char buf[COVE_NL_BUF_SIZE];
  struct nlmsghdr *nlh;
  CoveNlLinkInfo info;

  if (link == NULL) {   /* CONFIG_VALIDATE said so already */
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                         "No link for ipvlan network device specified");
    return FALSE;
  }
  if ((nl = cove_nl_open (error)) == NULL)
    return FALSE;
  if (!cove_nl_get_link (nl, link, &info, error)) {
    g_prefix_error (error, "lxc.net.%d.link: ", n);
    return FALSE;
  }
  nlh = net_ipvlan_build_request (buf, net_index, mode, isolation, info.ifindex,
                                  (guint) cove_config_get_uint (config, n, "mtu"),
                                  cove_hook_context_get_init_pid (ctx), error);
  return nlh != NULL &&
         cove_nl_talk (nl, nlh, NULL, error, "create ipvlan interface (mode %s, %s) on \"%s\"",
                       mode ? mode : "l3", isolation ? isolation : "bridge", link);
}

static const CoveNetTypeOps ipvlan_ops = {
  .struct_size = sizeof (CoveNetTypeOps),
  .setup_host = ipvlan_setup_host,
  /* no teardown: the device lives only in the container's namespace and dies with it */
};

static gboolean
ipvlan_init (CovePlugin *plugin, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (ipvlan_keys); i++)
    if (!cove_plugin_add_key (plugin, &ipvlan_keys[i], error))
      return FALSE;
  return cove_plugin_add_hook (plugin, COVE_HOOK_CONFIG_VALIDATE, 0, ipvlan_validate, NULL, error) &&
         cove_plugin_add_net_type (plugin, "ipvlan", &ipvlan_ops, NULL, error);
}

COVE_PLUGIN_DEFINE ("net-ipvlan", "0.1.0", "LGPL-2.1-or-later",
                    "ipvlan interfaces on a host link",
                    ipvlan_extensions, ipvlan_init);
