/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Netlink requests over libmnl: builders, the ACK loop, and address parsing. */
#include "cove-netlink.h"
#include "io-error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>
#include <gio/gio.h>   /* GIOErrorEnum only */

#define ADD_FLAGS (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)
#define DEL_FLAGS (NLM_F_REQUEST | NLM_F_ACK)

GQuark
cove_nl_io_error_quark (void)
{
  return cove_io_error_domain ();
}

int
cove_nl_io_error_code (int errsv)
{
  return cove_io_error_code (errsv);
}

static gboolean
invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list ap;
  char *message;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, cove_nl_io_error_quark (), G_IO_ERROR_INVALID_ARGUMENT, message);
  g_free (message);
  return FALSE;
}

void
cove_nl_random_alnum (char *out, gsize len)
{
  static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  for (gsize i = 0; i < len; i++)
    out[i] = set[g_random_int_range (0, sizeof set - 1)];
  out[len] = '\0';
}

/* ---- parsing ----------------------------------------------------------------------- */

gboolean
cove_nl_ifname_valid (const char *name, GError **error)
{
  gsize len = name ? strlen (name) : 0;

  if (len == 0 || len >= IFNAMSIZ)
    return invalid (error, "interface name \"%s\" must be 1-%d characters", name ? name : "",
                    IFNAMSIZ - 1);
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return invalid (error, "\"%s\" is not an interface name", name);
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == ':' || g_ascii_isspace (*p) || g_ascii_iscntrl (*p) || (guchar) *p >= 0x80)
      return invalid (error, "interface name \"%s\" contains '%c'", name, *p);
  return TRUE;
}

gboolean
cove_nl_parse_addr (int family, const char *text, CoveNlAddr *addr, GError **error)
{
  memset (addr, 0, sizeof *addr);
  if (inet_pton (family, text, addr) != 1)
    return invalid (error, "\"%s\" is not an %s address", text, family == AF_INET ? "IPv4" : "IPv6");
  return TRUE;
}

gboolean
cove_nl_parse_prefix (int family, const char *text, gboolean require_prefix, int default_prefix,
                      CoveNlAddr *addr, guint *prefix, GError **error)
{
  guint max = family == AF_INET ? 32 : 128;
  const char *slash = strchr (text, '/');
  g_autofree char *host = g_strndup (text, slash ? (gsize) (slash - text) : strlen (text));
  guint64 value;

  if (!cove_nl_parse_addr (family, host, addr, error))
    return FALSE;
  if (slash == NULL) {
    if (require_prefix)
      return invalid (error, "\"%s\" has no prefix length (address/prefix)", text);
    if (default_prefix >= 0) {
      *prefix = default_prefix;
    } else {
      guint8 first = ((guint8 *) &addr->v4)[0];
      *prefix = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 0;
    }
    return TRUE;
  }
  if (!g_ascii_isdigit (slash[1]) || !g_ascii_string_to_unsigned (slash + 1, 10, 0, max, &value, NULL))
    return invalid (error, "invalid prefix length in \"%s\" (0-%u)", text, max);
  *prefix = (guint) value;
  return TRUE;
}

struct in_addr
cove_nl_ipv4_broadcast (struct in_addr addr, guint prefix)
{
  struct in_addr bcast = { 0 };

  if (prefix >= 31)
    return bcast;
  bcast.s_addr = addr.s_addr | htonl (prefix == 0 ? 0xffffffffu : (0xffffffffu >> prefix));
  return bcast;
}

/* ---- builders ---------------------------------------------------------------------- */

static struct nlmsghdr *
header (void *buf, guint16 type, guint16 flags)
{
  struct nlmsghdr *nlh;

  memset (buf, 0, COVE_NL_BUF_SIZE);
  nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
  return nlh;
}

static struct ifinfomsg *
put_ifinfo (struct nlmsghdr *nlh, int ifindex)
{
  struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header (nlh, sizeof *ifi);

  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  return ifi;
}

struct nlmsghdr *
cove_nl_build_veth (void *buf, const char *host, const char *peer, guint mtu,
                    const guint8 *host_mac, pid_t peer_pid, int peer_fd)
{
  struct nlmsghdr *nlh = header (buf, RTM_NEWLINK, ADD_FLAGS);
  struct nlattr *linkinfo, *data, *peer_attr;
  struct ifinfomsg *peer_ifi;

  put_ifinfo (nlh, 0);
  mnl_attr_put_strz (nlh, IFLA_IFNAME, host);
  if (mtu > 0)
    mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  if (host_mac != NULL)
    mnl_attr_put (nlh, IFLA_ADDRESS, 6, host_mac);
  linkinfo = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "veth");
  data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  peer_attr = mnl_attr_nest_start (nlh, VETH_INFO_PEER);
  /* the peer's ifinfomsg comes first inside VETH_INFO_PEER */
  peer_ifi = mnl_nlmsg_get_payload_tail (nlh);
  nlh->nlmsg_len += MNL_ALIGN (sizeof *peer_ifi);
  memset (peer_ifi, 0, sizeof *peer_ifi);
  peer_ifi->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, peer);
  if (mtu > 0)
    mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  if (peer_pid > 0)
    mnl_attr_put_u32 (nlh, IFLA_NET_NS_PID, (guint32) peer_pid);
  else if (peer_fd >= 0)
    mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (guint32) peer_fd);
  mnl_attr_nest_end (nlh, peer_attr);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, linkinfo);
  return nlh;
}

struct nlmsghdr *
cove_nl_build_ipvlan (void *buf, const char *name, int link_ifindex, guint16 mode, guint16 flags,
                      guint mtu, pid_t ns_pid)
{
  struct nlmsghdr *nlh = header (buf, RTM_NEWLINK, ADD_FLAGS);
  struct nlattr *linkinfo, *data;

  put_ifinfo (nlh, 0);
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  mnl_attr_put_u32 (nlh, IFLA_LINK, (guint32) link_ifindex);
  if (mtu > 0)
    mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  if (ns_pid > 0)
    mnl_attr_put_u32 (nlh, IFLA_NET_NS_PID, (guint32) ns_pid);
  linkinfo = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "ipvlan");
  data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  /* always sent: until LXC #3365 an omitted l2 (0) silently became the kernel's l3 */
  mnl_attr_put_u16 (nlh, IFLA_IPVLAN_MODE, mode);
  if (flags != 0)
    mnl_attr_put_u16 (nlh, IFLA_IPVLAN_FLAGS, flags);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, linkinfo);
  return nlh;
}

struct nlmsghdr *
cove_nl_build_link_set (void *buf, int ifindex, const CoveNlLinkChange *change)
{
  struct nlmsghdr *nlh = header (buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
  struct ifinfomsg *ifi = put_ifinfo (nlh, ifindex);

  if (change->up != COVE_NL_UP_KEEP) {
    ifi->ifi_change = IFF_UP;
    ifi->ifi_flags = change->up == COVE_NL_UP ? IFF_UP : 0;
  }
  if (change->name != NULL)
    mnl_attr_put_strz (nlh, IFLA_IFNAME, change->name);
  if (change->mtu > 0)
    mnl_attr_put_u32 (nlh, IFLA_MTU, change->mtu);
  if (change->mac != NULL)
    mnl_attr_put (nlh, IFLA_ADDRESS, 6, change->mac);
  if (change->master > 0)
    mnl_attr_put_u32 (nlh, IFLA_MASTER, (guint32) change->master);
  if (change->ns_pid > 0)
    mnl_attr_put_u32 (nlh, IFLA_NET_NS_PID, (guint32) change->ns_pid);
  else if (change->ns_fd >= 0)
    mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (guint32) change->ns_fd);
  return nlh;
}

struct nlmsghdr *
cove_nl_build_link_del (void *buf, int ifindex, const char *name)
{
  struct nlmsghdr *nlh = header (buf, RTM_DELLINK, DEL_FLAGS);

  put_ifinfo (nlh, ifindex);
  if (ifindex == 0 && name != NULL)
    mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  return nlh;
}

struct nlmsghdr *
cove_nl_build_link_get (void *buf, const char *name)
{
  struct nlmsghdr *nlh = header (buf, RTM_GETLINK, NLM_F_REQUEST);

  put_ifinfo (nlh, 0);
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  return nlh;
}

static gsize
addr_len (int family)
{
  return family == AF_INET ? sizeof (struct in_addr) : sizeof (struct in6_addr);
}

struct nlmsghdr *
cove_nl_build_addr (void *buf, gboolean add, int family, int ifindex, const CoveNlAddr *addr,
                    guint prefix, const struct in_addr *bcast)
{
  struct nlmsghdr *nlh = header (buf, add ? RTM_NEWADDR : RTM_DELADDR, add ? ADD_FLAGS : DEL_FLAGS);
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);

  ifa->ifa_family = family;
  ifa->ifa_prefixlen = prefix;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = ifindex;
  mnl_attr_put (nlh, IFA_LOCAL, addr_len (family), addr);
  mnl_attr_put (nlh, IFA_ADDRESS, addr_len (family), addr);
  if (add && family == AF_INET) {
    struct in_addr b = bcast ? *bcast : cove_nl_ipv4_broadcast (addr->v4, prefix);
    if (b.s_addr != 0)
      mnl_attr_put (nlh, IFA_BROADCAST, sizeof b, &b);
  }
  return nlh;
}

struct nlmsghdr *
cove_nl_build_addr_dump (void *buf, int family)
{
  struct nlmsghdr *nlh = header (buf, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);

  ifa->ifa_family = family;
  return nlh;
}

struct nlmsghdr *
cove_nl_build_route (void *buf, gboolean add, int family, int oif, const CoveNlAddr *dst,
                     guint dst_len, const CoveNlAddr *gateway)
{
  struct nlmsghdr *nlh = header (buf, add ? RTM_NEWROUTE : RTM_DELROUTE, add ? ADD_FLAGS : DEL_FLAGS);
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header (nlh, sizeof *rtm);
  gboolean has_dst = dst != NULL && dst_len > 0;

  rtm->rtm_family = family;
  rtm->rtm_dst_len = has_dst ? dst_len : 0;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = has_dst && gateway == NULL ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  if (has_dst)
    mnl_attr_put (nlh, RTA_DST, addr_len (family), dst);
  if (gateway != NULL)
    mnl_attr_put (nlh, RTA_GATEWAY, addr_len (family), gateway);
  if (oif > 0)
    mnl_attr_put_u32 (nlh, RTA_OIF, (guint32) oif);
  return nlh;
}

struct nlmsghdr *
cove_nl_build_neigh_proxy (void *buf, gboolean add, int family, int ifindex, const CoveNlAddr *addr)
{
  struct nlmsghdr *nlh = header (buf, add ? RTM_NEWNEIGH : RTM_DELNEIGH, add ? ADD_FLAGS : DEL_FLAGS);
  struct ndmsg *ndm = mnl_nlmsg_put_extra_header (nlh, sizeof *ndm);

  ndm->ndm_family = family;
  ndm->ndm_ifindex = ifindex;
  ndm->ndm_flags = NTF_PROXY;
  ndm->ndm_state = NUD_PERMANENT;   /* spec §14 item 2: survives carrier loss */
  ndm->ndm_type = RTN_UNICAST;
  mnl_attr_put (nlh, NDA_DST, addr_len (family), addr);
  return nlh;
}

/* ---- sending ------------------------------------------------------------------------ */

struct _CoveNl {
  struct mnl_socket *sock;
  guint32 portid;
  guint32 seq;
};

CoveNl *
cove_nl_open (GError **error)
{
  CoveNl *nl = g_new0 (CoveNl, 1);
  int one = 1;

  nl->sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (nl->sock == NULL || mnl_socket_bind (nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
    int errsv = errno;
    g_set_error (error, cove_nl_io_error_quark (), cove_nl_io_error_code (errsv),
                 "open a netlink socket: %s", g_strerror (errsv));
    cove_nl_close (nl);
    return NULL;
  }
  /* extended ACKs: the kernel's own words for what it rejected */
  mnl_socket_setsockopt (nl->sock, NETLINK_EXT_ACK, &one, sizeof one);
  nl->portid = mnl_socket_get_portid (nl->sock);
  nl->seq = (guint32) time (NULL);
  return nl;
}

void
cove_nl_close (CoveNl *nl)
{
  if (nl == NULL)
    return;
  if (nl->sock != NULL)
    mnl_socket_close (nl->sock);
  g_free (nl);
}

static const char *
extack_message (const struct nlmsghdr *nlh)
{
  const struct nlmsgerr *err = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *attr;
  gsize offset;

  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
    return NULL;
  offset = sizeof *err;
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
    offset += err->msg.nlmsg_len - sizeof (struct nlmsghdr);
  if (MNL_NLMSG_HDRLEN + offset > nlh->nlmsg_len)
    return NULL;
  mnl_attr_for_each (attr, nlh, offset)
    if (mnl_attr_get_type (attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate (attr, MNL_TYPE_NUL_STRING) == 0)
      return mnl_attr_get_str (attr);
  return NULL;
}

typedef int (*DataFunc) (const struct nlmsghdr *nlh, void *data);

/* Sends @nlh and reads replies until its ACK (or the end of a dump): 0, or -errno with
 * the kernel's extended-ACK message in @ext. */
static int
exchange (CoveNl *nl, struct nlmsghdr *nlh, DataFunc func, void *data, char **ext)
{
  char buf[32768];
  guint32 seq = ++nl->seq;

  nlh->nlmsg_seq = seq;
  if (mnl_socket_sendto (nl->sock, nlh, nlh->nlmsg_len) < 0)
    return -errno;
  for (;;) {
    ssize_t n = mnl_socket_recvfrom (nl->sock, buf, sizeof buf);
    int len;

    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    len = (int) n;
    for (struct nlmsghdr *r = (struct nlmsghdr *) buf; mnl_nlmsg_ok (r, len); r = mnl_nlmsg_next (r, &len)) {
      if (r->nlmsg_seq != seq || r->nlmsg_pid != nl->portid)
        continue;
      if (r->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *err = mnl_nlmsg_get_payload (r);
        if (err->error != 0 && ext != NULL) {
          const char *msg = extack_message (r);
          *ext = msg ? g_strdup (msg) : NULL;
        }
        return err->error;
      }
      if (r->nlmsg_type == NLMSG_DONE)
        return 0;
      if (func != NULL && func (r, data) < 0)
        return -EIO;
    }
  }
}

gboolean
cove_nl_talk (CoveNl *nl, struct nlmsghdr *nlh, int *out_errno, GError **error,
              const char *what_format, ...)
{
  g_autofree char *ext = NULL;
  g_autofree char *what = NULL;
  va_list ap;
  int rc = exchange (nl, nlh, NULL, NULL, &ext);

  if (out_errno != NULL)
    *out_errno = -rc;
  if (rc == 0)
    return TRUE;
  va_start (ap, what_format);
  what = g_strdup_vprintf (what_format, ap);
  va_end (ap);
  if (ext != NULL && *ext != '\0')
    g_set_error (error, cove_nl_io_error_quark (), cove_nl_io_error_code (-rc), "%s: %s (%s)",
                 what, g_strerror (-rc), ext);
  else
    g_set_error (error, cove_nl_io_error_quark (), cove_nl_io_error_code (-rc), "%s: %s",
                 what, g_strerror (-rc));
  return FALSE;
}

static int
link_attr_cb (const struct nlattr *attr, void *data)
{
  const struct nlattr **tb = data;
  int type = mnl_attr_get_type (attr);

  if (mnl_attr_type_valid (attr, IFLA_MAX) < 0)
    return MNL_CB_OK;
  tb[type] = attr;
  return MNL_CB_OK;
}

static int
linkinfo_attr_cb (const struct nlattr *attr, void *data)
{
  const struct nlattr **tb = data;

  if (mnl_attr_type_valid (attr, IFLA_INFO_MAX) < 0)
    return MNL_CB_OK;
  tb[mnl_attr_get_type (attr)] = attr;
  return MNL_CB_OK;
}

static int
get_link_cb (const struct nlmsghdr *nlh, void *data)
{
  CoveNlLinkInfo *info = data;
  const struct ifinfomsg *ifi = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *tb[IFLA_MAX + 1] = { 0 };

  if (nlh->nlmsg_type != RTM_NEWLINK)
    return MNL_CB_OK;
  info->ifindex = ifi->ifi_index;
  info->flags = ifi->ifi_flags;
  mnl_attr_parse (nlh, sizeof *ifi, link_attr_cb, tb);
  if (tb[IFLA_MTU] && mnl_attr_validate (tb[IFLA_MTU], MNL_TYPE_U32) == 0)
    info->mtu = mnl_attr_get_u32 (tb[IFLA_MTU]);
  if (tb[IFLA_LINKINFO]) {
    const struct nlattr *li[IFLA_INFO_MAX + 1] = { 0 };
    mnl_attr_parse_nested (tb[IFLA_LINKINFO], linkinfo_attr_cb, li);
    if (li[IFLA_INFO_KIND] && mnl_attr_validate (li[IFLA_INFO_KIND], MNL_TYPE_STRING) == 0)
      g_strlcpy (info->kind, mnl_attr_get_str (li[IFLA_INFO_KIND]), sizeof info->kind);
  }
  return MNL_CB_OK;
}

gboolean
cove_nl_get_link (CoveNl *nl, const char *name, CoveNlLinkInfo *info, GError **error)
{
  char buf[COVE_NL_BUF_SIZE];
  struct nlmsghdr *nlh = cove_nl_build_link_get (buf, name);
  int rc;

  memset (info, 0, sizeof *info);
  nlh->nlmsg_flags |= NLM_F_ACK;
  rc = exchange (nl, nlh, get_link_cb, info, NULL);
  if (rc == 0 && info->ifindex > 0)
    return TRUE;
  if (rc == 0)
    rc = -ENODEV;
  g_set_error (error, cove_nl_io_error_quark (), cove_nl_io_error_code (-rc),
               "look up device \"%s\": %s", name, g_strerror (-rc));
  return FALSE;
}

typedef struct {
  int ifindex;
  int family;
  gboolean found;
  guint8 best_scope;
  CoveNlAddr addr;
} FirstAddr;

static int
addr_attr_cb (const struct nlattr *attr, void *data)
{
  const struct nlattr **tb = data;

  if (mnl_attr_type_valid (attr, IFA_MAX) < 0)
    return MNL_CB_OK;
  tb[mnl_attr_get_type (attr)] = attr;
  return MNL_CB_OK;
}

static int
first_addr_cb (const struct nlmsghdr *nlh, void *data)
{
  FirstAddr *fa = data;
  const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *tb[IFA_MAX + 1] = { 0 };
  const struct nlattr *a;

  if (nlh->nlmsg_type != RTM_NEWADDR || (int) ifa->ifa_index != fa->ifindex || ifa->ifa_family != fa->family)
    return MNL_CB_OK;
  mnl_attr_parse (nlh, sizeof *ifa, addr_attr_cb, tb);
  a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
  if (a == NULL || mnl_attr_get_payload_len (a) != addr_len (fa->family))
    return MNL_CB_OK;
  /* the first address of the best (lowest) scope: global before link-local */
  if (fa->found && ifa->ifa_scope >= fa->best_scope)
    return MNL_CB_OK;
  memcpy (&fa->addr, mnl_attr_get_payload (a), addr_len (fa->family));
  fa->best_scope = ifa->ifa_scope;
  fa->found = TRUE;
  return MNL_CB_OK;
}

gboolean
cove_nl_first_addr (CoveNl *nl, int family, int ifindex, CoveNlAddr *addr, GError **error)
{
  char buf[COVE_NL_BUF_SIZE];
  FirstAddr fa = { ifindex, family, FALSE, 0, { { 0 } } };
  int rc = exchange (nl, cove_nl_build_addr_dump (buf, family), first_addr_cb, &fa, NULL);

  if (rc < 0) {
    g_set_error (error, cove_nl_io_error_quark (), cove_nl_io_error_code (-rc),
                 "list addresses: %s", g_strerror (-rc));
    return FALSE;
  }
  if (!fa.found) {
    g_set_error (error, cove_nl_io_error_quark (), G_IO_ERROR_NOT_FOUND, "no %s address",
                 family == AF_INET ? "IPv4" : "IPv6");
    return FALSE;
  }
  *addr = fa.addr;
  return TRUE;
}

/* ---- listings (cove info) ------------------------------------------------------------ */

static int
list_links_cb (const struct nlmsghdr *nlh, void *data)
{
  GArray *links = data;
  const struct ifinfomsg *ifi = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
  CoveNlLinkEntry entry = { 0 };

  if (nlh->nlmsg_type != RTM_NEWLINK)
    return MNL_CB_OK;
  mnl_attr_parse (nlh, sizeof *ifi, link_attr_cb, tb);
  if (tb[IFLA_IFNAME] == NULL || mnl_attr_validate (tb[IFLA_IFNAME], MNL_TYPE_STRING) < 0)
    return MNL_CB_OK;
  entry.ifindex = ifi->ifi_index;
  entry.flags = ifi->ifi_flags;
  g_strlcpy (entry.name, mnl_attr_get_str (tb[IFLA_IFNAME]), sizeof entry.name);
  if (tb[IFLA_LINK] && mnl_attr_validate (tb[IFLA_LINK], MNL_TYPE_U32) == 0)
    entry.peer_ifindex = (int) mnl_attr_get_u32 (tb[IFLA_LINK]);
  entry.peer_elsewhere = tb[IFLA_LINK_NETNSID] != NULL;
  if (tb[IFLA_LINKINFO]) {
    const struct nlattr *li[IFLA_INFO_MAX + 1] = { 0 };
    mnl_attr_parse_nested (tb[IFLA_LINKINFO], linkinfo_attr_cb, li);
    if (li[IFLA_INFO_KIND] && mnl_attr_validate (li[IFLA_INFO_KIND], MNL_TYPE_STRING) == 0)
      g_strlcpy (entry.kind, mnl_attr_get_str (li[IFLA_INFO_KIND]), sizeof entry.kind);
  }
  g_array_append_val (links, entry);
  return MNL_CB_OK;
}

gboolean
cove_nl_list_links (CoveNl *nl, GArray *links, GError **error)
{
  char buf[COVE_NL_BUF_SIZE];
  struct nlmsghdr *nlh = header (buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
  int rc;

  put_ifinfo (nlh, 0);
  rc = exchange (nl, nlh, list_links_cb, links, NULL);
  if (rc < 0) {
    g_set_error (error, cove_nl_io_error_quark (), cove_nl_io_error_code (-rc),
                 "list devices: %s", g_strerror (-rc));
    return FALSE;
  }
  return TRUE;
}

static int
list_addrs_cb (const struct nlmsghdr *nlh, void *data)
{
  GArray *addrs = data;
  const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *tb[IFA_MAX + 1] = { 0 };
  const struct nlattr *a;
  CoveNlAddrEntry entry = { 0 };
  char text[INET6_ADDRSTRLEN];

  if (nlh->nlmsg_type != RTM_NEWADDR || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) ||
      ifa->ifa_scope == RT_SCOPE_HOST)
    return MNL_CB_OK;
  mnl_attr_parse (nlh, sizeof *ifa, addr_attr_cb, tb);
  a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
  if (a == NULL || mnl_attr_get_payload_len (a) != addr_len (ifa->ifa_family) ||
      inet_ntop (ifa->ifa_family, mnl_attr_get_payload (a), text, sizeof text) == NULL)
    return MNL_CB_OK;
  entry.ifindex = (int) ifa->ifa_index;
  g_snprintf (entry.text, sizeof entry.text, "%s/%u", text, ifa->ifa_prefixlen);
  g_array_append_val (addrs, entry);
  return MNL_CB_OK;
}

gboolean
cove_nl_list_addrs (CoveNl *nl, GArray *addrs, GError **error)
{
  char buf[COVE_NL_BUF_SIZE];
  int rc = exchange (nl, cove_nl_build_addr_dump (buf, AF_UNSPEC), list_addrs_cb, addrs, NULL);

  if (rc < 0) {
    g_set_error (error, cove_nl_io_error_quark (), cove_nl_io_error_code (-rc),
                 "list addresses: %s", g_strerror (-rc));
    return FALSE;
  }
  return TRUE;
}
