/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * net-veth: lxc.net.N.type = veth (spec §0.6) and its host routes (network_veth_routes,
 * spec §9). One RTM_NEWLINK creates the pair with the peer born inside the container's
 * network namespace under the transient name the core renames in the child; the host end
 * gets a MAC starting with fe, the MTU, the bridge (lxc.net.N.link), up, then the routes.
 *
 * Stop costs nothing here: the kernel deletes the pair (and the routes on its host end)
 * when the container's network namespace goes away. A leftover lxc.net.N.veth.pair of an
 * earlier run that the kernel has not reaped yet is deleted before the new pair is made.
 */
#include <cove-plugin.h>
#include "cove-netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/random.h>

static const char *const veth_extensions[] = { "network_veth_routes", NULL };

static char *
normalize_pair (const char *key, const char *value, GError **error)
{
  return cove_nl_ifname_valid (value, error) ? g_strdup (value) : NULL;
}

static char *
normalize_route (int family, const char *value, GError **error)
{
  CoveNlAddr addr;
  char text[INET6_ADDRSTRLEN];
  guint prefix;
  guint8 *bytes = (guint8 *) &addr;
  guint total = family == AF_INET ? 32 : 128;

  if (!cove_nl_parse_prefix (family, value, TRUE, 0, &addr, &prefix, error))
    return NULL;
  for (guint bit = prefix; bit < total; bit++) {
    if (bytes[bit / 8] & (0x80 >> (bit % 8))) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "\"%s\" has host bits set (expected a network address/prefix)", value);
      return NULL;
    }
  }
  inet_ntop (family, &addr, text, sizeof text);
  return g_strdup_printf ("%s/%u", text, prefix);
}

static char *
normalize_ipv4_route (const char *key, const char *value, GError **error)
{
  return normalize_route (AF_INET, value, error);
}

static char *
normalize_ipv6_route (const char *key, const char *value, GError **error)
{
  return normalize_route (AF_INET6, value, error);
}

static const CoveKeySpec veth_keys[] = {
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "veth.pair", COVE_KEY_STRING,
    .net_type = "veth", .default_value = NULL,
    .doc = "Name of the host end of the veth pair (default: veth + 6 random characters)",
    .normalize = normalize_pair },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "veth.ipv4.route", COVE_KEY_STRING, COVE_KEY_REPEATABLE,
    .net_type = "veth",
    .doc = "IPv4 prefix (address/prefix) routed on the host to the host end of the veth; repeatable",
    .normalize = normalize_ipv4_route },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "veth.ipv6.route", COVE_KEY_STRING, COVE_KEY_REPEATABLE,
    .net_type = "veth",
    .doc = "IPv6 prefix (address/prefix) routed on the host to the host end of the veth; repeatable",
    .normalize = normalize_ipv6_route },
};

/* Per run: interface index → host-side name. */
static GHashTable *
run_names (CoveHookContext *ctx)
{
  GHashTable *names = cove_hook_context_get_data (ctx);

  if (names == NULL) {
    names = g_hash_table_new_full (NULL, NULL, NULL, g_free);
    cove_hook_context_set_data (ctx, names, (GDestroyNotify) g_hash_table_unref);
  }
  return names;
}

static void
delete_link (CoveNl *nl, const char *name)
{
  char buf[COVE_NL_BUF_SIZE];
  g_autoptr(GError) error = NULL;

  if (!cove_nl_talk (nl, cove_nl_build_link_del (buf, 0, name), NULL, &error, "delete veth \"%s\"", name))
    g_debug ("%s", error->message);
}

static gboolean
create_pair (CoveNl *nl, const char *host, const char *peer, guint mtu, pid_t pid,
             gboolean named, GError **error)
{
  char buf[COVE_NL_BUF_SIZE];
  g_autoptr(GError) local_error = NULL;
  guint8 mac[6];
  int errsv = 0;
  CoveNlLinkInfo info;

  /* the host end never lends its MAC to a bridge: fe:xx:xx:xx:xx:xx (LXC's choice) */
  if (getrandom (mac, sizeof mac, 0) != sizeof mac)
    for (gsize i = 0; i < sizeof mac; i++)
      mac[i] = (guint8) g_random_int ();
  mac[0] = 0xfe;
  if (cove_nl_talk (nl, cove_nl_build_veth (buf, host, peer, mtu, mac, pid, -1), &errsv, &local_error,
                    "create veth pair \"%s\"", host))
    return TRUE;
  /* a leftover of an earlier run (the kernel reaps old namespaces asynchronously): only
   * a veth is deleted, never another kind of device that happens to have the name */
  if (errsv == EEXIST && named && cove_nl_get_link (nl, host, &info, NULL) && g_str_equal (info.kind, "veth")) {
    delete_link (nl, host);
    g_clear_error (&local_error);
    if (cove_nl_talk (nl, cove_nl_build_veth (buf, host, peer, mtu, mac, pid, -1), NULL, &local_error,
                      "create veth pair \"%s\"", host))
      return TRUE;
  }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
add_routes (CoveNl *nl, CoveConfig *config, int n, int family, int ifindex, const char *host,
            GError **error)
{
  const char *key = family == AF_INET ? "veth.ipv4.route" : "veth.ipv6.route";

  for (const char *const *r = cove_config_get_list (config, n, key); *r; r++) {
    char buf[COVE_NL_BUF_SIZE];
    CoveNlAddr dst;
    guint len;

    if (!cove_nl_parse_prefix (family, *r, TRUE, 0, &dst, &len, error) ||
        !cove_nl_talk (nl, cove_nl_build_route (buf, TRUE, family, ifindex, &dst, len, NULL), NULL,
                       error, "add route %s on \"%s\" (lxc.net.%d.%s)", *r, host, n, key))
      return FALSE;
  }
  return TRUE;
}

static gboolean
veth_setup_host (CoveHookContext *ctx, guint net_index, gpointer user_data, GError **error)
{
  CoveConfig *config = cove_hook_context_get_config (ctx);
  int n = (int) net_index;
  const char *pair = cove_config_get_string (config, n, "veth.pair");
  const char *link = cove_config_get_string (config, n, "link");
  guint mtu = (guint) cove_config_get_uint (config, n, "mtu");
  g_autoptr(CoveNl) nl = cove_nl_open (error);
  char host[IFNAMSIZ], peer[IFNAMSIZ], buf[COVE_NL_BUF_SIZE];
  CoveNlLinkChange change = { .up = COVE_NL_UP, .ns_fd = -1 };
  CoveNlLinkInfo link_info = { 0 };
  int ifindex;

  if (nl == NULL)
    return FALSE;
  if (link != NULL && !cove_nl_get_link (nl, link, &link_info, error)) {
    g_prefix_error (error, "lxc.net.%d.link: ", n);
    return FALSE;
  }
  if (mtu == 0 && link != NULL)
    mtu = link_info.mtu;   /* LXC: the link's MTU by default */
  if (pair != NULL) {
    g_strlcpy (host, pair, sizeof host);
  } else {
    memcpy (host, "veth", 4);
    cove_nl_random_alnum (host + 4, 6);
  }
  g_snprintf (peer, sizeof peer, COVE_NET_TRANSIENT_FMT, net_index);
  if (!create_pair (nl, host, peer, mtu, cove_hook_context_get_init_pid (ctx), pair != NULL, error))
    return FALSE;
  g_hash_table_insert (run_names (ctx), GINT_TO_POINTER (n), g_strdup (host));

  ifindex = (int) if_nametoindex (host);
  change.master = link_info.ifindex;
  if (ifindex == 0 ||
      !cove_nl_talk (nl, cove_nl_build_link_set (buf, ifindex, &change), NULL, error,
                     "bring \"%s\" up%s%s", host, link ? " in bridge " : "", link ? link : "") ||
      !add_routes (nl, config, n, AF_INET, ifindex, host, error) ||
      !add_routes (nl, config, n, AF_INET6, ifindex, host, error)) {
    if (ifindex == 0 && error && *error == NULL)
      g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "veth \"%s\" vanished", host);
    /* a failed start leaves nothing: the pair goes now, not with the namespace */
    delete_link (nl, host);
    g_hash_table_remove (run_names (ctx), GINT_TO_POINTER (n));
    return FALSE;
  }
  return TRUE;
}

static void
veth_teardown_host (CoveHookContext *ctx, guint net_index, gpointer user_data)
{
  /* nothing synchronous: the pair and its routes die with the container's netns */
  GHashTable *names = cove_hook_context_get_data (ctx);

  if (names != NULL)
    g_hash_table_remove (names, GINT_TO_POINTER (net_index));
}

static const CoveNetTypeOps veth_ops = {
  .struct_size = sizeof (CoveNetTypeOps),
  .setup_host = veth_setup_host,
  .teardown_host = veth_teardown_host,
};

static gboolean
veth_init (CovePlugin *plugin, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (veth_keys); i++)
    if (!cove_plugin_add_key (plugin, &veth_keys[i], error))
      return FALSE;
  return cove_plugin_add_net_type (plugin, "veth", &veth_ops, NULL, error);
}

COVE_PLUGIN_DEFINE ("net-veth", "0.1.0", "LGPL-2.1-or-later",
                    "veth interfaces and their host routes",
                    veth_extensions, veth_init);
