/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `cove-monitor --attach FD -- CMD…`: joins every namespace of the init behind the pidfd
 * FD (which also puts it in the container's root), forks so the command is inside the pid
 * namespace, runs it and exits with its status. A helper process, so that libcove never
 * forks the embedding application. The command gets no more privilege than the init: its
 * capability bounding set (lxc.cap.drop / lxc.cap.keep) and no_new_privs are copied from
 * the init's /proc status, and its seccomp filters (lxc.seccomp.profile, and whatever the
 * runtime itself ran under) are read from it with PTRACE_SECCOMP_GET_FILTER and loaded,
 * in the same order, as the command's last step before execve. The newest filter with
 * `notify` rules is loaded with a notification listener of its own, which the helper offers
 * to the monitor (command seccomp-notify-add-listener, on a connection to --command-socket
 * made before leaving the host's mount namespace, and only when there is a notify filter):
 * the seccomp-notify plugin serves it through the container's proxy as it serves the
 * init's. Without a proxy the offer is declined and the listener closed, so those syscalls
 * fail with ENOSYS.
 */
#define COVE_LOG_CATEGORY "attach"
#include "monitor.h"
#include "rundir.h"

#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

#define ADD_LISTENER_COMMAND "seccomp-notify-add-listener"
#define ADD_LISTENER_TIMEOUT_MS (10 * 1000)

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

/* Whether @prog can answer SECCOMP_RET_USER_NOTIF (libseccomp's programs return
 * constants). */
static gboolean
filter_notifies (const struct sock_fprog *prog)
{
  for (unsigned short i = 0; i < prog->len; i++) {
    const struct sock_filter *insn = &prog->filter[i];

    if (BPF_CLASS (insn->code) == BPF_RET && BPF_RVAL (insn->code) == BPF_K &&
        (insn->k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
      return TRUE;
  }
  return FALSE;
}

static void
send_listener (int sock, int listener)
{
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control = { 0 };
  char byte = 'L';
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);

  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &listener, sizeof (int));
  while (sendmsg (sock, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
}

/* The newest of the init's filters with notify rules; -1 if none. */
static int
newest_notify_filter (GPtrArray *filters)
{
  for (guint i = filters->len; i > 0; i--)
    if (filter_notifies (filters->pdata[i - 1]))
      return (int) i - 1;
  return -1;
}

/* The last step before execve, as in the init (without CAP_SYS_ADMIN the kernel takes a
 * filter only from a no_new_privs process). Filter @notify_index (-1: none) gets a
 * listener, sent on @listener_sock; where the kernel refuses one (one listener per filter
 * chain: a runtime that is itself supervised) it is loaded without. */
static gboolean
load_init_filters (GPtrArray *filters, int notify_index, int listener_sock)
{
  if (filters->len == 0)
    return TRUE;
  if (!has_effective_cap (CAP_SYS_ADMIN) && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return FALSE;
  for (guint i = 0; i < filters->len; i++) {
    if ((int) i == notify_index) {
      int listener = (int) syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                    SECCOMP_FILTER_FLAG_NEW_LISTENER, filters->pdata[i]);
      if (listener >= 0) {
        send_listener (listener_sock, listener);
        close (listener);
        continue;
      }
    }
    if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filters->pdata[i]) < 0)
      return FALSE;
  }
  return TRUE;
}

/* Passes the listener the command sends on @sock (none once it has exec'd) to the monitor
 * on @command_fd. A monitor without a proxy declines it: then nothing is said, and the
 * last copy closes here, which turns the command's notified syscalls into ENOSYS. */
static void
offer_listener (int sock, int command_fd, pid_t pid)
{
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int))];
  } control;
  char byte;
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  int listener;
  ssize_t n;

  while ((n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
    ;
  cmsg = n > 0 ? CMSG_FIRSTHDR (&msg) : NULL;
  if (cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN (sizeof (int)))
    return;
  memcpy (&listener, CMSG_DATA (cmsg), sizeof (int));
  reply = cove_command_call_on (command_fd, ADD_LISTENER_COMMAND, g_variant_new ("(i)", (gint32) pid),
                                &listener, 1, NULL, ADD_LISTENER_TIMEOUT_MS, &error);
  close (listener);
  if (reply == NULL && !g_error_matches (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED))
    fprintf (stderr, "cove attach: the monitor did not take the command's seccomp listener (%s); "
             "its notified system calls fail with ENOSYS\n", error->message);
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
cove_attach_helper_main (int pidfd, const char *command_socket, const char *name, char **argv)
{
  InitLimits limits = { 0 };
  g_autoptr(GPtrArray) filters = g_ptr_array_new_with_free_func (free_fprog);
  int listener_pair[2] = { -1, -1 };   /* the command's listener, to the helper */
  int notify_index = -1, command_fd = -1;
  pid_t pid;
  int wstatus;

  if (!read_init_limits (pidfd, &limits)) {
    fprintf (stderr, "cove attach: cannot read the container init's status\n");
    return 255;
  }
  if (limits.seccomp_mode == SECCOMP_MODE_FILTER && !read_init_filters (limits.pid, filters))
    return 255;
  if (command_socket != NULL && (notify_index = newest_notify_filter (filters)) >= 0) {
    g_autoptr(GError) error = NULL;

    command_fd = cove_command_connect_socket (command_socket, name ? name : "", &error);
    if (command_fd < 0 ||
        socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, listener_pair) < 0) {
      fprintf (stderr, "cove attach: %s; the command's notified system calls fail with ENOSYS\n",
               error ? error->message : g_strerror (errno));
      notify_index = -1;
    }
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
    if (!load_init_filters (filters, notify_index, listener_pair[1])) {
      fprintf (stderr, "cove attach: load the init's seccomp filters: %s\n", g_strerror (errno));
      _exit (255);
    }
    execvp (argv[0], argv);
    fprintf (stderr, "cove attach: execute %s: %s\n", argv[0], g_strerror (errno));
    _exit (errno == ENOENT ? 127 : 126);
  }
  signal (SIGINT, SIG_IGN);
  signal (SIGQUIT, SIG_IGN);
  if (listener_pair[0] >= 0) {
    close (listener_pair[1]);
    offer_listener (listener_pair[0], command_fd, pid);
    close (listener_pair[0]);
  }
  if (command_fd >= 0)
    close (command_fd);
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
