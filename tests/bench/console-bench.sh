#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Benchmark (not a test) of the console-ringbuffer plugin. Run as root from a built tree:
#   tests/bench/console-bench.sh [BUILD_DIR] [ROUNDS] [LATENCY_ROUNDS]
#
# 1. Throughput: a container writes 64 MiB to /dev/console (console-writer.c, static, 64 KiB
#    writes of 'x', timed around the writes), interleaved rounds of
#      cove    cove execute NAME -- /bin/console-writer /dev/console 64MiB
#              (ring lxc.console.buffer.size = 1MB and lxc.console.logfile on)
#      lxc     lxc-start -F -n NAME -- /bin/console-writer /dev/console 64MiB
#              (LXC 5.0, same ring and log file settings, same rootfs and mounts; "1MB",
#              not "1M", which LXC reads as 1 byte)
#      floor   a plain pty pair drained by a minimal C reader (console-floor.c): the kernel
#      floor+log  the same reader also appending every chunk to a log file
#    on the same busybox rootfs; all started with setsid (no controlling terminal, so
#    LXC proxies nothing to a terminal); the log files on a tmpfs (/dev/shm), so that the
#    writeback of one run's 64 MiB does not land in the next run; the order of the runs
#    rotates from round to round.
# 2. Latency of a console_log read of a full 1 MiB ring (console-log-latency.c), and of
#    LXC's c->console_log() (console-log-latency-lxc.c, needs liblxc). LXC 5.0.2 cannot
#    return 1 MiB: reads of 256 KiB and more fail with -EMSGSIZE (-90) here, so both are
#    also measured with 192 KiB of data in the same 1 MiB ring.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
BUILD=${1:-build}
ROUNDS=${2:-7}
LROUNDS=${3:-50}
BYTES=$((64 * 1024 * 1024))
RING=$((1024 * 1024))
COVE=$PWD/$BUILD/tools/cove
export COVE_MONITOR=$PWD/$BUILD/core/monitor/cove-monitor
export COVE_DATADIR=$PWD/data
export COVE_PLUGIN_PATH=$PWD/$BUILD/plugins
export LD_LIBRARY_PATH=$PWD/$BUILD/core${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 2; }
command -v lxc-start >/dev/null || { echo "needs LXC: apt-get install --no-install-recommends lxc" >&2; exit 2; }

WORK=$(mktemp -d /tmp/cove-console-bench.XXXXXX)
LOGS=$(mktemp -d /dev/shm/cove-console-bench.XXXXXX)
cleanup () {
  rm -rf "$LOGS"
  lxc-stop -k -n lat -P "$WORK/lxc" >/dev/null 2>&1 || true
  "$COVE" -P "$WORK/cove" stop -k lat >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# helpers
cc -O2 -static -o "$WORK/console-writer" tests/bench/console-writer.c
cc -O2 -o "$WORK/console-floor" tests/bench/console-floor.c
cc -O2 -o "$WORK/console-log-latency" tests/bench/console-log-latency.c \
  -I include/cove-1 -I "$BUILD/include/cove-1" -L "$BUILD/core" -lcove-1 $(pkg-config --cflags --libs glib-2.0)
HAVE_LIBLXC=0
if [ -e /usr/include/lxc/lxccontainer.h ] &&
   cc -O2 -o "$WORK/console-log-latency-lxc" tests/bench/console-log-latency-lxc.c -llxc 2>/dev/null; then
  HAVE_LIBLXC=1
fi

# One rootfs (the cove busybox template's) for all; the writer in it.
"$COVE" -P "$WORK/cove" create bench -t busybox >/dev/null
"$COVE" -P "$WORK/cove" create lat -t busybox >/dev/null
ROOTFS=$WORK/cove/bench/rootfs
install -m 0755 "$WORK/console-writer" "$ROOTFS/bin/console-writer"
cat >>"$WORK/cove/bench/config" <<CONF
lxc.console.buffer.size = 1MB
lxc.console.logfile = $LOGS/cove.log
CONF
cat >>"$WORK/cove/lat/config" <<CONF
lxc.console.buffer.size = 1MB
lxc.console.logfile = $LOGS/cove-lat.log
CONF

mkdir -p "$WORK/lxc/bench" "$WORK/lxc/lat"
for n in bench lat; do
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
lxc.init.cmd = /sbin/init
lxc.console.buffer.size = 1MB
lxc.console.logfile = $LOGS/lxc-$n.log
CONF
done

# MB/s from a writer line "BYTES SECONDS"
rate () { awk '{ printf "%.1f", $1 / $2 / 1048576 }'; }

declare -a R_COVE R_LXC R_FLOOR R_FLOOR_LOG
RESULT=$ROOTFS/tmp/console-writer.out
run_cove () {
  rm -f "$LOGS"/* "$RESULT"
  setsid "$COVE" -P "$WORK/cove" execute bench -- /bin/console-writer /dev/console $BYTES /tmp/console-writer.out </dev/null >/dev/null
  R_COVE+=("$(rate <"$RESULT")")
  log=$(stat -c %s "$LOGS/cove.log")
  [ "$log" -eq "$BYTES" ] || echo "warning: cove log file has $log bytes, expected $BYTES" >&2
}
run_lxc () {
  rm -f "$LOGS"/* "$RESULT"
  setsid lxc-start -F -n bench -P "$WORK/lxc" -- /bin/console-writer /dev/console $BYTES /tmp/console-writer.out </dev/null >/dev/null 2>&1
  R_LXC+=("$(rate <"$RESULT")")
}
run_floor () {
  rm -f "$LOGS"/* "$RESULT"
  setsid "$WORK/console-floor" "$ROOTFS/bin/console-writer" $BYTES "$RESULT" </dev/null >/dev/null
  R_FLOOR+=("$(rate <"$RESULT")")
  rm -f "$RESULT"
  setsid "$WORK/console-floor" "$ROOTFS/bin/console-writer" $BYTES "$RESULT" "$LOGS/floor.log" </dev/null >/dev/null
  R_FLOOR_LOG+=("$(rate <"$RESULT")")
}
for ((i = 0; i < ROUNDS; i++)); do
  case $((i % 3)) in
    0) run_cove; run_lxc; run_floor ;;
    1) run_lxc; run_floor; run_cove ;;
    2) run_floor; run_cove; run_lxc ;;
  esac
done

python3 - "$ROUNDS" "${R_COVE[*]}" "${R_LXC[*]}" "${R_FLOOR[*]}" "${R_FLOOR_LOG[*]}" <<'PY'
import statistics, sys
rounds = sys.argv[1]
cove, lxc, floor, floorlog = ([float(x) for x in a.split()] for a in sys.argv[2:6])
mc, ml, mf, mfl = (statistics.median(x) for x in (cove, lxc, floor, floorlog))
print(f"console throughput, 64 MiB to /dev/console, {rounds} interleaved rounds, median MiB/s (writer side):")
print(f"  cove (1 MiB ring + log file)  {mc:8.1f}   all: {' '.join(f'{x:.0f}' for x in cove)}")
print(f"  lxc 5.0 (same settings)       {ml:8.1f}   all: {' '.join(f'{x:.0f}' for x in lxc)}")
print(f"  pty pair + minimal reader     {mf:8.1f}   all: {' '.join(f'{x:.0f}' for x in floor)}")
print(f"  same reader + log file        {mfl:8.1f}   all: {' '.join(f'{x:.0f}' for x in floorlog)}")
print(f"  cove/floor = {mc / mf:.2f}  (target >= 0.95)")
print(f"  cove/lxc   = {mc / ml:.2f}")
PY

# Latency of a full-ring read.
rm -f "$LOGS"/*
"$COVE" -P "$WORK/cove" start lat
echo "cove, 1 MiB of data:"
"$WORK/console-log-latency" "$WORK/cove" lat "$LOGS/cove-lat.log" $RING "$LROUNDS"
echo "cove, 192 KiB of data:"
"$WORK/console-log-latency" "$WORK/cove" lat "$LOGS/cove-lat.log" $((192 * 1024)) "$LROUNDS"
"$COVE" -P "$WORK/cove" stop -k lat >/dev/null
if [ "$HAVE_LIBLXC" = 1 ]; then
  setsid lxc-start -d -n lat -P "$WORK/lxc" </dev/null
  lxc-wait -n lat -P "$WORK/lxc" -s RUNNING -t 10
  echo "lxc 5.0, 192 KiB of data:"
  "$WORK/console-log-latency-lxc" "$WORK/lxc" lat "$LOGS/lxc-lat.log" $((192 * 1024)) "$LROUNDS" || echo "  failed" >&2
  echo "lxc 5.0, 1 MiB of data:"
  "$WORK/console-log-latency-lxc" "$WORK/lxc" lat "$LOGS/lxc-lat.log" $RING 3 || echo "  failed" >&2
  lxc-stop -k -n lat -P "$WORK/lxc" >/dev/null 2>&1 || true
else
  echo "(liblxc headers not found: no LXC latency figure)"
fi
