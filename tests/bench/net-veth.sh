#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Benchmark (not a test): start→exit of /bin/true in a busybox container with one veth
# (name eth0, flags up, ipv4.address 192.0.2.10/24, veth.pair, veth.ipv4.route
# 198.51.100.0/24), interleaved:
#   cove    cove execute NAME -- /bin/true
#   lxc     lxc-start -F -n NAME -- /bin/true   (LXC 5.0, the same interface)
# Everything runs inside a private network namespace this script creates (unshare -n);
# the machine's own namespace is never touched. Prints medians and the ratio.
#   tests/bench/net-veth.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
BUILD=${1:-build}
ROUNDS=${2:-30}

[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 2; }
command -v lxc-start >/dev/null || { echo "needs LXC: apt-get install --no-install-recommends lxc" >&2; exit 2; }

if [ -z "${COVE_BENCH_IN_NETNS:-}" ]; then
  exec env COVE_BENCH_IN_NETNS=1 unshare -n -- "$0" "$BUILD" "$ROUNDS"
fi
ip link set lo up

COVE=$PWD/$BUILD/tools/cove
export COVE_MONITOR=$PWD/$BUILD/core/monitor/cove-monitor
export COVE_DATADIR=$PWD/data
export COVE_PLUGIN_PATH=$PWD/$BUILD/plugins

WORK=$(mktemp -d /tmp/cove-bench-net.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

"$COVE" -P "$WORK/cove" create bench -t busybox >/dev/null
ROOTFS=$WORK/cove/bench/rootfs
NET="lxc.net.0.type = veth
lxc.net.0.name = eth0
lxc.net.0.flags = up
lxc.net.0.ipv4.address = 192.0.2.10/24
lxc.net.0.veth.pair = vethB0
lxc.net.0.veth.ipv4.route = 198.51.100.0/24"
echo "$NET" >>"$WORK/cove/bench/config"

mkdir -p "$WORK/lxc/bench"
cat >"$WORK/lxc/bench/config" <<CONF
lxc.uts.name = bench
lxc.rootfs.path = dir:$ROOTFS
$NET
lxc.mount.auto = proc:mixed sys:ro
lxc.autodev = 1
lxc.cap.drop = sys_module mac_admin mac_override sys_time sys_rawio
lxc.apparmor.profile = unconfined
lxc.console.path = none
CONF

# both must really set the interface up: one checked run each
"$COVE" -P "$WORK/cove" execute bench -- /bin/sh -c 'ip -4 addr show eth0 | grep -q 192.0.2.10' \
  || { echo "cove: eth0 not configured" >&2; exit 1; }
lxc-start -F -n bench -P "$WORK/lxc" -- /bin/sh -c 'ip -4 addr show eth0 | grep -q 192.0.2.10' </dev/null >/dev/null 2>&1 \
  || { echo "lxc: eth0 not configured" >&2; exit 1; }

now_ns () { date +%s%N; }
wait_gone () { for _ in $(seq 500); do ip link show vethB0 >/dev/null 2>&1 || return 0; sleep 0.01; done; }
declare -a T_COVE T_LXC
for ((i = 0; i < ROUNDS; i++)); do
  wait_gone
  t0=$(now_ns); "$COVE" -P "$WORK/cove" execute bench -- /bin/true; t1=$(now_ns)
  T_COVE+=($(( (t1 - t0) / 1000 )))
  wait_gone
  t0=$(now_ns); lxc-start -F -n bench -P "$WORK/lxc" -- /bin/true >/dev/null 2>&1 </dev/null; t1=$(now_ns)
  T_LXC+=($(( (t1 - t0) / 1000 )))
done

python3 - "$ROUNDS" "${T_COVE[*]}" "${T_LXC[*]}" <<'PY'
import statistics, sys
rounds = sys.argv[1]
cove, lxc = ([int(x) / 1000 for x in a.split()] for a in sys.argv[2:4])
mc, ml = statistics.median(cove), statistics.median(lxc)
print(f"start→exit of /bin/true with one veth (address + route), {rounds} interleaved rounds, median ms:")
print(f"  cove execute  {mc:8.2f}  (min {min(cove):.2f}, max {max(cove):.2f})")
print(f"  lxc-start -F  {ml:8.2f}  (min {min(lxc):.2f}, max {max(lxc):.2f})")
print(f"  cove/lxc   = {mc / ml:.2f}  (target <= 0.5)")
PY
