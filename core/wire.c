/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define COVE_LOG_CATEGORY "wire"
#include "wire.h"

#include <poll.h>
#include <string.h>
#include <sys/socket.h>

gboolean
cove_wire_send (int fd, GVariant *message, const int *fds, guint n_fds, GError **error)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (message);
  gsize size = g_variant_get_size (owned);
  g_autofree guint8 *buf = g_malloc (4 + size);
  char control[CMSG_SPACE (sizeof (int) * COVE_WIRE_FDS_MAX)];
  struct iovec iov;
  struct msghdr msg = { 0 };
  gsize sent = 0;

  g_assert (n_fds <= COVE_WIRE_FDS_MAX);
  buf[0] = size & 0xff;
  buf[1] = (size >> 8) & 0xff;
  buf[2] = (size >> 16) & 0xff;
  buf[3] = (size >> 24) & 0xff;
  /* through get_data: g_variant_store() needs aligned memory, and buf + 4 is not */
  if (size > 0)
    memcpy (buf + 4, g_variant_get_data (owned), size);

  while (sent < 4 + size) {
    ssize_t n;

    iov.iov_base = buf + sent;
    iov.iov_len = 4 + size - sent;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = NULL;
    msg.msg_controllen = 0;
    if (sent == 0 && n_fds > 0) {
      struct cmsghdr *cmsg;
      memset (control, 0, sizeof control);
      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE (sizeof (int) * n_fds);
      cmsg = CMSG_FIRSTHDR (&msg);
      cmsg->cmsg_level = SOL_SOCKET;
      cmsg->cmsg_type = SCM_RIGHTS;
      cmsg->cmsg_len = CMSG_LEN (sizeof (int) * n_fds);
      memcpy (CMSG_DATA (cmsg), fds, sizeof (int) * n_fds);
    }
    n = sendmsg (fd, &msg, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN) {
      struct pollfd p = { fd, POLLOUT, 0 };
      poll (&p, 1, -1);
      continue;
    }
    if (n < 0)
      return cove_throw_errno (error, "send message");
    sent += n;
  }
  return TRUE;
}

void
cove_wire_close_fds (GArray *fds)
{
  if (fds == NULL)
    return;
  for (guint i = 0; i < fds->len; i++)
    if (g_array_index (fds, int, i) >= 0)
      close (g_array_index (fds, int, i));
  g_array_unref (fds);
}

static gboolean
wait_readable (int fd, gint64 deadline, GError **error)
{
  for (;;) {
    struct pollfd p = { fd, POLLIN, 0 };
    int timeout = -1;
    int r;

    if (deadline >= 0) {
      gint64 left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        goto timeout;
      timeout = (int) ((left + 999) / 1000);
    }
    r = poll (&p, 1, timeout);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return cove_throw_errno (error, "poll");
    if (r > 0)
      return TRUE;
  timeout:
    g_set_error (error, COVE_ERROR, COVE_ERROR_TIMEOUT, "timed out waiting for a reply");
    return FALSE;
  }
}

static gboolean
recv_exact (int fd, guint8 *buf, gsize len, GArray *fds, gint64 deadline, GError **error)
{
  gsize got = 0;

  while (got < len) {
    char control[CMSG_SPACE (sizeof (int) * COVE_WIRE_FDS_MAX)];
    struct iovec iov = { buf + got, len - got };
    struct msghdr msg = { 0 };
    ssize_t n;

    if (!wait_readable (fd, deadline, error))
      return FALSE;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    n = recvmsg (fd, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n < 0)
      return cove_throw_errno (error, "receive message");
    for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        guint n_fds = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        int *in = (int *) CMSG_DATA (c);
        for (guint i = 0; i < n_fds; i++)
          g_array_append_val (fds, in[i]);
      }
    }
    if (n == 0) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING, "connection closed by the peer");
      return FALSE;
    }
    got += n;
  }
  return TRUE;
}

GVariant *
cove_wire_recv (int fd, const GVariantType *type, gsize max, GArray **out_fds, int timeout_ms,
                GError **error)
{
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  gint64 deadline = timeout_ms >= 0 ? g_get_monotonic_time () + (gint64) timeout_ms * 1000 : -1;
  guint8 header[4];
  g_autofree guint8 *body = NULL;
  g_autoptr(GVariant) message = NULL;
  gsize size;

  if (!recv_exact (fd, header, 4, fds, deadline, error))
    goto fail;
  size = header[0] | (header[1] << 8) | (header[2] << 16) | ((gsize) header[3] << 24);
  if (size > max) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "message of %zu bytes exceeds the limit of %zu", size, max);
    goto fail;
  }
  body = g_malloc (size ? size : 1);
  if (size > 0 && !recv_exact (fd, body, size, fds, deadline, error))
    goto fail;
  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&body), size);
    g_autoptr(GVariant) raw = g_variant_ref_sink (g_variant_new_from_bytes (type, bytes, FALSE));
    message = g_variant_get_normal_form (raw);
  }
  if (out_fds)
    *out_fds = g_steal_pointer (&fds);
  else
    cove_wire_close_fds (g_steal_pointer (&fds));
  return g_steal_pointer (&message);

fail:
  cove_wire_close_fds (g_steal_pointer (&fds));
  return NULL;
}

GVariant *
cove_wire_reply_ok (GVariant *payload)
{
  if (payload == NULL)
    payload = g_variant_new ("()");
  return g_variant_new ("(bv)", TRUE, payload);
}

GVariant *
cove_wire_reply_error (const GError *error)
{
  return g_variant_new ("(bv)", FALSE,
                        g_variant_new ("(sis)", g_quark_to_string (error->domain), error->code,
                                       error->message));
}

gboolean
cove_wire_reply_unpack (GVariant *reply, GVariant **payload, GError **error)
{
  gboolean ok;
  g_autoptr(GVariant) inner = NULL;

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
    /* only domains this process knows are rebuilt; others become COVE_ERROR_FAILED */
    if (g_str_equal (domain, g_quark_to_string (COVE_ERROR)) ||
        g_str_equal (domain, g_quark_to_string (COVE_IO_ERROR)))
      g_set_error_literal (error, g_quark_from_string (domain), code, message);
    else
      g_set_error_literal (error, COVE_ERROR, COVE_ERROR_FAILED, message);
  } else {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_FAILED, "malformed error reply");
  }
  return FALSE;
}
