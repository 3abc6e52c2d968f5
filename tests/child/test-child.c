/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Root tests of the container init's side (core/child-*.c, core/hook-scripts.c) and the
 * lifecycle keys (core/keys-lifecycle.c), without the monitor: every case forks a child
 * that starts a second thread and clones (raw clone3) the init into new mount, pid, uts,
 * ipc and network namespaces, so the grandchild is pid 1 of a new pid namespace, cloned
 * from a multi-threaded parent, as a container init is by the monitor. The grandchild runs
 * the setup against a temporary busybox rootfs and execs a busybox command whose output
 * the test checks. Everything it mounts lives in its own mount namespace; after each case
 * the test checks that the host's mount table does not mention the temporary directory
 * and that no process is left (the test is a child subreaper and kills leftovers).
 *
 * Needs root and a static busybox (/bin/busybox, Debian's busybox-static); without them
 * every case is skipped with the reason.
 */
#include "child.h"

#include <fcntl.h>
#include <ftw.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#define BUSYBOX "/bin/busybox"
#define RUN_TIMEOUT_MS (30 * 1000)
#define ERROR_MARKER "\n@@COVE-SETUP-ERROR@@ "

static const char *skip_reason;
static CoveContext *context;
static char *tmpdir;
static char *rootfs;

/* ---- fixtures ---------------------------------------------------------------------- */

static const char *const applets[] = {
  "sh", "ls", "cat", "echo", "grep", "id", "pwd", "env", "hostname", "test", "touch", "wc",
  "uname", "readlink", "head", "mount", "mkdir", "true", "printf", "stat",
};

static void
write_file (const char *path, const char *contents, int mode)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
build_rootfs (void)
{
  static const char *const dirs[] = { "bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "mnt" };
  g_autofree char *contents = NULL;
  g_autofree char *busybox = g_build_filename (rootfs, "bin", "busybox", NULL);
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_cmpint (g_mkdir (rootfs, 0755), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++) {
    g_autofree char *dir = g_build_filename (rootfs, dirs[i], NULL);
    g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  }
  g_file_get_contents (BUSYBOX, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (busybox, contents, (gssize) length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (busybox, 0755), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (applets); i++) {
    g_autofree char *link = g_build_filename (rootfs, "bin", applets[i], NULL);
    g_assert_cmpint (symlink ("busybox", link), ==, 0);
  }
}

static int
remove_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path) < 0 ? -1 : 0;
}

static void
register_lifecycle_keys (void)
{
  g_autoptr(GError) error = NULL;
  CoveStaging staging;
  gboolean ok;

  /* the core registers them once the lifecycle lands; until then the test does */
  if (cove_registry_lookup_key (context->registry, COVE_KEY_SCOPE_GLOBAL, "rootfs.path") != NULL)
    return;
  cove_staging_init (&staging, "core");
  for (gsize i = 0; i < cove_lifecycle_keys_count; i++) {
    g_assert_true (cove_key_spec_check (&cove_lifecycle_keys[i], &error));
    g_assert_no_error (error);
    g_ptr_array_add (staging.keys, cove_key_new (&cove_lifecycle_keys[i], "core"));
  }
  ok = cove_registry_commit (context->registry, &staging, &error);
  cove_staging_clear (&staging);
  g_assert_no_error (error);
  g_assert_true (ok);
}

static CoveConfig *
new_config (void)
{
  CoveConfig *config = cove_config_new (context);
  g_autoptr(GError) error = NULL;

  cove_config_set (config, "lxc.rootfs.path", rootfs, NULL, &error);
  g_assert_no_error (error);
  return config;
}

static void
set (CoveConfig *config, const char *key, const char *value)
{
  g_autoptr(GError) error = NULL;

  cove_config_set (config, key, value, "test", &error);
  g_assert_no_error (error);
}

static void
assert_set_fails (CoveConfig *config, const char *key, const char *value, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", value);

  g_assert_false (cove_config_set (config, key, value, "test", &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_test_message ("%s = %s: %s", key, value, error->message);
  g_assert_nonnull (strstr (error->message, key));
  g_assert_nonnull (strstr (error->message, quoted));
  if (fragment != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
}

static char *
get (CoveConfig *config, const char *key)
{
  g_autoptr(GError) error = NULL;
  char *value = cove_config_get (config, key, &error);

  g_assert_no_error (error);
  return value;
}

#define assert_contains(haystack, needle)                                              \
  G_STMT_START {                                                                       \
    const char *h_ = (haystack), *n_ = (needle);                                       \
    if (strstr (h_, n_) == NULL)                                                       \
      g_error ("expected \"%s\" in:\n%s", n_, h_);                                     \
  } G_STMT_END

#define assert_not_contains(haystack, needle)                                          \
  G_STMT_START {                                                                       \
    const char *h_ = (haystack), *n_ = (needle);                                       \
    if (strstr (h_, n_) != NULL)                                                       \
      g_error ("did not expect \"%s\" in:\n%s", n_, h_);                               \
  } G_STMT_END

/* ---- running a container ----------------------------------------------------------- */

typedef enum {
  RUN_SETUP_ONLY = 0,
  RUN_SECURITY = 1 << 0,      /* cove_child_apply_security after the rootfs */
  RUN_START_HOOKS = 1 << 1,   /* lxc.hook.start before prepare_exec */
} RunFlags;

typedef struct {
  int status;       /* the command's exit status, 128+signal if killed */
  char *output;     /* its stdout and stderr */
  char *error;      /* the setup error, or NULL */
} RunResult;

static void
run_result_clear (RunResult *r)
{
  g_clear_pointer (&r->output, g_free);
  g_clear_pointer (&r->error, g_free);
}

static G_NORETURN void
report_error (GError *error)
{
  g_autofree char *text = g_strconcat (ERROR_MARKER, error->message, NULL);

  if (write (STDOUT_FILENO, text, strlen (text)) < 0)
    _exit (97);
  _exit (99);
}

static G_NORETURN void
container_init (CoveConfig *config, const char *const *argv, RunFlags flags)
{
  CoveChildSetup setup = { config, "c1", NULL, rootfs };
  g_autoptr(GError) error = NULL;
  char **exec_argv = NULL;
  char **exec_envp = NULL;

  if (!cove_child_setup_rootfs (&setup, &error) ||
      ((flags & RUN_SECURITY) && !cove_child_apply_security (&setup, &error)) ||
      ((flags & RUN_START_HOOKS) && !cove_run_hook_scripts (&setup, COVE_SCRIPT_START, NULL, &error)) ||
      !cove_child_prepare_exec (&setup, argv, &exec_argv, &exec_envp, &error))
    report_error (error);
  execve (exec_argv[0], exec_argv, exec_envp);
  cove_throw_errno (&error, "execve %s", exec_argv[0]);
  report_error (error);
}

static gpointer
idle_thread (gpointer data)
{
  for (;;)
    pause ();
  return NULL;
}

/* Plays the monitor: it has a second thread (the monitor has GLib's worker) and clones
 * the init with the raw clone3 system call, so glibc in the init believes in threads that
 * do not exist there, exactly as in a real start. */
static G_NORETURN void
namespace_parent (int out_fd, CoveConfig *config, const char *const *argv, RunFlags flags)
{
  struct clone_args args = {
    .flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET,
    .exit_signal = SIGCHLD,
  };
  pid_t init;
  int status;

  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    _exit (98);
  g_thread_unref (g_thread_new ("idle", idle_thread, NULL));
  init = (pid_t) syscall (SYS_clone3, &args, sizeof args);
  if (init < 0)
    _exit (98);
  if (init == 0) {
    if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || dup2 (out_fd, STDOUT_FILENO) < 0 ||
        dup2 (out_fd, STDERR_FILENO) < 0)
      _exit (98);
    close (out_fd);
    container_init (config, argv, flags);
  }
  close (out_fd);
  while (waitpid (init, &status, 0) < 0)
    if (errno != EINTR)
      _exit (98);
  _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
}

static void
assert_host_clean (void)
{
  g_autofree char *mountinfo = NULL;
  g_autofree char *children_path = g_strdup_printf ("/proc/self/task/%d/children", (int) getpid ());
  g_autofree char *children = NULL;
  g_auto(GStrv) pids = NULL;
  guint leftovers = 0;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  assert_not_contains (mountinfo, tmpdir);

  /* a subreaper gets every orphan: nothing of the case may be left */
  g_assert_true (g_file_get_contents (children_path, &children, NULL, NULL));
  pids = g_strsplit (g_strstrip (children), " ", -1);
  for (char **p = pids; *p; p++) {
    pid_t pid = (pid_t) g_ascii_strtoll (*p, NULL, 10);
    if (pid <= 0)
      continue;
    leftovers++;
    kill (pid, SIGKILL);
    waitpid (pid, NULL, 0);
  }
  g_assert_cmpuint (leftovers, ==, 0);
}

static void
run_container (CoveConfig *config, const char *const *argv, RunFlags flags, RunResult *r)
{
  int pipe_fds[2];
  pid_t child;
  GString *out = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + RUN_TIMEOUT_MS * 1000;
  int status;
  char *marker;

  memset (r, 0, sizeof *r);
  g_assert_cmpint (pipe2 (pipe_fds, O_CLOEXEC), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0) {
    close (pipe_fds[0]);
    namespace_parent (pipe_fds[1], config, argv, flags);
  }
  close (pipe_fds[1]);

  for (;;) {
    struct pollfd pfd = { pipe_fds[0], POLLIN, 0 };
    int remaining = (int) ((deadline - g_get_monotonic_time ()) / 1000);
    char buf[4096];
    ssize_t n;

    if (remaining <= 0 || poll (&pfd, 1, remaining) == 0) {
      kill (child, SIGKILL);
      g_test_message ("timed out; output so far:\n%s", out->str);
      break;
    }
    n = read (pipe_fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    g_string_append_len (out, buf, n);
  }
  close (pipe_fds[0]);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  r->status = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  g_assert_cmpint (r->status, !=, 98);

  marker = strstr (out->str, ERROR_MARKER);
  if (marker != NULL) {
    r->error = g_strdup (marker + strlen (ERROR_MARKER));
    *marker = '\0';
  }
  r->output = g_string_free (out, FALSE);
  g_test_message ("status %d, output:\n%s%s%s", r->status, r->output,
                  r->error ? "\nsetup error: " : "", r->error ? r->error : "");
  assert_host_clean ();
}

/* Runs @argv and expects it to succeed; returns its output. */
static char *
run_ok (CoveConfig *config, const char *const *argv, RunFlags flags)
{
  RunResult r;

  run_container (config, argv, flags, &r);
  if (r.error != NULL)
    g_error ("setup failed: %s", r.error);
  g_assert_cmpint (r.status, ==, 0);
  g_free (r.error);
  return r.output;
}

/* Runs and expects the setup to fail; returns the error message. */
static char *
run_fails (CoveConfig *config, const char *const *argv, RunFlags flags)
{
  RunResult r;
  char *message;

  run_container (config, argv, flags, &r);
  if (r.error == NULL)
    g_error ("setup succeeded (status %d, output %s)", r.status, r.output);
  g_assert_cmpint (r.status, ==, 99);
  message = g_steal_pointer (&r.error);
  run_result_clear (&r);
  return message;
}

static const char *const *
shell (const char *script)
{
  static const char *argv[4];

  argv[0] = "sh";
  argv[1] = "-c";
  argv[2] = script;
  argv[3] = NULL;
  return argv;
}

static gboolean
need_root (void)
{
  if (skip_reason != NULL) {
    g_test_skip (skip_reason);
    return FALSE;
  }
  return TRUE;
}

/* The mount point (field 5) and mount options (field 6) of each mountinfo line. */
static gboolean
mountinfo_find (const char *mountinfo, const char *mount_point, char **options, char **fstype)
{
  g_auto(GStrv) lines = g_strsplit (mountinfo, "\n", -1);
  gboolean found = FALSE;

  for (char **l = lines; *l; l++) {
    g_auto(GStrv) fields = g_strsplit (*l, " ", -1);
    guint n = g_strv_length (fields);
    guint dash;

    if (n < 10 || strcmp (fields[4], mount_point) != 0)
      continue;
    for (dash = 6; dash < n && strcmp (fields[dash], "-") != 0; dash++)
      ;
    if (options) {
      g_free (*options);
      *options = g_strdup (fields[5]);
    }
    if (fstype && dash + 1 < n) {
      g_free (*fstype);
      *fstype = g_strdup (fields[dash + 1]);
    }
    found = TRUE;   /* the last one is the one on top */
  }
  return found;
}

static void
assert_mount (const char *mountinfo, const char *mount_point, const char *fstype, gboolean read_only)
{
  g_autofree char *options = NULL;
  g_autofree char *type = NULL;

  if (!mountinfo_find (mountinfo, mount_point, &options, &type))
    g_error ("no mount on %s in:\n%s", mount_point, mountinfo);
  if (fstype != NULL)
    g_assert_cmpstr (type, ==, fstype);
  g_assert_cmpint (g_str_has_prefix (options, "ro"), ==, read_only);
}

/* ---- cases: the rootfs and pivot_root ---------------------------------------------- */

static void
test_pivot_mountinfo (void)
{
  static const char *const allowed[] = { "/", "/dev", "/dev/pts", "/dev/shm", "/proc", NULL };
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *rootfs_field = NULL;
  guint n_mounts = 0;

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.mount.auto", "proc:rw");
  out = run_ok (config, (const char *const[]) { "cat", "/proc/self/mountinfo", NULL }, RUN_SETUP_ONLY);

  lines = g_strsplit (out, "\n", -1);
  for (char **l = lines; *l; l++) {
    g_auto(GStrv) fields = g_strsplit (*l, " ", -1);
    if (g_strv_length (fields) < 10)
      continue;
    n_mounts++;
    if (!g_strv_contains (allowed, fields[4]))
      g_error ("unexpected mount point %s (a host mount leaked?):\n%s", fields[4], out);
  }
  g_assert_cmpuint (n_mounts, ==, g_strv_length ((char **) allowed));
  /* mount points are container paths; the rootfs's host path shows only as the root
   * (field 4) of the "/" mount, as with any bind mount */
  rootfs_field = g_strconcat (" ", rootfs, " / ", NULL);
  assert_contains (out, rootfs_field);
}

static void
test_rootfs_errors (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *message = NULL;
  g_autofree char *value = NULL;

  if (!need_root ())
    return;
  config = cove_config_new (context);
  assert_set_fails (config, "lxc.rootfs.path", "relative/rootfs", "absolute");
  assert_set_fails (config, "lxc.rootfs.path", "overlay:/a:/b", NULL);
  set (config, "lxc.rootfs.path", "dir:/some/where");
  value = get (config, "lxc.rootfs.path");
  g_assert_cmpstr (value, ==, "/some/where");

  /* a missing rootfs: the child fails naming the key */
  set (config, "lxc.rootfs.path", "/nonexistent-rootfs");
  {
    /* the same path as a container, with this rootfs */
    char *saved = rootfs;
    rootfs = (char *) "/nonexistent-rootfs";
    message = run_fails (config, (const char *const[]) { "true", NULL }, RUN_SETUP_ONLY);
    rootfs = saved;
  }
  assert_contains (message, "lxc.rootfs.path = \"/nonexistent-rootfs\"");
  assert_contains (message, "No such file or directory");
}

/* ---- cases: lxc.mount.auto --------------------------------------------------------- */

static void
test_proc_mixed (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.mount.auto", "proc:mixed");
  out = run_ok (config, shell ("echo x > /proc/sys/kernel/domainname && echo SYS-WROTE || echo SYS-RO;"
                               "echo 1 > /proc/sys/net/ipv4/ip_forward && echo NET-WROTE || echo NET-RO;"
                               "cat /proc/self/mountinfo"), RUN_SETUP_ONLY);
  assert_contains (out, "SYS-RO");
  assert_contains (out, "NET-WROTE");
  assert_mount (out, "/proc", "proc", FALSE);
  assert_mount (out, "/proc/sys", "proc", TRUE);
  assert_mount (out, "/proc/sys/net", "proc", FALSE);
  if (g_file_test ("/proc/sysrq-trigger", G_FILE_TEST_EXISTS))
    assert_mount (out, "/proc/sysrq-trigger", "proc", TRUE);
}

static void
test_proc_mixed_without_net_admin (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.mount.auto", "proc");
  set (config, "lxc.cap.drop", "net_admin");
  out = run_ok (config, shell ("echo 1 > /proc/sys/net/ipv4/ip_forward && echo NET-WROTE || echo NET-RO;"
                               "cat /proc/self/mountinfo"), RUN_SETUP_ONLY);
  assert_contains (out, "NET-RO");
  g_assert_false (mountinfo_find (out, "/proc/sys/net", NULL, NULL));
  assert_mount (out, "/proc/sys", "proc", TRUE);
}

static void
test_proc_rw (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.mount.auto", "proc:rw");
  out = run_ok (config, shell ("echo x > /proc/sys/kernel/domainname && echo SYS-WROTE || echo SYS-RO;"
                               "cat /proc/self/mountinfo"), RUN_SETUP_ONLY);
  assert_contains (out, "SYS-WROTE");
  g_assert_false (mountinfo_find (out, "/proc/sys", NULL, NULL));
}

static void
test_sys_modes (void)
{
  static const struct {
    const char *value;
    gboolean read_only;
    gboolean net_rw;
  } cases[] = {
    { "sys:ro", TRUE, FALSE },
    { "sys:rw", FALSE, FALSE },
    { "sys:mixed", TRUE, TRUE },
    { "sys", TRUE, TRUE },
  };

  if (!need_root ())
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(CoveConfig) config = new_config ();
    g_autofree char *out = NULL;
    g_autofree char *spec = g_strdup_printf ("proc:rw %s", cases[i].value);

    g_test_message ("lxc.mount.auto = %s", spec);
    set (config, "lxc.mount.auto", spec);
    out = run_ok (config, shell ("ls /sys/devices/virtual/net; cat /proc/self/mountinfo"), RUN_SETUP_ONLY);
    assert_mount (out, "/sys", "sysfs", cases[i].read_only);
    if (cases[i].net_rw)
      assert_mount (out, "/sys/devices/virtual/net", "sysfs", FALSE);
    else
      g_assert_false (mountinfo_find (out, "/sys/devices/virtual/net", NULL, NULL));
    /* sysfs of the container's network namespace: only its loopback */
    g_assert_true (g_str_has_prefix (out, "lo\n"));
  }
}

static void
test_mount_auto_values (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *value = NULL;

  config = cove_config_new (context);
  assert_set_fails (config, "lxc.mount.auto", "cgroup:mixed", "not implemented");
  /* LXC's mount tunnel: accepted and ignored (mount-inject needs none); a host path is required */
  assert_set_fails (config, "lxc.mount.auto", "proc shmounts:", "shmounts needs a host path");
  assert_set_fails (config, "lxc.mount.auto", "shmounts::/dev/x", "shmounts needs a host path");
  set (config, "lxc.mount.auto", "shmounts:/a:/b proc");
  value = get (config, "lxc.mount.auto");
  g_assert_cmpstr (value, ==, "shmounts:/a:/b proc:mixed");
  g_clear_pointer (&value, g_free);
  set (config, "lxc.mount.auto", "");
  assert_set_fails (config, "lxc.mount.auto", "bogus", "unknown word");
  assert_set_fails (config, "lxc.mount.auto", "proc:ro", "unknown word");
  set (config, "lxc.mount.auto", "proc  sys");
  set (config, "lxc.mount.auto", "sys:ro");
  value = get (config, "lxc.mount.auto");
  g_assert_cmpstr (value, ==, "proc:mixed sys:mixed\nsys:ro");
}

/* ---- cases: lxc.mount.entry and lxc.mount.fstab ------------------------------------ */

static void
test_entry_bind_ro_create_dir (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *host = g_build_filename (tmpdir, "hostdata", NULL);
  g_autofree char *hello = g_build_filename (host, "hello", NULL);
  g_autofree char *created = g_build_filename (rootfs, "mnt", "data", "deeper", NULL);
  g_autofree char *written = g_build_filename (host, "new", NULL);
  g_autofree char *entry = NULL;
  g_autofree char *out = NULL;

  if (!need_root ())
    return;
  g_assert_cmpint (g_mkdir (host, 0755), ==, 0);
  write_file (hello, "HELLO\n", 0644);
  config = new_config ();
  set (config, "lxc.mount.auto", "proc:rw");
  entry = g_strdup_printf ("%s mnt/data/deeper none bind,ro,create=dir 0 0", host);
  set (config, "lxc.mount.entry", entry);

  out = run_ok (config, shell ("cat /mnt/data/deeper/hello;"
                               "touch /mnt/data/deeper/new 2>/dev/null && echo WROTE || echo RO;"
                               "cat /proc/self/mountinfo"), RUN_SETUP_ONLY);
  assert_contains (out, "HELLO");
  assert_contains (out, "RO\n");
  assert_mount (out, "/mnt/data/deeper", NULL, TRUE);
  g_assert_true (g_file_test (created, G_FILE_TEST_IS_DIR));
  g_assert_false (g_file_test (written, G_FILE_TEST_EXISTS));
}

static void
test_entry_create_file_and_options (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *host = g_build_filename (tmpdir, "hostfile", NULL);
  g_autofree char *file_entry = NULL;
  g_autofree char *out = NULL;

  if (!need_root ())
    return;
  write_file (host, "FILE-CONTENT\n", 0644);
  config = new_config ();
  set (config, "lxc.mount.auto", "proc:rw");
  file_entry = g_strdup_printf ("%s etc/hostfile none bind,create=file,nosuid 0 0", host);
  set (config, "lxc.mount.entry", file_entry);
  /* an absolute target is inside the rootfs too; fs data passes through */
  set (config, "lxc.mount.entry", "tmpfs /mnt/tmpfs tmpfs create=dir,size=1m,mode=700,noexec");
  set (config, "lxc.mount.entry", "tmpfs mnt/tmpfs/x\\040y tmpfs create=dir,ro 0 0");
  out = run_ok (config, shell ("cat /etc/hostfile; echo data > /etc/hostfile && echo RW-FILE;"
                               "stat -c %a /mnt/tmpfs; ls /mnt/tmpfs; cat /proc/self/mountinfo"),
                RUN_SETUP_ONLY);
  assert_contains (out, "FILE-CONTENT");
  assert_contains (out, "RW-FILE");
  assert_contains (out, "700\nx y\n");
  assert_mount (out, "/etc/hostfile", NULL, FALSE);
  assert_mount (out, "/mnt/tmpfs", "tmpfs", FALSE);
  assert_mount (out, "/mnt/tmpfs/x\\040y", "tmpfs", TRUE);
  assert_contains (out, "size=1024k,mode=700");
  {
    g_autofree char *options = NULL;
    mountinfo_find (out, "/mnt/tmpfs", &options, NULL);
    assert_contains (options, "noexec");
    mountinfo_find (out, "/etc/hostfile", &options, NULL);
    assert_contains (options, "nosuid");
  }
}

static void
test_entry_optional (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *not_created = g_build_filename (rootfs, "mnt", "optional", NULL);
  g_autofree char *out = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.mount.entry", "/nonexistent mnt/optional none bind,optional,create=dir 0 0");
  set (config, "lxc.mount.entry", "tmpfs mnt/missing-target tmpfs optional 0 0");
  out = run_ok (config, (const char *const[]) { "echo", "still-running", NULL }, RUN_SETUP_ONLY);
  assert_contains (out, "still-running");
  g_assert_false (g_file_test (not_created, G_FILE_TEST_EXISTS));
}

static void
test_entry_missing_source (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *message = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.mount.entry", "/nonexistent mnt none bind 0 0");
  message = run_fails (config, (const char *const[]) { "true", NULL }, RUN_SETUP_ONLY);
  assert_contains (message, "lxc.mount.entry = \"/nonexistent mnt none bind 0 0\": ");
  assert_contains (message, "No such file or directory");

  /* a missing target without create= fails too, naming the entry */
  g_clear_pointer (&config, cove_config_free);
  g_free (message);
  config = new_config ();
  set (config, "lxc.mount.entry", "tmpfs mnt/nowhere tmpfs defaults 0 0");
  message = run_fails (config, (const char *const[]) { "true", NULL }, RUN_SETUP_ONLY);
  assert_contains (message, "lxc.mount.entry = \"tmpfs mnt/nowhere tmpfs defaults 0 0\": ");
  assert_contains (message, "/mnt/nowhere");
}

static void
test_entry_symlink_escape (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *host_target = g_build_filename (tmpdir, "host-target", NULL);
  g_autofree char *marker = g_build_filename (host_target, "marker", NULL);
  g_autofree char *host_target2 = g_build_filename (tmpdir, "host-target2", NULL);
  g_autofree char *host_file = g_build_filename (tmpdir, "host-file-target", NULL);
  g_autofree char *inside = g_build_filename (rootfs, host_target, NULL);
  g_autofree char *link1 = g_build_filename (rootfs, "evil", NULL);
  g_autofree char *link2 = g_build_filename (rootfs, "evil-file", NULL);
  g_autofree char *entry = NULL;
  g_autofree char *dotdot = NULL;
  g_autofree char *file_entry = NULL;
  g_autofree char *out = NULL;
  g_autofree char *message = NULL;

  if (!need_root ())
    return;
  g_assert_cmpint (g_mkdir (host_target, 0755), ==, 0);
  write_file (marker, "HOST\n", 0644);
  g_assert_cmpint (g_mkdir_with_parents (inside, 0755), ==, 0);
  /* absolute symlinks to host paths, and a ".." walk: all stay inside the rootfs */
  g_assert_cmpint (symlink (host_target, link1), ==, 0);
  g_assert_cmpint (symlink (host_file, link2), ==, 0);

  config = new_config ();
  set (config, "lxc.mount.auto", "proc:rw");
  set (config, "lxc.mount.entry", "tmpfs evil tmpfs defaults 0 0");
  dotdot = g_strdup_printf ("tmpfs ../../../../../../..%s tmpfs create=dir 0 0", host_target2);
  set (config, "lxc.mount.entry", dotdot);
  entry = g_strdup_printf ("%s hostview none bind,create=dir 0 0", host_target);
  set (config, "lxc.mount.entry", entry);
  out = run_ok (config, shell ("cat /hostview/marker; cat /proc/self/mountinfo"), RUN_SETUP_ONLY);

  /* the host directory was not covered: its marker shows through the later bind */
  assert_contains (out, "HOST\n");
  /* both tmpfs mounts landed inside the container, at the in-root paths */
  assert_mount (out, host_target, "tmpfs", FALSE);
  assert_mount (out, host_target2, "tmpfs", FALSE);
  g_assert_false (g_file_test (host_target2, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));

  /* create=file through a dangling symlink to the host: nothing created on the host */
  g_clear_pointer (&config, cove_config_free);
  config = new_config ();
  file_entry = g_strdup_printf ("%s evil-file none bind,create=file 0 0", marker);
  set (config, "lxc.mount.entry", file_entry);
  message = run_fails (config, (const char *const[]) { "true", NULL }, RUN_SETUP_ONLY);
  assert_contains (message, "lxc.mount.entry = \"");
  g_assert_false (g_file_test (host_file, G_FILE_TEST_EXISTS));
}

static void
test_entry_values (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *value = NULL;

  config = cove_config_new (context);
  assert_set_fails (config, "lxc.mount.entry", "onlytwo fields", "field");
  assert_set_fails (config, "lxc.mount.entry", "a b c d e f g", "field");
  assert_set_fails (config, "lxc.mount.entry", "a b c d x 0", "dump");
  assert_set_fails (config, "lxc.mount.entry", "/a b none bind,create=socket 0 0", "create=");
  assert_set_fails (config, "lxc.mount.entry", "/a b none bind,idmap=container 0 0", "bind");
  assert_set_fails (config, "lxc.mount.entry", "relative b none bind 0 0", "absolute");
  assert_set_fails (config, "lxc.mount.entry", "/a b none bind,remount 0 0", "remount");
  set (config, "lxc.mount.entry", "  /a  b none rbind,ro,optional,x-cove-note 0 0  ");
  value = get (config, "lxc.mount.entry");
  g_assert_cmpstr (value, ==, "/a  b none rbind,ro,optional,x-cove-note 0 0");
  assert_set_fails (config, "lxc.mount.fstab", "relative/fstab", "absolute");
}

static void
test_fstab (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *fstab = g_build_filename (tmpdir, "fstab", NULL);
  g_autofree char *bad = g_build_filename (tmpdir, "fstab-bad", NULL);
  g_autofree char *out = NULL;
  g_autofree char *message = NULL;
  g_autofree char *expected = NULL;

  if (!need_root ())
    return;
  write_file (fstab, "# a comment\n\n  tmpfs mnt/fstab tmpfs create=dir,size=2m 0 0\n"
                     "tmpfs mnt/fstab2 tmpfs create=dir,ro\n", 0644);
  write_file (bad, "tmpfs mnt/fstab3 tmpfs create=dir\n\n/nonexistent mnt/fstab4 none bind,create=dir 0 0\n", 0644);
  config = new_config ();
  set (config, "lxc.mount.auto", "proc:rw");
  set (config, "lxc.mount.fstab", fstab);
  out = run_ok (config, (const char *const[]) { "cat", "/proc/self/mountinfo", NULL }, RUN_SETUP_ONLY);
  assert_mount (out, "/mnt/fstab", "tmpfs", FALSE);
  assert_mount (out, "/mnt/fstab2", "tmpfs", TRUE);
  assert_contains (out, "size=2048k");

  set (config, "lxc.mount.fstab", bad);
  message = run_fails (config, (const char *const[]) { "true", NULL }, RUN_SETUP_ONLY);
  expected = g_strdup_printf ("lxc.mount.fstab = \"%s\": line 3 \"/nonexistent mnt/fstab4 none bind,create=dir 0 0\": ", bad);
  assert_contains (message, expected);
  assert_contains (message, "No such file or directory");

  write_file (bad, "tmpfs\n", 0644);
  g_free (message);
  message = run_fails (config, (const char *const[]) { "true", NULL }, RUN_SETUP_ONLY);
  assert_contains (message, "line 1: expected");
}

/* ---- cases: lxc.autodev, lxc.uts.name, lxc.arch ------------------------------------ */

static void
test_autodev (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;
  g_autofree char *options = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.mount.auto", "proc:rw");
  out = run_ok (config, shell ("for n in null zero full random urandom tty; do test -c /dev/$n && echo node-$n; done;"
                               "echo hi > /dev/null && echo NULL-OK; head -c 5 /dev/zero | wc -c;"
                               "head -c 3 /dev/urandom | wc -c;"
                               "for l in fd stdin stdout stderr ptmx; do echo link-$l=$(readlink /dev/$l); done;"
                               "test -c /dev/pts/ptmx && echo PTS-PTMX; stat -c %a /dev/shm;"
                               "cat /proc/self/mountinfo"), RUN_SETUP_ONLY);
  for (const char *const *n = (const char *const[]) { "null", "zero", "full", "random", "urandom", "tty", NULL }; *n; n++) {
    g_autofree char *line = g_strdup_printf ("node-%s\n", *n);
    assert_contains (out, line);
  }
  assert_contains (out, "NULL-OK\n5\n3\n");
  assert_contains (out, "link-fd=/proc/self/fd\n");
  assert_contains (out, "link-stdin=/proc/self/fd/0\n");
  assert_contains (out, "link-stdout=/proc/self/fd/1\n");
  assert_contains (out, "link-stderr=/proc/self/fd/2\n");
  assert_contains (out, "link-ptmx=pts/ptmx\n");
  assert_contains (out, "PTS-PTMX\n1777\n");
  assert_mount (out, "/dev", "tmpfs", FALSE);
  assert_mount (out, "/dev/pts", "devpts", FALSE);
  assert_mount (out, "/dev/shm", "tmpfs", FALSE);
  assert_contains (out, "gid=5,mode=620,ptmxmode=666");
  mountinfo_find (out, "/dev/shm", &options, NULL);
  assert_contains (options, "nodev");
}

static void
test_autodev_off (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.autodev", "0");
  out = run_ok (config, shell ("ls -A /dev | wc -l"), RUN_SETUP_ONLY);
  g_assert_cmpstr (out, ==, "0\n");
}

static void
test_uts_name (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;
  g_autofree char *long_name = g_strnfill (65, 'x');

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.uts.name", "cove-test");
  out = run_ok (config, (const char *const[]) { "hostname", NULL }, RUN_SETUP_ONLY);
  g_assert_cmpstr (out, ==, "cove-test\n");
  assert_set_fails (config, "lxc.uts.name", long_name, "64");
}

static void
test_arch (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;
  struct utsname uts;

  if (!need_root ())
    return;
  config = new_config ();
  assert_set_fails (config, "lxc.arch", "pdp11", "unknown architecture");
  g_assert_cmpint (uname (&uts), ==, 0);
  if (strcmp (uts.machine, "x86_64") != 0) {
    g_test_skip ("lxc.arch = i686 is checked on x86_64 hosts only");
    return;
  }
  set (config, "lxc.arch", "i686");
  out = run_ok (config, (const char *const[]) { "uname", "-m", NULL }, RUN_SECURITY);
  g_assert_cmpstr (out, ==, "i686\n");
  set (config, "lxc.arch", "AMD64");
  g_free (out);
  out = run_ok (config, (const char *const[]) { "uname", "-m", NULL }, RUN_SECURITY);
  g_assert_cmpstr (out, ==, "x86_64\n");
}

/* ---- cases: capabilities, ids, no_new_privs ---------------------------------------- */

static guint64
status_field (const char *out, const char *field)
{
  g_autofree char *prefix = g_strconcat (field, ":", NULL);
  const char *line = strstr (out, prefix);

  if (line == NULL)
    g_error ("no %s in:\n%s", field, out);
  return g_ascii_strtoull (line + strlen (prefix), NULL, 16);
}

static guint64
cap_bnd_with (const char *key, const char *const *values, guint64 *cap_inh)
{
  g_autoptr(CoveConfig) config = new_config ();
  g_autofree char *out = NULL;

  set (config, "lxc.mount.auto", "proc:rw");
  for (const char *const *v = values; *v; v++)
    set (config, key, *v);
  out = run_ok (config, (const char *const[]) { "cat", "/proc/self/status", NULL }, RUN_SECURITY);
  if (cap_inh)
    *cap_inh = status_field (out, "CapInh");
  return status_field (out, "CapBnd");
}

static void
test_cap_drop (void)
{
  guint64 bnd;
  guint64 full;

  if (!need_root ())
    return;
  full = cap_bnd_with ("lxc.cap.drop", (const char *const[]) { NULL }, NULL);
  g_assert_true (full & (1 << 21));
  bnd = cap_bnd_with ("lxc.cap.drop", (const char *const[]) { "sys_admin", NULL }, NULL);
  g_assert_false (bnd & (1 << 21));
  g_assert_cmphex (bnd, ==, full & ~(G_GUINT64_CONSTANT (1) << 21));
  bnd = cap_bnd_with ("lxc.cap.drop", (const char *const[]) { "SYS_MODULE mknod", "12", NULL }, NULL);
  g_assert_cmphex (bnd, ==, full & ~((G_GUINT64_CONSTANT (1) << 16) | (1 << 27) | (1 << 12)));
}

static void
test_cap_keep (void)
{
  guint64 inh;

  if (!need_root ())
    return;
  g_assert_cmphex (cap_bnd_with ("lxc.cap.keep", (const char *const[]) { "chown NET_RAW", NULL }, &inh),
                   ==, (1 << 0) | (1 << 13));
  g_assert_cmphex (inh, ==, 0);
  /* "none" discards what came before it */
  g_assert_cmphex (cap_bnd_with ("lxc.cap.keep", (const char *const[]) { "chown", "none", "kill", NULL }, NULL),
                   ==, 1 << 5);
  g_assert_cmphex (cap_bnd_with ("lxc.cap.keep", (const char *const[]) { "none", NULL }, NULL), ==, 0);
}

static void
test_cap_errors (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *message = NULL;
  g_autofree char *value = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  assert_set_fails (config, "lxc.cap.drop", "sys_bogus", "unknown capability");
  assert_set_fails (config, "lxc.cap.drop", "none", "only valid in lxc.cap.keep");
  assert_set_fails (config, "lxc.cap.keep", "64", "0-63");
  set (config, "lxc.cap.drop", "SYS_ADMIN cap_net_raw 0");
  value = get (config, "lxc.cap.drop");
  g_assert_cmpstr (value, ==, "sys_admin net_raw chown");

  set (config, "lxc.cap.keep", "chown");
  message = run_fails (config, (const char *const[]) { "true", NULL }, RUN_SECURITY);
  assert_contains (message, "lxc.cap.drop");
  assert_contains (message, "lxc.cap.keep");
  assert_contains (message, "cannot be used together");
}

static void
test_ids (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.mount.auto", "proc:rw");
  set (config, "lxc.init.uid", "1000");
  set (config, "lxc.init.gid", "1001");
  out = run_ok (config, shell ("id -u; id -g; id -G; grep -E '^(CapEff|Groups)' /proc/self/status"),
                RUN_SECURITY);
  assert_contains (out, "1000\n1001\n1001\n");
  g_assert_cmphex (status_field (out, "CapEff"), ==, 0);
  assert_contains (out, "Groups:\t \n");

  assert_set_fails (config, "lxc.init.uid", "4294967295", "below");
  assert_set_fails (config, "lxc.init.gid", "-1", NULL);
}

static void
test_no_new_privs (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.mount.auto", "proc:rw");
  out = run_ok (config, (const char *const[]) { "grep", "NoNewPrivs", "/proc/self/status", NULL }, RUN_SECURITY);
  assert_contains (out, "NoNewPrivs:\t0");
  set (config, "lxc.no_new_privs", "1");
  g_free (out);
  out = run_ok (config, (const char *const[]) { "grep", "NoNewPrivs", "/proc/self/status", NULL }, RUN_SECURITY);
  assert_contains (out, "NoNewPrivs:\t1");
}

/* ---- cases: environment, cwd, command ---------------------------------------------- */

static void
test_environment (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  set (config, "lxc.environment", "FOO=bar baz");
  set (config, "lxc.environment", "EMPTY=");
  set (config, "lxc.environment", "COVE_TEST_FROM_CALLER");
  set (config, "lxc.environment", "COVE_TEST_NOT_SET_ANYWHERE");
  set (config, "lxc.environment", "FOO=second");
  assert_set_fails (config, "lxc.environment", "=value", "empty");
  g_setenv ("COVE_TEST_FROM_CALLER", "caller value", TRUE);
  g_unsetenv ("COVE_TEST_NOT_SET_ANYWHERE");
  out = run_ok (config, (const char *const[]) { "env", NULL }, RUN_SETUP_ONLY);
  g_unsetenv ("COVE_TEST_FROM_CALLER");

  assert_contains (out, "FOO=second\n");
  assert_contains (out, "EMPTY=\n");
  assert_contains (out, "COVE_TEST_FROM_CALLER=caller value\n");
  assert_contains (out, "container=lxc\n");
  assert_contains (out, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
  assert_not_contains (out, "COVE_TEST_NOT_SET_ANYWHERE");
  assert_not_contains (out, "G_DEBUG");   /* nothing else of the caller's environment */
  assert_not_contains (out, "bar baz");
}

static void
test_init_cwd (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;
  g_autofree char *message = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  out = run_ok (config, (const char *const[]) { "pwd", NULL }, RUN_SETUP_ONLY);
  g_assert_cmpstr (out, ==, "/\n");
  set (config, "lxc.init.cwd", "/tmp");
  g_free (out);
  out = run_ok (config, (const char *const[]) { "pwd", NULL }, RUN_SETUP_ONLY);
  g_assert_cmpstr (out, ==, "/tmp\n");

  assert_set_fails (config, "lxc.init.cwd", "tmp", "absolute");
  set (config, "lxc.init.cwd", "/nonexistent");
  message = run_fails (config, (const char *const[]) { "pwd", NULL }, RUN_SETUP_ONLY);
  assert_contains (message, "lxc.init.cwd = \"/nonexistent\": chdir: No such file or directory");
}

static void
test_init_cmd (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *out = NULL;
  g_autofree char *message = NULL;

  if (!need_root ())
    return;
  config = new_config ();
  /* not set: /sbin/init, which this rootfs lacks */
  message = run_fails (config, NULL, RUN_SETUP_ONLY);
  assert_contains (message, "/sbin/init");
  assert_contains (message, "No such file or directory");

  assert_set_fails (config, "lxc.init.cmd", "sh -c 'unterminated", NULL);
  set (config, "lxc.init.cmd", "sh -c 'echo \"from init.cmd\" $0' arg0");
  out = run_ok (config, NULL, RUN_SETUP_ONLY);
  g_assert_cmpstr (out, ==, "from init.cmd arg0\n");

  /* a command given to start/execute wins over lxc.init.cmd */
  g_free (out);
  out = run_ok (config, (const char *const[]) { "echo", "given", NULL }, RUN_SETUP_ONLY);
  g_assert_cmpstr (out, ==, "given\n");

  set (config, "lxc.init.cmd", "no-such-command --flag");
  g_free (message);
  message = run_fails (config, NULL, RUN_SETUP_ONLY);
  assert_contains (message, "lxc.init.cmd = \"no-such-command --flag\": no-such-command: no such command");
}

/* ---- cases: signals ---------------------------------------------------------------- */

static void
test_signals (void)
{
  static const struct {
    const char *value;
    int expected;     /* -1: rejected */
  } table[] = {
    { "TERM", -1 }, { "term", -1 }, { "sigterm", SIGTERM }, { "SIGTERM", SIGTERM },
    { "SiGkIlL", SIGKILL }, { "15", 15 }, { "999", 999 }, { "SIGPWR", SIGPWR },
    { "SIGUSR1", SIGUSR1 }, { "SIGCLD", SIGCHLD }, { "SIGIOT", SIGABRT },
    { "SIG", -1 }, { "SIGBOGUS", -1 }, { "-1", -1 }, { "1x", -1 }, { " 15", -1 },
    { "SIGRTMIN", -1 }, { "SIGRTMAX", -1 }, { "SIGRTMIN-1", -1 }, { "SIGRTMAX+1", -1 },
    { "SIGRTMIN+", -1 }, { "SIGRTMIN+x", -1 }, { "99999999999", -1 },
  };
  g_autoptr(CoveConfig) config = NULL;

  config = cove_config_new (context);

  /* defaults */
  g_assert_cmpint (cove_config_signal (config, "lxc.signal.halt"), ==, SIGPWR);
  g_assert_cmpint (cove_config_signal (config, "signal.reboot"), ==, SIGINT);
  g_assert_cmpint (cove_config_signal (config, "lxc.signal.stop"), ==, SIGKILL);

  for (gsize i = 0; i < G_N_ELEMENTS (table); i++) {
    g_autofree char *expected = g_strdup_printf ("%d", table[i].expected);
    g_autofree char *value = NULL;

    if (table[i].expected < 0) {
      assert_set_fails (config, "lxc.signal.reboot", table[i].value, NULL);
      continue;
    }
    set (config, "lxc.signal.reboot", table[i].value);
    value = get (config, "lxc.signal.reboot");
    g_assert_cmpstr (value, ==, expected);
    g_assert_cmpint (cove_config_signal (config, "lxc.signal.reboot"), ==, table[i].expected);
  }

  /* C0.4 */
  {
    g_autofree char *v1 = NULL, *v2 = NULL, *v3 = NULL, *v4 = NULL, *v5 = NULL;
    g_autofree char *rtmin3 = g_strdup_printf ("%d", SIGRTMIN + 3);
    g_autofree char *rtmax = g_strdup_printf ("%d", SIGRTMAX);
    g_autofree char *rtmin_max = g_strdup_printf ("SIGRTMIN+%d", SIGRTMAX - SIGRTMIN);

    assert_set_fails (config, "lxc.signal.reboot", "TERM", NULL);
    set (config, "lxc.signal.reboot", "sigterm");
    v1 = get (config, "lxc.signal.reboot");
    g_assert_cmpstr (v1, ==, "15");
    set (config, "lxc.signal.reboot", "SIGRTMIN+3");
    v2 = get (config, "lxc.signal.reboot");
    g_assert_cmpstr (v2, ==, rtmin3);
    set (config, "lxc.signal.halt", "sigrtmax-0");
    v3 = get (config, "lxc.signal.halt");
    g_assert_cmpstr (v3, ==, rtmax);
    set (config, "lxc.signal.stop", rtmin_max);
    v4 = get (config, "lxc.signal.stop");
    g_assert_cmpstr (v4, ==, rtmax);
    set (config, "lxc.signal.reboot", "");
    v5 = get (config, "lxc.signal.reboot");
    g_assert_cmpstr (v5, ==, "");
    g_assert_cmpint (cove_config_signal (config, "lxc.signal.reboot"), ==, SIGINT);
    set (config, "lxc.signal.halt", "0");
    g_assert_cmpint (cove_config_signal (config, "lxc.signal.halt"), ==, SIGPWR);
  }
}

/* ---- cases: hook scripts ----------------------------------------------------------- */

static const char hook_script[] =
  "#!/bin/sh\n"
  "{\n"
  "  echo \"args=$*\"\n"
  "  for v in LXC_NAME LXC_CONFIG_FILE LXC_ROOTFS_MOUNT LXC_ROOTFS_PATH LXC_HOOK_TYPE \\\n"
  "           LXC_HOOK_SECTION LXC_HOOK_VERSION LXC_TARGET; do\n"
  "    eval \"echo $v=\\${$v-unset}\"\n"
  "  done\n"
  "} >> \"$COVE_TEST_HOOK_OUT\"\n";

static void
test_hooks_host (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *script = g_build_filename (tmpdir, "hook.sh", NULL);
  g_autofree char *log = g_build_filename (tmpdir, "hook.out", NULL);
  g_autofree char *with_args = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *second = NULL;
  g_autoptr(GError) error = NULL;
  CoveChildSetup setup = { NULL, "c1", "/var/lib/cove/c1/config", NULL };

  if (!need_root ())
    return;
  write_file (script, hook_script, 0755);
  g_setenv ("COVE_TEST_HOOK_OUT", log, TRUE);
  config = new_config ();
  setup.config = config;
  setup.rootfs = rootfs;

  /* no hooks: nothing to do */
  g_assert_true (cove_run_hook_scripts (&setup, COVE_SCRIPT_PRE_START, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));

  with_args = g_strdup_printf ("%s extra-arg", script);
  set (config, "lxc.hook.pre-start", script);
  set (config, "lxc.hook.pre-start", with_args);
  g_assert_true (cove_run_hook_scripts (&setup, COVE_SCRIPT_PRE_START, NULL, &error));
  g_assert_no_error (error);
  g_file_get_contents (log, &contents, NULL, &error);
  g_assert_no_error (error);
  expected = g_strdup_printf ("args=c1 lxc pre-start\nLXC_NAME=c1\nLXC_CONFIG_FILE=/var/lib/cove/c1/config\n"
                              "LXC_ROOTFS_MOUNT=%s\nLXC_ROOTFS_PATH=%s\nLXC_HOOK_TYPE=pre-start\n"
                              "LXC_HOOK_SECTION=lxc\nLXC_HOOK_VERSION=0\nLXC_TARGET=unset\n"
                              "args=extra-arg c1 lxc pre-start\n", rootfs, rootfs);
  g_assert_true (g_str_has_prefix (contents, expected));
  g_unlink (log);

  /* post-stop: LXC_TARGET is the target, "stop" without one */
  set (config, "lxc.hook.post-stop", script);
  g_assert_true (cove_run_hook_scripts (&setup, COVE_SCRIPT_POST_STOP, "reboot", &error));
  g_assert_no_error (error);
  g_assert_true (cove_run_hook_scripts (&setup, COVE_SCRIPT_POST_STOP, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&contents, g_free);
  g_file_get_contents (log, &contents, NULL, &error);
  g_assert_no_error (error);
  assert_contains (contents, "args=c1 lxc post-stop\n");
  assert_contains (contents, "LXC_HOOK_TYPE=post-stop\n");
  assert_contains (contents, "LXC_TARGET=reboot\n");
  assert_contains (contents, "LXC_TARGET=stop\n");
  g_unlink (log);

  /* a failing hook stops the others and names itself, its status and its last words */
  set (config, "lxc.hook.post-stop", "");
  set (config, "lxc.hook.post-stop", "sh -c 'echo first >&2; echo last words >&2; exit 3'");
  second = g_strdup (script);
  set (config, "lxc.hook.post-stop", second);
  g_assert_false (cove_run_hook_scripts (&setup, COVE_SCRIPT_POST_STOP, NULL, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  assert_contains (error->message,
                   "lxc.hook.post-stop = \"sh -c 'echo first >&2; echo last words >&2; exit 3'\": "
                   "exited with status 3: last words");
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* a missing script */
  set (config, "lxc.hook.pre-start", "");
  set (config, "lxc.hook.pre-start", "/nonexistent/hook");
  g_assert_false (cove_run_hook_scripts (&setup, COVE_SCRIPT_PRE_START, NULL, &error));
  assert_contains (error->message, "lxc.hook.pre-start = \"/nonexistent/hook\": exited with status 127");
  g_clear_error (&error);

  /* killed by a signal */
  set (config, "lxc.hook.pre-start", "");
  set (config, "lxc.hook.pre-start", "sh -c 'kill -TERM $$'");
  g_assert_false (cove_run_hook_scripts (&setup, COVE_SCRIPT_PRE_START, NULL, &error));
  assert_contains (error->message, "killed by signal 15");
  g_unsetenv ("COVE_TEST_HOOK_OUT");
}

static void
test_hooks_start (void)
{
  g_autoptr(CoveConfig) config = NULL;
  g_autofree char *script = g_build_filename (rootfs, "hook-start.sh", NULL);
  g_autofree char *log = g_build_filename (rootfs, "tmp", "hook-start.out", NULL);
  g_autofree char *out = NULL;
  g_autofree char *message = NULL;

  if (!need_root ())
    return;
  write_file (script, hook_script, 0755);
  config = new_config ();
  set (config, "lxc.hook.start", "/hook-start.sh");
  g_setenv ("COVE_TEST_HOOK_OUT", "/tmp/hook-start.out", TRUE);
  out = run_ok (config, (const char *const[]) { "cat", "/tmp/hook-start.out", NULL }, RUN_START_HOOKS);
  g_unsetenv ("COVE_TEST_HOOK_OUT");
  assert_contains (out, "args=c1 lxc start\n");
  assert_contains (out, "LXC_HOOK_TYPE=start\n");
  assert_contains (out, "LXC_NAME=c1\n");
  g_unlink (log);

  /* the hook runs inside the container: a host-only path does not exist there */
  set (config, "lxc.hook.start", "");
  set (config, "lxc.hook.start", "test -e /hook-start.sh && test ! -e /bin/bash-on-the-host-only");
  g_free (out);
  out = run_ok (config, (const char *const[]) { "echo", "ok", NULL }, RUN_START_HOOKS);
  set (config, "lxc.hook.start", "false");
  message = run_fails (config, (const char *const[]) { "echo", "never", NULL }, RUN_START_HOOKS);
  assert_contains (message, "lxc.hook.start = \"false\": exited with status 1");
  g_unlink (script);
}

/* ---- main -------------------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  CoveContextOptions options = { sizeof (CoveContextOptions), NULL, NULL,
                                 COVE_CONTEXT_NO_ENVIRONMENT | COVE_CONTEXT_NO_DEFAULT_PATH };
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (geteuid () != 0)
    skip_reason = "needs root (mount, pid and network namespaces, pivot_root, capabilities)";
  else if (!g_file_test (BUSYBOX, G_FILE_TEST_IS_EXECUTABLE))
    skip_reason = "needs a static busybox at " BUSYBOX " (Debian: apt-get install busybox-static)";

  context = cove_context_new (&options, &error);
  g_assert_no_error (error);
  register_lifecycle_keys ();

  if (skip_reason == NULL) {
    g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), ==, 0);
    tmpdir = g_dir_make_tmp ("cove-child-XXXXXX", &error);
    g_assert_no_error (error);
    rootfs = g_build_filename (tmpdir, "rootfs", NULL);
    build_rootfs ();
  }

  g_test_add_func ("/child/rootfs/pivot-mountinfo", test_pivot_mountinfo);
  g_test_add_func ("/child/rootfs/errors", test_rootfs_errors);
  g_test_add_func ("/child/mount-auto/proc-mixed", test_proc_mixed);
  g_test_add_func ("/child/mount-auto/proc-mixed-without-net-admin", test_proc_mixed_without_net_admin);
  g_test_add_func ("/child/mount-auto/proc-rw", test_proc_rw);
  g_test_add_func ("/child/mount-auto/sys", test_sys_modes);
  g_test_add_func ("/child/mount-auto/values", test_mount_auto_values);
  g_test_add_func ("/child/mount-entry/bind-ro-create-dir", test_entry_bind_ro_create_dir);
  g_test_add_func ("/child/mount-entry/create-file-and-options", test_entry_create_file_and_options);
  g_test_add_func ("/child/mount-entry/optional", test_entry_optional);
  g_test_add_func ("/child/mount-entry/missing-source", test_entry_missing_source);
  g_test_add_func ("/child/mount-entry/symlink-escape", test_entry_symlink_escape);
  g_test_add_func ("/child/mount-entry/values", test_entry_values);
  g_test_add_func ("/child/mount-fstab", test_fstab);
  g_test_add_func ("/child/autodev/on", test_autodev);
  g_test_add_func ("/child/autodev/off", test_autodev_off);
  g_test_add_func ("/child/uts-name", test_uts_name);
  g_test_add_func ("/child/arch", test_arch);
  g_test_add_func ("/child/caps/drop", test_cap_drop);
  g_test_add_func ("/child/caps/keep", test_cap_keep);
  g_test_add_func ("/child/caps/errors", test_cap_errors);
  g_test_add_func ("/child/init/ids", test_ids);
  g_test_add_func ("/child/init/no-new-privs", test_no_new_privs);
  g_test_add_func ("/child/init/environment", test_environment);
  g_test_add_func ("/child/init/cwd", test_init_cwd);
  g_test_add_func ("/child/init/cmd", test_init_cmd);
  g_test_add_func ("/child/signals", test_signals);
  g_test_add_func ("/child/hooks/host", test_hooks_host);
  g_test_add_func ("/child/hooks/start", test_hooks_start);

  ret = g_test_run ();

  if (tmpdir != NULL) {
    g_autofree char *mountinfo = NULL;
    /* never walk into a mount: the checks above make sure there is none */
    if (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL) &&
        strstr (mountinfo, tmpdir) == NULL)
      nftw (tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  }
  g_clear_pointer (&context, cove_context_unref);
  return ret;
}
