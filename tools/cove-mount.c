/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cove mount | umount: cove_container_mount_full() / cove_container_umount() */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include "cove-cli.h"
#include "core/mount-options.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* the flag words beyond those lxc.mount.entry shares (core/mount-options.h) */
static const struct {
  const char *name;
  unsigned long flag;
  gboolean clear;
} extra_words[] = {
  { "nosymfollow", MS_NOSYMFOLLOW, FALSE }, { "symfollow", MS_NOSYMFOLLOW, TRUE },
};

static gboolean
apply_flag_word (const char *word, unsigned long *flags)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cove_mount_flag_options); i++) {
    if (g_str_equal (word, cove_mount_flag_options[i].name)) {
      if (cove_mount_flag_options[i].clear)
        *flags &= ~cove_mount_flag_options[i].flag;
      else
        *flags |= cove_mount_flag_options[i].flag;
      return TRUE;
    }
  }
  for (gsize i = 0; i < G_N_ELEMENTS (extra_words); i++) {
    if (g_str_equal (word, extra_words[i].name)) {
      if (extra_words[i].clear)
        *flags &= ~extra_words[i].flag;
      else
        *flags |= extra_words[i].flag;
      return TRUE;
    }
  }
  for (gsize i = 0; i < G_N_ELEMENTS (cove_mount_propagation_options); i++) {
    if (g_str_equal (word, cove_mount_propagation_options[i].name)) {
      *flags |= cove_mount_propagation_options[i].flags;
      return TRUE;
    }
  }
  return FALSE;
}

/* Splits -o like mount(8): flag words into @flags, the rest (comma-joined) into @data. */
static gboolean
parse_options (const char *options, unsigned long *flags, char **data)
{
  g_auto(GStrv) words = g_strsplit (options ? options : "", ",", -1);
  g_autoptr(GString) rest = g_string_new (NULL);

  for (char **w = words; *w; w++) {
    if (**w == '\0')
      continue;
    if (g_str_equal (*w, "remount") || g_str_equal (*w, "move")) {
      cove_cli_fail ("mount: option \"%s\" is not supported: cove mount only adds mounts", *w);
      return FALSE;
    }
    if (!apply_flag_word (*w, flags)) {
      if (rest->len > 0)
        g_string_append_c (rest, ',');
      g_string_append (rest, *w);
    }
  }
  *data = rest->len > 0 ? g_string_free (g_steal_pointer (&rest), FALSE) : NULL;
  return TRUE;
}

static CoveContainer *
open_container (CoveCli *cli, const char *name)
{
  g_autoptr(GError) error = NULL;
  CoveContainer *c = cove_container_new (name, cli->path, &error);

  if (c == NULL)
    cove_cli_fail_error (NULL, error);
  return c;
}

static const CoveCliCommand mount_command = {
  "mount", "NAME SOURCE TARGET [-t FSTYPE] [-o OPTIONS] [--create]", "Mount into a running container"
};

int
cove_cmd_mount (CoveCli *cli, int argc, char **argv)
{
  g_autofree char *fstype = NULL;
  g_autofree char *options = NULL;
  g_autofree char *data = NULL;
  g_autofree char *source = NULL;
  gboolean create = FALSE;
  unsigned long flags = 0;
  GOptionEntry entries[] = {
    { "types", 't', 0, G_OPTION_ARG_STRING, &fstype, "Mount a new filesystem of this type", "FSTYPE" },
    { "options", 'o', 0, G_OPTION_ARG_STRING, &options, "Options as for mount(8): flags (ro, nosuid, bind, rbind …), the rest is filesystem data", "OPTIONS" },
    { "create", 0, 0, G_OPTION_ARG_NONE, &create, "Create a missing TARGET in the container (removed again by cove umount)", NULL },
    { NULL }
  };
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;

  if (!cove_cli_parse (&mount_command, entries,
                       "Mounts into the running container NAME: without -t, binds the host path\n"
                       "SOURCE (a directory or a file; -o rbind for its submounts too); with -t, a\n"
                       "new filesystem (SOURCE is its source, e.g. none for tmpfs). TARGET is a\n"
                       "path inside the container, resolved inside its root.",
                       &argc, &argv))
    return 1;
  if (argc != 4)
    return cove_cli_fail ("mount: expected NAME SOURCE TARGET (see cove mount --help)");
  if (!parse_options (options, &flags, &data))
    return 1;
  if (fstype == NULL || *fstype == '\0')
    flags |= MS_BIND;
  /* the monitor resolves a bind source in its own (the host's) view: make it absolute here */
  source = (flags & MS_BIND) ? g_canonicalize_filename (argv[2], NULL) : g_strdup (argv[2]);
  c = open_container (cli, argv[1]);
  if (c == NULL)
    return 1;
  if (!cove_container_mount_full (c, source, argv[3], (flags & MS_BIND) ? NULL : fstype, flags, data,
                                  create ? COVE_MOUNT_CREATE : COVE_MOUNT_FLAGS_NONE, &error))
    return cove_cli_fail_error (argv[1], error);
  return 0;
}

static const CoveCliCommand umount_command = {
  "umount", "NAME TARGET [--lazy]", "Unmount a path inside a running container"
};

int
cove_cmd_umount (CoveCli *cli, int argc, char **argv)
{
  gboolean lazy = FALSE;
  GOptionEntry entries[] = {
    { "lazy", 'l', 0, G_OPTION_ARG_NONE, &lazy, "Detach now, clean up when no longer busy (MNT_DETACH)", NULL },
    { NULL }
  };
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;

  if (!cove_cli_parse (&umount_command, entries,
                       "Unmounts TARGET, a path inside the running container NAME. A target that\n"
                       "cove mount --create made is removed again once nothing is mounted on it.",
                       &argc, &argv))
    return 1;
  if (argc != 3)
    return cove_cli_fail ("umount: expected NAME TARGET (see cove umount --help)");
  c = open_container (cli, argv[1]);
  if (c == NULL)
    return 1;
  if (!cove_container_umount (c, argv[2], lazy ? MNT_DETACH : 0, &error))
    return cove_cli_fail_error (argv[1], error);
  return 0;
}
