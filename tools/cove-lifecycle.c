/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cove start | stop | reboot | wait | info | execute | attach | list */
#include <stdio.h>
#include <string.h>
#include "cove-cli.h"

/* Splits "ARGS… -- CMD…" before option parsing; returns the command (NULL if none). */
static char **
split_command (int *argc, char **argv)
{
  for (int i = 1; i < *argc; i++) {
    if (strcmp (argv[i], "--") == 0) {
      char **cmd = argv + i + 1;
      argv[i] = NULL;
      *argc = i;
      return cmd[0] ? cmd : NULL;
    }
  }
  return NULL;
}

static CoveContainer *
open_container (CoveCli *cli, const char *name, const char *file, gboolean need_config)
{
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;

  c = cove_container_new (name, cli->path, &error);
  if (c == NULL) {
    cove_cli_fail_error (NULL, error);
    return NULL;
  }
  if (need_config || file != NULL) {
    if (!cove_container_load_config (c, file, &error)) {
      cove_cli_fail_error (NULL, error);
      return NULL;
    }
  }
  return g_steal_pointer (&c);
}

static const CoveCliCommand start_command = { "start", "NAME [-f FILE] [-F] [-- CMD…]", "Start a container" };

int
cove_cmd_start (CoveCli *cli, int argc, char **argv)
{
  g_autofree char *file = NULL;
  gboolean foreground = FALSE;
  GOptionEntry entries[] = {
    { "rcfile", 'f', 0, G_OPTION_ARG_FILENAME, &file, "Use this config file (default: PATH/NAME/config)", "FILE" },
    { "foreground", 'F', 0, G_OPTION_ARG_NONE, &foreground, "Stay in the foreground until the container stops", NULL },
    { NULL }
  };
  char **cmd = split_command (&argc, argv);
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;

  if (!cove_cli_parse (&start_command, entries,
                       "Starts the container and returns once it is RUNNING (or says why not).\n"
                       "CMD replaces lxc.init.cmd. With -F, waits until the container stops.",
                       &argc, &argv))
    return 1;
  if (argc != 2)
    return cove_cli_fail ("start: expected NAME (see cove start --help)");
  c = open_container (cli, argv[1], file, TRUE);
  if (c == NULL)
    return 1;
  if (!cove_container_start (c, foreground ? COVE_START_FOREGROUND : 0, (const char * const *) cmd, &error))
    return cove_cli_fail_error (argv[1], error);
  return 0;
}

static const CoveCliCommand stop_command = { "stop", "NAME [-k] [-t SECONDS]", "Stop a container" };

int
cove_cmd_stop (CoveCli *cli, int argc, char **argv)
{
  gboolean kill_now = FALSE;
  int timeout = 60;
  GOptionEntry entries[] = {
    { "kill", 'k', 0, G_OPTION_ARG_NONE, &kill_now, "Kill at once (lxc.signal.stop, default SIGKILL)", NULL },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait for a clean halt before killing (default 60; -1 forever; 0 do not wait)", "SECONDS" },
    { NULL }
  };
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!cove_cli_parse (&stop_command, entries,
                       "Without -k, sends lxc.signal.halt (default SIGPWR) and kills the container\n"
                       "if it has not stopped after the timeout.",
                       &argc, &argv))
    return 1;
  if (argc != 2)
    return cove_cli_fail ("stop: expected NAME (see cove stop --help)");
  c = open_container (cli, argv[1], NULL, FALSE);
  if (c == NULL)
    return 1;
  ok = kill_now ? cove_container_stop (c, &error) : cove_container_shutdown (c, timeout, &error);
  if (!ok)
    return cove_cli_fail_error (argv[1], error);
  return 0;
}

static const CoveCliCommand reboot_command = { "reboot", "NAME [-t SECONDS]", "Reboot a container and wait until it runs again" };

int
cove_cmd_reboot (CoveCli *cli, int argc, char **argv)
{
  int timeout = 60;
  GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait for RUNNING again (default 60; -1 forever; 0 do not wait)", "SECONDS" },
    { NULL }
  };
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;

  if (!cove_cli_parse (&reboot_command, entries,
                       "Sends lxc.signal.reboot (default SIGINT) to the container's init and waits\n"
                       "until a new init runs (the reboot2 API extension).",
                       &argc, &argv))
    return 1;
  if (argc != 2)
    return cove_cli_fail ("reboot: expected NAME (see cove reboot --help)");
  c = open_container (cli, argv[1], NULL, FALSE);
  if (c == NULL)
    return 1;
  if (!cove_container_reboot2 (c, timeout, &error))
    return cove_cli_fail_error (argv[1], error);
  return 0;
}

static const CoveCliCommand wait_command = { "wait", "NAME STATE[|STATE…] [-t SECONDS]", "Wait for a container state" };

int
cove_cmd_wait (CoveCli *cli, int argc, char **argv)
{
  int timeout = -1;
  GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait (default -1: forever; 0: check only)", "SECONDS" },
    { NULL }
  };
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  CoveState reached;
  guint mask;

  if (!cove_cli_parse (&wait_command, entries,
                       "States: STOPPED STARTING RUNNING STOPPING ABORTING REBOOTING, e.g. RUNNING|STOPPED.\n"
                       "Prints the state reached; exit status 1 on timeout.",
                       &argc, &argv))
    return 1;
  if (argc != 3)
    return cove_cli_fail ("wait: expected NAME STATE (see cove wait --help)");
  if (!cove_state_parse_mask (argv[2], &mask, &error))
    return cove_cli_fail_error ("wait", error);
  c = open_container (cli, argv[1], NULL, FALSE);
  if (c == NULL)
    return 1;
  if (!cove_container_wait_mask (c, mask, timeout, &reached, &error))
    return cove_cli_fail_error (argv[1], error);
  printf ("%s\n", cove_state_to_string (reached));
  return 0;
}

static const CoveCliCommand info_command = { "info", "NAME", "Show a container's state and init PID" };

int
cove_cmd_info (CoveCli *cli, int argc, char **argv)
{
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  CoveState state;

  if (!cove_cli_parse (&info_command, NULL, NULL, &argc, &argv))
    return 1;
  if (argc != 2)
    return cove_cli_fail ("info: expected NAME (see cove info --help)");
  c = open_container (cli, argv[1], NULL, FALSE);
  if (c == NULL)
    return 1;
  state = cove_container_state (c);
  printf ("Name: %s\n", argv[1]);
  printf ("State: %s\n", cove_state_to_string (state));
  if (state != COVE_STATE_STOPPED) {
    pid_t pid = cove_container_init_pid (c, &error);
    g_autoptr(GPtrArray) interfaces = NULL;

    if (pid > 0)
      printf ("PID: %d\n", (int) pid);
    interfaces = cove_container_get_interfaces (c, NULL);
    for (guint i = 0; interfaces && i < interfaces->len; i++) {
      const CoveInterface *iface = interfaces->pdata[i];
      g_autofree char *addresses = g_strjoinv (" ", iface->addresses);
      if (iface->host_name != NULL)
        printf ("Interface: %s (host side: %s)\n", iface->name, iface->host_name);
      else
        printf ("Interface: %s\n", iface->name);
      if (*addresses)
        printf ("  Addresses: %s\n", addresses);
    }
  }
  printf ("Config: %s\n", cove_container_get_config_file (c));
  return 0;
}

static const CoveCliCommand execute_command = { "execute", "[NAME] [-f FILE] -- CMD…", "Run a command as a container's payload, to completion" };

int
cove_cmd_execute (CoveCli *cli, int argc, char **argv)
{
  g_autofree char *file = NULL;
  g_autofree char *generated = NULL;
  GOptionEntry entries[] = {
    { "rcfile", 'f', 0, G_OPTION_ARG_FILENAME, &file, "Use this config file (then NAME may be omitted)", "FILE" },
    { NULL }
  };
  char **cmd = split_command (&argc, argv);
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  int status;

  if (!cove_cli_parse (&execute_command, entries,
                       "Runs CMD as the container's init (like lxc-execute) in the foreground and\n"
                       "exits with its status (128+N if killed by signal N).",
                       &argc, &argv))
    return 1;
  if (cmd == NULL)
    return cove_cli_fail ("execute: expected -- CMD (see cove execute --help)");
  if (argc > 2 || (argc == 1 && file == NULL))
    return cove_cli_fail ("execute: expected NAME or -f FILE (see cove execute --help)");
  name = argc == 2 ? argv[1] : (generated = g_strdup_printf ("execute-%d", (int) getpid ()));
  c = open_container (cli, name, file, TRUE);
  if (c == NULL)
    return 1;
  status = cove_container_execute (c, (const char * const *) cmd, &error);
  if (status < 0)
    return cove_cli_fail_error (name, error);
  return status;
}

static const CoveCliCommand attach_command = { "attach", "NAME -- CMD…", "Run a command inside a running container" };

int
cove_cmd_attach (CoveCli *cli, int argc, char **argv)
{
  char **cmd = split_command (&argc, argv);
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!cove_cli_parse (&attach_command, NULL,
                       "Runs CMD in the namespaces and root of the container's init and exits with\n"
                       "its status (128+N if killed by signal N). CMD gets no more than the init:\n"
                       "its capability bounding set, no_new_privs and seccomp filters (notify rules\n"
                       "reach the container's lxc.seccomp.notify.proxy, else fail with ENOSYS).\n"
                       "It runs as root in /, with PATH, HOME=/root, container=lxc and TERM.",
                       &argc, &argv))
    return 1;
  if (argc != 2 || cmd == NULL)
    return cove_cli_fail ("attach: expected NAME -- CMD (see cove attach --help)");
  c = open_container (cli, argv[1], NULL, FALSE);
  if (c == NULL)
    return 1;
  status = cove_container_attach_run_wait (c, (const char * const *) cmd, &error);
  if (status < 0)
    return cove_cli_fail_error (argv[1], error);
  return status;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

static const CoveCliCommand list_command = { "list", "", "List the containers under the container path" };

int
cove_cmd_list (CoveCli *cli, int argc, char **argv)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  if (!cove_cli_parse (&list_command, NULL, "Prints NAME and STATE of every directory under the\n"
                       "container path (-P) that holds a config file.", &argc, &argv))
    return 1;
  dir = g_dir_open (cli->path, 0, NULL);
  if (dir == NULL)
    return 0;
  while ((entry = g_dir_read_name (dir)) != NULL) {
    g_autofree char *config = g_build_filename (cli->path, entry, "config", NULL);
    if (g_file_test (config, G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add (names, g_strdup (entry));
  }
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++) {
    g_autoptr(CoveContainer) c = cove_container_new (names->pdata[i], cli->path, NULL);
    printf ("%-24s %s\n", (char *) names->pdata[i], c ? cove_state_to_string (cove_container_state (c)) : "?");
  }
  return 0;
}
