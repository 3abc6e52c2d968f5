/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the init gives up before it execs, in this order: lxc.arch (personality), then
 * lxc.cap.drop / lxc.cap.keep, then lxc.init.gid / lxc.init.uid (supplementary groups are
 * always cleared), then lxc.no_new_privs.
 *
 * Capabilities leave the bounding set, which limits what any later exec can gain, and
 * the inheritable and ambient sets too (a capability left inheritable would survive an
 * exec as root despite the bounding set). The effective set is left alone: the start
 * hooks and the rest of the setup still need it, and the exec recomputes it.
 * lxc.cap.drop and lxc.cap.keep together are an error (as in LXC).
 *
 * Groups and ids change with the raw system calls, not glibc's wrappers: the init is a
 * raw clone3() child, and glibc's setgroups/setresuid/setresgid wrappers signal every
 * thread glibc believes the process has and wait for them; should the monitor ever have
 * another thread, they would hang. The init has one thread, so the per-thread system call
 * is exactly right.
 */
#define COVE_LOG_CATEGORY "child"
#include "child-internal.h"

#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/* The highest capability this kernel knows. */
static int
last_cap (void)
{
  int cap = 0;

  while (cap < COVE_CAP_MAX && prctl (PR_CAPBSET_READ, (unsigned long) cap + 1, 0, 0, 0) >= 0)
    cap++;
  return cap;
}

static guint64
cap_bit (int cap)
{
  return G_GUINT64_CONSTANT (1) << cap;
}

/* The capabilities to take from the bounding set, as a mask of the caps 0..@last. */
static gboolean
caps_to_drop (CoveConfig *config, int last, guint64 *drop, const char **key, GError **error)
{
  const guint64 all = last >= 63 ? G_MAXUINT64 : cap_bit (last + 1) - 1;
  gboolean has_drop = cove_config_is_set (config, -1, "cap.drop");
  gboolean has_keep = cove_config_is_set (config, -1, "cap.keep");
  const char * const *values;
  guint64 mask = 0;

  *drop = 0;
  *key = NULL;
  if (has_drop && has_keep) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "lxc.cap.drop (%s) and lxc.cap.keep (%s) cannot be used together: "
                 "either drop some capabilities or keep some",
                 cove_config_get_origin (config, -1, "cap.drop"),
                 cove_config_get_origin (config, -1, "cap.keep"));
    return FALSE;
  }
  if (!has_drop && !has_keep)
    return TRUE;

  *key = has_drop ? "cap.drop" : "cap.keep";
  values = cove_config_get_list (config, -1, *key);
  for (const char * const *v = values; *v; v++) {
    g_auto(GStrv) words = g_strsplit_set (*v, " \t", -1);
    for (char **w = words; *w; w++) {
      int cap;

      if (**w == '\0')
        continue;
      if (!cove_cap_parse (*w, &cap, error)) {
        g_prefix_error (error, "lxc.%s = \"%s\": ", *key, *v);
        return FALSE;
      }
      if (cap == COVE_CAP_NONE)
        mask = 0;
      else if (cap > last)
        cove_info ("lxc.%s: capability %d is unknown to this kernel (last is %d); ignored",
                   *key, cap, last);
      else
        mask |= cap_bit (cap);
    }
  }
  *drop = has_drop ? mask : all & ~mask;
  return TRUE;
}

gboolean
cove_child_config_keeps_cap (CoveConfig *config, int cap)
{
  guint64 drop;
  const char *key;

  if (cap < 0 || cap > COVE_CAP_MAX || !caps_to_drop (config, COVE_CAP_MAX, &drop, &key, NULL))
    return FALSE;
  return (drop & cap_bit (cap)) == 0;
}

static gboolean
drop_caps (CoveConfig *config, GError **error)
{
  int last = last_cap ();
  guint64 drop;
  const char *key;
  cap_value_t list[COVE_CAP_MAX + 1];
  int n = 0;
  cap_t caps;

  if (!caps_to_drop (config, last, &drop, &key, error))
    return FALSE;
  if (drop == 0)
    return TRUE;

  for (int cap = 0; cap <= last; cap++) {
    if (!(drop & cap_bit (cap)))
      continue;
    if (prctl (PR_CAPBSET_DROP, (unsigned long) cap, 0, 0, 0) < 0) {
      g_autofree char *joined = g_strjoinv (" ", (char **) cove_config_get_list (config, -1, key));
      char *name = cap_to_name (cap);
      cove_throw_errno (error, "drop %s from the bounding set", name);
      cap_free (name);
      g_prefix_error (error, "lxc.%s = \"%s\": ", key, joined);
      return FALSE;
    }
    /* EINVAL: no ambient capabilities on this kernel; nothing to lower */
    (void) prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, (unsigned long) cap, 0, 0);
    list[n++] = cap;
  }

  caps = cap_get_proc ();
  if (caps == NULL || cap_set_flag (caps, CAP_INHERITABLE, n, list, CAP_CLEAR) < 0 ||
      cap_set_proc (caps) < 0) {
    g_autofree char *joined = g_strjoinv (" ", (char **) cove_config_get_list (config, -1, key));
    cove_throw_errno (error, "clear the inheritable capabilities");
    g_prefix_error (error, "lxc.%s = \"%s\": ", key, joined);
    cap_free (caps);
    return FALSE;
  }
  cap_free (caps);
  return TRUE;
}

gboolean
cove_child_apply_security (const CoveChildSetup *setup, GError **error)
{
  CoveConfig *config = setup->config;
  const char *uid_text = cove_config_get_string (config, -1, "init.uid");
  const char *gid_text = cove_config_get_string (config, -1, "init.gid");

  g_return_val_if_fail (config != NULL, FALSE);

  if (cove_config_is_set (config, -1, "arch")) {
    const char *arch = cove_config_get_string (config, -1, "arch");
    unsigned long persona;

    if (!cove_arch_parse (arch, &persona)) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "lxc.arch = \"%s\": unknown architecture", arch);
      return FALSE;
    }
    if (personality (persona) < 0) {
      cove_throw_errno (error, "personality");
      cove_child_prefix_error (error, "lxc.arch", arch);
      return FALSE;
    }
  }

  if (!drop_caps (config, error))
    return FALSE;

  if (syscall (SYS_setgroups, 0, NULL) < 0) {
    cove_throw_errno (error, "clear the supplementary groups");
    cove_child_prefix_error (error, "lxc.init.gid", gid_text);
    return FALSE;
  }
  if (cove_config_is_set (config, -1, "init.gid")) {
    gid_t gid = (gid_t) cove_config_get_uint (config, -1, "init.gid");
    if (syscall (SYS_setresgid, gid, gid, gid) < 0) {
      cove_throw_errno (error, "setresgid");
      cove_child_prefix_error (error, "lxc.init.gid", gid_text);
      return FALSE;
    }
  }
  if (cove_config_is_set (config, -1, "init.uid")) {
    uid_t uid = (uid_t) cove_config_get_uint (config, -1, "init.uid");
    if (syscall (SYS_setresuid, uid, uid, uid) < 0) {
      cove_throw_errno (error, "setresuid");
      cove_child_prefix_error (error, "lxc.init.uid", uid_text);
      return FALSE;
    }
  }

  if (cove_config_get_bool (config, -1, "no_new_privs") &&
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
    cove_throw_errno (error, "prctl(PR_SET_NO_NEW_PRIVS)");
    cove_child_prefix_error (error, "lxc.no_new_privs", "1");
    return FALSE;
  }
  return TRUE;
}
