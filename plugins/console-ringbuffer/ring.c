/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The console ring (spec §4, "ring buffer technique"): reserve 2 × size bytes of address
 * space, then map one memfd of size bytes twice over it with MAP_FIXED. The console's
 * output is read(2) straight into the ring and a reply is written straight out of it.
 *
 * Unlike LXC's ring, a write that does not fit drops exactly the oldest bytes that no
 * longer fit (LXC drops as many as the new chunk is long), and a chunk larger than the
 * ring keeps its newest bytes instead of being refused (LXC: EFBIG). The mapping is
 * MADV_DONTFORK: the container init, a clone of the monitor, never sees the history.
 *
 * A read that takes everything (the usual "give me the log") does not copy at all: the
 * ring's memfd itself goes to the client, sealed, and the monitor carries on with a new
 * empty ring whose pages are allocated as output arrives (console_ring_steal()). Copying a
 * full 1 MiB ring into a new memfd costs the monitor ~0.7 ms on the project machine,
 * almost all of it allocating the pages; handing the ring over costs a few syscalls.
 */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U   /* Linux 6.3; older kernels refuse it with EINVAL */
#endif

gboolean
console_ring_init (ConsoleRing *ring, guint64 size, GError **error)
{
  long page = sysconf (_SC_PAGESIZE);
  guint8 *base = MAP_FAILED;
  int fd = -1;

  memset (ring, 0, sizeof *ring);
  ring->fd = -1;
  /* the key's normalizer guarantees this; the mapping needs it */
  if (size == 0 || (size & (size - 1)) != 0 || size % (guint64) page != 0 || size > G_MAXSIZE / 2) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "console ring size %" G_GUINT64_FORMAT " is not a power of two of whole pages", size);
    return FALSE;
  }
  base = mmap (NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED)
    return console_throw_errno (error, "reserve %" G_GUINT64_FORMAT " bytes for the console ring", 2 * size);
  fd = memfd_create ("cove-console-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
  if (fd < 0 && errno == EINVAL)
    fd = memfd_create ("cove-console-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    console_throw_errno (error, "memfd_create for the console ring");
    goto fail;
  }
  if (ftruncate (fd, (off_t) size) < 0) {
    console_throw_errno (error, "size the console ring");
    goto fail;
  }
  if (mmap (base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
      mmap (base + size, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
    console_throw_errno (error, "map the console ring");
    goto fail;
  }
  /* best effort: without it the init merely inherits a mapping it loses at exec */
  madvise (base, 2 * size, MADV_DONTFORK);
  ring->addr = base;
  ring->size = size;
  ring->fd = fd;
  return TRUE;

fail:
  if (fd >= 0)
    close (fd);
  munmap (base, 2 * size);
  return FALSE;
}

void
console_ring_release (ConsoleRing *ring)
{
  if (ring->addr != NULL) {
    munmap (ring->addr, 2 * ring->size);
    close (ring->fd);
  }
  memset (ring, 0, sizeof *ring);
  ring->fd = -1;
}

gboolean
console_ring_steal (ConsoleRing *ring, ConsoleRing *old, GError **error)
{
  ConsoleRing fresh;

  if (!console_ring_init (&fresh, ring->size, error))
    return FALSE;
  *old = *ring;
  *ring = fresh;
  return TRUE;
}

void
console_ring_retire (ConsoleRing *old)
{
  munmap (old->addr, 2 * old->size);
  /* no mapping is left, so the write seal takes: nothing can change what the client reads */
  fcntl (old->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  close (old->fd);
}

static void
normalize (ConsoleRing *ring)
{
  if (ring->r >= ring->size) {
    ring->r -= ring->size;
    ring->w -= ring->size;
  }
}

void
console_ring_commit (ConsoleRing *ring, gsize n)
{
  g_assert (n <= ring->size);
  ring->w += n;
  if (ring->w - ring->r > ring->size)
    ring->r = ring->w - ring->size;
  normalize (ring);
}

void
console_ring_append (ConsoleRing *ring, const guint8 *data, gsize n)
{
  if (n > ring->size) {
    data += n - ring->size;
    n = ring->size;
  }
  memcpy (console_ring_write_ptr (ring), data, n);
  console_ring_commit (ring, n);
}

void
console_ring_consume (ConsoleRing *ring, guint64 n)
{
  g_assert (n <= console_ring_used (ring));
  ring->r += n;
  normalize (ring);
}
