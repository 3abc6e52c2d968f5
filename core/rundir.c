/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define COVE_LOG_CATEGORY "rundir"
#include "rundir.h"
#include "wire.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static guint64
fnv1a64 (const char *s)
{
  guint64 h = 0xcbf29ce484222325ULL;
  for (; *s; s++) {
    h ^= (guchar) *s;
    h *= 0x100000001b3ULL;
  }
  return h;
}

static const char *
base_rundir (void)
{
  const char *runtime;

  if (geteuid () == 0)
    return COVE_RUNDIR;
  runtime = g_get_user_runtime_dir ();
  return runtime ? runtime : g_get_tmp_dir ();
}

char *
cove_rundir_for (const char *path, const char *name)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", path, name);
  g_autofree char *hash = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", fnv1a64 (key));
  return g_build_filename (base_rundir (), "cove", hash, NULL);
}

char *
cove_rundir_socket (const char *rundir)
{
  return g_build_filename (rundir, "command", NULL);
}

gboolean
cove_rundir_ensure (const char *rundir, GError **error)
{
  if (g_mkdir_with_parents (rundir, 0700) < 0)
    return cove_throw_errno (error, "create run directory %s", rundir);
  return TRUE;
}

int
cove_command_connect (const char *path, const char *name, GError **error)
{
  g_autofree char *rundir = cove_rundir_for (path, name);
  g_autofree char *socket_path = cove_rundir_socket (rundir);

  return cove_command_connect_socket (socket_path, name, error);
}

int
cove_command_connect_socket (const char *socket_path, const char *name, GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cove_autofd fd = -1;

  if (strlen (socket_path) >= sizeof addr.sun_path) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_FAILED, "socket path %s is too long", socket_path);
    return -1;
  }
  strcpy (addr.sun_path, socket_path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    cove_throw_errno (error, "socket");
    return -1;
  }
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
    if (errno == ENOENT || errno == ECONNREFUSED || errno == ENOTDIR)
      g_set_error (error, COVE_ERROR, COVE_ERROR_NOT_RUNNING, "container \"%s\" is not running", name);
    else
      cove_throw_errno (error, "connect to %s", socket_path);
    return -1;
  }
  return g_steal_fd (&fd);
}

GVariant *
cove_command_call_on (int fd, const char *command, GVariant *args, const int *send_fds,
                      guint n_send_fds, GArray **fds, int timeout_ms, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) payload = NULL;

  if (!cove_wire_send (fd, g_variant_new ("(sv)", command, args ? args : g_variant_new ("()")),
                       send_fds, n_send_fds, error))
    return NULL;
  reply = cove_wire_recv (fd, G_VARIANT_TYPE ("(bv)"), COVE_WIRE_REPLY_MAX, fds, timeout_ms, error);
  if (reply == NULL)
    return NULL;
  if (!cove_wire_reply_unpack (reply, &payload, error)) {
    if (fds && *fds) {
      cove_wire_close_fds (*fds);
      *fds = NULL;
    }
    return NULL;
  }
  return g_steal_pointer (&payload);
}

GVariant *
cove_command_call (const char *path, const char *name, const char *command, GVariant *args,
                   GArray **fds, int timeout_ms, GError **error)
{
  cove_autofd fd = cove_command_connect (path, name, error);

  if (fd < 0) {
    if (args)
      g_variant_unref (g_variant_ref_sink (args));
    return NULL;
  }
  return cove_command_call_on (fd, command, args, NULL, 0, fds, timeout_ms, error);
}

const char *
cove_monitor_path (void)
{
  const char *env = cove_secure_getenv ("COVE_MONITOR");
  return env && g_path_is_absolute (env) ? env : COVE_LIBEXECDIR "/cove-monitor";
}
