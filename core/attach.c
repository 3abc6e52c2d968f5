/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `cove-monitor --attach FD -- CMD…`: joins every namespace of the init behind the pidfd
 * FD (which also puts it in the container's root), forks so the command is inside the pid
 * namespace, runs it and exits with its status. A helper process, so that libcove never
 * forks the embedding application.
 */
#define COVE_LOG_CATEGORY "attach"
#include "monitor.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

int
cove_attach_helper_main (int pidfd, char **argv)
{
  pid_t pid;
  int wstatus;

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
