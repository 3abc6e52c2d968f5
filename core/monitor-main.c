/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command line of the cove-monitor helper (exec'd by libcove for every start, and
 * with --attach for attach). It lives in the library so that the monitor uses the one
 * copy of the core that its plugins link to; cove-monitor's main() only calls it.
 */
#define COVE_LOG_CATEGORY "monitor"
#include "monitor.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static gboolean
parse_fd (const char *text, int *fd)
{
  guint64 v;
  if (!g_ascii_string_to_unsigned (text, 10, 3, 1023, &v, NULL))
    return FALSE;
  *fd = (int) v;
  return TRUE;
}

__attribute__((visibility ("default"))) int _cove_monitor_main (int argc, char **argv);

int
_cove_monitor_main (int argc, char **argv)
{
  CoveMonitorOptions opts = { 0 };
  g_autoptr(GStrvBuilder) path = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) disable = g_strv_builder_new ();
  g_auto(GStrv) plugin_path = NULL;
  g_auto(GStrv) disabled = NULL;
  const char *command_socket = NULL;
  int attach_fd = -1;
  int i;

  opts.config_fd = opts.status_fd = -1;
  for (i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;

    if (strcmp (arg, "--") == 0) {
      i++;
      break;
    } else if (strcmp (arg, "--version") == 0) {
      printf ("cove-monitor %s\n", COVE_VERSION_STRING);
      return 0;
    } else if (strcmp (arg, "--foreground") == 0) {
      opts.foreground = TRUE;
    } else if (strcmp (arg, "--execute") == 0) {
      opts.execute = TRUE;
    } else if (strcmp (arg, "--no-environment") == 0) {
      opts.context_flags |= COVE_CONTEXT_NO_ENVIRONMENT;
    } else if (strcmp (arg, "--no-default-path") == 0) {
      opts.context_flags |= COVE_CONTEXT_NO_DEFAULT_PATH;
    } else if (val == NULL) {
      goto usage;
    } else if (strcmp (arg, "--name") == 0) {
      opts.name = val, i++;
    } else if (strcmp (arg, "--path") == 0) {
      opts.path = val, i++;
    } else if (strcmp (arg, "--config-file") == 0) {
      opts.config_file = val, i++;
    } else if (strcmp (arg, "--plugin-path") == 0) {
      g_strv_builder_add (path, val), i++;
    } else if (strcmp (arg, "--disable") == 0) {
      g_strv_builder_add (disable, val), i++;
    } else if (strcmp (arg, "--config-fd") == 0) {
      if (!parse_fd (val, &opts.config_fd))
        goto usage;
      i++;
    } else if (strcmp (arg, "--status-fd") == 0) {
      if (!parse_fd (val, &opts.status_fd))
        goto usage;
      i++;
    } else if (strcmp (arg, "--attach") == 0) {
      if (!parse_fd (val, &attach_fd))
        goto usage;
      i++;
    } else if (strcmp (arg, "--command-socket") == 0) {
      command_socket = val, i++;
    } else {
      goto usage;
    }
  }
  if (attach_fd >= 0) {
    if (i >= argc)
      goto usage;
    return cove_attach_helper_main (attach_fd, command_socket, opts.name, argv + i);
  }
  if (opts.name == NULL || opts.path == NULL || opts.config_fd < 0 || opts.status_fd < 0)
    goto usage;
  /* inherited without close-on-exec: the container init must never see them */
  if (fcntl (opts.config_fd, F_SETFD, FD_CLOEXEC) < 0 || fcntl (opts.status_fd, F_SETFD, FD_CLOEXEC) < 0)
    goto usage;
  if (i < argc)
    opts.argv = argv + i;
  plugin_path = g_strv_builder_end (path);
  disabled = g_strv_builder_end (disable);
  opts.plugin_path = plugin_path;
  opts.disable = disabled;
  return cove_monitor_main (&opts);

usage:
  fprintf (stderr, "cove-monitor: internal helper of libcove; it is started by cove_container_start()\n");
  return 2;
}
