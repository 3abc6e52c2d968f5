/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal netlink plumbing over libmnl, shared by the core (lxc.net.N.* keys) and the
 * net plugins (ARCHITECTURE §1): a static library linked into each of them, never
 * installed, never exported. Request builders are separate from sending, so unit tests
 * decode exactly the bytes the kernel would get. Adds carry
 * NLM_F_REQUEST|NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK; deletes only NLM_F_REQUEST|NLM_F_ACK
 * (NLM_F_EXCL is NLM_F_BULK on deletes since Linux 5.19: spec §14 item 1).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <linux/netlink.h>

G_BEGIN_DECLS

/* Enough for every request built here. */
#define COVE_NL_BUF_SIZE 1024

/* The name a net provider gives interface N inside the container's network namespace
 * before the core renames it to lxc.net.N.name (or eth%d) in the child. */
#define COVE_NET_TRANSIENT_FMT "cvnet%u"

typedef union {
  struct in_addr v4;
  struct in6_addr v6;
} CoveNlAddr;

/* ---- parsing ----------------------------------------------------------------------- */

/* Interface names: 1-15 bytes, no '/', ':', blanks or control characters, not . or .. */
gboolean cove_nl_ifname_valid (const char *name, GError **error);
/* "A.B.C.D/P" or "addr6/P"; @require_prefix: without one it is an error, else the
 * default is @default_prefix (or, for IPv4 with default_prefix < 0, classful).
 * The prefix must be ≤ 32 / ≤ 128. */
gboolean cove_nl_parse_prefix (int family, const char *text, gboolean require_prefix,
                               int default_prefix, CoveNlAddr *addr, guint *prefix,
                               GError **error);
gboolean cove_nl_parse_addr (int family, const char *text, CoveNlAddr *addr, GError **error);
/* @addr OR the host mask; 0.0.0.0 for /31 and /32 (no broadcast). */
struct in_addr cove_nl_ipv4_broadcast (struct in_addr addr, guint prefix);

/* ---- request builders (into a COVE_NL_BUF_SIZE buffer, seq 0) ----------------------- */

typedef enum {
  COVE_NL_UP_KEEP = -1,
  COVE_NL_DOWN = 0,
  COVE_NL_UP = 1,
} CoveNlUp;

/* A veth pair: @host here, @peer born in the netns of @peer_pid (or @peer_fd when
 * @peer_pid is 0); @mtu 0 = kernel default; @host_mac NULL = random. */
struct nlmsghdr *cove_nl_build_veth (void *buf, const char *host, const char *peer, guint mtu,
                                     const guint8 *host_mac, pid_t peer_pid, int peer_fd);
/* An ipvlan on @link_ifindex: mode l2=0 l3=1 l3s=2 always sent; flags (private=1,
 * vepa=2) only when not 0 (bridge); created in the netns of @ns_pid when > 0. */
struct nlmsghdr *cove_nl_build_ipvlan (void *buf, const char *name, int link_ifindex,
                                       guint16 mode, guint16 flags, guint mtu, pid_t ns_pid);
/* Changes of an existing link (RTM_NEWLINK on its index): new name, MTU, MAC, master
 * (bridge), up/down, netns (by pid or fd); NULL/0/-1 leave a field alone. */
typedef struct {
  const char *name;
  guint mtu;
  const guint8 *mac;       /* 6 bytes */
  int master;              /* ifindex, 0 = leave */
  CoveNlUp up;
  pid_t ns_pid;            /* > 0: move there */
  int ns_fd;               /* >= 0: move there */
} CoveNlLinkChange;
struct nlmsghdr *cove_nl_build_link_set (void *buf, int ifindex, const CoveNlLinkChange *change);
/* Delete by index (or by @name when @ifindex is 0). */
struct nlmsghdr *cove_nl_build_link_del (void *buf, int ifindex, const char *name);
/* Get one link by name. */
struct nlmsghdr *cove_nl_build_link_get (void *buf, const char *name);
/* An address; IPv4 adds carry IFA_LOCAL, IFA_ADDRESS and (unless /31, /32, or @bcast is
 * given as 0.0.0.0) IFA_BROADCAST. @bcast NULL = computed. */
struct nlmsghdr *cove_nl_build_addr (void *buf, gboolean add, int family, int ifindex,
                                     const CoveNlAddr *addr, guint prefix,
                                     const struct in_addr *bcast);
/* Address dump of one family (RTM_GETADDR, NLM_F_DUMP). */
struct nlmsghdr *cove_nl_build_addr_dump (void *buf, int family);
/* A main-table unicast route, protocol boot: @dst/@dst_len (dst NULL or len 0 = default),
 * @gateway optional, @oif; scope link for a device route with a destination, universe
 * otherwise. */
struct nlmsghdr *cove_nl_build_route (void *buf, gboolean add, int family, int oif,
                                      const CoveNlAddr *dst, guint dst_len,
                                      const CoveNlAddr *gateway);
/* A permanent proxy neighbour entry (NTF_PROXY, NUD_PERMANENT) for @addr on @ifindex. */
struct nlmsghdr *cove_nl_build_neigh_proxy (void *buf, gboolean add, int family, int ifindex,
                                            const CoveNlAddr *addr);

/* ---- sending ------------------------------------------------------------------------ */

typedef struct _CoveNl CoveNl;

/* A NETLINK_ROUTE socket in the caller's current network namespace. */
CoveNl *cove_nl_open (GError **error);
void cove_nl_close (CoveNl *nl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CoveNl, cove_nl_close)

/* Sends @nlh and waits for its ACK. A kernel error becomes a G_IO_ERROR
 * "<what>: <strerror>[ (<extack message>)]", errno kept in *out_errno when non-NULL. */
gboolean cove_nl_talk (CoveNl *nl, struct nlmsghdr *nlh, int *out_errno, GError **error,
                       const char *what_format, ...) G_GNUC_PRINTF (5, 6);

typedef struct {
  int ifindex;
  guint mtu;
  char kind[32];     /* IFLA_INFO_KIND, "" when none */
  guint flags;       /* IFF_* */
} CoveNlLinkInfo;
/* Looks a link up by name; FALSE with G_IO_ERROR_NOT_FOUND when it does not exist. */
gboolean cove_nl_get_link (CoveNl *nl, const char *name, CoveNlLinkInfo *info, GError **error);
/* The first address of @family on @ifindex (global scope first); FALSE if none. */
gboolean cove_nl_first_addr (CoveNl *nl, int family, int ifindex, CoveNlAddr *addr,
                             GError **error);

/* Every device of the socket's namespace (a dump). */
typedef struct {
  int ifindex;
  char name[16];
  guint flags;          /* IFF_* */
  int peer_ifindex;     /* IFLA_LINK (a veth's peer), 0 if none */
  gboolean peer_elsewhere;  /* the peer is in another namespace (IFLA_LINK_NETNSID) */
  char kind[32];
} CoveNlLinkEntry;
gboolean cove_nl_list_links (CoveNl *nl, GArray *links, GError **error);

/* Every IPv4 and IPv6 address except host-scope ones, as "address/prefix". */
typedef struct {
  int ifindex;
  char text[48];
} CoveNlAddrEntry;
gboolean cove_nl_list_addrs (CoveNl *nl, GArray *addrs, GError **error);

/* G_IO_ERROR domain (the same quark as GIO, without linking it) and errno mapping. */
GQuark cove_nl_io_error_quark (void);
int cove_nl_io_error_code (int errsv);
/* @len random letters and digits into @out (NUL-terminated). */
void cove_nl_random_alnum (char *out, gsize len);

G_END_DECLS
