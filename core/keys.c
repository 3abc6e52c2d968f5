/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Key names and values: the lxc.<path> / lxc.net.<N>.<path> grammar, and the type
 * checks that turn a value into its canonical stored form.
 */
#define COVE_LOG_CATEGORY "keys"
#include "cove-private.h"

#include <string.h>

static gboolean
unknown_key (CoveContext *context, const char *name, CoveKeyScope scope, const char *path,
             GError **error)
{
  const char *plugin_name = path ? cove_key_owner_hint (scope, path) : NULL;
  CovePlugin *plugin;

  if (plugin_name == NULL) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_UNKNOWN_KEY, "unknown configuration key \"%s\"", name);
    return FALSE;
  }
  plugin = cove_context_find_plugin (context, plugin_name);
  if (plugin == NULL)
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_MISSING,
                 "%s needs plugin %s, which is not installed", name, plugin_name);
  else if (plugin->info.state == COVE_PLUGIN_STATE_ACTIVE)
    g_set_error (error, COVE_ERROR, COVE_ERROR_UNKNOWN_KEY,
                 "unknown configuration key \"%s\" (plugin %s does not provide it)", name, plugin_name);
  else if (plugin->info.state == COVE_PLUGIN_STATE_DISABLED)
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_MISSING,
                 "%s needs plugin %s, which is disabled", name, plugin_name);
  else
    g_set_error (error, COVE_ERROR, COVE_ERROR_PLUGIN_MISSING,
                 "%s needs plugin %s, which is %s: %s", name, plugin_name,
                 plugin->info.state == COVE_PLUGIN_STATE_FAILED ? "not loaded" : "unavailable",
                 plugin->info.reason);
  return FALSE;
}

static const CoveKey *
lookup_global (CoveRegistry *registry, const char *path)
{
  const CoveKey *key = cove_registry_lookup_key (registry, COVE_KEY_SCOPE_GLOBAL, path);
  g_autofree char *prefix = NULL;
  char *dot;

  if (key != NULL)
    return (key->spec.flags & COVE_KEY_FAMILY) ? NULL : key;

  /* lxc.cgroup2.memory.max: try lxc.cgroup2.memory, then lxc.cgroup2 as a family;
   * a member has no empty word ("lxc.cgroup2.", "lxc.cgroup2..x" are no keys) */
  if (g_str_has_suffix (path, ".") || strstr (path, "..") != NULL)
    return NULL;
  prefix = g_strdup (path);
  while ((dot = strrchr (prefix, '.')) != NULL) {
    *dot = '\0';
    key = cove_registry_lookup_key (registry, COVE_KEY_SCOPE_GLOBAL, prefix);
    if (key != NULL)
      return (key->spec.flags & COVE_KEY_FAMILY) ? key : NULL;
  }
  return NULL;
}

static gboolean
parse_net_index (const char *name, const char **rest, int *index, GError **error)
{
  const char *p = *rest;
  guint64 value = 0;

  if (!g_ascii_isdigit (*p)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_UNKNOWN_KEY,
                 "invalid configuration key \"%s\": expected an interface number after \"lxc.net.\"",
                 name);
    return FALSE;
  }
  for (; g_ascii_isdigit (*p); p++) {
    value = value * 10 + (*p - '0');
    if (value > COVE_NET_INDEX_MAX) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_UNKNOWN_KEY,
                   "invalid configuration key \"%s\": interface number out of range (0-%d)",
                   name, COVE_NET_INDEX_MAX);
      return FALSE;
    }
  }
  if (*p != '\0' && *p != '.') {
    g_set_error (error, COVE_ERROR, COVE_ERROR_UNKNOWN_KEY,
                 "invalid configuration key \"%s\": expected an interface number after \"lxc.net.\"",
                 name);
    return FALSE;
  }
  *index = (int) value;
  *rest = p;
  return TRUE;
}

gboolean
cove_key_parse (CoveContext *context, const char *name, CoveKeyRef *ref, GError **error)
{
  CoveRegistry *registry = context->registry;
  const char *rest;

  memset (ref, 0, sizeof *ref);
  ref->net = -1;
  if (name == NULL || !g_str_has_prefix (name, "lxc.") || name[4] == '\0')
    return unknown_key (context, name ? name : "(null)", COVE_KEY_SCOPE_GLOBAL, NULL, error);

  rest = name + 4;
  if (strcmp (rest, "net") == 0) {
    ref->kind = COVE_KEY_REF_NET_ALL;
    return TRUE;
  }
  if (!g_str_has_prefix (rest, "net.")) {
    ref->kind = COVE_KEY_REF_KEY;
    ref->path = rest;
    ref->key = lookup_global (registry, rest);
    if (ref->key == NULL)
      return unknown_key (context, name, COVE_KEY_SCOPE_GLOBAL, rest, error);
    return TRUE;
  }

  rest += 4;
  if (!parse_net_index (name, &rest, &ref->net, error))
    return FALSE;
  if (*rest == '\0') {
    ref->kind = COVE_KEY_REF_NET_ONE;
    return TRUE;
  }
  rest++;  /* the dot */
  if (*rest == '\0') {
    g_set_error (error, COVE_ERROR, COVE_ERROR_UNKNOWN_KEY,
                 "invalid configuration key \"%s\": missing the key after the interface number", name);
    return FALSE;
  }
  ref->kind = COVE_KEY_REF_KEY;
  ref->path = rest;
  ref->key = cove_registry_lookup_key (registry, COVE_KEY_SCOPE_NET, rest);
  if (ref->key == NULL)
    return unknown_key (context, name, COVE_KEY_SCOPE_NET, rest, error);
  return TRUE;
}

/* Byte sizes: digits, optional blanks, optional unit B, K/KB/KiB, M/MB/MiB, G/GB/GiB in any
 * case; every unit is a power of 1024. Unlike LXC, "4K" is 4096 bytes. */
gboolean
cove_parse_byte_size (const char *text, guint64 *bytes, GError **error)
{
  static const struct { const char *unit; guint shift; } units[] = {
    { "", 0 }, { "b", 0 },
    { "k", 10 }, { "kb", 10 }, { "kib", 10 },
    { "m", 20 }, { "mb", 20 }, { "mib", 20 },
    { "g", 30 }, { "gb", 30 }, { "gib", 30 },
  };
  const char *p = text;
  guint64 value = 0;

  if (!g_ascii_isdigit (*p))
    goto invalid;
  for (; g_ascii_isdigit (*p); p++) {
    guint digit = *p - '0';
    if (value > (G_MAXUINT64 - digit) / 10)
      goto too_large;
    value = value * 10 + digit;
  }
  while (*p == ' ' || *p == '\t')
    p++;
  if (p > text && (p[-1] == ' ' || p[-1] == '\t') && *p == '\0')
    goto invalid;   /* trailing blanks */
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++) {
    if (g_ascii_strcasecmp (p, units[i].unit) == 0) {
      if (units[i].shift > 0 && value > (G_MAXUINT64 >> units[i].shift))
        goto too_large;
      *bytes = value << units[i].shift;
      return TRUE;
    }
  }
invalid:
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
               "invalid byte size \"%s\" (expected a number with an optional unit B, K, KB, KiB, "
               "M, MB, MiB, G, GB or GiB)", text);
  return FALSE;
too_large:
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "byte size \"%s\" is too large", text);
  return FALSE;
}

static char *
invalid_value (GError **error, const char *name, const char *value, const char *expected)
{
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "invalid value \"%s\" for %s: %s",
               value, name, expected);
  return NULL;
}

char *
cove_key_normalize_value (const CoveKey *key, const char *name, const char *value, GError **error)
{
  g_autofree char *canonical = NULL;
  g_autoptr(GError) local_error = NULL;
  guint64 number;

  if (strpbrk (value, "\r\n") != NULL)
    return invalid_value (error, name, "…", "a value cannot span lines");

  switch (key->spec.type) {
  case COVE_KEY_STRING:
    canonical = g_strdup (value);
    break;
  case COVE_KEY_BOOL:
    if (strcmp (value, "0") != 0 && strcmp (value, "1") != 0)
      return invalid_value (error, name, value, "expected 0 or 1");
    canonical = g_strdup (value);
    break;
  case COVE_KEY_UINT:
    if (!g_ascii_isdigit (value[0]) ||
        !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &number, NULL))
      return invalid_value (error, name, value, "expected a non-negative decimal number");
    canonical = g_strdup_printf ("%" G_GUINT64_FORMAT, number);
    break;
  case COVE_KEY_SIZE:
    if (!cove_parse_byte_size (value, &number, &local_error))
      return invalid_value (error, name, value, local_error->message);
    canonical = g_strdup_printf ("%" G_GUINT64_FORMAT, number);
    break;
  case COVE_KEY_ENUM:
    if (!g_strv_contains ((const char * const *) key->spec.values, value)) {
      g_autofree char *allowed = g_strjoinv (", ", (char **) key->spec.values);
      g_autofree char *expected = g_strdup_printf ("expected one of %s", allowed);
      return invalid_value (error, name, value, expected);
    }
    canonical = g_strdup (value);
    break;
  }

  if (key->spec.normalize != NULL) {
    char *custom = key->spec.normalize (name, canonical, &local_error);
    if (custom == NULL) {
      if (local_error == NULL)
        return invalid_value (error, name, value, "rejected by its validator");
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "invalid value \"%s\" for %s: %s",
                   value, name, local_error->message);
      return NULL;
    }
    g_free (canonical);
    canonical = custom;
  }
  return g_steal_pointer (&canonical);
}
