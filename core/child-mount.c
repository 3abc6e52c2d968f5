/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's mounts, set up by its init in its own mount namespace before it execs:
 *
 *   1. / becomes a recursive slave, so nothing mounted here reaches the host;
 *   2. lxc.rootfs.path is bind-mounted (recursively) onto itself, so it is a mount point
 *      that pivot_root accepts;
 *   3. lxc.autodev: a tmpfs on /dev with its nodes, links, a private devpts and /dev/shm;
 *   4. lxc.mount.auto (proc, then sys), lxc.mount.fstab, then lxc.mount.entry in order,
 *      so an entry can mount over anything the earlier steps made;
 *   5. lxc.uts.name, then pivot_root into the rootfs and detach the old root.
 *
 * Every target is resolved inside the rootfs with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS): a symlink or ".." in the rootfs is followed as if the rootfs
 * were "/", so it can never send a mount to the host. The mount is then attached to the
 * resolved file descriptor (move_mount for binds, /proc/self/fd/N for new filesystems),
 * never to a path that could be swapped in between. Binds are made with open_tree and get
 * their flags (ro, nosuid …) with mount_setattr before they are attached, so a read-only
 * bind is never writable, not even for a moment; an rbind's flags apply to all of it.
 *
 * Cove-specific behaviour (documented in the key docs and here):
 *  - an absolute lxc.mount.entry target is inside the rootfs too (LXC mounts such a
 *    target on the host unless it starts with the rootfs path; Cove strips that prefix
 *    and otherwise treats the path as relative to the rootfs);
 *  - "optional" skips an entry whose source or target is missing (LXC skips any failure);
 *    other failures still fail the start, so a read-only mount is never dropped silently;
 *  - autodev creates the device nodes with mknod, and bind-mounts them from the host's
 *    /dev when mknod is not permitted; without lxc.rootfs.path autodev does nothing.
 */
#define COVE_LOG_CATEGORY "child"
#include "child-internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#define FSTAB_FILE_MAX (1024 * 1024)

typedef struct {
  const CoveChildSetup *setup;
  const char *rootfs;      /* host path, or NULL: the host's / */
  int root_fd;             /* O_PATH directory: the rootfs bind mount, or / */
} Root;

/* ---- resolving and creating paths inside the root ---------------------------------- */

static int G_GNUC_PRINTF (2, 3)
fail_fd (GError **error, const char *format, ...)
{
  int errsv = errno;
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  cove_throw_errno_code (error, errsv, "%s", what);
  return -1;
}

static int
open_in_root (int root_fd, const char *path, int flags)
{
  struct open_how how = {
    .flags = (guint64) (flags | O_CLOEXEC),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd;

  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  /* EAGAIN: a concurrent rename made the in-root check unsure; retrying is what the kernel asks */
  for (int attempt = 0; attempt < 16; attempt++) {
    fd = (int) syscall (SYS_openat2, root_fd, path, &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN)
      break;
  }
  return fd;
}

/* The path of a mount target relative to the root: relative paths as they are, absolute
 * ones inside the root too (minus the rootfs host path if they start with it). */
static const char *
target_in_root (const Root *root, const char *target)
{
  if (root->rootfs != NULL) {
    gsize len = strlen (root->rootfs);
    while (len > 1 && root->rootfs[len - 1] == '/')
      len--;
    if (strncmp (target, root->rootfs, len) == 0 && (target[len] == '/' || target[len] == '\0'))
      target += len;
  }
  while (*target == '/')
    target++;
  return target;
}

/* Opens @path inside the root (O_PATH). With @create, missing parents become directories
 * (0755) and the last component a directory or an empty file (0644). */
static int
open_target (int root_fd, const char *path, CoveMountCreate create, GError **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) prefix = g_string_new (NULL);
  int fd;
  int last = -1;

  fd = open_in_root (root_fd, path, O_PATH);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT || create == COVE_MOUNT_CREATE_NONE) {
    cove_throw_errno (error, "open /%s in the rootfs", path);
    return -1;
  }

  parts = g_strsplit (path, "/", -1);
  for (int i = 0; parts[i]; i++)
    if (*parts[i] != '\0' && strcmp (parts[i], ".") != 0)
      last = i;

  for (int i = 0; i <= last; i++) {
    cove_autofd parent = -1;
    g_autofree char *parent_path = g_strndup (prefix->str, prefix->len);

    if (*parts[i] == '\0' || strcmp (parts[i], ".") == 0)
      continue;
    if (prefix->len > 0)
      g_string_append_c (prefix, '/');
    g_string_append (prefix, parts[i]);

    fd = open_in_root (root_fd, prefix->str, O_PATH);
    if (fd >= 0) {
      if (i == last)
        return fd;
      close (fd);
      continue;
    }
    if (errno != ENOENT)
      return fail_fd (error, "open /%s in the rootfs", prefix->str);

    parent = open_in_root (root_fd, parent_path, O_PATH | O_DIRECTORY);
    if (parent < 0)
      return fail_fd (error, "open the parent of /%s in the rootfs", prefix->str);
    if (i == last && create == COVE_MOUNT_CREATE_FILE) {
      /* O_EXCL never follows a symlink; an existing one is resolved in-root below */
      int file = openat (parent, parts[i], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (file < 0 && errno != EEXIST)
        return fail_fd (error, "create file /%s in the rootfs", prefix->str);
      if (file >= 0)
        close (file);
    } else if (mkdirat (parent, parts[i], 0755) < 0 && errno != EEXIST) {
      return fail_fd (error, "create directory /%s in the rootfs", prefix->str);
    }

    fd = open_in_root (root_fd, prefix->str, O_PATH);
    if (fd < 0)
      return fail_fd (error, "open /%s in the rootfs", prefix->str);
    if (i == last)
      return fd;
    close (fd);
  }
  /* "." or "": the root itself */
  fd = open_in_root (root_fd, ".", O_PATH);
  if (fd < 0)
    return fail_fd (error, "open the rootfs");
  return fd;
}

/* ---- mounting onto file descriptors ------------------------------------------------ */

static gboolean
mount_fs_on_fd (const char *source, int target_fd, const char *shown, const char *fstype,
                unsigned long flags, const char *data, GError **error)
{
  char path[64];

  g_snprintf (path, sizeof path, "/proc/self/fd/%d", target_fd);
  if (mount (source, path, fstype, flags, data) < 0)
    return cove_throw_errno (error, "mount %s (%s) on /%s", source, fstype, shown);
  return TRUE;
}

static void
flags_to_attr (unsigned long flags, unsigned long clear_flags, struct mount_attr *attr)
{
  static const struct { unsigned long ms; guint64 attr; } map[] = {
    { MS_RDONLY, MOUNT_ATTR_RDONLY }, { MS_NOSUID, MOUNT_ATTR_NOSUID },
    { MS_NODEV, MOUNT_ATTR_NODEV }, { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
    { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
  };

  memset (attr, 0, sizeof *attr);
  for (gsize i = 0; i < G_N_ELEMENTS (map); i++) {
    if (flags & map[i].ms)
      attr->attr_set |= map[i].attr;
    else if (clear_flags & map[i].ms)
      attr->attr_clr |= map[i].attr;
  }
  if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) {
    attr->attr_clr |= MOUNT_ATTR__ATIME;
    if (flags & MS_NOATIME)
      attr->attr_set |= MOUNT_ATTR_NOATIME;
    else if (flags & MS_STRICTATIME)
      attr->attr_set |= MOUNT_ATTR_STRICTATIME;
    else
      attr->attr_set |= MOUNT_ATTR_RELATIME;
  }
}

/* Clones the mount tree at @source_fd (a bind; recursive with @recursive), gives it
 * @flags, and attaches it on @target_fd. */
static gboolean
bind_fd_on_fd (int source_fd, const char *source_shown, int target_fd, const char *target_shown,
               gboolean recursive, unsigned long flags, unsigned long clear_flags, GError **error)
{
  cove_autofd tree = -1;
  struct mount_attr attr;

  tree = open_tree (source_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                    (recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return cove_throw_errno (error, "bind %s on /%s", source_shown, target_shown);
  flags_to_attr (flags, clear_flags, &attr);
  if ((attr.attr_set | attr.attr_clr) != 0 &&
      mount_setattr (tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
    return cove_throw_errno (error, "set the flags of the bind of %s on /%s", source_shown, target_shown);
  if (move_mount (tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return cove_throw_errno (error, "bind %s on /%s", source_shown, target_shown);
  return TRUE;
}

/* Binds a path of the root read-only over itself (proc:mixed's /proc/sys …). */
static gboolean
bind_ro_over_itself (const Root *root, const char *path, GError **error)
{
  cove_autofd fd = open_in_root (root->root_fd, path, O_PATH);

  if (fd < 0)
    return cove_throw_errno (error, "open /%s in the rootfs", path);
  return bind_fd_on_fd (fd, path, fd, path, FALSE, MS_RDONLY, 0, error);
}

/* ---- lxc.autodev ------------------------------------------------------------------- */

static const struct {
  const char *name;
  unsigned int major, minor;
} dev_nodes[] = {
  { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
  { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
  const char *name;
  const char *target;
} dev_links[] = {
  { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
  { "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },
};

static gboolean
make_dev_node (int dev_fd, const char *name, unsigned int major, unsigned int minor, GError **error)
{
  g_autofree char *host = g_strconcat ("/dev/", name, NULL);
  cove_autofd source = -1;
  cove_autofd target = -1;
  int file;

  if (mknodat (dev_fd, name, S_IFCHR | 0666, makedev (major, minor)) == 0) {
    if (fchmodat (dev_fd, name, 0666, 0) < 0)
      return cove_throw_errno (error, "chmod /dev/%s", name);
    return TRUE;
  }
  if (errno == EEXIST)
    return TRUE;
  if (errno != EPERM && errno != EACCES)
    return cove_throw_errno (error, "mknod /dev/%s", name);

  /* not allowed to create device nodes: bind the host's */
  file = openat (dev_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (file < 0)
    return cove_throw_errno (error, "create /dev/%s", name);
  close (file);
  source = open (host, O_PATH | O_CLOEXEC);
  if (source < 0)
    return cove_throw_errno (error, "open %s", host);
  target = openat (dev_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0)
    return cove_throw_errno (error, "open /dev/%s", name);
  return bind_fd_on_fd (source, host, target, host + 1, FALSE, MS_NOSUID | MS_NOEXEC, 0, error);
}

static gboolean
setup_autodev (const Root *root, GError **error)
{
  cove_autofd dev = -1;
  cove_autofd dev_top = -1;
  cove_autofd pts = -1;
  cove_autofd shm = -1;

  dev = open_target (root->root_fd, "dev", COVE_MOUNT_CREATE_DIR, error);
  if (dev < 0)
    return FALSE;
  if (!mount_fs_on_fd ("none", dev, "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                       "mode=755,size=500000", error))
    return FALSE;
  dev_top = open_in_root (root->root_fd, "dev", O_PATH | O_DIRECTORY);
  if (dev_top < 0)
    return cove_throw_errno (error, "open /dev in the rootfs");

  for (gsize i = 0; i < G_N_ELEMENTS (dev_nodes); i++)
    if (!make_dev_node (dev_top, dev_nodes[i].name, dev_nodes[i].major, dev_nodes[i].minor, error))
      return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (dev_links); i++)
    if (symlinkat (dev_links[i].target, dev_top, dev_links[i].name) < 0 && errno != EEXIST)
      return cove_throw_errno (error, "symlink /dev/%s", dev_links[i].name);

  if (mkdirat (dev_top, "pts", 0755) < 0 && errno != EEXIST)
    return cove_throw_errno (error, "mkdir /dev/pts");
  pts = open_in_root (root->root_fd, "dev/pts", O_PATH | O_DIRECTORY);
  if (pts < 0)
    return cove_throw_errno (error, "open /dev/pts");
  if (!mount_fs_on_fd ("devpts", pts, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                       "newinstance,ptmxmode=0666,mode=0620,gid=5", error))
    return FALSE;

  if (mkdirat (dev_top, "shm", 01777) < 0 && errno != EEXIST)
    return cove_throw_errno (error, "mkdir /dev/shm");
  shm = open_in_root (root->root_fd, "dev/shm", O_PATH | O_DIRECTORY);
  if (shm < 0)
    return cove_throw_errno (error, "open /dev/shm");
  return mount_fs_on_fd ("shm", shm, "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", error);
}

/* ---- lxc.mount.auto ---------------------------------------------------------------- */

static gboolean
mount_auto_proc (const Root *root, CoveAutoProc mode, GError **error)
{
  cove_autofd proc = -1;
  cove_autofd net_tree = -1;

  proc = open_target (root->root_fd, "proc", COVE_MOUNT_CREATE_DIR, error);
  if (proc < 0)
    return FALSE;
  if (!mount_fs_on_fd ("proc", proc, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, error))
    return FALSE;
  if (mode != COVE_AUTO_PROC_MIXED)
    return TRUE;

  /* LXC's mixed: /proc/sys read-only, but /proc/sys/net stays writable when the container
   * keeps CAP_NET_ADMIN (it can change its own network namespace anyway) */
  if (cove_child_config_keeps_cap (root->setup->config, CAP_NET_ADMIN)) {
    cove_autofd net = open_in_root (root->root_fd, "proc/sys/net", O_PATH);
    if (net >= 0) {
      net_tree = open_tree (net, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
      if (net_tree < 0)
        return cove_throw_errno (error, "bind /proc/sys/net");
    } else if (errno != ENOENT) {
      return cove_throw_errno (error, "open /proc/sys/net in the rootfs");
    }
  }
  if (!bind_ro_over_itself (root, "proc/sys", error))
    return FALSE;
  if (net_tree >= 0) {
    cove_autofd net = open_in_root (root->root_fd, "proc/sys/net", O_PATH);
    if (net < 0)
      return cove_throw_errno (error, "open /proc/sys/net in the rootfs");
    if (move_mount (net_tree, "", net, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return cove_throw_errno (error, "bind /proc/sys/net");
  }
  /* absent without CONFIG_MAGIC_SYSRQ */
  if (faccessat (root->root_fd, "proc/sysrq-trigger", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
    return TRUE;
  return bind_ro_over_itself (root, "proc/sysrq-trigger", error);
}

static gboolean
mount_auto_sys (const Root *root, CoveAutoSys mode, GError **error)
{
  const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  cove_autofd sys = -1;
  cove_autofd sys_top = -1;
  cove_autofd net = -1;
  cove_autofd net_tree = -1;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

  sys = open_target (root->root_fd, "sys", COVE_MOUNT_CREATE_DIR, error);
  if (sys < 0)
    return FALSE;
  if (mode != COVE_AUTO_SYS_MIXED)
    return mount_fs_on_fd ("sysfs", sys, "sys", "sysfs",
                           flags | (mode == COVE_AUTO_SYS_RO ? MS_RDONLY : 0), NULL, error);

  /* mixed: a writable clone of devices/virtual/net over a read-only sysfs */
  if (!mount_fs_on_fd ("sysfs", sys, "sys", "sysfs", flags, NULL, error))
    return FALSE;
  net = open_in_root (root->root_fd, "sys/devices/virtual/net", O_PATH);
  if (net >= 0) {
    net_tree = open_tree (net, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (net_tree < 0)
      return cove_throw_errno (error, "bind /sys/devices/virtual/net");
  } else if (errno != ENOENT) {
    return cove_throw_errno (error, "open /sys/devices/virtual/net in the rootfs");
  }
  sys_top = open_in_root (root->root_fd, "sys", O_PATH);
  if (sys_top < 0)
    return cove_throw_errno (error, "open /sys in the rootfs");
  if (mount_setattr (sys_top, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
    return cove_throw_errno (error, "make /sys read-only");
  if (net_tree >= 0) {
    cove_close_fdp (&net);
    net = open_in_root (root->root_fd, "sys/devices/virtual/net", O_PATH);
    if (net < 0)
      return cove_throw_errno (error, "open /sys/devices/virtual/net in the rootfs");
    if (move_mount (net_tree, "", net, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
      return cove_throw_errno (error, "bind /sys/devices/virtual/net");
  }
  return TRUE;
}

static gboolean
setup_mount_auto (const Root *root, GError **error)
{
  const char * const *values = cove_config_get_list (root->setup->config, -1, "mount.auto");
  CoveMountAuto mount_auto = { 0 };
  g_autofree char *joined = g_strjoinv (" ", (char **) values);

  for (const char * const *v = values; *v; v++) {
    g_auto(GStrv) words = g_strsplit_set (*v, " \t", -1);
    for (char **w = words; *w; w++) {
      if (**w != '\0' && cove_mount_auto_apply_word (&mount_auto, *w, error) == NULL) {
        cove_child_prefix_error (error, "lxc.mount.auto", *v);
        return FALSE;
      }
    }
  }
  if ((mount_auto.proc != COVE_AUTO_PROC_NONE && !mount_auto_proc (root, mount_auto.proc, error)) ||
      (mount_auto.sys != COVE_AUTO_SYS_NONE && !mount_auto_sys (root, mount_auto.sys, error))) {
    cove_child_prefix_error (error, "lxc.mount.auto", joined);
    return FALSE;
  }
  return TRUE;
}

/* ---- lxc.mount.entry / lxc.mount.fstab --------------------------------------------- */

static gboolean
is_not_found (const GError *error)
{
  return g_error_matches (error, COVE_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static gboolean
set_propagation (const Root *root, const char *target, unsigned long propagation, GError **error)
{
  struct mount_attr attr = { .propagation = propagation & ~MS_REC };
  cove_autofd fd = open_in_root (root->root_fd, target, O_PATH);

  if (fd < 0)
    return cove_throw_errno (error, "open /%s in the rootfs", target);
  if (mount_setattr (fd, "", AT_EMPTY_PATH | ((propagation & MS_REC) ? AT_RECURSIVE : 0),
                     &attr, sizeof attr) < 0)
    return cove_throw_errno (error, "set the propagation of /%s", target);
  return TRUE;
}

static gboolean
apply_entry_inner (const Root *root, const CoveMountEntry *entry, GError **error)
{
  const char *target = target_in_root (root, entry->target);
  cove_autofd source = -1;
  cove_autofd target_fd = -1;

  if (entry->flags & MS_BIND) {
    source = open (entry->source, O_PATH | O_CLOEXEC);
    if (source < 0)
      return cove_throw_errno (error, "mount %s on /%s", entry->source, target);
  }
  target_fd = open_target (root->root_fd, target, entry->create, error);
  if (target_fd < 0)
    return FALSE;

  if (entry->flags & MS_BIND) {
    if (!bind_fd_on_fd (source, entry->source, target_fd, target, (entry->flags & MS_REC) != 0,
                        entry->flags, entry->clear_flags, error))
      return FALSE;
  } else if (!mount_fs_on_fd (entry->source, target_fd, target, entry->fstype, entry->flags,
                              entry->data, error)) {
    return FALSE;
  }
  if (entry->propagation != 0)
    return set_propagation (root, target, entry->propagation, error);
  return TRUE;
}

static gboolean
apply_entry (const Root *root, const CoveMountEntry *entry, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (apply_entry_inner (root, entry, &local_error))
    return TRUE;
  if (entry->optional && is_not_found (local_error)) {
    cove_info ("optional mount of %s on %s skipped: %s", entry->source, entry->target,
               local_error->message);
    return TRUE;
  }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
setup_mount_fstab (const Root *root, GError **error)
{
  const char *file = cove_config_get_string (root->setup->config, -1, "mount.fstab");
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  struct stat st;

  if (!cove_config_is_set (root->setup->config, -1, "mount.fstab"))
    return TRUE;
  if (stat (file, &st) < 0) {
    cove_throw_errno (error, "%s", file);
    goto fail;
  }
  if (st.st_size > FSTAB_FILE_MAX) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "%s is larger than %d bytes",
                 file, FSTAB_FILE_MAX);
    goto fail;
  }
  if (!g_file_get_contents (file, &contents, NULL, error))
    goto fail;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    CoveMountEntry entry;
    gboolean ok;

    if (cove_fstab_line_is_blank (lines[i]))
      continue;
    if (!cove_mount_entry_parse (lines[i], &entry, error)) {
      g_prefix_error (error, "line %u: ", i + 1);
      goto fail;
    }
    ok = apply_entry (root, &entry, error);
    cove_mount_entry_clear (&entry);
    if (!ok) {
      g_prefix_error (error, "line %u \"%s\": ", i + 1, g_strstrip (lines[i]));
      goto fail;
    }
  }
  return TRUE;

fail:
  cove_child_prefix_error (error, "lxc.mount.fstab", file);
  return FALSE;
}

static gboolean
setup_mount_entries (const Root *root, GError **error)
{
  const char * const *values = cove_config_get_list (root->setup->config, -1, "mount.entry");

  for (const char * const *v = values; *v; v++) {
    CoveMountEntry entry;
    gboolean ok;

    if (!cove_mount_entry_parse (*v, &entry, error)) {
      cove_child_prefix_error (error, "lxc.mount.entry", *v);
      return FALSE;
    }
    ok = apply_entry (root, &entry, error);
    cove_mount_entry_clear (&entry);
    if (!ok) {
      cove_child_prefix_error (error, "lxc.mount.entry", *v);
      return FALSE;
    }
  }
  return TRUE;
}

/* ---- the sequence ------------------------------------------------------------------ */

static gboolean
enter_rootfs (Root *root, GError **error)
{
  struct stat st;

  if (stat (root->rootfs, &st) < 0)
    return cove_throw_errno (error, "%s", root->rootfs);
  if (!S_ISDIR (st.st_mode)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "%s is not a directory",
                 root->rootfs);
    return FALSE;
  }
  if (mount (root->rootfs, root->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return cove_throw_errno (error, "bind %s onto itself", root->rootfs);
  root->root_fd = open (root->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root->root_fd < 0)
    return cove_throw_errno (error, "open %s", root->rootfs);
  return TRUE;
}

static gboolean
pivot_into (const Root *root, GError **error)
{
  if (fchdir (root->root_fd) < 0)
    return cove_throw_errno (error, "chdir %s", root->rootfs);
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return cove_throw_errno (error, "pivot_root");
  /* the old root is now stacked on ".": detach it and all the host's mounts with it */
  if (umount2 (".", MNT_DETACH) < 0)
    return cove_throw_errno (error, "detach the old root");
  if (chdir ("/") < 0)
    return cove_throw_errno (error, "chdir /");
  return TRUE;
}

gboolean
cove_child_setup_rootfs (const CoveChildSetup *setup, GError **error)
{
  CoveConfig *config = setup->config;
  Root root = { setup, setup->rootfs, -1 };
  gboolean ok = FALSE;

  g_return_val_if_fail (setup != NULL && config != NULL, FALSE);
  g_return_val_if_fail (setup->rootfs == NULL || g_path_is_absolute (setup->rootfs), FALSE);

  if (mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
    cove_throw_errno (error, "make / a recursive slave mount");
    cove_child_prefix_error (error, "lxc.rootfs.path", setup->rootfs);
    return FALSE;
  }

  if (root.rootfs != NULL) {
    if (!enter_rootfs (&root, error)) {
      cove_child_prefix_error (error, "lxc.rootfs.path", setup->rootfs);
      goto out;
    }
  } else {
    root.root_fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root.root_fd < 0) {
      cove_throw_errno (error, "open /");
      goto out;
    }
  }

  if (root.rootfs != NULL && cove_config_get_bool (config, -1, "autodev") &&
      !setup_autodev (&root, error)) {
    cove_child_prefix_error (error, "lxc.autodev", cove_config_get_string (config, -1, "autodev"));
    goto out;
  }
  if (!setup_mount_auto (&root, error) || !setup_mount_fstab (&root, error) ||
      !setup_mount_entries (&root, error))
    goto out;

  if (cove_config_is_set (config, -1, "uts.name")) {
    const char *name = cove_config_get_string (config, -1, "uts.name");
    if (sethostname (name, strlen (name)) < 0) {
      cove_throw_errno (error, "sethostname");
      cove_child_prefix_error (error, "lxc.uts.name", name);
      goto out;
    }
  }

  if (root.rootfs != NULL && !pivot_into (&root, error)) {
    cove_child_prefix_error (error, "lxc.rootfs.path", setup->rootfs);
    goto out;
  }
  if (root.rootfs == NULL && chdir ("/") < 0) {
    cove_throw_errno (error, "chdir /");
    goto out;
  }
  ok = TRUE;

out:
  cove_close_fdp (&root.root_fd);
  return ok;
}
