/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * example-hello: a complete out-of-tree Cove plugin.
 *
 * It registers one configuration key, lxc.x-example.greeting, and one API extension,
 * x_example_greeting, and checks the key in a CONFIG_VALIDATE hook: a greeting without a
 * single letter or digit ("   ", "...") is refused with a clear error.
 *
 * It includes only <cove-plugin.h>, the plugin SDK, which is all a plugin may include.
 * Build it with the meson.build next to it against an installed Cove (cove-1.pc).
 */
#include <cove-plugin.h>

/* Third-party names: lxc.x-<vendor>.* keys, x_<vendor>_* API extensions. */
#define GREETING_PATH "x-example.greeting"   /* relative to the global scope: lxc.x-example.greeting */

static const char *const example_extensions[] = { "x_example_greeting", NULL };

/* Registration data is static and read-only: the plugin keeps no mutable global state. */
static const CoveKeySpec greeting_key = {
  .struct_size = sizeof (CoveKeySpec),
  .scope = COVE_KEY_SCOPE_GLOBAL,
  .path = GREETING_PATH,
  .type = COVE_KEY_STRING,
  .doc = "A greeting for the container (example plugin); needs at least one letter or digit",
};

/* "Empty-looking": only ASCII blanks and punctuation. Bytes >= 0x80 (UTF-8 letters …)
 * count as content. */
static gboolean
looks_empty (const char *text)
{
  for (const guchar *p = (const guchar *) text; *p; p++)
    if (*p >= 0x80 || g_ascii_isalnum (*p))
      return FALSE;
  return TRUE;
}

/* CONFIG_VALIDATE runs after the whole configuration is known (a file is parsed, or before a
 * start); it must have no side effects. */
static gboolean
check_greeting (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  CoveConfig *config = cove_hook_context_get_config (ctx);
  const char *greeting;

  if (!cove_config_is_set (config, -1, GREETING_PATH))
    return TRUE;
  greeting = cove_config_get_string (config, -1, GREETING_PATH);
  if (!looks_empty (greeting))
    return TRUE;
  /* the core prefixes this with "example-hello: config-validate: " */
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
               "%s: lxc.x-example.greeting \"%s\" has no letter or digit; "
               "write a real greeting or remove the key",
               cove_config_get_origin (config, -1, GREETING_PATH), greeting);
  return FALSE;
}

/* Runs once per CoveContext that loads the plugin; registers into a staging area that the
 * core commits only if this returns TRUE and nothing conflicts. */
static gboolean
example_hello_init (CovePlugin *plugin, GError **error)
{
  return cove_plugin_add_key (plugin, &greeting_key, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_CONFIG_VALIDATE, 0, check_greeting, NULL, error);
}

/* The name must equal the file stem: this file is installed as example-hello.so. */
COVE_PLUGIN_DEFINE ("example-hello", "1.0.0", "LGPL-2.1-or-later",
                    "Example out-of-tree plugin: the lxc.x-example.greeting key",
                    example_extensions, example_hello_init);
