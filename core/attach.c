/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `cove-monitor --attach FD -- CMD…`: joins every namespace of the init behind the pidfd
 * FD (which also puts it in the container's root), forks so the command is inside the pid
 * namespace, runs it and exits with its status. A helper process, so that libcove never
 * forks the embedding application. The command gets no more privilege than the init: its
 * capability bounding set (lxc.cap.drop / lxc.cap.keep) and no_new_privs are copied from
 * the init's /proc status, and its seccomp filters (lxc.seccomp.profile, and whatever the
 * runtime itself ran under) are read from it with PTRACE_SECCOMP_GET_FILTER and loaded,
 * in the same order, as the command's last step before execve. A copied filter has no
 * notification listener, so the command's syscalls that `notify` rules match fail with
 * ENOSYS instead of reaching a supervisor.
 */
#define COVE_LOG_CATEGORY "attach"
#include "monitor.h"

#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

typedef struct {
  guint64 bounding;
  gboolean no_new_privs;
  pid_t pid;
  guint64 seccomp_mode;
  GPtrArray *filters;   /* struct sock_fprog *, oldest first */
} InitLimits;

static void
free_fprog (gpointer data)
{
  struct sock_fprog *prog = data;

  g_free (prog->filter);
  g_free (prog);
}

static gboolean
read_status_field (const char *status, const char *field, guint64 *value, int base)
{
  const char *line = strstr (status, field);

  if (line == NULL)
    return FALSE;
  *value = g_ascii_strtoull (line + strlen (field), NULL, base);
  return TRUE;
}

/* Reads the init's limits through the pid behind the pidfd (before setns: afterwards
 * /proc would be the container's). */
static gboolean
read_init_limits (int pidfd, InitLimits *limits)
{
  g_autofree char *fdinfo_path = g_strdup_printf ("/proc/self/fdinfo/%d", pidfd);
  g_autofree char *fdinfo = NULL;
  g_autofree char *status_path = NULL;
  g_autofree char *status = NULL;
  guint64 pid, nnp = 0;

  if (!g_file_get_contents (fdinfo_path, &fdinfo, NULL, NULL) ||
      !read_status_field (fdinfo, "\nPid:", &pid, 10) || pid == 0 || pid == G_MAXUINT64)
    return FALSE;
  status_path = g_strdup_printf ("/proc/%" G_GUINT64_FORMAT "/status", pid);
  if (!g_file_get_contents (status_path, &status, NULL, NULL) ||
      !read_status_field (status, "\nCapBnd:", &limits->bounding, 16))
    return FALSE;
  read_status_field (status, "\nNoNewPrivs:", &nnp, 10);
  limits->no_new_privs = nnp != 0;
  read_status_field (status, "\nSeccomp:", &limits->seccomp_mode, 10);
  limits->pid = (pid_t) pid;
  return TRUE;
}

/* The init's seccomp filters, newest at index 0 for the kernel; stored oldest first. The
 * init stops for the moment the filters are read (a ptrace interrupt, as a debugger's). */
static gboolean
read_init_filters (pid_t pid, GPtrArray *filters)
{
  int wstatus, errsv = 0;

  if (ptrace (PTRACE_SEIZE, pid, NULL, NULL) < 0) {
    fprintf (stderr, "cove attach: read the init's seccomp filters: ptrace %d: %s\n", (int) pid,
             g_strerror (errno));
    return FALSE;
  }
  if (ptrace (PTRACE_INTERRUPT, pid, NULL, NULL) < 0 || waitpid (pid, &wstatus, __WALL) < 0) {
    errsv = errno;
  } else {
    for (long index = 0;; index++) {
      long len = ptrace (PTRACE_SECCOMP_GET_FILTER, pid, (void *) index, NULL);
      struct sock_fprog *prog;

      if (len < 0) {
        if (errno != ENOENT)
          errsv = errno;
        break;
      }
      prog = g_new0 (struct sock_fprog, 1);
      prog->len = (unsigned short) len;
      prog->filter = g_new0 (struct sock_filter, len);
      g_ptr_array_insert (filters, 0, prog);
      if (ptrace (PTRACE_SECCOMP_GET_FILTER, pid, (void *) index, prog->filter) != len) {
        errsv = errno ? errno : EIO;
        break;
      }
    }
  }
  ptrace (PTRACE_DETACH, pid, NULL, NULL);
  if (errsv != 0) {
    fprintf (stderr, "cove attach: read the init's seccomp filters: %s\n", g_strerror (errsv));
    return FALSE;
  }
  return TRUE;
}

static gboolean
has_effective_cap (int cap)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2] = { { 0 } };

  return syscall (SYS_capget, &header, data) == 0 && (data[cap / 32].effective & (1u << (cap % 32)));
}

/* The last step before execve, as in the init (without CAP_SYS_ADMIN the kernel takes a
 * filter only from a no_new_privs process). */
static gboolean
load_init_filters (GPtrArray *filters)
{
  if (filters->len == 0)
    return TRUE;
  if (!has_effective_cap (CAP_SYS_ADMIN) && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return FALSE;
  for (guint i = 0; i < filters->len; i++)
    if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filters->pdata[i]) < 0)
      return FALSE;
  return TRUE;
}

static gboolean
apply_init_limits (const InitLimits *limits)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];

  for (int cap = 0; cap < 64; cap++) {
    if (limits->bounding & (G_GUINT64_CONSTANT (1) << cap))
      continue;
    if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      return FALSE;
  }
  if (syscall (SYS_capget, &header, data) < 0)
    return FALSE;
  for (int i = 0; i < 2; i++) {
    guint32 keep = (guint32) (limits->bounding >> (32 * i));
    data[i].effective &= keep;
    data[i].permitted &= keep;
    data[i].inheritable &= keep;
  }
  if (syscall (SYS_capset, &header, data) < 0)
    return FALSE;
  prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  if (limits->no_new_privs && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return FALSE;
  return TRUE;
}

int
cove_attach_helper_main (int pidfd, char **argv)
{
  InitLimits limits = { 0 };
  g_autoptr(GPtrArray) filters = g_ptr_array_new_with_free_func (free_fprog);
  pid_t pid;
  int wstatus;

  if (!read_init_limits (pidfd, &limits)) {
    fprintf (stderr, "cove attach: cannot read the container init's status\n");
    return 255;
  }
  if (limits.seccomp_mode == SECCOMP_MODE_FILTER && !read_init_filters (limits.pid, filters))
    return 255;

  if (setns (pidfd, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP |
                    CLONE_NEWPID) < 0) {
    fprintf (stderr, "cove attach: join the container's namespaces: %s\n", g_strerror (errno));
    return 255;
  }
  close (pidfd);
  pid = fork ();
  if (pid < 0) {
    fprintf (stderr, "cove attach: fork: %s\n", g_strerror (errno));
    return 255;
  }
  if (pid == 0) {
    const char *term = g_getenv ("TERM");
    g_autofree char *term_copy = g_strdup (term);

    if (chdir ("/") < 0)
      _exit (255);
    if (!apply_init_limits (&limits)) {
      fprintf (stderr, "cove attach: limit capabilities as the init's: %s\n", g_strerror (errno));
      _exit (255);
    }
    clearenv ();
    setenv ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
    setenv ("HOME", "/root", 1);
    setenv ("container", "lxc", 1);
    if (term_copy)
      setenv ("TERM", term_copy, 1);
    if (!load_init_filters (filters)) {
      fprintf (stderr, "cove attach: load the init's seccomp filters: %s\n", g_strerror (errno));
      _exit (255);
    }
    execvp (argv[0], argv);
    fprintf (stderr, "cove attach: execute %s: %s\n", argv[0], g_strerror (errno));
    _exit (errno == ENOENT ? 127 : 126);
  }
  signal (SIGINT, SIG_IGN);
  signal (SIGQUIT, SIG_IGN);
  while (waitpid (pid, &wstatus, 0) < 0)
    if (errno != EINTR)
      return 255;
  if (WIFSIGNALED (wstatus)) {
    /* die by the same signal so our parent sees it */
    signal (WTERMSIG (wstatus), SIG_DFL);
    raise (WTERMSIG (wstatus));
    return 128 + WTERMSIG (wstatus);
  }
  return WEXITSTATUS (wstatus);
}
