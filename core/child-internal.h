/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsers shared by the lifecycle key table (keys-lifecycle.c, which validates values when
 * they are set) and the child-side code that applies them (child-*.c). Never installed.
 */
#pragma once

#include "child.h"

/* ---- lxc.mount.auto ---------------------------------------------------------------- */

typedef enum {
  COVE_AUTO_PROC_NONE,
  COVE_AUTO_PROC_MIXED,   /* proc rw; /proc/sys and /proc/sysrq-trigger read-only */
  COVE_AUTO_PROC_RW,
} CoveAutoProc;

typedef enum {
  COVE_AUTO_SYS_NONE,
  COVE_AUTO_SYS_RO,
  COVE_AUTO_SYS_MIXED,    /* sysfs read-only except /sys/devices/virtual/net */
  COVE_AUTO_SYS_RW,
} CoveAutoSys;

typedef struct {
  CoveAutoProc proc;
  CoveAutoSys sys;
} CoveMountAuto;

/* Applies one word ("proc", "proc:mixed", "sys:ro" …) to @mount_auto; the last word of a
 * group wins, as in LXC. Returns the canonical spelling of the word, or NULL with @error. */
const char *cove_mount_auto_apply_word (CoveMountAuto *mount_auto, const char *word, GError **error);

/* ---- lxc.mount.entry / lxc.mount.fstab lines ---------------------------------------- */

typedef enum {
  COVE_MOUNT_CREATE_NONE,
  COVE_MOUNT_CREATE_DIR,
  COVE_MOUNT_CREATE_FILE,
} CoveMountCreate;

typedef struct {
  char *source;
  char *target;
  char *fstype;
  unsigned long flags;        /* MS_* for a new filesystem; MS_BIND (| MS_REC) for binds */
  unsigned long clear_flags;  /* MS_* explicitly turned off (rw, suid, dev, exec …) */
  unsigned long propagation;  /* MS_SHARED / MS_SLAVE / MS_PRIVATE / MS_UNBINDABLE (| MS_REC) or 0 */
  char *data;                 /* the options the filesystem gets, or NULL */
  CoveMountCreate create;
  gboolean optional;
} CoveMountEntry;

/* Parses one fstab line (source target fstype [options [dump [pass]]], octal escapes such
 * as \040 decoded). FALSE with @error for a malformed line. */
gboolean cove_mount_entry_parse (const char *line, CoveMountEntry *entry, GError **error);
void cove_mount_entry_clear (CoveMountEntry *entry);
/* Blank or a '#' comment: a line lxc.mount.fstab skips. */
gboolean cove_fstab_line_is_blank (const char *line);

/* ---- lxc.cap.drop / lxc.cap.keep --------------------------------------------------- */

#define COVE_CAP_NONE (-1)   /* "none" in lxc.cap.keep */
#define COVE_CAP_MAX 63

/* "sys_admin", "SYS_ADMIN", "cap_sys_admin", "21"; "none" yields COVE_CAP_NONE. */
gboolean cove_cap_parse (const char *word, int *cap, GError **error);

/* Whether the container keeps @cap in its bounding set under lxc.cap.drop / lxc.cap.keep. */
gboolean cove_child_config_keeps_cap (CoveConfig *config, int cap);

/* ---- lxc.arch, lxc.signal.* -------------------------------------------------------- */

/* LXC's architecture names; FALSE if @name is not one of them. */
gboolean cove_arch_parse (const char *name, unsigned long *persona);

/* Spec §0.4: decimal, SIG<name> (case-insensitive, SIG required), SIGRTMIN+n, SIGRTMAX-n. */
gboolean cove_signal_parse (const char *text, int *signo, GError **error);

/* ---- errors ------------------------------------------------------------------------ */

/* Prefixes @error with `<key> = "<value>": `, the form of every child-side error. */
void cove_child_prefix_error (GError **error, const char *key, const char *value);
