#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Cove quick start, for a fresh Debian 12 machine (run as root to install the build
# dependencies): installs what is missing with apt, builds Cove, installs it into ./_install
# and runs the installed `cove`: version, plugins, API extensions, a config check of
# data/examples/basic.conf, and a bad config being rejected with FILE:LINE.
#
# This release has the core, the plugin loader, the config engine and logging; containers
# cannot be started yet (the lifecycle issue turns this script into running one).
#
# Everything it creates is inside the repository: _build/ and _install/ (rm -rf them to undo).
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
ROOT=$PWD
# shellcheck source=tests/deps.sh
source "$ROOT/tests/deps.sh"

BUILD=$ROOT/_build
PREFIX=$ROOT/_install
STEPS=7
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

# Only what this script installs, never the caller's plugin settings.
unset COVE_PLUGIN_PATH COVE_PLUGINS_DISABLE COVE_PATH

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
export LD_LIBRARY_PATH=$PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
COVE=$PREFIX/bin/cove
[ -x "$COVE" ] || fail "$COVE is missing after the install"
done_ok "library, headers, cove-1.pc and the cove tool in _install/ (plugins: _install/lib/cove-1/plugins)"

step "cove --version"
"$COVE" --version | sed 's/^/    /'

step "cove plugins   (installed plugins with their state, extensions and keys)"
plugins=$("$COVE" plugins)
if [ -n "$plugins" ]; then
  printf '%s\n' "$plugins" | sed 's/^/    /'
else
  echo "    (none: this release has no plugins yet; they land one per issue)"
fi

step "cove extensions   (API extensions this installation provides)"
"$COVE" extensions | sed 's/^/    /'

step "cove config check: data/examples/basic.conf, then two bad configs"
# lxc.log.file is opened (and created, with its directory) whenever a config that sets it
# is loaded, even by `cove config check`. So that this script leaves nothing outside the
# repository, remove what the check created if it did not exist before.
log_file=$(sed -n 's/^[[:space:]]*lxc\.log\.file[[:space:]]*=[[:space:]]*//p' data/examples/basic.conf | tail -n 1)
log_dir=$(dirname "$log_file")
had_log_file=false; [ -e "$log_file" ] && had_log_file=true
had_log_dir=false; [ -e "$log_dir" ] && had_log_dir=true
check_status=0
"$COVE" config check data/examples/basic.conf | sed 's/^/    /' || check_status=$?
[ "$had_log_file" = true ] || rm -f "$log_file"
[ "$had_log_dir" = true ] || rmdir "$log_dir" 2>/dev/null || true
[ "$check_status" -eq 0 ] || fail "data/examples/basic.conf was rejected"
done_ok "data/examples/basic.conf (and the common.conf it includes) is valid"

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

cat <<EOF

Quick start done. Cove is installed in _install/; try it with
    LD_LIBRARY_PATH=$PREFIX/lib $COVE --help
or, in the build tree, \`meson devenv -C _build\` (puts cove on PATH and the built plugins on
COVE_PLUGIN_PATH). Run every test suite with tests/run.sh. Docs: README.md and docs/.
Everything this script created is inside the repository (_build/ and _install/, remove them
with rm -rf _build _install); outside it, only the apt packages it installed, if any.
EOF
