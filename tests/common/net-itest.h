/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the root network tests (tests/integration/test-net.c, tests/plugins/net-*):
 * main() moves the test into a private network namespace (nothing here ever touches the
 * machine's own); every case runs in a g_test_trap_subprocess() child with a fresh
 * container path and a busybox container "c1" (cove create -t busybox), and the parent
 * then stops whatever runs there, waits for the monitor, deletes every network device the
 * case left in the test namespace (reporting it as a failure) and removes the path.
 * Addresses only from 192.0.2.0/24, 198.51.100.0/24 and 2001:db8::/32.
 */
#pragma once

#include "root-itest.h"

#include <cove.h>

#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NET_NAME "c1"
#define NET_PATH_ENV "COVE_NTEST_PATH"
#define NARGV(...) ((const char *const[]) { __VA_ARGS__, NULL })

typedef struct {
  const char *path;
  void (*body) (const char *path);
  int timeout;
} NetCase;

static const char *net_skip_reason;

static G_GNUC_UNUSED double
net_now (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

/* Runs @cmd (sh -c) in the test's namespace; its stdout in @out; the exit status. */
static G_GNUC_UNUSED int
net_sh (char **out, const char *format, ...) G_GNUC_PRINTF (2, 3);

static G_GNUC_UNUSED int
net_sh (char **out, const char *format, ...)
{
  g_autofree char *cmd = NULL;
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
  int status = 0;
  va_list ap;

  va_start (ap, format);
  cmd = g_strdup_vprintf (format, ap);
  va_end (ap);
  argv[2] = cmd;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &text, &err, &status, &error))
    g_error ("%s: %s", cmd, error->message);
  if (err != NULL && *err)
    g_printerr ("# %s: %s", cmd, err);
  if (out != NULL)
    *out = g_strdup (text ? g_strstrip (text) : "");
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* Asserts that @cmd succeeds; returns its stripped stdout. */
static G_GNUC_UNUSED char *
net_sh_ok (const char *cmd)
{
  char *out = NULL;
  int status = net_sh (&out, "%s", cmd);

  if (status != 0)
    g_error ("%s: exit %d: %s", cmd, status, out);
  return out;
}

static G_GNUC_UNUSED gboolean
net_link_exists (const char *name)
{
  return net_sh (NULL, "ip link show dev %s >/dev/null 2>&1", name) == 0;
}

/* The kernel removes a dead namespace's veth asynchronously: wait (≤ 5 s). */
static G_GNUC_UNUSED gboolean
net_wait_link_gone (const char *name)
{
  double deadline = net_now () + 5;

  while (net_now () < deadline) {
    if (!net_link_exists (name))
      return TRUE;
    g_usleep (20 * 1000);
  }
  return FALSE;
}

/* Every link of the test namespace but lo, one per line. */
static G_GNUC_UNUSED char *
net_links (void)
{
  char *out = NULL;

  net_sh (&out, "ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -vx lo | sort");
  return out;
}

static G_GNUC_UNUSED CoveContainer *
net_open (const char *path)
{
  return itest_open_container (path, NET_NAME);
}

static G_GNUC_UNUSED void
net_set (CoveContainer *c, const char *key, const char *value)
{
  itest_set_item (c, key, value);
}

static G_GNUC_UNUSED void
net_start_ok (CoveContainer *c)
{
  g_autoptr(GError) error = NULL;

  if (!cove_container_start (c, COVE_START_FLAGS_NONE, NULL, &error))
    g_error ("start: %s", error->message);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
}

static G_GNUC_UNUSED void
net_stop_ok (CoveContainer *c)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cove_container_stop (c, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
}

/* A start that must fail within 5 s, with @expect in the message, leaving STOPPED. */
static G_GNUC_UNUSED void
net_start_fails (CoveContainer *c, const char *expect)
{
  g_autoptr(GError) error = NULL;
  double t0 = net_now ();
  gboolean ok = cove_container_start (c, COVE_START_FLAGS_NONE, NULL, &error);

  g_assert_false (ok);
  g_assert_nonnull (error);
  g_printerr ("# start failed as expected: %s\n", error->message);
  if (strstr (error->message, expect) == NULL)
    g_error ("\"%s\" does not say \"%s\"", error->message, expect);
  g_assert_cmpfloat (net_now () - t0, <, 5.0);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
}

/* Runs @cmd (sh -c) in the container's network namespace with the host's iproute2. */
static G_GNUC_UNUSED char *
net_inside (CoveContainer *c, const char *cmd)
{
  g_autoptr(GError) error = NULL;
  pid_t pid = cove_container_init_pid (c, &error);
  g_autofree char *full = NULL;

  g_assert_no_error (error);
  full = g_strdup_printf ("nsenter -t %d -n sh -c '%s'", (int) pid, cmd);
  return net_sh_ok (full);
}

static G_GNUC_UNUSED int
net_attach (CoveContainer *c, const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  int status = cove_container_attach_run_wait (c, argv, &error);

  g_assert_no_error (error);
  return status;
}

static G_GNUC_UNUSED void
net_assert_contains (const char *text, const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("\"%s\" does not contain \"%s\"", text, needle);
}

static int
net_remove_entry (const char *file, const struct stat *st, int type, struct FTW *ftw)
{
  remove (file);
  return 0;
}

/* Parent side: whatever the body did, stop the container, wait for its monitor, and
 * remove every device left in the test namespace. Returns the problems found. */
static G_GNUC_UNUSED char *
net_teardown (const char *path, const char *links_before)
{
  GString *problems = g_string_new (NULL);
  g_autoptr(CoveContainer) c = cove_container_new (NET_NAME, path, NULL);
  g_autofree char *links = NULL;
  double deadline = net_now () + 10;

  while (c != NULL && cove_container_state (c) != COVE_STATE_STOPPED && net_now () < deadline) {
    cove_container_wait_mask (c, COVE_STATE_MASK (COVE_STATE_RUNNING) | COVE_STATE_MASK (COVE_STATE_STOPPED),
                              5, NULL, NULL);
    cove_container_stop (c, NULL);
  }
  if (c != NULL && cove_container_state (c) != COVE_STATE_STOPPED)
    g_string_append (problems, "the container did not stop\n");
  /* the pair of a stopped container goes with its namespace, asynchronously */
  deadline = net_now () + 5;
  for (;;) {
    g_clear_pointer (&links, g_free);
    links = net_links ();
    if (g_strcmp0 (links, links_before) == 0 || net_now () > deadline)
      break;
    g_usleep (20 * 1000);
  }
  if (g_strcmp0 (links, links_before) != 0) {
    g_auto(GStrv) now = g_strsplit (links, "\n", -1);
    g_auto(GStrv) before = g_strsplit (links_before, "\n", -1);
    for (char **l = now; *l; l++) {
      if (**l && !g_strv_contains ((const char * const *) before, *l)) {
        g_string_append_printf (problems, "device %s left behind; deleted\n", *l);
        net_sh (NULL, "ip link del %s", *l);
      }
    }
  }
  nftw (path, net_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (problems->len == 0) {
    g_string_free (problems, TRUE);
    return NULL;
  }
  return g_string_free (problems, FALSE);
}

static G_GNUC_UNUSED gboolean
net_create_container (const char *path, GError **error)
{
  const char *argv[] = { g_getenv ("COVE_TOOL"), "-P", path, "create", NET_NAME, "-t", "busybox", NULL };
  int wait_status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                     &wait_status, error))
    return FALSE;
  return g_spawn_check_wait_status (wait_status, error);
}

static G_GNUC_UNUSED void
net_run_case (gconstpointer data)
{
  const NetCase *tc = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *problems = NULL;
  g_autofree char *links_before = NULL;

  if (net_skip_reason != NULL) {
    g_test_skip (net_skip_reason);
    return;
  }
  if (g_test_subprocess ()) {
    tc->body (g_getenv (NET_PATH_ENV));
    return;
  }
  path = g_dir_make_tmp ("cove-ntest-XXXXXX", &error);
  g_assert_no_error (error);
  links_before = net_links ();
  if (!net_create_container (path, &error)) {
    g_test_fail_printf ("cove create -t busybox: %s", error->message);
    problems = net_teardown (path, links_before);
  } else {
    g_setenv (NET_PATH_ENV, path, TRUE);
    g_test_trap_subprocess (NULL, (guint64) tc->timeout * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_unsetenv (NET_PATH_ENV);
    problems = net_teardown (path, links_before);
    g_test_trap_assert_passed ();
  }
  if (problems != NULL)
    g_test_fail_printf ("cleanup after the case: %s", problems);
}

/* In main(): root, tools, and a private network namespace with lo up. */
static G_GNUC_UNUSED void
net_test_init (int *argc, char ***argv)
{
  g_test_init (argc, argv, NULL);
  if (geteuid () != 0) {
    net_skip_reason = "needs root (the root suite runs real containers)";
  } else if (!g_test_subprocess ()) {
    if (g_getenv ("COVE_TOOL") == NULL || g_getenv ("COVE_MONITOR") == NULL)
      net_skip_reason = "COVE_TOOL and COVE_MONITOR must be set (run through meson test)";
    else if (!g_file_test ("/bin/busybox", G_FILE_TEST_IS_EXECUTABLE))
      net_skip_reason = "the busybox template needs /bin/busybox";
    else if (unshare (CLONE_NEWNET) < 0)
      net_skip_reason = g_strdup_printf ("unshare(CLONE_NEWNET): %s", g_strerror (errno));
    else if (net_sh (NULL, "ip link set lo up") != 0)
      net_skip_reason = "ip link set lo up failed (iproute2 needed)";
    g_test_set_nonfatal_assertions ();
  }
}
