/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lxc.hook.pre-start / start / post-stop, run as LXC runs them (hook version 0): each
 * value is a command line, run as `/bin/sh -c 'exec <value> <name> lxc <type>'`, so the
 * value may carry its own arguments. The environment is this process's plus LXC_NAME,
 * LXC_CONFIG_FILE, LXC_ROOTFS_MOUNT, LXC_ROOTFS_PATH, LXC_HOOK_TYPE, LXC_HOOK_SECTION=lxc,
 * LXC_HOOK_VERSION=0 and, when a target is given (post-stop: "stop" or "reboot"),
 * LXC_TARGET. Hooks of one type run in order; the first that fails stops the rest.
 * Output goes to the log (stdout at INFO, stderr at WARN), and the last line of stderr
 * ends the error message of a failed hook. There is no timeout (as in LXC).
 */
#define COVE_LOG_CATEGORY "hooks"
#include "child-internal.h"

#include <string.h>
#include <sys/wait.h>

static const char *const hook_types[] = {
  [COVE_SCRIPT_PRE_START] = "pre-start",
  [COVE_SCRIPT_START] = "start",
  [COVE_SCRIPT_POST_STOP] = "post-stop",
};

static void
log_output (const char *script, const char *stream, const char *text, gboolean is_error)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (char **l = lines; *l; l++) {
    if (**l == '\0')
      continue;
    if (is_error)
      cove_warn ("hook %s (%s): %s", script, stream, *l);
    else
      cove_info ("hook %s (%s): %s", script, stream, *l);
  }
}

/* The last non-empty line of @text, at most 200 bytes, or NULL. */
static char *
last_line (const char *text)
{
  g_autofree char *copy = g_strdup (text ? text : "");
  char *line;

  g_strchomp (copy);
  line = strrchr (copy, '\n');
  line = line ? line + 1 : copy;
  if (*line == '\0')
    return NULL;
  if (strlen (line) > 200)
    strcpy (line + 197, "...");
  return g_strdup (line);
}

static gboolean
run_one (const char *key, const char *script, const char *name, const char *type,
         char **envp, GError **error)
{
  g_autofree char *quoted = g_shell_quote (name);
  g_autofree char *command = g_strdup_printf ("exec %s %s lxc %s", script, quoted, type);
  char *argv[] = { (char *) "/bin/sh", (char *) "-c", command, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *tail = NULL;
  int status;

  cove_debug ("running %s = \"%s\"", key, script);
  if (!g_spawn_sync (NULL, argv, envp, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, &out, &err, &status, error)) {
    cove_child_prefix_error (error, key, script);
    return FALSE;
  }
  log_output (script, "stdout", out, FALSE);
  log_output (script, "stderr", err, TRUE);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return TRUE;

  tail = last_line (err);
  if (WIFEXITED (status))
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "%s = \"%s\": exited with status %d%s%s",
                 key, script, WEXITSTATUS (status), tail ? ": " : "", tail ? tail : "");
  else
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "%s = \"%s\": killed by signal %d (%s)",
                 key, script, WTERMSIG (status), g_strsignal (WTERMSIG (status)));
  return FALSE;
}

gboolean
cove_run_hook_scripts (const CoveChildSetup *setup, CoveScriptHook hook, const char *target,
                       GError **error)
{
  CoveConfig *config;
  const char *type;
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;
  const char * const *scripts;
  g_auto(GStrv) envp = NULL;

  g_return_val_if_fail (setup != NULL && setup->config != NULL, FALSE);
  g_return_val_if_fail ((guint) hook < G_N_ELEMENTS (hook_types), FALSE);

  config = setup->config;
  type = hook_types[hook];
  path = g_strconcat ("hook.", type, NULL);
  key = g_strconcat ("lxc.", path, NULL);
  scripts = cove_config_get_list (config, -1, path);
  if (scripts[0] == NULL)
    return TRUE;

  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "LXC_NAME", setup->name ? setup->name : "", TRUE);
  if (setup->config_file != NULL)
    envp = g_environ_setenv (envp, "LXC_CONFIG_FILE", setup->config_file, TRUE);
  else
    envp = g_environ_unsetenv (envp, "LXC_CONFIG_FILE");
  envp = g_environ_setenv (envp, "LXC_ROOTFS_MOUNT", setup->rootfs ? setup->rootfs : "/", TRUE);
  envp = g_environ_setenv (envp, "LXC_ROOTFS_PATH",
                           cove_config_is_set (config, -1, "rootfs.path")
                             ? cove_config_get_string (config, -1, "rootfs.path") : "", TRUE);
  envp = g_environ_setenv (envp, "LXC_HOOK_TYPE", type, TRUE);
  envp = g_environ_setenv (envp, "LXC_HOOK_SECTION", "lxc", TRUE);
  envp = g_environ_setenv (envp, "LXC_HOOK_VERSION", "0", TRUE);
  if (target != NULL)
    envp = g_environ_setenv (envp, "LXC_TARGET", target, TRUE);
  else if (hook == COVE_SCRIPT_POST_STOP)
    envp = g_environ_setenv (envp, "LXC_TARGET", "stop", TRUE);
  else
    envp = g_environ_unsetenv (envp, "LXC_TARGET");

  for (const char * const *s = scripts; *s; s++)
    if (!run_one (key, *s, setup->name ? setup->name : "", type, envp, error))
      return FALSE;
  return TRUE;
}
