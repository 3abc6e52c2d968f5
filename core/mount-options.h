/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mount(8)'s option words that are mount flags, shared by lxc.mount.entry (the core) and
 * `cove mount -o` (the tool). Header-only tables: the tool links only the public API.
 */
#pragma once

#include <glib.h>
#include <sys/mount.h>

static const struct {
  const char *name;
  unsigned long flag;
  gboolean clear;
} cove_mount_flag_options[] G_GNUC_UNUSED = {
  { "defaults", 0, FALSE },
  { "ro", MS_RDONLY, FALSE }, { "rw", MS_RDONLY, TRUE },
  { "nosuid", MS_NOSUID, FALSE }, { "suid", MS_NOSUID, TRUE },
  { "nodev", MS_NODEV, FALSE }, { "dev", MS_NODEV, TRUE },
  { "noexec", MS_NOEXEC, FALSE }, { "exec", MS_NOEXEC, TRUE },
  { "sync", MS_SYNCHRONOUS, FALSE }, { "async", MS_SYNCHRONOUS, TRUE },
  { "dirsync", MS_DIRSYNC, FALSE },
  { "mand", MS_MANDLOCK, FALSE }, { "nomand", MS_MANDLOCK, TRUE },
  { "noatime", MS_NOATIME, FALSE }, { "atime", MS_NOATIME, TRUE },
  { "nodiratime", MS_NODIRATIME, FALSE }, { "diratime", MS_NODIRATIME, TRUE },
  { "relatime", MS_RELATIME, FALSE }, { "norelatime", MS_RELATIME, TRUE },
  { "strictatime", MS_STRICTATIME, FALSE }, { "nostrictatime", MS_STRICTATIME, TRUE },
  { "lazytime", MS_LAZYTIME, FALSE }, { "nolazytime", MS_LAZYTIME, TRUE },
  { "silent", MS_SILENT, FALSE }, { "loud", MS_SILENT, TRUE },
  { "bind", MS_BIND, FALSE },
  { "rbind", MS_BIND | MS_REC, FALSE },
};

static const struct {
  const char *name;
  unsigned long flags;
} cove_mount_propagation_options[] G_GNUC_UNUSED = {
  { "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
  { "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
  { "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
  { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

