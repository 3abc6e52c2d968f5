/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The key store. It knows no specific key: values are kept in canonical string form per
 * (interface, key), so get, clear and save work the same for every key a component
 * registers. Setters are transactional: a rejected value leaves the old one in place.
 */
#define COVE_LOG_CATEGORY "config"
#include "cove-private.h"

#include <string.h>

typedef struct {
  const CoveKey *key;
  char *path;          /* relative to the scope; for families the full relative path */
  GPtrArray *values;   /* char*, NULL-terminated */
  char *origin;        /* "file:line" or NULL for the API */
} Entry;

typedef struct {
  GHashTable *entries; /* path → Entry */
  GPtrArray *order;    /* Entry, first-set order; owns them */
} Section;

struct _CoveConfig {
  CoveContext *context;
  Section global;
  GTree *nets;         /* index → Section */
  GPtrArray *loading;  /* files being read, for include loop detection (config-parse.c) */
};

static void
entry_free (Entry *entry)
{
  g_free (entry->path);
  g_ptr_array_unref (entry->values);
  g_free (entry->origin);
  g_free (entry);
}

static void
section_init (Section *section)
{
  section->entries = g_hash_table_new (g_str_hash, g_str_equal);
  section->order = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
}

static void
section_clear (Section *section)
{
  g_clear_pointer (&section->entries, g_hash_table_unref);
  g_clear_pointer (&section->order, g_ptr_array_unref);
}

static Section *
section_new (void)
{
  Section *section = g_new0 (Section, 1);
  section_init (section);
  return section;
}

static void
section_free (Section *section)
{
  section_clear (section);
  g_free (section);
}

static void
section_copy (Section *dest, const Section *src)
{
  section_init (dest);
  for (guint i = 0; i < src->order->len; i++) {
    const Entry *from = src->order->pdata[i];
    Entry *entry = g_new0 (Entry, 1);

    entry->key = from->key;
    entry->path = g_strdup (from->path);
    entry->values = g_ptr_array_new_null_terminated (from->values->len, g_free, TRUE);
    for (guint v = 0; v < from->values->len; v++)
      g_ptr_array_add (entry->values, g_strdup (from->values->pdata[v]));
    entry->origin = g_strdup (from->origin);
    g_hash_table_insert (dest->entries, entry->path, entry);
    g_ptr_array_add (dest->order, entry);
  }
}

static gboolean
copy_net_section (gpointer index, gpointer section, gpointer nets)
{
  Section *copy = g_new0 (Section, 1);

  section_copy (copy, section);
  g_tree_insert (nets, index, copy);
  return FALSE;
}

static gint
compare_index (gconstpointer a, gconstpointer b, gpointer unused)
{
  return GPOINTER_TO_INT (a) - GPOINTER_TO_INT (b);
}

static GTree *
nets_new (void)
{
  return g_tree_new_full (compare_index, NULL, NULL, (GDestroyNotify) section_free);
}

CoveConfig *
cove_config_new (CoveContext *context)
{
  CoveConfig *config = g_new0 (CoveConfig, 1);

  config->context = cove_context_ref (context);
  section_init (&config->global);
  config->nets = nets_new ();
  config->loading = g_ptr_array_new_with_free_func (g_free);
  return config;
}

void
cove_config_free (CoveConfig *config)
{
  if (config == NULL)
    return;
  section_clear (&config->global);
  g_tree_unref (config->nets);
  g_ptr_array_unref (config->loading);
  cove_context_unref (config->context);
  g_free (config);
}

CoveContext *
cove_config_get_context (CoveConfig *config)
{
  return config->context;
}

GPtrArray *
cove_config_loading_stack (CoveConfig *config)
{
  return config->loading;
}

static Section *
find_section (CoveConfig *config, int net, gboolean create)
{
  Section *section;

  if (net < 0)
    return &config->global;
  section = g_tree_lookup (config->nets, GINT_TO_POINTER (net));
  if (section == NULL && create) {
    section = section_new ();
    g_tree_insert (config->nets, GINT_TO_POINTER (net), section);
  }
  return section;
}

static Entry *
find_entry (CoveConfig *config, int net, const char *path)
{
  Section *section = find_section (config, net, FALSE);
  return section ? g_hash_table_lookup (section->entries, path) : NULL;
}

static void
remove_entry (Section *section, Entry *entry)
{
  g_hash_table_remove (section->entries, entry->path);
  g_ptr_array_remove (section->order, entry);
}

/* lxc.include set through the API is all or nothing, like every other setter: the file is
 * read into the live store (its lines may build on each other and on what is there), and
 * on an error the store is put back as it was. Includes inside a file being read need no
 * copy: that load fails as a whole. */
static gboolean
load_include (CoveConfig *config, const char *file, GError **error)
{
  Section saved_global;
  GTree *saved_nets;

  if (config->loading->len > 0)
    return cove_config_load_file (config, file, error);
  section_copy (&saved_global, &config->global);
  saved_nets = nets_new ();
  g_tree_foreach (config->nets, copy_net_section, saved_nets);
  if (cove_config_load_file (config, file, error)) {
    section_clear (&saved_global);
    g_tree_destroy (saved_nets);
    return TRUE;
  }
  section_clear (&config->global);
  config->global = saved_global;
  g_tree_destroy (config->nets);
  config->nets = saved_nets;
  return FALSE;
}

static gboolean
is_include (const CoveKeyRef *ref)
{
  return ref->net < 0 && ref->key && g_str_equal (ref->key->owner, "core") &&
         g_str_equal (ref->key->spec.path, "include");
}

/* Everything stored must load again: its saved line ("lxc.<path> = <value>") must fit
 * the parser's line limit, whatever the value's length in the file or through the API. */
static gboolean
fits_one_line (const CoveKeyRef *ref, const char *name, const char *canonical, GError **error)
{
  gsize len = strlen (ref->path) + strlen (" = ") + strlen (canonical);

  len += ref->net < 0 ? strlen ("lxc.") : strlen ("lxc.net..") + g_snprintf (NULL, 0, "%d", ref->net);
  if (len <= COVE_CONFIG_LINE_MAX)
    return TRUE;
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
               "value of %s is too long: \"%s = <value>\" would be %" G_GSIZE_FORMAT
               " bytes, a config line holds at most %d", name, name, len, COVE_CONFIG_LINE_MAX);
  return FALSE;
}

gboolean
cove_config_set (CoveConfig *config, const char *name, const char *value, const char *origin,
                 GError **error)
{
  CoveKeyRef ref;
  Section *section;
  Entry *entry;
  char *canonical;

  if (!cove_key_parse (config->context, name, &ref, error))
    return FALSE;
  if (value == NULL)
    value = "";

  if (ref.kind != COVE_KEY_REF_KEY) {
    if (*value != '\0') {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "%s takes no value (an empty value removes %s)", name,
                   ref.kind == COVE_KEY_REF_NET_ALL ? "every interface" : "this interface");
      return FALSE;
    }
    if (ref.kind == COVE_KEY_REF_NET_ALL) {
      g_tree_destroy (config->nets);
      config->nets = nets_new ();
    } else {
      g_tree_remove (config->nets, GINT_TO_POINTER (ref.net));
    }
    return TRUE;
  }

  if (is_include (&ref)) {
    if (*value == '\0') {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "%s needs a file or directory", name);
      return FALSE;
    }
    return load_include (config, value, error);
  }

  section = find_section (config, ref.net, *value != '\0');
  entry = section ? g_hash_table_lookup (section->entries, ref.path) : NULL;
  if (*value == '\0') {
    if (entry != NULL)
      remove_entry (section, entry);
    return TRUE;
  }

  canonical = cove_key_normalize_value (ref.key, name, value, error);
  if (canonical != NULL && !fits_one_line (&ref, name, canonical, error))
    g_clear_pointer (&canonical, g_free);
  if (canonical == NULL) {
    if (section != &config->global && g_hash_table_size (section->entries) == 0)
      g_tree_remove (config->nets, GINT_TO_POINTER (ref.net));
    return FALSE;
  }

  if (entry == NULL) {
    entry = g_new0 (Entry, 1);
    entry->key = ref.key;
    entry->path = g_strdup (ref.path);
    entry->values = g_ptr_array_new_null_terminated (1, g_free, TRUE);
    g_hash_table_insert (section->entries, entry->path, entry);
    g_ptr_array_add (section->order, entry);
  } else if (!(ref.key->spec.flags & COVE_KEY_REPEATABLE)) {
    g_ptr_array_set_size (entry->values, 0);
  }
  g_ptr_array_add (entry->values, canonical);
  g_free (entry->origin);
  entry->origin = g_strdup (origin);
  return TRUE;
}

char *
cove_config_get (CoveConfig *config, const char *name, GError **error)
{
  CoveKeyRef ref;
  Entry *entry;

  if (!cove_key_parse (config->context, name, &ref, error))
    return NULL;
  if (ref.kind != COVE_KEY_REF_KEY || is_include (&ref)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                 "%s has no value to read", name);
    return NULL;
  }
  entry = find_entry (config, ref.net, ref.path);
  if (entry == NULL) {
    /* a key of one net type reads as its default once the interface has that type
     * (LXC: ipvlan.mode is l3 as soon as the type is ipvlan, spec §10) */
    const char *type = ref.net >= 0 && ref.key->spec.net_type ? cove_config_get_string (config, ref.net, "type") : NULL;
    if (type != NULL && ref.key->spec.default_value != NULL && g_str_equal (type, ref.key->spec.net_type))
      return g_strdup (ref.key->spec.default_value);
    return g_strdup ("");
  }
  return g_strjoinv ("\n", (char **) entry->values->pdata);
}

gboolean
cove_config_clear (CoveConfig *config, const char *name, GError **error)
{
  CoveKeyRef ref;

  if (!cove_key_parse (config->context, name, &ref, error))
    return FALSE;
  if (is_include (&ref)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "%s cannot be cleared", name);
    return FALSE;
  }
  return cove_config_set (config, name, "", NULL, error);
}

static void
append_entries (GString *out, const char *prefix, Section *section, const char *first)
{
  Entry *head = first ? g_hash_table_lookup (section->entries, first) : NULL;

  for (guint pass = 0; pass < 2; pass++) {
    for (guint i = 0; i < section->order->len; i++) {
      Entry *entry = section->order->pdata[i];
      if ((pass == 0) != (entry == head))
        continue;
      for (guint v = 0; v < entry->values->len; v++)
        g_string_append_printf (out, "%s%s = %s\n", prefix, entry->path,
                                (char *) entry->values->pdata[v]);
    }
  }
}

static gboolean
append_net (gpointer index, gpointer value, gpointer out)
{
  g_autofree char *prefix = g_strdup_printf ("lxc.net.%d.", GPOINTER_TO_INT (index));
  append_entries (out, prefix, value, "type");
  return FALSE;
}

char *
cove_config_to_data (CoveConfig *config)
{
  GString *out = g_string_new (NULL);

  append_entries (out, "lxc.", &config->global, NULL);
  g_tree_foreach (config->nets, append_net, out);
  return g_string_free (out, FALSE);
}

static const char *
origin_of (Entry *entry)
{
  return entry->origin ? entry->origin : "set through the API";
}

typedef struct {
  CoveConfig *config;
  GError **error;
  gboolean ok;
} ValidateNets;

static gboolean
validate_net (gpointer index, gpointer value, gpointer user_data)
{
  ValidateNets *v = user_data;
  Section *section = value;
  Entry *type = g_hash_table_lookup (section->entries, "type");
  const char *type_name = type ? type->values->pdata[0] : NULL;

  for (guint i = 0; i < section->order->len; i++) {
    Entry *entry = section->order->pdata[i];
    const char *wanted = entry->key->spec.net_type;

    if (wanted == NULL || g_strcmp0 (wanted, type_name) == 0)
      continue;
    g_set_error (v->error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "%s: lxc.net.%d.%s applies only to interfaces of type %s, but lxc.net.%d.type %s%s",
                 origin_of (entry), GPOINTER_TO_INT (index), entry->path, wanted,
                 GPOINTER_TO_INT (index), type_name ? "is " : "is not set", type_name ? type_name : "");
    v->ok = FALSE;
    return TRUE;
  }
  return FALSE;
}

gboolean
cove_config_validate (CoveConfig *config, GError **error)
{
  ValidateNets v = { config, error, TRUE };
  CoveHookContext ctx;
  gboolean ok;

  g_tree_foreach (config->nets, validate_net, &v);
  if (!v.ok)
    return FALSE;

  cove_hook_context_init (&ctx, config, NULL);
  ok = cove_hooks_run (config->context->registry, &ctx, COVE_HOOK_CONFIG_VALIDATE, error);
  cove_hook_context_clear (&ctx);
  return ok;
}

static void
add_unique (GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (names->pdata[i], name))
      return;
  g_ptr_array_add (names, g_strdup (name));
}

char **
cove_config_list_keys (CoveConfig *config, const char *prefix, GError **error)
{
  CoveRegistry *registry = config->context->registry;
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (32, g_free, TRUE);
  g_autofree char *below = NULL;

  if (prefix == NULL) {
    for (guint i = 0; i < registry->keys->len; i++) {
      CoveKey *key = registry->keys->pdata[i];
      if (key->spec.scope == COVE_KEY_SCOPE_GLOBAL) {
        g_autofree char *full = g_strconcat ("lxc.", key->spec.path, NULL);
        add_unique (names, full);
      }
    }
    add_unique (names, "lxc.net");
    return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  }

  if (g_str_has_prefix (prefix, "lxc.net.") || g_str_equal (prefix, "lxc.net")) {
    CoveKeyRef ref;
    Entry *type;

    if (!cove_key_parse (config->context, prefix, &ref, error))
      return NULL;
    if (ref.kind != COVE_KEY_REF_NET_ONE) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                   "%s: expected lxc.net.<N> with an interface number", prefix);
      return NULL;
    }
    if (find_section (config, ref.net, FALSE) == NULL) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
                   "%s: interface %d is not configured", prefix, ref.net);
      return NULL;
    }
    type = find_entry (config, ref.net, "type");
    for (guint i = 0; i < registry->keys->len; i++) {
      CoveKey *key = registry->keys->pdata[i];
      if (key->spec.scope != COVE_KEY_SCOPE_NET)
        continue;
      if (key->spec.net_type && (!type || !g_str_equal (key->spec.net_type, type->values->pdata[0])))
        continue;
      add_unique (names, key->spec.path);
    }
    return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  }

  below = g_strconcat (prefix, ".", NULL);
  for (guint i = 0; i < registry->keys->len; i++) {
    CoveKey *key = registry->keys->pdata[i];
    g_autofree char *full = g_strconcat ("lxc.", key->spec.path, NULL);
    if (key->spec.scope == COVE_KEY_SCOPE_GLOBAL && g_str_has_prefix (full, below))
      add_unique (names, full + strlen (below));
  }
  if (names->len == 0) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "no configuration keys below %s", prefix);
    return NULL;
  }
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* ---- the SDK's typed readers ------------------------------------------------------- */

static const CoveKey *
registered_key (CoveConfig *config, int net, const char *path)
{
  return cove_registry_lookup_key (config->context->registry,
                                   net < 0 ? COVE_KEY_SCOPE_GLOBAL : COVE_KEY_SCOPE_NET, path);
}

gboolean
cove_config_is_set (CoveConfig *config, int net, const char *path)
{
  g_return_val_if_fail (config != NULL && path != NULL, FALSE);
  return find_entry (config, net, path) != NULL;
}

const char *
cove_config_get_string (CoveConfig *config, int net, const char *path)
{
  Entry *entry;
  const CoveKey *key;

  g_return_val_if_fail (config != NULL && path != NULL, NULL);
  entry = find_entry (config, net, path);
  if (entry != NULL)
    return entry->values->pdata[entry->values->len - 1];
  key = registered_key (config, net, path);
  return key ? key->spec.default_value : NULL;
}

gboolean
cove_config_get_bool (CoveConfig *config, int net, const char *path)
{
  const char *value = cove_config_get_string (config, net, path);
  return value != NULL && g_str_equal (value, "1");
}

guint64
cove_config_get_uint (CoveConfig *config, int net, const char *path)
{
  const char *value = cove_config_get_string (config, net, path);
  return value ? g_ascii_strtoull (value, NULL, 10) : 0;
}

const char * const *
cove_config_get_list (CoveConfig *config, int net, const char *path)
{
  static const char *const empty[] = { NULL };
  Entry *entry;

  g_return_val_if_fail (config != NULL && path != NULL, empty);
  entry = find_entry (config, net, path);
  return entry ? (const char * const *) entry->values->pdata : empty;
}

const char *
cove_config_get_origin (CoveConfig *config, int net, const char *path)
{
  Entry *entry;

  g_return_val_if_fail (config != NULL && path != NULL, NULL);
  entry = find_entry (config, net, path);
  return entry ? origin_of (entry) : NULL;
}

typedef struct {
  int after;
  int found;
} NextNet;

static gboolean
next_net (gpointer index, gpointer value, gpointer user_data)
{
  NextNet *n = user_data;
  if (GPOINTER_TO_INT (index) > n->after) {
    n->found = GPOINTER_TO_INT (index);
    return TRUE;
  }
  return FALSE;
}

int
cove_config_next_net (CoveConfig *config, int after)
{
  NextNet n = { after, -1 };

  g_return_val_if_fail (config != NULL, -1);
  g_tree_foreach (config->nets, next_net, &n);
  return n.found;
}
