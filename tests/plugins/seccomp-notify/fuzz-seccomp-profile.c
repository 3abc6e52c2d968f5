/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target of the seccomp profile reader and compiler (plugins/seccomp-notify/profile*.c):
 * any input either parses and compiles, or fails with an error that names the profile and
 * line ("fuzz.seccomp:N: …"); nothing crashes, leaks or reads out of bounds. Replayed over
 * fuzz-corpus/ by the unit suite; a libFuzzer binary with -Dfuzzing and clang.
 */
#include "profile.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define ORIGIN "fuzz.seccomp"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SeccompProfile) profile = seccomp_profile_parse (ORIGIN, (const char *) data, size, &error);
  scmp_filter_ctx filter;

  if (profile == NULL) {
    g_assert_nonnull (error);
    g_assert_true (g_str_has_prefix (error->message, ORIGIN ":"));
    return 0;
  }
  g_assert_no_error (error);
  filter = seccomp_profile_compile (profile, TRUE, &error);
  if (filter == NULL) {
    g_assert_nonnull (error);
    g_assert_true (g_str_has_prefix (error->message, ORIGIN ":"));
    return 0;
  }
  seccomp_release (filter);
  return 0;
}
