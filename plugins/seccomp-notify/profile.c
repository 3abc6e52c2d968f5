/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-notify: reading LXC's seccomp profile formats (PROFILES.md). Every line is
 * checked, syscall names are resolved, and the rules that apply to this host's filter
 * architectures are kept for seccomp_profile_compile() (profile-arch.c).
 *
 * Unlike LXC, every error names "<file>:<line>:" and the offending token; sections for
 * foreign arches are still checked; "kill" kills the process, not just the thread.
 */
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ARGS SECCOMP_PROFILE_MAX_ARGS
#define MAX_ERRNO_VALUE 4094   /* the kernel takes 4095 too, libseccomp 2.5 does not */
#define MAX_WORDS 4            /* words kept for an action ("errno 1" is two); more: error */
#define TOKEN_SHOWN 64         /* bytes of a token quoted in an error */

typedef SeccompProfileRule ProfileRule;

typedef struct {
  const char *origin;
  guint line;
  SeccompProfile *profile;
  guint32 rule_default;             /* action of a rule that names none */
  guint section;                    /* arches the current section applies to */
} Parser;

typedef struct {
  const char *s;
  gsize len;
} Token;

/* ---- helpers ------------------------------------------------------------------------ */

/* @t for a message: at most TOKEN_SHOWN bytes, escaped (so always ASCII), in quotes. */
static char *
quote (const Token *t)
{
  g_autofree char *cut = g_strndup (t->s, MIN (t->len, TOKEN_SHOWN));
  g_autofree char *escaped = g_strescape (cut, NULL);

  return g_strdup_printf ("\"%s%s\"", escaped, t->len > TOKEN_SHOWN ? "..." : "");
}

static gboolean
token_is (const Token *t, const char *word)
{
  return strlen (word) == t->len && memcmp (t->s, word, t->len) == 0;
}

static gboolean parse_fail (Parser *ps, GError **error, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static gboolean
parse_fail (Parser *ps, GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "%s:%u: %s", ps->origin, ps->line,
               message);
  return FALSE;
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next word at *@cursor: a run of non-blanks, ending before a '[' if @bracket. */
static gboolean
next_word (const char **cursor, gboolean bracket, Token *t)
{
  const char *s = *cursor, *e;

  while (is_space (*s))
    s++;
  for (e = s; *e != '\0' && !is_space (*e) && !(bracket && *e == '[' && e > s); e++)
    ;
  *cursor = e;
  t->s = s;
  t->len = e - s;
  return t->len > 0;
}

/* A whole unsigned number in any base (0x…, 0…, decimal), like strtoull (…, 0). */
static gboolean
parse_u64 (const Token *t, guint64 *value)
{
  g_autofree char *s = g_strndup (t->s, t->len);
  char *end = NULL;

  if (t->len == 0 || !g_ascii_isdigit (s[0]))   /* no sign, no blanks */
    return FALSE;
  errno = 0;
  *value = g_ascii_strtoull (s, &end, 0);
  return errno == 0 && end != s && *end == '\0';
}

static gboolean
parse_decimal (const Token *t, guint64 max, guint64 *value)
{
  g_autofree char *s = g_strndup (t->s, t->len);

  return g_ascii_string_to_unsigned (s, 10, 0, max, value, NULL);
}

static void
token_trim (Token *t)
{
  while (t->len > 0 && is_space (t->s[0])) {
    t->s++;
    t->len--;
  }
  while (t->len > 0 && is_space (t->s[t->len - 1]))
    t->len--;
}

static guint32
kill_action (void)
{
  /* SECCOMP_RET_KILL_PROCESS (Linux 4.14, libseccomp API level 3): a multi-threaded
   * process must not lose just the thread that made the call */
  return seccomp_api_get () >= 3 ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_KILL;
}

static void
profile_rule_clear (gpointer data)
{
  ProfileRule *rule = data;

  g_free (rule->name);
}

void
seccomp_profile_free (SeccompProfile *profile)
{
  if (profile == NULL)
    return;
  g_free (profile->origin);
  if (profile->rules != NULL)
    g_array_unref (profile->rules);
  g_free (profile);
}

gboolean
seccomp_profile_wants_notify (const SeccompProfile *profile)
{
  return profile->first_notify_line != 0;
}

/* ---- parsing ------------------------------------------------------------------------ */

/* An action from @words (1 or 2 of them): kill, allow, trap, notify, errno <0-4094>. */
static gboolean
parse_action (Parser *ps, const Token *words, guint n_words, guint32 *action, GError **error)
{
  guint used = 1;
  guint64 value;

  if (token_is (&words[0], "kill"))
    *action = kill_action ();
  else if (token_is (&words[0], "allow"))
    *action = SCMP_ACT_ALLOW;
  else if (token_is (&words[0], "trap"))
    *action = SCMP_ACT_TRAP;
  else if (token_is (&words[0], "notify"))
    *action = SCMP_ACT_NOTIFY;
  else if (token_is (&words[0], "errno")) {
    if (n_words < 2)
      return parse_fail (ps, error, "\"errno\" needs a value (0-%d)", MAX_ERRNO_VALUE);
    if (!parse_decimal (&words[1], G_MAXUINT64, &value)) {
      g_autofree char *q = quote (&words[1]);
      return parse_fail (ps, error, "bad errno value %s", q);
    }
    if (value > MAX_ERRNO_VALUE) {
      g_autofree char *q = quote (&words[1]);
      return parse_fail (ps, error, "errno value %s out of range (0-%d)", q, MAX_ERRNO_VALUE);
    }
    *action = SCMP_ACT_ERRNO ((guint32) value);
    used = 2;
  } else {
    g_autofree char *q = quote (&words[0]);
    return parse_fail (ps, error, "unknown action %s", q);
  }
  if (n_words > used) {
    g_autofree char *q = quote (&words[used]);
    return parse_fail (ps, error, "unexpected %s after the action", q);
  }
  return TRUE;
}

static gboolean
parse_op (const Token *t, enum scmp_compare *op)
{
  static const struct {
    const char *name, *symbol;
    enum scmp_compare op;
  } ops[] = {
    { "SCMP_CMP_NE", "!=", SCMP_CMP_NE },
    { "SCMP_CMP_LT", "<", SCMP_CMP_LT },
    { "SCMP_CMP_LE", "<=", SCMP_CMP_LE },
    { "SCMP_CMP_EQ", "==", SCMP_CMP_EQ },
    { "SCMP_CMP_GE", ">=", SCMP_CMP_GE },
    { "SCMP_CMP_GT", ">", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", "&=", SCMP_CMP_MASKED_EQ },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (ops); i++)
    if (token_is (t, ops[i].name) || token_is (t, ops[i].symbol)) {
      *op = ops[i].op;
      return TRUE;
    }
  return FALSE;
}

/* One argument match, @t being "[index,value,op]" or "[index,value,op,mask]". */
static gboolean
parse_arg_match (Parser *ps, const Token *t, struct scmp_arg_cmp *cmp, GError **error)
{
  Token field[4];
  guint n = 0;
  const char *p = t->s + 1, *end = t->s + t->len - 1;   /* inside the brackets */
  guint64 index, value, mask = 0;
  enum scmp_compare op;

  while (TRUE) {
    const char *comma = memchr (p, ',', end - p);
    const char *stop = comma != NULL ? comma : end;

    if (n == G_N_ELEMENTS (field)) {
      g_autofree char *q = quote (t);
      return parse_fail (ps, error, "bad argument match %s (expected [index,value,op] or "
                         "[index,value,op,mask])", q);
    }
    field[n].s = p;
    field[n].len = stop - p;
    token_trim (&field[n]);
    n++;
    if (comma == NULL)
      break;
    p = comma + 1;
  }
  if (n < 3) {
    g_autofree char *q = quote (t);
    return parse_fail (ps, error, "bad argument match %s (expected [index,value,op] or "
                       "[index,value,op,mask])", q);
  }
  if (!parse_u64 (&field[0], &index) || index >= MAX_ARGS) {
    g_autofree char *q = quote (&field[0]);
    return parse_fail (ps, error, "bad argument index %s (expected 0-5)", q);
  }
  if (!parse_u64 (&field[1], &value)) {
    g_autofree char *q = quote (&field[1]);
    return parse_fail (ps, error, "bad argument value %s", q);
  }
  if (!parse_op (&field[2], &op)) {
    g_autofree char *q = quote (&field[2]);
    return parse_fail (ps, error, "unknown comparison operator %s", q);
  }
  if (n == 4 && !parse_u64 (&field[3], &mask)) {
    g_autofree char *q = quote (&field[3]);
    return parse_fail (ps, error, "bad argument mask %s", q);
  }
  if (op == SCMP_CMP_MASKED_EQ && n == 3)
    return parse_fail (ps, error, "comparison \"&=\" needs a mask: [index,value,&=,mask]");
  if (op != SCMP_CMP_MASKED_EQ && n == 4) {
    g_autofree char *q = quote (&field[3]);
    return parse_fail (ps, error, "a mask (%s) is only valid with \"&=\"", q);
  }
  /* libseccomp: datum_a is the mask of MASKED_EQ, otherwise the value */
  cmp->arg = (unsigned int) index;
  cmp->op = op;
  cmp->datum_a = op == SCMP_CMP_MASKED_EQ ? mask : value;
  cmp->datum_b = op == SCMP_CMP_MASKED_EQ ? value : 0;
  return TRUE;
}

static gboolean
valid_syscall_name (const Token *t)
{
  for (gsize i = 0; i < t->len; i++)
    if (!g_ascii_isalnum (t->s[i]) && t->s[i] != '_')
      return FALSE;
  return t->len > 0;
}

static void
add_rule (Parser *ps, ProfileRule *rule)
{
  rule->line = ps->line;
  rule->arches = ps->section;
  if (rule->action == SCMP_ACT_NOTIFY && ps->profile->first_notify_line == 0)
    ps->profile->first_notify_line = ps->line;
  g_array_append_vals (ps->profile->rules, rule, 1);
}

/* "<syscall> [action] [match]...": a version 2 rule line, or reject_force_umount. */
static gboolean
parse_rule_v2 (Parser *ps, const char *line, GError **error)
{
  Token name, words[MAX_WORDS];
  guint n_words = 0, args_seen = 0;
  const char *cursor = line;
  ProfileRule rule = { 0, };

  next_word (&cursor, TRUE, &name);
  if (!valid_syscall_name (&name)) {
    g_autofree char *q = quote (&name);
    return parse_fail (ps, error, "bad system call name %s", q);
  }

  while (TRUE) {
    Token t;

    while (is_space (*cursor))
      cursor++;
    if (*cursor == '\0')
      break;
    if (*cursor == '[') {
      const char *close = strchr (cursor, ']');

      if (close == NULL) {
        t.s = cursor;
        t.len = strlen (cursor);
        g_autofree char *q = quote (&t);
        return parse_fail (ps, error, "unterminated argument match %s (no \"]\")", q);
      }
      t.s = cursor;
      t.len = close + 1 - cursor;
      cursor = close + 1;
      if (rule.n_args == MAX_ARGS)
        return parse_fail (ps, error, "too many argument matches (at most %d)", MAX_ARGS);
      if (!parse_arg_match (ps, &t, &rule.args[rule.n_args], error))
        return FALSE;
      if (args_seen & (1u << rule.args[rule.n_args].arg))
        return parse_fail (ps, error, "argument %u is matched twice",
                           rule.args[rule.n_args].arg);
      args_seen |= 1u << rule.args[rule.n_args].arg;
      rule.n_args++;
      continue;
    }
    next_word (&cursor, TRUE, &t);
    if (rule.n_args > 0) {
      g_autofree char *q = quote (&t);
      return parse_fail (ps, error, "unexpected %s after the argument matches", q);
    }
    if (n_words == G_N_ELEMENTS (words)) {
      g_autofree char *q = quote (&t);
      return parse_fail (ps, error, "unexpected %s", q);
    }
    words[n_words++] = t;
  }

  if (token_is (&name, "reject_force_umount")) {
    /* umount2 (…, flags & MNT_FORCE) → EACCES */
    if (n_words > 0 || rule.n_args > 0) {
      Token *extra = n_words > 0 ? &words[0] : NULL;
      g_autofree char *q = extra != NULL ? quote (extra) : g_strdup ("argument matches");
      return parse_fail (ps, error, "unexpected %s after \"reject_force_umount\"", q);
    }
    rule.action = SCMP_ACT_ERRNO (EACCES);
    rule.n_args = 1;
    rule.args[0] = SCMP_A1 (SCMP_CMP_MASKED_EQ, MNT_FORCE, MNT_FORCE);
    name.s = "umount2";
    name.len = strlen (name.s);
  } else if (n_words == 0) {
    rule.action = ps->rule_default;
  } else if (!parse_action (ps, words, n_words, &rule.action, error)) {
    return FALSE;
  }

  if (ps->section == 0)
    return TRUE;   /* a section for an arch this host's filter does not have */

  rule.name = g_strndup (name.s, name.len);
  rule.nr = seccomp_syscall_resolve_name (rule.name);
  if (rule.nr == __NR_SCMP_ERROR) {
    /* LXC does the same: a profile is shared by kernels and libseccomps of all ages */
    g_autofree char *q = quote (&name);

    g_info ("%s:%u: unknown system call %s, rule skipped", ps->origin, ps->line, q);
    g_free (rule.name);
    return TRUE;
  }
  add_rule (ps, &rule);
  return TRUE;
}

/* A version 1 rule: one syscall number, allowed. */
static gboolean
parse_rule_v1 (Parser *ps, const char *line, GError **error)
{
  const char *cursor = line;
  Token t;
  guint64 nr;
  ProfileRule rule = { 0, };

  next_word (&cursor, FALSE, &t);
  if (!parse_decimal (&t, G_MAXINT32, &nr)) {
    g_autofree char *q = quote (&t);
    return parse_fail (ps, error, "bad system call number %s", q);
  }
  if (next_word (&cursor, FALSE, &t)) {
    g_autofree char *q = quote (&t);
    return parse_fail (ps, error, "unexpected %s after the system call number", q);
  }
  rule.nr = (int) nr;
  rule.action = SCMP_ACT_ALLOW;
  add_rule (ps, &rule);
  return TRUE;
}

/* "[arch]": the arches of ps->profile the following rules apply to. */
static gboolean
parse_section (Parser *ps, const char *line, GError **error)
{
  gsize len = strlen (line);
  Token all = { line, len }, t;
  guint32 token;

  if (len < 2 || line[len - 1] != ']') {
    g_autofree char *q = quote (&all);
    return parse_fail (ps, error, "bad section header %s (expected [arch])", q);
  }
  t.s = line + 1;
  t.len = len - 2;
  token_trim (&t);
  if (t.len == 3 && g_ascii_strncasecmp (t.s, "all", 3) == 0) {
    ps->section = (1u << ps->profile->n_arches) - 1;
    return TRUE;
  }
  if (seccomp_profile_arch_lookup (t.s, t.len, &token)) {
    ps->section = 0;
    for (guint a = 0; a < ps->profile->n_arches; a++)
      if (token != 0 && ps->profile->arches[a] == token)
        ps->section = 1u << a;
    if (ps->section == 0) {
      g_autofree char *q = quote (&t);
      g_debug ("%s:%u: section %s is for another architecture; its rules are skipped",
               ps->origin, ps->line, q);
    }
    return TRUE;
  }
  {
    g_autofree char *q = quote (&t);
    return parse_fail (ps, error, "unsupported architecture %s", q);
  }
}

static gboolean
parse_version (Parser *ps, const char *line, GError **error)
{
  const char *cursor = line;
  Token t;

  next_word (&cursor, FALSE, &t);
  if (token_is (&t, "1"))
    ps->profile->version = 1;
  else if (token_is (&t, "2"))
    ps->profile->version = 2;
  else {
    g_autofree char *q = quote (&t);
    return parse_fail (ps, error, "unsupported profile version %s (expected 1 or 2)", q);
  }
  if (next_word (&cursor, FALSE, &t)) {
    g_autofree char *q = quote (&t);
    return parse_fail (ps, error, "unexpected %s after the version", q);
  }
  return TRUE;
}

/* "allowlist|whitelist|denylist|blacklist [default action]". */
static gboolean
parse_policy (Parser *ps, const char *line, GError **error)
{
  SeccompProfile *profile = ps->profile;
  const char *cursor = line;
  Token t, words[MAX_WORDS];
  guint n_words = 0;
  gboolean denylist;

  if (strstr (line, "debug") != NULL)
    return parse_fail (ps, error, "\"debug\" is not supported");
  next_word (&cursor, FALSE, &t);
  if (token_is (&t, "allowlist") || token_is (&t, "whitelist"))
    denylist = FALSE;
  else if (token_is (&t, "denylist") || token_is (&t, "blacklist"))
    denylist = TRUE;
  else {
    g_autofree char *q = quote (&t);
    return parse_fail (ps, error, "unknown policy %s (expected allowlist or denylist)", q);
  }
  if (profile->version == 1 && denylist) {
    g_autofree char *q = quote (&t);
    return parse_fail (ps, error, "version 1 profiles are allowlists, not %s", q);
  }
  while (next_word (&cursor, FALSE, &t)) {
    if (profile->version == 1) {
      g_autofree char *q = quote (&t);
      return parse_fail (ps, error, "unexpected %s after the policy (version 1 has no "
                         "default action)", q);
    }
    if (n_words == G_N_ELEMENTS (words)) {
      g_autofree char *q = quote (&t);
      return parse_fail (ps, error, "unexpected %s", q);
    }
    words[n_words++] = t;
  }

  /* the word after the policy is the action of syscalls without a rule; a rule without an
   * action kills (denylist) or allows (allowlist) */
  profile->default_action = denylist ? SCMP_ACT_ALLOW : kill_action ();
  ps->rule_default = denylist ? kill_action () : SCMP_ACT_ALLOW;
  if (n_words > 0) {
    if (!parse_action (ps, words, n_words, &profile->default_action, error))
      return FALSE;
    if (profile->default_action == SCMP_ACT_NOTIFY)
      return parse_fail (ps, error, "\"notify\" cannot be the default action");
  }
  return TRUE;
}

SeccompProfile *
seccomp_profile_parse (const char *origin, const char *text, gsize len, GError **error)
{
  g_autoptr(SeccompProfile) profile = NULL;
  Parser ps = { origin, 0, NULL, 0, 0 };
  const char *p = text, *end = text + len;
  char buf[SECCOMP_PROFILE_MAX_LINE + 1];
  enum { WANT_VERSION, WANT_POLICY, RULES } stage = WANT_VERSION;

  g_return_val_if_fail (origin != NULL, NULL);
  g_return_val_if_fail (text != NULL || len == 0, NULL);

  ps.profile = profile = g_new0 (SeccompProfile, 1);
  profile->origin = g_strdup (origin);
  profile->rules = g_array_new (FALSE, TRUE, sizeof (ProfileRule));
  g_array_set_clear_func (profile->rules, profile_rule_clear);

  while (p < end) {
    const char *nl = memchr (p, '\n', end - p);
    gsize n = (nl != NULL ? nl : end) - p;
    char *line, *hash;

    ps.line++;
    if (n > SECCOMP_PROFILE_MAX_LINE) {
      parse_fail (&ps, error, "line longer than %d bytes", SECCOMP_PROFILE_MAX_LINE);
      return NULL;
    }
    if (memchr (p, '\0', n) != NULL) {
      parse_fail (&ps, error, "NUL byte in the line");
      return NULL;
    }
    memcpy (buf, p, n);
    buf[n] = '\0';
    p = nl != NULL ? nl + 1 : end;

    hash = strchr (buf, '#');
    if (hash != NULL)
      *hash = '\0';
    line = buf;
    while (is_space (*line))
      line++;
    for (char *e = line + strlen (line); e > line && is_space (e[-1]); e--)
      e[-1] = '\0';
    if (*line == '\0')
      continue;

    switch (stage) {
    case WANT_VERSION:
      if (!parse_version (&ps, line, error))
        return NULL;
      profile->n_arches = seccomp_profile_host_arches (profile->version, profile->arches);
      ps.section = (1u << profile->n_arches) - 1;
      stage = WANT_POLICY;
      break;
    case WANT_POLICY:
      if (!parse_policy (&ps, line, error))
        return NULL;
      stage = RULES;
      break;
    case RULES:
      if (profile->version == 1) {
        if (!parse_rule_v1 (&ps, line, error))
          return NULL;
      } else if (line[0] == '[') {
        if (!parse_section (&ps, line, error))
          return NULL;
      } else if (!parse_rule_v2 (&ps, line, error)) {
        return NULL;
      }
      break;
    }
  }

  ps.line++;
  if (stage == WANT_VERSION) {
    parse_fail (&ps, error, "empty profile (expected the version, 1 or 2)");
    return NULL;
  }
  if (stage == WANT_POLICY) {
    parse_fail (&ps, error, "missing policy line (expected allowlist or denylist)");
    return NULL;
  }
  return g_steal_pointer (&profile);
}

SeccompProfile *
seccomp_profile_load (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  struct stat st;
  gsize len = 0;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    cove_set_error_from_errno (error, errno, "open seccomp profile %s", path);
    return NULL;
  }
  if (fstat (fd, &st) < 0) {
    int errsv = errno;
    close (fd);
    cove_set_error_from_errno (error, errsv, "stat seccomp profile %s", path);
    return NULL;
  }
  if (!S_ISREG (st.st_mode)) {
    close (fd);
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "seccomp profile %s is not a regular file", path);
    return NULL;
  }
  /* one byte more than allowed, to see that the file is too large */
  text = g_malloc (SECCOMP_PROFILE_MAX_SIZE + 1);
  while (len <= SECCOMP_PROFILE_MAX_SIZE) {
    ssize_t n = read (fd, text + len, SECCOMP_PROFILE_MAX_SIZE + 1 - len);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int errsv = errno;
      close (fd);
      cove_set_error_from_errno (error, errsv, "read seccomp profile %s", path);
      return NULL;
    }
    if (n == 0)
      break;
    len += n;
  }
  close (fd);
  if (len > SECCOMP_PROFILE_MAX_SIZE) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "seccomp profile %s is larger than %d bytes", path, SECCOMP_PROFILE_MAX_SIZE);
    return NULL;
  }
  return seccomp_profile_parse (path, text, len, error);
}
