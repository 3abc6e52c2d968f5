/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"
#include "cove-container.h"

G_BEGIN_DECLS

/*
 * A duplicate of the seccomp user-notification listener of a running container (API
 * extension `seccomp_notify`, plugin seccomp-notify): the fd that `notify` rules of
 * lxc.seccomp.profile report to. It comes from the container's monitor over the command
 * socket, so it works from any process allowed to use that socket (root or the
 * container's owner), for daemonized and foreground containers alike — LXC's
 * seccomp_notify_fd() only works inside the monitor's own process, this is LXC's
 * seccomp_notify_fd_active().
 *
 * The caller owns the fd (close-on-exec) and answers notifications itself with
 * SECCOMP_IOCTL_NOTIF_RECV / SECCOMP_IOCTL_NOTIF_SEND; see
 * docs/examples/seccomp-supervisor/. Each call returns a new duplicate of the same
 * listener. A reboot gives the new init a new filter and listener (the old one then
 * reports POLLHUP): fetch it again after a reboot.
 *
 * Errors: %COVE_ERROR_NOT_RUNNING (stopped, or rebooting), %COVE_ERROR_NO_DATA (the
 * profile has no `notify` rule, or the container has no profile), %COVE_ERROR_BUSY
 * (lxc.seccomp.notify.proxy is set: the monitor serves the listener, and a second reader
 * could take notifications from under it), %COVE_ERROR_NOT_SUPPORTED (the plugin is not
 * active). Returns the fd, or -1 with @error.
 */
COVE_API int cove_container_seccomp_notify_fd (CoveContainer *container, GError **error);

G_END_DECLS
