/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-notify: lxc.seccomp.profile (LXC's profile formats, compiled with libseccomp),
 * lxc.seccomp.allow_nesting, and seccomp user notification — the listener handed to
 * applications (cove_container_seccomp_notify_fd(), monitor command "seccomp-notify-fd")
 * or served by a proxy (lxc.seccomp.notify.proxy / .cookie).
 *
 * Where the pieces run (see README.md):
 *   PRE_START         monitor  nesting check; read and compile the profile; connect the proxy
 *   CHILD_PRE_EXEC    init     load the filter; send its listener to the monitor
 *   POST_START        monitor  keep the listener; serve the proxy from the main loop
 *   command           monitor  seccomp-notify-add-listener: an attached command's listener
 *                              (core/attach.c), served by the proxy too
 * Everything lives in the plugin's per-run data: a reboot reads the profile again and the
 * new init gets a new filter and listener.
 */
#include "profile.h"
#include "proxy.h"

#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROXY_TIMEOUT_MS (30 * 1000)   /* LXC's send and receive timeouts */
#define COOKIE_MAX 4096

typedef struct {
  char *profile_path;
  scmp_filter_ctx filter;
  gboolean wants_notify;
  int listener;              /* monitor, from POST_START; -1 without notify rules */
  SeccompProxy *proxy;
} SeccompRun;

static void
seccomp_run_free (gpointer data)
{
  SeccompRun *run = data;

  if (run->filter != NULL)
    seccomp_release (run->filter);
  if (run->listener >= 0)
    close (run->listener);
  seccomp_proxy_free (run->proxy);
  g_free (run->profile_path);
  g_free (run);
}

/* ---- keys --------------------------------------------------------------------------- */

static char *
normalize_profile (const char *key, const char *value, GError **error)
{
  if (!g_path_is_absolute (value)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "must be an absolute path");
    return NULL;
  }
  return g_strdup (value);
}

static char *
normalize_proxy (const char *key, const char *value, GError **error)
{
  if (!seccomp_proxy_address_parse (value, NULL, NULL, error))
    return NULL;
  return g_strdup (value);
}

static char *
normalize_cookie (const char *key, const char *value, GError **error)
{
  if (strlen (value) > COOKIE_MAX) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "longer than %d bytes", COOKIE_MAX);
    return NULL;
  }
  return g_strdup (value);
}

static const CoveKeySpec keys[] = {
  { .struct_size = sizeof (CoveKeySpec), .scope = COVE_KEY_SCOPE_GLOBAL,
    .path = "seccomp.profile", .type = COVE_KEY_STRING, .normalize = normalize_profile,
    .doc = "Seccomp profile of the init and everything it starts (absolute path; LXC's version 1 "
           "and 2 formats, see plugins/seccomp-notify/PROFILES.md), read and compiled at each "
           "start; a parse error fails the start naming the file and line" },
  { .struct_size = sizeof (CoveKeySpec), .scope = COVE_KEY_SCOPE_GLOBAL,
    .path = "seccomp.allow_nesting", .type = COVE_KEY_BOOL, .default_value = "0",
    .doc = "When the runtime itself already runs under a seccomp filter: 1 stacks the profile "
           "on it; 0 fails the start (never runs the container without its profile)" },
  { .struct_size = sizeof (CoveKeySpec), .scope = COVE_KEY_SCOPE_GLOBAL,
    .path = "seccomp.notify.proxy", .type = COVE_KEY_STRING, .normalize = normalize_proxy,
    .doc = "unix:/PATH or unix:@NAME (abstract): a SOCK_SEQPACKET proxy the monitor forwards "
           "every notify-rule syscall to, in LXC's message layout; it must be listening when "
           "the container starts. Read back as set" },
  { .struct_size = sizeof (CoveKeySpec), .scope = COVE_KEY_SCOPE_GLOBAL,
    .path = "seccomp.notify.cookie", .type = COVE_KEY_STRING, .normalize = normalize_cookie,
    .doc = "Bytes sent with every notification forwarded to lxc.seccomp.notify.proxy (at most "
           "4096)" },
};

/* ---- nesting ------------------------------------------------------------------------ */

/* The "Seccomp:" mode of this process (0 none, 1 strict, 2 filter), -1 if the kernel has
 * no seccomp. The init inherits the monitor's filters, so this is what it starts under. */
static int
own_seccomp_mode (GError **error)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, error))
    return -2;
  line = strstr (status, "\nSeccomp:");
  if (line == NULL)
    return -1;
  return atoi (line + strlen ("\nSeccomp:"));
}

static gboolean
check_nesting (CoveConfig *config, GError **error)
{
  int mode = own_seccomp_mode (error);

  if (mode == -2)
    return FALSE;
  if (mode < 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED,
                 "%s: lxc.seccomp.profile: this kernel has no seccomp (no Seccomp: line in "
                 "/proc/self/status)", cove_config_get_origin (config, -1, "seccomp.profile"));
    return FALSE;
  }
  if (mode == 0 || cove_config_get_bool (config, -1, "seccomp.allow_nesting"))
    return TRUE;
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
               "%s: lxc.seccomp.profile: this runtime already runs under a seccomp filter "
               "(Seccomp: %d), so the profile would be stacked on it, and "
               "lxc.seccomp.allow_nesting is 0; set lxc.seccomp.allow_nesting = 1 to allow that",
               cove_config_get_origin (config, -1, "seccomp.profile"), mode);
  return FALSE;
}

/* ---- hooks -------------------------------------------------------------------------- */

static gboolean
pre_start (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  CoveConfig *config = cove_hook_context_get_config (ctx);
  const char *path = cove_config_get_string (config, -1, "seccomp.profile");
  const char *proxy = cove_config_get_string (config, -1, "seccomp.notify.proxy");
  g_autoptr(SeccompProfile) profile = NULL;
  SeccompRun *run;

  if (path == NULL)
    return TRUE;
  if (!check_nesting (config, error))
    return FALSE;
  profile = seccomp_profile_load (path, error);
  if (profile == NULL) {
    g_prefix_error (error, "%s: lxc.seccomp.profile: ",
                    cove_config_get_origin (config, -1, "seccomp.profile"));
    return FALSE;
  }
  run = g_new0 (SeccompRun, 1);
  run->listener = -1;
  run->profile_path = g_strdup (path);
  cove_hook_context_set_data (ctx, run, seccomp_run_free);
  run->filter = seccomp_profile_compile (profile, FALSE, error);
  if (run->filter == NULL)
    return FALSE;
  run->wants_notify = seccomp_profile_wants_notify (profile);
  if (run->wants_notify && proxy != NULL) {
    run->proxy = seccomp_proxy_new (proxy, cove_config_get_string (config, -1, "seccomp.notify.cookie"),
                                    error);
    if (run->proxy == NULL) {
      g_prefix_error (error, "%s: lxc.seccomp.notify.proxy: ",
                      cove_config_get_origin (config, -1, "seccomp.notify.proxy"));
      return FALSE;
    }
  } else if (proxy != NULL) {
    g_debug ("seccomp: %s has no notify rule; lxc.seccomp.notify.proxy %s is not used", path, proxy);
  }
  return TRUE;
}

static gboolean
has_effective_cap (int cap)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

  if (syscall (SYS_capget, &header, data) < 0)
    return FALSE;
  return (data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

/* The last step before execve: after this, the filter applies to the init itself, so
 * only the send of the listener, the runtime's "exec" message and execve remain. */
static gboolean
child_pre_exec (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  SeccompRun *run = cove_hook_context_get_data (ctx);
  int rc, listener;

  if (run == NULL)
    return TRUE;
  /* without CAP_SYS_ADMIN (lxc.init.uid != 0, or the capability dropped) the kernel takes
   * a filter only from a no_new_privs process */
  if (!has_effective_cap (CAP_SYS_ADMIN) &&
      (rc = seccomp_attr_set (run->filter, SCMP_FLTATR_CTL_NNP, 1)) < 0)
    return cove_set_error_from_errno (error, -rc, "lxc.seccomp.profile %s: set no_new_privs",
                                      run->profile_path);
  rc = seccomp_load (run->filter);
  if (rc < 0)
    return cove_set_error_from_errno (error, -rc, "lxc.seccomp.profile %s: load the filter",
                                      run->profile_path);
  if (!run->wants_notify)
    return TRUE;
  listener = seccomp_notify_fd (run->filter);
  if (listener < 0)
    return cove_set_error_from_errno (error, listener == -1 ? EBADF : -listener,
                                      "lxc.seccomp.profile %s: the filter's notification listener",
                                      run->profile_path);
  if (!cove_hook_context_send_fd (ctx, "listener", listener, error))
    return FALSE;
  close (listener);
  return TRUE;
}

static gboolean
post_start (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  SeccompRun *run = cove_hook_context_get_data (ctx);
  int listener;

  if (run == NULL)
    return TRUE;
  g_clear_pointer (&run->filter, seccomp_release);   /* the init has loaded its copy */
  if (!run->wants_notify)
    return TRUE;
  listener = cove_hook_context_take_child_fd (ctx, "listener");
  if (listener < 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED,
                 "the container init sent no seccomp listener for %s", run->profile_path);
    return FALSE;
  }
  run->listener = listener;
  if (run->proxy == NULL)
    return TRUE;
  return seccomp_proxy_start (run->proxy, dup (listener), getpid (),
                              cove_hook_context_get_init_pid (ctx),
                              cove_hook_context_get_main_context (ctx), PROXY_TIMEOUT_MS, error);
}

/* ---- commands ----------------------------------------------------------------------- */

/* () → (), the listener as the reply's fd. */
static GVariant *
command_notify_fd (CoveCommandContext *cctx, GVariant *args, gpointer user_data, GError **error)
{
  SeccompRun *run = cove_command_context_get_data (cctx);
  CoveConfig *config = cove_command_context_get_config (cctx);

  if (cove_command_context_get_state (cctx) != COVE_STATE_RUNNING) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING, "%s is %s, not running",
                 cove_command_context_get_container_name (cctx),
                 cove_state_to_string (cove_command_context_get_state (cctx)));
    return NULL;
  }
  if (run == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NO_DATA, "%s has no lxc.seccomp.profile",
                 cove_command_context_get_container_name (cctx));
    return NULL;
  }
  if (run->listener < 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NO_DATA,
                 "the seccomp profile %s of %s has no notify rule", run->profile_path,
                 cove_command_context_get_container_name (cctx));
    return NULL;
  }
  if (run->proxy != NULL) {
    /* two readers of one listener: the monitor could block in SECCOMP_IOCTL_NOTIF_RECV
     * on a notification the other reader took (the ioctl ignores O_NONBLOCK) */
    g_set_error (error, COVE_ERROR, COVE_ERROR_BUSY,
                 "the seccomp notifications of %s are served by lxc.seccomp.notify.proxy = %s",
                 cove_command_context_get_container_name (cctx),
                 cove_config_get_string (config, -1, "seccomp.notify.proxy"));
    return NULL;
  }
  if (!cove_command_context_add_reply_fd (cctx, run->listener, error))
    return NULL;
  return g_variant_new ("()");
}

/* (i attached pid), an attached command's listener as the request's fd → (). Taken only
 * by a proxy: NOT_SUPPORTED otherwise, and the attach helper then closes the listener. */
static GVariant *
command_add_listener (CoveCommandContext *cctx, GVariant *args, gpointer user_data, GError **error)
{
  SeccompRun *run = cove_command_context_get_data (cctx);
  const char *name = cove_command_context_get_container_name (cctx);
  gint32 pid;
  int listener;

  if (!g_variant_is_of_type (args, G_VARIANT_TYPE ("(i)")) || cove_command_context_get_n_fds (cctx) != 1) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "seccomp-notify-add-listener takes (i) and one fd");
    return NULL;
  }
  if (run == NULL || !run->wants_notify) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED,
                 "the seccomp profile of %s has no notify rule, so no proxy serves it", name);
    return NULL;
  }
  if (run->proxy == NULL || run->listener < 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED,
                 "%s has no lxc.seccomp.notify.proxy to serve an attached command's notifications", name);
    return NULL;
  }
  g_variant_get (args, "(i)", &pid);
  listener = cove_command_context_steal_fd (cctx, 0);
  if (!seccomp_proxy_add_listener (run->proxy, listener, error))
    return NULL;
  g_debug ("the seccomp proxy serves the listener of attached process %d too", (int) pid);
  return g_variant_new ("()");
}

/* ---- the plugin --------------------------------------------------------------------- */

static const char *const extensions[] = {
  "seccomp_allow_nesting", "seccomp_notify", "seccomp_notify_fd_active",
  "seccomp_proxy_send_notify_fd", NULL
};

static gboolean
seccomp_notify_init (CovePlugin *plugin, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!cove_plugin_add_key (plugin, &keys[i], error))
      return FALSE;
  /* late in PRE_START and CHILD_PRE_EXEC: the filter comes after every other setup */
  return cove_plugin_add_hook (plugin, COVE_HOOK_PRE_START, 100, pre_start, NULL, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_CHILD_PRE_EXEC, 1000, child_pre_exec, NULL, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_POST_START, 0, post_start, NULL, error) &&
         cove_plugin_add_command (plugin, "seccomp-notify-fd", command_notify_fd, NULL, error) &&
         cove_plugin_add_command (plugin, "seccomp-notify-add-listener", command_add_listener, NULL, error);
}

COVE_PLUGIN_DEFINE ("seccomp-notify", "0.1.0", "LGPL-2.1-or-later",
                    "Seccomp profiles (LXC formats), allow_nesting, user notification: listener fd API and proxy",
                    extensions, seccomp_notify_init);
