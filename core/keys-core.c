/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's own keys and API extensions. A key is listed here only once Cove applies
 * it; the extension list is append-only (LXC's rule: a new public function, key or key
 * value needs a new extension name).
 */
#define COVE_LOG_CATEGORY "keys"
#include "cove-private.h"
#include "child.h"
#include "net.h"

#include <string.h>

static const char *const core_extensions[] = {
  "lxc_log",
  "lxc_config_item_is_supported",
  "reboot2",
  "init_pidfd",
  "pidfd",
  "network_gateway_device_route",
  NULL,
};

const char * const *
cove_core_extensions (void)
{
  return core_extensions;
}

static char *
normalize_log_level (const char *key, const char *value, GError **error)
{
  CoveLogLevel level;

  if (!cove_log_level_parse (value, &level, error))
    return NULL;
  return g_strdup (cove_log_level_to_string (level));
}

static char *
normalize_absolute_path (const char *key, const char *value, GError **error)
{
  if (!g_path_is_absolute (value)) {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "expected an absolute path");
    return NULL;
  }
  return g_strdup (value);
}

static const CoveKeySpec core_keys[] = {
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "include", COVE_KEY_STRING, COVE_KEY_REPEATABLE,
    .doc = "Read another config file here, or every *.conf file of a directory in name order" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "log.file", COVE_KEY_STRING,
    .doc = "Log file for this container's API calls and its monitor",
    .normalize = normalize_absolute_path },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "log.level", COVE_KEY_STRING,
    .default_value = "ERROR",
    .doc = "Lowest level written to lxc.log.file: TRACE DEBUG INFO NOTICE WARN ERROR CRIT ALERT FATAL, or 0-8",
    .normalize = normalize_log_level },
};

gboolean
cove_core_register (CoveStaging *staging, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (core_keys); i++) {
    if (!cove_key_spec_check (&core_keys[i], error))
      return FALSE;
    g_ptr_array_add (staging->keys, cove_key_new (&core_keys[i], "core"));
  }
  for (gsize i = 0; i < cove_lifecycle_keys_count; i++) {
    if (!cove_key_spec_check (&cove_lifecycle_keys[i], error))
      return FALSE;
    g_ptr_array_add (staging->keys, cove_key_new (&cove_lifecycle_keys[i], "core"));
  }
  for (gsize i = 0; i < cove_net_keys_count; i++) {
    CoveHook *hook;
    if (!cove_key_spec_check (&cove_net_keys[i], error))
      return FALSE;
    g_ptr_array_add (staging->keys, cove_key_new (&cove_net_keys[i], "core"));
    if (i > 0)
      continue;
    hook = g_new0 (CoveHook, 1);
    hook->point = COVE_HOOK_CONFIG_VALIDATE;
    hook->func = cove_net_validate;
    hook->owner = "core";
    g_ptr_array_add (staging->hooks, hook);
  }
  for (const char *const *e = core_extensions; *e; e++)
    g_ptr_array_add (staging->extensions, g_strdup (*e));
  return TRUE;
}

/* Key namespaces of the first-party plugins, so that a key of a plugin that is not
 * loaded fails naming the plugin instead of as an unknown key. */
static const struct {
  CoveKeyScope scope;
  const char *prefix;   /* a trailing '.' matches everything below it */
  const char *plugin;
} owner_hints[] = {
  { COVE_KEY_SCOPE_NET, "veth.", "net-veth" },
  { COVE_KEY_SCOPE_NET, "ipvlan.", "net-ipvlan" },
  { COVE_KEY_SCOPE_NET, "l2proxy", "net-l2proxy" },
  { COVE_KEY_SCOPE_GLOBAL, "seccomp", "seccomp-notify" },
  { COVE_KEY_SCOPE_GLOBAL, "seccomp.", "seccomp-notify" },
  { COVE_KEY_SCOPE_GLOBAL, "console.buffer.", "console-ringbuffer" },
  { COVE_KEY_SCOPE_GLOBAL, "console.size", "console-ringbuffer" },
  { COVE_KEY_SCOPE_GLOBAL, "console.logfile", "console-ringbuffer" },
  { COVE_KEY_SCOPE_GLOBAL, "console.rotate", "console-ringbuffer" },
  { COVE_KEY_SCOPE_GLOBAL, "console.path", "console-ringbuffer" },
};

const char *
cove_key_owner_hint (CoveKeyScope scope, const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (owner_hints); i++) {
    const char *prefix = owner_hints[i].prefix;
    gsize len = strlen (prefix);

    if (owner_hints[i].scope != scope)
      continue;
    if (prefix[len - 1] == '.' ? strncmp (path, prefix, len) == 0 : strcmp (path, prefix) == 0)
      return owner_hints[i].plugin;
  }
  return NULL;
}
