/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mount-inject: mounts into, and unmounts from, a running container (API extensions
 * mount_injection and mount_injection_file; cove_container_mount/_umount in the core
 * dispatch to the monitor commands "mount-inject" and "umount-inject" registered here).
 *
 * In the monitor, on the host side, the mount is built detached: open_tree(OPEN_TREE_CLONE)
 * for a bind (recursive with MS_REC), fsopen/fsconfig/fsmount for a new filesystem, its
 * attributes (ro, nosuid, nodev, noexec, atime, nosymfollow) set before it is ever visible,
 * and made private so that it leaves the peer group of its source. A bad source, type or
 * option fails here, before anything changes in the container. A short-lived helper
 * (fork of the single-threaded monitor) then joins the init's mount namespace through the
 * init's pidfd, resolves the target with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
 * relative to the container's root (a symlink or ".." can never lead out of it), creates it
 * when asked, attaches the mount with move_mount() on the resolved fd and sets the wanted
 * propagation. No tunnel directory and no temporary mount in the host: LXC's
 * lxc.mount.auto = shmounts:… is not needed (the core accepts and ignores it).
 *
 * umount resolves the target the same way and calls umount2() on the resolved file (through
 * the host's /proc/self/fd, opened before joining). What a mount created is remembered per
 * run (path, device and inode): once nothing is mounted on a created target any more, it
 * and the parents created with it are removed again if they are still the same files and
 * empty; what is left when the container stops is removed from its rootfs then.
 *
 * The monitor waits for the helper at most HELPER_TIMEOUT_MS; results travel back as a
 * GVariant on a pipe. Errors: G_IO_ERROR for failed system calls (with the errno's text),
 * COVE_ERROR_NOT_RUNNING when the init is gone (stopping, rebooting), COVE_ERROR_INVALID_ARGUMENT
 * for arguments no system call should see.
 */
#include <cove-plugin.h>
#include <gio/gio.h>   /* GIOErrorEnum only: the plugin does not link GIO */
#include <glib-unix.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

#define PLUGIN_NAME "mount-inject"
#define PATH_MAX_LEN 4095
#define FSTYPE_MAX_LEN 255
#define DATA_MAX_LEN 4095
#define HELPER_TIMEOUT_MS 10000
#define RESULT_MAX (1024 * 1024)
#define CREATED_MAX 4096

#define ATTR_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | \
                    MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW)
#define PROPAGATION_FLAGS (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)
#define SB_FLAGS (MS_SYNCHRONOUS | MS_DIRSYNC | MS_LAZYTIME | MS_MANDLOCK)
#define MOUNT_FLAGS_ALLOWED (MS_BIND | MS_REC | MS_SILENT | ATTR_FLAGS | PROPAGATION_FLAGS | SB_FLAGS)
#define UMOUNT_FLAGS_ALLOWED (MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)

static const char *const mount_inject_extensions[] = {
  "mount_injection", "mount_injection_file", NULL
};

/* ---- errors ------------------------------------------------------------------------- */

#define IO_ERROR (g_quark_from_static_string ("g-io-error-quark"))

/* As the core maps errno to GIOErrorEnum (core/util.c), so callers see one mapping. */
static int
io_error_code (int errsv)
{
  switch (errsv) {
  case EEXIST: return G_IO_ERROR_EXISTS;
  case EISDIR: return G_IO_ERROR_IS_DIRECTORY;
  case EACCES: case EPERM: return G_IO_ERROR_PERMISSION_DENIED;
  case ENAMETOOLONG: return G_IO_ERROR_FILENAME_TOO_LONG;
  case ENOENT: return G_IO_ERROR_NOT_FOUND;
  case ENOTDIR: return G_IO_ERROR_NOT_DIRECTORY;
  case ENXIO: return G_IO_ERROR_NOT_REGULAR_FILE;
  case EROFS: return G_IO_ERROR_READ_ONLY;
  case ELOOP: return G_IO_ERROR_TOO_MANY_LINKS;
  case ENOSPC: case EDQUOT: case ENOMEM: return G_IO_ERROR_NO_SPACE;
  case EINVAL: return G_IO_ERROR_INVALID_ARGUMENT;
  case EBUSY: return G_IO_ERROR_BUSY;
  case EAGAIN: return G_IO_ERROR_WOULD_BLOCK;
  case EMFILE: case ENFILE: return G_IO_ERROR_TOO_MANY_OPEN_FILES;
  case ETIMEDOUT: return G_IO_ERROR_TIMED_OUT;
  case ENOTEMPTY: return G_IO_ERROR_NOT_EMPTY;
  case ENOTSUP: return G_IO_ERROR_NOT_SUPPORTED;
  default: return G_IO_ERROR_FAILED;
  }
}

static gboolean G_GNUC_PRINTF (3, 4)
fail_errno (GError **error, int errsv, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, IO_ERROR, io_error_code (errsv), "%s: %s", what, g_strerror (errsv));
  return FALSE;
}

static void
close_fdp (int *fd)
{
  if (*fd >= 0) {
    int saved = errno;
    close (*fd);
    errno = saved;
    *fd = -1;
  }
}
#define autofd __attribute__((cleanup (close_fdp))) int

/* ---- what a run created ------------------------------------------------------------- */

typedef struct {
  char *path;                 /* relative to the container's root, normalized */
  guint64 dev, ino;           /* the file created */
  guint64 owner_dev, owner_ino; /* the target it was created for */
  gboolean is_dir;
  gboolean released;          /* nothing is mounted on its target any more: remove when possible */
} Created;

typedef struct {
  GPtrArray *created;         /* Created *, in creation order */
} RunData;

static void
created_free (gpointer p)
{
  Created *c = p;
  g_free (c->path);
  g_free (c);
}

static void
run_data_free (gpointer p)
{
  RunData *run = p;
  g_ptr_array_unref (run->created);
  g_free (run);
}

/* ---- resolving inside the container's root (helper side) --------------------------- */

typedef enum {
  STEP_NONE,
  STEP_SETNS,
  STEP_ROOT,
  STEP_OPEN,
  STEP_CREATE,
  STEP_IS_ROOT,
  STEP_ATTACH,
  STEP_PROPAGATION,
  STEP_UMOUNT,
  STEP_LIMIT,
} Step;

typedef struct {
  int err;
  Step step;
  char *detail;               /* the path concerned, relative to the root */
} Failure;

static int
open_in_root (int root_fd, const char *path, int flags)
{
  struct open_how how = {
    .flags = (guint64) (flags | O_CLOEXEC),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd = -1;

  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  /* EAGAIN: a concurrent rename made the in-root check unsure; the kernel asks for a retry */
  for (int attempt = 0; attempt < 16; attempt++) {
    fd = (int) syscall (SYS_openat2, root_fd, path, &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN)
      break;
  }
  return fd;
}

/* "a//b/./c/" → "a/b/c"; ".." stays (resolution keeps it inside the root). */
static char *
normalize_target (const char *target)
{
  g_auto(GStrv) parts = g_strsplit (target, "/", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (char **p = parts; *p; p++) {
    if (**p == '\0' || strcmp (*p, ".") == 0)
      continue;
    if (out->len > 0)
      g_string_append_c (out, '/');
    g_string_append (out, *p);
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static int
fail_at (Failure *f, Step step, const char *detail)
{
  f->err = errno;
  f->step = step;
  g_free (f->detail);
  f->detail = g_strdup (detail);
  return -1;
}

typedef enum { CREATE_NONE, CREATE_DIR, CREATE_FILE } CreateKind;

/* Opens @path (normalized) inside the root (O_PATH). With @create, missing components are
 * created: parents as directories (0755), the last one as a directory or an empty file
 * (0644); each one created is appended to @created (Created *, owner not set yet). */
static int
open_target (int root_fd, const char *path, CreateKind create, int open_flags, GPtrArray *created,
             Failure *f)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) prefix = g_string_new (NULL);
  guint n;
  int fd;

  fd = open_in_root (root_fd, path, O_PATH | open_flags);
  if (fd >= 0 || errno != ENOENT || create == CREATE_NONE) {
    if (fd < 0)
      return fail_at (f, STEP_OPEN, path);
    return fd;
  }

  parts = g_strsplit (path, "/", -1);
  n = g_strv_length (parts);
  for (guint i = 0; i < n; i++) {
    autofd parent = -1;
    g_autofree char *parent_path = g_strndup (prefix->str, prefix->len);
    gboolean last = i + 1 == n;
    gboolean made = FALSE;
    struct stat st;

    if (prefix->len > 0)
      g_string_append_c (prefix, '/');
    g_string_append (prefix, parts[i]);

    fd = open_in_root (root_fd, prefix->str, O_PATH | (last ? open_flags : 0));
    if (fd >= 0) {
      if (last)
        return fd;
      close (fd);
      continue;
    }
    if (errno != ENOENT)
      return fail_at (f, STEP_OPEN, prefix->str);
    if (created->len >= CREATED_MAX) {
      errno = ENOSPC;
      return fail_at (f, STEP_LIMIT, prefix->str);
    }

    parent = open_in_root (root_fd, parent_path, O_PATH | O_DIRECTORY);
    if (parent < 0)
      return fail_at (f, STEP_OPEN, *parent_path ? parent_path : "/");
    if (last && create == CREATE_FILE) {
      /* O_EXCL never follows a symlink; one that appeared meanwhile is resolved in-root below */
      int file = openat (parent, parts[i], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (file < 0 && errno != EEXIST)
        return fail_at (f, STEP_CREATE, prefix->str);
      if (file >= 0) {
        made = TRUE;
        close (file);
      }
    } else if (mkdirat (parent, parts[i], 0755) == 0) {
      made = TRUE;
    } else if (errno != EEXIST) {
      return fail_at (f, STEP_CREATE, prefix->str);
    }
    if (made && fstatat (parent, parts[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
      Created *c = g_new0 (Created, 1);
      c->path = g_strdup (prefix->str);
      c->dev = st.st_dev;
      c->ino = st.st_ino;
      c->is_dir = S_ISDIR (st.st_mode);
      g_ptr_array_add (created, c);
    }

    fd = open_in_root (root_fd, prefix->str, O_PATH | (last ? open_flags : 0));
    if (fd < 0)
      return fail_at (f, STEP_OPEN, prefix->str);
    if (last)
      return fd;
    close (fd);
  }
  /* the root itself ("" or only "." components) */
  fd = open_in_root (root_fd, ".", O_PATH);
  if (fd < 0)
    return fail_at (f, STEP_OPEN, "/");
  return fd;
}

typedef enum { REMOVE_KEEP, REMOVE_RETRY, REMOVE_DONE } RemoveResult;

/* Removes a created file or directory if it is still the one created (device and inode)
 * and empty; REMOVE_RETRY if it is in use (not empty, a mount point), REMOVE_DONE if it is
 * gone or no longer ours (forget it). */
static RemoveResult
remove_created (int root_fd, const Created *c)
{
  g_autofree char *parent_path = g_path_get_dirname (c->path);
  g_autofree char *name = g_path_get_basename (c->path);
  autofd parent = -1;
  struct stat st;

  parent = open_in_root (root_fd, strcmp (parent_path, ".") == 0 ? "" : parent_path, O_PATH | O_DIRECTORY);
  if (parent < 0)
    return errno == ENOENT || errno == ENOTDIR ? REMOVE_DONE : REMOVE_RETRY;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? REMOVE_DONE : REMOVE_RETRY;
  if ((guint64) st.st_dev != c->dev || (guint64) st.st_ino != c->ino ||
      (c->is_dir ? !S_ISDIR (st.st_mode) : !S_ISREG (st.st_mode)))
    return REMOVE_DONE;
  if (!c->is_dir && st.st_size != 0)
    return REMOVE_DONE;   /* someone wrote to it: keep their data */
  if (unlinkat (parent, name, c->is_dir ? AT_REMOVEDIR : 0) == 0)
    return REMOVE_DONE;
  return errno == ENOENT ? REMOVE_DONE : REMOVE_RETRY;
}

static guint
path_depth (const char *path)
{
  guint depth = 1;
  for (; *path; path++)
    depth += *path == '/';
  return depth;
}

static gint
compare_depth_desc (gconstpointer a, gconstpointer b, gpointer user_data)
{
  GPtrArray *entries = user_data;
  const Created *ca = g_ptr_array_index (entries, *(const guint *) a);
  const Created *cb = g_ptr_array_index (entries, *(const guint *) b);
  guint da = path_depth (ca->path), db = path_depth (cb->path);

  if (da != db)
    return da > db ? -1 : 1;
  /* later creations first at equal depth */
  return *(const guint *) a > *(const guint *) b ? -1 : 1;
}

/* Tries to remove every entry marked in @want (deepest first); @result[i] gets the
 * RemoveResult of the ones tried. */
static void
remove_entries (int root_fd, GPtrArray *entries, const gboolean *want, guint8 *result)
{
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < entries->len; i++)
    if (want[i])
      g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_depth_desc, entries);
  for (guint k = 0; k < order->len; k++) {
    guint i = g_array_index (order, guint, k);
    result[i] = remove_created (root_fd, g_ptr_array_index (entries, i));
  }
}

static gboolean
is_same_file (int a, int b, gboolean *same)
{
  struct statx sa, sb;

  if (statx (a, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sa) < 0 ||
      statx (b, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sb) < 0)
    return FALSE;
  *same = sa.stx_ino == sb.stx_ino && sa.stx_dev_major == sb.stx_dev_major &&
          sa.stx_dev_minor == sb.stx_dev_minor &&
          (!(sa.stx_mask & sb.stx_mask & STATX_MNT_ID) || sa.stx_mnt_id == sb.stx_mnt_id);
  return TRUE;
}

/* ---- the helper process ------------------------------------------------------------- */

typedef GVariant *(*HelperFunc) (gpointer job);

static void
close_all_but (const int *keep, guint n_keep)
{
  int sorted[8];
  guint n = 0;
  unsigned int from = 3;

  for (guint i = 0; i < n_keep && n < G_N_ELEMENTS (sorted); i++)
    if (keep[i] >= 3)
      sorted[n++] = keep[i];
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
      int t = sorted[j];
      sorted[j] = sorted[j - 1];
      sorted[j - 1] = t;
    }
  for (guint i = 0; i < n; i++) {
    if ((unsigned int) sorted[i] > from)
      close_range (from, sorted[i] - 1, 0);
    from = MAX (from, (unsigned int) sorted[i] + 1);
  }
  close_range (from, ~0U, 0);
}

static gboolean
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0) {
    ssize_t n = write (fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}

static gboolean
on_helper_exit (int fd, GIOCondition condition, gpointer user_data)
{
  siginfo_t info;

  waitid (P_PIDFD, fd, &info, WEXITED | WNOHANG);
  close (fd);
  return G_SOURCE_REMOVE;
}

/* Reaps a killed helper now, or later from the main loop if the kernel keeps it (a helper
 * stuck in an uninterruptible wait), so the monitor never blocks on it. */
static void
reap_later (pid_t pid)
{
  int pidfd;

  if (waitpid (pid, NULL, WNOHANG) == pid)
    return;
  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd >= 0)
    g_unix_fd_add (pidfd, G_IO_IN, on_helper_exit, NULL);
}

/* Forks a helper that runs @func (@keep: the fds it needs) and returns its result, a
 * GVariant of @type, within HELPER_TIMEOUT_MS. The monitor is single-threaded, so the
 * fork is a plain copy. */
static GVariant *
run_helper (HelperFunc func, gpointer job, const int *keep, guint n_keep, const GVariantType *type,
            GError **error)
{
  int pipe_fds[2];
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + HELPER_TIMEOUT_MS * (gint64) 1000;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) raw = NULL;
  int wstatus = 0;
  pid_t pid;

  if (pipe2 (pipe_fds, O_CLOEXEC) < 0) {
    fail_errno (error, errno, "pipe");
    return NULL;
  }
  pid = fork ();
  if (pid < 0) {
    int errsv = errno;
    close (pipe_fds[0]);
    close (pipe_fds[1]);
    fail_errno (error, errsv, "fork the mount helper");
    return NULL;
  }
  if (pid == 0) {
    int all_keep[8];
    guint n = 0;
    g_autoptr(GVariant) result = NULL;

    for (guint i = 0; i < n_keep && n < G_N_ELEMENTS (all_keep) - 1; i++)
      all_keep[n++] = keep[i];
    all_keep[n++] = pipe_fds[1];
    close_all_but (all_keep, n);
    result = g_variant_ref_sink (func (job));
    if (!write_all (pipe_fds[1], g_variant_get_data (result), g_variant_get_size (result)))
      _exit (1);
    _exit (0);
  }
  close (pipe_fds[1]);

  for (;;) {
    struct pollfd p = { pipe_fds[0], POLLIN, 0 };
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
    guint8 chunk[4096];
    ssize_t n;
    int r;

    if (left <= 0) {
      close (pipe_fds[0]);
      kill (pid, SIGKILL);
      reap_later (pid);
      g_set_error (error, COVE_ERROR, COVE_ERROR_TIMEOUT,
                   "the mount helper did not finish within %d s; killed", HELPER_TIMEOUT_MS / 1000);
      return NULL;
    }
    r = poll (&p, 1, (int) MIN (left, G_MAXINT));
    if (r < 0 && errno != EINTR) {
      int errsv = errno;
      close (pipe_fds[0]);
      kill (pid, SIGKILL);
      reap_later (pid);
      fail_errno (error, errsv, "wait for the mount helper");
      return NULL;
    }
    if (r <= 0)
      continue;
    n = read (pipe_fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    if (buf->len + n > RESULT_MAX) {
      close (pipe_fds[0]);
      kill (pid, SIGKILL);
      reap_later (pid);
      g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "the mount helper's reply is too large");
      return NULL;
    }
    g_byte_array_append (buf, chunk, n);
  }
  close (pipe_fds[0]);
  /* EOF: the helper has exited or is exiting */
  while (waitpid (pid, &wstatus, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED (wstatus) || WEXITSTATUS (wstatus) != 0 || buf->len == 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "the mount helper failed (%s %d)",
                 WIFSIGNALED (wstatus) ? "signal" : "status",
                 WIFSIGNALED (wstatus) ? WTERMSIG (wstatus) : WEXITSTATUS (wstatus));
    return NULL;
  }
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&buf));
  raw = g_variant_ref_sink (g_variant_new_from_bytes (type, bytes, FALSE));
  return g_variant_get_normal_form (raw);
}

/* ---- monitor side: checks ----------------------------------------------------------- */

static gboolean
check_running (CoveCommandContext *ctx, GError **error)
{
  CoveState state = cove_command_context_get_state (ctx);

  if (state != COVE_STATE_RUNNING || cove_command_context_get_init_pidfd (ctx) < 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING, "container \"%s\" is not running (%s)",
                 cove_command_context_get_container_name (ctx),
                 state == COVE_STATE_RUNNING ? "no init" : cove_state_to_string (state));
    return FALSE;
  }
  return TRUE;
}

/* Joining a user namespace and mapping the mount (MOUNT_ATTR_IDMAP) is not implemented:
 * refuse rather than inject a mount owned by the wrong ids. */
static gboolean
check_same_userns (CoveCommandContext *ctx, GError **error)
{
  g_autofree char *theirs = g_strdup_printf ("/proc/%d/ns/user", (int) cove_command_context_get_init_pid (ctx));
  struct stat a, b;

  if (stat ("/proc/self/ns/user", &a) < 0 || stat (theirs, &b) < 0)
    return TRUE;   /* no /proc: nothing to compare; setns will tell */
  if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    return TRUE;
  g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED,
               "the container runs in its own user namespace; mounting into it is not supported yet");
  return FALSE;
}

static gboolean
check_length (const char *what, const char *value, gsize max, GError **error)
{
  if (strlen (value) <= max)
    return TRUE;
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "the %s is longer than %" G_GSIZE_FORMAT " bytes",
               what, max);
  return FALSE;
}

static gboolean
check_target (const char *target, GError **error)
{
  g_autofree char *normal = NULL;

  if (!check_length ("target", target, PATH_MAX_LEN, error))
    return FALSE;
  normal = normalize_target (target);
  if (*normal == '\0') {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "the target \"%s\" is the container's root", target);
    return FALSE;
  }
  return TRUE;
}

/* ---- monitor side: building the mount ---------------------------------------------- */

static void
attr_from_flags (unsigned long flags, struct mount_attr *attr)
{
  static const struct { unsigned long ms; guint64 attr; } map[] = {
    { MS_RDONLY, MOUNT_ATTR_RDONLY }, { MS_NOSUID, MOUNT_ATTR_NOSUID },
    { MS_NODEV, MOUNT_ATTR_NODEV }, { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
    { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
  };

  memset (attr, 0, sizeof *attr);
  for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
    if (flags & map[i].ms)
      attr->attr_set |= map[i].attr;
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

static unsigned long
propagation_of (unsigned long flags)
{
  return flags & PROPAGATION_FLAGS;
}

/* The messages the kernel logged on a filesystem context ("e tmpfs: Bad value for 'size'"). */
static char *
fs_context_log (int fsfd)
{
  g_autoptr(GString) out = g_string_new (NULL);
  char buf[512];
  ssize_t n;

  for (int i = 0; i < 16 && (n = read (fsfd, buf, sizeof buf - 1)) > 0; i++) {
    buf[n] = '\0';
    g_strchomp (buf);
    if (out->len > 0)
      g_string_append (out, "; ");
    g_string_append (out, buf[1] == ' ' && strchr ("ewi", buf[0]) ? buf + 2 : buf);
  }
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static gboolean G_GNUC_PRINTF (4, 5)
fail_fs (GError **error, int errsv, int fsfd, const char *format, ...)
{
  g_autofree char *what = NULL;
  g_autofree char *log = fs_context_log (fsfd);
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (log != NULL)
    g_set_error (error, IO_ERROR, io_error_code (errsv), "%s: %s (%s)", what, g_strerror (errsv), log);
  else
    g_set_error (error, IO_ERROR, io_error_code (errsv), "%s: %s", what, g_strerror (errsv));
  return FALSE;
}

static int
build_new_fs (const char *source, const char *fstype, unsigned long flags, const char *data,
              GError **error)
{
  static const struct { unsigned long ms; const char *param; } sb_params[] = {
    { MS_RDONLY, "ro" }, { MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" },
    { MS_LAZYTIME, "lazytime" }, { MS_MANDLOCK, "mand" },
  };
  autofd fsfd = -1;
  struct mount_attr attr;
  g_auto(GStrv) options = NULL;
  int mnt;

  fsfd = fsopen (fstype, FSOPEN_CLOEXEC);
  if (fsfd < 0) {
    if (errno == ENODEV)
      g_set_error (error, IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "unknown filesystem type \"%s\": %s", fstype, g_strerror (ENODEV));
    else
      fail_errno (error, errno, "fsopen %s", fstype);
    return -1;
  }
  if (*source != '\0' && fsconfig (fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0) {
    fail_fs (error, errno, fsfd, "%s: source \"%s\"", fstype, source);
    return -1;
  }
  options = g_strsplit (data, ",", -1);
  for (char **o = options; *o; o++) {
    char *eq;
    int r;

    if (**o == '\0')
      continue;
    eq = strchr (*o, '=');
    if (eq != NULL) {
      *eq = '\0';
      r = fsconfig (fsfd, FSCONFIG_SET_STRING, *o, eq + 1, 0);
      if (r < 0) {
        int errsv = errno;
        *eq = '=';
        fail_fs (error, errsv, fsfd, "%s: option \"%s\"", fstype, *o);
        return -1;
      }
    } else if (fsconfig (fsfd, FSCONFIG_SET_FLAG, *o, NULL, 0) < 0) {
      fail_fs (error, errno, fsfd, "%s: option \"%s\"", fstype, *o);
      return -1;
    }
  }
  for (gsize i = 0; i < G_N_ELEMENTS (sb_params); i++) {
    if ((flags & sb_params[i].ms) && fsconfig (fsfd, FSCONFIG_SET_FLAG, sb_params[i].param, NULL, 0) < 0) {
      fail_fs (error, errno, fsfd, "%s: option \"%s\"", fstype, sb_params[i].param);
      return -1;
    }
  }
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
    fail_fs (error, errno, fsfd, "create a %s filesystem", fstype);
    return -1;
  }
  attr_from_flags (flags, &attr);
  mnt = fsmount (fsfd, FSMOUNT_CLOEXEC, (unsigned int) attr.attr_set);
  if (mnt < 0) {
    fail_fs (error, errno, fsfd, "mount the new %s filesystem", fstype);
    return -1;
  }
  return mnt;
}

static int
build_bind (const char *source, unsigned long flags, GError **error)
{
  gboolean recursive = (flags & MS_REC) != 0;
  struct mount_attr attr;
  autofd tree = -1;

  tree = open_tree (AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
  if (tree < 0) {
    fail_errno (error, errno, "bind source %s", source);
    return -1;
  }
  attr_from_flags (flags, &attr);
  if ((attr.attr_set | attr.attr_clr) != 0 &&
      mount_setattr (tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0) {
    fail_errno (error, errno, "set the flags of the bind of %s", source);
    return -1;
  }
  return g_steal_fd (&tree);
}

/* Checks the arguments and builds the detached mount; -1 with @error before anything in
 * the container is touched. */
static int
build_mount (const char *source, const char *fstype, unsigned long flags, const char *data,
             gboolean *is_dir, GError **error)
{
  unsigned long propagation = propagation_of (flags);
  struct mount_attr prop = { 0 };
  struct statx stx;
  autofd mnt = -1;

  if (flags & ~(unsigned long) MOUNT_FLAGS_ALLOWED) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "unsupported mount flags 0x%lx (MS_MOVE, MS_REMOUNT and others are not injections)",
                 flags & ~(unsigned long) MOUNT_FLAGS_ALLOWED);
    return -1;
  }
  if (propagation != 0 && (propagation & (propagation - 1)) != 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "more than one propagation flag (MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE)");
    return -1;
  }
  if (!check_length ("source", source, PATH_MAX_LEN, error) ||
      !check_length ("filesystem type", fstype, FSTYPE_MAX_LEN, error) ||
      !check_length ("mount data", data, DATA_MAX_LEN, error))
    return -1;

  if (flags & MS_BIND) {
    if (flags & SB_FLAGS) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                   "MS_SYNCHRONOUS, MS_DIRSYNC, MS_LAZYTIME and MS_MANDLOCK apply to a new "
                   "filesystem, not to a bind");
      return -1;
    }
    if (!g_path_is_absolute (source)) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                   "the source of a bind must be an absolute host path, not \"%s\"", source);
      return -1;
    }
    mnt = build_bind (source, flags, error);
  } else {
    if (*fstype == '\0') {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                   "neither MS_BIND nor a filesystem type: nothing to mount");
      return -1;
    }
    mnt = build_new_fs (source, fstype, flags, data, error);
  }
  if (mnt < 0)
    return -1;

  /* leave the source's peer group: nothing mounted later on either side may cross over
   * (a wanted slave stays a slave of that group) */
  prop.propagation = propagation == MS_SLAVE ? MS_SLAVE : MS_PRIVATE;
  if (mount_setattr (mnt, "", AT_EMPTY_PATH | ((flags & MS_REC) ? AT_RECURSIVE : 0), &prop, sizeof prop) < 0) {
    fail_errno (error, errno, "set the propagation of the new mount");
    return -1;
  }
  if (statx (mnt, "", AT_EMPTY_PATH, STATX_TYPE, &stx) < 0) {
    fail_errno (error, errno, "statx the new mount");
    return -1;
  }
  *is_dir = S_ISDIR (stx.stx_mode);
  return g_steal_fd (&mnt);
}

/* ---- the helpers' work ------------------------------------------------------------- */

typedef struct {
  int init_pidfd;
  int proc_fd;                /* the host's /proc, for umount2 by fd */
  int tree_fd;
  const char *target;         /* normalized */
  CreateKind create;
  gboolean recursive;
  unsigned long propagation;  /* after attaching: the wanted one, or MS_PRIVATE */
} MountJob;

#define MOUNT_RESULT_TYPE "(iisa(ttbs))"

static GVariant *
mount_result (const Failure *f, GPtrArray *created)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(ttbs)"));
  for (guint i = 0; created && i < created->len; i++) {
    const Created *c = g_ptr_array_index (created, i);
    g_variant_builder_add (&b, "(ttbs)", c->dev, c->ino, c->is_dir, c->path);
  }
  return g_variant_new ("(ii" "s@a(ttbs))", f->err, (gint32) f->step, f->detail ? f->detail : "",
                        g_variant_builder_end (&b));
}

static void
undo_created (int root_fd, GPtrArray *created)
{
  for (guint i = created->len; i > 0; i--)
    remove_created (root_fd, g_ptr_array_index (created, i - 1));
  g_ptr_array_set_size (created, 0);
}

static GVariant *
mount_helper (gpointer data)
{
  MountJob *job = data;
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (created_free);
  Failure f = { 0, STEP_NONE, NULL };
  autofd root = -1;
  autofd target = -1;
  struct mount_attr prop = { .propagation = job->propagation };
  gboolean same = FALSE;
  char path[64];

  if (setns (job->init_pidfd, CLONE_NEWNS) < 0) {
    fail_at (&f, STEP_SETNS, "");
    return mount_result (&f, NULL);
  }
  /* setns put us at the root of the container's mount namespace */
  root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    fail_at (&f, STEP_ROOT, "");
    return mount_result (&f, NULL);
  }
  target = open_target (root, job->target, job->create, 0, created, &f);
  if (target < 0) {
    undo_created (root, created);
    return mount_result (&f, NULL);
  }
  if (is_same_file (root, target, &same) && same) {
    errno = EBUSY;
    fail_at (&f, STEP_IS_ROOT, job->target);
    return mount_result (&f, NULL);
  }
  if (move_mount (job->tree_fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
    fail_at (&f, STEP_ATTACH, job->target);
    close_fdp (&target);
    undo_created (root, created);
    return mount_result (&f, NULL);
  }
  /* attached under a shared parent, it joined a new peer group: set what was asked */
  if (mount_setattr (job->tree_fd, "", AT_EMPTY_PATH | (job->recursive ? AT_RECURSIVE : 0),
                     &prop, sizeof prop) < 0) {
    fail_at (&f, STEP_PROPAGATION, job->target);
    g_snprintf (path, sizeof path, "self/fd/%d", job->tree_fd);
    if (fchdir (job->proc_fd) == 0)
      umount2 (path, MNT_DETACH);
    close_fdp (&target);
    undo_created (root, created);
    return mount_result (&f, NULL);
  }
  return mount_result (&f, created);
}

typedef struct {
  int init_pidfd;
  const char *target;         /* normalized */
  unsigned long flags;
  GPtrArray *created;         /* the run's Created entries (a copy in the helper) */
} UmountJob;

#define UMOUNT_RESULT_TYPE "(iisay)"

static GVariant *
umount_result (const Failure *f, const guint8 *status, guint n)
{
  return g_variant_new ("(iis@ay)", f->err, (gint32) f->step, f->detail ? f->detail : "",
                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, status ? status : (const guint8 *) "",
                                                   status ? n : 0, 1));
}

/* Per entry: REMOVE_KEEP (untouched), REMOVE_RETRY (released, still there), REMOVE_DONE. */
static GVariant *
umount_helper (gpointer data)
{
  UmountJob *job = data;
  guint n = job->created->len;
  g_autofree guint8 *status = g_new0 (guint8, MAX (n, 1));
  g_autofree gboolean *want = g_new0 (gboolean, MAX (n, 1));
  Failure f = { 0, STEP_NONE, NULL };
  autofd root = -1;
  autofd target = -1;
  g_autofree char *abs = NULL;
  gboolean same = FALSE;
  struct statx stx;

  if (setns (job->init_pidfd, CLONE_NEWNS) < 0) {
    fail_at (&f, STEP_SETNS, "");
    return umount_result (&f, NULL, 0);
  }
  root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    fail_at (&f, STEP_ROOT, "");
    return umount_result (&f, NULL, 0);
  }
  target = open_in_root (root, job->target, O_PATH | ((job->flags & UMOUNT_NOFOLLOW) ? O_NOFOLLOW : 0));
  if (target < 0) {
    fail_at (&f, STEP_OPEN, job->target);
    return umount_result (&f, NULL, 0);
  }
  if (is_same_file (root, target, &same) && same) {
    errno = EBUSY;
    fail_at (&f, STEP_IS_ROOT, job->target);
    return umount_result (&f, NULL, 0);
  }
  /* An fd (or a cwd) on the target would pin the mount (EBUSY): umount2 gets the path, and
   * resolves it with the container's root as ours (setns), so it cannot leave the root
   * either; whatever it finds is in the container's own mount namespace. The check above
   * refused magic links and the root itself. */
  close_fdp (&target);
  abs = g_strconcat ("/", job->target, NULL);
  if (umount2 (abs, (int) job->flags) < 0) {
    fail_at (&f, STEP_UMOUNT, job->target);
    return umount_result (&f, NULL, 0);
  }
  /* what is there now: if nothing is mounted on it any more, release what was created for it */
  target = open_in_root (root, job->target, O_PATH | O_NOFOLLOW);
  if (target >= 0 && statx (target, "", AT_EMPTY_PATH, STATX_INO, &stx) == 0 &&
      (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
    guint64 dev = makedev (stx.stx_dev_major, stx.stx_dev_minor);
    for (guint i = 0; i < n; i++) {
      Created *c = g_ptr_array_index (job->created, i);
      if (c->owner_dev == dev && c->owner_ino == stx.stx_ino)
        c->released = TRUE;
    }
  }
  for (guint i = 0; i < n; i++)
    want[i] = ((Created *) g_ptr_array_index (job->created, i))->released;
  remove_entries (root, job->created, want, status);
  for (guint i = 0; i < n; i++)
    if (want[i] && status[i] == REMOVE_KEEP)
      status[i] = REMOVE_RETRY;
  return umount_result (&f, status, n);
}

/* ---- monitor side: the commands ---------------------------------------------------- */

static gboolean
helper_error (CoveCommandContext *ctx, const char *op, int err, Step step, const char *detail,
              GError **error)
{
  const char *shown = *detail ? detail : "";

  switch (step) {
  case STEP_SETNS:
    if (err == ESRCH) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING,
                   "container \"%s\" is not running (its init has exited: stopping or rebooting)",
                   cove_command_context_get_container_name (ctx));
      return FALSE;
    }
    return fail_errno (error, err, "join the container's mount namespace");
  case STEP_ROOT:
    return fail_errno (error, err, "open the container's root");
  case STEP_OPEN:
    if (err == ENOENT && g_str_equal (op, "mount"))
      return fail_errno (error, err, "/%s does not exist in the container (COVE_MOUNT_CREATE, "
                         "cove mount --create, creates it)", shown);
    return fail_errno (error, err, "open /%s in the container", shown);
  case STEP_CREATE:
    return fail_errno (error, err, "create /%s in the container", shown);
  case STEP_LIMIT:
    return fail_errno (error, err, "too many targets created in this run (at most %d)", CREATED_MAX);
  case STEP_IS_ROOT:
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "/%s resolves to the container's root", shown);
    return FALSE;
  case STEP_ATTACH:
    return fail_errno (error, err, "attach the mount on /%s", shown);
  case STEP_PROPAGATION:
    return fail_errno (error, err, "set the propagation of the mount on /%s (undone)", shown);
  case STEP_UMOUNT:
    return fail_errno (error, err, "umount2");
  case STEP_NONE:
  default:
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "%s helper failed", op);
    return FALSE;
  }
}

static int
open_host_proc (GError **error)
{
  int fd = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    fail_errno (error, errno, "open /proc");
  return fd;
}

static GVariant *
cmd_mount (CoveCommandContext *ctx, GVariant *args, gpointer user_data, GError **error)
{
  RunData *run = cove_command_context_get_data (ctx);
  const char *source, *target, *fstype, *data;
  guint64 flags64;
  guint32 cove_flags;
  unsigned long flags;
  g_autofree char *normal = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GVariant) entries = NULL;
  autofd mnt = -1;
  autofd proc = -1;
  gboolean is_dir = TRUE;
  MountJob job;
  const char *detail;
  gint32 err, step;
  int keep[3];

  if (!g_variant_is_of_type (args, G_VARIANT_TYPE ("(ssstsu)"))) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "mount-inject takes (ssstsu)");
    return NULL;
  }
  g_variant_get (args, "(&s&s&st&su)", &source, &target, &fstype, &flags64, &data, &cove_flags);
  flags = (unsigned long) flags64;
  if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
    flags &= ~MS_MGC_MSK;
  if ((cove_flags & ~COVE_MOUNT_CREATE) != 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "unknown CoveMountFlags 0x%x",
                 cove_flags & ~COVE_MOUNT_CREATE);
    return NULL;
  }
  if (!check_running (ctx, error) || !check_target (target, error) || !check_same_userns (ctx, error))
    return NULL;
  if ((cove_flags & COVE_MOUNT_CREATE) && run == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "no run data: cannot record created targets");
    return NULL;
  }

  /* everything that can fail for the source, type or options fails here, on the host */
  mnt = build_mount (source, fstype, flags, data, &is_dir, error);
  if (mnt < 0)
    return NULL;
  proc = open_host_proc (error);
  if (proc < 0)
    return NULL;

  normal = normalize_target (target);
  job.init_pidfd = cove_command_context_get_init_pidfd (ctx);
  job.proc_fd = proc;
  job.tree_fd = mnt;
  job.target = normal;
  job.create = !(cove_flags & COVE_MOUNT_CREATE) ? CREATE_NONE : is_dir ? CREATE_DIR : CREATE_FILE;
  job.recursive = (flags & MS_REC) != 0;
  job.propagation = propagation_of (flags) ? propagation_of (flags) : MS_PRIVATE;
  keep[0] = job.init_pidfd;
  keep[1] = proc;
  keep[2] = mnt;
  result = run_helper (mount_helper, &job, keep, G_N_ELEMENTS (keep), G_VARIANT_TYPE (MOUNT_RESULT_TYPE), error);
  if (result == NULL)
    return NULL;
  g_variant_get (result, "(ii&s@a(ttbs))", &err, &step, &detail, &entries);
  if (step != STEP_NONE) {
    helper_error (ctx, "mount", err, step, detail, error);
    return NULL;
  }
  if (run != NULL) {
    gsize n = g_variant_n_children (entries);
    guint64 owner_dev = 0, owner_ino = 0;

    if (n > 0)
      g_variant_get_child (entries, n - 1, "(ttb&s)", &owner_dev, &owner_ino, NULL, NULL);
    for (gsize i = 0; i < n; i++) {
      Created *c = g_new0 (Created, 1);
      g_variant_get_child (entries, i, "(ttbs)", &c->dev, &c->ino, &c->is_dir, &c->path);
      c->owner_dev = owner_dev;
      c->owner_ino = owner_ino;
      g_ptr_array_add (run->created, c);
    }
  }
  return g_variant_new ("()");
}

static GVariant *
cmd_umount (CoveCommandContext *ctx, GVariant *args, gpointer user_data, GError **error)
{
  RunData *run = cove_command_context_get_data (ctx);
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *normal = NULL;
  const char *target, *detail;
  guint64 flags;
  UmountJob job;
  gint32 err, step;
  int keep[1];

  if (!g_variant_is_of_type (args, G_VARIANT_TYPE ("(st)"))) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "umount-inject takes (st)");
    return NULL;
  }
  g_variant_get (args, "(&st)", &target, &flags);
  if (flags & ~(guint64) UMOUNT_FLAGS_ALLOWED) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "unsupported umount flags 0x%" G_GINT64_MODIFIER "x (MNT_FORCE, MNT_DETACH, "
                 "MNT_EXPIRE and UMOUNT_NOFOLLOW are)", flags & ~(guint64) UMOUNT_FLAGS_ALLOWED);
    return NULL;
  }
  if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH))) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "MNT_EXPIRE cannot be combined with MNT_FORCE or MNT_DETACH");
    return NULL;
  }
  if (!check_running (ctx, error) || !check_target (target, error) || !check_same_userns (ctx, error))
    return NULL;

  normal = normalize_target (target);
  job.init_pidfd = cove_command_context_get_init_pidfd (ctx);
  job.target = normal;
  job.flags = (unsigned long) flags;
  job.created = run ? run->created : none;
  keep[0] = job.init_pidfd;
  result = run_helper (umount_helper, &job, keep, G_N_ELEMENTS (keep), G_VARIANT_TYPE (UMOUNT_RESULT_TYPE), error);
  if (result == NULL)
    return NULL;
  g_variant_get (result, "(ii&s@ay)", &err, &step, &detail, &status);
  if (step != STEP_NONE) {
    helper_error (ctx, "umount", err, step, detail, error);
    return NULL;
  }
  if (run != NULL) {
    gsize n;
    const guint8 *st = g_variant_get_fixed_array (status, &n, 1);

    /* the helper worked on a copy: apply what it did, last index first */
    for (gsize i = MIN (n, run->created->len); i > 0; i--) {
      Created *c = g_ptr_array_index (run->created, i - 1);
      if (st[i - 1] == REMOVE_DONE)
        g_ptr_array_remove_index (run->created, i - 1);
      else if (st[i - 1] == REMOVE_RETRY)
        c->released = TRUE;
    }
  }
  return g_variant_new ("()");
}

/* ---- hooks ------------------------------------------------------------------------- */

static gboolean
on_pre_start (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  RunData *run = g_new0 (RunData, 1);

  run->created = g_ptr_array_new_with_free_func (created_free);
  cove_hook_context_set_data (ctx, run, run_data_free);
  return TRUE;
}

/* The container's mount namespace is gone: remove what is left of the created targets
 * from its rootfs (the same files only, and only when empty). */
static gboolean
on_post_stop (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  RunData *run = cove_hook_context_get_data (ctx);
  const char *rootfs = cove_hook_context_get_rootfs (ctx);
  g_autofree gboolean *want = NULL;
  g_autofree guint8 *status = NULL;
  autofd root = -1;

  if (run == NULL || run->created->len == 0)
    return TRUE;
  root = open (rootfs ? rootfs : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return fail_errno (error, errno, "open %s to remove created mount targets", rootfs ? rootfs : "/");
  want = g_new (gboolean, run->created->len);
  status = g_new0 (guint8, run->created->len);
  for (guint i = 0; i < run->created->len; i++)
    want[i] = TRUE;
  remove_entries (root, run->created, want, status);
  g_ptr_array_set_size (run->created, 0);
  return TRUE;
}

/* ---- registration ------------------------------------------------------------------ */

static gboolean
kernel_supports (const char *what, long nr, GError **error)
{
  /* invalid arguments: EBADF/EINVAL/EFAULT when the call exists */
  if (syscall (nr, -1, NULL, 0, NULL, 0) < 0 && errno == ENOSYS) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED, "the kernel lacks %s", what);
    return FALSE;
  }
  return TRUE;
}

static gboolean
mount_inject_init (CovePlugin *plugin, GError **error)
{
  return kernel_supports ("mount_setattr (Linux 5.12)", SYS_mount_setattr, error) &&
         kernel_supports ("openat2 (Linux 5.6)", SYS_openat2, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_PRE_START, 0, on_pre_start, NULL, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_POST_STOP, 0, on_post_stop, NULL, error) &&
         cove_plugin_add_command (plugin, "mount-inject", cmd_mount, NULL, error) &&
         cove_plugin_add_command (plugin, "umount-inject", cmd_umount, NULL, error);
}

COVE_PLUGIN_DEFINE (PLUGIN_NAME, "0.1.0", "LGPL-2.1-or-later",
                    "Mount into and unmount from running containers (new mount API)",
                    mount_inject_extensions, mount_inject_init);
