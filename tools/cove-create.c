/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cove create NAME -t busybox | cove destroy NAME */
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cove-cli.h"
#include "cove-build-config.h"

static const char *const busybox_dirs[] = {
  "bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "etc/init.d", "root",
  "run", "var/log", "mnt", "home",
};

static const char inittab[] =
  "# busybox init: SIGUSR1 halts, SIGUSR2 powers off, SIGTERM reboots\n"
  "::sysinit:/etc/init.d/rcS\n"
  "::shutdown:/bin/true\n";

static const char rcs[] =
  "#!/bin/sh\n"
  "# Runs once at boot; it must not block, or init never handles halt/reboot signals.\n"
  "exit 0\n";

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n";
static const char group[] = "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n";

static const char *
data_dir (void)
{
  const char *env = g_getenv ("COVE_DATADIR");
  return env && g_path_is_absolute (env) ? env : COVE_DATADIR;
}

static gboolean
write_file (const char *root, const char *rel, const char *contents, int mode, GError **error)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);

  if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode, error))
    return FALSE;
  return TRUE;
}

static gboolean
install_busybox (const char *rootfs, GError **error)
{
  g_autofree char *target = g_build_filename (rootfs, "bin", "busybox", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *list = NULL;
  g_auto(GStrv) applets = NULL;
  const char *busybox = "/bin/busybox";
  const char *argv[] = { busybox, "--list-full", NULL };
  gsize len;
  int wait_status;

  if (!g_file_get_contents (busybox, &contents, &len, error)) {
    g_prefix_error (error, "the busybox template needs a static busybox (apt-get install busybox-static): ");
    return FALSE;
  }
  if (!g_file_set_contents_full (target, contents, len, G_FILE_SET_CONTENTS_CONSISTENT, 0755, error))
    return FALSE;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &list, NULL,
                     &wait_status, error) ||
      !g_spawn_check_wait_status (wait_status, error))
    return FALSE;
  applets = g_strsplit (list, "\n", -1);
  for (char **a = applets; *a; a++) {
    g_autofree char *link = NULL;
    g_autofree char *dir = NULL;

    if (**a == '\0' || strstr (*a, "..") || g_path_is_absolute (*a) || g_str_equal (*a, "bin/busybox"))
      continue;
    link = g_build_filename (rootfs, *a, NULL);
    dir = g_path_get_dirname (link);
    g_mkdir_with_parents (dir, 0755);
    if (symlink ("/bin/busybox", link) < 0 && errno != EEXIST) {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "symlink %s: %s", link,
                   g_strerror (errno));
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
create_busybox (const char *dir, const char *name, GError **error)
{
  g_autofree char *rootfs = g_build_filename (dir, "rootfs", NULL);
  g_autofree char *common = g_build_filename (data_dir (), "config", "busybox.common.conf", NULL);
  g_autofree char *profile = g_build_filename (data_dir (), "seccomp", "common.seccomp", NULL);
  g_autofree char *seccomp_line = NULL;
  g_autofree char *config = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (busybox_dirs); i++) {
    g_autofree char *d = g_build_filename (rootfs, busybox_dirs[i], NULL);
    if (g_mkdir_with_parents (d, 0755) < 0) {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "create %s: %s", d,
                   g_strerror (errno));
      return FALSE;
    }
  }
  if (!install_busybox (rootfs, error) ||
      !write_file (rootfs, "etc/inittab", inittab, 0644, error) ||
      !write_file (rootfs, "etc/init.d/rcS", rcs, 0755, error) ||
      !write_file (rootfs, "etc/passwd", passwd, 0644, error) ||
      !write_file (rootfs, "etc/group", group, 0644, error) ||
      !write_file (rootfs, "etc/hostname", name, 0644, error))
    return FALSE;
  /* LXC's default policy, as LXC's templates set it, where this installation can load it */
  if (cove_has_api_extension ("seccomp_allow_nesting") && g_file_test (profile, G_FILE_TEST_IS_REGULAR))
    seccomp_line = g_strdup_printf ("lxc.seccomp.profile = %s\n", profile);
  else
    seccomp_line = g_strdup ("");
  if (!g_file_test (common, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                 "%s is missing (set COVE_DATADIR for an uninstalled build)", common);
    return FALSE;
  }
  config = g_strdup_printf ("# Created by cove create -t busybox\n"
                            "lxc.include = %s\n"
                            "lxc.uts.name = %s\n"
                            "lxc.rootfs.path = dir:%s\n"
                            "%s",
                            common, name, rootfs, seccomp_line);
  return write_file (dir, "config", config, 0644, error);
}

static int
remove_entry (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
  return (type == FTW_DP ? rmdir (path) : unlink (path)) < 0 ? -1 : 0;
}

static gboolean
remove_tree (const char *dir, GError **error)
{
  /* FTW_PHYS: never follow symlinks; FTW_MOUNT: never cross into a mount */
  if (nftw (dir, remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "remove %s: %s", dir,
                 g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

static const CoveCliCommand create_command = { "create", "NAME -t TEMPLATE", "Create a container from a template" };

int
cove_cmd_create (CoveCli *cli, int argc, char **argv)
{
  g_autofree char *template_name = NULL;
  GOptionEntry entries[] = {
    { "template", 't', 0, G_OPTION_ARG_STRING, &template_name, "Template (only: busybox)", "TEMPLATE" },
    { NULL }
  };
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  if (!cove_cli_parse (&create_command, entries,
                       "busybox: a rootfs from the host's static busybox (package busybox-static)\n"
                       "with an init that halts on SIGUSR1 and reboots on SIGTERM, and a config\n"
                       "that includes the defaults in DATADIR/config/busybox.common.conf, and,\n"
                       "when the seccomp-notify plugin is active, the seccomp profile\n"
                       "DATADIR/seccomp/common.seccomp (LXC's default policy).",
                       &argc, &argv))
    return 1;
  if (argc != 2)
    return cove_cli_fail ("create: expected NAME (see cove create --help)");
  if (template_name == NULL || !g_str_equal (template_name, "busybox"))
    return cove_cli_fail ("create: unknown template \"%s\" (available: busybox)",
                          template_name ? template_name : "");
  c = cove_container_new (argv[1], cli->path, &error);
  if (c == NULL)
    return cove_cli_fail_error (NULL, error);
  dir = g_build_filename (cli->path, argv[1], NULL);
  if (g_file_test (dir, G_FILE_TEST_EXISTS))
    return cove_cli_fail ("create: %s already exists", dir);
  if (g_mkdir_with_parents (dir, 0755) < 0)
    return cove_cli_fail ("create: %s: %s", dir, g_strerror (errno));
  if (!create_busybox (dir, argv[1], &error)) {
    g_autoptr(GError) ignored = NULL;
    remove_tree (dir, &ignored);   /* nothing half-created stays behind */
    return cove_cli_fail_error ("create", error);
  }
  if (!cove_container_load_config (c, NULL, &error)) {
    g_autoptr(GError) ignored = NULL;
    remove_tree (dir, &ignored);
    return cove_cli_fail_error ("create: the new config does not load", error);
  }
  printf ("Created container %s in %s\n", argv[1], dir);
  return 0;
}

static const CoveCliCommand destroy_command = { "destroy", "NAME", "Remove a stopped container" };

int
cove_cmd_destroy (CoveCli *cli, int argc, char **argv)
{
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  if (!cove_cli_parse (&destroy_command, NULL, "Deletes PATH/NAME with its rootfs; refuses a running container.",
                       &argc, &argv))
    return 1;
  if (argc != 2)
    return cove_cli_fail ("destroy: expected NAME (see cove destroy --help)");
  c = cove_container_new (argv[1], cli->path, &error);
  if (c == NULL)
    return cove_cli_fail_error (NULL, error);
  if (cove_container_state (c) != COVE_STATE_STOPPED)
    return cove_cli_fail ("destroy: container \"%s\" is running; stop it first", argv[1]);
  dir = g_build_filename (cli->path, argv[1], NULL);
  if (!g_file_test (cove_container_get_config_file (c), G_FILE_TEST_IS_REGULAR))
    return cove_cli_fail ("destroy: %s is not a container (no config file)", dir);
  if (!remove_tree (dir, &error))
    return cove_cli_fail_error ("destroy", error);
  return 0;
}
