/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-notify: LXC's seccomp profile formats (version 1 and 2), parsed into a rule list
 * and compiled into a libseccomp filter. Plugin-internal; the format as Cove implements it
 * is described in PROFILES.md.
 */
#pragma once

#include <cove-plugin.h>
#include <seccomp.h>

/* Bounds on what a profile may be. */
#define SECCOMP_PROFILE_MAX_SIZE (1024 * 1024)   /* bytes, for seccomp_profile_load() */
#define SECCOMP_PROFILE_MAX_LINE 4096            /* bytes per line, without the newline */

typedef struct _SeccompProfile SeccompProfile;

/* Reads and parses @path (a regular file of at most SECCOMP_PROFILE_MAX_SIZE bytes).
 * Errors: G_IO_ERROR naming @path when it cannot be read; COVE_ERROR_INVALID_CONFIG
 * "<path>:<line>: <message>" when its content is not a valid profile. */
SeccompProfile *seccomp_profile_load (const char *path, GError **error);

/* Parses @text of @len bytes (not NUL-terminated); @origin names it in errors and in log
 * lines (the file's path). Syscall names this libseccomp does not know are skipped with an
 * INFO log line "<origin>:<line>: …"; errors are COVE_ERROR_INVALID_CONFIG
 * "<origin>:<line>: <message>". */
SeccompProfile *seccomp_profile_parse (const char *origin, const char *text, gsize len,
                                       GError **error);

void seccomp_profile_free (SeccompProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeccompProfile, seccomp_profile_free)

/* TRUE if a rule kept for this host's filter has the action "notify": the loaded filter
 * will then have a notification listener (seccomp_notify_fd()). */
gboolean seccomp_profile_wants_notify (const SeccompProfile *profile);

/* Builds a new libseccomp filter with the profile's default action, the host's native
 * architecture and its compat ones (x86_64: also x86 and x32), and the profile's rules.
 * @nnp is the value of SCMP_FLTATR_CTL_NNP (FALSE when the loader has CAP_SYS_ADMIN).
 * Errors: COVE_ERROR_INVALID_CONFIG "<origin>:<line>: …" naming the syscall when libseccomp
 * refuses a rule; COVE_ERROR_NOT_SUPPORTED for "notify" rules on a system without user
 * notification; COVE_ERROR_FAILED if libseccomp fails otherwise. Free the result with
 * seccomp_release(). */
scmp_filter_ctx seccomp_profile_compile (const SeccompProfile *profile, gboolean nnp,
                                         GError **error);

/* ---- between profile.c and profile-arch.c ------------------------------------------- */

#define SECCOMP_PROFILE_MAX_ARCHES 3   /* native + at most two compat arches */
#define SECCOMP_PROFILE_MAX_ARGS 6     /* syscall arguments, and matches per rule */

typedef struct {
  guint line;
  char *name;                       /* NULL: a version 1 rule (a bare number) */
  int nr;                           /* libseccomp's (native or pseudo) number */
  guint32 action;
  guint arches;                     /* bit i: SeccompProfile.arches[i] */
  guint n_args;
  struct scmp_arg_cmp args[SECCOMP_PROFILE_MAX_ARGS];
} SeccompProfileRule;

struct _SeccompProfile {
  char *origin;
  guint version;
  guint32 default_action;
  guint n_arches;
  guint32 arches[SECCOMP_PROFILE_MAX_ARCHES];   /* [0]: the native arch */
  GArray *rules;                                /* SeccompProfileRule */
  guint first_notify_line;                      /* 0: no notify rule */
};

/* The arches of this host's filter for a profile of @version (1: native only), native
 * first; returns how many. */
guint seccomp_profile_host_arches (guint version, guint32 arches[SECCOMP_PROFILE_MAX_ARCHES]);

/* TRUE if @name (@len bytes, any case) names an [arch] section other than [all];
 * *@token is its SCMP_ARCH_*, 0 when this libseccomp does not know the arch. */
gboolean seccomp_profile_arch_lookup (const char *name, gsize len, guint32 *token);
