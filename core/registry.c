/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the core and the plugins register: keys, API extensions, net types, hooks and
 * monitor commands. A component registers into a staging area first; the staging area
 * is committed whole, or not at all when anything in it conflicts.
 */
#define COVE_LOG_CATEGORY "registry"
#include "cove-private.h"

#include <string.h>

static void
net_type_free (CoveNetType *type)
{
  g_free (type->name);
  g_free (type);
}

static void
command_free (CoveCommand *command)
{
  g_free (command->name);
  g_free (command);
}

CoveRegistry *
cove_registry_new (void)
{
  CoveRegistry *registry = g_new0 (CoveRegistry, 1);

  registry->global_keys = g_hash_table_new (g_str_hash, g_str_equal);
  registry->net_keys = g_hash_table_new (g_str_hash, g_str_equal);
  registry->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) cove_key_free);
  registry->extensions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  registry->extension_list = g_ptr_array_new_null_terminated (16, NULL, TRUE);
  registry->net_types = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) net_type_free);
  registry->commands = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) command_free);
  for (int i = 0; i < COVE_HOOK_N_POINTS; i++)
    registry->hooks[i] = g_ptr_array_new_with_free_func (g_free);
  return registry;
}

void
cove_registry_free (CoveRegistry *registry)
{
  if (registry == NULL)
    return;
  g_hash_table_unref (registry->global_keys);
  g_hash_table_unref (registry->net_keys);
  g_ptr_array_unref (registry->keys);
  g_ptr_array_unref (registry->extension_list);
  g_hash_table_unref (registry->extensions);
  g_hash_table_unref (registry->net_types);
  g_hash_table_unref (registry->commands);
  for (int i = 0; i < COVE_HOOK_N_POINTS; i++)
    g_ptr_array_unref (registry->hooks[i]);
  g_free (registry);
}

static gboolean
path_is_valid (const char *path)
{
  if (path == NULL || *path == '\0' || *path == '.' || path[strlen (path) - 1] == '.')
    return FALSE;
  for (const char *p = path; *p; p++) {
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '.' || *p == '_' || *p == '-'))
      return FALSE;
    if (p[0] == '.' && p[1] == '.')
      return FALSE;
  }
  return TRUE;
}

gboolean
cove_key_spec_check (const CoveKeySpec *spec, GError **error)
{
  if (spec == NULL || spec->struct_size < sizeof (CoveKeySpec)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_ABI,
                 "key spec has struct_size %u, expected at least %zu",
                 spec ? spec->struct_size : 0, sizeof (CoveKeySpec));
    return FALSE;
  }
  if (!path_is_valid (spec->path)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "invalid key path \"%s\" (lower-case words separated by dots)",
                 spec->path ? spec->path : "(null)");
    return FALSE;
  }
  if (spec->scope != COVE_KEY_SCOPE_GLOBAL && spec->scope != COVE_KEY_SCOPE_NET) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "key %s: unknown scope %d",
                 spec->path, spec->scope);
    return FALSE;
  }
  if (spec->type > COVE_KEY_ENUM) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "key %s: unknown type %d",
                 spec->path, spec->type);
    return FALSE;
  }
  if (spec->type == COVE_KEY_ENUM && (spec->values == NULL || spec->values[0] == NULL)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "key %s: an enum key needs its allowed values", spec->path);
    return FALSE;
  }
  if ((spec->flags & COVE_KEY_FAMILY) && spec->scope != COVE_KEY_SCOPE_GLOBAL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "key %s: key families exist only in the global scope", spec->path);
    return FALSE;
  }
  if (spec->scope == COVE_KEY_SCOPE_GLOBAL &&
      (g_str_equal (spec->path, "net") || g_str_has_prefix (spec->path, "net."))) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "key %s: lxc.net.* keys are registered in the network scope", spec->path);
    return FALSE;
  }
  if (spec->doc == NULL || *spec->doc == '\0') {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "key %s: a one-line doc string is required", spec->path);
    return FALSE;
  }
  return TRUE;
}

CoveKey *
cove_key_new (const CoveKeySpec *spec, const char *owner)
{
  CoveKey *key = g_new0 (CoveKey, 1);

  memcpy (&key->spec, spec, sizeof (CoveKeySpec));
  key->spec.struct_size = sizeof (CoveKeySpec);
  key->owner = owner;
  if (spec->scope == COVE_KEY_SCOPE_NET)
    key->display = g_strconcat ("lxc.net.N.", spec->path, NULL);
  else if (spec->flags & COVE_KEY_FAMILY)
    key->display = g_strconcat ("lxc.", spec->path, ".*", NULL);
  else
    key->display = g_strconcat ("lxc.", spec->path, NULL);
  return key;
}

void
cove_key_free (CoveKey *key)
{
  if (key == NULL)
    return;
  g_free (key->display);
  g_free (key);
}

void
cove_staging_init (CoveStaging *staging, const char *owner)
{
  staging->owner = owner;
  staging->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) cove_key_free);
  staging->extensions = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  staging->net_types = g_ptr_array_new_with_free_func ((GDestroyNotify) net_type_free);
  staging->hooks = g_ptr_array_new_with_free_func (g_free);
  staging->commands = g_ptr_array_new_with_free_func ((GDestroyNotify) command_free);
}

void
cove_staging_clear (CoveStaging *staging)
{
  g_clear_pointer (&staging->keys, g_ptr_array_unref);
  g_clear_pointer (&staging->extensions, g_ptr_array_unref);
  g_clear_pointer (&staging->net_types, g_ptr_array_unref);
  g_clear_pointer (&staging->hooks, g_ptr_array_unref);
  g_clear_pointer (&staging->commands, g_ptr_array_unref);
}

static GHashTable *
key_table (CoveRegistry *registry, CoveKeyScope scope)
{
  return scope == COVE_KEY_SCOPE_NET ? registry->net_keys : registry->global_keys;
}

static gboolean
conflict (GError **error, const char *what, const char *name, const char *owner)
{
  g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_CONFLICT, "%s %s is already registered by %s",
               what, name, owner);
  return FALSE;
}

/* Checks the staged registrations against the registry and against each other. */
static gboolean
check_conflicts (CoveRegistry *registry, CoveStaging *staging, GError **error)
{
  g_autoptr(GHashTable) seen_global = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) seen_net = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < staging->keys->len; i++) {
    CoveKey *key = staging->keys->pdata[i];
    const CoveKey *other = g_hash_table_lookup (key_table (registry, key->spec.scope), key->spec.path);
    GHashTable *mine = key->spec.scope == COVE_KEY_SCOPE_NET ? seen_net : seen_global;

    if (other != NULL)
      return conflict (error, "key", key->display, other->owner);
    if (!g_hash_table_add (mine, (gpointer) key->spec.path))
      return conflict (error, "key", key->display, key->owner);
  }
  for (guint i = 0; i < staging->extensions->len; i++) {
    const char *name = staging->extensions->pdata[i];
    const char *owner = g_hash_table_lookup (registry->extensions, name);
    if (owner != NULL)
      return conflict (error, "API extension", name, owner);
    if (!g_hash_table_add (seen, (gpointer) name))
      return conflict (error, "API extension", name, staging->owner);
  }
  g_hash_table_remove_all (seen);
  for (guint i = 0; i < staging->net_types->len; i++) {
    CoveNetType *type = staging->net_types->pdata[i];
    CoveNetType *other = g_hash_table_lookup (registry->net_types, type->name);
    if (other != NULL)
      return conflict (error, "net type", type->name, other->owner);
    if (!g_hash_table_add (seen, type->name))
      return conflict (error, "net type", type->name, type->owner);
  }
  g_hash_table_remove_all (seen);
  for (guint i = 0; i < staging->commands->len; i++) {
    CoveCommand *command = staging->commands->pdata[i];
    CoveCommand *other = g_hash_table_lookup (registry->commands, command->name);
    if (other != NULL)
      return conflict (error, "monitor command", command->name, other->owner);
    if (!g_hash_table_add (seen, command->name))
      return conflict (error, "monitor command", command->name, command->owner);
  }
  return TRUE;
}

gboolean
cove_registry_commit (CoveRegistry *registry, CoveStaging *staging, GError **error)
{
  if (!check_conflicts (registry, staging, error))
    return FALSE;

  for (guint i = 0; i < staging->keys->len; i++) {
    CoveKey *key = staging->keys->pdata[i];
    g_hash_table_insert (key_table (registry, key->spec.scope), (gpointer) key->spec.path, key);
  }
  g_ptr_array_extend_and_steal (registry->keys, g_steal_pointer (&staging->keys));
  staging->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) cove_key_free);

  while (staging->extensions->len > 0) {
    char *name = g_ptr_array_steal_index (staging->extensions, 0);
    g_hash_table_insert (registry->extensions, name, (gpointer) staging->owner);
    g_ptr_array_add (registry->extension_list, name);
  }

  while (staging->net_types->len > 0) {
    CoveNetType *type = g_ptr_array_steal_index (staging->net_types, 0);
    g_hash_table_insert (registry->net_types, type->name, type);
  }
  while (staging->commands->len > 0) {
    CoveCommand *command = g_ptr_array_steal_index (staging->commands, 0);
    g_hash_table_insert (registry->commands, command->name, command);
  }
  while (staging->hooks->len > 0) {
    CoveHook *hook = g_ptr_array_steal_index (staging->hooks, 0);
    hook->seq = registry->hook_seq++;
    g_ptr_array_add (registry->hooks[hook->point], hook);
  }
  return TRUE;
}

const CoveKey *
cove_registry_lookup_key (CoveRegistry *registry, CoveKeyScope scope, const char *path)
{
  return g_hash_table_lookup (key_table (registry, scope), path);
}

const CoveNetType *
cove_registry_lookup_net_type (CoveRegistry *registry, const char *name)
{
  return g_hash_table_lookup (registry->net_types, name);
}

const CoveCommand *
cove_registry_lookup_command (CoveRegistry *registry, const char *name)
{
  return g_hash_table_lookup (registry->commands, name);
}
