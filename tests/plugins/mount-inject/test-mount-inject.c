/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mount-inject tests (suite "root"): acceptance checks C6.1 (Cove variant), C6.2–C6.7 of
 * spec/lxc-extensions.md §15 (C6.8 is skipped: Cove cannot start user-namespaced
 * containers yet), the symlink escape, stopped and rebooting containers, 100 mount/umount
 * pairs that leave every mount table as it was, and the cove mount/umount tool.
 *
 * Layout (as tests/integration/test-lifecycle.c): main() moves the test into a private
 * network namespace and a private mount namespace (everything made private, so that the
 * "host" mount table the checks compare is only ours: the monitors started from here
 * build their mounts in it). Every case gets a fresh temporary container path with a
 * busybox container "c1" and a host directory "host" (the bind sources), and runs its body
 * in a g_test_trap_subprocess() child; the parent then stops whatever runs under the path,
 * checks that no monitor and no mount under the path survived, and removes it.
 */
#include <cove.h>
#include "proc-info.h"
#include "root-itest.h"
#include <gio/gio.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define PATH_ENV "COVE_MTEST_PATH"
#define NAME "c1"
#define ARGV(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define SUITE_BUDGET_S 270
static ItestSuite suite = { NAME, PATH_ENV, "cove-mtest-XXXXXX", SUITE_BUDGET_S };

/* ---- small helpers ----------------------------------------------------------------- */

static double
now_s (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static char *
read_text (const char *file)
{
  char *contents = NULL;

  if (!g_file_get_contents (file, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static void
write_text (const char *file, const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents_full (file, contents, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
}

static gboolean
exists (const char *file)
{
  struct stat st;

  return lstat (file, &st) == 0;
}

/* The mountinfo line whose mount point (5th field) is @mount_point, or NULL. */
static char *
mountinfo_line (const char *info, const char *mount_point)
{
  g_auto(GStrv) lines = g_strsplit (info ? info : "", "\n", -1);
  char *found = NULL;

  for (char **l = lines; *l; l++) {
    g_auto(GStrv) fields = g_strsplit (*l, " ", 6);
    if (g_strv_length (fields) >= 5 && g_str_equal (fields[4], mount_point)) {
      g_free (found);
      found = g_strdup (*l);   /* the last one is the visible one */
    }
  }
  return found;
}

/* Field @n (0-based) of a mountinfo line before the " - " separator, or after it with
 * @after (0: fstype, 1: source, 2: super options). */
static char *
mountinfo_field (const char *line, int n, gboolean after)
{
  const char *sep = strstr (line, " - ");
  g_autofree char *part = after ? g_strdup (sep + 3) : g_strndup (line, sep - line);
  g_auto(GStrv) fields = g_strsplit (part, " ", -1);

  return n < (int) g_strv_length (fields) ? g_strdup (fields[n]) : NULL;
}

static gboolean
has_option (const char *options, const char *option)
{
  g_auto(GStrv) words = g_strsplit (options, ",", -1);

  return g_strv_contains ((const char *const *) words, option);
}

static char *
host_mountinfo (void)
{
  return read_text ("/proc/self/mountinfo");
}

/* Children of @pid other than @except (the monitor's mount helpers must all be gone). */
static guint
count_children (pid_t pid, pid_t except)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  guint n = 0;

  while ((entry = g_dir_read_name (dir)) != NULL) {
    g_autofree char *file = NULL;
    g_autofree char *status = NULL;
    const char *ppid;

    if (!itest_all_digits (entry) || atoi (entry) == except)
      continue;
    file = g_strdup_printf ("/proc/%s/status", entry);
    if (!g_file_get_contents (file, &status, NULL, NULL) || (ppid = strstr (status, "\nPPid:")) == NULL)
      continue;
    if (atoi (ppid + strlen ("\nPPid:")) == pid)
      n++;
  }
  return n;
}

static pid_t
parent_of (pid_t pid)
{
  g_autofree char *ppid = proc_status_field (pid, "PPid");

  g_assert_nonnull (ppid);
  return atoi (ppid);
}

/* A sorted listing of every path under @dir (lstat, no following), for before/after checks. */
static int
list_entry (const char *file, const struct stat *st, int type, struct FTW *ftw);
static GString *listing;

static int
list_entry (const char *file, const struct stat *st, int type, struct FTW *ftw)
{
  g_string_append_printf (listing, "%s %o\n", file, st->st_mode);
  return 0;
}

static char *
tree_listing (const char *dir)
{
  listing = g_string_new (NULL);
  nftw (dir, list_entry, 16, FTW_PHYS | FTW_MOUNT);
  return g_string_free (g_steal_pointer (&listing), FALSE);
}

/* ---- the test environment (child side) -------------------------------------------- */

typedef struct {
  char *path;     /* the temporary container path */
  char *rootfs;   /* path/c1/rootfs */
  char *host;     /* path/host: bind sources, outside the rootfs */
} Env;

static void
env_init (Env *e, const char *path)
{
  e->path = g_strdup (path);
  e->rootfs = g_build_filename (path, NAME, "rootfs", NULL);
  e->host = g_build_filename (path, "host", NULL);
  g_assert_cmpint (g_mkdir_with_parents (e->host, 0755), ==, 0);
}

static void
env_clear (Env *e)
{
  g_free (e->path);
  g_free (e->rootfs);
  g_free (e->host);
}

static char *
in_rootfs (Env *e, const char *rel)
{
  return g_build_filename (e->rootfs, rel, NULL);
}

static char *
in_host (Env *e, const char *rel)
{
  return g_build_filename (e->host, rel, NULL);
}

static void
start_ok (CoveContainer *c)
{
  g_autoptr(GError) error = NULL;

  cove_container_start (c, COVE_START_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
}

static void
stop_ok (CoveContainer *c)
{
  g_autoptr(GError) error = NULL;

  cove_container_stop (c, &error);
  g_assert_no_error (error);
}

static char *
init_mountinfo (CoveContainer *c)
{
  g_autoptr(GError) error = NULL;
  pid_t pid = cove_container_init_pid (c, &error);
  g_autofree char *file = NULL;

  g_assert_no_error (error);
  file = g_strdup_printf ("/proc/%d/mountinfo", (int) pid);
  return read_text (file);
}

static char *
init_mount_line (CoveContainer *c, const char *mount_point)
{
  g_autofree char *info = init_mountinfo (c);

  return mountinfo_line (info, mount_point);
}

static int
attach (CoveContainer *c, const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  int status = cove_container_attach_run_wait (c, argv, &error);

  g_assert_no_error (error);
  return status;
}

/* sh -c @script inside the container; its exit status (output goes to /dev/null) */
static int
attach_sh (CoveContainer *c, const char *script)
{
  g_autofree char *quiet = g_strdup_printf ("exec >/dev/null 2>&1; %s", script);

  return attach (c, ARGV ("/bin/sh", "-c", quiet));
}

static void
mount_ok (CoveContainer *c, const char *source, const char *target, const char *fstype,
          unsigned long flags, const char *data, CoveMountFlags cove_flags)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cove_container_mount_full (c, source, target, fstype, flags, data, cove_flags, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
umount_ok (CoveContainer *c, const char *target, unsigned long flags)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cove_container_umount (c, target, flags, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

/* A mount that must fail with @domain/@code, leaving @target absent in the rootfs. */
static void
mount_fails (Env *e, CoveContainer *c, const char *source, const char *target, const char *fstype,
             unsigned long flags, const char *data, CoveMountFlags cove_flags,
             GQuark domain, int code, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *where = in_rootfs (e, target);
  gboolean existed = exists (where);

  g_assert_false (cove_container_mount_full (c, source, target, fstype, flags, data, cove_flags, &error));
  g_assert_error (error, domain, code);
  g_test_message ("mount %s on %s: %s", source ? source : "(none)", target, error->message);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("\"%s\" does not say \"%s\"", error->message, fragment);
  g_assert_cmpint (exists (where), ==, existed);
}

static void
umount_fails (CoveContainer *c, const char *target, unsigned long flags, GQuark domain, int code)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (cove_container_umount (c, target, flags, &error));
  g_assert_error (error, domain, code);
  g_test_message ("umount %s: %s", target, error->message);
}

static int
run_tool (Env *e, const char *cwd, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list ap;
  int wait_status;

  g_ptr_array_add (argv, (char *) g_getenv ("COVE_TOOL"));
  g_ptr_array_add (argv, (char *) "-P");
  g_ptr_array_add (argv, e->path);
  va_start (ap, first);
  for (arg = first; arg; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (cwd, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &wait_status, &error);
  g_assert_no_error (error);
  if (err && *err)
    g_test_message ("cove %s: %s", first, g_strchomp (err));
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
}

/* ---- cases ------------------------------------------------------------------------- */

/* The extensions exist exactly when the plugin is active; without it the API says which
 * extension and plugin are missing (no root needed). */
static void
case_extensions (Env *unused)
{
  const char *build_plugins = g_getenv ("COVE_PLUGIN_PATH");
  const char *path[] = { build_plugins, NULL };
  const char *disable[] = { "mount-inject", NULL };
  CoveContextOptions with = { sizeof with, path, NULL, COVE_CONTEXT_NO_ENVIRONMENT | COVE_CONTEXT_NO_DEFAULT_PATH };
  CoveContextOptions disabled = { sizeof disabled, path, disable, COVE_CONTEXT_NO_ENVIRONMENT | COVE_CONTEXT_NO_DEFAULT_PATH };
  CoveContextOptions none = { sizeof none, NULL, NULL, COVE_CONTEXT_NO_ENVIRONMENT | COVE_CONTEXT_NO_DEFAULT_PATH };
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContext) ctx_with = cove_context_new (&with, &error);
  g_autoptr(CoveContext) ctx_disabled = cove_context_new (&disabled, &error);
  g_autoptr(CoveContext) ctx_none = cove_context_new (&none, &error);
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(CoveContainer) c2 = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (build_plugins);
  g_assert_true (cove_has_api_extension ("mount_injection"));
  g_assert_true (cove_has_api_extension ("mount_injection_file"));
  g_assert_true (cove_context_has_api_extension (ctx_with, "mount_injection"));
  g_assert_true (cove_context_has_api_extension (ctx_with, "mount_injection_file"));
  g_assert_false (cove_context_has_api_extension (ctx_disabled, "mount_injection"));
  g_assert_false (cove_context_has_api_extension (ctx_disabled, "mount_injection_file"));
  g_assert_false (cove_context_has_api_extension (ctx_none, "mount_injection"));

  c = cove_container_new_with_context (ctx_disabled, NAME, "/nonexistent-cove-path", &error);
  g_assert_no_error (error);
  g_assert_false (cove_container_mount (c, "/etc", "/mnt", NULL, MS_BIND, NULL, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "mount_injection"));
  g_assert_nonnull (strstr (error->message, "plugin mount-inject, which is disabled"));
  g_clear_error (&error);
  g_assert_false (cove_container_umount (c, "/mnt", 0, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  c2 = cove_container_new_with_context (ctx_none, NAME, "/nonexistent-cove-path", &error);
  g_assert_no_error (error);
  g_assert_false (cove_container_mount (c2, "/etc", "/mnt", NULL, MS_BIND, NULL, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "which is not installed"));
  g_clear_error (&error);

  /* arguments the client refuses without a round trip */
  g_assert_false (cove_container_mount (c, "/etc", "", NULL, MS_BIND, NULL, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cove_container_mount_full (c, "/etc", "/mnt", NULL, MS_BIND, NULL, 1 << 7, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
}

/* C6.2: a host directory bound into the container; the host's mount table gains nothing. */
static void
case_bind_dir (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autofree char *marker = in_host (e, "marker");
  g_autofree char *target = in_rootfs (e, "mnt/inj");
  g_autofree char *host_before = NULL;
  g_autofree char *host_after = NULL;
  g_autofree char *line = NULL;
  g_autofree char *root = NULL;

  write_text (marker, "bind-dir\n");
  g_assert_cmpint (mkdir (target, 0755), ==, 0);
  start_ok (c);
  host_before = host_mountinfo ();

  /* LXC's call exactly: an existing target, MS_BIND, no data */
  g_assert_true (cove_container_mount (c, e->host, "/mnt/inj", NULL, MS_BIND, NULL, NULL));
  line = init_mount_line (c, "/mnt/inj");
  g_assert_nonnull (line);
  root = mountinfo_field (line, 3, FALSE);
  g_assert_cmpstr (root, ==, e->host);
  g_assert_cmpint (attach_sh (c, "grep -qx bind-dir /mnt/inj/marker"), ==, 0);
  /* private by default: no peer group, no master */
  g_assert_null (strstr (line, "shared:"));
  g_assert_null (strstr (line, "master:"));

  /* the spec's own example: /etc */
  mount_ok (c, "/etc", "/mnt/etc", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  g_clear_pointer (&line, g_free);
  line = init_mount_line (c, "/mnt/etc");
  g_assert_nonnull (line);
  g_assert_cmpint (attach_sh (c, "test -f /mnt/etc/passwd"), ==, 0);

  host_after = host_mountinfo ();
  g_assert_cmpstr (host_after, ==, host_before);

  /* nothing crosses over later: a host mount under the source stays out of the
   * container, a container mount under the target stays out of the host */
  {
    g_autofree char *later = in_host (e, "later");
    g_autofree char *info = NULL;
    g_autofree char *host_later = NULL;
    g_autofree char *inside = NULL;

    g_assert_cmpint (mkdir (later, 0755), ==, 0);
    g_assert_cmpint (mount ("tmpfs", later, "tmpfs", 0, "size=64k"), ==, 0);
    info = init_mountinfo (c);
    g_assert_null (mountinfo_line (info, "/mnt/inj/later"));
    g_assert_cmpint (umount2 (later, 0), ==, 0);

    g_assert_cmpint (attach_sh (c, "mkdir /mnt/inj/inside && mount -t tmpfs none /mnt/inj/inside"), ==, 0);
    host_later = host_mountinfo ();
    g_assert_cmpstr (host_later, ==, host_before);
    inside = in_host (e, "inside");
    g_assert_null (mountinfo_line (host_later, inside));
    g_assert_cmpint (attach_sh (c, "umount /mnt/inj/inside && rmdir /mnt/inj/inside"), ==, 0);
  }

  umount_ok (c, "/mnt/inj", 0);
  umount_ok (c, "/mnt/etc", MNT_DETACH);
  g_assert_true (exists (target));    /* it existed before: kept */
  g_assert_false (exists (in_rootfs (e, "mnt/etc")));
  stop_ok (c);
}

/* C6.3 (mount_injection_file): a host file bound into the container. */
static void
case_bind_file (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autofree char *file = in_host (e, "file");
  g_autofree char *content = g_strdup_printf ("cove-%08x", g_random_int ());
  g_autofree char *check = g_strdup_printf ("grep -qx %s /mnt/f", content);
  g_autofree char *line = NULL;
  g_autofree char *root = NULL;
  g_autofree char *existing = in_rootfs (e, "mnt/existing");

  write_text (file, content);
  write_text (existing, "");
  start_ok (c);

  mount_ok (c, file, "/mnt/f", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  line = init_mount_line (c, "/mnt/f");
  g_assert_nonnull (line);
  root = mountinfo_field (line, 3, FALSE);
  g_assert_cmpstr (root, ==, file);
  g_assert_cmpint (attach_sh (c, check), ==, 0);
  g_assert_cmpint (attach_sh (c, "test -f /mnt/f && ! test -d /mnt/f"), ==, 0);

  /* onto an existing file, read-only */
  g_assert_true (cove_container_mount (c, file, "/mnt/existing", NULL, MS_BIND | MS_RDONLY, NULL, NULL));
  g_clear_pointer (&line, g_free);
  line = init_mount_line (c, "/mnt/existing");
  g_assert_nonnull (line);
  g_assert_true (has_option (mountinfo_field (line, 5, FALSE), "ro"));
  g_assert_cmpint (attach_sh (c, "echo x >> /mnt/existing"), !=, 0);

  /* a directory source on a file target, a file on a directory: refused, nothing left */
  mount_fails (e, c, e->host, "/mnt/existing/x", NULL, MS_BIND, NULL, COVE_MOUNT_FLAGS_NONE,
               G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY, NULL);
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (cove_container_mount (c, file, "/mnt", NULL, MS_BIND, NULL, &error));
    g_assert_nonnull (error);
    g_test_message ("file on a directory: %s", error->message);
  }

  /* a device node, as LXC's own test does with /dev/urandom */
  mount_ok (c, "/dev/urandom", "/mnt/urandom", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  g_assert_cmpint (attach_sh (c, "test -c /mnt/urandom && head -c 4 /mnt/urandom"), ==, 0);
  umount_ok (c, "/mnt/urandom", MNT_DETACH);
  g_assert_false (exists (in_rootfs (e, "mnt/urandom")));

  /* /etc/hostname as in C6.3, when the host has one */
  if (g_file_test ("/etc/hostname", G_FILE_TEST_IS_REGULAR)) {
    mount_ok (c, "/etc/hostname", "/mnt/hostname", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
    g_assert_cmpint (attach_sh (c, "test -s /mnt/hostname || test -f /mnt/hostname"), ==, 0);
    umount_ok (c, "/mnt/hostname", 0);
  }

  umount_ok (c, "/mnt/f", 0);
  umount_ok (c, "/mnt/existing", 0);
  g_assert_false (exists (in_rootfs (e, "mnt/f")));
  g_assert_true (exists (existing));
  g_assert_false (exists (in_rootfs (e, "mnt/hostname")));
  stop_ok (c);
}

/* C6.4: new filesystems, flags, recursive binds, propagation. */
static void
case_new_fs (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autofree char *host_before = NULL;
  g_autofree char *host_after = NULL;
  g_autofree char *line = NULL;
  g_autofree char *listing_before = NULL;
  g_autofree char *listing_after = NULL;
  g_autofree char *sub = in_host (e, "sub");

  start_ok (c);
  host_before = host_mountinfo ();

  g_assert_cmpint (mkdir (in_rootfs (e, "mnt/t"), 0755), ==, 0);
  listing_before = tree_listing (in_rootfs (e, "mnt"));
  g_assert_true (cove_container_mount (c, NULL, "/mnt/t", "tmpfs", 0, "size=1m", NULL));
  line = init_mount_line (c, "/mnt/t");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, " - tmpfs "));
  g_assert_true (has_option (mountinfo_field (line, 2, TRUE), "size=1024k"));
  g_assert_cmpint (attach_sh (c, "echo hello > /mnt/t/a && grep -qx hello /mnt/t/a"), ==, 0);

  /* ro, nosuid, nodev, noexec, noatime on a new filesystem */
  mount_ok (c, "", "/mnt/ro", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME,
            "mode=0700", COVE_MOUNT_CREATE);
  g_clear_pointer (&line, g_free);
  line = init_mount_line (c, "/mnt/ro");
  g_assert_nonnull (line);
  {
    g_autofree char *options = mountinfo_field (line, 5, FALSE);
    g_assert_true (has_option (options, "ro"));
    g_assert_true (has_option (options, "nosuid"));
    g_assert_true (has_option (options, "nodev"));
    g_assert_true (has_option (options, "noexec"));
    g_assert_true (has_option (options, "noatime"));
  }
  g_assert_cmpint (attach_sh (c, "touch /mnt/ro/x"), !=, 0);
  g_assert_cmpint (attach_sh (c, "test \"$(stat -c %a /mnt/ro)\" = 700"), ==, 0);

  /* a read-only bind is read-only (one mount(2) call would ignore MS_RDONLY) */
  mount_ok (c, e->host, "/mnt/rob", NULL, MS_BIND | MS_RDONLY | MS_NOEXEC, NULL, COVE_MOUNT_CREATE);
  g_assert_cmpint (attach_sh (c, "touch /mnt/rob/x"), !=, 0);
  g_assert_false (exists (in_host (e, "x")));

  /* MS_REC: the submounts of the source come along, without it they do not */
  g_assert_cmpint (mkdir (sub, 0755), ==, 0);
  g_assert_cmpint (mount ("tmpfs", sub, "tmpfs", 0, "size=64k"), ==, 0);
  write_text (in_host (e, "sub/in-sub"), "x");
  mount_ok (c, e->host, "/mnt/b", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  mount_ok (c, e->host, "/mnt/rb", NULL, MS_BIND | MS_REC, NULL, COVE_MOUNT_CREATE);
  g_assert_cmpint (attach_sh (c, "test -d /mnt/b/sub && ! test -e /mnt/b/sub/in-sub"), ==, 0);
  g_assert_cmpint (attach_sh (c, "test -f /mnt/rb/sub/in-sub"), ==, 0);
  g_clear_pointer (&line, g_free);
  line = init_mount_line (c, "/mnt/rb/sub");
  g_assert_nonnull (line);
  g_assert_null (strstr (line, "shared:"));

  /* a wanted propagation is set */
  mount_ok (c, NULL, "/mnt/sh", "tmpfs", MS_SHARED, NULL, COVE_MOUNT_CREATE);
  g_clear_pointer (&line, g_free);
  line = init_mount_line (c, "/mnt/sh");
  g_assert_nonnull (strstr (line, "shared:"));

  umount_ok (c, "/mnt/rb", MNT_DETACH);
  umount_ok (c, "/mnt/b", 0);
  umount_ok (c, "/mnt/rob", 0);
  umount_ok (c, "/mnt/ro", 0);
  umount_ok (c, "/mnt/sh", 0);
  umount_ok (c, "/mnt/t", 0);
  g_assert_cmpint (umount2 (sub, 0), ==, 0);
  host_after = host_mountinfo ();
  g_assert_cmpstr (host_after, ==, host_before);
  listing_after = tree_listing (in_rootfs (e, "mnt"));
  g_assert_cmpstr (listing_after, ==, listing_before);
  stop_ok (c);
}

/* C6.5: umount, and its errors (never LXC's +1). */
static void
case_umount (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autofree char *line = NULL;

  start_ok (c);
  mount_ok (c, e->host, "/mnt/inj", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  g_assert_true (cove_container_umount (c, "/mnt/inj", MNT_DETACH, NULL));
  line = init_mount_line (c, "/mnt/inj");
  g_assert_null (line);
  g_assert_cmpint (attach_sh (c, "! grep -q ' /mnt/inj ' /proc/self/mountinfo"), ==, 0);

  g_assert_cmpint (mkdir (in_rootfs (e, "mnt/notmounted"), 0755), ==, 0);
  umount_fails (c, "/mnt/notmounted", 0, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  umount_fails (c, "/mnt/notmounted", MNT_DETACH, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  umount_fails (c, "/mnt/nonexistent", 0, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  umount_fails (c, "/", MNT_DETACH, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  umount_fails (c, "/mnt/..", MNT_DETACH, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  umount_fails (c, "/mnt", 0x1000, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  umount_fails (c, "/mnt", MNT_EXPIRE | MNT_DETACH, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);

  /* UMOUNT_NOFOLLOW: a symlink to a mount point is not the mount point */
  mount_ok (c, NULL, "/mnt/t", "tmpfs", 0, NULL, COVE_MOUNT_CREATE);
  g_assert_cmpint (symlink ("t", in_rootfs (e, "mnt/link")), ==, 0);
  umount_fails (c, "/mnt/link", UMOUNT_NOFOLLOW, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  umount_ok (c, "/mnt/link", 0);
  g_assert_false (exists (in_rootfs (e, "mnt/t")));
  stop_ok (c);
}

/* C6.6: a bad source, type or option fails before anything changes in the container. */
static void
case_bad_source (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *rootfs_before = NULL;
  g_autofree char *rootfs_after = NULL;

  start_ok (c);
  before = init_mountinfo (c);
  rootfs_before = tree_listing (in_rootfs (e, "mnt"));

  mount_fails (e, c, "/nonexistent", "/mnt/bad", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE,
               G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "/nonexistent");
  mount_fails (e, c, "/nonexistent", "/mnt/bad/deeper", NULL, MS_BIND | MS_REC, NULL, COVE_MOUNT_CREATE,
               G_IO_ERROR, G_IO_ERROR_NOT_FOUND, NULL);
  mount_fails (e, c, NULL, "/mnt/bad", "nosuchfs", 0, NULL, COVE_MOUNT_CREATE,
               G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "nosuchfs");
  mount_fails (e, c, NULL, "/mnt/bad", "tmpfs", 0, "size=bogus", COVE_MOUNT_CREATE,
               G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "size");
  mount_fails (e, c, NULL, "/mnt/bad", "tmpfs", 0, "nosuchoption", COVE_MOUNT_CREATE,
               G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "nosuchoption");
  mount_fails (e, c, "relative/path", "/mnt/bad", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE,
               COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "absolute");
  mount_fails (e, c, e->host, "/mnt/bad", NULL, 0, NULL, COVE_MOUNT_CREATE,
               COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, NULL);
  mount_fails (e, c, e->host, "/mnt/bad", NULL, MS_BIND | MS_REMOUNT, NULL, COVE_MOUNT_CREATE,
               COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, NULL);
  mount_fails (e, c, e->host, "/mnt/bad", NULL, MS_MOVE, NULL, COVE_MOUNT_CREATE,
               COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, NULL);
  mount_fails (e, c, e->host, "/mnt/bad", NULL, MS_BIND | MS_SHARED | MS_PRIVATE, NULL, COVE_MOUNT_CREATE,
               COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, NULL);
  mount_fails (e, c, e->host, "/mnt/bad", NULL, MS_BIND | MS_SYNCHRONOUS, NULL, COVE_MOUNT_CREATE,
               COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, NULL);
  /* a missing target without COVE_MOUNT_CREATE */
  mount_fails (e, c, e->host, "/mnt/bad", NULL, MS_BIND, NULL, COVE_MOUNT_FLAGS_NONE,
               G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "does not exist in the container");
  mount_fails (e, c, e->host, "/", NULL, MS_BIND, NULL, COVE_MOUNT_FLAGS_NONE,
               COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, NULL);

  after = init_mountinfo (c);
  g_assert_cmpstr (after, ==, before);
  rootfs_after = tree_listing (in_rootfs (e, "mnt"));
  g_assert_cmpstr (rootfs_after, ==, rootfs_before);
  stop_ok (c);
}

/* C6.7: targets are resolved inside the container's root; a symlink or ".." never leads a
 * mount to the host. Created targets are removed again. */
static void
case_symlink_escape (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autofree char *escape = g_build_filename (e->path, "escape", NULL);   /* a host directory */
  g_autofree char *escape_in_rootfs = in_rootfs (e, escape);                /* the same path inside */
  g_autofree char *rel_link = NULL;
  g_autofree char *host_before = NULL;
  g_autofree char *host_after = NULL;
  g_autofree char *info = NULL;
  g_autofree char *dotdot = NULL;

  g_assert_cmpint (mkdir (escape, 0755), ==, 0);
  write_text (in_host (e, "marker"), "from-host\n");
  /* /mnt/evil -> <escape> (absolute), /mnt/rel -> ../../../…/<escape>, /mnt/up -> / */
  g_assert_cmpint (symlink (escape, in_rootfs (e, "mnt/evil")), ==, 0);
  rel_link = g_strconcat ("../../../../../../../../../../../..", escape, NULL);
  g_assert_cmpint (symlink (rel_link, in_rootfs (e, "mnt/rel")), ==, 0);
  g_assert_cmpint (symlink ("/", in_rootfs (e, "mnt/up")), ==, 0);
  start_ok (c);
  host_before = host_mountinfo ();

  /* the links lead nowhere inside the container: refused, even with create, and the
   * host directory is untouched */
  mount_fails (e, c, e->host, "/mnt/evil", NULL, MS_BIND, NULL, COVE_MOUNT_FLAGS_NONE,
               G_IO_ERROR, G_IO_ERROR_NOT_FOUND, NULL);
  mount_fails (e, c, e->host, "/mnt/evil", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE,
               G_IO_ERROR, G_IO_ERROR_NOT_FOUND, NULL);
  mount_fails (e, c, e->host, "/mnt/rel", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE,
               G_IO_ERROR, G_IO_ERROR_NOT_FOUND, NULL);
  g_assert_false (exists (escape_in_rootfs));

  /* the same path exists inside too: the mount lands inside, never on the host's */
  g_assert_cmpint (g_mkdir_with_parents (escape_in_rootfs, 0755), ==, 0);
  mount_ok (c, e->host, "/mnt/evil", NULL, MS_BIND, NULL, COVE_MOUNT_FLAGS_NONE);
  mount_ok (c, NULL, "/mnt/rel", "tmpfs", 0, NULL, COVE_MOUNT_FLAGS_NONE);
  host_after = host_mountinfo ();
  g_assert_cmpstr (host_after, ==, host_before);
  g_assert_null (mountinfo_line (host_after, escape));
  g_assert_false (exists (g_build_filename (escape, "marker", NULL)));
  info = init_mountinfo (c);
  g_assert_nonnull (mountinfo_line (info, escape));
  umount_ok (c, "/mnt/rel", 0);
  umount_ok (c, "/mnt/evil", 0);
  g_clear_pointer (&info, g_free);
  info = init_mountinfo (c);
  g_assert_null (mountinfo_line (info, escape));

  /* ".." cannot climb out either, and missing parts are created inside */
  dotdot = g_strconcat ("/../../../../../..", escape, "/deep/x", NULL);
  mount_ok (c, e->host, dotdot, NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  g_assert_true (exists (g_build_filename (escape_in_rootfs, "deep", "x", NULL)));
  g_assert_false (exists (g_build_filename (escape, "deep", NULL)));
  host_after = (g_free (host_after), host_mountinfo ());
  g_assert_cmpstr (host_after, ==, host_before);
  umount_ok (c, dotdot, 0);
  g_assert_false (exists (g_build_filename (escape_in_rootfs, "deep", NULL)));

  /* /mnt/up -> / : /mnt/up/mnt/x is /mnt/x inside */
  mount_ok (c, e->host, "/mnt/up/mnt/x", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  g_assert_true (exists (in_rootfs (e, "mnt/x")));
  g_clear_pointer (&info, g_free);
  info = init_mountinfo (c);
  g_assert_nonnull (mountinfo_line (info, "/mnt/x"));
  mount_fails (e, c, e->host, "/mnt/up", NULL, MS_BIND, NULL, COVE_MOUNT_FLAGS_NONE,
               COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "root");
  umount_ok (c, "/mnt/up/mnt/x", 0);
  g_assert_false (exists (in_rootfs (e, "mnt/x")));

  /* created targets go away with their umount (LXC leaves them): a deep directory, a file */
  mount_ok (c, e->host, "/mnt/new/deep/dir", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  mount_ok (c, g_build_filename (e->host, "marker", NULL), "/mnt/newfile/f", NULL, MS_BIND, NULL,
            COVE_MOUNT_CREATE);
  g_assert_true (exists (in_rootfs (e, "mnt/new/deep/dir")));
  umount_ok (c, "/mnt/new/deep/dir", 0);
  umount_ok (c, "/mnt/newfile/f", 0);
  g_assert_false (exists (in_rootfs (e, "mnt/new")));
  g_assert_false (exists (in_rootfs (e, "mnt/newfile")));

  /* a created parent that the container filled stays; stacked mounts keep their target */
  mount_ok (c, e->host, "/mnt/filled/leaf", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  g_assert_cmpint (attach_sh (c, "touch /mnt/filled/keep"), ==, 0);
  umount_ok (c, "/mnt/filled/leaf", 0);
  g_assert_false (exists (in_rootfs (e, "mnt/filled/leaf")));
  g_assert_true (exists (in_rootfs (e, "mnt/filled/keep")));
  mount_ok (c, e->host, "/mnt/stack", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  mount_ok (c, NULL, "/mnt/stack", "tmpfs", 0, NULL, COVE_MOUNT_CREATE);
  umount_ok (c, "/mnt/stack", 0);
  g_assert_true (exists (in_rootfs (e, "mnt/stack")));
  g_assert_cmpint (attach_sh (c, "test -f /mnt/stack/marker"), ==, 0);
  umount_ok (c, "/mnt/stack", 0);
  g_assert_false (exists (in_rootfs (e, "mnt/stack")));

  /* the container unmounts it itself: removed when the container stops */
  mount_ok (c, e->host, "/mnt/left/behind", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  g_assert_cmpint (attach_sh (c, "umount /mnt/left/behind"), ==, 0);
  g_assert_true (exists (in_rootfs (e, "mnt/left/behind")));
  stop_ok (c);
  g_assert_false (exists (in_rootfs (e, "mnt/left")));
  g_assert_true (exists (in_rootfs (e, "mnt/filled/keep")));
}

/* A stopped container: COVE_ERROR_NOT_RUNNING, never started or after a stop. */
static void
case_stopped (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;

  g_assert_false (cove_container_mount (c, e->host, "/mnt", NULL, MS_BIND, NULL, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
  g_assert_nonnull (strstr (error->message, "not running"));
  g_clear_error (&error);
  g_assert_false (cove_container_umount (c, "/mnt", 0, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  start_ok (c);
  mount_ok (c, e->host, "/mnt/x", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  stop_ok (c);
  g_assert_false (exists (in_rootfs (e, "mnt/x")));
  g_assert_false (cove_container_mount_full (c, e->host, "/mnt/y", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
  g_clear_error (&error);
  g_assert_false (cove_container_umount (c, "/mnt/x", 0, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
  g_assert_false (exists (in_rootfs (e, "mnt/y")));
}

/* Runs reboot(RB_AUTOBOOT) inside the pid namespace of the init behind @pidfd: the kernel
 * kills that init with SIGHUP, which is what a reboot from inside looks like. */
static void
reboot_from_inside (int pidfd)
{
  pid_t pid = fork ();
  int status;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0) {
    pid_t inner;
    if (setns (pidfd, CLONE_NEWPID) < 0)
      _exit (2);
    inner = fork ();
    if (inner == 0) {
      reboot (RB_AUTOBOOT);
      _exit (3);
    }
    waitpid (inner, NULL, 0);
    _exit (0);
  }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

/* A mount or umount that reaches the monitor after the init rebooted (died by SIGHUP) but
 * before the monitor has restarted it: COVE_ERROR_NOT_RUNNING, nothing created, and the new
 * init has nothing of it. Made deterministic by stopping the monitor: the request is queued
 * on a connection the monitor watched before the last start, so its main loop serves it
 * before it handles the death of the init it was started with. */
static void
case_rebooting (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autofree char *socket_path = raw_socket_for (e->path, NAME);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) payload = NULL;
  g_autofree char *info = NULL;
  const char *commands[] = { "mount-inject", "umount-inject" };
  int conn;
  gint32 monitor;

  start_ok (c);
  itest_wait_busybox_ready (c);
  conn = raw_connect (socket_path);
  g_assert_cmpint (conn, >=, 0);
  g_assert_true (raw_send (conn, "monitor-pid", NULL));
  g_assert_true (raw_recv_payload (conn, 10, &payload, &error));
  g_assert_no_error (error);
  g_variant_get (payload, "(i)", &monitor);

  for (guint round = 0; round < G_N_ELEMENTS (commands); round++) {
    pid_t init;
    int pidfd;
    struct pollfd p;

    /* a reboot: the monitor's watch of the new init is younger than our connection */
    itest_wait_busybox_ready (c);
    g_assert_true (cove_container_reboot2 (c, 20, &error));
    g_assert_no_error (error);
    init = itest_wait_busybox_ready (c);
    pidfd = (int) syscall (SYS_pidfd_open, init, 0);
    g_assert_cmpint (pidfd, >=, 0);

    g_assert_cmpint (kill (monitor, SIGSTOP), ==, 0);
    reboot_from_inside (pidfd);
    p = (struct pollfd) { pidfd, POLLIN, 0 };
    g_assert_cmpint (poll (&p, 1, 5000), ==, 1);   /* the init is dead */
    if (round == 0)
      g_assert_true (raw_send (conn, "mount-inject", g_variant_new ("(ssstsu)", e->host, "/mnt/reb", "",
                                                                    (guint64) MS_BIND, "",
                                                                    (guint32) COVE_MOUNT_CREATE)));
    else
      g_assert_true (raw_send (conn, "umount-inject", g_variant_new ("(st)", "/mnt", (guint64) 0)));
    g_assert_cmpint (kill (monitor, SIGCONT), ==, 0);
    g_assert_false (raw_recv_payload (conn, 10, NULL, &error));
    g_test_message ("%s while rebooting: %s", commands[round], error ? error->message : "(succeeded)");
    g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
    g_assert_nonnull (strstr (error->message, "not running"));
    g_clear_error (&error);
    close (pidfd);

    /* and the container came back, without any of it */
    g_assert_true (cove_container_wait (c, COVE_STATE_RUNNING, 20, &error));
    g_assert_no_error (error);
    g_assert_cmpint (cove_container_init_pid (c, NULL), !=, init);
    g_assert_false (exists (in_rootfs (e, "mnt/reb")));
    info = (g_free (info), init_mountinfo (c));
    g_assert_null (mountinfo_line (info, "/mnt/reb"));
  }
  close (conn);
  /* the public API on the running container works again */
  mount_ok (c, e->host, "/mnt/after", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  umount_ok (c, "/mnt/after", 0);
  stop_ok (c);
}

/* 100 mount/umount pairs (directory and file binds, tmpfs) leave the container's and the
 * host's mount tables, the rootfs and the monitor exactly as they were. */
static void
case_hundred_pairs (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autofree char *file = in_host (e, "file");
  g_autofree char *init_before = NULL, *init_after = NULL;
  g_autofree char *host_before = NULL, *host_after = NULL;
  g_autofree char *rootfs_before = NULL, *rootfs_after = NULL;
  pid_t init, monitor;
  guint fds_before;
  double t0;

  write_text (file, "x");
  start_ok (c);
  init = itest_wait_busybox_ready (c);
  monitor = parent_of (init);
  init_before = init_mountinfo (c);
  host_before = host_mountinfo ();
  rootfs_before = tree_listing (e->rootfs);
  fds_before = proc_fd_count_settled (monitor, 0, 300);

  t0 = now_s ();
  for (int i = 0; i < 100; i++) {
    switch (i % 4) {
    case 0:
      mount_ok (c, e->host, "/mnt/pair/a/b", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
      umount_ok (c, "/mnt/pair/a/b", 0);
      break;
    case 1:
      mount_ok (c, file, "/tmp/pair-file", NULL, MS_BIND | MS_RDONLY, NULL, COVE_MOUNT_CREATE);
      umount_ok (c, "/tmp/pair-file", MNT_DETACH);
      break;
    case 2:
      mount_ok (c, NULL, "/mnt/pair-tmpfs", "tmpfs", MS_NOSUID, "size=64k", COVE_MOUNT_CREATE);
      umount_ok (c, "/mnt/pair-tmpfs", 0);
      break;
    default:
      g_assert_true (cove_container_mount (c, e->host, "/mnt", NULL, MS_BIND | MS_REC, NULL, NULL));
      umount_ok (c, "/mnt", 0);
      break;
    }
  }
  g_test_message ("100 mount/umount pairs: %.1f ms per pair", (now_s () - t0) * 10);

  init_after = init_mountinfo (c);
  g_assert_cmpstr (init_after, ==, init_before);
  host_after = host_mountinfo ();
  g_assert_cmpstr (host_after, ==, host_before);
  rootfs_after = tree_listing (e->rootfs);
  g_assert_cmpstr (rootfs_after, ==, rootfs_before);
  g_assert_cmpuint (proc_fd_count_settled (monitor, fds_before, 3000), <=, fds_before);
  g_assert_cmpuint (count_children (monitor, init), ==, 0);
  g_assert_cmpint (cove_container_init_pid (c, NULL), ==, init);
  stop_ok (c);
}

/* The cove tool: mount (bind with a relative source, file, tmpfs with -o) and umount. */
static void
case_cli (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autofree char *file = in_host (e, "file");
  g_autofree char *line = NULL;
  g_autofree char *options = NULL;
  g_autofree char *super = NULL;

  write_text (file, "cli\n");
  g_assert_cmpint (run_tool (e, NULL, "mount", NAME, e->host, "/mnt/cli", NULL), ==, 1);   /* stopped */
  start_ok (c);
  /* "host" relative to the tool's working directory */
  g_assert_cmpint (run_tool (e, e->path, "mount", NAME, "host", "/mnt/cli", "--create", NULL), ==, 0);
  g_assert_cmpint (run_tool (e, NULL, "mount", NAME, file, "/mnt/clif", "-o", "ro,nosuid", "--create", NULL), ==, 0);
  g_assert_cmpint (run_tool (e, NULL, "mount", NAME, "none", "/mnt/clit", "-t", "tmpfs",
                             "-o", "size=1m,mode=0700,ro,nosuid,nodev", "--create", NULL), ==, 0);
  g_assert_cmpint (run_tool (e, NULL, "mount", NAME, "/nonexistent", "/mnt/bad", "--create", NULL), ==, 1);
  g_assert_cmpint (run_tool (e, NULL, "mount", NAME, e->host, "/mnt/bad", "-o", "remount", NULL), ==, 1);
  g_assert_false (exists (in_rootfs (e, "mnt/bad")));

  line = init_mount_line (c, "/mnt/cli");
  g_assert_nonnull (line);
  g_assert_cmpstr (mountinfo_field (line, 3, FALSE), ==, e->host);
  g_clear_pointer (&line, g_free);
  line = init_mount_line (c, "/mnt/clif");
  g_assert_nonnull (line);
  options = mountinfo_field (line, 5, FALSE);
  g_assert_true (has_option (options, "ro"));
  g_assert_true (has_option (options, "nosuid"));
  g_clear_pointer (&line, g_free);
  g_clear_pointer (&options, g_free);
  line = init_mount_line (c, "/mnt/clit");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, " - tmpfs none "));
  options = mountinfo_field (line, 5, FALSE);
  g_assert_true (has_option (options, "nodev"));
  super = mountinfo_field (line, 2, TRUE);
  g_assert_true (has_option (super, "size=1024k"));
  g_assert_true (has_option (super, "mode=700"));
  g_assert_cmpint (attach_sh (c, "grep -qx cli /mnt/clif && test -d /mnt/cli/"), ==, 0);

  g_assert_cmpint (run_tool (e, NULL, "umount", NAME, "/mnt/cli", "--lazy", NULL), ==, 0);
  g_assert_cmpint (run_tool (e, NULL, "umount", NAME, "/mnt/clif", NULL), ==, 0);
  g_assert_cmpint (run_tool (e, NULL, "umount", NAME, "/mnt/clit", NULL), ==, 0);
  g_assert_cmpint (run_tool (e, NULL, "umount", NAME, "/mnt/clit", NULL), ==, 1);
  g_assert_false (exists (in_rootfs (e, "mnt/cli")));
  g_assert_false (exists (in_rootfs (e, "mnt/clif")));
  g_assert_false (exists (in_rootfs (e, "mnt/clit")));
  stop_ok (c);
}

/* C6.1, Cove variant: lxc.mount.auto = shmounts:… is accepted, and no tunnel is needed. */
static void
case_shmounts (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  g_autofree char *tunnel = g_strdup_printf ("shmounts:%s/tunnel proc:mixed sys:ro", e->path);
  g_autofree char *value = NULL;

  g_assert_true (cove_container_set_config_item (c, "lxc.mount.auto", "", &error));
  g_assert_true (cove_container_set_config_item (c, "lxc.mount.auto", tunnel, &error));
  g_assert_no_error (error);
  value = cove_container_get_config_item (c, "lxc.mount.auto", &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (value, "shmounts:"));
  g_assert_false (cove_container_set_config_item (c, "lxc.mount.auto", "shmounts:", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_clear_error (&error);

  start_ok (c);
  mount_ok (c, e->host, "/mnt/inj", NULL, MS_BIND, NULL, COVE_MOUNT_CREATE);
  g_assert_cmpint (attach_sh (c, "grep -q ' /mnt/inj ' /proc/self/mountinfo"), ==, 0);
  /* nothing of a tunnel: no /dev/.lxc-mounts, nothing under the host path */
  g_assert_cmpint (attach_sh (c, "! test -e /dev/.lxc-mounts"), ==, 0);
  g_assert_false (exists (g_build_filename (e->path, "tunnel", NULL)));
  umount_ok (c, "/mnt/inj", 0);
  stop_ok (c);
}

static void
case_userns (Env *e)
{
}

/* ---- the harness (parent side) ----------------------------------------------------- */

typedef struct {
  const char *path;
  void (*body) (Env *e);
  gboolean needs_root;
  int timeout;
  const char *skip;   /* always skipped, with this reason */
} Case;

static const Case cases[] = {
  { "/mount-inject/extensions", case_extensions, FALSE, 30, NULL },
  { "/mount-inject/bind-dir", case_bind_dir, TRUE, 60, NULL },
  { "/mount-inject/bind-file", case_bind_file, TRUE, 60, NULL },
  { "/mount-inject/new-fs", case_new_fs, TRUE, 60, NULL },
  { "/mount-inject/umount", case_umount, TRUE, 60, NULL },
  { "/mount-inject/bad-source", case_bad_source, TRUE, 60, NULL },
  { "/mount-inject/symlink-escape", case_symlink_escape, TRUE, 60, NULL },
  { "/mount-inject/stopped", case_stopped, TRUE, 60, NULL },
  { "/mount-inject/rebooting", case_rebooting, TRUE, 90, NULL },
  { "/mount-inject/hundred-pairs", case_hundred_pairs, TRUE, 120, NULL },
  { "/mount-inject/cli", case_cli, TRUE, 60, NULL },
  { "/mount-inject/shmounts", case_shmounts, TRUE, 60, NULL },
  { "/mount-inject/userns", case_userns, TRUE, 10,
    "C6.8 needs a user-namespaced container (lxc.idmap), which Cove cannot start yet" },
};

static void
run_body (const char *path, gconstpointer data)
{
  const Case *tc = data;
  Env e = { 0 };

  env_init (&e, path);
  tc->body (&e);
  env_clear (&e);
}

static void
run_case (gconstpointer data)
{
  const Case *tc = data;

  if (tc->skip != NULL) {
    g_test_skip (tc->skip);
    return;
  }
  if (!tc->needs_root) {
    tc->body (NULL);
    return;
  }
  itest_run_case (&suite, TRUE, tc->timeout, run_body, tc);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  itest_suite_start (&suite);

  if (geteuid () != 0) {
    suite.skip_reason = "needs root (the root suite runs real containers)";
  } else if (!g_test_subprocess ()) {
    const char *tool = g_getenv ("COVE_TOOL");
    const char *monitor = g_getenv ("COVE_MONITOR");

    /* a private network namespace, and a private mount namespace whose table is only
     * ours (the subprocesses and the monitors they start inherit both) */
    if (unshare (CLONE_NEWNET | CLONE_NEWNS) < 0)
      suite.skip_reason = g_strdup_printf ("unshare(CLONE_NEWNET | CLONE_NEWNS): %s", g_strerror (errno));
    else if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
      suite.skip_reason = g_strdup_printf ("make / private: %s", g_strerror (errno));
    else if (tool == NULL || monitor == NULL || g_getenv ("COVE_DATADIR") == NULL ||
             g_getenv ("COVE_PLUGIN_PATH") == NULL)
      suite.skip_reason = "COVE_TOOL, COVE_MONITOR, COVE_DATADIR and COVE_PLUGIN_PATH must be set (run through meson test)";
    else if (!g_file_test (tool, G_FILE_TEST_IS_EXECUTABLE) || !g_file_test (monitor, G_FILE_TEST_IS_EXECUTABLE))
      suite.skip_reason = "COVE_TOOL or COVE_MONITOR is not an executable";
    else if (!g_file_test ("/bin/busybox", G_FILE_TEST_IS_EXECUTABLE))
      suite.skip_reason = "the busybox template needs /bin/busybox (apt-get install busybox-static)";
    else if (!cove_has_api_extension ("mount_injection"))
      suite.skip_reason = "the mount-inject plugin is not active (COVE_PLUGIN_PATH)";
    g_test_set_nonfatal_assertions ();
  }

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], run_case);
  return g_test_run ();
}
