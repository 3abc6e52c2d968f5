/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hook dispatch: setup points in ascending priority, teardown points in reverse. */
#define COVE_LOG_CATEGORY "hooks"
#include "cove-private.h"
#include "wire.h"

#include <string.h>

typedef struct {
  gpointer data;
  GDestroyNotify destroy;
} HookData;

static void
hook_data_free (HookData *hd)
{
  if (hd->destroy)
    hd->destroy (hd->data);
  g_free (hd);
}

static const char *const point_names[COVE_HOOK_N_POINTS] = {
  "config-validate", "pre-start", "net-setup-host", "net-setup-child", "child-pre-pivot",
  "child-post-pivot", "child-pre-exec", "post-start", "stop", "post-stop", "reboot",
};

const char *
cove_hook_point_to_string (CoveHookPoint point)
{
  return (guint) point < COVE_HOOK_N_POINTS ? point_names[point] : "unknown";
}

GHashTable *
cove_hook_data_table_new (void)
{
  return g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) hook_data_free);
}

gpointer
cove_hook_data_lookup (GHashTable *table, CovePlugin *plugin)
{
  HookData *hd = table ? g_hash_table_lookup (table, plugin) : NULL;
  return hd ? hd->data : NULL;
}

static void
hook_data_set (GHashTable *table, CovePlugin *plugin, gpointer data, GDestroyNotify destroy)
{
  HookData *hd = g_new0 (HookData, 1);

  hd->data = data;
  hd->destroy = destroy;
  g_hash_table_replace (table, plugin, hd);
}

void
cove_hook_context_init (CoveHookContext *ctx, CoveConfig *config, const char *container_name)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->point = COVE_HOOK_CONFIG_VALIDATE;
  ctx->config = config;
  ctx->container_name = container_name;
  ctx->init_pidfd = -1;
  ctx->child_sync_fd = -1;
  ctx->plugin_data = cove_hook_data_table_new ();
}

static void
close_fd_value (gpointer fd)
{
  close (GPOINTER_TO_INT (fd));
}

void
cove_hook_context_clear (CoveHookContext *ctx)
{
  g_clear_pointer (&ctx->plugin_data, g_hash_table_unref);
  g_clear_pointer (&ctx->child_fds, g_hash_table_unref);
}

static char *
child_fd_key (CovePlugin *plugin, const char *tag)
{
  return g_strconcat (cove_plugin_get_name (plugin), "/", tag, NULL);
}

gboolean
cove_hook_context_send_fd (CoveHookContext *ctx, const char *tag, int fd, GError **error)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (tag != NULL && fd >= 0, FALSE);
  if (ctx->child_sync_fd < 0 || ctx->current == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "%s: file descriptors go to the monitor only from child-side hook points",
                 cove_hook_point_to_string (ctx->point));
    return FALSE;
  }
  key = child_fd_key (ctx->current, tag);
  return cove_wire_send (ctx->child_sync_fd, g_variant_new ("(sv)", "fd", g_variant_new_string (key)),
                         &fd, 1, error);
}

/* Monitor side of cove_hook_context_send_fd(): keeps the fd for its plugin's later hooks;
 * a second fd with the same tag replaces the first. */
void
cove_hook_context_add_child_fd (CoveHookContext *ctx, const char *key, int fd)
{
  if (ctx->child_fds == NULL)
    ctx->child_fds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, close_fd_value);
  g_hash_table_replace (ctx->child_fds, g_strdup (key), GINT_TO_POINTER (fd));
}

int
cove_hook_context_take_child_fd (CoveHookContext *ctx, const char *tag)
{
  g_autofree char *key = NULL;
  gpointer stored_key, fd;

  g_return_val_if_fail (tag != NULL, -1);
  if (ctx->child_fds == NULL || ctx->current == NULL)
    return -1;
  key = child_fd_key (ctx->current, tag);
  if (!g_hash_table_steal_extended (ctx->child_fds, key, &stored_key, &fd))
    return -1;
  g_free (stored_key);
  return GPOINTER_TO_INT (fd);
}

CoveHookPoint
cove_hook_context_get_point (CoveHookContext *ctx)
{
  return ctx->point;
}

CoveConfig *
cove_hook_context_get_config (CoveHookContext *ctx)
{
  return ctx->config;
}

const char *
cove_hook_context_get_container_name (CoveHookContext *ctx)
{
  return ctx->container_name;
}

gpointer
cove_hook_context_get_data (CoveHookContext *ctx)
{
  return cove_hook_data_lookup (ctx->plugin_data, ctx->current);
}

void
cove_hook_context_set_data (CoveHookContext *ctx, gpointer data, GDestroyNotify destroy)
{
  hook_data_set (ctx->plugin_data, ctx->current, data, destroy);
}

gpointer
cove_hook_context_get_container_data (CoveHookContext *ctx)
{
  return cove_hook_data_lookup (ctx->container_data, ctx->current);
}

void
cove_hook_context_set_container_data (CoveHookContext *ctx, gpointer data, GDestroyNotify destroy)
{
  if (ctx->container_data == NULL) {
    cove_warn ("container data outside the monitor is not kept");
    if (destroy)
      destroy (data);
    return;
  }
  hook_data_set (ctx->container_data, ctx->current, data, destroy);
}

const char *
cove_hook_context_get_container_path (CoveHookContext *ctx)
{
  return ctx->container_path;
}

const char *
cove_hook_context_get_rootfs (CoveHookContext *ctx)
{
  return ctx->rootfs;
}

pid_t
cove_hook_context_get_init_pid (CoveHookContext *ctx)
{
  return ctx->init_pid;
}

int
cove_hook_context_get_init_pidfd (CoveHookContext *ctx)
{
  return ctx->init_pidfd;
}

GMainContext *
cove_hook_context_get_main_context (CoveHookContext *ctx)
{
  return ctx->main_context;
}

static int
compare_hooks (gconstpointer a, gconstpointer b)
{
  const CoveHook *x = *(const CoveHook **) a;
  const CoveHook *y = *(const CoveHook **) b;
  int by_name;

  if (x->priority != y->priority)
    return x->priority < y->priority ? -1 : 1;
  by_name = g_strcmp0 (x->owner, y->owner);
  if (by_name != 0)
    return by_name;
  return x->seq < y->seq ? -1 : 1;
}

static gboolean
is_teardown (CoveHookPoint point)
{
  return point == COVE_HOOK_STOP || point == COVE_HOOK_POST_STOP;
}

gboolean
cove_hooks_run (CoveRegistry *registry, CoveHookContext *ctx, CoveHookPoint point, GError **error)
{
  g_autoptr(GPtrArray) hooks = g_ptr_array_copy (registry->hooks[point], NULL, NULL);
  gboolean teardown = is_teardown (point);

  /* the copy inherits the registry's free function; the hooks stay the registry's */
  g_ptr_array_set_free_func (hooks, NULL);
  g_ptr_array_sort (hooks, compare_hooks);
  ctx->point = point;
  for (guint n = 0; n < hooks->len; n++) {
    CoveHook *hook = hooks->pdata[teardown ? hooks->len - 1 - n : n];
    g_autoptr(GError) local_error = NULL;
    gboolean ok;

    ctx->current = hook->plugin;
    ok = hook->func (ctx, hook->user_data, &local_error);
    ctx->current = NULL;
    if (ok)
      continue;
    if (local_error == NULL)
      local_error = g_error_new (COVE_ERROR, COVE_ERROR_FAILED, "failed without a reason");
    if (teardown) {
      cove_warn ("%s: %s: %s, ignoring", hook->owner, point_names[point], local_error->message);
      continue;
    }
    g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: %s: ", hook->owner,
                                point_names[point]);
    return FALSE;
  }
  return TRUE;
}
