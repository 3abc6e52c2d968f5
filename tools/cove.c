/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cove: the command-line tool, a thin client of the public API. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cove-cli.h"
#include "cove-build-config.h"

static const CoveCliCommand commands[] = {
  { "create", "NAME -t busybox", "Create a container from a template", cove_cmd_create },
  { "destroy", "NAME", "Remove a stopped container", cove_cmd_destroy },
  { "list", "", "List containers and their states", cove_cmd_list },
  { "start", "NAME [-f FILE] [-F] [-- CMD...]", "Start a container", cove_cmd_start },
  { "stop", "NAME [-k] [-t T]", "Halt (or with -k kill) a container", cove_cmd_stop },
  { "reboot", "NAME [-t T]", "Reboot a container, wait until it runs again", cove_cmd_reboot },
  { "wait", "NAME STATE [-t T]", "Wait for a state (RUNNING|STOPPED …)", cove_cmd_wait },
  { "info", "NAME", "Show state and init PID", cove_cmd_info },
  { "execute", "[NAME] [-f FILE] -- CMD...", "Run CMD as a container to completion", cove_cmd_execute },
  { "attach", "NAME -- CMD...", "Run CMD inside a running container", cove_cmd_attach },
  { "mount", "NAME SOURCE TARGET [OPTS]", "Mount into a running container", cove_cmd_mount },
  { "umount", "NAME TARGET [--lazy]", "Unmount inside a running container", cove_cmd_umount },
  { "console", "NAME [-e CHAR]", "Attach to a container's console (Ctrl+a q detaches)", cove_cmd_console },
  { "console-log", "NAME [--clear] [--max B]", "Print (and consume) the console ring buffer", cove_cmd_console_log },
  { "extensions", "", "List the API extensions this installation provides", cove_cmd_extensions },
  { "keys", "[PREFIX]", "List the configuration keys this installation accepts", cove_cmd_keys },
  { "plugins", "[--json]", "List plugins with their state, reason, file, extensions and keys", cove_cmd_plugins },
  { "config", "check FILE...", "Check container config files", cove_cmd_config },
};

int
cove_cli_fail (const char *format, ...)
{
  va_list args;

  fputs ("cove: ", stderr);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  return 1;
}

int
cove_cli_fail_error (const char *what, GError *error)
{
  if (what != NULL)
    return cove_cli_fail ("%s: %s", what, error->message);
  return cove_cli_fail ("%s", error->message);
}

gboolean
cove_cli_parse (const CoveCliCommand *command, GOptionEntry *entries, const char *description,
                int *argc, char ***argv)
{
  g_autofree char *param = g_strdup_printf ("%s %s", command->name, command->args);
  g_autoptr(GOptionContext) context = g_option_context_new (param);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, command->summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_strict_posix (context, FALSE);
  if (!g_option_context_parse (context, argc, argv, &error)) {
    cove_cli_fail ("%s: %s (see cove %s --help)", command->name, error->message, command->name);
    return FALSE;
  }
  return TRUE;
}

static void
usage (FILE *out)
{
  fprintf (out,
           "Usage: cove [-P PATH] COMMAND [OPTIONS…]\n"
           "\n"
           "Cove runs system containers from LXC-format config files.\n"
           "\n"
           "Options:\n"
           "  -P, --path PATH   container path (default: $COVE_PATH or %s)\n"
           "  -h, --help        show this help\n"
           "  --version         show the version\n"
           "\n"
           "Commands:\n", COVE_DEFAULT_PATH);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %-28s %s\n", commands[i].name, commands[i].args, commands[i].summary);
  fprintf (out,
           "\n"
           "Run `cove COMMAND --help` for a command's options.\n"
           "Environment: COVE_PLUGIN_PATH (extra plugin directories, colon-separated),\n"
           "COVE_PLUGINS_DISABLE (plugin names not to load, comma-separated).\n");
}

int
main (int argc, char **argv)
{
  CoveCli cli = { 0 };
  int i = 1;

  setlocale (LC_ALL, "");
  g_set_prgname ("cove");
  cli.path = g_getenv ("COVE_PATH");
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp (argv[i], "--version") == 0) {
      printf ("cove %s\n", COVE_VERSION_STRING);
      return 0;
    } else if (strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "--help") == 0) {
      usage (stdout);
      return 0;
    } else if ((strcmp (argv[i], "-P") == 0 || strcmp (argv[i], "--path") == 0) && i + 1 < argc) {
      cli.path = argv[++i];
    } else if (g_str_has_prefix (argv[i], "--path=")) {
      cli.path = argv[i] + strlen ("--path=");
    } else {
      usage (stderr);
      return cove_cli_fail ("unknown option %s", argv[i]);
    }
  }
  if (i >= argc) {
    usage (stderr);
    return 1;
  }
  if (cli.path == NULL)
    cli.path = COVE_DEFAULT_PATH;
  if (!g_path_is_absolute (cli.path))
    return cove_cli_fail ("container path \"%s\" must be absolute", cli.path);

  for (gsize c = 0; c < G_N_ELEMENTS (commands); c++) {
    if (strcmp (argv[i], commands[c].name) == 0)
      return commands[c].func (&cli, argc - i, argv + i);
  }
  usage (stderr);
  return cove_cli_fail ("unknown command \"%s\"", argv[i]);
}
