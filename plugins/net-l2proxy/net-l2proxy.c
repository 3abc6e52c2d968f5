/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * net-l2proxy: lxc.net.N.l2proxy (network_l2proxy, spec §11): permanent proxy ARP/NDP
 * entries on lxc.net.N.link for every address of interface N, so that the addresses are
 * reachable on the link's L2 segment (routed veth, ipvlan l3s).
 *
 * PRE_START (before anything exists) checks the sysctls; NET_SETUP_HOST (after every
 * interface is set up) adds, per address, for ipvlan a route addr/32|/128 on lo and then
 * the proxy entry, recording the delete of each request that succeeded; POST_STOP (after
 * a stop and after a failed start) sends those deletes, newest first, with only
 * NLM_F_REQUEST|NLM_F_ACK (spec §14 item 1). Entries are NUD_PERMANENT (§14 item 2).
 */
#include <cove-plugin.h>
#include "cove-netlink.h"
#include "l2proxy-request.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

static const char *const l2proxy_extensions[] = { "network_l2proxy", NULL };

static const CoveKeySpec l2proxy_keys[] = {
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "l2proxy", COVE_KEY_BOOL,
    .default_value = "0",
    .doc = "1: permanent proxy ARP/NDP entries for the interface's addresses on lxc.net.N.link (needs forwarding, and proxy_ndp for IPv6, on the link)" },
};

static gboolean
wanted (CoveConfig *config, int n)
{
  return cove_config_get_bool (config, n, "l2proxy") && cove_config_is_set (config, n, "link");
}

static gboolean
is_ipvlan (CoveConfig *config, int n)
{
  return g_strcmp0 (cove_config_get_string (config, n, "type"), "ipvlan") == 0;
}

/* CONFIG_VALIDATE: with ipvlan only l3s makes the host answer for the addresses */
static gboolean
l2proxy_validate (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  CoveConfig *config = cove_hook_context_get_config (ctx);

  for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n)) {
    if (!wanted (config, n) || !is_ipvlan (config, n))
      continue;
    if (g_strcmp0 (cove_config_get_string (config, n, "ipvlan.mode"), "l3s") != 0) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "lxc.net.%d: Requires ipvlan mode on dev \"%s\" be l3s when used with l2proxy",
                   n, cove_config_get_string (config, n, "link"));
      return FALSE;
    }
  }
  return TRUE;
}

/* PRE_START: the sysctls, before any interface exists */
static gboolean
l2proxy_pre_start (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  CoveConfig *config = cove_hook_context_get_config (ctx);

  for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n)) {
    if (!wanted (config, n))
      continue;
    if (!l2proxy_check_sysctls ("/proc/sys", cove_config_get_string (config, n, "link"),
                                cove_config_get_list (config, n, "ipv4.address")[0] != NULL,
                                cove_config_get_list (config, n, "ipv6.address")[0] != NULL, error)) {
      g_prefix_error (error, "lxc.net.%d.l2proxy: ", n);
      return FALSE;
    }
  }
  return TRUE;
}

/* Per run: the deletes of what was added (GBytes), oldest first. */
static GPtrArray *
run_undo (CoveHookContext *ctx)
{
  GPtrArray *undo = cove_hook_context_get_data (ctx);

  if (undo == NULL) {
    undo = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    cove_hook_context_set_data (ctx, undo, (GDestroyNotify) g_ptr_array_unref);
  }
  return undo;
}

/* Whether the proxy entry of the RTM_NEWNEIGH @add exists (RTM_GETNEIGH, NTF_PROXY). */
static gboolean
proxy_exists (CoveNl *nl, const struct nlmsghdr *add)
{
  g_autofree struct nlmsghdr *get = g_memdup2 (add, add->nlmsg_len);
  struct ndmsg *ndm = mnl_nlmsg_get_payload (get);

  get->nlmsg_type = RTM_GETNEIGH;
  get->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  ndm->ndm_state = 0;   /* a get must not carry state or type */
  ndm->ndm_type = 0;
  return cove_nl_talk (nl, get, NULL, NULL, "look up proxy neighbour");
}

static gboolean
add_entries (CoveNl *nl, CoveConfig *config, int n, GPtrArray *undo, GError **error)
{
  const char *link = cove_config_get_string (config, n, "link");
  const char * const *ipv4 = cove_config_get_list (config, n, "ipv4.address");
  const char * const *ipv6 = cove_config_get_list (config, n, "ipv6.address");
  g_autoptr(GPtrArray) adds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) dels = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  CoveNlLinkInfo link_info, lo_info = { 0 };

  if (!cove_nl_get_link (nl, link, &link_info, error) ||
      (is_ipvlan (config, n) && !cove_nl_get_link (nl, "lo", &lo_info, error)) ||
      !l2proxy_build_requests (ipv4, ipv6, link_info.ifindex, lo_info.ifindex, TRUE, adds, error) ||
      !l2proxy_build_requests (ipv4, ipv6, link_info.ifindex, lo_info.ifindex, FALSE, dels, error))
    return FALSE;
  g_assert (adds->len == dels->len);
  for (guint i = 0, a = 0; i < adds->len; i++) {
    gsize size;
    const void *data = g_bytes_get_data (adds->pdata[i], &size);
    g_autofree struct nlmsghdr *nlh = g_memdup2 (data, size);
    const char *address = a < g_strv_length ((char **) ipv4) ? ipv4[a] : ipv6[a - g_strv_length ((char **) ipv4)];
    gboolean route = nlh->nlmsg_type == RTM_NEWROUTE;

    if (!route && proxy_exists (nl, nlh)) {
      /* the kernel ignores NLM_F_EXCL for proxy entries: without this check a stop
       * would delete an entry this run did not make */
      g_set_error (error, COVE_ERROR, COVE_ERROR_BUSY,
                   "add proxy neighbour %s on \"%s\": File exists (made by someone else)", address, link);
      return FALSE;
    }
    if (!(route ? cove_nl_talk (nl, nlh, NULL, error, "add route %s on \"lo\"", address)
                : cove_nl_talk (nl, nlh, NULL, error, "add proxy neighbour %s on \"%s\"", address, link)))
      return FALSE;
    if (!route)
      a++;
    g_ptr_array_add (undo, g_bytes_ref (dels->pdata[i]));
  }
  return TRUE;
}

/* NET_SETUP_HOST: every interface is set up; the entries go on the links */
static gboolean
l2proxy_setup_host (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  CoveConfig *config = cove_hook_context_get_config (ctx);
  g_autoptr(CoveNl) nl = NULL;

  for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n)) {
    if (!wanted (config, n))
      continue;
    if (nl == NULL && (nl = cove_nl_open (error)) == NULL)
      return FALSE;
    if (!add_entries (nl, config, n, run_undo (ctx), error)) {
      g_prefix_error (error, "lxc.net.%d.l2proxy: ", n);
      return FALSE;   /* POST_STOP removes what was added */
    }
  }
  return TRUE;
}

/* POST_STOP (after a stop or a failed start): newest first; never fatal */
static gboolean
l2proxy_post_stop (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  GPtrArray *undo = cove_hook_context_get_data (ctx);
  g_autoptr(CoveNl) nl = NULL;
  g_autoptr(GString) failures = NULL;

  if (undo == NULL || undo->len == 0)
    return TRUE;
  if ((nl = cove_nl_open (error)) == NULL) {
    g_prefix_error (error, "Failed to delete all l2proxy config: ");
    return FALSE;
  }
  for (guint i = undo->len; i-- > 0;) {
    gsize size;
    const void *data = g_bytes_get_data (undo->pdata[i], &size);
    g_autofree struct nlmsghdr *nlh = g_memdup2 (data, size);
    g_autoptr(GError) local_error = NULL;
    int errsv = 0;

    if (!cove_nl_talk (nl, nlh, &errsv, &local_error, "delete %s",
                       nlh->nlmsg_type == RTM_DELROUTE ? "route on lo" : "proxy neighbour") &&
        errsv != ENOENT) {   /* gone already (its device went away): fine */
      if (failures == NULL)
        failures = g_string_new (NULL);
      g_string_append_printf (failures, "%s%s", failures->len ? "; " : "", local_error->message);
    }
  }
  g_ptr_array_set_size (undo, 0);
  if (failures != NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "Failed to delete all l2proxy config: %s",
                 failures->str);
    return FALSE;
  }
  return TRUE;
}

static gboolean
l2proxy_init (CovePlugin *plugin, GError **error)
{
  return cove_plugin_add_key (plugin, &l2proxy_keys[0], error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_CONFIG_VALIDATE, 0, l2proxy_validate, NULL, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_PRE_START, 0, l2proxy_pre_start, NULL, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_NET_SETUP_HOST, 0, l2proxy_setup_host, NULL, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_POST_STOP, 0, l2proxy_post_stop, NULL, error);
}

COVE_PLUGIN_DEFINE ("net-l2proxy", "0.1.0", "LGPL-2.1-or-later",
                    "proxy ARP/NDP entries for container addresses on the link",
                    l2proxy_extensions, l2proxy_init);
