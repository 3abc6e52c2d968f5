/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cove config check FILE…: load and validate container config files. */
#include <stdio.h>
#include <string.h>
#include "cove-cli.h"

static const CoveCliCommand config_command = { "config", "check FILE…", "Check container config files" };

static gboolean
has_location (const char *message)
{
  const char *colon = strchr (message, ':');
  if (colon == NULL || !g_ascii_isdigit (colon[1]))
    return FALSE;
  for (colon++; g_ascii_isdigit (*colon); colon++)
    ;
  return *colon == ':';
}

static gboolean
check_file (const char *file)
{
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;

  c = cove_container_new ("config-check", NULL, &error);
  if (c == NULL || !cove_container_load_config (c, file, &error)) {
    if (has_location (error->message))
      fprintf (stderr, "%s\n", error->message);
    else
      fprintf (stderr, "%s: %s\n", file, error->message);
    return FALSE;
  }
  printf ("%s: OK\n", file);
  return TRUE;
}

int
cove_cmd_config (CoveCli *cli, int argc, char **argv)
{
  gboolean ok = TRUE;

  if (!cove_cli_parse (&config_command, NULL,
                       "check FILE…  parses each file as a container config (with its includes),\n"
                       "             checks every key and value against the keys of the core and the\n"
                       "             active plugins, and prints FILE:LINE: message for the first\n"
                       "             error of each file. Exit status 1 if any file has an error.",
                       &argc, &argv))
    return 1;
  if (argc < 2 || strcmp (argv[1], "check") != 0)
    return cove_cli_fail ("config: expected \"check FILE…\" (see cove config --help)");
  if (argc < 3)
    return cove_cli_fail ("config check: expected at least one FILE");
  for (int i = 2; i < argc; i++)
    ok &= check_file (argv[i]);
  return ok ? 0 : 1;
}
