/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `cove-monitor --attach FD -- CMD…`: joins every namespace of the init behind the pidfd
 * FD (which also puts it in the container's root), forks so the command is inside the pid
 * namespace, runs it and exits with its status. A helper process, so that libcove never
 * forks the embedding application. The command gets no more privilege than the init: its
 * capability bounding set (lxc.cap.drop / lxc.cap.keep) and no_new_privs are copied from
 * the init's /proc status.
 */
#define COVE_LOG_CATEGORY "attach"
#include "monitor.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

typedef struct {
  guint64 bounding;
  gboolean no_new_privs;
} InitLimits;

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
  InitLimits limits;
  pid_t pid;
  int wstatus;

  if (!read_init_limits (pidfd, &limits)) {
    fprintf (stderr, "cove attach: cannot read the container init's status\n");
    return 255;
  }

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
