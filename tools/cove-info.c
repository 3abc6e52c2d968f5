/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cove extensions | keys | plugins: what this installation provides. */
#include <stdio.h>
#include <string.h>
#include "cove-cli.h"

static const CoveCliCommand extensions_command = { "extensions", "", "List the API extensions this installation provides" };
static const CoveCliCommand keys_command = { "keys", "[PREFIX]", "List the configuration keys this installation accepts" };
static const CoveCliCommand plugins_command = { "plugins", "[--json]", "List plugins with their state, reason, file, extensions and keys" };

int
cove_cmd_extensions (CoveCli *cli, int argc, char **argv)
{
  g_auto(GStrv) names = NULL;

  if (!cove_cli_parse (&extensions_command, NULL,
                       "Prints one API extension per line: the core's and those of the active plugins.\n"
                       "Applications test for one with cove_has_api_extension().",
                       &argc, &argv))
    return 1;
  if (argc > 1)
    return cove_cli_fail ("extensions: unexpected argument \"%s\"", argv[1]);
  names = cove_list_api_extensions ();
  for (char **n = names; *n; n++)
    printf ("%s\n", *n);
  return 0;
}

int
cove_cmd_keys (CoveCli *cli, int argc, char **argv)
{
  g_auto(GStrv) keys = NULL;

  if (!cove_cli_parse (&keys_command, NULL,
                       "Prints every configuration key that the core and the active plugins register,\n"
                       "optionally only those starting with PREFIX. Interface keys are shown as\n"
                       "lxc.net.N.<key>, where N is the interface number.",
                       &argc, &argv))
    return 1;
  if (argc > 2)
    return cove_cli_fail ("keys: expected at most one PREFIX");
  keys = cove_context_list_keys (cove_context_get_default (), argc == 2 ? argv[1] : NULL);
  for (char **k = keys; *k; k++)
    printf ("%s\n", *k);
  return 0;
}

static void
json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++) {
    switch (*p) {
    case '"': g_string_append (out, "\\\""); break;
    case '\\': g_string_append (out, "\\\\"); break;
    case '\n': g_string_append (out, "\\n"); break;
    case '\t': g_string_append (out, "\\t"); break;
    default:
      if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  }
  g_string_append_c (out, '"');
}

static void
json_string_or_null (GString *out, const char *s)
{
  if (s == NULL)
    g_string_append (out, "null");
  else
    json_string (out, s);
}

static void
json_strv (GString *out, const char * const *v)
{
  g_string_append_c (out, '[');
  for (guint i = 0; v[i]; i++) {
    if (i > 0)
      g_string_append (out, ", ");
    json_string (out, v[i]);
  }
  g_string_append_c (out, ']');
}

static void
print_json (const CovePluginInfo * const *plugins)
{
  g_autoptr(GString) out = g_string_new ("[");

  for (guint i = 0; plugins[i]; i++) {
    const CovePluginInfo *p = plugins[i];
    g_string_append (out, i ? ",\n  {" : "\n  {");
    g_string_append (out, "\"name\": "); json_string (out, cove_plugin_info_get_name (p));
    g_string_append (out, ", \"version\": "); json_string_or_null (out, cove_plugin_info_get_version (p));
    g_string_append (out, ", \"state\": "); json_string (out, cove_plugin_state_to_string (cove_plugin_info_get_state (p)));
    g_string_append (out, ", \"reason\": "); json_string_or_null (out, cove_plugin_info_get_reason (p));
    g_string_append (out, ", \"file\": "); json_string (out, cove_plugin_info_get_file (p));
    g_string_append (out, ", \"summary\": "); json_string_or_null (out, cove_plugin_info_get_summary (p));
    g_string_append (out, ", \"extensions\": "); json_strv (out, cove_plugin_info_get_extensions (p));
    g_string_append (out, ", \"keys\": "); json_strv (out, cove_plugin_info_get_keys (p));
    g_string_append_c (out, '}');
  }
  g_string_append (out, plugins[0] ? "\n]\n" : "]\n");
  fputs (out->str, stdout);
}

static void
print_text (const CovePluginInfo * const *plugins)
{
  for (guint i = 0; plugins[i]; i++) {
    const CovePluginInfo *p = plugins[i];
    const char * const *ext = cove_plugin_info_get_extensions (p);
    const char * const *keys = cove_plugin_info_get_keys (p);
    const char *version = cove_plugin_info_get_version (p);
    const char *reason = cove_plugin_info_get_reason (p);

    printf ("%s %s: %s\n", cove_plugin_info_get_name (p), version ? version : "?",
            cove_plugin_state_to_string (cove_plugin_info_get_state (p)));
    printf ("  file: %s\n", cove_plugin_info_get_file (p));
    if (reason)
      printf ("  reason: %s\n", reason);
    if (ext[0]) {
      g_autofree char *joined = g_strjoinv (" ", (char **) ext);
      printf ("  extensions: %s\n", joined);
    }
    if (keys[0]) {
      g_autofree char *joined = g_strjoinv (" ", (char **) keys);
      printf ("  keys: %s\n", joined);
    }
  }
}

int
cove_cmd_plugins (CoveCli *cli, int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (an array of objects)", NULL },
    { NULL }
  };
  const CovePluginInfo * const *plugins;

  if (!cove_cli_parse (&plugins_command, entries,
                       "States: ACTIVE (loaded, its extensions and keys are available), UNAVAILABLE\n"
                       "(the system lacks what it needs), FAILED (refused: see reason), DISABLED\n"
                       "(COVE_PLUGINS_DISABLE). Plugins are searched in COVE_PLUGIN_PATH, then in the\n"
                       "compiled-in directory; the first file with a given name wins.",
                       &argc, &argv))
    return 1;
  if (argc > 1)
    return cove_cli_fail ("plugins: unexpected argument \"%s\"", argv[1]);
  plugins = cove_context_list_plugins (cove_context_get_default (), NULL);
  if (json)
    print_json (plugins);
  else
    print_text (plugins);
  return 0;
}
