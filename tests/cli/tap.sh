# SPDX-License-Identifier: LGPL-2.1-or-later
# A small TAP library for the cli tests (sourced by bash). Each test script runs `cove`
# through `run`, then states what it expects with the expect_* helpers; tap_done prints
# the plan. Needs COVE_TOOL (set by test_env in tests/meson.build).
set -u

: "${COVE_TOOL:?COVE_TOOL must name the cove binary (run through meson test)}"
# The plugins under test come from test_env; nothing from the caller's environment.
unset COVE_PLUGINS_DISABLE COVE_PATH

TAP_N=0
TAP_FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cove-cli-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

OUT=
ERR=
RC=
CMD=

diag () {
  printf '%s\n' "$@" | sed 's/^/# /'
}

ok () {
  TAP_N=$((TAP_N + 1))
  echo "ok $TAP_N - $*"
}

not_ok () {
  TAP_N=$((TAP_N + 1))
  TAP_FAILED=$((TAP_FAILED + 1))
  echo "not ok $TAP_N - $*"
  diag "command: $CMD" "exit status: $RC" "stdout:" "$OUT" "stderr:" "$ERR"
}

# check DESCRIPTION COMMAND…: ok when COMMAND succeeds
check () {
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# run [VAR=VALUE…] ARGS…: runs $COVE_TOOL ARGS with the given environment; sets OUT, ERR, RC
run () {
  local envs=()
  while [ $# -gt 0 ] && [[ $1 == *=* && $1 != -* ]]; do
    envs+=("$1")
    shift
  done
  CMD="${envs[*]:+${envs[*]} }cove $*"
  RC=0
  env "${envs[@]}" "$COVE_TOOL" "$@" >"$TMP/.out" 2>"$TMP/.err" </dev/null || RC=$?
  OUT=$(cat "$TMP/.out")
  ERR=$(cat "$TMP/.err")
}

expect_rc () {          # expect_rc WANT DESCRIPTION
  check "$2 (exit $1)" test "$RC" -eq "$1"
}

expect_out () {         # expect_out REGEX DESCRIPTION: a line of stdout matches (grep -E)
  check "$2" grep -Eq -- "$1" <<<"$OUT"
}

_no_match () {
  ! grep -Eq -- "$1" <<<"$2"
}

expect_no_out () {      # expect_no_out REGEX DESCRIPTION: no line of stdout matches
  check "$2" _no_match "$1" "$OUT"
}

expect_err () {         # expect_err REGEX DESCRIPTION: a line of stderr matches (grep -E)
  check "$2" grep -Eq -- "$1" <<<"$ERR"
}

expect_err_fixed () {   # expect_err_fixed STRING DESCRIPTION: stderr contains STRING
  check "$2" grep -Fq -- "$1" <<<"$ERR"
}

expect_empty_out () {
  check "$1: nothing on stdout" test -z "$OUT"
}

expect_empty_err () {
  check "$1: nothing on stderr" test -z "$ERR"
}

# Quotes a literal string for grep -E.
re () {
  printf '%s' "$1" | sed 's/[][\.*^$(){}?+|]/\\&/g'
}

tap_done () {
  echo "1..$TAP_N"
  [ "$TAP_FAILED" -eq 0 ]
}
