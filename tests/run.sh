#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Builds Cove and runs every test suite; CI runs this through .ci/run.
#
#   (a) build-tests:   the full build (-Dwerror=true), every suite (root included when root)
#   (b) build-trimmed: every plugin feature off (-Dauto_features=disabled), the core suites
#   (c) install (a) into a temporary prefix, build docs/examples/plugin against the
#       installed cove-1.pc and load it into the installed `cove` through COVE_PLUGIN_PATH;
#       build docs/examples/seccomp-supervisor against it
#   (d) a clang build of the libFuzzer targets (config parser, seccomp profile reader),
#       each run for ~30 s
#
# The last line is "N passed, N failed", counted from meson's testlog.json of each build
# plus (c) and (d) (and any build step that failed). Exit status 1 when anything failed.
# Build directories are wiped at the start of every run; temporary files are removed at exit.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
ROOT=$PWD
# shellcheck source=tests/deps.sh
source "$ROOT/tests/deps.sh"

FUZZ_SECONDS=${COVE_FUZZ_SECONDS:-30}
CORE_SUITES=(unit loader cli docs)

# The caller's plugin settings must not leak into the builds under test.
unset COVE_PLUGIN_PATH COVE_PLUGINS_DISABLE COVE_PATH

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cove-run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results      # extra results: STATUS<TAB>LABEL<TAB>DETAIL
BUILDS=$WORK/builds        # LABEL<TAB>BUILDDIR whose testlog.json counts
: >"$RESULTS"
: >"$BUILDS"
START=$SECONDS

section () {
  printf '\n=== %s ===\n' "$*"
}

record () {   # record passed|failed|skipped LABEL [DETAIL]
  printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$RESULTS"
  printf -- '--- %s: %s%s\n' "$2" "$1" "${3:+ ($3)}"
}

# Runs meson test in $1 with the remaining arguments, and registers its testlog.json.
run_meson_tests () {
  local label=$1 dir=$2 rc=0
  shift 2
  meson test -C "$dir" --print-errorlogs "$@" || rc=$?
  if [ -f "$dir/meson-logs/testlog.json" ]; then
    printf '%s\t%s\n' "$label" "$dir" >>"$BUILDS"
  fi
  # A non-zero exit without a failed test in the log (e.g. meson itself failed) still counts.
  if [ "$rc" -ne 0 ] && ! python3 - "$dir/meson-logs/testlog.json" <<'EOF'
import json, sys
try:
    with open(sys.argv[1]) as f:
        bad = [l for l in f if l.strip() and json.loads(l)["result"] not in ("OK", "EXPECTEDFAIL", "SKIP")]
except OSError:
    sys.exit(1)
sys.exit(0 if bad else 1)
EOF
  then
    record failed "$label: meson test" "exited with status $rc without a failed test in testlog.json"
  fi
}

# ---- dependencies ---------------------------------------------------------------------
section "dependencies"
if ! cove_install_deps; then
  record failed "dependencies" "could not install: $(cove_missing_deps | tr '\n' ' ')"
fi

# ---- (a) main build -------------------------------------------------------------------
section "(a) main build: build-tests (-Dwerror=true), all suites"
PREFIX=$WORK/prefix
rm -rf build-tests
suite_args=()
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: the root suite is not run"
  suite_args=(--no-suite root)
fi
main_built=false
if meson setup build-tests -Dwerror=true --prefix="$PREFIX" --libdir=lib \
   && ninja -C build-tests; then
  main_built=true
  run_meson_tests build-tests build-tests "${suite_args[@]}"
else
  record failed "build-tests: build" "meson setup or ninja failed"
fi

# ---- (b) trimmed build ----------------------------------------------------------------
section "(b) trimmed build: build-trimmed (-Dauto_features=disabled), core suites"
rm -rf build-trimmed
suite_args=()
for s in "${CORE_SUITES[@]}"; do
  suite_args+=(--suite "$s")
done
if meson setup build-trimmed -Dauto_features=disabled -Dwerror=true && ninja -C build-trimmed; then
  run_meson_tests build-trimmed build-trimmed "${suite_args[@]}"
else
  record failed "build-trimmed: build" "meson setup or ninja failed"
fi

# ---- (c) installed library + out-of-tree example plugin ------------------------------
section "(c) install, build docs/examples/plugin out of tree, load it"
check_example_plugin () {
  local lib=$PREFIX/lib cove=$PREFIX/bin/cove exdir=$WORK/example-build plugdir so
  local conf=$WORK/example.conf

  meson install -C build-tests --no-rebuild >"$WORK/install.log" 2>&1 \
    || { tail -20 "$WORK/install.log"; echo "meson install failed"; return 1; }
  [ -x "$cove" ] || { echo "no $cove after install"; return 1; }
  [ -f "$lib/pkgconfig/cove-1.pc" ] || { echo "no $lib/pkgconfig/cove-1.pc after install"; return 1; }
  [ -f docs/examples/plugin/meson.build ] || { echo "docs/examples/plugin/meson.build is missing"; return 1; }

  PKG_CONFIG_PATH=$lib/pkgconfig meson setup "$exdir" docs/examples/plugin -Dwerror=true \
    || { echo "meson setup of the example plugin failed"; return 1; }
  ninja -C "$exdir" || { echo "building the example plugin failed"; return 1; }
  so=$(find "$exdir" -name example-hello.so -type f | head -n 1)
  [ -n "$so" ] || { echo "example-hello.so was not built"; return 1; }
  plugdir=$(dirname "$so")
  echo "example plugin: $so"

  export LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  COVE_PLUGIN_PATH=$plugdir "$cove" plugins --json >"$WORK/plugins.json" \
    || { echo "cove plugins --json failed"; return 1; }
  python3 - "$WORK/plugins.json" "$so" <<'EOF' || return 1
import json, sys
plugins = json.load(open(sys.argv[1]))
found = [p for p in plugins if p["name"] == "example-hello"]
if not found:
    sys.exit("example-hello is not listed by cove plugins --json: %s" % plugins)
p = found[0]
if p["state"] != "ACTIVE":
    sys.exit("example-hello is %s: %s" % (p["state"], p["reason"]))
print("cove plugins --json: example-hello %s ACTIVE from %s, extensions %s, keys %s"
      % (p["version"], p["file"], p["extensions"], p["keys"]))
EOF
  COVE_PLUGIN_PATH=$plugdir "$cove" extensions >"$WORK/extensions.txt" \
    || { echo "cove extensions failed"; return 1; }
  grep -qx x_example_greeting "$WORK/extensions.txt" \
    || { echo "cove extensions does not list x_example_greeting:"; cat "$WORK/extensions.txt"; return 1; }
  echo "cove extensions: lists x_example_greeting"

  printf '# uses the example plugin\nlxc.x-example.greeting = hello\n' >"$conf"
  COVE_PLUGIN_PATH=$plugdir "$cove" config check "$conf" \
    || { echo "cove config check rejected lxc.x-example.greeting with the plugin loaded"; return 1; }
  if COVE_PLUGIN_PATH=$plugdir COVE_PLUGINS_DISABLE=example-hello \
       "$cove" config check "$conf" 2>"$WORK/check.err"; then
    echo "cove config check accepted lxc.x-example.greeting with example-hello disabled"
    return 1
  fi
  if ! grep -q "^$conf:2: .*lxc\.x-example\.greeting" "$WORK/check.err"; then
    echo "expected \"$conf:2: …lxc.x-example.greeting…\" on stderr, got:"
    cat "$WORK/check.err"
    return 1
  fi
  echo "with COVE_PLUGINS_DISABLE=example-hello: $(cat "$WORK/check.err")"
}
if [ "$main_built" != true ]; then
  record failed "example plugin (installed)" "build-tests was not built"
elif (check_example_plugin) 2>&1 | tee "$WORK/example.log"; then
  record passed "example plugin (installed)"
else
  record failed "example plugin (installed)" "$(tail -n 1 "$WORK/example.log")"
fi

# The seccomp supervisor example against the installed library (the root suite runs it
# against real containers, built in the tree).
check_example_supervisor () {
  local lib=$PREFIX/lib exdir=$WORK/supervisor-build

  PKG_CONFIG_PATH=$lib/pkgconfig meson setup "$exdir" docs/examples/seccomp-supervisor -Dwerror=true \
    || { echo "meson setup of docs/examples/seccomp-supervisor failed"; return 1; }
  ninja -C "$exdir" || { echo "building the example supervisor failed"; return 1; }
  LD_LIBRARY_PATH=$lib "$exdir/seccomp-supervisor" -h 2>&1 | grep -q "mknod" \
    || { echo "seccomp-supervisor -h printed no usage"; return 1; }
  echo "docs/examples/seccomp-supervisor builds against the installed cove-1.pc"
}
if [ "$main_built" != true ]; then
  record failed "example supervisor (installed)" "build-tests was not built"
elif (check_example_supervisor) 2>&1 | tee "$WORK/supervisor.log"; then
  record passed "example supervisor (installed)"
else
  record failed "example supervisor (installed)" "$(tail -n 1 "$WORK/supervisor.log")"
fi

# ---- (d) fuzzing ----------------------------------------------------------------------
section "(d) fuzzing: clang libFuzzer builds, ${FUZZ_SECONDS} s per target"
# run_fuzz NAME TARGET CORPUS: builds TARGET (a ninja path in build-tests-fuzz) and runs it
# on a copy of CORPUS for FUZZ_SECONDS.
run_fuzz () {
  local name=$1 target=$2 corpus=$3 fuzzer=$ROOT/build-tests-fuzz/$2 rc=0
  local dir=$WORK/fuzz-$1

  [ -d "$corpus" ] || { echo "$corpus is missing"; return 1; }
  ninja -C build-tests-fuzz "$target" \
    || { echo "building $target failed (does the target exist?)"; return 1; }
  [ -x "$fuzzer" ] || { echo "$fuzzer was not built"; return 1; }
  mkdir -p "$dir/artifacts"
  cp -r "$corpus" "$dir/corpus"
  echo "$name corpus: $(find "$dir/corpus" -type f | wc -l) seed files"
  (cd "$dir" && "$fuzzer" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
     -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus") \
     >"$dir/fuzz.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -n 40 "$dir/fuzz.log"
    for f in "$dir"/artifacts/*; do
      [ -f "$f" ] && { echo "artifact $(basename "$f"):"; od -c "$f" | head -n 20; }
    done
    echo "$name exited with status $rc (a crash, leak or timeout: see above)"
    return 1
  fi
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|Done [0-9]+ runs)' "$dir/fuzz.log" || tail -n 3 "$dir/fuzz.log"
}
rm -rf build-tests-fuzz
if ! command -v clang >/dev/null 2>&1; then
  record skipped "fuzz-config" "clang is not installed"
elif ! CC=clang meson setup build-tests-fuzz -Dfuzzing=enabled -Dwerror=true >"$WORK/fuzz-setup.log" 2>&1; then
  tail -n 20 "$WORK/fuzz-setup.log"
  record failed "fuzzing" "meson setup of the clang fuzz build failed"
else
  for spec in "fuzz-config tests/fuzz/fuzz-config tests/fuzz/corpus" \
              "fuzz-seccomp-profile tests/plugins/seccomp-notify/fuzz-seccomp-profile tests/plugins/seccomp-notify/fuzz-corpus"; do
    set -- $spec
    if [ "$1" = fuzz-seccomp-profile ] && [ ! -f build-tests/plugins/seccomp-notify.so ]; then
      record skipped "$1" "the seccomp-notify plugin is not built (libseccomp missing?)"
    elif (run_fuzz "$@") 2>&1 | tee "$WORK/$1-step.log"; then
      record passed "$1 (${FUZZ_SECONDS} s)"
    else
      record failed "$1 (${FUZZ_SECONDS} s)" "$(tail -n 1 "$WORK/$1-step.log")"
    fi
  done
fi

# ---- summary --------------------------------------------------------------------------
section "summary ($(( SECONDS - START )) s)"
status=0
python3 - "$BUILDS" "$RESULTS" <<'EOF' || status=$?
import json, sys
from collections import OrderedDict

PASSED = {"OK", "EXPECTEDFAIL"}
FAILED = {"FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"}
total = {"passed": 0, "failed": 0, "skipped": 0}
failures = []

def suite_of(name):
    # "cove:unit+slow / parser" -> "unit+slow"
    head = name.split(" / ", 1)[0] if " / " in name else "(none)"
    return head.split(":", 1)[1] if ":" in head else head

with open(sys.argv[1]) as f:
    builds = [line.rstrip("\n").split("\t") for line in f if line.strip()]
for label, builddir in builds:
    per_suite = OrderedDict()
    with open(builddir + "/meson-logs/testlog.json") as f:
        for line in f:
            if not line.strip():
                continue
            test = json.loads(line)
            result = test.get("result")
            kind = "passed" if result in PASSED else "failed" if result in FAILED else "skipped" if result == "SKIP" else "failed"
            counts = per_suite.setdefault(suite_of(test["name"]), {"passed": 0, "failed": 0, "skipped": 0})
            counts[kind] += 1
            total[kind] += 1
            if kind == "failed":
                failures.append("%s: %s (%s)" % (label, test["name"], result))
    for suite, c in per_suite.items():
        print("%-14s %-12s %3d passed, %d failed, %d skipped" % (label, suite, c["passed"], c["failed"], c["skipped"]))

with open(sys.argv[2]) as f:
    for line in f:
        if not line.strip():
            continue
        kind, label, detail = (line.rstrip("\n").split("\t") + ["", ""])[:3]
        total[kind] += 1
        print("%-14s %-12s %s%s" % ("extra", label, kind, " (%s)" % detail if detail else ""))
        if kind == "failed":
            failures.append("%s%s" % (label, ": " + detail if detail else ""))

for f in failures:
    print("FAILED: " + f)
if total["skipped"]:
    print("%d skipped" % total["skipped"])
print("%d passed, %d failed" % (total["passed"], total["failed"]))
sys.exit(1 if total["failed"] else 0)
EOF
if [ "$status" -gt 1 ]; then
  # the summary itself broke: never end with a line that could read as success
  echo "the summary script failed with status $status"
  echo "0 passed, 1 failed"
fi
[ "$status" -eq 0 ] || exit 1
exit 0
