# SPDX-License-Identifier: LGPL-2.1-or-later
# cove config check: good files (comments, blank lines, relative includes of files and
# directories, empty values) pass; every error exits 1 and prints FILE:LINE: message
# naming the key and the value.
source "$(dirname "$0")/tap.sh"

D=$TMP/configs
mkdir -p "$D/conf.d" "$D/sub"

# ---- good files --------------------------------------------------------------------------
cat >"$D/good.conf" <<CONF
# a comment, then a blank line

lxc.log.level = info
   lxc.log.file=$TMP/logs/good.log
lxc.include = common.conf
lxc.include = conf.d
lxc.include = sub/
CONF
printf 'lxc.log.level = DEBUG   \n' >"$D/common.conf"
printf '# 10\nlxc.log.level = 3\n' >"$D/conf.d/10-first.conf"
printf 'lxc.log.level = WARN\n' >"$D/conf.d/20-second.conf"
printf 'this is not a config line\n' >"$D/conf.d/README"
printf 'lxc.log.level = NOTICE\n' >"$D/sub/a.conf"

run config check "$D/good.conf"
expect_rc 0 "good config with includes"
check "good config: prints FILE: OK" test "$OUT" = "$D/good.conf: OK"
expect_empty_err "good config"

printf 'lxc.log.file = /var/log/x.log\nlxc.log.file =\nlxc.log.level = 8\nlxc.log.level = FATAL\n' >"$D/clear.conf"
run config check "$D/clear.conf"
expect_rc 0 "an empty value clears a key; levels 8 and FATAL"

run config check "$D/good.conf" "$D/clear.conf"
expect_rc 0 "two good files"
check "two good files: two OK lines" test "$(grep -c ': OK$' <<<"$OUT")" -eq 2

# ---- errors ------------------------------------------------------------------------------
# bad_case NAME LINE REGEX DESCRIPTION: config check of $D/NAME fails with NAME:LINE: REGEX
bad_case () {
  local file=$D/$1 line=$2 regex=$3 what=$4
  run config check "$file"
  expect_rc 1 "$what"
  expect_err "^$(re "$file"):$line: $regex" "$what: $1:$line: names the problem"
  check "$what: no OK line" test -z "$OUT"
}

printf '# level\n\nlxc.log.level = bogus\n' >"$D/bad-level.conf"
bad_case bad-level.conf 3 'invalid value "bogus" for lxc\.log\.level' "bad log level"

printf 'lxc.log.level = 9\n' >"$D/bad-level9.conf"
bad_case bad-level9.conf 1 'invalid value "9" for lxc\.log\.level' "log level 9"

printf 'lxc.log.level = INFO\nlxc.log.file = relative.log\n' >"$D/bad-file.conf"
bad_case bad-file.conf 2 'invalid value "relative\.log" for lxc\.log\.file' "relative log file"

printf 'lxc.log.level = INFO\nlxc.nonsense = 1\n' >"$D/unknown.conf"
bad_case unknown.conf 2 'unknown configuration key "lxc\.nonsense"' "unknown key"

printf 'lxc.log.level.nonsense = 1\n' >"$D/unknown2.conf"
bad_case unknown2.conf 1 'unknown configuration key "lxc\.log\.level\.nonsense"' "unknown key below a known one"

printf 'lxc.net.0.bogus = 1\n' >"$D/net-bogus.conf"
bad_case net-bogus.conf 1 '.*"lxc\.net\.0\.bogus"' "unknown interface key"

printf 'lxc.net.x.type = veth\n' >"$D/net-x.conf"
bad_case net-x.conf 1 '.*"lxc\.net\.x\.type"' "interface number that is not a number"

printf 'lxc.net.2147483647.type = veth\n' >"$D/net-big.conf"
bad_case net-big.conf 1 '.*"lxc\.net\.2147483647\.type".*out of range' "interface number out of range"

printf 'lxc.net.0. = 1\n' >"$D/net-dot.conf"
bad_case net-dot.conf 1 '.*"lxc\.net\.0\."' "interface key with a trailing dot"

printf 'foo = bar\n' >"$D/not-lxc.conf"
bad_case not-lxc.conf 1 'unknown configuration key "foo"' "key outside lxc."

printf 'lxc.log.level = INFO\njust some words\n' >"$D/no-equals.conf"
bad_case no-equals.conf 2 'expected "key = value"' "line without ="

printf ' = value\n' >"$D/no-key.conf"
bad_case no-key.conf 1 'missing key' "line without a key"

printf 'lxc.log.level = INFO\nlxc.log.level = DE\0BUG\n' >"$D/nul.conf"
bad_case nul.conf 2 'line contains a NUL byte' "NUL byte"

{ printf 'lxc.log.file = /'; head -c 5000 /dev/zero | tr '\0' a; printf '\n'; } >"$D/long.conf"
bad_case long.conf 1 'line is longer than 4096 bytes' "line over 4096 bytes"

{ printf 'lxc.log.file = /'; head -c 4080 /dev/zero | tr '\0' a; printf '\n'; } >"$D/long-ok.conf"
check "long-ok.conf has a 4096-byte line" test "$(head -n 1 "$D/long-ok.conf" | wc -c)" -eq 4097
run config check "$D/long-ok.conf"
expect_rc 0 "a line of exactly 4096 bytes"

# errors inside includes name the included file and line, and where it was included
printf 'lxc.log.level = INFO\nlxc.include = inc/bad.conf\n' >"$D/top.conf"
mkdir -p "$D/inc"
printf '\n\nlxc.bogus = 2\n' >"$D/inc/bad.conf"
run config check "$D/top.conf"
expect_rc 1 "error in an included file"
expect_err "$(re "inc/bad.conf"):3: unknown configuration key \"lxc\.bogus\" \(included from $(re "$D/top.conf"):2\)" \
  "error in an included file: names both places"

printf 'lxc.include = loop-b.conf\n' >"$D/loop-a.conf"
printf '# b\nlxc.include = loop-a.conf\n' >"$D/loop-b.conf"
run config check "$D/loop-a.conf"
expect_rc 1 "include loop"
expect_err 'include loop' "include loop: reported"

printf 'lxc.include = missing.conf\n' >"$D/inc-missing.conf"
run config check "$D/inc-missing.conf"
expect_rc 1 "include of a missing file"
expect_err "^$(re "$D/inc-missing.conf"):1: .*missing\.conf" "include of a missing file: names it"

printf 'lxc.include =\n' >"$D/inc-empty.conf"
bad_case inc-empty.conf 1 'lxc\.include needs a file or directory' "empty lxc.include"

run config check "$D/does-not-exist.conf"
expect_rc 1 "missing file"
expect_err "$(re "$D/does-not-exist.conf")" "missing file: named on stderr"

run config check "$D"
expect_rc 1 "a directory as the config file"

run config check "$D/good.conf" "$D/unknown.conf" "$D/clear.conf"
expect_rc 1 "good, bad, good"
check "good, bad, good: two OK lines" test "$(grep -c ': OK$' <<<"$OUT")" -eq 2
expect_err "^$(re "$D/unknown.conf"):2: " "good, bad, good: the bad one on stderr"

# ---- keys of first-party plugins that are not loaded name the plugin --------------------
run plugins --json
ipvlan_state=$(python3 -c '
import json, sys
states = [p["state"] for p in json.load(sys.stdin) if p["name"] == "net-ipvlan"]
print(states[0] if states else "absent")' <<<"$OUT")
diag "net-ipvlan is $ipvlan_state"
printf '# ipvlan\nlxc.net.0.ipvlan.mode = l3\n' >"$D/ipvlan.conf"
if [ "$ipvlan_state" = absent ]; then
  bad_case ipvlan.conf 2 'lxc\.net\.0\.ipvlan\.mode needs plugin net-ipvlan, which is not installed' \
    "ipvlan key without the plugin"
  printf 'lxc.seccomp.profile = /x\n' >"$D/seccomp.conf"
  run plugins --json
  if grep -q '"seccomp-notify"' <<<"$OUT"; then
    ok "# SKIP seccomp-notify is installed"
  else
    bad_case seccomp.conf 1 'lxc\.seccomp\.profile needs plugin seccomp-notify, which is not installed' \
      "seccomp key without the plugin"
  fi
else
  run COVE_PLUGINS_DISABLE=net-ipvlan config check "$D/ipvlan.conf"
  expect_rc 1 "ipvlan key with net-ipvlan disabled"
  expect_err "^$(re "$D/ipvlan.conf"):2: lxc\.net\.0\.ipvlan\.mode needs plugin net-ipvlan, which is disabled" \
    "ipvlan key with net-ipvlan disabled: names the plugin"
fi

tap_done
