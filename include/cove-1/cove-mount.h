/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"
#include "cove-container.h"

G_BEGIN_DECLS

/**
 * CoveMountFlags:
 * @COVE_MOUNT_FLAGS_NONE: the target must exist in the container.
 * @COVE_MOUNT_CREATE: create a missing target inside the container (its missing parents
 *   as directories, the target itself as a directory, or as an empty file when the
 *   source is not a directory); cove_container_umount() removes what was created again.
 *
 * Cove's own flags for cove_container_mount_full(); the mount(2) flags stay in the
 * `flags` argument.
 */
typedef enum {
  COVE_MOUNT_FLAGS_NONE = 0,
  COVE_MOUNT_CREATE = 1 << 0,
} CoveMountFlags;

/*
 * Mounts into a running container (API extensions mount_injection, mount_injection_file;
 * provided by the mount-inject plugin). The arguments mirror mount(2):
 *
 *  - @flags with MS_BIND: a bind of @source (an absolute host path; a directory, or any
 *    other file), recursive with MS_REC; otherwise a new filesystem of type @fstype with
 *    @data (mount(2)'s comma-separated options), @source its "source" (NULL or "" for
 *    none, e.g. tmpfs).
 *  - MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC and the atime flags apply to the new mount
 *    (also to binds, unlike a single mount(2) call); MS_SHARED, MS_SLAVE, MS_PRIVATE,
 *    MS_UNBINDABLE set its propagation (default: private). MS_SYNCHRONOUS, MS_DIRSYNC,
 *    MS_LAZYTIME, MS_MANDLOCK only for a new filesystem; MS_SILENT is ignored; MS_MOVE,
 *    MS_REMOUNT and any other flag are refused.
 *  - @target is a path inside the container, resolved inside its root: a symbolic link
 *    or ".." can never lead out of it.
 *
 * The mount is built on the host first, so a bad source, type or option fails before
 * anything changes in the container. A container that is not running (stopped, or whose
 * init just exited to reboot) fails with %COVE_ERROR_NOT_RUNNING; without the plugin,
 * %COVE_ERROR_NOT_SUPPORTED. Failed system calls are %G_IO_ERROR errors.
 */
COVE_API gboolean cove_container_mount      (CoveContainer *container, const char *source,
                                             const char *target, const char *fstype,
                                             unsigned long flags, const char *data,
                                             GError **error);
COVE_API gboolean cove_container_mount_full (CoveContainer *container, const char *source,
                                             const char *target, const char *fstype,
                                             unsigned long flags, const char *data,
                                             CoveMountFlags cove_flags, GError **error);

/*
 * umount2(2) of @target inside the container (resolved as for a mount); @flags: MNT_DETACH,
 * MNT_FORCE, MNT_EXPIRE, UMOUNT_NOFOLLOW. A target that cove_container_mount_full() created
 * with %COVE_MOUNT_CREATE is removed once nothing is mounted on it any more (and its
 * created parents, when they are empty). Targets still created when the container stops
 * are removed from its rootfs then.
 */
COVE_API gboolean cove_container_umount     (CoveContainer *container, const char *target,
                                             unsigned long flags, GError **error);

G_END_DECLS
