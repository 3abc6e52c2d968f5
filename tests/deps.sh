# SPDX-License-Identifier: LGPL-2.1-or-later
# Build and test dependencies of Cove on Debian 12. Sourced by tests/run.sh and
# quickstart.sh (bash); defines cove_install_deps, which installs what is missing with apt.

COVE_DEPS=(
  meson ninja-build pkg-config gcc clang
  libglib2.0-dev libglib-testing-0-dev
  libseccomp-dev libcap-dev libmnl-dev
  busybox-static iproute2 python3
)

# Prints the packages of COVE_DEPS that are not installed, one per line.
cove_missing_deps () {
  local pkg status
  for pkg in "${COVE_DEPS[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != installed ]; then
      echo "$pkg"
    fi
  done
}

# Installs the missing packages (apt-get update only when something is missing).
# Returns non-zero when they cannot be installed.
cove_install_deps () {
  local missing
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: dpkg-query not found: not a Debian system; install these yourself: ${COVE_DEPS[*]}" >&2
    return 0
  fi
  mapfile -t missing < <(cove_missing_deps)
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "deps: all ${#COVE_DEPS[@]} build dependencies are installed"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing ${missing[*]}; run as root to install them (apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q </dev/null || return 1
  apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null || return 1
}
