/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A running container's network interfaces (`cove info`): the monitor reads them from the
 * container's network namespace through a netlink socket opened there (via the init
 * pidfd), and names the host end of each veth from the peer index in its own namespace.
 */
#define COVE_LOG_CATEGORY "interfaces"
#include "monitor.h"
#include "cove-netlink.h"
#include "rundir.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>

static gboolean
shares_host_netns (CoveConfig *config)
{
  for (int n = cove_config_next_net (config, -1); n >= 0; n = cove_config_next_net (config, n))
    if (g_strcmp0 (cove_config_get_string (config, n, "type"), "none") == 0)
      return TRUE;
  return FALSE;
}

/* A netlink socket in the init's network namespace; the monitor stays in its own. */
static CoveNl *
open_inside (CoveMonitor *m, GError **error)
{
  cove_autofd own = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  CoveNl *nl;

  if (own < 0) {
    cove_throw_errno (error, "open the monitor's network namespace");
    return NULL;
  }
  if (setns (m->init_pidfd, CLONE_NEWNET) < 0) {
    cove_throw_errno (error, "enter the container's network namespace");
    return NULL;
  }
  nl = cove_nl_open (error);
  if (setns (own, CLONE_NEWNET) < 0)
    g_error ("cove-monitor: cannot return to its network namespace: %s", g_strerror (errno));
  return nl;
}

GVariant *
cove_monitor_list_interfaces (CoveMonitor *m, GError **error)
{
  g_autoptr(GArray) links = g_array_new (FALSE, TRUE, sizeof (CoveNlLinkEntry));
  g_autoptr(GArray) addrs = g_array_new (FALSE, TRUE, sizeof (CoveNlAddrEntry));
  g_autoptr(CoveNl) nl = NULL;
  GVariantBuilder list;

  if (m->init_pidfd < 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING, "container \"%s\" is not running",
                 m->opts.name);
    return NULL;
  }
  g_variant_builder_init (&list, G_VARIANT_TYPE ("a(ssas)"));
  if (shares_host_netns (m->config))
    return g_variant_new ("(a(ssas))", &list);   /* lxc.net.N.type = none: the host's devices */

  nl = open_inside (m, error);
  if (nl == NULL || !cove_nl_list_links (nl, links, error) || !cove_nl_list_addrs (nl, addrs, error)) {
    g_variant_builder_clear (&list);
    return NULL;
  }
  for (guint i = 0; i < links->len; i++) {
    const CoveNlLinkEntry *link = &g_array_index (links, CoveNlLinkEntry, i);
    char host_name[IF_NAMESIZE] = "";
    GVariantBuilder addresses;

    if (link->flags & IFF_LOOPBACK)
      continue;
    if (link->peer_ifindex > 0 && link->peer_elsewhere && if_indextoname (link->peer_ifindex, host_name) == NULL)
      host_name[0] = '\0';
    g_variant_builder_init (&addresses, G_VARIANT_TYPE ("as"));
    for (guint a = 0; a < addrs->len; a++) {
      const CoveNlAddrEntry *addr = &g_array_index (addrs, CoveNlAddrEntry, a);
      if (addr->ifindex == link->ifindex)
        g_variant_builder_add (&addresses, "s", addr->text);
    }
    g_variant_builder_add (&list, "(ssas)", link->name, host_name, &addresses);
  }
  return g_variant_new ("(a(ssas))", &list);
}

/* ---- the public call ------------------------------------------------------------------- */

void
cove_interface_free (CoveInterface *iface)
{
  if (iface == NULL)
    return;
  g_free (iface->name);
  g_free (iface->host_name);
  g_strfreev (iface->addresses);
  g_free (iface);
}

GPtrArray *
cove_container_get_interfaces (CoveContainer *c, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  GPtrArray *result;
  const char *name, *host_name;
  char **addresses;

  g_return_val_if_fail (c != NULL, NULL);
  reply = cove_command_call (cove_container_get_path (c), cove_container_get_name (c),
                             "interfaces", NULL, NULL, -1, error);
  if (reply == NULL)
    return NULL;
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) cove_interface_free);
  g_variant_get (reply, "(a(ssas))", &iter);
  while (g_variant_iter_next (iter, "(&s&s^as)", &name, &host_name, &addresses)) {
    CoveInterface *iface = g_new0 (CoveInterface, 1);
    iface->name = g_strdup (name);
    iface->host_name = *host_name ? g_strdup (host_name) : NULL;
    iface->addresses = addresses;
    g_ptr_array_add (result, iface);
  }
  return result;
}
