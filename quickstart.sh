#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Cove quick start, for a fresh Debian 12 machine, as root: installs what is missing with
# apt, builds Cove, installs it into ./_install, checks the example configs, then runs a
# busybox container with the installed `cove`:
#
#   cove -P <temp dir> create demo -t busybox
#   cove start demo;  cove info demo
#   cove attach demo -- sh -c 'hostname; ps'
#   cove reboot demo -t 20            (the init PID before and after)
#   cove stop demo
#   cove execute demo -- sh -c 'exit 7'   (exit status 7)
#   cove destroy demo
#
# Each step is reported with its result. If a step fails, the container is stopped and
# destroyed before the script exits non-zero. What it leaves behind: _build/ and _install/
# in the repository (rm -rf them to undo) and the apt packages it installed, if any; the
# container, its temporary directory and its run directory are removed.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
ROOT=$PWD
# shellcheck source=tests/deps.sh
source "$ROOT/tests/deps.sh"

BUILD=$ROOT/_build
PREFIX=$ROOT/_install
STEPS=13
n=0

step () {
  n=$((n + 1))
  printf '\n==> [%d/%d] %s\n' "$n" "$STEPS" "$*"
}

done_ok () {
  printf '    ok: %s\n' "$*"
}

fail () {
  printf '\nquickstart FAILED at step %d: %s\n' "$n" "$*" >&2
  exit 1
}

indent () {
  sed 's/^/    /'
}

# Only what this script installs, never the caller's plugin settings or a build tree's
# helpers: the installed library runs $libexecdir/cove-monitor and reads its own data dir.
unset COVE_PLUGIN_PATH COVE_PLUGINS_DISABLE COVE_PATH COVE_MONITOR COVE_DATADIR

# ---- cleanup: whatever happens, leave no container, process, mount or file behind -----

WORK=
COVE=
RUN_COVE_EXISTED=true
cleanup () {
  local rc=$?
  trap - EXIT
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    if [ -d "$WORK/demo" ]; then
      if [ "$rc" -ne 0 ]; then
        printf '\n==> cleaning up after the failure: stop -k and destroy demo\n' >&2
      fi
      "$COVE" -P "$WORK" stop -k demo >/dev/null 2>&1 || true
      "$COVE" -P "$WORK" destroy demo >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
  fi
  # the run directory the installed library uses for root's containers; the monitor
  # removes its own subdirectory, and we remove the parent only if we created it
  if [ "$RUN_COVE_EXISTED" = false ]; then
    rmdir /run/cove 2>/dev/null || true
  fi
  exit "$rc"
}
trap cleanup EXIT

# ---- build and install --------------------------------------------------------------

step "build dependencies (apt)"
cove_install_deps || fail "could not install the build dependencies (run as root?)"
done_ok "dependencies present"

step "configure and build in _build/"
if [ -f "$BUILD/build.ninja" ]; then
  meson setup --reconfigure "$BUILD" --prefix="$PREFIX" --libdir=lib -Dtests=false >/dev/null \
    || fail "meson setup --reconfigure failed"
else
  rm -rf "$BUILD"
  meson setup "$BUILD" --prefix="$PREFIX" --libdir=lib -Dtests=false >/dev/null \
    || fail "meson setup failed (run it by hand to see why: meson setup _build)"
fi
ninja -C "$BUILD" >/dev/null || fail "the build failed (ninja -C _build shows why)"
done_ok "built"

step "install into _install/"
meson install -C "$BUILD" --no-rebuild >"$BUILD/install.log" 2>&1 \
  || { cat "$BUILD/install.log"; fail "meson install failed"; }
# the installed binaries carry no rpath to _install/lib; the monitor inherits this too
export LD_LIBRARY_PATH=$PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
COVE=$PREFIX/bin/cove
[ -x "$COVE" ] || fail "$COVE is missing after the install"
[ -x "$PREFIX/libexec/cove-monitor" ] || fail "$PREFIX/libexec/cove-monitor is missing after the install"
COMMON_CONF=$PREFIX/share/cove/config/busybox.common.conf
[ -f "$COMMON_CONF" ] || fail "$COMMON_CONF is missing after the install"
done_ok "library, headers, cove-1.pc, the cove tool, libexec/cove-monitor and share/cove/config in _install/"

step "cove --version, plugins, extensions"
"$COVE" --version | indent
plugins=$("$COVE" plugins)
if [ -n "$plugins" ]; then
  printf '%s\n' "$plugins" | indent
else
  echo "    plugins: none found (were they disabled at build time?)"
fi
echo "    extensions: $("$COVE" extensions | tr '\n' ' ')"
done_ok "the installed tool runs"

# ---- config check -------------------------------------------------------------------

step "cove config check: data/examples/basic.conf, then two bad configs"
# basic.conf sets lxc.log.file = /var/log/cove/basic.log. The file is opened only when a
# message is written to it, and a valid config at level INFO logs nothing: the check must
# not create it.
log_file=$(sed -n 's/^[[:space:]]*lxc\.log\.file[[:space:]]*=[[:space:]]*//p' data/examples/basic.conf | tail -n 1)
log_dir=$(dirname "$log_file")
had_log_file=false; [ -e "$log_file" ] && had_log_file=true
had_log_dir=false; [ -e "$log_dir" ] && had_log_dir=true
check_status=0
"$COVE" config check data/examples/basic.conf | indent || check_status=$?
created=false
if [ "$had_log_file" = false ] && [ -e "$log_file" ]; then
  created=true
  rm -f "$log_file"
fi
[ "$had_log_dir" = true ] || rmdir "$log_dir" 2>/dev/null || true
[ "$check_status" -eq 0 ] || fail "data/examples/basic.conf was rejected"
[ "$created" = false ] || fail "cove config check created $log_file (removed again)"
done_ok "data/examples/basic.conf (and the common.conf it includes) is valid; $log_file was not created"

mkdir -p "$BUILD/quickstart"
cat >"$BUILD/quickstart/typo.conf" <<'EOF'
# a misspelt key on line 3
lxc.log.level = INFO
lxc.log.levl = DEBUG
EOF
cat >"$BUILD/quickstart/bad-value.conf" <<EOF
lxc.include = $ROOT/data/examples/common.conf
# a level that does not exist, on line 3
lxc.log.level = LOUD
EOF
rel=${BUILD#"$ROOT"/}/quickstart
rc=0
"$COVE" config check "$rel/typo.conf" "$rel/bad-value.conf" 2>"$BUILD/quickstart/stderr" || rc=$?
sed 's/^/    stderr: /' "$BUILD/quickstart/stderr"
[ "$rc" -eq 1 ] || fail "cove config check exited $rc on bad configs (expected 1)"
grep -q "^$rel/typo.conf:3: " "$BUILD/quickstart/stderr" || fail "no FILE:LINE for typo.conf"
grep -q "^$rel/bad-value.conf:3: " "$BUILD/quickstart/stderr" || fail "no FILE:LINE for bad-value.conf"
done_ok "both rejected with exit status 1, each error as FILE:LINE: message"

# ---- a busybox container --------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || fail "the container steps need root (namespaces, mounts); run ./quickstart.sh as root"
[ -e /run/cove ] || RUN_COVE_EXISTED=false
WORK=$(mktemp -d /tmp/cove-quickstart.XXXXXX)
cove () {
  "$COVE" -P "$WORK" "$@"
}

# init_pid: the PID line of `cove info demo`
init_pid () {
  cove info demo | sed -n 's/^PID: //p'
}

# ppid PID: its parent's PID
ppid () {
  awk '/^PPid:/ { print $2 }' "/proc/$1/status"
}

# gone PID: true once PID has exited (within 5 s); an exited process that its new parent
# has not reaped yet (a zombie) counts as gone
gone () {
  local i
  for ((i = 0; i < 50; i++)); do
    [ -d "/proc/$1" ] || return 0
    [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ] || return 0
    sleep 0.1
  done
  return 1
}

step "cove -P $WORK create demo -t busybox"
cove create demo -t busybox | indent || fail "cove create failed"
[ -f "$WORK/demo/config" ] || fail "no config file in $WORK/demo"
sed 's/^/    config: /' "$WORK/demo/config"
grep -qxF "lxc.include = $COMMON_CONF" "$WORK/demo/config" \
  || fail "the config does not include the installed $COMMON_CONF"
done_ok "a busybox rootfs in $WORK/demo/rootfs; the config includes the installed busybox.common.conf"

step "cove start demo"
t0=$EPOCHREALTIME
cove start demo || fail "cove start demo failed"
t1=$EPOCHREALTIME
done_ok "started in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s"

step "cove info demo"
info=$(cove info demo) || fail "cove info demo failed"
printf '%s\n' "$info" | indent
grep -qx 'State: RUNNING' <<<"$info" || fail "demo is not RUNNING"
pid_before=$(sed -n 's/^PID: //p' <<<"$info")
{ [ -n "$pid_before" ] && [ -d "/proc/$pid_before" ]; } || fail "no live init PID for demo"
monitor_before=$(ppid "$pid_before")
done_ok "RUNNING, init PID $pid_before is alive (its parent, the cove-monitor, is PID $monitor_before)"

step "cove attach demo -- sh -c 'hostname; ps'"
out=$(cove attach demo -- sh -c 'hostname; ps') || fail "cove attach failed"
printf '%s\n' "$out" | indent
[ "$(head -n 1 <<<"$out")" = demo ] || fail "the hostname inside is not demo"
grep -Eq '^ *1 +root +init' <<<"$out" || fail "ps inside does not show the container's init as PID 1"
done_ok "ran inside the container: hostname demo, its own PID namespace (init is PID 1)"

step "cove reboot demo -t 20"
echo "    init PID before: $pid_before"
t0=$EPOCHREALTIME
cove reboot demo -t 20 || fail "cove reboot demo -t 20 failed"
t1=$EPOCHREALTIME
pid_after=$(init_pid)
echo "    init PID after:  ${pid_after:-none}"
{ [ -n "$pid_after" ] && [ -d "/proc/$pid_after" ]; } || fail "no live init PID after the reboot"
[ "$pid_after" != "$pid_before" ] || fail "the init PID did not change"
monitor_after=$(ppid "$pid_after")
[ "$monitor_after" = "$monitor_before" ] || fail "the monitor changed ($monitor_before → $monitor_after)"
cove info demo | grep -qx 'State: RUNNING' || fail "demo is not RUNNING after the reboot"
done_ok "RUNNING again after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s with a new init PID, under the same monitor (PID $monitor_after)"

step "cove stop demo"
t0=$EPOCHREALTIME
cove stop demo || fail "cove stop demo failed"
t1=$EPOCHREALTIME
info=$(cove info demo)
printf '%s\n' "$info" | indent
grep -qx 'State: STOPPED' <<<"$info" || fail "demo is not STOPPED"
gone "$pid_after" || fail "the init PID $pid_after is still running"
gone "$monitor_after" || fail "the monitor PID $monitor_after is still running"
done_ok "halted cleanly in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s; init and monitor are gone"

step "cove execute demo -- sh -c 'exit 7'"
status=0
cove execute demo -- sh -c 'exit 7' || status=$?
echo "    exit status: $status"
[ "$status" -eq 7 ] || fail "cove execute exited $status (expected 7)"
cove info demo | grep -qx 'State: STOPPED' || fail "demo is not STOPPED after execute"
done_ok "the command's exit status came back: 7"

step "cove destroy demo"
cove destroy demo || fail "cove destroy demo failed"
[ ! -e "$WORK/demo" ] || fail "$WORK/demo still exists"
rmdir "$WORK"
WORK=
done_ok "demo and its rootfs removed"

cat <<EOF

Quick start done: a busybox container was created, started, inspected, attached to,
rebooted, stopped, used for execute and destroyed with the installed cove.

Cove is installed in _install/; try it (as root) with
    LD_LIBRARY_PATH=$PREFIX/lib $COVE --help
or, in the build tree, \`meson devenv -C _build\` (puts cove on PATH and points
COVE_MONITOR, COVE_DATADIR and COVE_PLUGIN_PATH at the build). Run every test suite with
tests/run.sh. Docs: README.md and docs/ (docs/lifecycle.md for containers).

This script left behind only _build/ and _install/ in the repository; remove them with
    rm -rf _build _install
Outside the repository: only the apt packages it installed, if any. Its container, the
temporary directory and the run directory are gone.
EOF
