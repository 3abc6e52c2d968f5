#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Benchmark (not a test): latency of one bind injection + umount into a running busybox
# container, through the C API, interleaved in one process:
#   cove         cove_container_mount (SRC, /mnt/bench-cove, MS_BIND) + cove_container_umount (0)
#   lxc          c->mount (SRC, /mnt/bench-lxc, MS_BIND) + c->umount (0)   (LXC 5.0, shmounts tunnel)
#   cove-create  the same as cove with COVE_MOUNT_CREATE on a missing target (created and
#                removed again every time; LXC instead leaves its target behind)
# Both containers run from the same rootfs (the `cove create -t busybox` template's) with the
# same mounts and no network; both targets exist beforehand (LXC's steady state: it creates
# its target on the first call and never removes it). Prints medians and the ratio.
# Needs root, a built tree and LXC with its headers (apt-get install lxc lxc-dev):
#   tests/bench/mount-inject.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
SRC=$PWD
BUILD=$(readlink -f "${1:-build}")
ROUNDS=${2:-200}
COVE=$BUILD/tools/cove
export COVE_MONITOR=$BUILD/core/monitor/cove-monitor
export COVE_DATADIR=$SRC/data
export COVE_PLUGIN_PATH=$BUILD/plugins

[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 2; }
command -v lxc-start >/dev/null || { echo "needs LXC: apt-get install --no-install-recommends lxc" >&2; exit 2; }
[ -f /usr/include/lxc/lxccontainer.h ] || { echo "needs LXC's headers: apt-get install lxc-dev" >&2; exit 2; }
[ -f "$BUILD/plugins/mount-inject.so" ] || { echo "$BUILD has no mount-inject plugin" >&2; exit 2; }

WORK=$(mktemp -d /tmp/cove-mbench.XXXXXX)
cleanup () {
  lxc-stop -k -n lxcbench -P "$WORK/lxc" >/dev/null 2>&1 || true
  "$COVE" -P "$WORK/cove" stop -k bench >/dev/null 2>&1 || true
  umount "$WORK/tunnel" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$COVE" -P "$WORK/cove" create bench -t busybox >/dev/null
ROOTFS=$WORK/cove/bench/rootfs
mkdir -p "$ROOTFS/mnt/bench-cove" "$ROOTFS/mnt/bench-lxc" "$WORK/src"
echo bench >"$WORK/src/file"

# LXC's mount API needs its tunnel: a shared mount on the host (its own test does the same)
mkdir -p "$WORK/tunnel"
mount -t tmpfs -o size=100k,mode=0711 tmpfs "$WORK/tunnel"
mount --make-shared "$WORK/tunnel"

mkdir -p "$WORK/lxc/lxcbench"
cat >"$WORK/lxc/lxcbench/config" <<CONF
lxc.uts.name = lxcbench
lxc.rootfs.path = dir:$ROOTFS
lxc.net.0.type = empty
lxc.mount.auto = proc:mixed sys:ro shmounts:$WORK/tunnel
lxc.autodev = 1
lxc.signal.halt = SIGUSR1
lxc.signal.reboot = SIGTERM
lxc.cap.drop = sys_module mac_admin mac_override sys_time sys_rawio
lxc.apparmor.profile = unconfined
lxc.init.cmd = /sbin/init
lxc.console.path = none
CONF

"$COVE" -P "$WORK/cove" start bench
lxc-start -d -n lxcbench -P "$WORK/lxc"
lxc-wait -n lxcbench -P "$WORK/lxc" -s RUNNING -t 10

cat >"$WORK/bench.c" <<'C'
#include <cove.h>
#include <lxc/lxccontainer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>

static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof *v, cmp);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main (int argc, char **argv)
{
  const char *cove_path = argv[1], *lxc_path = argv[2], *source = argv[3];
  int rounds = atoi (argv[4]), warmup = 10;
  struct lxc_mount mnt = { .version = LXC_MOUNT_API_V1 };
  struct lxc_container *lc = lxc_container_new ("lxcbench", lxc_path);
  GError *error = NULL;
  CoveContainer *cc = cove_container_new ("bench", cove_path, &error);
  double *t_cove = calloc (rounds, sizeof (double)), *t_lxc = calloc (rounds, sizeof (double));
  double *t_create = calloc (rounds, sizeof (double));
  double *m_cove = calloc (rounds, sizeof (double)), *m_lxc = calloc (rounds, sizeof (double));

  if (lc == NULL || !lc->is_running (lc) || cc == NULL || !cove_container_is_running (cc)) {
    fprintf (stderr, "containers not running\n");
    return 1;
  }
  for (int i = -warmup; i < rounds; i++) {
    double t0, t1, t2;

    t0 = now_ms ();
    if (!cove_container_mount (cc, source, "/mnt/bench-cove", NULL, MS_BIND, NULL, &error)) {
      fprintf (stderr, "cove mount: %s\n", error->message);
      return 1;
    }
    t1 = now_ms ();
    if (!cove_container_umount (cc, "/mnt/bench-cove", 0, &error)) {
      fprintf (stderr, "cove umount: %s\n", error->message);
      return 1;
    }
    t2 = now_ms ();
    if (i >= 0) {
      t_cove[i] = t2 - t0;
      m_cove[i] = t1 - t0;
    }

    t0 = now_ms ();
    if (lc->mount (lc, source, "/mnt/bench-lxc", NULL, MS_BIND, NULL, &mnt) != 0) {
      fprintf (stderr, "lxc mount failed\n");
      return 1;
    }
    t1 = now_ms ();
    if (lc->umount (lc, "/mnt/bench-lxc", 0, &mnt) != 0) {
      fprintf (stderr, "lxc umount failed\n");
      return 1;
    }
    t2 = now_ms ();
    if (i >= 0) {
      t_lxc[i] = t2 - t0;
      m_lxc[i] = t1 - t0;
    }

    t0 = now_ms ();
    if (!cove_container_mount_full (cc, source, "/mnt/bench-new/dir", NULL, MS_BIND, NULL,
                                    COVE_MOUNT_CREATE, &error) ||
        !cove_container_umount (cc, "/mnt/bench-new/dir", 0, &error)) {
      fprintf (stderr, "cove (create): %s\n", error->message);
      return 1;
    }
    if (i >= 0)
      t_create[i] = now_ms () - t0;
  }
  {
    double mc = median (t_cove, rounds), ml = median (t_lxc, rounds), mcr = median (t_create, rounds);
    double mmc = median (m_cove, rounds), mml = median (m_lxc, rounds);
    printf ("bind injection + umount, %d interleaved rounds (after %d warm-up), median ms:\n", rounds, warmup);
    printf ("  cove         %7.3f   (mount alone %.3f)\n", mc, mmc);
    printf ("  lxc 5.0      %7.3f   (mount alone %.3f)\n", ml, mml);
    printf ("  cove-create  %7.3f   (target created and removed every time)\n", mcr);
    printf ("  cove/lxc        = %.2f  (target <= 0.5)\n", mc / ml);
    printf ("  cove-create/lxc = %.2f\n", mcr / ml);
  }
  lxc_container_put (lc);
  cove_container_unref (cc);
  return 0;
}
C
cc -O2 -o "$WORK/bench" "$WORK/bench.c" -I"$SRC/include/cove-1" -I"$BUILD/include/cove-1" \
  $(pkg-config --cflags glib-2.0) -L"$BUILD/core" -lcove-1 -Wl,-rpath,"$BUILD/core" \
  $(pkg-config --libs glib-2.0) -llxc
"$WORK/bench" "$WORK/cove" "$WORK/lxc" "$WORK/src" "$ROUNDS"
