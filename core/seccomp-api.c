/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cove_container_seccomp_notify_fd(): the typed public API of the seccomp-notify plugin's
 * monitor command "seccomp-notify-fd", whose reply is () with the listener as its one fd.
 */
#define COVE_LOG_CATEGORY "seccomp"
#include "cove-private.h"
#include "wire.h"

#define EXTENSION "seccomp_notify"
#define PLUGIN "seccomp-notify"
#define CALL_TIMEOUT_MS (10 * 1000)

int
cove_container_seccomp_notify_fd (CoveContainer *c, GError **error)
{
  g_autoptr(GVariant) payload = NULL;
  GArray *fds = NULL;
  int fd;

  g_return_val_if_fail (c != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);
  payload = cove_container_plugin_call (c, EXTENSION, PLUGIN, "seccomp-notify-fd", NULL, &fds,
                                        CALL_TIMEOUT_MS, error);
  if (payload == NULL)
    return -1;
  if (fds == NULL || fds->len != 1) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "seccomp-notify-fd: the reply carries no listener");
    cove_wire_close_fds (fds);
    return -1;
  }
  fd = g_array_index (fds, int, 0);
  g_array_unref (fds);
  return fd;
}
