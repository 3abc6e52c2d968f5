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
 * option fails here, before anything changes in the container. A short-lived helper (a
 * CLONE_VM clone of the single-threaded monitor on a stack of its own: no copy of the
 * monitor's memory, a fraction of a fork's cost) then joins the init's mount namespace
 * through the init's pidfd, resolves the target with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) relative to the container's root (a symlink or ".." can never
 * lead out of it), creates it when asked, attaches the mount with move_mount() on the
 * resolved fd and sets the wanted propagation. No tunnel directory and no temporary mount
 * in the host: LXC's lxc.mount.auto = shmounts:… is not needed (the core accepts and
 * ignores it).
 *
 * umount resolves the target the same way (refusing magic links and the root itself),
 * then calls umount2() with the path: an open fd would pin the mount, and with the
 * container's root as the helper's root the path cannot leave it either. What a mount
 * created is remembered per run (path, device and inode): once nothing is mounted on a
 * created target any more, it and the parents created with it are removed again if they
 * are still the same files and empty; what is left when the container stops is removed
 * from its rootfs then.
 *
 * The monitor waits for the helper (its pidfd) at most HELPER_TIMEOUT_MS; the helper
 * leaves its results in the memory the two share. Errors: G_IO_ERROR for failed system
 * calls (with the errno's text), COVE_ERROR_NOT_RUNNING when the init is gone (stopping,
 * rebooting), COVE_ERROR_INVALID_ARGUMENT for arguments no system call should see.
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

#define fail_errno cove_set_error_from_errno

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
  char *path;                   /* relative to the container's root, normalized */
  guint64 dev, ino;             /* the file created */
  guint64 owner_dev, owner_ino; /* the target it was created for */
  gboolean is_dir;
  gboolean released;            /* nothing is mounted on its target any more: remove when possible */
} Created;

typedef struct {
  GPtrArray *created;           /* Created *, in creation order */
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
  guint ia = *(const guint *) a, ib = *(const guint *) b;
  guint da = path_depth (((Created *) g_ptr_array_index (entries, ia))->path);
  guint db = path_depth (((Created *) g_ptr_array_index (entries, ib))->path);

  if (da != db)
    return da > db ? -1 : 1;
  return ia > ib ? -1 : 1;   /* later creations first at equal depth */
}

/* The indices of @entries, deepest path first: the order to remove them in. */
static guint *
removal_order (GPtrArray *entries)
{
  GArray *order = g_array_sized_new (FALSE, FALSE, sizeof (guint), entries->len);

  for (guint i = 0; i < entries->len; i++)
    g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_depth_desc, entries);
  return (guint *) g_array_free (order, FALSE);
}

/* ---- the helper: what runs in the container's mount namespace ----------------------
 *
 * The helper is a clone of the monitor (CLONE_VM | CLONE_PIDFD, on a stack of its own):
 * it shares the monitor's memory, so nothing is copied and starting it costs a fraction of
 * a fork. The monitor goes on (it polls the helper's pidfd), so the helper must not
 * allocate or change anything but its Job: from here to "monitor side" there are only
 * system calls, the Job's buffers and the stack. It joins the init's mount namespace, does
 * its work and leaves the outcome in the Job. */

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

typedef enum { CREATE_NONE, CREATE_DIR, CREATE_FILE } CreateKind;
typedef enum { REMOVE_UNTOUCHED, REMOVE_RETRY, REMOVE_DONE } RemoveResult;

typedef struct {
  guint64 dev, ino;
  guint32 len;                  /* the path created is the first len bytes of the target */
  gboolean is_dir;
} CreatedOut;

typedef struct _Job Job;
struct _Job {
  int (*func) (Job *job);
  int keep[4];                  /* the fds the helper keeps open */
  guint n_keep;
  /* in */
  int init_pidfd;
  int proc_fd;                  /* the host's /proc (mount: to undo an attach) */
  int tree_fd;                  /* mount: the detached mount */
  const char *target;           /* normalized: no leading, trailing or double '/', no "." */
  guint32 target_len;
  CreateKind create;
  gboolean recursive;
  guint64 propagation;          /* mount: set after attaching */
  unsigned long umount_flags;
  Created **entries;            /* umount: the run's Created, read only */
  guint n_entries;
  const guint *order;           /* their indices, deepest first */
  /* out */
  int err;
  Step step;
  guint32 detail_len;           /* the path concerned is the first detail_len bytes of the target */
  CreatedOut *created;          /* mount */
  guint n_created;
  guint created_max;
  guint8 *status;               /* umount: a RemoveResult per entry */
  /* scratch */
  char path[PATH_MAX_LEN + 2];
  char name[NAME_MAX + 1];
};

static int
set_failure (Job *job, Step step, guint32 detail_len)
{
  job->err = errno;
  job->step = step;
  job->detail_len = detail_len;
  return -1;
}

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

/* The first @len bytes of the target, in job->path. */
static const char *
target_prefix (Job *job, guint32 len)
{
  memcpy (job->path, job->target, len);
  job->path[len] = '\0';
  return job->path;
}

/* Opens the target inside the root (O_PATH). With job->create, missing components are
 * created: parents as directories (0755), the last one as a directory or an empty file
 * (0644), each one recorded in job->created. */
static int
open_target (Job *job, int root_fd, int open_flags)
{
  guint32 pos = 0;
  int fd;

  fd = open_in_root (root_fd, job->target, O_PATH | open_flags);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT || job->create == CREATE_NONE)
    return set_failure (job, STEP_OPEN, job->target_len);

  while (pos < job->target_len) {
    const char *slash = memchr (job->target + pos, '/', job->target_len - pos);
    guint32 end = slash ? (guint32) (slash - job->target) : job->target_len;
    gboolean last = end == job->target_len;
    guint32 parent_len = pos > 0 ? pos - 1 : 0;
    gboolean made = FALSE;
    struct stat st;
    int parent;

    fd = open_in_root (root_fd, target_prefix (job, end), O_PATH | (last ? open_flags : 0));
    if (fd >= 0) {
      if (last)
        return fd;
      close (fd);
      pos = end + 1;
      continue;
    }
    if (errno != ENOENT)
      return set_failure (job, STEP_OPEN, end);
    if (job->n_created >= job->created_max) {
      errno = ENOSPC;
      return set_failure (job, STEP_LIMIT, end);
    }
    if (end - pos > NAME_MAX) {
      errno = ENAMETOOLONG;
      return set_failure (job, STEP_CREATE, end);
    }
    memcpy (job->name, job->target + pos, end - pos);
    job->name[end - pos] = '\0';

    parent = open_in_root (root_fd, target_prefix (job, parent_len), O_PATH | O_DIRECTORY);
    if (parent < 0)
      return set_failure (job, STEP_OPEN, parent_len);
    if (last && job->create == CREATE_FILE) {
      /* O_EXCL never follows a symlink; one that appeared meanwhile is resolved in-root below */
      int file = openat (parent, job->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (file < 0 && errno != EEXIST) {
        set_failure (job, STEP_CREATE, end);
        close (parent);
        return -1;
      }
      if (file >= 0) {
        made = TRUE;
        close (file);
      }
    } else if (mkdirat (parent, job->name, 0755) == 0) {
      made = TRUE;
    } else if (errno != EEXIST) {
      set_failure (job, STEP_CREATE, end);
      close (parent);
      return -1;
    }
    if (made && fstatat (parent, job->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      CreatedOut *c = &job->created[job->n_created++];
      c->dev = st.st_dev;
      c->ino = st.st_ino;
      c->len = end;
      c->is_dir = S_ISDIR (st.st_mode);
    }
    close (parent);

    fd = open_in_root (root_fd, target_prefix (job, end), O_PATH | (last ? open_flags : 0));
    if (fd < 0)
      return set_failure (job, STEP_OPEN, end);
    if (last)
      return fd;
    close (fd);
    pos = end + 1;
  }
  errno = ENOENT;
  return set_failure (job, STEP_OPEN, job->target_len);
}

/* Removes a created file or directory if it is still the one created (device and inode)
 * and empty: REMOVE_DONE if removed, gone or no longer ours (forget it), REMOVE_RETRY if
 * it is in use (not empty, a mount point). Used by the helper and by the monitor. */
static RemoveResult
remove_created (int root_fd, const char *path, guint64 dev, guint64 ino, gboolean is_dir)
{
  char parent_path[PATH_MAX_LEN + 1];
  const char *slash = strrchr (path, '/');
  const char *name = slash ? slash + 1 : path;
  gsize parent_len = slash ? (gsize) (slash - path) : 0;
  struct stat st;
  RemoveResult result = REMOVE_RETRY;
  int parent;

  if (parent_len > PATH_MAX_LEN)
    return REMOVE_DONE;
  memcpy (parent_path, path, parent_len);
  parent_path[parent_len] = '\0';
  parent = open_in_root (root_fd, parent_path, O_PATH | O_DIRECTORY);
  if (parent < 0)
    return errno == ENOENT || errno == ENOTDIR ? REMOVE_DONE : REMOVE_RETRY;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    result = errno == ENOENT ? REMOVE_DONE : REMOVE_RETRY;
  else if ((guint64) st.st_dev != dev || (guint64) st.st_ino != ino ||
           (is_dir ? !S_ISDIR (st.st_mode) : !S_ISREG (st.st_mode)))
    result = REMOVE_DONE;
  else if (!is_dir && st.st_size != 0)
    result = REMOVE_DONE;   /* someone wrote to it: keep their data */
  else if (unlinkat (parent, name, is_dir ? AT_REMOVEDIR : 0) == 0 || errno == ENOENT)
    result = REMOVE_DONE;
  close (parent);
  return result;
}

static void
undo_created (Job *job, int root_fd)
{
  for (guint i = job->n_created; i > 0; i--) {
    const CreatedOut *c = &job->created[i - 1];
    remove_created (root_fd, target_prefix (job, c->len), c->dev, c->ino, c->is_dir);
  }
  job->n_created = 0;
}

static gboolean
is_same_file (int a, int b)
{
  struct statx sa, sb;

  if (statx (a, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sa) < 0 ||
      statx (b, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sb) < 0)
    return FALSE;
  return sa.stx_ino == sb.stx_ino && sa.stx_dev_major == sb.stx_dev_major &&
         sa.stx_dev_minor == sb.stx_dev_minor &&
         (!(sa.stx_mask & sb.stx_mask & STATX_MNT_ID) || sa.stx_mnt_id == sb.stx_mnt_id);
}

/* "self/fd/<fd>" without printf */
static void
proc_fd_path (char *buf, int fd)
{
  char digits[16];
  int n = 0;

  do {
    digits[n++] = (char) ('0' + fd % 10);
    fd /= 10;
  } while (fd > 0 && n < (int) sizeof digits);
  memcpy (buf, "self/fd/", 8);
  for (int i = 0; i < n; i++)
    buf[8 + i] = digits[n - 1 - i];
  buf[8 + n] = '\0';
}

static int
join_container (Job *job)
{
  int root;

  if (setns (job->init_pidfd, CLONE_NEWNS) < 0)
    return set_failure (job, STEP_SETNS, 0);
  /* setns put us at the root of the container's mount namespace */
  root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return set_failure (job, STEP_ROOT, 0);
  return root;
}

static int
mount_job (Job *job)
{
  struct mount_attr prop = { .propagation = job->propagation };
  int root, target;

  root = join_container (job);
  if (root < 0)
    return 0;
  target = open_target (job, root, 0);
  if (target < 0) {
    undo_created (job, root);
    return 0;
  }
  if (is_same_file (root, target)) {
    errno = EBUSY;
    set_failure (job, STEP_IS_ROOT, job->target_len);
    close (target);
    undo_created (job, root);
    return 0;
  }
  if (move_mount (job->tree_fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
    set_failure (job, STEP_ATTACH, job->target_len);
    close (target);
    undo_created (job, root);
    return 0;
  }
  close (target);
  /* attached under a shared parent, it joined a new peer group: set what was asked */
  if (mount_setattr (job->tree_fd, "", AT_EMPTY_PATH | (job->recursive ? AT_RECURSIVE : 0),
                     &prop, sizeof prop) < 0) {
    set_failure (job, STEP_PROPAGATION, job->target_len);
    /* undo: detach it again through the host's /proc (our fd pins it: not busy-safe otherwise) */
    proc_fd_path (job->name, job->tree_fd);
    if (fchdir (job->proc_fd) == 0)
      umount2 (job->name, MNT_DETACH);
    undo_created (job, root);
  }
  return 0;
}

static int
umount_job (Job *job)
{
  int open_follow = (job->umount_flags & UMOUNT_NOFOLLOW) ? O_NOFOLLOW : 0;
  gboolean have_owner = FALSE;
  guint64 owner_dev = 0, owner_ino = 0;
  struct statx stx;
  int root, target;

  root = join_container (job);
  if (root < 0)
    return 0;
  target = open_in_root (root, job->target, O_PATH | open_follow);
  if (target < 0)
    return set_failure (job, STEP_OPEN, job->target_len), 0;
  if (is_same_file (root, target)) {
    errno = EBUSY;
    close (target);
    return set_failure (job, STEP_IS_ROOT, job->target_len), 0;
  }
  /* An fd (or a cwd) on the target would pin the mount (EBUSY): umount2 gets the path,
   * which it resolves with the container's root as ours (setns), so it cannot leave the
   * root either, and whatever it finds is in the container's own mount namespace. The
   * check above refused magic links and the root itself. */
  close (target);
  job->path[0] = '/';
  memcpy (job->path + 1, job->target, job->target_len + 1);
  if (umount2 (job->path, (int) job->umount_flags) < 0)
    return set_failure (job, STEP_UMOUNT, job->target_len), 0;

  /* what is there now (followed as umount2 did): if nothing is mounted on it any more,
   * release what was created for it */
  target = open_in_root (root, job->target, O_PATH | open_follow);
  if (target >= 0) {
    if (statx (target, "", AT_EMPTY_PATH, STATX_INO, &stx) == 0 &&
        (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
      have_owner = TRUE;
      owner_dev = makedev (stx.stx_dev_major, stx.stx_dev_minor);
      owner_ino = stx.stx_ino;
    }
    close (target);
  }
  for (guint k = 0; k < job->n_entries; k++) {
    guint i = job->order[k];
    const Created *c = job->entries[i];

    if (c->released || (have_owner && c->owner_dev == owner_dev && c->owner_ino == owner_ino))
      job->status[i] = remove_created (root, c->path, c->dev, c->ino, c->is_dir);
  }
  return 0;
}

static void
close_all_but (const int *keep, guint n_keep)
{
  int sorted[G_N_ELEMENTS (((Job *) NULL)->keep)];
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

static int
helper_main (void *data)
{
  Job *job = data;

  /* the fd table is a copy: keep the monitor's lock, sockets … out of a helper that might
   * outlive a timeout */
  close_all_but (job->keep, job->n_keep);
  return job->func (job);
}

/* ---- monitor side: running the helper ---------------------------------------------- */

#define HELPER_STACK_SIZE (256 * 1024)

static gboolean
on_helper_exit (int fd, GIOCondition condition, gpointer user_data)
{
  siginfo_t info;

  waitid (P_PIDFD, fd, &info, WEXITED | WNOHANG);
  close (fd);
  return G_SOURCE_REMOVE;
}

/* Runs @job in a helper and waits for it at most HELPER_TIMEOUT_MS. A helper that does
 * not finish in time is killed; if the kernel keeps it (a system call in an
 * uninterruptible wait), it is reaped later from the main loop, and its job and stack are
 * never freed (*@leaked): that system call may still write into them when it returns (a
 * killed task never runs user code again, so nothing else of the monitor's is touched). */
static gboolean
run_helper (Job *job, gboolean *leaked, GError **error)
{
  guint8 *stack = g_malloc (HELPER_STACK_SIZE);
  gint64 deadline = g_get_monotonic_time () + HELPER_TIMEOUT_MS * (gint64) 1000;
  siginfo_t info = { 0 };
  int pidfd = -1;
  pid_t pid;

  *leaked = FALSE;
  job->err = 0;
  job->step = STEP_NONE;
  pid = clone (helper_main, stack + HELPER_STACK_SIZE, CLONE_VM | CLONE_PIDFD | SIGCHLD, job, &pidfd);
  if (pid < 0) {
    int errsv = errno;
    g_free (stack);
    return fail_errno (error, errsv, "start the mount helper");
  }
  /* errno is shared with the helper until it is gone: not read here */
  for (;;) {
    struct pollfd p = { pidfd, POLLIN, 0 };
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;

    if (left <= 0) {
      syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      if (waitid (P_PIDFD, pidfd, &info, WEXITED | WNOHANG) == 0 && info.si_pid != 0) {
        close (pidfd);
        g_free (stack);
      } else {
        g_unix_fd_add (pidfd, G_IO_IN, on_helper_exit, NULL);
        *leaked = TRUE;
      }
      g_set_error (error, COVE_ERROR, COVE_ERROR_TIMEOUT,
                   "the mount helper did not finish within %d s; killed", HELPER_TIMEOUT_MS / 1000);
      return FALSE;
    }
    if (poll (&p, 1, (int) MIN (left, G_MAXINT)) == 1)
      break;
  }
  while (waitid (P_PIDFD, pidfd, &info, WEXITED) < 0 && errno == EINTR)
    ;
  close (pidfd);
  g_free (stack);
  if (info.si_code != CLD_EXITED || info.si_status != 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "the mount helper failed (%s %d)",
                 info.si_code == CLD_EXITED ? "status" : "signal", info.si_status);
    return FALSE;
  }
  return TRUE;
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
  cove_set_error_from_errno (error, errsv, "%s", what);
  if (log != NULL && error != NULL) {
    g_autofree char *message = (*error)->message;
    (*error)->message = g_strdup_printf ("%s (%s)", message, log);
  }
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
    if (errno == ENODEV) {
      /* GIO maps ENODEV to NOT_FOUND; an unknown type is NOT_SUPPORTED */
      g_set_error (error, g_quark_from_static_string ("g-io-error-quark"), G_IO_ERROR_NOT_SUPPORTED,
                   "unknown filesystem type \"%s\": %s", fstype, g_strerror (ENODEV));
    } else
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

/* ---- monitor side: the commands ---------------------------------------------------- */

static gboolean
helper_error (CoveCommandContext *ctx, const char *op, Job *job, GError **error)
{
  g_autofree char *shown = g_strndup (job->target, job->detail_len);
  int err = job->err;

  switch (job->step) {
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
    if (err == ENOENT && job->create == CREATE_NONE && g_str_equal (op, "mount"))
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
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "the %s helper failed", op);
    return FALSE;
  }
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
  autofd mnt = -1;
  autofd proc = -1;
  gboolean is_dir = TRUE;
  gboolean leaked;
  Job *job;

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
  if ((cove_flags & COVE_MOUNT_CREATE) && run->created->len >= CREATED_MAX) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_BUSY,
                 "too many created targets are still in place (at most %d)", CREATED_MAX);
    return NULL;
  }

  /* everything that can fail for the source, type or options fails here, on the host */
  mnt = build_mount (source, fstype, flags, data, &is_dir, error);
  if (mnt < 0)
    return NULL;
  proc = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (proc < 0) {
    fail_errno (error, errno, "open /proc");
    return NULL;
  }

  normal = normalize_target (target);
  job = g_new0 (Job, 1);
  job->func = mount_job;
  job->init_pidfd = cove_command_context_get_init_pidfd (ctx);
  job->proc_fd = proc;
  job->tree_fd = mnt;
  job->keep[0] = job->init_pidfd;
  job->keep[1] = proc;
  job->keep[2] = mnt;
  job->n_keep = 3;
  job->target = normal;
  job->target_len = (guint32) strlen (normal);
  job->create = !(cove_flags & COVE_MOUNT_CREATE) ? CREATE_NONE : is_dir ? CREATE_DIR : CREATE_FILE;
  job->recursive = (flags & MS_REC) != 0;
  job->propagation = propagation_of (flags) ? propagation_of (flags) : MS_PRIVATE;
  job->created_max = path_depth (normal);
  job->created = g_new0 (CreatedOut, job->created_max);

  if (!run_helper (job, &leaked, error)) {
    if (!leaked) {
      g_free (job->created);
      g_free (job);
    }
    return NULL;
  }
  if (job->step != STEP_NONE) {
    helper_error (ctx, "mount", job, error);
    g_free (job->created);
    g_free (job);
    return NULL;
  }
  if (run != NULL && job->n_created > 0) {
    const CreatedOut *leaf = &job->created[job->n_created - 1];
    gboolean leaf_created = leaf->len == job->target_len;

    for (guint i = 0; i < job->n_created; i++) {
      Created *c = g_new0 (Created, 1);
      c->path = g_strndup (normal, job->created[i].len);
      c->dev = job->created[i].dev;
      c->ino = job->created[i].ino;
      c->is_dir = job->created[i].is_dir;
      /* a leaf that someone else made meanwhile: its parents go when the container stops */
      c->owner_dev = leaf_created ? leaf->dev : 0;
      c->owner_ino = leaf_created ? leaf->ino : 0;
      g_ptr_array_add (run->created, c);
    }
  }
  g_free (job->created);
  g_free (job);
  return g_variant_new ("()");
}

static GVariant *
cmd_umount (CoveCommandContext *ctx, GVariant *args, gpointer user_data, GError **error)
{
  RunData *run = cove_command_context_get_data (ctx);
  g_autofree char *normal = NULL;
  const char *target;
  guint64 flags;
  gboolean leaked, ok;
  Job *job;

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
  job = g_new0 (Job, 1);
  job->func = umount_job;
  job->init_pidfd = cove_command_context_get_init_pidfd (ctx);
  job->proc_fd = -1;
  job->tree_fd = -1;
  job->keep[0] = job->init_pidfd;
  job->n_keep = 1;
  job->target = normal;
  job->target_len = (guint32) strlen (normal);
  job->umount_flags = (unsigned long) flags;
  if (run != NULL && run->created->len > 0) {
    job->entries = (Created **) run->created->pdata;
    job->n_entries = run->created->len;
    job->order = removal_order (run->created);
    job->status = g_new0 (guint8, job->n_entries);
  }

  if (!run_helper (job, &leaked, error)) {
    if (!leaked) {
      g_free ((gpointer) job->order);
      g_free (job->status);
      g_free (job);
    }
    return NULL;
  }
  if (job->step == STEP_NONE && job->n_entries > 0) {
    /* apply what the helper did, last index first */
    for (guint i = job->n_entries; i > 0; i--) {
      Created *c = g_ptr_array_index (run->created, i - 1);
      if (job->status[i - 1] == REMOVE_DONE)
        g_ptr_array_remove_index (run->created, i - 1);
      else if (job->status[i - 1] == REMOVE_RETRY)
        c->released = TRUE;
    }
  }
  ok = job->step == STEP_NONE || helper_error (ctx, "umount", job, error);
  g_free ((gpointer) job->order);
  g_free (job->status);
  g_free (job);
  return ok ? g_variant_new ("()") : NULL;
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
  g_autofree guint *order = NULL;
  autofd root = -1;

  if (run == NULL || run->created->len == 0)
    return TRUE;
  root = open (rootfs ? rootfs : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return fail_errno (error, errno, "open %s to remove created mount targets", rootfs ? rootfs : "/");
  order = removal_order (run->created);
  for (guint k = 0; k < run->created->len; k++) {
    const Created *c = g_ptr_array_index (run->created, order[k]);
    remove_created (root, c->path, c->dev, c->ino, c->is_dir);
  }
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
