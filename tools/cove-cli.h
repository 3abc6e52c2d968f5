/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cove.h>

typedef struct {
  const char *path;      /* -P PATH, COVE_PATH, or the default */
} CoveCli;

typedef int (*CoveCliCommandFunc) (CoveCli *cli, int argc, char **argv);

typedef struct {
  const char *name;
  const char *args;      /* for the usage line */
  const char *summary;
  CoveCliCommandFunc func;
} CoveCliCommand;

/* Parses a subcommand's options; handles --help. Returns FALSE (and has printed why) on error. */
gboolean cove_cli_parse (const CoveCliCommand *command, GOptionEntry *entries, const char *description,
                         int *argc, char ***argv);
int cove_cli_fail (const char *format, ...) G_GNUC_PRINTF (1, 2);
int cove_cli_fail_error (const char *what, GError *error);

/* The commands, one area per file. */
int cove_cmd_extensions (CoveCli *cli, int argc, char **argv);
int cove_cmd_keys (CoveCli *cli, int argc, char **argv);
int cove_cmd_plugins (CoveCli *cli, int argc, char **argv);
int cove_cmd_config (CoveCli *cli, int argc, char **argv);
int cove_cmd_create (CoveCli *cli, int argc, char **argv);
int cove_cmd_destroy (CoveCli *cli, int argc, char **argv);
int cove_cmd_list (CoveCli *cli, int argc, char **argv);
int cove_cmd_start (CoveCli *cli, int argc, char **argv);
int cove_cmd_stop (CoveCli *cli, int argc, char **argv);
int cove_cmd_reboot (CoveCli *cli, int argc, char **argv);
int cove_cmd_wait (CoveCli *cli, int argc, char **argv);
int cove_cmd_info (CoveCli *cli, int argc, char **argv);
int cove_cmd_execute (CoveCli *cli, int argc, char **argv);
int cove_cmd_attach (CoveCli *cli, int argc, char **argv);
int cove_cmd_mount (CoveCli *cli, int argc, char **argv);
int cove_cmd_umount (CoveCli *cli, int argc, char **argv);
int cove_cmd_console (CoveCli *cli, int argc, char **argv);
int cove_cmd_console_log (CoveCli *cli, int argc, char **argv);
