/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CoveContainer: a named container under a path, and its configuration. */
#define COVE_LOG_CATEGORY "container"
#include "cove-private.h"

#include <fcntl.h>
#include <string.h>

struct _CoveContainer {
  gint ref_count;
  CoveContext *context;
  char *name;
  char *path;
  char *config_file;
  CoveConfig *config;
  /* lxc.log.file / lxc.log.level, applied to this container's API calls */
  CoveLogTarget log_target;
  char *log_file;
};

static void
update_log_target (CoveContainer *c)
{
  const char *file = cove_config_get_string (c->config, -1, "log.file");
  const char *level = cove_config_get_string (c->config, -1, "log.level");
  CoveLogLevel parsed = COVE_LOG_ERROR;

  if (level != NULL)
    cove_log_level_parse (level, &parsed, NULL);
  c->log_target.level = parsed;
  if (g_strcmp0 (file, c->log_file) == 0)
    return;
  cove_close_fdp (&c->log_target.fd);
  g_free (c->log_file);
  c->log_file = g_strdup (file);
  c->log_target.path = c->log_file;
  c->log_target.open_failed = FALSE;
}

#define WITH_LOG(c) for (gboolean once_ = (cove_log_push_target (&(c)->log_target), TRUE); once_; \
                         once_ = (cove_log_pop_target (), FALSE))

CoveContainer *
cove_container_new_with_context (CoveContext *context, const char *name, const char *path,
                                 GError **error)
{
  CoveContainer *c;

  g_return_val_if_fail (context != NULL, NULL);
  if (!cove_validate_name ("container name", name, error))
    return NULL;
  if (path != NULL && !g_path_is_absolute (path)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "container path \"%s\" must be absolute", path);
    return NULL;
  }
  c = g_new0 (CoveContainer, 1);
  c->ref_count = 1;
  c->context = cove_context_ref (context);
  c->name = g_strdup (name);
  c->path = g_strdup (path ? path : COVE_DEFAULT_PATH);
  c->config_file = g_build_filename (c->path, name, "config", NULL);
  c->config = cove_config_new (context);
  c->log_target.name = c->name;
  c->log_target.fd = -1;
  c->log_target.level = COVE_LOG_ERROR;
  return c;
}

CoveContainer *
cove_container_new (const char *name, const char *path, GError **error)
{
  return cove_container_new_with_context (cove_context_get_default (), name, path, error);
}

CoveContainer *
cove_container_ref (CoveContainer *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  g_atomic_int_inc (&c->ref_count);
  return c;
}

void
cove_container_unref (CoveContainer *c)
{
  if (c == NULL || !g_atomic_int_dec_and_test (&c->ref_count))
    return;
  cove_close_fdp (&c->log_target.fd);
  g_free (c->log_file);
  cove_config_free (c->config);
  cove_context_unref (c->context);
  g_free (c->name);
  g_free (c->path);
  g_free (c->config_file);
  g_free (c);
}

const char *
cove_container_get_name (CoveContainer *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->name;
}

const char *
cove_container_get_path (CoveContainer *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->path;
}

const char *
cove_container_get_config_file (CoveContainer *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->config_file;
}

/* Logs a failed call with the container's target, then hands the error on. */
static gboolean
failed (CoveContainer *c, GError **error, GError *local_error)
{
  WITH_LOG (c)
    cove_error ("%s", local_error->message);
  g_propagate_error (error, local_error);
  return FALSE;
}

gboolean
cove_container_load_config (CoveContainer *c, const char *file, GError **error)
{
  g_autoptr(CoveConfig) fresh = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  if (file == NULL)
    file = c->config_file;
  /* load into a fresh store and swap on success: a bad file changes nothing */
  fresh = cove_config_new (c->context);
  if (!cove_config_load_file (fresh, file, &local_error) || !cove_config_validate (fresh, &local_error))
    return failed (c, error, local_error);
  cove_config_free (c->config);
  c->config = g_steal_pointer (&fresh);
  update_log_target (c);
  WITH_LOG (c)
    cove_debug ("loaded configuration %s", file);
  return TRUE;
}

gboolean
cove_container_set_config_item (CoveContainer *c, const char *key, const char *value, GError **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  if (key == NULL) {
    local_error = g_error_new (COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "no key given");
    return failed (c, error, local_error);
  }
  if (!cove_config_set (c->config, key, value, NULL, &local_error))
    return failed (c, error, local_error);
  update_log_target (c);
  WITH_LOG (c)
    cove_trace ("set %s = %s", key, value ? value : "");
  return TRUE;
}

char *
cove_container_get_config_item (CoveContainer *c, const char *key, GError **error)
{
  GError *local_error = NULL;
  char *value;

  g_return_val_if_fail (c != NULL, NULL);
  value = cove_config_get (c->config, key, &local_error);
  if (value == NULL)
    failed (c, error, local_error);
  return value;
}

gboolean
cove_container_clear_config_item (CoveContainer *c, const char *key, GError **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  if (!cove_config_clear (c->config, key, &local_error))
    return failed (c, error, local_error);
  update_log_target (c);
  return TRUE;
}

gboolean
cove_container_save_config (CoveContainer *c, const char *file, GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *dir = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  if (file == NULL)
    file = c->config_file;
  dir = g_path_get_dirname (file);
  if (g_mkdir_with_parents (dir, 0755) < 0) {
    cove_throw_errno (&local_error, "create %s", dir);
    return failed (c, error, local_error);
  }
  data = cove_config_to_data (c->config);
  /* written to a temporary file and renamed: a crash never leaves half a config */
  if (!g_file_set_contents_full (file, data, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0640, &local_error))
    return failed (c, error, local_error);
  return TRUE;
}

gboolean
cove_container_validate_config (CoveContainer *c, GError **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (c != NULL, FALSE);
  if (!cove_config_validate (c->config, &local_error))
    return failed (c, error, local_error);
  return TRUE;
}

char **
cove_container_get_keys (CoveContainer *c, const char *prefix, GError **error)
{
  g_return_val_if_fail (c != NULL, NULL);
  return cove_config_list_keys (c->config, prefix, error);
}

CoveConfig *
cove_container_get_config (CoveContainer *c)
{
  return c->config;
}

gboolean
cove_container_load_data (CoveContainer *c, const char *data, gsize len, const char *origin,
                          GError **error)
{
  g_autoptr(CoveConfig) fresh = cove_config_new (c->context);

  if (!cove_config_load_data (fresh, data, len, origin, error))
    return FALSE;
  cove_config_free (c->config);
  c->config = g_steal_pointer (&fresh);
  update_log_target (c);
  return TRUE;
}

void
cove_container_push_log (CoveContainer *c)
{
  cove_log_push_target (&c->log_target);
}

void
cove_container_pop_log (CoveContainer *c)
{
  cove_log_pop_target ();
}

CoveContext *
cove_container_get_context (CoveContainer *c)
{
  return c->context;
}
