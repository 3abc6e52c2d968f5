#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Benchmark (not a test): the round trip of one seccomp-notified syscall — getppid(2),
# which neither busybox nor the runtime calls on its own; the filter turns it into a
# notification and a supervisor answers val 0, error 0 — interleaved:
#   floor   seccomp-floor.c: a minimal libseccomp program, a forked child under a
#           getppid → notify filter, its parent answering (poll, NOTIF_RECV, NOTIF_SEND)
#   fd      (a) seccomp-fd-supervisor.c: `cove_container_execute (fdc, caller)` in a thread,
#           the listener from cove_container_seccomp_notify_fd(), answered in-process with
#           the same loop as the floor
#   proxy   (b) `cove execute pxc -- caller` with lxc.seccomp.notify.proxy: the monitor
#           forwards every notification to seccomp-proxy.c (LXC's message layout, 3 fds)
#           and the reply back to the kernel
#   proxy-m0  (b) again with the monitor on the caller's CPU instead of the proxy's
#   relay   the floor of (b): seccomp-floor -r, a minimal blocking C loop doing the
#           monitor's job (LXC's message with /proc/<pid>, /proc/<pid>/mem and the listener
#           to the same seccomp-proxy, its reply to the kernel); relay-f sends the listener
#           three times (no /proc opens), relay-n no fds at all
# The caller is the same static binary (seccomp-caller.c) everywhere: WARMUP calls, then
# REPS = 5 batches of N calls; the figure of a run is the median over its batches of the
# batch time / N, and the script prints the median over ROUNDS rounds (order rotating).
# Profile of both containers (LXC v2 format): `getppid notify`, default allow.
#
# CPU pinning, the same in every variant (2 CPUs):
#   CPU 0  the caller (it pins itself: seccomp-caller -c 0)
#   CPU 1  the supervisor side: the floor's parent (or relay), the fd supervisor's thread,
#          the proxy, and the cove-monitor (+ the container's init, idle), which inherit CPU 1 from
#          `taskset -c 1 cove execute` (b) or from the thread calling
#          cove_container_execute() (a). proxy-m0 runs `taskset -c 0 cove execute`.
#
# Everything runs in a private network and mount namespace this script creates
# (unshare -n -m); the helpers are compiled into a temporary directory; containers,
# processes and files are removed on exit, failure or Ctrl-C. Run as root from a built
# tree (needs gcc, a static libc, libseccomp-dev):
#   tests/bench/seccomp-notify.sh [BUILD_DIR] [N] [ROUNDS]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
BUILD=$(readlink -f "${1:-build}")
N=${2:-20000}
ROUNDS=${3:-7}
REPS=5
SRC=$PWD

[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "needs 2 CPUs (caller on 0, supervisor on 1)" >&2; exit 2; }
[ -f "$BUILD/plugins/seccomp-notify.so" ] || { echo "$BUILD has no seccomp-notify plugin" >&2; exit 2; }
pkg-config --exists libseccomp || { echo "needs libseccomp-dev" >&2; exit 2; }

if [ -z "${COVE_BENCH_IN_NS:-}" ]; then
  exec env COVE_BENCH_IN_NS=1 unshare -n -m --propagation private -- "$0" "$BUILD" "$N" "$ROUNDS"
fi
ip link set lo up

COVE=$BUILD/tools/cove
export COVE_MONITOR=$BUILD/core/monitor/cove-monitor
export COVE_DATADIR=$SRC/data
export COVE_PLUGIN_PATH=$BUILD/plugins
export LD_LIBRARY_PATH=$BUILD/core${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

WORK=$(mktemp -d /tmp/cove-seccomp-bench.XXXXXX)
PROXY_PID=
RUN_PID=
cleanup () {
  set +e
  [ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null
  for name in fdc pxc; do
    if [ -d "$WORK/cove/$name" ]; then
      "$COVE" -P "$WORK/cove" stop -k "$name" >/dev/null 2>&1
      "$COVE" -P "$WORK/cove" destroy "$name" >/dev/null 2>&1
    fi
  done
  [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# helpers
BIN=$WORK/bin
mkdir "$BIN"
cc -O2 -static -o "$BIN/seccomp-caller" tests/bench/seccomp-caller.c
cc -O2 -o "$BIN/seccomp-floor" tests/bench/seccomp-floor.c $(pkg-config --cflags --libs libseccomp)
cc -O2 -o "$BIN/seccomp-proxy" tests/bench/seccomp-proxy.c
cc -O2 -o "$BIN/seccomp-fd-supervisor" tests/bench/seccomp-fd-supervisor.c \
  -I include/cove-1 -I "$BUILD/include/cove-1" -L "$BUILD/core" -lcove-1 $(pkg-config --cflags --libs glib-2.0)

# the containers: the busybox template, the caller in the rootfs, the profile
printf '2\ndenylist\ngetppid notify\n' >"$WORK/profile"
for name in fdc pxc; do
  "$COVE" -P "$WORK/cove" create "$name" -t busybox >/dev/null
  install -m 0755 "$BIN/seccomp-caller" "$WORK/cove/$name/rootfs/bin/seccomp-caller"
  echo "lxc.seccomp.profile = $WORK/profile" >>"$WORK/cove/$name/config"
done
echo "lxc.seccomp.notify.proxy = unix:$WORK/proxy.sock" >>"$WORK/cove/pxc/config"

"$BIN/seccomp-proxy" -s 1 "$WORK/proxy.sock" >"$WORK/proxy.out" &
PROXY_PID=$!
for _ in $(seq 100); do [ -S "$WORK/proxy.sock" ] && break; sleep 0.05; done
[ -S "$WORK/proxy.sock" ] || { echo "seccomp-proxy did not start" >&2; exit 1; }

WARMUP=$((N / 10 > 100 ? N / 10 : 100))
PER_RUN=$((WARMUP + N * REPS))
CALLER=(-c 0 "$N" "$REPS")

# "mean p50" of a caller's result file
result () {
  grep -q '^error' "$1" && { cat "$1" >&2; return 1; }
  awk '$1 == "result" { print $5, $7 }' "$1"
}
# the background run of "$@", waited for, so that cleanup can kill it
run () {
  local rc=0
  "$@" &
  RUN_PID=$!
  wait "$RUN_PID" || rc=$?
  RUN_PID=
  [ "$rc" = 0 ] || { echo "failed with status $rc: $*" >&2; return "$rc"; }
}
check_answered () {
  [ "$(awk '$1 == "answered" { print $2 }' "$1")" = "$PER_RUN" ] ||
    { echo "$2: answered $(cat "$1"), expected $PER_RUN" >&2; return 1; }
}

declare -A R
VARIANTS=(floor fd proxy proxy-m0 relay relay-f relay-n)
floor_run () {   # $1: the variant, then seccomp-floor's options
  local v=$1
  shift
  run "$BIN/seccomp-floor" -c 0 -s 1 "$@" "$BIN/seccomp-caller" "${CALLER[@]}" "$WORK/floor.out" \
    >"$WORK/floor.answered"
  check_answered "$WORK/floor.answered" "$v"
  R[$v]+="$(result "$WORK/floor.out"),"
}
run_fd () {
  local out=$WORK/cove/fdc/rootfs/tmp/result
  rm -f "$out"
  run "$BIN/seccomp-fd-supervisor" -P "$WORK/cove" -m 1 -s 1 fdc -- \
    /bin/seccomp-caller "${CALLER[@]}" /tmp/result >"$WORK/fd.answered"
  check_answered "$WORK/fd.answered" fd
  R[fd]+="$(result "$out"),"
}
run_proxy () {   # $1: the variant, $2: the monitor's CPU
  local out=$WORK/cove/pxc/rootfs/tmp/result
  rm -f "$out"
  run taskset -c "$2" "$COVE" -P "$WORK/cove" execute pxc -- /bin/seccomp-caller "${CALLER[@]}" /tmp/result
  R[$1]+="$(result "$out"),"
}
run_variant () {
  case $1 in
    floor) floor_run floor ;;
    fd) run_fd ;;
    proxy) run_proxy proxy 1 ;;
    proxy-m0) run_proxy proxy-m0 0 ;;
    relay) floor_run relay -r "$WORK/proxy.sock" ;;
    relay-f) floor_run relay-f -r "$WORK/proxy.sock" -f ;;
    relay-n) floor_run relay-n -r "$WORK/proxy.sock" -n ;;
  esac
}
for ((i = 0; i < ROUNDS; i++)); do   # the order rotates from round to round
  for ((j = 0; j < ${#VARIANTS[@]}; j++)); do
    run_variant "${VARIANTS[(i + j) % ${#VARIANTS[@]}]}"
  done
done

kill "$PROXY_PID"
wait "$PROXY_PID" || true
PROXY_PID=
expected=$((5 * ROUNDS * PER_RUN))   # proxy, proxy-m0, relay, relay-f, relay-n
read -r _ answered _ malformed <"$WORK/proxy.out"
[ "$answered" = "$expected" ] && [ "$malformed" = 0 ] ||
  { echo "seccomp-proxy: $(cat "$WORK/proxy.out"), expected $expected answered" >&2; exit 1; }

python3 - "$N" "$REPS" "$ROUNDS" "$(uname -r)" "${R[floor]}" "${R[fd]}" "${R[proxy]}" \
  "${R[proxy-m0]}" "${R[relay]}" "${R[relay-f]}" "${R[relay-n]}" <<'PY'
import statistics, sys
n, reps, rounds, kernel = sys.argv[1:5]
def parse(s):
    runs = [tuple(float(x) for x in r.split()) for r in s.split(",") if r]
    return [r[0] for r in runs], [r[1] for r in runs]
names = ["floor: libseccomp child, parent answers",
         "(a) fd API, in-process supervisor",
         "(b) proxy, monitor on CPU 1",
         "(b) proxy, monitor on CPU 0",
         "relay floor: /proc fds (like the monitor)",
         "relay floor: listener x3, no /proc opens",
         "relay floor: no fds"]
rows = list(zip(names, (parse(a) for a in sys.argv[5:12])))
print(f"seccomp notification round trip (getppid), {rounds} interleaved rounds of {reps} x {n} calls,"
      f" Linux {kernel}; median over rounds, us per call:")
print(f"  {'':42} {'mean':>7} {'p50':>7}  x floor   all means")
floor = statistics.median(rows[0][1][0])
med = {}
for name, (mean, p50) in rows:
    med[name] = statistics.median(mean)
    print(f"  {name:42} {med[name] / 1000:7.2f} {statistics.median(p50) / 1000:7.2f}  {med[name] / floor:6.2f}   "
          + " ".join(f"{x / 1000:.1f}" for x in mean))
for name, target in ((names[1], 1.2), (names[2], 2.0)):
    r = med[name] / floor
    print(f"  {name} / floor = {r:.2f}, target <= {target}: {'met' if r <= target else 'NOT met'}")
PY
