/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Child-side setup of a container's init (runs in the cloned process, in its new
 * mount, pid, uts, ipc, net and cgroup namespaces, as pid 1 of the new pid namespace),
 * and the lxc.hook.* scripts. Every failure names the key and value it comes from.
 */
#pragma once

#include "cove-private.h"

typedef struct {
  CoveConfig *config;
  const char *name;          /* container name */
  const char *config_file;   /* for LXC_CONFIG_FILE, may be NULL */
  const char *rootfs;        /* host path of the rootfs (lxc.rootfs.path without "dir:") */
} CoveChildSetup;

/* Mounts: make / a slave, bind the rootfs, lxc.mount.auto, lxc.mount.entry,
 * lxc.mount.fstab, lxc.autodev, lxc.uts.name; ends with pivot_root into the rootfs. */
gboolean cove_child_setup_rootfs (const CoveChildSetup *setup, GError **error);

/* After pivot: lxc.cap.drop / lxc.cap.keep, lxc.init.gid / lxc.init.uid, lxc.no_new_privs. */
gboolean cove_child_apply_security (const CoveChildSetup *setup, GError **error);

/* Builds the init's argv (argv given, else lxc.init.cmd, else /sbin/init), its environment
 * (lxc.environment) and chdir()s to lxc.init.cwd. Returns FALSE with @error on failure. */
gboolean cove_child_prepare_exec (const CoveChildSetup *setup, const char * const *argv,
                                  char ***out_argv, char ***out_envp, GError **error);

/* lxc.signal.halt / reboot / stop with their defaults (SIGPWR, SIGINT, SIGKILL). */
int cove_config_signal (CoveConfig *config, const char *path);

typedef enum {
  COVE_SCRIPT_PRE_START,   /* host, before the namespaces exist */
  COVE_SCRIPT_START,       /* container, just before exec */
  COVE_SCRIPT_POST_STOP,   /* host, after the container is gone */
} CoveScriptHook;

/* Runs every lxc.hook.<type> script with LXC's environment (LXC_NAME, LXC_CONFIG_FILE,
 * LXC_ROOTFS_MOUNT, LXC_ROOTFS_PATH, LXC_HOOK_TYPE, LXC_HOOK_SECTION=lxc, LXC_TARGET for
 * post-stop = "stop" or "reboot"). A non-zero exit fails with the script and status. */
gboolean cove_run_hook_scripts (const CoveChildSetup *setup, CoveScriptHook hook,
                                const char *target, GError **error);

/* The key table of these features (registered by the core with the lifecycle). */
extern const CoveKeySpec cove_lifecycle_keys[];
extern const gsize cove_lifecycle_keys_count;
