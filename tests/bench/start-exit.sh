#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Benchmark (not a test): start→exit of /bin/true in a busybox container, interleaved:
#   cove    cove execute NAME -- /bin/true
#   lxc     lxc-start -F -n NAME -- /bin/true   (LXC 5.0 from Debian, no network)
#   floor   unshare -m -p -u -i -n --fork --mount-proc chroot ROOTFS /bin/true
# on the same rootfs and equivalent mount settings, both with LXC's common seccomp profile
# (cove create gives it when the seccomp-notify plugin is active); then the idle monitor's Pss next to
# LXC's [lxc monitor]. Prints medians and ratios. Run as root from a built tree:
#   tests/bench/start-exit.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
BUILD=${1:-build}
ROUNDS=${2:-30}
COVE=$PWD/$BUILD/tools/cove
export COVE_MONITOR=$PWD/$BUILD/core/monitor/cove-monitor
export COVE_DATADIR=$PWD/data
export COVE_PLUGIN_PATH=$PWD/$BUILD/plugins

[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 2; }
command -v lxc-start >/dev/null || { echo "needs LXC: apt-get install --no-install-recommends lxc" >&2; exit 2; }

WORK=$(mktemp -d /tmp/cove-bench.XXXXXX)
cleanup () {
  lxc-stop -k -n lxcidle -P "$WORK/lxc" >/dev/null 2>&1 || true
  "$COVE" -P "$WORK/cove" stop -k idle >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# One rootfs for all three: the cove busybox template's.
"$COVE" -P "$WORK/cove" create bench -t busybox >/dev/null
"$COVE" -P "$WORK/cove" create idle -t busybox >/dev/null
ROOTFS=$WORK/cove/bench/rootfs

mkdir -p "$WORK/lxc/bench" "$WORK/lxc/lxcidle"
for n in bench lxcidle; do
  cat >"$WORK/lxc/$n/config" <<CONF
lxc.uts.name = $n
lxc.rootfs.path = dir:$ROOTFS
lxc.net.0.type = empty
lxc.mount.auto = proc:mixed sys:ro
lxc.autodev = 1
lxc.signal.halt = SIGUSR1
lxc.signal.reboot = SIGTERM
lxc.cap.drop = sys_module mac_admin mac_override sys_time sys_rawio
lxc.apparmor.profile = unconfined
lxc.seccomp.profile = /usr/share/lxc/config/common.seccomp
lxc.init.cmd = /sbin/init
lxc.console.path = none
CONF
done

now_ns () { date +%s%N; }
declare -a T_COVE T_LXC T_FLOOR
for ((i = 0; i < ROUNDS; i++)); do
  t0=$(now_ns); "$COVE" -P "$WORK/cove" execute bench -- /bin/true; t1=$(now_ns)
  T_COVE+=($(( (t1 - t0) / 1000 )))
  t0=$(now_ns); lxc-start -F -n bench -P "$WORK/lxc" -- /bin/true >/dev/null 2>&1 </dev/null; t1=$(now_ns)
  T_LXC+=($(( (t1 - t0) / 1000 )))
  t0=$(now_ns); unshare -m -p -u -i -n --fork --mount-proc chroot "$ROOTFS" /bin/true; t1=$(now_ns)
  T_FLOOR+=($(( (t1 - t0) / 1000 )))
done

# Idle monitors.
"$COVE" -P "$WORK/cove" start idle
lxc-start -d -n lxcidle -P "$WORK/lxc"
lxc-wait -n lxcidle -P "$WORK/lxc" -s RUNNING -t 10
sleep 1
cove_init=$("$COVE" -P "$WORK/cove" info idle | sed -n 's/^PID: //p')
cove_mon=$(ps -o ppid= -p "$cove_init" | tr -d ' ')
lxc_mon=$(pgrep -f "^\[lxc monitor\] $WORK/lxc lxcidle" | head -n 1)
pss () { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup"; }
private_dirty () { awk '/^Private_Dirty:/ { print $2 }' "/proc/$1/smaps_rollup"; }

python3 - "$ROUNDS" "$(pss "$cove_mon")" "$(pss "$lxc_mon")" \
  "$(private_dirty "$cove_mon")" "$(private_dirty "$lxc_mon")" \
  "${T_COVE[*]}" "${T_LXC[*]}" "${T_FLOOR[*]}" <<'PY'
import statistics, sys
rounds, cove_pss, lxc_pss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cove_dirty, lxc_dirty = int(sys.argv[4]), int(sys.argv[5])
cove, lxc, floor = ([int(x) / 1000 for x in a.split()] for a in sys.argv[6:9])
mc, ml, mf = (statistics.median(x) for x in (cove, lxc, floor))
print(f"start→exit of /bin/true, {rounds} interleaved rounds, median ms:")
print(f"  cove execute  {mc:8.2f}")
print(f"  lxc-start -F  {ml:8.2f}")
print(f"  unshare floor {mf:8.2f}")
print(f"  cove/lxc   = {mc / ml:.2f}  (target <= 0.8)")
print(f"  cove/floor = {mc / mf:.2f}  (target <= 1.5)")
print(f"idle monitor Pss: cove-monitor {cove_pss} KiB, [lxc monitor] {lxc_pss} KiB "
      f"(ratio {cove_pss / lxc_pss:.2f}, target < 1)")
print(f"idle monitor Private_Dirty: cove-monitor {cove_dirty} KiB, [lxc monitor] {lxc_dirty} KiB")
PY
