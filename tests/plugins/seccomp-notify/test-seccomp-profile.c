/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-notify's profile parser and compiler (suite "unit", no root needed): every parse
 * error with its "<file>:<line>:" and token, the accepted grammar (acceptance check C8.8),
 * which rules reach which architecture (read back from libseccomp's PFC export), random
 * input that must never crash, and the behaviour of compiled filters loaded in forked
 * children (with no_new_privs, so no privilege is needed): errno, argument matches, kill,
 * trap, allowlists, reject_force_umount, notify, and data/seccomp/common.seccomp.
 */
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ORIGIN "/x/p.seccomp"

static SeccompProfile *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  SeccompProfile *profile = seccomp_profile_parse (ORIGIN, text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (profile);
  return profile;
}

static void
assert_parse_error_len (const char *text, gsize len, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SeccompProfile) profile = seccomp_profile_parse (ORIGIN, text, len, &error);

  g_assert_null (profile);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==, message);
}

static void
assert_parse_error (const char *text, const char *message)
{
  assert_parse_error_len (text, strlen (text), message);
}

static scmp_filter_ctx
compile_ok (const SeccompProfile *profile)
{
  g_autoptr(GError) error = NULL;
  scmp_filter_ctx ctx = seccomp_profile_compile (profile, TRUE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ctx);
  return ctx;
}

/* libseccomp's pseudo-code of the filter @text compiles to. */
static char *
pfc_of (const char *text)
{
  g_autoptr(SeccompProfile) profile = parse_ok (text);
  scmp_filter_ctx ctx = compile_ok (profile);
  int fd = memfd_create ("pfc", MFD_CLOEXEC);
  GString *out = g_string_new (NULL);
  char buf[4096];
  ssize_t n;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (seccomp_export_pfc (ctx, fd), ==, 0);
  seccomp_release (ctx);
  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (out, buf, n);
  close (fd);
  return g_string_free (out, FALSE);
}

/* The part of @pfc for @arch ("x86_64", "x86", "x32"); "" if it has none. */
static char *
pfc_arch (const char *pfc, const char *arch)
{
  g_autofree char *head = g_strdup_printf ("# filter for arch %s (", arch);
  const char *start = strstr (pfc, head), *end;

  if (start == NULL)
    return g_strdup ("");
  end = strstr (start + 1, "# filter for arch ");
  if (end == NULL)
    end = strstr (start, "# invalid architecture action");
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

static gboolean
pfc_has (const char *pfc, const char *arch, const char *needle)
{
  g_autofree char *part = pfc_arch (pfc, arch);

  return strstr (part, needle) != NULL;
}

/* Valgrind (its preload library is in LD_PRELOAD) */
static gboolean
under_valgrind (void)
{
  const char *preload = g_getenv ("LD_PRELOAD");

  return preload != NULL && strstr (preload, "vgpreload") != NULL;
}

/* SECCOMP_RET_USER_NOTIF (under valgrind, which lacks seccomp(2), the API level is 1) */
static gboolean
have_notify (void)
{
  return seccomp_api_get () >= 5;
}

/* "kill" in libseccomp's pseudo-code: the process, or only the thread before Linux 4.14 */
static const char *
pfc_kill (void)
{
  return seccomp_api_get () >= 3 ? "action KILL_PROCESS;" : "action KILL;";
}

static gboolean
host_is_x86_64 (void)
{
  return seccomp_arch_native () == SCMP_ARCH_X86_64;
}

/* ---- errors ------------------------------------------------------------------------- */

static const struct {
  const char *text;
  const char *message;
} parse_errors[] = {
  /* the header */
  { "3\ndenylist\n", ORIGIN ":1: unsupported profile version \"3\" (expected 1 or 2)" },
  { "two\n", ORIGIN ":1: unsupported profile version \"two\" (expected 1 or 2)" },
  { "2 denylist\n", ORIGIN ":1: unexpected \"denylist\" after the version" },
  { "", ORIGIN ":1: empty profile (expected the version, 1 or 2)" },
  { "# only a comment\n\n", ORIGIN ":3: empty profile (expected the version, 1 or 2)" },
  { "2\n", ORIGIN ":2: missing policy line (expected allowlist or denylist)" },
  { "2", ORIGIN ":2: missing policy line (expected allowlist or denylist)" },
  { "2\ndenylist debug\n", ORIGIN ":2: \"debug\" is not supported" },
  { "2\ndebug\n", ORIGIN ":2: \"debug\" is not supported" },
  { "1\nallowlist debug\n", ORIGIN ":2: \"debug\" is not supported" },
  { "2\nfoolist\n", ORIGIN ":2: unknown policy \"foolist\" (expected allowlist or denylist)" },
  { "2\nDenylist\n", ORIGIN ":2: unknown policy \"Denylist\" (expected allowlist or denylist)" },
  { "1\ndenylist\n", ORIGIN ":2: version 1 profiles are allowlists, not \"denylist\"" },
  { "1\nallowlist kill\n",
    ORIGIN ":2: unexpected \"kill\" after the policy (version 1 has no default action)" },
  { "2\ndenylist allo\n", ORIGIN ":2: unknown action \"allo\"" },
  { "2\ndenylist notify\n", ORIGIN ":2: \"notify\" cannot be the default action" },
  { "2\nallowlist errno\n", ORIGIN ":2: \"errno\" needs a value (0-4094)" },
  { "2\nallowlist errno 1 2\n", ORIGIN ":2: unexpected \"2\" after the action" },
  { "2\nallowlist errno 1 2 3 4\n", ORIGIN ":2: unexpected \"4\"" },
  /* sections */
  { "2\ndenylist\n[bogus]\n", ORIGIN ":3: unsupported architecture \"bogus\"" },
  { "2\ndenylist\n[]\n", ORIGIN ":3: unsupported architecture \"\"" },
  { "2\ndenylist\n[x86\n", ORIGIN ":3: bad section header \"[x86\" (expected [arch])" },
  { "2\ndenylist\n[x86] read\n", ORIGIN ":3: bad section header \"[x86] read\" (expected [arch])" },
  /* actions */
  { "2\ndenylist\nread allo\n", ORIGIN ":3: unknown action \"allo\"" },
  { "2\ndenylist\nread KILL\n", ORIGIN ":3: unknown action \"KILL\"" },
  { "2\ndenylist\nkexec_load errno\n", ORIGIN ":3: \"errno\" needs a value (0-4094)" },
  { "2\ndenylist\nkexec_load errno 4095\n", ORIGIN ":3: errno value \"4095\" out of range (0-4094)" },
  { "2\ndenylist\nkexec_load errno 99999999999999999999\n",
    ORIGIN ":3: bad errno value \"99999999999999999999\"" },
  { "2\ndenylist\nkexec_load errno -1\n", ORIGIN ":3: bad errno value \"-1\"" },
  { "2\ndenylist\nkexec_load errno x1\n", ORIGIN ":3: bad errno value \"x1\"" },
  { "2\ndenylist\nkexec_load errno 1 2\n", ORIGIN ":3: unexpected \"2\" after the action" },
  { "2\ndenylist\nkexec_load kill trap\n", ORIGIN ":3: unexpected \"trap\" after the action" },
  /* argument matches */
  { "2\ndenylist\nioctl errno 1 [6,1,==]\n", ORIGIN ":3: bad argument index \"6\" (expected 0-5)" },
  { "2\ndenylist\nioctl errno 1 [x,1,==]\n", ORIGIN ":3: bad argument index \"x\" (expected 0-5)" },
  { "2\ndenylist\nioctl errno 1 [-1,1,==]\n", ORIGIN ":3: bad argument index \"-1\" (expected 0-5)" },
  { "2\ndenylist\nioctl errno 1 [1,zz,==]\n", ORIGIN ":3: bad argument value \"zz\"" },
  { "2\ndenylist\nioctl errno 1 [1,-1,==]\n", ORIGIN ":3: bad argument value \"-1\"" },
  { "2\ndenylist\nioctl errno 1 [1,,==]\n", ORIGIN ":3: bad argument value \"\"" },
  { "2\ndenylist\nioctl errno 1 [1,0x10000000000000000,==]\n",
    ORIGIN ":3: bad argument value \"0x10000000000000000\"" },
  { "2\ndenylist\nioctl errno 1 [1,09,==]\n", ORIGIN ":3: bad argument value \"09\"" },
  { "2\ndenylist\nioctl errno 1 [1,1,=~]\n", ORIGIN ":3: unknown comparison operator \"=~\"" },
  { "2\ndenylist\nioctl errno 1 [1,1,scmp_cmp_eq]\n",
    ORIGIN ":3: unknown comparison operator \"scmp_cmp_eq\"" },
  { "2\ndenylist\nioctl errno 1 [1,1]\n",
    ORIGIN ":3: bad argument match \"[1,1]\" (expected [index,value,op] or [index,value,op,mask])" },
  { "2\ndenylist\nioctl errno 1 [1,1,==,1,1]\n",
    ORIGIN ":3: bad argument match \"[1,1,==,1,1]\" (expected [index,value,op] or [index,value,op,mask])" },
  { "2\ndenylist\nioctl errno 1 []\n",
    ORIGIN ":3: bad argument match \"[]\" (expected [index,value,op] or [index,value,op,mask])" },
  { "2\ndenylist\nioctl errno 1 [1,1,&=]\n",
    ORIGIN ":3: comparison \"&=\" needs a mask: [index,value,&=,mask]" },
  { "2\ndenylist\nioctl errno 1 [1,1,==,1]\n", ORIGIN ":3: a mask (\"1\") is only valid with \"&=\"" },
  { "2\ndenylist\nioctl errno 1 [1,1,&=,q]\n", ORIGIN ":3: bad argument mask \"q\"" },
  { "2\ndenylist\nmmap errno 1 [0,1,==] [1,1,==] [2,1,==] [3,1,==] [4,1,==] [5,1,==] [0,2,!=]\n",
    ORIGIN ":3: too many argument matches (at most 6)" },
  { "2\ndenylist\nioctl errno 1 [1,1,>=] [1,5,<=]\n", ORIGIN ":3: argument 1 is matched twice" },
  { "2\ndenylist\nioctl errno 1 [1,0x5412,==\n",
    ORIGIN ":3: unterminated argument match \"[1,0x5412,==\" (no \"]\")" },
  { "2\ndenylist\nioctl [1,0x5412,==] errno 1\n",
    ORIGIN ":3: unexpected \"errno\" after the argument matches" },
  { "2\ndenylist\nioctl errno 1 [1,0x5412,==]x\n",
    ORIGIN ":3: unexpected \"x\" after the argument matches" },
  /* names */
  { "2\ndenylist\nop%en errno 1\n", ORIGIN ":3: bad system call name \"op%en\"" },
  { "2\ndenylist\n\xff\x01 kill\n", ORIGIN ":3: bad system call name \"\\377\\001\"" },
  { "2\ndenylist\nreject_force_umount kill\n",
    ORIGIN ":3: unexpected \"kill\" after \"reject_force_umount\"" },
  { "2\ndenylist\nreject_force_umount [1,1,==]\n",
    ORIGIN ":3: unexpected argument matches after \"reject_force_umount\"" },
  /* foreign sections are still checked */
  { "2\ndenylist\n[s390x]\nread allo\n", ORIGIN ":4: unknown action \"allo\"" },
  /* version 1 */
  { "1\nallowlist\nread\n", ORIGIN ":3: bad system call number \"read\"" },
  { "1\nallowlist\n0 1\n", ORIGIN ":3: unexpected \"1\" after the system call number" },
  { "1\nallowlist\n-1\n", ORIGIN ":3: bad system call number \"-1\"" },
  { "1\nallowlist\n2147483648\n", ORIGIN ":3: bad system call number \"2147483648\"" },
  { "1\nallowlist\n[x86]\n", ORIGIN ":3: bad system call number \"[x86]\"" },
  /* comments and blank lines count as lines */
  { "# c\n2\n\n  # c\ndenylist\n\nread allo # c\n", ORIGIN ":7: unknown action \"allo\"" },
  { "2\r\ndenylist\r\nread allo\r\n", ORIGIN ":3: unknown action \"allo\"" },
};

static void
test_parse_errors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (parse_errors); i++) {
    g_test_message ("case %zu: %s", i, parse_errors[i].message);
    assert_parse_error (parse_errors[i].text, parse_errors[i].message);
  }
}

static void
test_parse_error_bounds (void)
{
  GString *text = g_string_new ("2\ndenylist\n");
  g_autofree char *long_name = NULL;
  g_autofree char *message = NULL;

  /* a line of 4096 bytes is fine (here: an unknown syscall), 4097 is not */
  for (int i = 0; i < SECCOMP_PROFILE_MAX_LINE; i++)
    g_string_append_c (text, 'a');
  g_string_append_c (text, '\n');
  {
    g_autoptr(SeccompProfile) profile = parse_ok (text->str);
  }
  g_string_truncate (text, text->len - 1);
  g_string_append (text, "a\n");
  assert_parse_error (text->str, ORIGIN ":3: line longer than 4096 bytes");
  g_string_free (text, TRUE);

  static const char nul[] = "2\ndenylist\nre\0ad kill\n";

  assert_parse_error_len (nul, sizeof nul - 1, ORIGIN ":3: NUL byte in the line");
  assert_parse_error_len ("\0", 1, ORIGIN ":1: NUL byte in the line");

  /* long tokens are cut in messages */
  long_name = g_strnfill (100, 'z');
  text = g_string_new ("2\ndenylist\nread ");
  g_string_append (text, long_name);
  message = g_strdup_printf (ORIGIN ":3: unknown action \"%.64s...\"", long_name);
  assert_parse_error (text->str, message);
  g_string_free (text, TRUE);
}

static void
test_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("seccomp-profile-XXXXXX", &error);
  g_autofree char *good = NULL, *bad = NULL, *big = NULL, *missing = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *data = NULL;
  SeccompProfile *profile;

  g_assert_no_error (error);
  good = g_build_filename (dir, "good.seccomp", NULL);
  bad = g_build_filename (dir, "bad.seccomp", NULL);
  big = g_build_filename (dir, "big.seccomp", NULL);
  missing = g_build_filename (dir, "missing.seccomp", NULL);

  g_assert_true (g_file_set_contents (good, "2\ndenylist\nkexec_load errno 1\n", -1, NULL));
  profile = seccomp_profile_load (good, &error);
  g_assert_no_error (error);
  g_assert_nonnull (profile);
  seccomp_profile_free (profile);

  g_assert_true (g_file_set_contents (bad, "2\ndenylist\n\n[bogus]\n", -1, NULL));
  profile = seccomp_profile_load (bad, &error);
  g_assert_null (profile);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  expected = g_strdup_printf ("%s:4: unsupported architecture \"bogus\"", bad);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  profile = seccomp_profile_load (missing, &error);
  g_assert_null (profile);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  profile = seccomp_profile_load (dir, &error);
  g_assert_null (profile);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);

  /* 1 MiB of comment lines is fine, one byte more is not */
  data = g_malloc (SECCOMP_PROFILE_MAX_SIZE + 1);
  memset (data, '#', SECCOMP_PROFILE_MAX_SIZE + 1);
  memcpy (data, "2\ndenylist\n", 11);
  for (gsize i = 100; i < SECCOMP_PROFILE_MAX_SIZE; i += 100)
    data[i] = '\n';
  g_assert_true (g_file_set_contents (big, data, SECCOMP_PROFILE_MAX_SIZE, NULL));
  profile = seccomp_profile_load (big, &error);
  g_assert_no_error (error);
  seccomp_profile_free (profile);
  g_assert_true (g_file_set_contents (big, data, SECCOMP_PROFILE_MAX_SIZE + 1, NULL));
  profile = seccomp_profile_load (big, &error);
  g_assert_null (profile);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, big));
  g_clear_error (&error);

  g_assert_no_errno (unlink (good));
  g_assert_no_errno (unlink (bad));
  g_assert_no_errno (unlink (big));
  g_assert_no_errno (rmdir (dir));
}

/* ---- the accepted grammar ----------------------------------------------------------- */

/* C8.8: [x86_64] accepted, errno on kexec_load, an ioctl argument match. */
static void
test_c8_8_grammar (void)
{
  g_autofree char *pfc = pfc_of ("2\n"
                                 "denylist\n"
                                 "[x86_64]\n"
                                 "kexec_load errno 1\n"
                                 "ioctl errno 1 [1,0x5412,==]\n");

  if (host_is_x86_64 ()) {
    g_assert_true (pfc_has (pfc, "x86_64", "\"kexec_load\""));
    g_assert_true (pfc_has (pfc, "x86_64", "if ($a1.lo32 == 21522)"));
    g_assert_false (pfc_has (pfc, "x86", "\"kexec_load\""));
  }
}

static void
test_parse_accepts (void)
{
  static const char *const good[] = {
    "1\nallowlist\n0\n1\n60\n231\n",
    "1\nwhitelist\n",
    "2\nwhitelist\n",
    "2\nblacklist\n",
    "2\nallowlist errno 38\n",
    "2\nallowlist trap\n",
    "2\ndenylist kill\n",
    "2\ndenylist allow\n",
    "2\ndenylist errno 0\nmknod errno 0\n",
    "\n\n# leading comments\n  2  # version\n\tdenylist\t# policy\n\n# rules\nread kill#x\n",
    "2\r\ndenylist\r\n[x86_64]\r\nread kill\r\n",
    "2\ndenylist\n[X86_64]\n[x86]\n[X32]\n[All]\n[ all ]\n[ARM]\n[arm64]\n[PPC]\n[ppc64]\n"
    "[ppc64le]\n[mips]\n[mips64]\n[mips64n32]\n[mipsel]\n[mipsel64]\n[MIPSEL64N32]\n[s390]\n"
    "[s390x]\n[loongarch64]\n[LoongArch64]\n",
    "2\ndenylist\nioctl errno 1 [ 1 , 0x5412 , == ]\n",
    "2\ndenylist\nioctl errno 1[1,0x5412,SCMP_CMP_EQ][0,2,SCMP_CMP_GT]\n",
    "2\ndenylist\nmmap errno 1 [0,1,==] [1,1,!=] [2,1,<] [3,1,<=] [4,1,>] [5,0777,&=,0x1ff]\n",
    "2\ndenylist\nmmap errno 1 [0,1,SCMP_CMP_NE] [1,1,SCMP_CMP_LT] [2,1,SCMP_CMP_LE] "
    "[3,1,SCMP_CMP_GE] [4,1,SCMP_CMP_GT] [5,1,SCMP_CMP_MASKED_EQ,1]\n",
    "2\ndenylist\nkexec_load errno 4094\nread allow\nwrite trap\nmknod errno 0\n",
    "2\ndenylist\nreject_force_umount  # comment this to allow umount -f\n",
    "2\ndenylist\n[s390x]\nthis_is_not_a_syscall kill\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++) {
    g_autoptr(SeccompProfile) profile = NULL;
    scmp_filter_ctx ctx;

    g_test_message ("case %zu", i);
    profile = parse_ok (good[i]);
    ctx = compile_ok (profile);
    seccomp_release (ctx);
  }
}

static void
test_unknown_syscall (void)
{
  g_autoptr(SeccompProfile) profile = NULL;
  scmp_filter_ctx ctx;

  g_test_expect_message (NULL, G_LOG_LEVEL_INFO,
                         ORIGIN ":4: unknown system call \"no_such_syscall\", rule skipped");
  profile = parse_ok ("2\ndenylist\nkexec_load errno 1\nno_such_syscall notify\n");
  g_test_assert_expected_messages ();
  g_assert_false (seccomp_profile_wants_notify (profile));
  ctx = compile_ok (profile);
  seccomp_release (ctx);
}

static void
test_defaults (void)
{
  g_autofree char *deny = pfc_of ("2\ndenylist\nkexec_load\n");
  g_autofree char *deny_errno = pfc_of ("2\ndenylist errno 5\nkexec_load\n");
  g_autofree char *allow = pfc_of ("2\nallowlist\nread\nwrite errno 7\n");
  g_autofree char *allow_errno = pfc_of ("2\nallowlist errno 38\nread\n");
  g_autofree char *v1 = NULL;
  g_autofree char *v1_text = g_strdup_printf ("1\nallowlist\n%d\n", (int) SYS_getppid);

  v1 = pfc_of (v1_text);
  /* denylist: unlisted allowed, listed rules kill (the process) */
  g_assert_nonnull (strstr (deny, "action ALLOW;"));
  g_assert_nonnull (strstr (deny, pfc_kill ()));
  /* the word after the policy is the action of unlisted syscalls */
  g_assert_nonnull (strstr (deny_errno, "action ERRNO(5);"));
  g_assert_nonnull (strstr (deny_errno, pfc_kill ()));
  /* allowlist: unlisted killed, listed allowed */
  g_assert_nonnull (strstr (allow, pfc_kill ()));
  g_assert_nonnull (strstr (allow, "action ALLOW;"));
  g_assert_nonnull (strstr (allow, "action ERRNO(7);"));
  g_assert_nonnull (strstr (allow_errno, "action ERRNO(38);"));
  /* version 1: native arch only */
  g_assert_nonnull (strstr (v1, pfc_kill ()));
  g_assert_nonnull (strstr (v1, "\"getppid\""));
  if (host_is_x86_64 ()) {
    g_assert_true (pfc_has (deny, "x86", "\"kexec_load\""));
    g_assert_true (pfc_has (deny, "x32", "\"kexec_load\""));
    g_assert_false (pfc_has (v1, "x86", "\""));
    g_assert_false (pfc_has (v1, "x32", "\""));
    g_assert_true (pfc_has (v1, "x86_64", "\"getppid\""));
  }
}

/* Rules of an arch section reach that arch only; no section and [all] reach all. */
static void
test_sections (void)
{
  g_autofree char *pfc = NULL;

  if (!host_is_x86_64 ()) {
    g_test_skip ("the arch layout checked here is x86_64's");
    return;
  }
  pfc = pfc_of ("2\n"
                "denylist\n"
                "kexec_load errno 1\n"
                "[x86]\n"
                "init_module errno 2\n"
                "[x86_64]\n"
                "finit_module errno 3\n"
                "[x32]\n"
                "delete_module errno 4\n"
                "[arm]\n"
                "open_by_handle_at errno 5\n"
                "[all]\n"
                "mknodat errno 6\n"
                "[x86]\n"
                "vm86 errno 7\n");
  for (guint i = 0; i < 3; i++) {
    const char *arch = (const char *[]) { "x86_64", "x86", "x32" }[i];

    g_test_message ("arch %s", arch);
    g_assert_true (pfc_has (pfc, arch, "\"kexec_load\""));
    g_assert_true (pfc_has (pfc, arch, "\"mknodat\""));
    g_assert_true (pfc_has (pfc, arch, "ERRNO(6)"));
    g_assert_false (pfc_has (pfc, arch, "\"open_by_handle_at\""));
    g_assert_true (pfc_has (pfc, arch, "\"init_module\"") == (i == 1));
    g_assert_true (pfc_has (pfc, arch, "\"finit_module\"") == (i == 0));
    g_assert_true (pfc_has (pfc, arch, "\"delete_module\"") == (i == 2));
    /* vm86 exists on x86 only */
    g_assert_true (pfc_has (pfc, arch, "\"vm86\"") == (i == 1));
  }
}

static void
test_reject_force_umount (void)
{
  g_autofree char *pfc = pfc_of ("2\ndenylist\nreject_force_umount\n");

  g_assert_nonnull (strstr (pfc, "\"umount2\""));
  g_assert_nonnull (strstr (pfc, "& 0x00000001 == 1"));
  g_assert_nonnull (strstr (pfc, "action ERRNO(13);"));
}

/* socketcall(2) multiplexing on x86: plain rules cover both forms; argument matches
 * cannot, and are not applied there. */
static void
test_multiplexed (void)
{
  g_autofree char *plain = NULL;
  g_autoptr(SeccompProfile) profile = NULL;
  g_autofree char *args = NULL;

  if (!host_is_x86_64 ()) {
    g_test_skip ("x86 compat is x86_64's");
    return;
  }
  plain = pfc_of ("2\ndenylist\nsocket errno 1\n");
  g_assert_true (pfc_has (plain, "x86", "\"socket\""));
  g_assert_true (pfc_has (plain, "x86", "\"socketcall\""));
  g_assert_true (pfc_has (plain, "x86_64", "\"socket\""));

  g_test_expect_message (NULL, G_LOG_LEVEL_INFO,
                         ORIGIN ":3: \"socket\" is multiplexed on x86, where its arguments "
                         "cannot be matched; rule not applied to x86");
  args = pfc_of ("2\ndenylist\nsocket errno 1 [0,16,==]\n");
  g_test_assert_expected_messages ();
  g_assert_false (pfc_has (args, "x86", "\"socket"));
  g_assert_true (pfc_has (args, "x86_64", "\"socket\""));
  g_assert_true (pfc_has (args, "x32", "\"socket\""));
}

/* A value wider than 32 bits cannot be matched on a 32-bit arch (libseccomp would compare
 * its low half only). */
static void
test_wide_values (void)
{
  g_autoptr(SeccompProfile) all = NULL;
  g_autoptr(SeccompProfile) only64 = NULL;
  g_autoptr(GError) error = NULL;
  scmp_filter_ctx ctx;

  if (!host_is_x86_64 ()) {
    g_test_skip ("x86 compat is x86_64's");
    return;
  }
  all = parse_ok ("2\ndenylist\n\nioctl errno 1 [1,0x100000000,==]\n");
  ctx = seccomp_profile_compile (all, TRUE, &error);
  g_assert_null (ctx);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_true (g_str_has_prefix (error->message, ORIGIN ":4: \"ioctl\": argument 1: "));
  g_assert_nonnull (strstr (error->message, " x86 "));

  only64 = parse_ok ("2\ndenylist\n[x86_64]\nioctl errno 1 [1,0x100000000,==]\n");
  ctx = compile_ok (only64);
  seccomp_release (ctx);
}

static void
assert_compile_error (const char *text, const char *message)
{
  g_autoptr(SeccompProfile) profile = parse_ok (text);
  g_autoptr(GError) error = NULL;
  scmp_filter_ctx ctx = seccomp_profile_compile (profile, TRUE, &error);

  g_assert_null (ctx);
  g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==, message);
}

/* Rules libseccomp cannot take: the error names the line and the syscall. */
static void
test_compile_errors (void)
{
  assert_compile_error ("2\ndenylist\ngetppid kill [0,1,==]\ngetppid trap [0,1,==]\n",
                        ORIGIN ":4: \"getppid\": an earlier rule has the same argument matches "
                        "and another action");
  if (host_is_x86_64 () && have_notify ()) {
    /* vm86 does not exist on x32: the filter would have no listener */
    g_autoptr(SeccompProfile) profile = parse_ok ("2\ndenylist\n[x32]\nvm86 notify\n");

    g_assert_true (seccomp_profile_wants_notify (profile));
    assert_compile_error ("2\ndenylist\n[x32]\nvm86 notify\n",
                          ORIGIN ":4: no \"notify\" rule applies to a system call of this host");
  }
}

static void
test_notify_flags (void)
{
  static const struct {
    const char *text;
    gboolean wants;
  } cases[] = {
    { "2\ndenylist\nmknod notify\nmknodat notify\n", TRUE },
    { "2\ndenylist\nmknod errno 1\n", FALSE },
    { "2\ndenylist\n[s390x]\nmknod notify\n", FALSE },
    { "2\nallowlist\nread\n", FALSE },
    { "2\ndenylist\n[x86]\nmknod notify\n", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(SeccompProfile) profile = parse_ok (cases[i].text);
    scmp_filter_ctx ctx;

    if (i == 4 && !host_is_x86_64 ())
      continue;
    g_assert_true (seccomp_profile_wants_notify (profile) == cases[i].wants);
    if (cases[i].wants && !have_notify ()) {
      g_autoptr(GError) error = NULL;

      g_assert_null (seccomp_profile_compile (profile, TRUE, &error));
      g_assert_error (error, COVE_ERROR, COVE_ERROR_NOT_SUPPORTED);
      g_assert_true (g_str_has_prefix (error->message, ORIGIN ":"));
      continue;
    }
    ctx = compile_ok (profile);
    seccomp_release (ctx);
  }
}

static void
test_nnp_attribute (void)
{
  g_autoptr(SeccompProfile) profile = parse_ok ("2\ndenylist\nkexec_load errno 1\n");
  scmp_filter_ctx ctx;
  uint32_t value = 42;

  ctx = seccomp_profile_compile (profile, FALSE, NULL);
  g_assert_nonnull (ctx);
  g_assert_cmpint (seccomp_attr_get (ctx, SCMP_FLTATR_CTL_NNP, &value), ==, 0);
  g_assert_cmpuint (value, ==, 0);
  seccomp_release (ctx);
  ctx = seccomp_profile_compile (profile, TRUE, NULL);
  g_assert_nonnull (ctx);
  g_assert_cmpint (seccomp_attr_get (ctx, SCMP_FLTATR_CTL_NNP, &value), ==, 0);
  g_assert_cmpuint (value, ==, 1);
  seccomp_release (ctx);
}

/* ---- garbage ------------------------------------------------------------------------ */

/* Parses and compiles @text: either works, or fails with "/fuzz/p.seccomp:<line>: …".
 * Returns 0: parse error, 1: compile error, 2: compiled. */
static int
check_any (const char *text, gsize len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SeccompProfile) profile = seccomp_profile_parse ("/fuzz/p.seccomp", text, len, &error);
  scmp_filter_ctx ctx;

  if (profile == NULL) {
    g_assert_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG);
    g_assert_true (g_str_has_prefix (error->message, "/fuzz/p.seccomp:"));
    g_assert_true (g_ascii_isdigit (error->message[strlen ("/fuzz/p.seccomp:")]));
    g_assert_true (g_utf8_validate (error->message, -1, NULL));
    return 0;
  }
  g_assert_no_error (error);
  ctx = seccomp_profile_compile (profile, TRUE, &error);
  if (ctx == NULL) {
    g_assert_nonnull (error);
    g_assert_true (error->domain == COVE_ERROR);
    g_assert_true (error->code == COVE_ERROR_INVALID_CONFIG ||
                   (error->code == COVE_ERROR_NOT_SUPPORTED && !have_notify ()));
    g_assert_true (g_str_has_prefix (error->message, "/fuzz/p.seccomp:"));
    g_assert_true (g_ascii_isdigit (error->message[strlen ("/fuzz/p.seccomp:")]));
    return 1;
  }
  g_assert_no_error (error);
  seccomp_release (ctx);
  return 2;
}

#define PICK(rand, array) ((array)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (array))])

static void
drop_message (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

static void
test_garbage (void)
{
  static const char *const words[] = {
    "1", "2", "3", "denylist", "allowlist", "whitelist", "blacklist", "debug", "[x86]",
    "[x86_64]", "[x32]", "[all]", "[ALL]", "[arm]", "[bogus]", "[", "]", "kill", "allow",
    "trap", "notify", "errno", "0", "1", "4094", "4095", "-1", "0x5412", "read", "ioctl",
    "mknod", "kexec_load", "socket", "vm86", "umount2", "reject_force_umount", "no_such",
    "[1,0x5412,==]", "[0,1,&=,1]", "[5,0xffffffffffffffff,>]", "[1,2,!=,3]", "[6,1,==]",
    "[1,0x100000000,==]", ",", "==", "&=", "#", " ", "\t", "\n", "\n", "\n", "\r\n",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240607);
  guint parsed = 0, outcome[3] = { 0, };
  guint handler;

  /* thousands of "unknown system call" lines */
  handler = g_log_set_handler (NULL, G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG, drop_message, NULL);

  /* random bytes */
  for (guint i = 0; i < 3000; i++) {
    guint8 buf[512];
    gsize len = g_rand_int_range (rand, 0, sizeof buf);

    for (gsize j = 0; j < len; j++)
      buf[j] = (guint8) g_rand_int_range (rand, 0, 256);
    /* a valid header half of the time, so the rule grammar gets garbage too */
    if (i % 2 == 0 && len > 11)
      memcpy (buf, i % 4 == 0 ? "2\ndenylist\n" : "1\nallowlist\n", 11);
    check_any ((const char *) buf, len);
  }

  /* random sequences of the grammar's words */
  for (guint i = 0; i < 3000; i++) {
    GString *text = g_string_new (i % 3 == 0 ? "" : "2\ndenylist\n");
    guint n = g_rand_int_range (rand, 0, 40);
    g_autoptr(GError) error = NULL;
    g_autoptr(SeccompProfile) profile = NULL;

    for (guint j = 0; j < n; j++) {
      g_string_append (text, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
      if (g_rand_boolean (rand))
        g_string_append_c (text, ' ');
    }
    profile = seccomp_profile_parse ("/fuzz/p.seccomp", text->str, text->len, &error);
    if (profile != NULL)
      parsed++;
    check_any (text->str, text->len);
    g_string_free (text, TRUE);
  }
  g_test_message ("%u of 3000 word sequences parsed", parsed);
  g_assert_cmpuint (parsed, >, 0);

  /* random rules, mostly well-formed */
  for (guint i = 0; i < 2000; i++) {
    static const char *const policies[] = {
      "denylist", "allowlist", "blacklist", "whitelist", "denylist errno 38", "allowlist trap",
      "denylist kill", "allowlist errno 1", "denylist notify", "denylist allow",
    };
    static const char *const sections[] = {
      "[x86]", "[x86_64]", "[x32]", "[all]", "[arm64]", "[ALL]", "[X86]", "[s390x]", "[bogus]",
    };
    static const char *const names[] = {
      "read", "write", "ioctl", "mknod", "mknodat", "socket", "socketcall", "shmget", "ipc",
      "vm86", "kexec_load", "umount2", "open", "openat", "mmap", "clone", "no_such_call",
      "reject_force_umount", "getppid", "arch_prctl", "bpf",
    };
    static const char *const actions[] = {
      "", "", "kill", "allow", "trap", "notify", "errno 1", "errno 0", "errno 4094",
      "errno 4095", "errno", "allo",
    };
    static const char *const matches[] = {
      "[0,1,==]", "[1,0x5412,==]", "[2,0xffffffff,<=]", "[3,0x100000000,>]", "[1,8,&=,8]",
      "[4,0,!=]", "[5,07,>=]", "[1,2,SCMP_CMP_MASKED_EQ,3]", "[0,1,&=]", "[6,1,==]",
      "[1,1,==,1]", "[0,-1,==]",
    };
    GString *text = g_string_new ("2\n");
    guint lines = g_rand_int_range (rand, 0, 12);

    g_string_append_printf (text, "%s\n", PICK (rand, policies));
    for (guint j = 0; j < lines; j++) {
      if (g_rand_int_range (rand, 0, 8) == 0) {
        g_string_append_printf (text, "%s\n", PICK (rand, sections));
        continue;
      }
      g_string_append_printf (text, "%s %s", PICK (rand, names), PICK (rand, actions));
      for (guint k = g_rand_int_range (rand, 0, 8); k < 3; k++)
        g_string_append_printf (text, " %s", PICK (rand, matches));
      g_string_append_c (text, '\n');
    }
    outcome[check_any (text->str, text->len)]++;
    g_string_free (text, TRUE);
  }
  g_log_remove_handler (NULL, handler);
  g_test_message ("random rules: %u parse errors, %u compile errors, %u compiled",
                  outcome[0], outcome[1], outcome[2]);
  g_assert_cmpuint (outcome[1], >, 0);
  g_assert_cmpuint (outcome[2], >, 100);
}

/* ---- filters loaded in a child ------------------------------------------------------ */

typedef int (*ChildFunc) (scmp_filter_ctx ctx);

/* Compiles @text, loads it in a forked child that then runs @func (whose return value is
 * the exit code); returns the child's wait status. */
static int
run_filtered (const char *text, ChildFunc func)
{
  g_autoptr(SeccompProfile) profile = parse_ok (text);
  scmp_filter_ctx ctx = compile_ok (profile);
  int status = 0;
  pid_t pid;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0) {
    struct rlimit no_core = { 0, 0 };

    setrlimit (RLIMIT_CORE, &no_core);
    if (seccomp_load (ctx) < 0)
      _exit (100);
    _exit (func (ctx));
  }
  seccomp_release (ctx);
  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  return status;
}

/* Valgrind emulates system calls: it has no seccomp(2) (libseccomp falls back to prctl)
 * and answers some (kexec_load …) itself, so a filter never sees them. */
static gboolean
skip_under_valgrind (void)
{
  if (!under_valgrind ())
    return FALSE;
  g_test_skip ("valgrind does not run these system calls through the kernel's filter");
  return TRUE;
}

static void
assert_exit_zero (int status)
{
  if (WIFSIGNALED (status))
    g_error ("child killed by signal %d", WTERMSIG (status));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static void
assert_sigsys (int status)
{
  if (WIFEXITED (status))
    g_error ("child exited with %d, expected death by SIGSYS", WEXITSTATUS (status));
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGSYS);
}

static int
child_kexec_eperm (scmp_filter_ctx ctx)
{
  long rc = syscall (SYS_kexec_load, 0UL, 0UL, NULL, 0UL);

  return rc == -1 && errno == EPERM ? 0 : 1;
}

static void
test_run_errno (void)
{
  if (skip_under_valgrind ())
    return;
  assert_exit_zero (run_filtered ("2\ndenylist\nkexec_load errno 1\n", child_kexec_eperm));
}

static int
child_ioctl (scmp_filter_ctx ctx)
{
  int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  char c = 'x';

  if (fd < 0)
    return 1;
  if (ioctl (fd, 0x5412 /* TIOCSTI */, &c) != -1 || errno != EPERM)
    return 2;
  if (ioctl (fd, TCGETS, &c) != -1 || errno == EPERM)   /* /dev/null: ENOTTY */
    return 3;
  if (ioctl (fd, 0x5413 /* TIOCGWINSZ */, &c) != -1 || errno == EPERM)
    return 4;
  return 0;
}

static void
test_run_arg_match (void)
{
  if (skip_under_valgrind ())
    return;
  assert_exit_zero (run_filtered ("2\ndenylist\nioctl errno 1 [1,0x5412,==]\n", child_ioctl));
}

static int
child_getppid (scmp_filter_ctx ctx)
{
  syscall (SYS_getppid);
  return 0;
}

static int
child_exit (scmp_filter_ctx ctx)
{
  return 0;
}

static void
test_run_kill (void)
{
  if (skip_under_valgrind ())
    return;
  assert_sigsys (run_filtered ("2\ndenylist\ngetppid kill\n", child_getppid));
  /* a rule without an action kills in a denylist */
  assert_sigsys (run_filtered ("2\ndenylist\ngetppid\n", child_getppid));
}

static void
on_sigsys (int sig, siginfo_t *info, void *context)
{
  _exit (info->si_code == 1 /* SYS_SECCOMP */ && info->si_syscall == SYS_getppid ? 0 : 7);
}

static int
child_trap (scmp_filter_ctx ctx)
{
  struct sigaction sa = { 0, };

  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  if (sigaction (SIGSYS, &sa, NULL) < 0)
    return 5;
  syscall (SYS_getppid);
  return 6;   /* the handler exits */
}

static void
test_run_trap (void)
{
  if (skip_under_valgrind ())
    return;
  assert_exit_zero (run_filtered ("2\ndenylist\ngetppid trap\n", child_trap));
}

static const char allowlist[] =
  "2\n"
  "allowlist\n"
  "exit_group\n"
  "exit\n";

static void
test_run_allowlist (void)
{
  g_autofree char *v1 = g_strdup_printf ("1\nallowlist\n%d\n%d\n", (int) SYS_exit_group,
                                         (int) SYS_exit);

  if (skip_under_valgrind ())
    return;
  assert_exit_zero (run_filtered (allowlist, child_exit));
  assert_sigsys (run_filtered (allowlist, child_getppid));
  assert_exit_zero (run_filtered (v1, child_exit));
  assert_sigsys (run_filtered (v1, child_getppid));
}

static int
child_force_umount (scmp_filter_ctx ctx)
{
  if (umount2 ("/nonexistent-cove-test", MNT_FORCE) != -1 || errno != EACCES)
    return 1;
  if (umount2 ("/nonexistent-cove-test", MNT_FORCE | MNT_DETACH) != -1 || errno != EACCES)
    return 2;
  if (umount2 ("/nonexistent-cove-test", MNT_DETACH) != -1 || errno == EACCES)
    return 3;   /* ENOENT as root, EPERM otherwise */
  return 0;
}

static void
test_run_reject_force_umount (void)
{
  if (skip_under_valgrind ())
    return;
  assert_exit_zero (run_filtered ("2\ndenylist\nreject_force_umount\n", child_force_umount));
}

static int
child_notify_fd (scmp_filter_ctx ctx)
{
  int fd = seccomp_notify_fd (ctx);

  return fd >= 0 ? 0 : 1;
}

static void
test_run_notify (void)
{
  g_autoptr(SeccompProfile) profile = parse_ok ("2\ndenylist\nmknod notify\nmknodat notify\n");

  g_assert_true (seccomp_profile_wants_notify (profile));
  if (skip_under_valgrind ())
    return;
  if (!have_notify ()) {
    g_test_skip ("no seccomp user notification (libseccomp API level < 5)");
    return;
  }
  assert_exit_zero (run_filtered ("2\ndenylist\nmknod notify\nmknodat notify\n", child_notify_fd));
  /* a notify rule for a compat arch only still gets the filter a listener */
  if (host_is_x86_64 ())
    assert_exit_zero (run_filtered ("2\ndenylist\n[x86]\nmknod notify\n", child_notify_fd));
}

static int
child_common (scmp_filter_ctx ctx)
{
  if (syscall (SYS_open_by_handle_at, -1, NULL, 0) != -1 || errno != EPERM)
    return 1;
  if (syscall (SYS_kexec_load, 0UL, 0UL, NULL, 0UL) != -1 || errno != EPERM)
    return 2;
  if (syscall (SYS_init_module, NULL, 0UL, "") != -1 || errno != EPERM)
    return 3;
  if (syscall (SYS_finit_module, -1, "", 0) != -1 || errno != EPERM)
    return 4;
  if (syscall (SYS_delete_module, "cove-none", 0) != -1 || errno != EPERM)
    return 5;
  if (umount2 ("/nonexistent-cove-test", MNT_FORCE) != -1 || errno != EACCES)
    return 6;
  if (getppid () <= 0)   /* everything else is allowed */
    return 7;
  return 0;
}

static void
test_common_profile (void)
{
  const char *datadir = g_getenv ("COVE_DATADIR");
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SeccompProfile) profile = NULL;
  scmp_filter_ctx ctx;

  if (datadir == NULL) {
    g_test_skip ("COVE_DATADIR is not set");
    return;
  }
  path = g_build_filename (datadir, "seccomp", "common.seccomp", NULL);
  profile = seccomp_profile_load (path, &error);
  g_assert_no_error (error);
  g_assert_false (seccomp_profile_wants_notify (profile));
  ctx = compile_ok (profile);
  seccomp_release (ctx);

  if (skip_under_valgrind ())
    return;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  assert_exit_zero (run_filtered (text, child_common));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/seccomp-profile/parse/errors", test_parse_errors);
  g_test_add_func ("/seccomp-profile/parse/bounds", test_parse_error_bounds);
  g_test_add_func ("/seccomp-profile/parse/accepts", test_parse_accepts);
  g_test_add_func ("/seccomp-profile/parse/unknown-syscall", test_unknown_syscall);
  g_test_add_func ("/seccomp-profile/parse/garbage", test_garbage);
  g_test_add_func ("/seccomp-profile/load", test_load);
  g_test_add_func ("/seccomp-profile/C8.8/grammar", test_c8_8_grammar);
  g_test_add_func ("/seccomp-profile/compile/defaults", test_defaults);
  g_test_add_func ("/seccomp-profile/compile/sections", test_sections);
  g_test_add_func ("/seccomp-profile/compile/reject-force-umount", test_reject_force_umount);
  g_test_add_func ("/seccomp-profile/compile/multiplexed", test_multiplexed);
  g_test_add_func ("/seccomp-profile/compile/wide-values", test_wide_values);
  g_test_add_func ("/seccomp-profile/compile/errors", test_compile_errors);
  g_test_add_func ("/seccomp-profile/compile/notify", test_notify_flags);
  g_test_add_func ("/seccomp-profile/compile/nnp", test_nnp_attribute);
  g_test_add_func ("/seccomp-profile/run/errno", test_run_errno);
  g_test_add_func ("/seccomp-profile/run/arg-match", test_run_arg_match);
  g_test_add_func ("/seccomp-profile/run/kill", test_run_kill);
  g_test_add_func ("/seccomp-profile/run/trap", test_run_trap);
  g_test_add_func ("/seccomp-profile/run/allowlist", test_run_allowlist);
  g_test_add_func ("/seccomp-profile/run/reject-force-umount", test_run_reject_force_umount);
  g_test_add_func ("/seccomp-profile/run/notify", test_run_notify);
  g_test_add_func ("/seccomp-profile/run/common-profile", test_common_profile);

  return g_test_run ();
}
