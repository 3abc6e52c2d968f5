# SPDX-License-Identifier: LGPL-2.1-or-later
# cove: --version, --help of the tool and of every subcommand, unknown commands and
# options, exit statuses. Argument 1: the project version.
source "$(dirname "$0")/tap.sh"
VERSION=${1:?usage: cli-basic.sh VERSION}

run --version
expect_rc 0 "--version"
check "--version prints \"cove $VERSION\"" test "$OUT" = "cove $VERSION"
expect_empty_err "--version"

for opt in --help -h; do
  run "$opt"
  expect_rc 0 "$opt"
  expect_out '^Usage: cove \[-P PATH\] COMMAND' "$opt shows the usage line"
  expect_empty_err "$opt"
done

# The subcommands, from the help text (so that new ones are covered too).
mapfile -t subcommands < <(sed -n '/^Commands:/,/^$/{/^  [a-z]/{s/^  \([a-z-]*\).*/\1/;p}}' <<<"$OUT")
for expected in extensions keys plugins config; do
  check "--help lists the $expected command" grep -qx "$expected" < <(printf '%s\n' "${subcommands[@]}")
done

for sub in "${subcommands[@]}"; do
  for opt in --help -h; do
    run "$sub" "$opt"
    expect_rc 0 "$sub $opt"
    expect_out "^ *cove .*$(re "$sub")" "$sub $opt shows a usage line naming $sub"
    expect_empty_err "$sub $opt"
  done
  run "$sub" --no-such-option
  expect_rc 1 "$sub with an unknown option"
  expect_err "^cove: .*no-such-option" "$sub: the unknown option is named on stderr"
  expect_empty_out "$sub with an unknown option"
done

run
expect_rc 1 "no command"
expect_err '^Usage: cove' "no command: usage on stderr"
expect_empty_out "no command"

run frobnicate
expect_rc 1 "unknown command"
expect_err '^cove: unknown command "frobnicate"' "unknown command: named on stderr"
expect_empty_out "unknown command"

run --frobnicate extensions
expect_rc 1 "unknown global option"
expect_err '^cove: unknown option --frobnicate' "unknown global option: named on stderr"
expect_empty_out "unknown global option"

run extensions surplus
expect_rc 1 "extensions with an argument"
expect_err '^cove: extensions: .*surplus' "extensions: the surplus argument is named"

run keys lxc.log surplus
expect_rc 1 "keys with two arguments"
expect_err '^cove: keys: ' "keys with two arguments: message on stderr"

run plugins surplus
expect_rc 1 "plugins with an argument"
expect_err '^cove: plugins: .*surplus' "plugins: the surplus argument is named"

run config
expect_rc 1 "config without check"
expect_err '^cove: config: ' "config without check: message on stderr"

run config check
expect_rc 1 "config check without a file"
expect_err '^cove: config check: ' "config check without a file: message on stderr"

run -P relative/path extensions
expect_rc 1 "-P with a relative path"
expect_err 'must be absolute' "-P with a relative path: message on stderr"

run -P "$TMP" extensions
expect_rc 0 "-P with an absolute path"
run --path="$TMP" extensions
expect_rc 0 "--path=PATH"

tap_done
