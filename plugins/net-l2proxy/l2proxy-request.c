/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <cove.h>
#include "cove-netlink.h"
#include "l2proxy-request.h"

#include <errno.h>
#include <sys/socket.h>

static void
append (GPtrArray *out, struct nlmsghdr *nlh)
{
  g_ptr_array_add (out, g_bytes_new (nlh, nlh->nlmsg_len));
}

static gboolean
build_one (int family, const char *value, int link_ifindex, int lo_ifindex, gboolean add,
           GPtrArray *out, GError **error)
{
  g_autofree char *text = g_strdup (value);
  char buf[COVE_NL_BUF_SIZE];
  char *space = strchr (text, ' ');
  CoveNlAddr addr;
  guint prefix;

  if (space != NULL)   /* ipv4.address may carry a broadcast address */
    *space = '\0';
  if (!cove_nl_parse_prefix (family, text, FALSE, family == AF_INET ? -1 : 64, &addr, &prefix, error))
    return FALSE;
  if (lo_ifindex > 0)
    append (out, cove_nl_build_route (buf, add, family, lo_ifindex, &addr,
                                      family == AF_INET ? 32 : 128, NULL));
  append (out, cove_nl_build_neigh_proxy (buf, add, family, link_ifindex, &addr));
  return TRUE;
}

gboolean
l2proxy_build_requests (const char * const *ipv4, const char * const *ipv6, int link_ifindex,
                        int lo_ifindex, gboolean add, GPtrArray *out, GError **error)
{
  for (gsize i = 0; ipv4 && ipv4[i]; i++)
    if (!build_one (AF_INET, ipv4[i], link_ifindex, lo_ifindex, add, out, error))
      return FALSE;
  for (gsize i = 0; ipv6 && ipv6[i]; i++)
    if (!build_one (AF_INET6, ipv6[i], link_ifindex, lo_ifindex, add, out, error))
      return FALSE;
  return TRUE;
}

static gboolean
require_one (const char *proc_sys, const char *family, const char *link, const char *name,
             GError **error)
{
  g_autofree char *file = g_strdup_printf ("%s/net/%s/conf/%s/%s", proc_sys, family, link, name);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (file, &contents, NULL, &local_error)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "Requires sysctl net.%s.conf.%s.%s=1 (cannot read it: %s)", family, link, name,
                 local_error->message);
    return FALSE;
  }
  if (g_strcmp0 (g_strstrip (contents), "1") != 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "Requires sysctl net.%s.conf.%s.%s=1", family, link, name);
    return FALSE;
  }
  return TRUE;
}

gboolean
l2proxy_check_sysctls (const char *proc_sys, const char *link, gboolean has_ipv4,
                       gboolean has_ipv6, GError **error)
{
  if (has_ipv4 && !require_one (proc_sys, "ipv4", link, "forwarding", error))
    return FALSE;
  if (has_ipv6 && (!require_one (proc_sys, "ipv6", link, "proxy_ndp", error) ||
                   !require_one (proc_sys, "ipv6", link, "forwarding", error)))
    return FALSE;
  return TRUE;
}
