/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cove_container_mount() / _umount(): the typed API of the mount-inject plugin's monitor
 * commands "mount-inject" (ssstsu) and "umount-inject" (st). The monitor checks every
 * argument again; the checks here only give a caller a clear error without a round trip.
 */
#define COVE_LOG_CATEGORY "mount"
#include "cove-private.h"

#include <string.h>

#define MOUNT_EXTENSION "mount_injection"
#define MOUNT_PLUGIN "mount-inject"
#define MOUNT_PATH_MAX 4095
#define MOUNT_FSTYPE_MAX 255
#define MOUNT_DATA_MAX 4095

static gboolean
check_string (const char *what, const char *value, gsize max, gboolean required, GError **error)
{
  if (value == NULL || *value == '\0') {
    if (!required)
      return TRUE;
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "the mount %s is empty", what);
    return FALSE;
  }
  if (strlen (value) > max) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "the mount %s is longer than %" G_GSIZE_FORMAT " bytes", what, max);
    return FALSE;
  }
  return TRUE;
}

gboolean
cove_container_mount_full (CoveContainer *c, const char *source, const char *target,
                           const char *fstype, unsigned long flags, const char *data,
                           CoveMountFlags cove_flags, GError **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_string ("target", target, MOUNT_PATH_MAX, TRUE, error) ||
      !check_string ("source", source, MOUNT_PATH_MAX, FALSE, error) ||
      !check_string ("filesystem type", fstype, MOUNT_FSTYPE_MAX, FALSE, error) ||
      !check_string ("data", data, MOUNT_DATA_MAX, FALSE, error))
    return FALSE;
  if ((cove_flags & ~COVE_MOUNT_CREATE) != 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "unknown CoveMountFlags 0x%x", (guint) (cove_flags & ~COVE_MOUNT_CREATE));
    return FALSE;
  }
  reply = cove_container_plugin_call (c, MOUNT_EXTENSION, MOUNT_PLUGIN, "mount-inject",
                                      g_variant_new ("(ssstsu)", source ? source : "", target,
                                                     fstype ? fstype : "", (guint64) flags,
                                                     data ? data : "", (guint32) cove_flags),
                                      NULL, -1, error);
  if (reply == NULL) {
    g_prefix_error (error, "mount %s: ", target);
    return FALSE;
  }
  return TRUE;
}

gboolean
cove_container_mount (CoveContainer *c, const char *source, const char *target,
                      const char *fstype, unsigned long flags, const char *data, GError **error)
{
  return cove_container_mount_full (c, source, target, fstype, flags, data,
                                    COVE_MOUNT_FLAGS_NONE, error);
}

gboolean
cove_container_umount (CoveContainer *c, const char *target, unsigned long flags, GError **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_string ("target", target, MOUNT_PATH_MAX, TRUE, error))
    return FALSE;
  reply = cove_container_plugin_call (c, MOUNT_EXTENSION, MOUNT_PLUGIN, "umount-inject",
                                      g_variant_new ("(st)", target, (guint64) flags),
                                      NULL, -1, error);
  if (reply == NULL) {
    g_prefix_error (error, "umount %s: ", target);
    return FALSE;
  }
  return TRUE;
}
