/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Network interfaces: validation of lxc.net.N.*, the dispatch to net-type providers
 * (setup_host in the monitor after the clone, setup_child in the child, teardown_host
 * at the end of a run), and the child-side configuration every type shares: name, MAC,
 * MTU, addresses, up, gateways (spec §0.6, §12), all over netlink (core/netlink).
 */
#define COVE_LOG_CATEGORY "net"
#include "net.h"
#include "cove-netlink.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>
#include <sys/random.h>

static gboolean
is_builtin_type (const char *type)
{
  return g_strcmp0 (type, "none") == 0 || g_strcmp0 (type, "empty") == 0;
}

static const char *
plugin_for_type (const char *type)
{
  static const struct { const char *type, *plugin; } hints[] = {
    { "veth", "net-veth" }, { "ipvlan", "net-ipvlan" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (hints); i++)
    if (g_strcmp0 (type, hints[i].type) == 0)
      return hints[i].plugin;
  return NULL;
}

static const char *
display_name (CoveConfig *config, int n)
{
  return cove_config_is_set (config, n, "name") ? cove_config_get_string (config, n, "name") : "eth%d";
}

static gboolean
check_type (CoveContext *context, int n, const char *type, GError **error)
{
  const char *plugin_name;
  CovePlugin *plugin;

  if (type == NULL || is_builtin_type (type) || cove_registry_lookup_net_type (context->registry, type) != NULL)
    return TRUE;
  plugin_name = plugin_for_type (type);
  if (plugin_name == NULL)
    return cove_throw_invalid_config (error, "lxc.net.%d.type: invalid network type \"%s\" (no loaded plugin provides it)", n, type);
  plugin = cove_context_find_plugin (context, plugin_name);
  g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_MISSING,
               "lxc.net.%d.type %s needs plugin %s, which is %s", n, type, plugin_name,
               plugin == NULL ? "not installed" :
               plugin->info.state == COVE_PLUGIN_STATE_DISABLED ? "disabled" : "not active");
  return FALSE;
}

static gboolean
check_gateway (CoveConfig *config, int n, const char *family, GError **error)
{
  g_autofree char *gw_key = g_strdup_printf ("%s.gateway", family);
  g_autofree char *addr_key = g_strdup_printf ("%s.address", family);
  const char *gw = cove_config_get_string (config, n, gw_key);

  if (gw == NULL)
    return TRUE;
  if (!cove_config_is_set (config, n, "flags"))
    return cove_throw_invalid_config (error, "lxc.net.%d.%s: Cannot add %s gateway for network device \"%s\" when not "
                    "bringing up the interface (set lxc.net.%d.flags = up)",
                    n, gw_key, family, display_name (config, n), n);
  if (cove_config_get_list (config, n, addr_key)[0] == NULL)
    return cove_throw_invalid_config (error, "lxc.net.%d.%s: Cannot add %s gateway for network device \"%s\" when not "
                    "assigning an address (lxc.net.%d.%s)",
                    n, gw_key, family, display_name (config, n), n, addr_key);
  if (g_str_equal (gw, "auto") && !cove_config_is_set (config, n, "link"))
    return cove_throw_invalid_config (error, "lxc.net.%d.%s = auto needs lxc.net.%d.link (the gateway is its first address)",
                    n, gw_key, n);
  return TRUE;
}

gboolean
cove_net_validate (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  static const char *const device_keys[] = {
    "link", "name", "hwaddr", "mtu", "ipv4.address", "ipv6.address", "ipv4.gateway", "ipv6.gateway", NULL
  };
  CoveConfig *config = cove_hook_context_get_config (ctx);
  CoveContext *context = cove_config_get_context (config);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  int none_index = -1, count = 0;

  for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n)) {
    const char *type = cove_config_get_string (config, n, "type");

    count++;
    if (!check_type (context, n, type, error))
      return FALSE;
    if (g_strcmp0 (type, "none") == 0)
      none_index = n;
    if (type == NULL || is_builtin_type (type)) {
      /* as in LXC, an interface without a type is empty */
      for (const char *const *k = device_keys; *k; k++)
        if (cove_config_is_set (config, n, *k))
          return cove_throw_invalid_config (error, "lxc.net.%d.%s: an interface of type %s has no device to configure",
                          n, *k, type ? type : "empty (lxc.net.N.type is not set)");
      continue;
    }
    if (cove_config_is_set (config, n, "name")) {
      const char *name = cove_config_get_string (config, n, "name");
      if (strchr (name, '%') == NULL && !g_hash_table_add (names, (gpointer) name))
        return cove_throw_invalid_config (error, "lxc.net.%d.name: another interface is already named \"%s\"", n, name);
    }
    if (!check_gateway (config, n, "ipv4", error) || !check_gateway (config, n, "ipv6", error))
      return FALSE;
  }
  if (none_index >= 0 && count > 1)
    return cove_throw_invalid_config (error, "lxc.net.%d.type = none shares the host's network namespace and cannot be "
                    "combined with other interfaces", none_index);
  return TRUE;
}

/* ---- the monitor side ------------------------------------------------------------- */

/* ipv4/ipv6.gateway = auto, resolved before the clone: key (net << 1 | is_ipv6) → CoveNlAddr */
static GHashTable *auto_gateways;

static CovePlugin *
provider_plugin (CoveHookContext *ctx, const CoveNetType *type)
{
  return cove_context_find_plugin (cove_config_get_context (ctx->config), type->owner);
}

static const CoveNetType *
provider_of (CoveRegistry *registry, CoveConfig *config, int n)
{
  const char *type = cove_config_get_string (config, n, "type");

  if (type == NULL || is_builtin_type (type))
    return NULL;
  return cove_registry_lookup_net_type (registry, type);
}

gboolean
cove_net_prepare (CoveRegistry *registry, CoveHookContext *ctx, GError **error)
{
  CoveConfig *config = ctx->config;
  g_autoptr(CoveNl) nl = NULL;

  g_clear_pointer (&auto_gateways, g_hash_table_unref);
  auto_gateways = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n)) {
    for (int v6 = 0; v6 < 2; v6++) {
      const char *gw = cove_config_get_string (config, n, v6 ? "ipv6.gateway" : "ipv4.gateway");
      const char *link = cove_config_get_string (config, n, "link");
      CoveNlLinkInfo info;
      CoveNlAddr addr;

      if (g_strcmp0 (gw, "auto") != 0)
        continue;
      if (nl == NULL && (nl = cove_nl_open (error)) == NULL)
        return FALSE;
      if (link == NULL || !cove_nl_get_link (nl, link, &info, error) ||
          !cove_nl_first_addr (nl, v6 ? AF_INET6 : AF_INET, info.ifindex, &addr, error)) {
        if (link == NULL)
          cove_throw_invalid_config (error, "no link");
        g_prefix_error (error, "lxc.net.%d.%s = auto: ", n, v6 ? "ipv6.gateway" : "ipv4.gateway");
        return FALSE;
      }
      g_hash_table_insert (auto_gateways, GINT_TO_POINTER (n << 1 | v6), g_memdup2 (&addr, sizeof addr));
    }
  }
  return TRUE;
}

gboolean
cove_net_setup_host (CoveRegistry *registry, CoveHookContext *ctx, GError **error)
{
  CoveConfig *config = ctx->config;

  for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n)) {
    const CoveNetType *type = provider_of (registry, config, n);
    gboolean ok;

    if (type == NULL)
      continue;
    ctx->current = provider_plugin (ctx, type);
    ok = type->ops.setup_host (ctx, (guint) n, type->user_data, error);
    ctx->current = NULL;
    if (!ok) {
      g_prefix_error (error, "lxc.net.%d (%s): ", n, type->name);
      return FALSE;
    }
  }
  return TRUE;
}

void
cove_net_teardown_host (CoveRegistry *registry, CoveHookContext *ctx)
{
  CoveConfig *config = ctx->config;

  for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n)) {
    const CoveNetType *type = provider_of (registry, config, n);

    if (type == NULL || type->ops.teardown_host == NULL)
      continue;
    ctx->current = provider_plugin (ctx, type);
    type->ops.teardown_host (ctx, (guint) n, type->user_data);
    ctx->current = NULL;
  }
}

/* ---- the child side --------------------------------------------------------------- */

static void
random_mac (const char *pattern, guint8 mac[6])
{
  guint8 random[12];

  if (getrandom (random, sizeof random, 0) != sizeof random)
    for (gsize i = 0; i < sizeof random; i++)
      random[i] = (guint8) g_random_int ();
  for (int i = 0; i < 6; i++) {
    int hi = pattern[3 * i] == 'x' ? random[2 * i] & 0xf : g_ascii_xdigit_value (pattern[3 * i]);
    int lo = pattern[3 * i + 1] == 'x' ? random[2 * i + 1] & 0xf : g_ascii_xdigit_value (pattern[3 * i + 1]);
    if (i == 0 && pattern[1] == 'x')
      lo &= 0xe;   /* unicast */
    mac[i] = (guint8) (hi << 4 | lo);
  }
}

static gboolean
add_addresses (CoveNl *nl, CoveConfig *config, int n, int ifindex, const char *dev, GError **error)
{
  for (const char *const *a = cove_config_get_list (config, n, "ipv4.address"); *a; a++) {
    char buf[COVE_NL_BUF_SIZE];
    g_auto(GStrv) words = g_strsplit (*a, " ", 2);
    CoveNlAddr addr, bcast;
    guint prefix;

    if (!cove_nl_parse_prefix (AF_INET, words[0], FALSE, -1, &addr, &prefix, error) ||
        (words[1] && !cove_nl_parse_addr (AF_INET, words[1], &bcast, error)) ||
        !cove_nl_talk (nl, cove_nl_build_addr (buf, TRUE, AF_INET, ifindex, &addr, prefix,
                                               words[1] ? &bcast.v4 : NULL),
                       NULL, error, "add address %s to \"%s\"", words[0], dev))
      return FALSE;
  }
  for (const char *const *a = cove_config_get_list (config, n, "ipv6.address"); *a; a++) {
    char buf[COVE_NL_BUF_SIZE];
    CoveNlAddr addr;
    guint prefix;

    if (!cove_nl_parse_prefix (AF_INET6, *a, FALSE, 64, &addr, &prefix, error) ||
        !cove_nl_talk (nl, cove_nl_build_addr (buf, TRUE, AF_INET6, ifindex, &addr, prefix, NULL),
                       NULL, error, "add address %s to \"%s\"", *a, dev))
      return FALSE;
  }
  return TRUE;
}

static gboolean
add_gateway (CoveNl *nl, CoveConfig *config, int n, int ifindex, const char *dev, int family,
             GError **error)
{
  const char *family_name = family == AF_INET ? "ipv4" : "ipv6";
  g_autofree char *gw_key = g_strdup_printf ("%s.gateway", family_name);
  g_autofree char *addr_key = g_strdup_printf ("%s.address", family_name);
  const char *gw = cove_config_get_string (config, n, gw_key);
  char buf[COVE_NL_BUF_SIZE];
  CoveNlAddr addr, *found;
  int errsv = 0;
  g_autoptr(GError) local_error = NULL;

  if (gw == NULL)
    return TRUE;
  /* checked before the start too; here it keeps the child from ever acting on a bad
   * combination (LXC crashes on ipv6.gateway = dev without an address, spec §12) */
  if (!cove_config_is_set (config, n, "flags") || cove_config_get_list (config, n, addr_key)[0] == NULL)
    return cove_throw_invalid_config (error, "Cannot add %s gateway for network device \"%s\" when not %s",
                    family_name, dev, cove_config_is_set (config, n, "flags") ?
                    "assigning an address" : "bringing up the interface");
  if (g_str_equal (gw, "dev"))
    return cove_nl_talk (nl, cove_nl_build_route (buf, TRUE, family, ifindex, NULL, 0, NULL),
                         NULL, error, "add %s default route on \"%s\"", family_name, dev);
  if (g_str_equal (gw, "auto")) {
    found = auto_gateways ? g_hash_table_lookup (auto_gateways, GINT_TO_POINTER (n << 1 | (family == AF_INET6))) : NULL;
    if (found == NULL)
      return cove_throw_invalid_config (error, "%s gateway auto was not resolved", family_name);
    addr = *found;
  } else if (!cove_nl_parse_addr (family, gw, &addr, error)) {
    return FALSE;
  }
  if (cove_nl_talk (nl, cove_nl_build_route (buf, TRUE, family, ifindex, NULL, 0, &addr), &errsv,
                    &local_error, "add %s default route via %s on \"%s\"", family_name, gw, dev))
    return TRUE;
  if (errsv != ENETUNREACH) {
    g_propagate_error (error, g_steal_pointer (&local_error));
    return FALSE;
  }
  /* a gateway outside the subnets: a host route to it first (as LXC) */
  return cove_nl_talk (nl, cove_nl_build_route (buf, TRUE, family, ifindex, &addr,
                                                family == AF_INET ? 32 : 128, NULL),
                       NULL, error, "add %s route to the gateway %s on \"%s\"", family_name, gw, dev) &&
         cove_nl_talk (nl, cove_nl_build_route (buf, TRUE, family, ifindex, NULL, 0, &addr),
                       NULL, error, "add %s default route via %s on \"%s\"", family_name, gw, dev);
}

static gboolean
configure_child (CoveNl *nl, CoveConfig *config, int n, GError **error)
{
  char transient[IFNAMSIZ];
  char buf[COVE_NL_BUF_SIZE];
  char dev[IFNAMSIZ];
  const char *hwaddr = cove_config_get_string (config, n, "hwaddr");
  CoveNlLinkChange change = { .up = COVE_NL_UP_KEEP, .ns_fd = -1 };
  CoveNlLinkInfo info;
  guint8 mac[6];

  g_snprintf (transient, sizeof transient, COVE_NET_TRANSIENT_FMT, (guint) n);
  if (!cove_nl_get_link (nl, transient, &info, error)) {
    g_prefix_error (error, "the provider left no interface in the container: ");
    return FALSE;
  }
  change.name = cove_config_get_string (config, n, "name");   /* default eth%d */
  change.mtu = (guint) cove_config_get_uint (config, n, "mtu");
  if (hwaddr != NULL) {
    random_mac (hwaddr, mac);
    change.mac = mac;
  }
  if (!cove_nl_talk (nl, cove_nl_build_link_set (buf, info.ifindex, &change), NULL, error,
                     "rename \"%s\" to \"%s\"%s%s", transient, change.name,
                     change.mtu ? ", set its MTU" : "", change.mac ? ", set its MAC" : ""))
    return FALSE;
  if (if_indextoname (info.ifindex, dev) == NULL)
    g_strlcpy (dev, change.name, sizeof dev);
  if (!add_addresses (nl, config, n, info.ifindex, dev, error))
    return FALSE;
  if (cove_config_is_set (config, n, "flags")) {
    CoveNlLinkChange up = { .up = COVE_NL_UP, .ns_fd = -1 };
    if (!cove_nl_talk (nl, cove_nl_build_link_set (buf, info.ifindex, &up), NULL, error,
                       "bring \"%s\" up", dev))
      return FALSE;
  }
  return add_gateway (nl, config, n, info.ifindex, dev, AF_INET, error) &&
         add_gateway (nl, config, n, info.ifindex, dev, AF_INET6, error);
}

gboolean
cove_net_setup_child (CoveRegistry *registry, CoveHookContext *ctx, GError **error)
{
  CoveConfig *config = ctx->config;
  g_autoptr(CoveNl) nl = NULL;
  gboolean any = FALSE;

  for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n)) {
    const char *type = cove_config_get_string (config, n, "type");
    const CoveNetType *provider;
    gboolean ok = TRUE;

    if (g_strcmp0 (type, "none") == 0)
      return TRUE;   /* the host's namespace: nothing to do here */
    any = TRUE;
    provider = provider_of (registry, config, n);
    if (provider == NULL || provider->ops.setup_child == NULL)
      continue;
    ctx->current = provider_plugin (ctx, provider);
    ok = provider->ops.setup_child (ctx, (guint) n, provider->user_data, error);
    ctx->current = NULL;
    if (!ok) {
      g_prefix_error (error, "lxc.net.%d (%s): ", n, type);
      return FALSE;
    }
  }
  if (!any)
    return TRUE;
  if ((nl = cove_nl_open (error)) == NULL)
    return FALSE;

  /* named interfaces first, then the eth%d ones (as LXC), so a name never collides with
   * one the kernel picked */
  for (int pass = 0; pass < 2; pass++) {
    for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n)) {
      if (provider_of (registry, config, n) == NULL)
        continue;
      if (cove_config_is_set (config, n, "name") != (pass == 0))
        continue;
      if (!configure_child (nl, config, n, error)) {
        g_prefix_error (error, "lxc.net.%d (%s): ", n, cove_config_get_string (config, n, "type"));
        return FALSE;
      }
    }
  }
  {
    char buf[COVE_NL_BUF_SIZE];
    CoveNlLinkChange up = { .up = COVE_NL_UP, .ns_fd = -1 };
    if (!cove_nl_talk (nl, cove_nl_build_link_set (buf, 1, &up), NULL, error, "bring \"lo\" up"))
      return FALSE;
  }
  return TRUE;
}
