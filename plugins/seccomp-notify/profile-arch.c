/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-notify: the architectures of a profile's filter, and compiling a parsed profile
 * into a libseccomp filter. Each arch gets a context of its own, so that the rules of an
 * [x86] section reach x86 only (LXC adds every rule to all the arches of the filter); the
 * contexts are then merged into one filter, which is what the init loads.
 */
#include "profile.h"

#include <errno.h>
#include <string.h>

#define MAX_ARCHES SECCOMP_PROFILE_MAX_ARCHES

typedef struct {
  const char *name;     /* as in an [arch] section header */
  guint32 token;        /* SCMP_ARCH_*; 0: unknown to this libseccomp */
  gboolean is_32bit;    /* syscall arguments are 32 bits wide */
} ArchInfo;

static const ArchInfo arch_table[] = {
  { "x86",         SCMP_ARCH_X86,         TRUE },
  { "x86_64",      SCMP_ARCH_X86_64,      FALSE },
  { "x32",         SCMP_ARCH_X32,         TRUE },
  { "arm",         SCMP_ARCH_ARM,         TRUE },
  { "arm64",       SCMP_ARCH_AARCH64,     FALSE },
  { "ppc",         SCMP_ARCH_PPC,         TRUE },
  { "ppc64",       SCMP_ARCH_PPC64,       FALSE },
  { "ppc64le",     SCMP_ARCH_PPC64LE,     FALSE },
  { "mips",        SCMP_ARCH_MIPS,        TRUE },
  { "mips64",      SCMP_ARCH_MIPS64,      FALSE },
  { "mips64n32",   SCMP_ARCH_MIPS64N32,   TRUE },
  { "mipsel",      SCMP_ARCH_MIPSEL,      TRUE },
  { "mipsel64",    SCMP_ARCH_MIPSEL64,    FALSE },
  { "mipsel64n32", SCMP_ARCH_MIPSEL64N32, TRUE },
  { "s390",        SCMP_ARCH_S390,        TRUE },
  { "s390x",       SCMP_ARCH_S390X,       FALSE },
#ifdef SCMP_ARCH_LOONGARCH64
  { "loongarch64", SCMP_ARCH_LOONGARCH64, FALSE },
#else
  { "loongarch64", 0,                     FALSE },   /* libseccomp >= 2.6 */
#endif
};

/* The compat arches a native one runs, as LXC adds them. */
static const struct {
  guint32 native;
  guint32 compat[MAX_ARCHES - 1];
} compat_table[] = {
  { SCMP_ARCH_X86_64,   { SCMP_ARCH_X86, SCMP_ARCH_X32 } },
  { SCMP_ARCH_AARCH64,  { SCMP_ARCH_ARM, 0 } },
  { SCMP_ARCH_PPC64,    { SCMP_ARCH_PPC, 0 } },
  { SCMP_ARCH_MIPS64,   { SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64N32 } },
  { SCMP_ARCH_MIPSEL64, { SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64N32 } },
};

static const ArchInfo *
arch_lookup_token (guint32 token)
{
  for (gsize i = 0; i < G_N_ELEMENTS (arch_table); i++)
    if (arch_table[i].token == token && token != 0)
      return &arch_table[i];
  return NULL;
}

static const char *
arch_name (guint32 token)
{
  const ArchInfo *info = arch_lookup_token (token);

  return info != NULL ? info->name : "native";
}

guint
seccomp_profile_host_arches (guint version, guint32 arches[SECCOMP_PROFILE_MAX_ARCHES])
{
  guint32 native = seccomp_arch_native ();
  guint n = 0;

  arches[n++] = native;
  if (version == 1)
    return n;   /* bare numbers mean native syscalls */
  for (gsize i = 0; i < G_N_ELEMENTS (compat_table); i++) {
    if (compat_table[i].native != native)
      continue;
    for (gsize c = 0; c < G_N_ELEMENTS (compat_table[i].compat); c++)
      if (compat_table[i].compat[c] != 0)
        arches[n++] = compat_table[i].compat[c];
  }
  return n;
}

gboolean
seccomp_profile_arch_lookup (const char *name, gsize len, guint32 *token)
{
  for (gsize i = 0; i < G_N_ELEMENTS (arch_table); i++)
    if (strlen (arch_table[i].name) == len &&
        g_ascii_strncasecmp (name, arch_table[i].name, len) == 0) {
      *token = arch_table[i].token;
      return TRUE;
    }
  return FALSE;
}

/* A context for @arch alone, with the profile's default action. */
static scmp_filter_ctx
new_arch_context (const SeccompProfile *profile, guint32 arch, gboolean nnp, GError **error)
{
  scmp_filter_ctx ctx = seccomp_init (profile->default_action);
  int rc;

  if (ctx == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED,
                 "%s: libseccomp: cannot create a filter (default action 0x%08x)",
                 profile->origin, profile->default_action);
    return NULL;
  }
  if (arch != seccomp_arch_native ()) {
    rc = seccomp_arch_add (ctx, arch);
    if (rc == 0)
      rc = seccomp_arch_remove (ctx, SCMP_ARCH_NATIVE);
    if (rc < 0) {
      seccomp_release (ctx);
      g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED,
                   "%s: libseccomp: cannot make a filter for %s: %s", profile->origin,
                   arch_name (arch), g_strerror (-rc));
      return NULL;
    }
  }
  rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, nnp ? 1 : 0);
  if (rc < 0) {
    seccomp_release (ctx);
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED,
                 "%s: libseccomp: cannot set no_new_privs to %d: %s", profile->origin,
                 nnp ? 1 : 0, g_strerror (-rc));
    return NULL;
  }
  return ctx;
}

/* Adds @rule to @ctx, the context of arch @arch; *@added says whether it was. */
static gboolean
compile_rule (const SeccompProfile *profile, const SeccompProfileRule *rule, scmp_filter_ctx ctx,
              guint32 arch, gboolean *added, GError **error)
{
  const ArchInfo *info = arch_lookup_token (arch);
  const char *what = rule->name;
  g_autofree char *number = NULL;
  int rc;

  *added = FALSE;
  if (what == NULL)
    what = number = g_strdup_printf ("%d", rule->nr);
  if (rule->action == profile->default_action) {
    /* libseccomp refuses it (EACCES); it changes nothing */
    g_debug ("%s:%u: \"%s\" has the default action; nothing to add", profile->origin,
             rule->line, what);
    return TRUE;
  }
  for (guint i = 0; info != NULL && info->is_32bit && i < rule->n_args; i++) {
    if (rule->args[i].datum_a > G_MAXUINT32 || rule->args[i].datum_b > G_MAXUINT32) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "%s:%u: \"%s\": argument %u: value or mask wider than 32 bits, but "
                   "arguments on %s are 32 bits (put the rule in a section for a 64-bit arch)",
                   profile->origin, rule->line, what, rule->args[i].arg, info->name);
      return FALSE;
    }
  }

  if (rule->action == SCMP_ACT_NOTIFY && seccomp_api_get () < 5) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED,
                 "%s:%u: \"%s\": \"notify\" needs seccomp user notification (Linux 5.0 and "
                 "libseccomp API level 5; this system has level %u)", profile->origin,
                 rule->line, what, seccomp_api_get ());
    return FALSE;
  }
  rc = seccomp_rule_add_exact_array (ctx, rule->action, rule->nr, rule->n_args, rule->args);
  if (rc == -EDOM && rule->name != NULL) {
    g_debug ("%s:%u: \"%s\" does not exist on %s", profile->origin, rule->line, what,
             arch_name (arch));
    return TRUE;
  }
  if (rc == -EINVAL && rule->name != NULL && rule->n_args > 0 &&
      arch != seccomp_arch_native () && seccomp_syscall_resolve_name_arch (arch, rule->name) < 0) {
    /* socketcall(2)/ipc(2) multiplexing: the arguments are not in registers */
    g_info ("%s:%u: \"%s\" is multiplexed on %s, where its arguments cannot be matched; "
            "rule not applied to %s", profile->origin, rule->line, what, arch_name (arch),
            arch_name (arch));
    return TRUE;
  }
  if (rc == -EEXIST) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "%s:%u: \"%s\": an earlier rule has the same argument matches and another "
                 "action", profile->origin, rule->line, what);
    return FALSE;
  }
  if (rc < 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "%s:%u: \"%s\": libseccomp refused the rule for %s: %s",
                 profile->origin, rule->line, what, arch_name (arch), g_strerror (-rc));
    return FALSE;
  }
  *added = TRUE;
  return TRUE;
}

scmp_filter_ctx
seccomp_profile_compile (const SeccompProfile *profile, gboolean nnp, GError **error)
{
  scmp_filter_ctx ctx[MAX_ARCHES] = { NULL, };
  scmp_filter_ctx result = NULL;
  gboolean notify[MAX_ARCHES] = { FALSE, };
  guint dest = 0;

  for (guint a = 0; a < profile->n_arches; a++) {
    ctx[a] = new_arch_context (profile, profile->arches[a], nnp, error);
    if (ctx[a] == NULL)
      goto out;
  }

  for (guint r = 0; r < profile->rules->len; r++) {
    const SeccompProfileRule *rule = &g_array_index (profile->rules, SeccompProfileRule, r);

    for (guint a = 0; a < profile->n_arches; a++) {
      gboolean added;

      if ((rule->arches & (1u << a)) == 0)
        continue;
      if (!compile_rule (profile, rule, ctx[a], profile->arches[a], &added, error))
        goto out;
      if (added && rule->action == SCMP_ACT_NOTIFY)
        notify[a] = TRUE;
    }
  }

  /* libseccomp asks the kernel for a listener only if the context that is loaded had a
   * notify rule added to it; seccomp_merge() does not carry that over */
  if (profile->first_notify_line != 0) {
    while (dest < profile->n_arches && !notify[dest])
      dest++;
    if (dest == profile->n_arches) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "%s:%u: no \"notify\" rule applies to a system call of this host",
                   profile->origin, profile->first_notify_line);
      goto out;
    }
  }
  for (guint a = 0; a < profile->n_arches; a++) {
    int rc;

    if (a == dest)
      continue;
    rc = seccomp_merge (ctx[dest], ctx[a]);
    if (rc < 0) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED,
                   "%s: libseccomp: cannot merge the %s filter into the %s one: %s",
                   profile->origin, arch_name (profile->arches[a]),
                   arch_name (profile->arches[dest]), g_strerror (-rc));
      goto out;
    }
    ctx[a] = NULL;   /* merged: freed by libseccomp */
  }
  result = g_steal_pointer (&ctx[dest]);

out:
  for (guint a = 0; a < MAX_ARCHES; a++)
    if (ctx[a] != NULL)
      seccomp_release (ctx[a]);
  return result;
}
