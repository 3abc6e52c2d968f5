/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The keys of the container lifecycle (rootfs, mounts, /dev, capabilities, identity,
 * environment, signals, hook scripts), with LXC's spelling and semantics. Each value is
 * checked and put in canonical form when it is set, so a bad value fails at its file:line
 * and the child side (child-*.c) only meets values it understands.
 */
#define COVE_LOG_CATEGORY "keys"
#include "child-internal.h"
#include "mount-options.h"

#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/capability.h>

/* ---- lxc.mount.auto ---------------------------------------------------------------- */

static const struct {
  const char *word;
  const char *canonical;
  gboolean is_proc;
  int mode;
} auto_words[] = {
  { "proc", "proc:mixed", TRUE, COVE_AUTO_PROC_MIXED },
  { "proc:mixed", "proc:mixed", TRUE, COVE_AUTO_PROC_MIXED },
  { "proc:rw", "proc:rw", TRUE, COVE_AUTO_PROC_RW },
  { "sys", "sys:mixed", FALSE, COVE_AUTO_SYS_MIXED },
  { "sys:ro", "sys:ro", FALSE, COVE_AUTO_SYS_RO },
  { "sys:mixed", "sys:mixed", FALSE, COVE_AUTO_SYS_MIXED },
  { "sys:rw", "sys:rw", FALSE, COVE_AUTO_SYS_RW },
};

const char *
cove_mount_auto_apply_word (CoveMountAuto *mount_auto, const char *word, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (auto_words); i++) {
    if (strcmp (word, auto_words[i].word) != 0)
      continue;
    if (auto_words[i].is_proc)
      mount_auto->proc = auto_words[i].mode;
    else
      mount_auto->sys = auto_words[i].mode;
    return auto_words[i].canonical;
  }

  /* LXC's tunnel for its mount API, shmounts:<host path>[:<container path>]: accepted for
   * compatibility and ignored, as mounting into a running container (the mount-inject
   * plugin) needs no tunnel; LXC refuses an empty host path, so does Cove */
  if (g_str_has_prefix (word, "shmounts:")) {
    if (word[strlen ("shmounts:")] != '\0' && word[strlen ("shmounts:")] != ':')
      return word;
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "\"%s\": shmounts needs a host path (shmounts:HOST[:CONTAINER])", word);
    return NULL;
  }
  if (g_str_has_prefix (word, "cgroup"))
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "\"%s\": cgroup auto-mounts are not implemented (use lxc.mount.entry to mount "
                 "a cgroup filesystem)", word);
  else
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "unknown word \"%s\" (expected proc, proc:mixed, proc:rw, sys, sys:ro, "
                 "sys:mixed or sys:rw)", word);
  return NULL;
}

static char *
normalize_mount_auto (const char *key, const char *value, GError **error)
{
  g_auto(GStrv) words = g_strsplit_set (value, " \t", -1);
  g_autoptr(GString) out = g_string_new (NULL);
  CoveMountAuto scratch = { 0 };

  for (char **w = words; *w; w++) {
    const char *canonical;

    if (**w == '\0')
      continue;
    canonical = cove_mount_auto_apply_word (&scratch, *w, error);
    if (canonical == NULL)
      return NULL;
    if (out->len > 0)
      g_string_append_c (out, ' ');
    g_string_append (out, canonical);
  }
  if (out->len == 0) {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "no mount words");
    return NULL;
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- lxc.mount.entry --------------------------------------------------------------- */

/* fstab options that only mean something to mount(8) */
static const char *const userspace_options[] = { "auto", "noauto", "nouser", "_netdev", NULL };

/* getmntent's escapes: \ooo (e.g. \040 for a space) and \\ */
static char *
unescape_field (const char *field, GError **error)
{
  GString *out = g_string_sized_new (strlen (field));

  for (const char *p = field; *p; p++) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
        p[3] >= '0' && p[3] <= '7') {
      char c = (char) (((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
      if (c == '\0') {
        g_string_free (out, TRUE);
        g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                     "field \"%s\" contains an escaped NUL byte", field);
        return NULL;
      }
      g_string_append_c (out, c);
      p += 3;
    } else if (p[0] == '\\' && p[1] == '\\') {
      g_string_append_c (out, '\\');
      p++;
    } else {
      g_string_append_c (out, *p);
    }
  }
  return g_string_free (out, FALSE);
}

static gboolean
parse_option (CoveMountEntry *entry, GString *data, const char *option, GError **error)
{
  if (*option == '\0' || g_str_has_prefix (option, "x-") ||
      g_strv_contains (userspace_options, option))
    return TRUE;
  if (strcmp (option, "optional") == 0) {
    entry->optional = TRUE;
    return TRUE;
  }
  if (g_str_has_prefix (option, "create=")) {
    if (strcmp (option + 7, "dir") == 0)
      entry->create = COVE_MOUNT_CREATE_DIR;
    else if (strcmp (option + 7, "file") == 0)
      entry->create = COVE_MOUNT_CREATE_FILE;
    else {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "unknown option \"%s\" (expected create=dir or create=file)", option);
      return FALSE;
    }
    return TRUE;
  }
  if (strcmp (option, "remount") == 0 || strcmp (option, "move") == 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "option \"%s\" is not supported in a mount entry", option);
    return FALSE;
  }
  for (gsize i = 0; i < G_N_ELEMENTS (cove_mount_flag_options); i++) {
    if (strcmp (option, cove_mount_flag_options[i].name) != 0)
      continue;
    if (cove_mount_flag_options[i].clear) {
      entry->flags &= ~cove_mount_flag_options[i].flag;
      entry->clear_flags |= cove_mount_flag_options[i].flag;
    } else {
      entry->flags |= cove_mount_flag_options[i].flag;
      entry->clear_flags &= ~cove_mount_flag_options[i].flag;
    }
    return TRUE;
  }
  for (gsize i = 0; i < G_N_ELEMENTS (cove_mount_propagation_options); i++) {
    if (strcmp (option, cove_mount_propagation_options[i].name) == 0) {
      entry->propagation = cove_mount_propagation_options[i].flags;
      return TRUE;
    }
  }
  if (data->len > 0)
    g_string_append_c (data, ',');
  g_string_append (data, option);
  return TRUE;
}

gboolean
cove_fstab_line_is_blank (const char *line)
{
  while (*line == ' ' || *line == '\t')
    line++;
  return *line == '\0' || *line == '#';
}

gboolean
cove_mount_entry_parse (const char *line, CoveMountEntry *entry, GError **error)
{
  g_auto(GStrv) split = g_strsplit_set (line, " \t", -1);
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  g_autoptr(GString) data = g_string_new (NULL);
  g_auto(GStrv) options = NULL;

  memset (entry, 0, sizeof *entry);
  for (char **f = split; *f; f++)
    if (**f != '\0')
      g_ptr_array_add (fields, *f);
  if (fields->len < 3 || fields->len > 6) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "expected \"source target fstype [options [dump [pass]]]\", got %u field%s",
                 fields->len, fields->len == 1 ? "" : "s");
    return FALSE;
  }
  for (guint i = 4; i < fields->len; i++) {
    const char *f = fields->pdata[i];
    for (const char *p = f; *p; p++) {
      if (!g_ascii_isdigit (*p)) {
        g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                     "the %s field must be a number, not \"%s\"", i == 4 ? "dump" : "pass", f);
        return FALSE;
      }
    }
  }

  if ((entry->source = unescape_field (fields->pdata[0], error)) == NULL ||
      (entry->target = unescape_field (fields->pdata[1], error)) == NULL ||
      (entry->fstype = unescape_field (fields->pdata[2], error)) == NULL)
    goto fail;

  options = g_strsplit (fields->len > 3 ? fields->pdata[3] : "defaults", ",", -1);
  for (char **o = options; *o; o++)
    if (!parse_option (entry, data, *o, error))
      goto fail;

  if (entry->flags & MS_BIND) {
    if (data->len > 0) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "option%s \"%s\" cannot be used with a bind mount",
                   strchr (data->str, ',') ? "s" : "", data->str);
      goto fail;
    }
    if (!g_path_is_absolute (entry->source)) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "the source of a bind mount must be an absolute host path, not \"%s\"",
                   entry->source);
      goto fail;
    }
  }
  if (data->len > 0)
    entry->data = g_strdup (data->str);
  return TRUE;

fail:
  cove_mount_entry_clear (entry);
  return FALSE;
}

void
cove_mount_entry_clear (CoveMountEntry *entry)
{
  g_clear_pointer (&entry->source, g_free);
  g_clear_pointer (&entry->target, g_free);
  g_clear_pointer (&entry->fstype, g_free);
  g_clear_pointer (&entry->data, g_free);
}

static char *
normalize_mount_entry (const char *key, const char *value, GError **error)
{
  CoveMountEntry entry;
  g_autofree char *line = g_strstrip (g_strdup (value));

  if (!cove_mount_entry_parse (line, &entry, error))
    return NULL;
  cove_mount_entry_clear (&entry);
  return g_steal_pointer (&line);
}

/* ---- capabilities ------------------------------------------------------------------ */

gboolean
cove_cap_parse (const char *word, int *cap, GError **error)
{
  g_autofree char *name = NULL;
  cap_value_t value;

  if (g_ascii_strcasecmp (word, "none") == 0) {
    *cap = COVE_CAP_NONE;
    return TRUE;
  }
  if (g_ascii_isdigit (word[0])) {
    guint64 number;
    if (!g_ascii_string_to_unsigned (word, 10, 0, COVE_CAP_MAX, &number, NULL)) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "invalid capability number \"%s\" (0-%d)", word, COVE_CAP_MAX);
      return FALSE;
    }
    *cap = (int) number;
    return TRUE;
  }
  name = g_ascii_strdown (word, -1);
  if (!g_str_has_prefix (name, "cap_")) {
    char *prefixed = g_strconcat ("cap_", name, NULL);
    g_free (name);
    name = prefixed;
  }
  if (cap_from_name (name, &value) != 0 || value < 0 || value > COVE_CAP_MAX) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "unknown capability \"%s\"", word);
    return FALSE;
  }
  *cap = value;
  return TRUE;
}

/* Canonical: lower-case names without "cap_" (numbers libcap does not know stay numbers). */
static char *
normalize_caps (const char *value, gboolean allow_none, GError **error)
{
  g_auto(GStrv) words = g_strsplit_set (value, " \t", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (char **w = words; *w; w++) {
    int cap;

    if (**w == '\0')
      continue;
    if (!cove_cap_parse (*w, &cap, error))
      return NULL;
    if (out->len > 0)
      g_string_append_c (out, ' ');
    if (cap == COVE_CAP_NONE) {
      if (!allow_none) {
        g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                             "\"none\" is only valid in lxc.cap.keep");
        return NULL;
      }
      g_string_append (out, "none");
    } else {
      char *name = cap_to_name (cap);
      const char *shown = name ? name : "";
      g_string_append (out, g_str_has_prefix (shown, "cap_") ? shown + 4 : shown);
      cap_free (name);
    }
  }
  if (out->len == 0) {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "no capabilities");
    return NULL;
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
normalize_cap_drop (const char *key, const char *value, GError **error)
{
  return normalize_caps (value, FALSE, error);
}

static char *
normalize_cap_keep (const char *key, const char *value, GError **error)
{
  return normalize_caps (value, TRUE, error);
}

/* ---- lxc.arch ---------------------------------------------------------------------- */

static const struct {
  const char *name;
  unsigned long persona;
} arch_names[] = {
  { "arm", PER_LINUX32 }, { "armel", PER_LINUX32 }, { "armhf", PER_LINUX32 },
  { "armv7l", PER_LINUX32 }, { "athlon", PER_LINUX32 }, { "i386", PER_LINUX32 },
  { "i486", PER_LINUX32 }, { "i586", PER_LINUX32 }, { "i686", PER_LINUX32 },
  { "linux32", PER_LINUX32 }, { "mips", PER_LINUX32 }, { "mipsel", PER_LINUX32 },
  { "ppc", PER_LINUX32 }, { "powerpc", PER_LINUX32 }, { "x86", PER_LINUX32 },
  { "aarch64", PER_LINUX }, { "amd64", PER_LINUX }, { "arm64", PER_LINUX },
  { "linux64", PER_LINUX }, { "mips64", PER_LINUX }, { "mips64el", PER_LINUX },
  { "ppc64", PER_LINUX }, { "ppc64el", PER_LINUX }, { "ppc64le", PER_LINUX },
  { "powerpc64", PER_LINUX }, { "riscv64", PER_LINUX }, { "s390x", PER_LINUX },
  { "x86_64", PER_LINUX },
};

gboolean
cove_arch_parse (const char *name, unsigned long *persona)
{
  for (gsize i = 0; i < G_N_ELEMENTS (arch_names); i++) {
    if (g_ascii_strcasecmp (name, arch_names[i].name) == 0) {
      *persona = arch_names[i].persona;
      return TRUE;
    }
  }
  return FALSE;
}

static char *
normalize_arch (const char *key, const char *value, GError **error)
{
  unsigned long persona;

  if (!cove_arch_parse (value, &persona)) {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                         "unknown architecture (expected one of LXC's names: x86_64, amd64, "
                         "i686, i386, x86, aarch64, arm64, armhf, ppc64le, s390x, linux32, "
                         "linux64 …)");
    return NULL;
  }
  return g_ascii_strdown (value, -1);
}

/* ---- lxc.signal.* ------------------------------------------------------------------ */

static const struct {
  const char *name;
  int signo;
} signal_names[] = {
  { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
  { "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "IOT", SIGIOT }, { "BUS", SIGBUS },
  { "FPE", SIGFPE }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
#ifdef SIGSTKFLT
  { "STKFLT", SIGSTKFLT },
#endif
  { "CHLD", SIGCHLD }, { "CLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
  { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
  { "WINCH", SIGWINCH }, { "IO", SIGIO }, { "POLL", SIGPOLL }, { "PWR", SIGPWR },
  { "SYS", SIGSYS },
};

static gboolean
parse_decimal (const char *text, guint64 max, guint64 *out)
{
  if (!g_ascii_isdigit (text[0]))
    return FALSE;
  return g_ascii_string_to_unsigned (text, 10, 0, max, out, NULL);
}

gboolean
cove_signal_parse (const char *text, int *signo, GError **error)
{
  guint64 n;

  if (g_ascii_isdigit (text[0])) {
    if (!parse_decimal (text, G_MAXINT, &n))
      goto invalid;
    *signo = (int) n;
    return TRUE;
  }
  if (g_ascii_strncasecmp (text, "SIG", 3) != 0)
    goto invalid;
  text += 3;

  if (g_ascii_strncasecmp (text, "RTMIN+", 6) == 0 || g_ascii_strncasecmp (text, "RTMAX-", 6) == 0) {
    gboolean from_max = g_ascii_tolower (text[3]) == 'a';
    int span = SIGRTMAX - SIGRTMIN;

    if (!parse_decimal (text + 6, G_MAXINT, &n) || n > (guint64) span) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "invalid real-time signal (the offset must be a number from 0 to %d)", span);
      return FALSE;
    }
    *signo = from_max ? SIGRTMAX - (int) n : SIGRTMIN + (int) n;
    return TRUE;
  }
  for (gsize i = 0; i < G_N_ELEMENTS (signal_names); i++) {
    if (g_ascii_strcasecmp (text, signal_names[i].name) == 0) {
      *signo = signal_names[i].signo;
      return TRUE;
    }
  }

invalid:
  g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                       "expected a signal number, SIG<name> (e.g. SIGTERM), SIGRTMIN+n or SIGRTMAX-n");
  return FALSE;
}

static char *
normalize_signal (const char *key, const char *value, GError **error)
{
  int signo;

  if (!cove_signal_parse (value, &signo, error))
    return NULL;
  return g_strdup_printf ("%d", signo);
}

/* ---- the others -------------------------------------------------------------------- */

static char *
normalize_rootfs (const char *key, const char *value, GError **error)
{
  const char *path = g_str_has_prefix (value, "dir:") ? value + 4 : value;

  if (!g_path_is_absolute (path)) {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                         "expected an absolute directory path, optionally prefixed with \"dir:\" "
                         "(other storage backends are not supported)");
    return NULL;
  }
  return g_strdup (path);
}

static char *
normalize_absolute (const char *key, const char *value, GError **error)
{
  if (!g_path_is_absolute (value)) {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "expected an absolute path");
    return NULL;
  }
  return g_strdup (value);
}

static char *
normalize_uts_name (const char *key, const char *value, GError **error)
{
  if (strlen (value) > 64) {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                         "a host name has at most 64 bytes");
    return NULL;
  }
  return g_strdup (value);
}

static char *
normalize_command (const char *key, const char *value, GError **error)
{
  g_auto(GStrv) argv = NULL;

  if (!g_shell_parse_argv (value, NULL, &argv, error))
    return NULL;
  return g_strdup (value);
}

static char *
normalize_id (const char *key, const char *value, GError **error)
{
  /* already a canonical decimal (COVE_KEY_UINT); (uid_t) -1 means "unchanged" to the kernel */
  if (g_ascii_strtoull (value, NULL, 10) >= G_MAXUINT32) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "expected an id below %u",
                 G_MAXUINT32);
    return NULL;
  }
  return g_strdup (value);
}

static char *
normalize_environment (const char *key, const char *value, GError **error)
{
  if (value[0] == '=') {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                         "expected KEY=VALUE or KEY (the variable name is empty)");
    return NULL;
  }
  return g_strdup (value);
}

static char *
normalize_hook (const char *key, const char *value, GError **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (value));

  if (*stripped == '\0') {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "expected a command");
    return NULL;
  }
  return g_steal_pointer (&stripped);
}

#define GLOBAL(path_, type_) sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, (path_), (type_)

const CoveKeySpec cove_lifecycle_keys[] = {
  { GLOBAL ("rootfs.path", COVE_KEY_STRING),
    .doc = "Root directory of the container (an absolute path, optionally dir:/path); unset: the host's /",
    .normalize = normalize_rootfs },
  { GLOBAL ("mount.auto", COVE_KEY_STRING), COVE_KEY_REPEATABLE,
    .doc = "Standard mounts, space-separated: proc (= proc:mixed), proc:rw, sys (= sys:mixed), sys:ro, sys:rw; shmounts:HOST[:CONTAINER] is accepted and ignored",
    .normalize = normalize_mount_auto },
  { GLOBAL ("mount.entry", COVE_KEY_STRING), COVE_KEY_REPEATABLE,
    .doc = "A mount in fstab syntax; a relative target is inside the rootfs; options bind, rbind, ro, create=dir|file, optional …",
    .normalize = normalize_mount_entry },
  { GLOBAL ("mount.fstab", COVE_KEY_STRING),
    .doc = "A file of lxc.mount.entry lines (fstab syntax, # comments)",
    .normalize = normalize_absolute },
  { GLOBAL ("autodev", COVE_KEY_BOOL), .default_value = "1",
    .doc = "1: mount a tmpfs on /dev with the standard nodes and links, a private devpts and /dev/shm" },
  { GLOBAL ("uts.name", COVE_KEY_STRING),
    .doc = "Host name inside the container",
    .normalize = normalize_uts_name },
  { GLOBAL ("arch", COVE_KEY_STRING),
    .doc = "Architecture the container reports (personality): x86_64, amd64, i686, x86, arm64, armhf …",
    .normalize = normalize_arch },
  { GLOBAL ("cap.drop", COVE_KEY_STRING), COVE_KEY_REPEATABLE,
    .doc = "Capabilities removed from the init's bounding set, space-separated (sys_admin, SYS_MODULE, 21); not with lxc.cap.keep",
    .normalize = normalize_cap_drop },
  { GLOBAL ("cap.keep", COVE_KEY_STRING), COVE_KEY_REPEATABLE,
    .doc = "The only capabilities the init keeps, space-separated; \"none\" discards those listed before it; not with lxc.cap.drop",
    .normalize = normalize_cap_keep },
  { GLOBAL ("no_new_privs", COVE_KEY_BOOL), .default_value = "0",
    .doc = "1: set PR_SET_NO_NEW_PRIVS on the init (setuid binaries and file capabilities stop working)" },
  { GLOBAL ("init.cmd", COVE_KEY_STRING), .default_value = "/sbin/init",
    .doc = "The container's init command line (shell quoting); a command given to start or execute replaces it",
    .normalize = normalize_command },
  { GLOBAL ("init.cwd", COVE_KEY_STRING), .default_value = "/",
    .doc = "Working directory of the init, inside the container",
    .normalize = normalize_absolute },
  { GLOBAL ("init.uid", COVE_KEY_UINT), .default_value = "0",
    .doc = "User id the init runs as, inside the container",
    .normalize = normalize_id },
  { GLOBAL ("init.gid", COVE_KEY_UINT), .default_value = "0",
    .doc = "Group id the init runs as, inside the container (supplementary groups are cleared)",
    .normalize = normalize_id },
  { GLOBAL ("environment", COVE_KEY_STRING), COVE_KEY_REPEATABLE,
    .doc = "KEY=VALUE for the init's environment; KEY alone passes the monitor's value (inherited from the caller)",
    .normalize = normalize_environment },
  { GLOBAL ("signal.halt", COVE_KEY_STRING), .default_value = G_STRINGIFY (SIGPWR),
    .doc = "Signal that asks the init to halt (SIGPWR, or SIGRTMIN+3 for an init that blocks it); number, SIG<name>, SIGRTMIN+n, SIGRTMAX-n",
    .normalize = normalize_signal },
  { GLOBAL ("signal.reboot", COVE_KEY_STRING), .default_value = G_STRINGIFY (SIGINT),
    .doc = "Signal that asks the init to reboot (default SIGINT); number, SIG<name>, SIGRTMIN+n, SIGRTMAX-n",
    .normalize = normalize_signal },
  { GLOBAL ("signal.stop", COVE_KEY_STRING), .default_value = G_STRINGIFY (SIGKILL),
    .doc = "Signal that stops the init at once (default SIGKILL); number, SIG<name>, SIGRTMIN+n, SIGRTMAX-n",
    .normalize = normalize_signal },
  { GLOBAL ("hook.pre-start", COVE_KEY_STRING), COVE_KEY_REPEATABLE,
    .doc = "Command run on the host before the container starts, as `sh -c 'exec CMD NAME lxc pre-start'`",
    .normalize = normalize_hook },
  { GLOBAL ("hook.start", COVE_KEY_STRING), COVE_KEY_REPEATABLE,
    .doc = "Command run inside the container just before its init, as `sh -c 'exec CMD NAME lxc start'`",
    .normalize = normalize_hook },
  { GLOBAL ("hook.post-stop", COVE_KEY_STRING), COVE_KEY_REPEATABLE,
    .doc = "Command run on the host after the container stopped (LXC_TARGET=stop or reboot); failures are logged",
    .normalize = normalize_hook },
};

const gsize cove_lifecycle_keys_count = G_N_ELEMENTS (cove_lifecycle_keys);

/* ---- shared error helper ------------------------------------------------------------- */

void
cove_child_prefix_error (GError **error, const char *key, const char *value)
{
  g_prefix_error (error, "%s = \"%s\": ", key, value ? value : "");
}
