/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A monitor's command socket spoken raw, for the root tests: the framing of core/wire.c
 * (4-byte little-endian length, then a GVariant; requests (sv), replies (bv)) written
 * again, so that the tests check the protocol instead of calling the code they test, and
 * can send what libcove never would (malformed frames, wrong argument types, stray fds).
 */
#pragma once

#include <cove.h>
#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef COVE_ITEST_RUNDIR
#define COVE_ITEST_RUNDIR "/run"
#endif

/* core/rundir.c: <rundir>/cove/<16 hex digits of FNV-1a-64 of "path/name">, for root */
static G_GNUC_UNUSED char *
raw_rundir_for (const char *path, const char *name)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", path, name);
  guint64 h = 0xcbf29ce484222325ULL;

  for (const char *c = key; *c; c++) {
    h ^= (guchar) *c;
    h *= 0x100000001b3ULL;
  }
  return g_strdup_printf ("%s/cove/%016" G_GINT64_MODIFIER "x", COVE_ITEST_RUNDIR, h);
}

/* The container's command socket. */
static G_GNUC_UNUSED char *
raw_socket_for (const char *path, const char *name)
{
  g_autofree char *rundir = raw_rundir_for (path, name);

  return g_build_filename (rundir, "command", NULL);
}

/* A connection to @socket_path; -1 with errno if nobody listens. */
static G_GNUC_UNUSED int
raw_connect (const char *socket_path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  g_assert_cmpuint (strlen (socket_path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, socket_path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
    int saved = errno;
    close (fd);
    errno = saved;
    return -1;
  }
  return fd;
}

/* @data as it is, without a frame around it. */
static G_GNUC_UNUSED gboolean
raw_write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0) {
    ssize_t n = send (fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}

/* One frame with @body as it is; @fds (may be NULL) ride on its first bytes. */
static G_GNUC_UNUSED gboolean
raw_send_bytes_fds (int fd, const guint8 *body, gsize size, const int *fds, guint n_fds)
{
  g_autofree guint8 *buf = g_malloc (4 + size);
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE (4 * sizeof (int))];
  } control = { 0 };
  struct iovec iov = { buf, 4 + size };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  ssize_t n;

  g_assert_cmpuint (n_fds, <=, 4);
  buf[0] = size & 0xff;
  buf[1] = (size >> 8) & 0xff;
  buf[2] = (size >> 16) & 0xff;
  buf[3] = (size >> 24) & 0xff;
  if (size > 0)
    memcpy (buf + 4, body, size);
  if (n_fds > 0) {
    struct cmsghdr *cmsg;

    msg.msg_control = control.buf;
    msg.msg_controllen = CMSG_SPACE (n_fds * sizeof (int));
    cmsg = CMSG_FIRSTHDR (&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN (n_fds * sizeof (int));
    memcpy (CMSG_DATA (cmsg), fds, n_fds * sizeof (int));
  }
  while ((n = sendmsg (fd, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
    ;
  if (n <= 0)
    return FALSE;
  return raw_write_all (fd, buf + n, 4 + size - n);
}

static G_GNUC_UNUSED gboolean
raw_send_bytes (int fd, const guint8 *body, gsize size)
{
  return raw_send_bytes_fds (fd, body, size, NULL, 0);
}

/* A request (sv): command name and arguments ("()" when NULL), with @fds. */
static G_GNUC_UNUSED gboolean
raw_send_fds (int fd, const char *command, GVariant *args, const int *fds, guint n_fds)
{
  g_autoptr(GVariant) message = g_variant_ref_sink (g_variant_new ("(sv)", command,
                                                                   args ? args : g_variant_new ("()")));
  gsize size = g_variant_get_size (message);
  g_autofree guint8 *body = g_malloc (size ? size : 1);   /* aligned for the serialiser */

  g_variant_store (message, body);
  return raw_send_bytes_fds (fd, body, size, fds, n_fds);
}

static G_GNUC_UNUSED gboolean
raw_send (int fd, const char *command, GVariant *args)
{
  return raw_send_fds (fd, command, args, NULL, 0);
}

static gboolean
raw_read_exact (int fd, guint8 *buf, gsize len, gint64 deadline)
{
  while (len > 0) {
    struct pollfd p = { fd, POLLIN, 0 };
    gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
    ssize_t n;

    if (left_ms < 0)
      return FALSE;
    n = poll (&p, 1, (int) left_ms + 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    n = recv (fd, buf, len, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    buf += n;
    len -= n;
  }
  return TRUE;
}

/* One reply (bv) in normal form, or NULL on EOF or after @timeout_s. */
static G_GNUC_UNUSED GVariant *
raw_recv (int fd, double timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);
  guint8 header[4];
  gsize size;
  guint8 *body;
  GVariant *reply, *normal;

  if (!raw_read_exact (fd, header, 4, deadline))
    return NULL;
  size = header[0] | (header[1] << 8) | (header[2] << 16) | ((gsize) header[3] << 24);
  g_assert_cmpuint (size, <=, 64 * 1024 * 1024);
  body = g_malloc (size ? size : 1);
  if (size > 0 && !raw_read_exact (fd, body, size, deadline)) {
    g_free (body);
    return NULL;
  }
  reply = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE ("(bv)"), body, size, FALSE,
                                                      g_free, body));
  normal = g_variant_get_normal_form (reply);
  g_variant_unref (reply);
  return normal;
}

/* Unpacks a reply as core/wire.c does: the payload, or FALSE and the error it carries. */
static G_GNUC_UNUSED gboolean
raw_reply_unpack (GVariant *reply, GVariant **payload, GError **error)
{
  g_autoptr(GVariant) inner = NULL;
  gboolean ok;

  g_variant_get (reply, "(bv)", &ok, &inner);
  if (ok) {
    if (payload)
      *payload = g_steal_pointer (&inner);
    return TRUE;
  }
  if (g_variant_is_of_type (inner, G_VARIANT_TYPE ("(sis)"))) {
    const char *domain, *message;
    gint32 code;
    g_variant_get (inner, "(&si&s)", &domain, &code, &message);
    g_set_error_literal (error, g_quark_from_string (domain), code, message);
  } else {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_FAILED, "malformed error reply");
  }
  return FALSE;
}

/* One reply, unpacked: TRUE and the payload, or FALSE with its error ("no reply" on EOF
 * or timeout). */
static G_GNUC_UNUSED gboolean
raw_recv_payload (int fd, double timeout_s, GVariant **payload, GError **error)
{
  g_autoptr(GVariant) reply = raw_recv (fd, timeout_s);

  if (reply == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "no reply");
    return FALSE;
  }
  return raw_reply_unpack (reply, payload, error);
}

/* One request with @fds on a fresh connection; the payload, or NULL with @error. */
static G_GNUC_UNUSED GVariant *
raw_call_fds (const char *socket_path, const char *command, GVariant *args, const int *fds,
              guint n_fds, GError **error)
{
  GVariant *payload = NULL;
  int fd = raw_connect (socket_path);

  if (fd < 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "connect %s: %s", socket_path,
                 g_strerror (errno));
    if (args)
      g_variant_unref (g_variant_ref_sink (args));
    return NULL;
  }
  if (!raw_send_fds (fd, command, args, fds, n_fds)) {
    close (fd);
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "send %s", command);
    return NULL;
  }
  if (!raw_recv_payload (fd, 10, &payload, error))
    payload = NULL;
  close (fd);
  return payload;
}

static G_GNUC_UNUSED GVariant *
raw_call (const char *socket_path, const char *command, GVariant *args, GError **error)
{
  return raw_call_fds (socket_path, command, args, NULL, 0, error);
}
