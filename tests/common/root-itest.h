/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The case runner of the root tests that run real containers (lifecycle, console,
 * mount-inject): every case runs in a g_test_trap_subprocess() child with a fresh
 * container path (and, when asked, a busybox container made by `cove create -t busybox`);
 * whatever the child did or failed to do, the parent then stops every container under the
 * path, makes sure no monitor, container process, mount or run-directory file survives
 * (each survivor is a failure of the case) and removes the path. Cases share a time budget
 * below meson's timeout, so that a slow case never leaves a killed parent that cannot clean
 * up. The network tests use net-itest.h, which adds a private network namespace.
 */
#pragma once

#include "raw-command.h"

#include <cove.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  const char *name;           /* the container the cases use */
  const char *path_env;       /* hands the path to the case's subprocess */
  const char *tmp_template;   /* for g_dir_make_tmp() */
  int budget_s;               /* below the meson timeout of the test */
  const char *skip_reason;    /* set by main(): every case is skipped */
  double deadline;
} ItestSuite;

static G_GNUC_UNUSED double
itest_now (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static gboolean
itest_all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

/* Pids of cove-monitor processes started for containers under @path (argv has
 * "--path PATH"; the attach helper has no --path). */
static G_GNUC_UNUSED GArray *
itest_find_monitors (const char *path)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *entry;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL) {
    g_autofree char *file = NULL;
    g_autofree char *cmdline = NULL;
    g_autofree char *base = NULL;
    g_autoptr(GPtrArray) args = NULL;
    gsize len;

    if (!itest_all_digits (entry))
      continue;
    file = g_strdup_printf ("/proc/%s/cmdline", entry);
    if (!g_file_get_contents (file, &cmdline, &len, NULL) || len == 0)
      continue;
    args = g_ptr_array_new ();
    for (gsize off = 0; off < len; off += strlen (cmdline + off) + 1)
      g_ptr_array_add (args, cmdline + off);
    base = g_path_get_basename (args->pdata[0]);
    if (!g_str_equal (base, "cove-monitor"))
      continue;
    for (guint i = 0; i + 1 < args->len; i++) {
      if (g_str_equal (args->pdata[i], "--path") && g_str_equal (args->pdata[i + 1], path)) {
        int pid = atoi (entry);
        g_array_append_val (pids, pid);
        break;
      }
    }
  }
  return pids;
}

/* Pids of processes whose root directory lies under @path (container processes): the
 * mount at "/" in their /proc/PID/mountinfo has its root (4th field) under @path — a
 * readlink of /proc/PID/root only says "/" after pivot_root. */
static G_GNUC_UNUSED GArray *
itest_find_rooted_under (const char *path)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  g_autofree char *prefix = g_strconcat (path, "/", NULL);
  const char *entry;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL) {
    g_autofree char *file = NULL;
    g_autofree char *info = NULL;
    g_auto(GStrv) lines = NULL;
    gboolean under = FALSE;

    if (!itest_all_digits (entry))
      continue;
    file = g_strdup_printf ("/proc/%s/mountinfo", entry);
    if (!g_file_get_contents (file, &info, NULL, NULL))
      continue;
    lines = g_strsplit (info, "\n", -1);
    for (char **l = lines; *l; l++) {
      g_auto(GStrv) fields = g_strsplit (*l, " ", 6);
      /* the last mount at "/" is the visible one */
      if (g_strv_length (fields) >= 5 && g_str_equal (fields[4], "/"))
        under = g_str_has_prefix (fields[3], prefix);
    }
    if (under) {
      int pid = atoi (entry);
      g_array_append_val (pids, pid);
    }
  }
  return pids;
}

static G_GNUC_UNUSED gboolean
itest_wait_no_monitor (const char *path, double seconds)
{
  double deadline = itest_now () + seconds;

  for (;;) {
    g_autoptr(GArray) pids = itest_find_monitors (path);
    if (pids->len == 0)
      return TRUE;
    if (itest_now () > deadline)
      return FALSE;
    g_usleep (20 * 1000);
  }
}

/* Lines of /proc/self/mountinfo that mention @path; NULL if none. */
static G_GNUC_UNUSED char *
itest_mounts_mentioning (const char *path)
{
  g_autofree char *info = NULL;
  g_auto(GStrv) lines = NULL;
  GString *found = g_string_new (NULL);

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &info, NULL, NULL));
  lines = g_strsplit (info, "\n", -1);
  for (char **l = lines; *l; l++)
    if (strstr (*l, path) != NULL)
      g_string_append_printf (found, "%s\n", *l);
  return g_string_free (found, found->len == 0);
}

static int
itest_remove_entry (const char *file, const struct stat *st, int type, struct FTW *ftw)
{
  if ((type == FTW_DP ? rmdir (file) : unlink (file)) < 0)
    g_printerr ("# cleanup: remove %s: %s\n", file, g_strerror (errno));
  return 0;
}

static G_GNUC_UNUSED void
itest_remove_tree (const char *path)
{
  /* never follow symlinks (the rootfs is full of them), never cross a mount */
  nftw (path, itest_remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Parent side, after the case (which may have failed anywhere): stop every container
 * under @path (@name and any other directory there), make sure no monitor, container
 * process, mount or run-directory file survives, and remove @path. Returns what had to be
 * cleaned up by force, NULL if nothing. */
static G_GNUC_UNUSED char *
itest_teardown (const char *path, const char *name)
{
  GString *problems = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GArray) procs = NULL;
  g_autofree char *mounts = NULL;
  const char *entry;
  double deadline;

  g_ptr_array_add (names, g_strdup (name));
  while (dir && (entry = g_dir_read_name (dir)) != NULL) {
    g_autofree char *sub = g_build_filename (path, entry, NULL);
    if (g_file_test (sub, G_FILE_TEST_IS_DIR) && !g_str_equal (entry, name))
      g_ptr_array_add (names, g_strdup (entry));
  }
  for (guint i = 0; i < names->len; i++) {
    g_autoptr(CoveContainer) c = cove_container_new (names->pdata[i], path, NULL);
    /* a stop is refused while the container is between states (e.g. rebooting) */
    for (int tries = 0; c != NULL && tries < 3 && cove_container_state (c) != COVE_STATE_STOPPED; tries++) {
      g_autoptr(GError) error = NULL;
      cove_container_wait_mask (c, COVE_STATE_MASK (COVE_STATE_RUNNING) | COVE_STATE_MASK (COVE_STATE_STOPPED),
                                10, NULL, NULL);
      if (!cove_container_stop (c, &error))
        g_printerr ("# cleanup: stop %s: %s\n", (char *) names->pdata[i], error->message);
    }
  }

  if (!itest_wait_no_monitor (path, 10)) {
    g_autoptr(GArray) monitors = itest_find_monitors (path);
    for (guint i = 0; i < monitors->len; i++) {
      int pid = g_array_index (monitors, int, i);
      g_string_append_printf (problems, "monitor %d survived the stop; killed\n", pid);
      kill (pid, SIGCONT);   /* a case may have stopped it */
      kill (pid, SIGKILL);
    }
    itest_wait_no_monitor (path, 5);
  }
  /* the inits die with their monitors (PR_SET_PDEATHSIG) */
  deadline = itest_now () + 5;
  for (;;) {
    g_clear_pointer (&procs, g_array_unref);
    procs = itest_find_rooted_under (path);
    if (procs->len == 0 || itest_now () > deadline)
      break;
    g_usleep (20 * 1000);
  }
  for (guint i = 0; i < procs->len; i++) {
    int pid = g_array_index (procs, int, i);
    g_string_append_printf (problems, "container process %d survived its monitor; killed\n", pid);
    kill (pid, SIGKILL);
  }

  mounts = itest_mounts_mentioning (path);
  if (mounts != NULL) {
    g_auto(GStrv) lines = g_strsplit (mounts, "\n", -1);
    g_string_append_printf (problems, "mounts left behind:\n%s", mounts);
    for (gssize i = g_strv_length (lines) - 1; i >= 0; i--) {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);
      if (g_strv_length (fields) >= 5 && g_str_has_prefix (fields[4], path))
        umount2 (fields[4], MNT_DETACH);
    }
  }

  for (guint i = 0; i < names->len; i++) {
    g_autofree char *rundir = raw_rundir_for (path, names->pdata[i]);
    g_autoptr(GDir) rd = g_dir_open (rundir, 0, NULL);
    while (rd && (entry = g_dir_read_name (rd)) != NULL) {
      g_autofree char *file = g_build_filename (rundir, entry, NULL);
      g_string_append_printf (problems, "%s left behind\n", file);
      unlink (file);
    }
    if (rd != NULL && rmdir (rundir) == 0)
      g_printerr ("# cleanup: removed the empty run directory %s\n", rundir);
  }

  itest_remove_tree (path);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    g_string_append_printf (problems, "could not remove %s\n", path);
  return g_string_free (problems, problems->len == 0);
}

/* `cove create NAME -t busybox` under @path (the tool from COVE_TOOL). */
static G_GNUC_UNUSED gboolean
itest_create_busybox (const char *path, const char *name, GError **error)
{
  const char *argv[] = { g_getenv ("COVE_TOOL"), "-P", path, "create", name, "-t", "busybox", NULL };
  g_autofree char *err = NULL;
  int wait_status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                     &wait_status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (wait_status, error)) {
    g_prefix_error (error, "cove create -t busybox: %s: ", err ? g_strchomp (err) : "");
    return FALSE;
  }
  return TRUE;
}

/* ---- helpers of the case bodies ------------------------------------------------------ */

static G_GNUC_UNUSED CoveContainer *
itest_open_container (const char *path, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContainer) c = cove_container_new (name, path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (c);
  cove_container_load_config (c, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&c);
}

static G_GNUC_UNUSED void
itest_set_item (CoveContainer *c, const char *key, const char *value)
{
  g_autoptr(GError) error = NULL;

  if (!cove_container_set_config_item (c, key, value, &error))
    g_error ("set %s = \"%s\": %s", key, value, error->message);
}

static guint64
itest_status_mask (const char *status, const char *field)
{
  const char *line = strstr (status, field);

  return line ? g_ascii_strtoull (line + strlen (field), NULL, 16) : 0;
}

/* Whether a signal in @want sent to @pid now would reach it rather than be dropped (a
 * pid-namespace init only gets signals it handles or blocks): each is caught (SigCgt) or
 * blocked (SigBlk), or @pid sleeps in sigtimedwait(), which takes the waited-for signals
 * out of SigBlk while it waits (busybox init blocks its signals and waits like that). */
static G_GNUC_UNUSED gboolean
itest_init_accepts (pid_t pid, guint64 want)
{
  g_autofree char *file = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *wchan_file = g_strdup_printf ("/proc/%d/wchan", (int) pid);
  g_autofree char *status = NULL;
  g_autofree char *wchan = NULL;

  if (!g_file_get_contents (file, &status, NULL, NULL))
    return FALSE;
  if (((itest_status_mask (status, "\nSigBlk:") | itest_status_mask (status, "\nSigCgt:")) & want) == want)
    return TRUE;
  return g_file_get_contents (wchan_file, &wchan, NULL, NULL) && strstr (wchan, "sigtimedwait") != NULL;
}

/* The init's pid once it accepts @sig1 and @sig2 (at most 10 s). */
static G_GNUC_UNUSED pid_t
itest_wait_init_handles (CoveContainer *c, int sig1, int sig2)
{
  guint64 want = (G_GUINT64_CONSTANT (1) << (sig1 - 1)) | (G_GUINT64_CONSTANT (1) << (sig2 - 1));
  double deadline = itest_now () + 10;
  pid_t pid = -1;

  while (itest_now () < deadline) {
    pid = cove_container_init_pid (c, NULL);
    if (pid > 0 && itest_init_accepts (pid, want))
      return pid;
    g_usleep (10 * 1000);
  }
  g_error ("the container init (pid %d) did not accept signals %d and %d within 10 s",
           (int) pid, sig1, sig2);
}

/* busybox init: SIGTERM reboots, SIGUSR1 halts (the template's lxc.signal.*) */
static G_GNUC_UNUSED pid_t
itest_wait_busybox_ready (CoveContainer *c)
{
  return itest_wait_init_handles (c, SIGTERM, SIGUSR1);
}

/* ---- the case runner ---------------------------------------------------------------- */

static G_GNUC_UNUSED void
itest_suite_start (ItestSuite *suite)
{
  suite->deadline = itest_now () + suite->budget_s;
}

/* One case: @body (path, @data) in a subprocess given at most @timeout seconds, with the
 * busybox container made first if @template; then the teardown in this process. */
static G_GNUC_UNUSED void
itest_run_case (ItestSuite *suite, gboolean template, int timeout,
                void (*body) (const char *path, gconstpointer data), gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *problems = NULL;
  double left;

  if (suite->skip_reason != NULL) {
    g_test_skip (suite->skip_reason);
    return;
  }
  if (g_test_subprocess ()) {
    const char *p = g_getenv (suite->path_env);

    g_assert_nonnull (p);
    body (p, data);
    return;
  }

  left = suite->deadline - itest_now ();
  if (left < 15) {
    g_test_fail_printf ("not run: earlier cases used up the suite's %d s budget", suite->budget_s);
    return;
  }
  path = g_dir_make_tmp (suite->tmp_template, &error);
  g_assert_no_error (error);
  if (template && !itest_create_busybox (path, suite->name, &error)) {
    g_test_fail_printf ("%s", error->message);
    problems = itest_teardown (path, suite->name);
  } else {
    g_setenv (suite->path_env, path, TRUE);
    /* keep ~15 s for the teardown */
    g_test_trap_subprocess (NULL, (guint64) (MIN (timeout, left - 15) * G_USEC_PER_SEC),
                            G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_unsetenv (suite->path_env);
    problems = itest_teardown (path, suite->name);
    g_test_trap_assert_passed ();
  }
  if (problems != NULL)
    g_test_fail_printf ("cleanup after the case: %s", problems);
}
