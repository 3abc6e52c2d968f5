/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's lxc.net.N.* keys (spec §0.6, §12). Values are checked and made canonical
 * when set; what depends on other keys (types, gateways) is checked by cove_net_validate
 * before every start, so key order never matters (spec C0.5, Cove).
 */
#define COVE_LOG_CATEGORY "net"
#include "net.h"
#include "cove-netlink.h"

#include <arpa/inet.h>
#include <string.h>

static char *
normalize_type (const char *key, const char *value, GError **error)
{
  for (const char *p = value; *p; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-' || *p == '_'))
      return (cove_throw_invalid_config (error, "invalid network type (none, empty, or the type of a net plugin: veth, ipvlan …)"), NULL);
  return g_strdup (value);
}

static char *
normalize_ifname (const char *key, const char *value, GError **error)
{
  if (!cove_nl_ifname_valid (value, error))
    return NULL;
  return g_strdup (value);
}

static char *
normalize_mtu (const char *key, const char *value, GError **error)
{
  guint64 mtu = g_ascii_strtoull (value, NULL, 10);

  if (mtu < 68 || mtu > 65535)
    return (cove_throw_invalid_config (error, "an MTU is 68-65535"), NULL);
  return g_strdup (value);
}

/* xx:xx:xx:xx:xx:xx, hex digits or x/X (random at start); the first octet must be
 * unicast: a literal second digit must be even (an x there becomes an even digit). */
static char *
normalize_hwaddr (const char *key, const char *value, GError **error)
{
  g_autofree char *lower = g_ascii_strdown (value, -1);

  if (strlen (lower) != 17)
    return (cove_throw_invalid_config (error, "expected six octets xx:xx:xx:xx:xx:xx (hex digits, or x for random)"), NULL);
  for (int i = 0; i < 17; i++) {
    if (i % 3 == 2 ? lower[i] != ':' : !(g_ascii_isxdigit (lower[i]) || lower[i] == 'x'))
      return (cove_throw_invalid_config (error, "expected six octets xx:xx:xx:xx:xx:xx (hex digits, or x for random)"), NULL);
  }
  if (lower[1] != 'x' && (g_ascii_xdigit_value (lower[1]) & 1))
    return (cove_throw_invalid_config (error, "a multicast address cannot be an interface's address"), NULL);
  return g_steal_pointer (&lower);
}

/* A.B.C.D[/P][ BCAST] → A.B.C.D/P[ BCAST] (prefix classful by default). */
static char *
normalize_ipv4_address (const char *key, const char *value, GError **error)
{
  g_auto(GStrv) words = g_strsplit_set (value, " \t", -1);
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  CoveNlAddr addr, bcast;
  char text[INET_ADDRSTRLEN];
  guint prefix;

  for (char **w = words; *w; w++)
    if (**w)
      g_ptr_array_add (parts, *w);
  if (parts->len < 1 || parts->len > 2)
    return (cove_throw_invalid_config (error, "expected A.B.C.D[/prefix][ broadcast]"), NULL);
  if (!cove_nl_parse_prefix (AF_INET, parts->pdata[0], FALSE, -1, &addr, &prefix, error))
    return NULL;
  inet_ntop (AF_INET, &addr.v4, text, sizeof text);
  if (parts->len == 2) {
    char btext[INET_ADDRSTRLEN];
    if (!cove_nl_parse_addr (AF_INET, parts->pdata[1], &bcast, error))
      return NULL;
    inet_ntop (AF_INET, &bcast.v4, btext, sizeof btext);
    return g_strdup_printf ("%s/%u %s", text, prefix, btext);
  }
  return g_strdup_printf ("%s/%u", text, prefix);
}

static char *
normalize_ipv6_address (const char *key, const char *value, GError **error)
{
  CoveNlAddr addr;
  char text[INET6_ADDRSTRLEN];
  guint prefix;

  if (!cove_nl_parse_prefix (AF_INET6, value, FALSE, 64, &addr, &prefix, error))
    return NULL;
  inet_ntop (AF_INET6, &addr.v6, text, sizeof text);
  return g_strdup_printf ("%s/%u", text, prefix);
}

static char *
normalize_gateway (int family, const char *value, GError **error)
{
  CoveNlAddr addr;
  char text[INET6_ADDRSTRLEN];

  if (strcmp (value, "auto") == 0 || strcmp (value, "dev") == 0)
    return g_strdup (value);
  if (!cove_nl_parse_addr (family, value, &addr, NULL))
    return (cove_throw_invalid_config (error, "expected an %s address, auto or dev", family == AF_INET ? "IPv4" : "IPv6"), NULL);
  inet_ntop (family, &addr, text, sizeof text);
  return g_strdup (text);
}

static char *
normalize_ipv4_gateway (const char *key, const char *value, GError **error)
{
  return normalize_gateway (AF_INET, value, error);
}

static char *
normalize_ipv6_gateway (const char *key, const char *value, GError **error)
{
  return normalize_gateway (AF_INET6, value, error);
}

static const char *const flags_values[] = { "up", NULL };

#define NET_KEY(path_, type_, ...) \
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, path_, type_, __VA_ARGS__ }

const CoveKeySpec cove_net_keys[] = {
  NET_KEY ("type", COVE_KEY_STRING,
           .doc = "Interface type: none (share the host's network), empty (loopback only), or a net plugin's type (veth, ipvlan …)",
           .normalize = normalize_type),
  NET_KEY ("link", COVE_KEY_STRING,
           .doc = "Host device the interface attaches to (veth: a bridge; ipvlan: the uplink)",
           .normalize = normalize_ifname),
  NET_KEY ("flags", COVE_KEY_ENUM, .values = flags_values,
           .doc = "up: bring the interface (and lo) up in the container"),
  NET_KEY ("name", COVE_KEY_STRING, .default_value = "eth%d",
           .doc = "Interface name in the container (1-15 characters; default: the kernel's next eth%d)",
           .normalize = normalize_ifname),
  NET_KEY ("hwaddr", COVE_KEY_STRING,
           .doc = "MAC address in the container; each x is a random hex digit (the first octet stays unicast)",
           .normalize = normalize_hwaddr),
  NET_KEY ("mtu", COVE_KEY_UINT,
           .doc = "MTU of the interface (68-65535; veth: both ends; default: the link's, else the kernel's)",
           .normalize = normalize_mtu),
  NET_KEY ("ipv4.address", COVE_KEY_STRING, COVE_KEY_REPEATABLE,
           .doc = "IPv4 address A.B.C.D[/prefix][ broadcast], repeatable; broadcast defaults to the address with all host bits set",
           .normalize = normalize_ipv4_address),
  NET_KEY ("ipv6.address", COVE_KEY_STRING, COVE_KEY_REPEATABLE,
           .doc = "IPv6 address addr[/prefix] (default /64), repeatable",
           .normalize = normalize_ipv6_address),
  NET_KEY ("ipv4.gateway", COVE_KEY_STRING,
           .doc = "IPv4 default route: an address, auto (the first address of link) or dev (a device route)",
           .normalize = normalize_ipv4_gateway),
  NET_KEY ("ipv6.gateway", COVE_KEY_STRING,
           .doc = "IPv6 default route: an address, auto (the first address of link) or dev (a device route)",
           .normalize = normalize_ipv6_gateway),
};

const gsize cove_net_keys_count = G_N_ELEMENTS (cove_net_keys);
