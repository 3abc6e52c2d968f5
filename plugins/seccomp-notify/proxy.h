/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Forwarding seccomp notifications to a proxy (lxc.seccomp.notify.proxy) with LXC's
 * message layout, without ever blocking the monitor's main loop. See README.md.
 */
#pragma once

#include <cove-plugin.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

typedef struct _SeccompProxy SeccompProxy;

/* Connects to @address ("unix:/path" or "unix:@abstract"); the error names the address. */
SeccompProxy *seccomp_proxy_new (const char *address, const char *cookie, GError **error);

/* Serves @listener (taken) on @context: every notification goes to the proxy, and its
 * reply back to the kernel; a missing, late (after @timeout_ms) or malformed reply fails
 * that syscall with ENOSYS. */
gboolean seccomp_proxy_start (SeccompProxy *proxy, int listener, pid_t monitor_pid,
                              pid_t init_pid, GMainContext *context, guint timeout_ms,
                              GError **error);

/* Serves one more listener (taken): an attached command's, once the proxy has started.
 * Anything but a seccomp notification listener is refused. */
gboolean seccomp_proxy_add_listener (SeccompProxy *proxy, int listener, GError **error);

void seccomp_proxy_free (SeccompProxy *proxy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeccompProxy, seccomp_proxy_free)

/* lxc.seccomp.notify.proxy's grammar: "unix:" + an absolute path or "@" + a name. */
gboolean seccomp_proxy_address_parse (const char *address, struct sockaddr_un *sun,
                                      socklen_t *len, GError **error);
