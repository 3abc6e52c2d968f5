/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The init's command line, environment and working directory, and the signal keys.
 *
 * Environment: as in LXC the init starts from an empty environment with container=lxc,
 * then lxc.environment in order (a later KEY wins); "KEY" alone copies KEY from this
 * process's environment (the monitor's, which it inherits from the caller that started
 * the container) and is skipped if unset there; PATH gets a default if none is given.
 *
 * Command: the argv given to start/execute, else lxc.init.cmd (shell quoting), else
 * /sbin/init. A command name without a '/' is looked up in the init's PATH inside the
 * container and argv[0] becomes that full path, so the caller can execve (argv[0], …);
 * a command that cannot be found or executed fails here, naming the key and value.
 */
#define COVE_LOG_CATEGORY "child"
#include "child-internal.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int
cove_config_signal (CoveConfig *config, const char *path)
{
  const char *rel;
  int fallback;
  gint64 value;

  g_return_val_if_fail (config != NULL && path != NULL, -1);
  rel = g_str_has_prefix (path, "lxc.") ? path + 4 : path;
  if (strcmp (rel, "signal.halt") == 0)
    fallback = SIGPWR;
  else if (strcmp (rel, "signal.reboot") == 0)
    fallback = SIGINT;
  else if (strcmp (rel, "signal.stop") == 0)
    fallback = SIGKILL;
  else
    g_return_val_if_reached (-1);

  if (!cove_config_is_set (config, -1, rel))
    return fallback;
  /* stored canonical: a decimal number; 0 means "the default" */
  value = g_ascii_strtoll (cove_config_get_string (config, -1, rel), NULL, 10);
  return value > 0 && value <= G_MAXINT ? (int) value : fallback;
}

static char **
build_environment (CoveConfig *config)
{
  char **env = g_new0 (char *, 1);

  env = g_environ_setenv (env, "container", "lxc", TRUE);
  for (const char * const *v = cove_config_get_list (config, -1, "environment"); *v; v++) {
    const char *eq = strchr (*v, '=');

    if (eq != NULL) {
      g_autofree char *name = g_strndup (*v, eq - *v);
      env = g_environ_setenv (env, name, eq + 1, TRUE);
    } else {
      const char *inherited = g_getenv (*v);
      if (inherited != NULL)
        env = g_environ_setenv (env, *v, inherited, TRUE);
      else
        cove_info ("lxc.environment = \"%s\": not set in the monitor's environment; skipped", *v);
    }
  }
  if (g_environ_getenv (env, "PATH") == NULL)
    env = g_environ_setenv (env, "PATH", DEFAULT_PATH, TRUE);
  return env;
}

static gboolean
is_executable_file (const char *path)
{
  struct stat st;

  if (stat (path, &st) < 0)
    return FALSE;
  if (!S_ISREG (st.st_mode)) {
    errno = EACCES;
    return FALSE;
  }
  return access (path, X_OK) == 0;
}

/* The full path of @name along @search_path, or NULL with errno set. */
static char *
find_in_path (const char *name, const char *search_path)
{
  g_auto(GStrv) dirs = g_strsplit (search_path, ":", -1);

  for (char **d = dirs; *d; d++) {
    g_autofree char *candidate = NULL;

    if (**d == '\0')
      continue;  /* an empty element would mean the working directory: never for an init */
    candidate = g_build_filename (*d, name, NULL);
    if (is_executable_file (candidate))
      return g_steal_pointer (&candidate);
  }
  errno = ENOENT;
  return NULL;
}

gboolean
cove_child_prepare_exec (const CoveChildSetup *setup, const char * const *argv,
                         char ***out_argv, char ***out_envp, GError **error)
{
  CoveConfig *config = setup->config;
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) env = NULL;
  g_autofree char *origin_key = NULL;
  g_autofree char *origin_value = NULL;
  const char *cwd = "/";

  g_return_val_if_fail (config != NULL && out_argv != NULL && out_envp != NULL, FALSE);

  env = build_environment (config);

  if (argv != NULL && argv[0] != NULL) {
    args = g_strdupv ((char **) argv);
    origin_key = g_strdup ("init command");
    origin_value = g_strjoinv (" ", args);
  } else if (cove_config_is_set (config, -1, "init.cmd")) {
    origin_key = g_strdup ("lxc.init.cmd");
    origin_value = g_strdup (cove_config_get_string (config, -1, "init.cmd"));
    if (!g_shell_parse_argv (origin_value, NULL, &args, error)) {
      cove_child_prefix_error (error, origin_key, origin_value);
      return FALSE;
    }
  } else {
    args = g_strsplit ("/sbin/init", " ", -1);
    origin_key = g_strdup ("lxc.init.cmd (not set)");
    origin_value = g_strdup ("/sbin/init");
  }

  if (cove_config_is_set (config, -1, "init.cwd"))
    cwd = cove_config_get_string (config, -1, "init.cwd");
  if (chdir (cwd) < 0) {
    cove_throw_errno (error, "chdir");
    cove_child_prefix_error (error, "lxc.init.cwd", cwd);
    return FALSE;
  }

  if (strchr (args[0], '/') == NULL) {
    const char *search_path = g_environ_getenv (env, "PATH");
    char *found = find_in_path (args[0], search_path);

    if (found == NULL) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "%s: no such command in the container (PATH=%s)", args[0], search_path);
      cove_child_prefix_error (error, origin_key, origin_value);
      return FALSE;
    }
    g_free (args[0]);
    args[0] = found;
  } else if (!is_executable_file (args[0])) {
    cove_throw_errno (error, "%s", args[0]);
    cove_child_prefix_error (error, origin_key, origin_value);
    return FALSE;
  }

  *out_argv = g_steal_pointer (&args);
  *out_envp = g_steal_pointer (&env);
  return TRUE;
}
