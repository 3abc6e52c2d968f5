/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lifecycle integration tests (suite "root"): real busybox containers made by
 * `cove create -t busybox` (COVE_TOOL), started and driven through the public API.
 * Acceptance checks C0.1–C0.4 and C5.1–C5.8 of spec/lxc-extensions.md §15, plus
 * execute, attach, failed starts, a killed monitor, bad names and concurrent starts.
 *
 * Layout: main() moves the whole test process into a private network namespace. Every
 * case gets a fresh temporary container path (created by the parent) and runs its body
 * in a g_test_trap_subprocess() child, so that a failing assertion can never skip the
 * cleanup: the parent then stops whatever runs under that path, checks that no monitor,
 * container process, mount or run-directory file survived, and removes the path.
 *
 * The command socket is spoken raw (core/wire.c framing: 4-byte little-endian length, then
 * a serialized GVariant) only where the public API cannot express the check: a peer with
 * another uid, malformed requests, a streaming state subscription and the monitor's pid.
 */
#include <cove.h>
#include "proc-info.h"
#include "root-itest.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define PATH_ENV "COVE_ITEST_PATH"
#define NAME "c1"
#define NOBODY 65534
#define ALL_STATES (COVE_STATE_MASK (COVE_STATE_STOPPED) | COVE_STATE_MASK (COVE_STATE_STARTING) | \
                    COVE_STATE_MASK (COVE_STATE_RUNNING) | COVE_STATE_MASK (COVE_STATE_STOPPING) | \
                    COVE_STATE_MASK (COVE_STATE_ABORTING) | COVE_STATE_MASK (COVE_STATE_REBOOTING))
#define ARGV(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* meson kills the whole test after 600 s (tests/integration/meson.build), and a killed
 * parent cannot clean up: every case's time is clamped to what is left of this budget */
#define SUITE_BUDGET_S 540
static ItestSuite suite = { NAME, PATH_ENV, "cove-itest-XXXXXX", SUITE_BUDGET_S };

/* ---- small helpers --------------------------------------------------------------- */

static double
now_s (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static void
sleep_ms (guint ms)
{
  g_usleep (ms * 1000);
}

static gboolean
is_socket (const char *file)
{
  struct stat st;

  return lstat (file, &st) == 0 && S_ISSOCK (st.st_mode);
}

static char *
read_file (const char *file)
{
  char *contents = NULL;

  if (!g_file_get_contents (file, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static void
write_file (const char *file, const char *contents, int mode)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents_full (file, contents, -1, G_FILE_SET_CONTENTS_NONE, mode, &error);
  g_assert_no_error (error);
}

/* ---- the test environment (child side) -------------------------------------------- */

typedef struct {
  char *path;     /* the temporary container path */
  char *dir;      /* path/c1 */
  char *rootfs;   /* path/c1/rootfs */
  char *socket;   /* the command socket of c1 */
  char *rundir;
} Env;

static void
start_ok (CoveContainer *c)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cove_container_start (c, COVE_START_FLAGS_NONE, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpstr (cove_state_to_string (cove_container_state (c)), ==, "RUNNING");
}

static void
stop_ok (Env *e, CoveContainer *c)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cove_container_stop (c, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpstr (cove_state_to_string (cove_container_state (c)), ==, "STOPPED");
  g_assert_false (is_socket (e->socket));
  g_assert_true (itest_wait_no_monitor (e->path, 5));
}

static pid_t
init_pid_ok (CoveContainer *c)
{
  g_autoptr(GError) error = NULL;
  pid_t pid = cove_container_init_pid (c, &error);

  g_assert_no_error (error);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (kill (pid, 0), ==, 0);
  return pid;
}

static pid_t
monitor_pid (Env *e)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) payload = raw_call (e->socket, "monitor-pid", NULL, &error);
  g_autoptr(GArray) pids = NULL;
  gint32 pid;

  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (payload, G_VARIANT_TYPE ("(i)")));
  g_variant_get (payload, "(i)", &pid);
  g_assert_cmpint (pid, >, 0);
  /* and it is the only monitor of this path */
  pids = itest_find_monitors (e->path);
  g_assert_cmpuint (pids->len, ==, 1);
  g_assert_cmpint (g_array_index (pids, int, 0), ==, pid);
  return pid;
}

static int
attach (CoveContainer *c, const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  int status = cove_container_attach_run_wait (c, argv, &error);

  g_assert_no_error (error);
  return status;
}

/* Runs the cove tool with "-P PATH" and the arguments; its exit status (128+N if killed). */
static int
run_tool (Env *e, char **out, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
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
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &stdout_text,
                &stderr_text, &wait_status, &error);
  g_assert_no_error (error);
  if (stderr_text && *stderr_text)
    g_printerr ("# cove %s: %s", first, stderr_text);
  if (out)
    *out = g_steal_pointer (&stdout_text);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
}

/* ---- C0.1: start ------------------------------------------------------------------- */

typedef struct {
  Env *e;
  CoveState state;
  int timeout;
  gboolean ok;
  GError *error;
  GMutex lock;
  GCond cond;
  gboolean started;
} WaitArgs;

static gpointer
wait_thread (gpointer data)
{
  WaitArgs *w = data;
  g_autoptr(CoveContainer) c = itest_open_container (w->e->path, NAME);

  g_mutex_lock (&w->lock);
  w->started = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
  w->ok = cove_container_wait (c, w->state, w->timeout, &w->error);
  return NULL;
}

static GThread *
wait_in_thread (WaitArgs *w, Env *e, CoveState state, int timeout)
{
  GThread *thread;

  w->e = e;
  w->state = state;
  w->timeout = timeout;
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  thread = g_thread_new ("wait", wait_thread, w);
  g_mutex_lock (&w->lock);
  while (!w->started)
    g_cond_wait (&w->cond, &w->lock);
  g_mutex_unlock (&w->lock);
  sleep_ms (50);   /* let it get into its wait */
  return thread;
}

static void
wait_args_clear (WaitArgs *w)
{
  g_clear_error (&w->error);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
}

static void
case_start (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  WaitArgs w = { 0 };
  GThread *thread;
  pid_t pid;

  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
  g_assert_false (cove_container_is_running (c));
  thread = wait_in_thread (&w, e, COVE_STATE_RUNNING, 10);
  start_ok (c);
  /* start() returned: the container is RUNNING with a live init */
  g_assert_true (cove_container_is_running (c));
  pid = init_pid_ok (c);
  {
    /* the container's processes are found by their root (teardown relies on it) */
    g_autoptr(GArray) procs = itest_find_rooted_under (e->path);
    gboolean found = FALSE;
    for (guint i = 0; i < procs->len; i++)
      found |= g_array_index (procs, int, i) == pid;
    g_assert_true (found);
  }
  {
    /* the test runs in its own network namespace, and so does the monitor it started */
    g_autofree char *mine = g_file_read_link ("/proc/self/ns/net", NULL);
    g_autofree char *host = g_file_read_link ("/proc/1/ns/net", NULL);
    g_autofree char *link = g_strdup_printf ("/proc/%d/ns/net", (int) monitor_pid (e));
    g_autofree char *monitor = g_file_read_link (link, NULL);
    g_assert_nonnull (mine);
    g_assert_cmpstr (mine, !=, host);
    g_assert_cmpstr (monitor, ==, mine);
  }
  g_thread_join (thread);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  wait_args_clear (&w);
  g_assert_cmpint (init_pid_ok (c), ==, pid);
  stop_ok (e, c);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
}

/* A start that must fail naming @key and @value; then nothing may be left behind, and
 * an unmodified start must work. */
static void
check_failed_start (Env *e, const char *key, const char *value, const char *expect)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(CoveContainer) good = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mounts = NULL;
  double deadline;
  gboolean ok;

  itest_set_item (c, key, value);
  ok = cove_container_start (c, COVE_START_FLAGS_NONE, NULL, &error);
  g_assert_false (ok);
  g_assert_nonnull (error);
  g_printerr ("# start with %s = %s: %s\n", key, value, error->message);
  if (strstr (error->message, key) == NULL || strstr (error->message, expect) == NULL)
    g_error ("the error \"%s\" does not name the key %s and the value %s", error->message, key, expect);

  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
  g_assert_true (itest_wait_no_monitor (e->path, 5));
  g_assert_false (is_socket (e->socket));
  /* the monitor removes its run directory last */
  deadline = now_s () + 5;
  while (g_file_test (e->rundir, G_FILE_TEST_EXISTS) && now_s () < deadline)
    sleep_ms (20);
  if (g_file_test (e->rundir, G_FILE_TEST_EXISTS))
    g_error ("the failed start left %s behind", e->rundir);
  mounts = itest_mounts_mentioning (e->path);
  if (mounts != NULL)
    g_error ("the failed start left mounts behind:\n%s", mounts);
  {
    g_autoptr(GArray) procs = itest_find_rooted_under (e->path);
    g_assert_cmpuint (procs->len, ==, 0);
  }

  good = itest_open_container (e->path, NAME);
  start_ok (good);
  init_pid_ok (good);
  stop_ok (e, good);
}

static void
case_fail_rootfs (Env *e)
{
  g_autofree char *missing = g_build_filename (e->path, "missing-rootfs", NULL);

  check_failed_start (e, "lxc.rootfs.path", missing, missing);
}

static void
case_fail_init (Env *e)
{
  check_failed_start (e, "lxc.init.cmd", "/nonexistent", "/nonexistent");
}

static void
case_fail_mount_entry (Env *e)
{
  check_failed_start (e, "lxc.mount.entry", "/nonexistent-cove-source mnt none bind 0 0",
                      "/nonexistent-cove-source");
}

/* ---- C0.2: the command socket ------------------------------------------------------- */

/* In a forked child: become uid/gid 65534 but keep CAP_DAC_OVERRIDE/READ_SEARCH (so the
 * socket's file permissions do not stop us first), connect, send "state"; the reply must
 * be an error COVE_ERROR_PERMISSION. Returns the child's verdict (0 = refused properly). */
static int
nobody_raw_state (const char *socket_path)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2] = { { 0 } };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  if (prctl (PR_SET_KEEPCAPS, 1) < 0 || setgroups (0, NULL) < 0 ||
      setresgid (NOBODY, NOBODY, NOBODY) < 0 || setresuid (NOBODY, NOBODY, NOBODY) < 0)
    return 10;
  data[0].permitted = data[0].effective =
    (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);
  if (syscall (SYS_capset, &header, data) < 0)
    return 11;
  if (getuid () != NOBODY || geteuid () != NOBODY)
    return 12;
  fd = raw_connect (socket_path);
  if (fd < 0)
    return 13;
  raw_send (fd, "state", NULL);   /* the monitor may have replied and closed already */
  reply = raw_recv (fd, 10);
  close (fd);
  if (reply == NULL)
    return 14;
  if (raw_reply_unpack (reply, NULL, &error))
    return 15;   /* answered: not refused */
  if (!g_error_matches (error, COVE_ERROR, COVE_ERROR_PERMISSION)) {
    g_printerr ("# non-root peer got: %s (%s %d)\n", error->message,
                g_quark_to_string (error->domain), error->code);
    return 16;
  }
  g_printerr ("# non-root peer refused: %s\n", error->message);
  return 0;
}

/* In a forked child: plain uid 65534 through the public API: it must not stop the
 * container nor get its init pid. */
static int
nobody_api_stop (CoveContainer *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  if (setgroups (0, NULL) < 0 || setresgid (NOBODY, NOBODY, NOBODY) < 0 ||
      setresuid (NOBODY, NOBODY, NOBODY) < 0)
    return 10;
  if (cove_container_stop (c, &error))
    return 11;
  if (error == NULL)
    return 12;
  if (cove_container_init_pid (c, &error2) > 0)
    return 13;
  g_printerr ("# uid %d: stop: %s\n", NOBODY, error->message);
  return 0;
}

static int
fork_and_wait (int (*func) (gpointer), gpointer data)
{
  int status;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (func (data));
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static int
nobody_raw_state_cb (gpointer data)
{
  return nobody_raw_state (data);
}

static int
nobody_api_stop_cb (gpointer data)
{
  return nobody_api_stop (data);
}

static void
expect_error_reply (int fd, const char *what)
{
  g_autoptr(GVariant) reply = raw_recv (fd, 10);
  g_autoptr(GError) error = NULL;

  if (reply == NULL)
    g_error ("%s: no error reply", what);
  g_assert_false (raw_reply_unpack (reply, NULL, &error));
  g_assert_nonnull (error);
  g_printerr ("# %s: %s\n", what, error->message);
}

static void
case_socket (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GVariant) state = NULL;
  g_autoptr(GError) error = NULL;
  static const guint8 garbage[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02 };
  guint8 huge[4] = { 0xff, 0xff, 0xff, 0x00 };
  guint32 s;
  int fd;

  /* no socket while stopped, and the state is STOPPED all the same */
  g_assert_false (g_file_test (e->socket, G_FILE_TEST_EXISTS));
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);

  start_ok (c);
  g_assert_true (is_socket (e->socket));

  /* a non-root peer is refused by the monitor itself (SO_PEERCRED) … */
  g_assert_cmpint (fork_and_wait (nobody_raw_state_cb, e->socket), ==, 0);
  /* … and a plain non-root API user cannot stop the container */
  g_assert_cmpint (fork_and_wait (nobody_api_stop_cb, c), ==, 0);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);

  /* malformed requests get an error reply and the monitor lives on */
  fd = raw_connect (e->socket);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (raw_write_all (fd, huge, sizeof huge));   /* 16 MiB announced */
  expect_error_reply (fd, "oversized request");
  close (fd);
  fd = raw_connect (e->socket);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (raw_send_bytes (fd, garbage, sizeof garbage));
  expect_error_reply (fd, "garbage request");
  /* the same connection still serves a well-formed request */
  g_assert_true (raw_send (fd, "state", NULL));
  {
    g_autoptr(GVariant) reply = raw_recv (fd, 10);
    g_autoptr(GVariant) payload = NULL;
    g_assert_nonnull (reply);
    g_assert_true (raw_reply_unpack (reply, &payload, &error));
    g_assert_no_error (error);
    g_assert_true (g_variant_is_of_type (payload, G_VARIANT_TYPE ("(u)")));
  }
  close (fd);
  fd = raw_connect (e->socket);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (raw_send (fd, "no-such-command", g_variant_new ("(i)", 1)));
  expect_error_reply (fd, "unknown command");
  close (fd);
  fd = raw_connect (e->socket);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (raw_send (fd, "reboot", g_variant_new ("(s)", "wrong type")));
  expect_error_reply (fd, "wrong argument type");
  close (fd);

  state = raw_call (e->socket, "state", NULL, &error);
  g_assert_no_error (error);
  g_variant_get (state, "(u)", &s);
  g_assert_cmpuint (s, ==, COVE_STATE_RUNNING);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);

  stop_ok (e, c);
  g_assert_false (g_file_test (e->socket, G_FILE_TEST_EXISTS));
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
}

/* ---- C0.3: wait -------------------------------------------------------------------- */

static void
case_wait (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  WaitArgs w = { 0 };
  GThread *thread;
  CoveState reached = COVE_STATE_ABORTING;
  guint mask = 0;
  double t0, elapsed;

  g_assert_false (cove_state_parse_mask ("RUNNING|BOGUS", &mask, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "BOGUS"));
  g_clear_error (&error);
  g_assert_false (cove_state_parse_mask ("", &mask, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (cove_state_parse_mask ("RUNNING|STOPPED", &mask, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mask, ==, COVE_STATE_MASK (COVE_STATE_RUNNING) | COVE_STATE_MASK (COVE_STATE_STOPPED));

  /* stopped container: STOPPED at once, RUNNING times out */
  g_assert_true (cove_container_wait (c, COVE_STATE_STOPPED, 0, &error));
  g_assert_no_error (error);
  t0 = now_s ();
  g_assert_false (cove_container_wait (c, COVE_STATE_RUNNING, 1, &error));
  elapsed = now_s () - t0;
  g_assert_error (error, COVE_ERROR, COVE_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_assert_cmpfloat (elapsed, >=, 0.5);
  g_assert_cmpfloat (elapsed, <, 3);

  /* a waiter for RUNNING outlives a failed start (whose monitor removes the run
   * directory the waiter watches) and sees the next, good start */
  thread = wait_in_thread (&w, e, COVE_STATE_RUNNING, 20);
  {
    g_autoptr(CoveContainer) bad = itest_open_container (e->path, NAME);
    itest_set_item (bad, "lxc.init.cmd", "/nonexistent");
    g_assert_false (cove_container_start (bad, COVE_START_FLAGS_NONE, NULL, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_true (itest_wait_no_monitor (e->path, 5));
  }
  t0 = now_s ();
  start_ok (c);
  g_thread_join (thread);
  g_printerr ("# waiter returned %.2f s after the good start\n", now_s () - t0);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  wait_args_clear (&w);
  memset (&w, 0, sizeof w);

  t0 = now_s ();
  g_assert_false (cove_container_wait (c, COVE_STATE_STOPPED, 0, &error));
  elapsed = now_s () - t0;
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpfloat (elapsed, <, 0.5);
  g_assert_true (cove_container_wait (c, COVE_STATE_RUNNING, 0, &error));
  g_assert_no_error (error);
  g_assert_true (cove_container_wait_mask (c, mask, 5, &reached, &error));
  g_assert_no_error (error);
  g_assert_cmpint (reached, ==, COVE_STATE_RUNNING);

  /* a waiter for STOPPED is woken by the stop */
  thread = wait_in_thread (&w, e, COVE_STATE_STOPPED, 20);
  stop_ok (e, c);
  g_thread_join (thread);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  wait_args_clear (&w);
  g_assert_true (cove_container_wait (c, COVE_STATE_STOPPED, 0, &error));
  g_assert_no_error (error);
}

/* ---- C0.4: signal keys ------------------------------------------------------------- */

static void
case_signal_keys (Env *e)
{
  static const char *const keys[] = { "lxc.signal.halt", "lxc.signal.reboot", "lxc.signal.stop" };
  g_autoptr(GError) error = NULL;
  g_autoptr(CoveContainer) c = cove_container_new ("signals", e->path, &error);

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++) {
    const char *key = keys[i];
    g_autofree char *rtmin3 = g_strdup_printf ("%d", SIGRTMIN + 3);
    g_autofree char *rtmax = g_strdup_printf ("%d", SIGRTMAX);
    char *value;

    g_assert_false (cove_container_set_config_item (c, key, "TERM", &error));
    g_assert_nonnull (error);
    g_printerr ("# %s = TERM: %s\n", key, error->message);
    g_clear_error (&error);
    g_assert_false (cove_container_set_config_item (c, key, "SIGNOTASIGNAL", &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_false (cove_container_set_config_item (c, key, "SIGRTMIN+999", &error));
    g_assert_nonnull (error);
    g_clear_error (&error);

    itest_set_item (c, key, "sigterm");
    value = cove_container_get_config_item (c, key, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, "15");
    g_free (value);

    itest_set_item (c, key, "SIGRTMIN+3");
    value = cove_container_get_config_item (c, key, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, rtmin3);
    g_free (value);

    itest_set_item (c, key, "SIGRTMAX-0");
    value = cove_container_get_config_item (c, key, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, rtmax);
    g_free (value);

    itest_set_item (c, key, "9");
    value = cove_container_get_config_item (c, key, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, "9");
    g_free (value);

    /* empty = unset = the default (which signal it is, case_signal_delivery checks) */
    itest_set_item (c, key, "");
    value = cove_container_get_config_item (c, key, NULL);
    g_printerr ("# %s after \"\": \"%s\"\n", key, value ? value : "(null)");
    g_assert_true (value == NULL || *value == '\0' ||
                   (g_str_equal (key, "lxc.signal.halt") && atoi (value) == SIGPWR) ||
                   (g_str_equal (key, "lxc.signal.reboot") && atoi (value) == SIGINT) ||
                   (g_str_equal (key, "lxc.signal.stop") && atoi (value) == SIGKILL));
    g_free (value);
  }
}

/* The init is a shell that records which signal it got and exits (a pid-namespace init
 * only receives signals it has handlers for). */
static const char sigtest_script[] =
  "#!/bin/sh\n"
  "trap 'echo INT >> /signals; exit 0' INT\n"
  "trap 'echo TERM >> /signals; exit 0' TERM\n"
  "trap 'echo PWR >> /signals; exit 0' PWR\n"
  "trap 'echo USR1 >> /signals; exit 0' USR1\n"
  "trap 'echo RTMIN+3 >> /signals; exit 0' %d\n"
  ": > /ready\n"
  "while :; do sleep 1 & wait $!; done\n";

static void
deliver_and_check (Env *e, const char *key, const char *value, gboolean reboot, const char *expect)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  g_autofree char *ready = g_build_filename (e->rootfs, "ready", NULL);
  g_autofree char *signals = g_build_filename (e->rootfs, "signals", NULL);
  g_autofree char *got = NULL;
  g_autofree char *want = g_strdup_printf ("%s\n", expect);
  double deadline;

  unlink (ready);
  unlink (signals);
  itest_set_item (c, "lxc.init.cmd", "/sigtest");
  itest_set_item (c, key, value);
  start_ok (c);
  deadline = now_s () + 10;
  while (!g_file_test (ready, G_FILE_TEST_EXISTS) && now_s () < deadline)
    sleep_ms (10);
  g_assert_true (g_file_test (ready, G_FILE_TEST_EXISTS));
  if (reboot)
    g_assert_true (cove_container_reboot2 (c, 0, &error));
  else
    g_assert_true (cove_container_shutdown (c, 10, &error));
  g_assert_no_error (error);
  g_assert_true (cove_container_wait (c, COVE_STATE_STOPPED, 10, &error));
  g_assert_no_error (error);
  g_assert_true (itest_wait_no_monitor (e->path, 5));
  got = read_file (signals);
  g_printerr ("# %s = \"%s\": the init got %s", key, value, got ? got : "nothing\n");
  g_assert_cmpstr (got, ==, want);
}

static void
case_signal_delivery (Env *e)
{
  g_autofree char *script = g_strdup_printf (sigtest_script, SIGRTMIN + 3);
  g_autofree char *file = g_build_filename (e->rootfs, "sigtest", NULL);

  write_file (file, script, 0755);
  deliver_and_check (e, "lxc.signal.reboot", "", TRUE, "INT");          /* default SIGINT */
  deliver_and_check (e, "lxc.signal.reboot", "sigterm", TRUE, "TERM");
  deliver_and_check (e, "lxc.signal.halt", "", FALSE, "PWR");           /* default SIGPWR */
  deliver_and_check (e, "lxc.signal.halt", "SIGRTMIN+3", FALSE, "RTMIN+3");
  deliver_and_check (e, "lxc.signal.halt", "SIGUSR1", FALSE, "USR1");
}

/* ---- C5: reboot2 ------------------------------------------------------------------- */

static void
case_reboot (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  struct stat before, after;
  pid_t p, p2, m;
  double t0, elapsed;
  gboolean ok;

  start_ok (c);
  p = itest_wait_busybox_ready (c);
  m = monitor_pid (e);
  g_assert_cmpint (lstat (e->socket, &before), ==, 0);

  t0 = now_s ();
  ok = cove_container_reboot2 (c, 30, &error);
  elapsed = now_s () - t0;
  g_assert_no_error (error);
  g_assert_true (ok);
  g_printerr ("# reboot2(30) took %.2f s\n", elapsed);
  g_assert_cmpfloat (elapsed, <, 30);

  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
  p2 = init_pid_ok (c);
  g_assert_cmpint (p2, !=, p);
  g_assert_cmpint (monitor_pid (e), ==, m);
  g_assert_cmpint (lstat (e->socket, &after), ==, 0);
  g_assert_true (S_ISSOCK (after.st_mode));
  g_assert_cmpuint (after.st_ino, ==, before.st_ino);   /* the same socket, kept open */
  stop_ok (e, c);
}

static void
case_reboot_nowait (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  pid_t p, p2 = -1;
  double t0, elapsed, deadline;
  gboolean ok;

  start_ok (c);
  p = itest_wait_busybox_ready (c);
  t0 = now_s ();
  ok = cove_container_reboot2 (c, 0, &error);
  elapsed = now_s () - t0;
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpfloat (elapsed, <, 1);
  deadline = now_s () + 10;
  while (now_s () < deadline) {
    if (cove_container_state (c) == COVE_STATE_RUNNING) {
      p2 = cove_container_init_pid (c, NULL);
      if (p2 > 0 && p2 != p)
        break;
    }
    sleep_ms (20);
  }
  g_printerr ("# reboot2(0): init %d -> %d after %.2f s\n", (int) p, (int) p2, now_s () - t0);
  g_assert_cmpint (p2, >, 0);
  g_assert_cmpint (p2, !=, p);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
  stop_ok (e, c);
}

static void
case_reboot_ignored (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  pid_t p;
  double t0, elapsed;
  gboolean ok;

  /* a pid-namespace init without a handler never receives the reboot signal */
  itest_set_item (c, "lxc.init.cmd", "/bin/sleep 1000");
  start_ok (c);
  p = init_pid_ok (c);
  t0 = now_s ();
  ok = cove_container_reboot2 (c, 2, &error);
  elapsed = now_s () - t0;
  g_assert_false (ok);
  g_assert_nonnull (error);
  g_printerr ("# reboot2(2) of an init that ignores the signal: %.2f s: %s\n", elapsed, error->message);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_TIMEOUT);
  g_assert_cmpfloat (elapsed, >=, 1);
  g_assert_cmpfloat (elapsed, <=, 3);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
  g_assert_cmpint (init_pid_ok (c), ==, p);
  stop_ok (e, c);
}

static void
case_reboot_inside (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  static const CoveState expect[] = { COVE_STATE_STOPPING, COVE_STATE_STOPPED, COVE_STATE_STARTING,
                                      COVE_STATE_RUNNING };
  gsize matched = 0;
  double deadline;
  pid_t p, p2;
  int sub, status;

  start_ok (c);
  p = init_pid_ok (c);
  /* a streaming state subscription, as `cove wait` would hold it */
  sub = raw_connect (e->socket);
  g_assert_cmpint (sub, >=, 0);
  g_assert_true (raw_send (sub, "wait-state", g_variant_new ("(ub)", (guint32) ALL_STATES, TRUE)));
  /* requests on one connection are handled in order: once "state" is answered, the
   * subscription is registered */
  g_assert_true (raw_send (sub, "state", NULL));
  {
    g_autoptr(GVariant) reply = raw_recv (sub, 10);
    g_autoptr(GVariant) payload = NULL;
    g_assert_nonnull (reply);
    g_assert_true (raw_reply_unpack (reply, &payload, &error));
    g_assert_no_error (error);
  }

  status = cove_container_attach_run_wait (c, ARGV ("reboot", "-f"), &error);
  g_printerr ("# attach reboot -f: status %d%s%s\n", status, error ? ": " : "", error ? error->message : "");
  g_clear_error (&error);
  deadline = now_s () + 30;
  while (matched < G_N_ELEMENTS (expect) && now_s () < deadline) {
    g_autoptr(GVariant) reply = raw_recv (sub, deadline - now_s ());
    g_autoptr(GVariant) payload = NULL;
    guint32 state;

    if (reply == NULL)
      break;
    g_assert_true (raw_reply_unpack (reply, &payload, &error));
    g_assert_no_error (error);
    g_variant_get (payload, "(u)", &state);
    g_string_append_printf (seen, " %s", cove_state_to_string (state));
    if (state == expect[matched])
      matched++;
  }
  close (sub);
  g_printerr ("# states seen during reboot -f:%s\n", seen->str);
  g_assert_cmpuint (matched, ==, G_N_ELEMENTS (expect));
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
  p2 = init_pid_ok (c);
  g_assert_cmpint (p2, !=, p);

  /* poweroff -f: the container stops and stays stopped */
  status = cove_container_attach_run_wait (c, ARGV ("poweroff", "-f"), &error);
  g_printerr ("# attach poweroff -f: status %d%s%s\n", status, error ? ": " : "", error ? error->message : "");
  g_clear_error (&error);
  g_assert_true (cove_container_wait (c, COVE_STATE_STOPPED, 20, &error));
  g_assert_no_error (error);
  g_assert_true (itest_wait_no_monitor (e->path, 5));
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
  g_assert_false (is_socket (e->socket));
}

static void
case_reboot_hooks (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  g_autofree char *hook = g_build_filename (e->path, "post-stop.sh", NULL);
  g_autofree char *targets = g_build_filename (e->path, "targets", NULL);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\necho \"$LXC_TARGET\" >> '%s'\n", targets);
  g_autofree char *got = NULL;

  write_file (hook, script, 0755);
  itest_set_item (c, "lxc.hook.post-stop", hook);
  start_ok (c);
  itest_wait_busybox_ready (c);
  g_assert_true (cove_container_reboot2 (c, 30, &error));
  g_assert_no_error (error);
  got = read_file (targets);
  g_assert_cmpstr (got, ==, "reboot\n");
  g_clear_pointer (&got, g_free);
  itest_wait_busybox_ready (c);
  stop_ok (e, c);
  got = read_file (targets);
  g_assert_cmpstr (got, ==, "reboot\nstop\n");
}

static void
case_reboot_stopped (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  double t0 = now_s ();

  g_assert_false (cove_container_reboot2 (c, 5, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
  g_assert_nonnull (strstr (error->message, "not running"));
  g_assert_cmpfloat (now_s () - t0, <, 1);
  g_clear_error (&error);
  g_assert_false (cove_container_reboot2 (c, 0, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
}

/* What a leak is made of, for the log of a failing run. */
static void
dump_fds (pid_t pid)
{
  g_autofree char *dir_path = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *link = g_build_filename (dir_path, name, NULL);
    g_autofree char *target = g_file_read_link (link, NULL);
    g_printerr ("#   fd %s -> %s\n", name, target ? target : "?");
  }
}

static void
case_reboot_repeat (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  pid_t m, p;
  int baseline, final;

  start_ok (c);
  p = itest_wait_busybox_ready (c);
  m = monitor_pid (e);
  baseline = (int) proc_fd_count_settled (m, 0, 300);
  for (int i = 0; i < 10; i++) {
    g_autoptr(GError) error = NULL;
    double t0 = now_s ();
    gboolean ok = cove_container_reboot2 (c, 60, &error);
    pid_t p2;

    g_assert_no_error (error);
    g_assert_true (ok);
    p2 = itest_wait_busybox_ready (c);
    g_printerr ("# reboot %d: %.2f s, init %d -> %d, monitor fds %d\n", i + 1, now_s () - t0,
                (int) p, (int) p2, proc_fd_count (m));
    g_assert_cmpint (p2, !=, p);
    p = p2;
  }
  g_assert_cmpint (monitor_pid (e), ==, m);
  final = (int) proc_fd_count_settled (m, baseline, 3000);
  g_printerr ("# monitor fds: %d before, %d after ten reboots\n", baseline, final);
  if (final > baseline)
    dump_fds (m);
  g_assert_cmpint (final, <=, baseline);
  stop_ok (e, c);
}

static void
case_extensions (Env *e)
{
  g_assert_true (cove_has_api_extension ("reboot2"));
  g_assert_true (cove_has_api_extension ("init_pidfd"));
}

/* ---- execute, attach, shutdown ------------------------------------------------------ */

static void
case_execute (Env *e)
{
  const struct {
    const char *const *argv;
    int status;
  } runs[] = {
    { ARGV ("sh", "-c", "exit 0"), 0 },
    { ARGV ("sh", "-c", "exit 7"), 7 },
    { ARGV ("/bin/sh", "-c", "kill -9 $$"), 128 + SIGKILL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (runs); i++) {
    g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
    g_autoptr(GError) error = NULL;
    int status = cove_container_execute (c, runs[i].argv, &error);

    g_assert_no_error (error);
    g_printerr ("# execute %s: %d\n", runs[i].argv[2], status);
    g_assert_cmpint (status, ==, runs[i].status);
    g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
    g_assert_true (itest_wait_no_monitor (e->path, 5));
    g_assert_false (is_socket (e->socket));
  }
  {
    g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
    g_autoptr(GError) error = NULL;
    g_assert_cmpint (cove_container_execute (c, ARGV ("/nonexistent"), &error), ==, -1);
    g_assert_nonnull (error);
    g_printerr ("# execute /nonexistent: %s\n", error->message);
    g_assert_true (itest_wait_no_monitor (e->path, 5));
  }
}

static void
case_attach (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  g_autofree char *marker = g_build_filename (e->rootfs, "attach-marker", NULL);

  g_assert_cmpint (cove_container_attach_run_wait (c, ARGV ("true"), &error), ==, -1);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING);
  g_clear_error (&error);

  start_ok (c);
  write_file (marker, "", 0644);
  g_assert_cmpint (attach (c, ARGV ("sh", "-c", "test \"$(cat /etc/hostname)\" = " NAME)), ==, 0);
  g_assert_cmpint (attach (c, ARGV ("sh", "-c", "test \"$(hostname)\" = " NAME)), ==, 0);
  g_assert_cmpint (attach (c, ARGV ("test", "-e", "/attach-marker")), ==, 0);   /* its root */
  g_assert_cmpint (attach (c, ARGV ("sh", "-c", "test \"$(cat /proc/1/comm)\" = init")), ==, 0);
  g_assert_cmpint (attach (c, ARGV ("sh", "-c", "exit 5")), ==, 5);
  g_assert_cmpint (attach (c, ARGV ("false")), ==, 1);
  g_assert_cmpint (attach (c, ARGV ("sh", "-c", "kill -9 $$")), ==, 128 + SIGKILL);
  g_assert_cmpint (attach (c, ARGV ("/nonexistent-command")), ==, 127);
  /* no more privilege than the init: the template drops sys_module (16), so it is in
   * neither the attached command's bounding nor its effective set */
  g_assert_cmpint (attach (c, ARGV ("sh", "-c",
                                    "test \"$(grep CapBnd /proc/self/status)\" = \"$(grep CapBnd /proc/1/status)\"")), ==, 0);
  g_assert_cmpint (attach (c, ARGV ("sh", "-c",
                                    "eff=$(sed -n 's/^CapEff:\\t*//p' /proc/self/status); "
                                    "test $(( 0x$eff >> 16 & 1 )) = 0")), ==, 0);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_RUNNING);
  stop_ok (e, c);
}

static void
case_shutdown (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  double t0, elapsed;
  gboolean ok;

  /* busybox halts on lxc.signal.halt = SIGUSR1 */
  start_ok (c);
  itest_wait_busybox_ready (c);
  t0 = now_s ();
  ok = cove_container_shutdown (c, 30, &error);
  elapsed = now_s () - t0;
  g_assert_no_error (error);
  g_assert_true (ok);
  g_printerr ("# clean shutdown took %.2f s\n", elapsed);
  g_assert_cmpfloat (elapsed, <, 30);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
  g_assert_true (itest_wait_no_monitor (e->path, 5));
  g_clear_pointer (&c, cove_container_unref);

  /* an init that ignores the halt signal is killed after the timeout */
  c = itest_open_container (e->path, NAME);
  itest_set_item (c, "lxc.init.cmd", "/bin/sleep 1000");
  start_ok (c);
  t0 = now_s ();
  ok = cove_container_shutdown (c, 2, &error);
  elapsed = now_s () - t0;
  g_printerr ("# shutdown(2) of an init that ignores SIGUSR1: %s after %.2f s%s%s\n",
              ok ? "TRUE" : "FALSE", elapsed, error ? ": " : "", error ? error->message : "");
  g_clear_error (&error);
  g_assert_cmpfloat (elapsed, >=, 1);
  g_assert_cmpfloat (elapsed, <=, 4);
  g_assert_true (cove_container_wait (c, COVE_STATE_STOPPED, 5, &error));
  g_assert_no_error (error);
  g_assert_true (itest_wait_no_monitor (e->path, 5));
}

/* ---- robustness ---------------------------------------------------------------------- */

static void
case_monitor_killed (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  struct pollfd p = { -1, POLLIN, 0 };
  pid_t init, m;
  int r;

  start_ok (c);
  init = init_pid_ok (c);
  p.fd = cove_container_init_pidfd (c, &error);
  g_assert_no_error (error);
  g_assert_cmpint (p.fd, >=, 0);
  m = monitor_pid (e);
  g_assert_cmpint (kill (m, SIGKILL), ==, 0);
  do
    r = poll (&p, 1, 10000);
  while (r < 0 && errno == EINTR);
  g_assert_cmpint (r, ==, 1);   /* the init died with its monitor */
  close (p.fd);
  g_assert_true (itest_wait_no_monitor (e->path, 5));
  g_printerr ("# monitor %d killed; init %d gone; socket file %s\n", (int) m, (int) init,
              g_file_test (e->socket, G_FILE_TEST_EXISTS) ? "left behind (stale)" : "gone");
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);

  /* the next start copes with whatever the dead monitor left */
  start_ok (c);
  g_assert_cmpint (init_pid_ok (c), !=, init);
  g_assert_cmpint (monitor_pid (e), !=, m);
  stop_ok (e, c);
}

static void
case_names (Env *e)
{
  static const char *const bad[] = { "a/b", "..", ".", "../x", "x/..", "/abs", "" };
  g_autoptr(CoveContainer) ok = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *escaped = g_build_filename (e->path, "..", "escaped", NULL);
  g_autofree char *escaped_name = g_strdup_printf ("../%s", "escaped");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(CoveContainer) c = cove_container_new (bad[i], e->path, &error);
    g_assert_null (c);
    g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  ok = cove_container_new ("a..b", e->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);
  /* the CLI refuses too and creates nothing outside the path */
  g_assert_cmpint (run_tool (e, &out, "create", escaped_name, "-t", "busybox", NULL), !=, 0);
  g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
}

typedef struct {
  CoveContainer *c;
  gboolean ok;
  GError *error;
  GMutex *lock;
  GCond *cond;
  int *arrived;
} StartArgs;

static gpointer
start_thread (gpointer data)
{
  StartArgs *s = data;

  /* both threads leave the barrier together */
  g_mutex_lock (s->lock);
  (*s->arrived)++;
  g_cond_broadcast (s->cond);
  while (*s->arrived < 2)
    g_cond_wait (s->cond, s->lock);
  g_mutex_unlock (s->lock);
  s->ok = cove_container_start (s->c, COVE_START_FLAGS_NONE, NULL, &s->error);
  return NULL;
}

static void
case_concurrent_start (Env *e)
{
  StartArgs s[2] = { { 0 } };
  GThread *threads[2];
  GMutex lock;
  GCond cond;
  int arrived = 0;
  g_autoptr(CoveContainer) third = itest_open_container (e->path, NAME);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) monitors = NULL;
  int winner;

  g_mutex_init (&lock);
  g_cond_init (&cond);
  for (int i = 0; i < 2; i++) {
    s[i].c = itest_open_container (e->path, NAME);
    s[i].lock = &lock;
    s[i].cond = &cond;
    s[i].arrived = &arrived;
    threads[i] = g_thread_new ("start", start_thread, &s[i]);
  }
  for (int i = 0; i < 2; i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&lock);
  g_cond_clear (&cond);

  for (int i = 0; i < 2; i++)
    g_printerr ("# start %d: %s%s\n", i, s[i].ok ? "TRUE" : "FALSE: ",
                s[i].error ? s[i].error->message : "");
  g_assert_true (s[0].ok != s[1].ok);   /* exactly one wins */
  winner = s[0].ok ? 0 : 1;
  g_assert_no_error (s[winner].error);
  g_assert_error (s[1 - winner].error, COVE_ERROR, COVE_ERROR_BUSY);
  g_assert_nonnull (strstr (s[1 - winner].error->message, "already running"));
  g_assert_cmpint (cove_container_state (s[winner].c), ==, COVE_STATE_RUNNING);

  /* a later start is refused the same way (the loser must not have broken the lock) */
  g_assert_false (cove_container_start (third, COVE_START_FLAGS_NONE, NULL, &error));
  g_assert_error (error, COVE_ERROR, COVE_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "already running"));
  g_clear_error (&error);
  monitors = itest_find_monitors (e->path);
  for (int tries = 0; monitors->len > 1 && tries < 250; tries++) {
    /* refused monitors are on their way out */
    sleep_ms (20);
    g_array_unref (monitors);
    monitors = itest_find_monitors (e->path);
  }
  g_assert_cmpuint (monitors->len, ==, 1);

  stop_ok (e, s[winner].c);
  for (int i = 0; i < 2; i++) {
    g_clear_error (&s[i].error);
    cove_container_unref (s[i].c);
  }
}

/* The end-to-end check with the cove tool. */
static void
case_cli (Env *e)
{
  g_autoptr(CoveContainer) c = itest_open_container (e->path, NAME);
  g_autofree char *info = NULL;
  g_autofree char *info2 = NULL;
  g_autofree char *waited = NULL;
  g_autofree char *pid_line = NULL;
  const char *line;
  pid_t pid;

  g_assert_cmpint (run_tool (e, NULL, "start", NAME, NULL), ==, 0);
  g_assert_cmpint (run_tool (e, &info, "info", NAME, NULL), ==, 0);
  g_assert_nonnull (strstr (info, "State: RUNNING\n"));
  line = strstr (info, "PID: ");
  g_assert_nonnull (line);
  pid = atoi (line + 5);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (kill (pid, 0), ==, 0);

  g_assert_cmpint (itest_wait_busybox_ready (c), ==, pid);
  g_assert_cmpint (run_tool (e, NULL, "reboot", NAME, "-t", "20", NULL), ==, 0);
  g_assert_cmpint (run_tool (e, &info2, "info", NAME, NULL), ==, 0);
  g_assert_nonnull (strstr (info2, "State: RUNNING\n"));
  line = strstr (info2, "PID: ");
  g_assert_nonnull (line);
  g_assert_cmpint (atoi (line + 5), !=, pid);
  g_assert_cmpint (run_tool (e, NULL, "attach", NAME, "--", "sh", "-c", "exit 3", NULL), ==, 3);
  g_assert_cmpint (run_tool (e, &waited, "wait", NAME, "RUNNING", "-t", "0", NULL), ==, 0);
  g_assert_cmpstr (waited, ==, "RUNNING\n");

  itest_wait_busybox_ready (c);
  g_assert_cmpint (run_tool (e, NULL, "stop", NAME, "-t", "20", NULL), ==, 0);
  g_assert_cmpint (cove_container_state (c), ==, COVE_STATE_STOPPED);
  g_assert_true (itest_wait_no_monitor (e->path, 5));
  g_assert_cmpint (run_tool (e, NULL, "execute", NAME, "--", "sh", "-c", "exit 7", NULL), ==, 7);
  g_assert_true (itest_wait_no_monitor (e->path, 5));
  g_assert_cmpint (run_tool (e, NULL, "start", NAME, NULL), ==, 0);
  g_assert_cmpint (run_tool (e, NULL, "destroy", NAME, NULL), !=, 0);   /* running */
  g_assert_cmpint (run_tool (e, NULL, "stop", NAME, "-k", NULL), ==, 0);
  g_assert_true (itest_wait_no_monitor (e->path, 5));
  g_assert_cmpint (run_tool (e, NULL, "destroy", NAME, NULL), ==, 0);
  g_assert_false (g_file_test (e->dir, G_FILE_TEST_EXISTS));
}

/* ---- the harness --------------------------------------------------------------------- */

typedef struct {
  const char *path;
  void (*body) (Env *e);
  gboolean template;      /* create c1 with `cove create -t busybox` first */
  guint timeout;          /* seconds for the body */
} Case;

static const Case cases[] = {
  { "/lifecycle/C0.1/start", case_start, TRUE, 60 },
  { "/lifecycle/C0.1/fail-rootfs", case_fail_rootfs, TRUE, 60 },
  { "/lifecycle/C0.1/fail-init", case_fail_init, TRUE, 60 },
  { "/lifecycle/C0.1/fail-mount-entry", case_fail_mount_entry, TRUE, 60 },
  { "/lifecycle/C0.2/socket", case_socket, TRUE, 60 },
  { "/lifecycle/C0.3/wait", case_wait, TRUE, 60 },
  { "/lifecycle/C0.4/signal-keys", case_signal_keys, FALSE, 30 },
  { "/lifecycle/C0.4/signal-delivery", case_signal_delivery, TRUE, 90 },
  { "/lifecycle/C5/extensions", case_extensions, FALSE, 30 },
  { "/lifecycle/C5.1/reboot2", case_reboot, TRUE, 60 },
  { "/lifecycle/C5.2/reboot2-nowait", case_reboot_nowait, TRUE, 60 },
  { "/lifecycle/C5.3/reboot2-ignored", case_reboot_ignored, TRUE, 60 },
  { "/lifecycle/C5.4/reboot-inside", case_reboot_inside, TRUE, 90 },
  { "/lifecycle/C5.6/stop-hook-target", case_reboot_hooks, TRUE, 90 },
  { "/lifecycle/C5.7/reboot2-stopped", case_reboot_stopped, TRUE, 30 },
  { "/lifecycle/C5.8/reboot2-ten-times", case_reboot_repeat, TRUE, 240 },
  { "/lifecycle/execute", case_execute, TRUE, 60 },
  { "/lifecycle/attach", case_attach, TRUE, 60 },
  { "/lifecycle/shutdown", case_shutdown, TRUE, 90 },
  { "/lifecycle/monitor-killed", case_monitor_killed, TRUE, 60 },
  { "/lifecycle/names", case_names, FALSE, 30 },
  { "/lifecycle/concurrent-start", case_concurrent_start, TRUE, 60 },
  { "/lifecycle/cli", case_cli, TRUE, 120 },
};

static void
env_init (Env *e, const char *path)
{
  e->path = g_strdup (path);
  e->dir = g_build_filename (path, NAME, NULL);
  e->rootfs = g_build_filename (e->dir, "rootfs", NULL);
  e->socket = raw_socket_for (path, NAME);
  e->rundir = raw_rundir_for (path, NAME);
}

static void
env_clear (Env *e)
{
  g_free (e->path);
  g_free (e->dir);
  g_free (e->rootfs);
  g_free (e->socket);
  g_free (e->rundir);
}

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

  itest_run_case (&suite, tc->template, tc->timeout, run_body, tc);
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

    /* every case runs in this private network namespace (the subprocesses inherit it) */
    if (unshare (CLONE_NEWNET) < 0)
      suite.skip_reason = g_strdup_printf ("unshare(CLONE_NEWNET): %s", g_strerror (errno));
    else if (tool == NULL || monitor == NULL || g_getenv ("COVE_DATADIR") == NULL)
      suite.skip_reason = "COVE_TOOL, COVE_MONITOR and COVE_DATADIR must be set (run through meson test)";
    else if (!g_file_test (tool, G_FILE_TEST_IS_EXECUTABLE) || !g_file_test (monitor, G_FILE_TEST_IS_EXECUTABLE))
      suite.skip_reason = "COVE_TOOL or COVE_MONITOR is not an executable";
    else if (!g_file_test ("/bin/busybox", G_FILE_TEST_IS_EXECUTABLE))
      suite.skip_reason = "the busybox template needs /bin/busybox (apt-get install busybox-static)";
    /* the parent keeps going after a failed case; subprocess bodies stop at the first */
    g_test_set_nonfatal_assertions ();
  }

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], run_case);
  return g_test_run ();
}
