/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * console-ringbuffer: the container console (a pty held by the monitor), an in-memory
 * ring of its output, a log file with rotation, and the `console_log` API extension
 * (cove_container_console_log(), served by the monitor command "console-log"), plus
 * `cove console` (commands "console-attach" and "console-resize").
 *
 * Where the pieces run (see README.md):
 *   CONFIG_VALIDATE   caller   the keys fit together
 *   PRE_START         monitor  first run: allocate pty, ring, log file (container data)
 *   CHILD_PRE_PIVOT   init     take a detached mount of the pty's slave
 *   CHILD_POST_PIVOT  init     mount it on /dev/console; setsid, controlling tty, stdio
 *   POST_START        monitor  drain the master on the main loop
 *   POST_STOP         monitor  read the last output
 * The console lives in the plugin's container data: one pty, ring and log file for the
 * monitor's whole life, across reboots.
 */
#include "console.h"

#include <string.h>
#include <unistd.h>

/* ---- keys --------------------------------------------------------------------------- */

#define RING_MAX (G_GUINT64_CONSTANT (1) << 30)
#define AUTO_SIZE (G_GUINT64_CONSTANT (1) << 17)

/* The byte-size grammar of COVE_KEY_SIZE (core/keys.c), which a plugin cannot call:
 * digits, optional blanks, an optional unit B, K/KB/KiB, M/MB/MiB, G/GB/GiB in any case,
 * all powers of 1024 ("4K" is 4096, not LXC's 4 bytes). */
static gboolean
parse_size (const char *text, guint64 *bytes)
{
  static const struct { const char *unit; guint shift; } units[] = {
    { "", 0 }, { "b", 0 }, { "k", 10 }, { "kb", 10 }, { "kib", 10 },
    { "m", 20 }, { "mb", 20 }, { "mib", 20 }, { "g", 30 }, { "gb", 30 }, { "gib", 30 },
  };
  const char *p = text;
  guint64 value = 0;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++) {
    guint digit = *p - '0';
    if (value > (G_MAXUINT64 - digit) / 10)
      return FALSE;
    value = value * 10 + digit;
  }
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '\0' && (p[-1] == ' ' || p[-1] == '\t'))
    return FALSE;   /* trailing blanks: "1 " */
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++) {
    if (g_ascii_strcasecmp (p, units[i].unit) == 0) {
      if (value > (G_MAXUINT64 >> units[i].shift))
        return FALSE;
      *bytes = value << units[i].shift;
      return TRUE;
    }
  }
  return FALSE;
}

/* lxc.console.buffer.size and lxc.console.size: LXC's rules on top of the grammar —
 * "auto" is 128 KiB, 0 is off, a value below a page is raised to a page, the result is
 * rounded up to a power of two. Stored (and read back) as the resulting byte count. */
static char *
normalize_size (const char *key, const char *value, GError **error)
{
  guint64 page = (guint64) sysconf (_SC_PAGESIZE);
  guint64 bytes, rounded = 1;

  if (g_str_equal (value, "auto"))
    return g_strdup_printf ("%" G_GUINT64_FORMAT, AUTO_SIZE);
  if (!parse_size (value, &bytes)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "expected auto, or a byte size: a number with an optional unit B, K, KB, KiB, "
                 "M, MB, MiB, G, GB or GiB");
    return NULL;
  }
  if (bytes == 0)
    return g_strdup ("0");
  bytes = MAX (bytes, page);
  while (rounded < bytes && rounded <= G_MAXUINT64 / 2)
    rounded <<= 1;
  if (rounded < bytes) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "too large");
    return NULL;
  }
  if (g_str_has_suffix (key, "console.buffer.size") && rounded > RING_MAX) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "the console ring is held in memory: at most 1 GiB");
    return NULL;
  }
  return g_strdup_printf ("%" G_GUINT64_FORMAT, rounded);
}

static char *
normalize_path (const char *key, const char *value, GError **error)
{
  if (g_str_equal (value, "none"))
    return g_strdup (value);
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
               "only \"none\" is supported (unset: a pty allocated by the monitor; a host device "
               "as the console's peer is not implemented)");
  return NULL;
}

static char *
normalize_logfile (const char *key, const char *value, GError **error)
{
  if (!g_path_is_absolute (value)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "must be an absolute path");
    return NULL;
  }
  if (strlen (value) >= 4096 - 3) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "path too long");
    return NULL;
  }
  return g_strdup (value);
}

static const CoveKeySpec keys[] = {
  { .struct_size = sizeof (CoveKeySpec), .scope = COVE_KEY_SCOPE_GLOBAL,
    .path = "console.path", .type = COVE_KEY_STRING, .normalize = normalize_path,
    .doc = "none: no console (no /dev/console, no ring, no log file). Unset: the monitor "
           "allocates a pty that becomes the container's /dev/console" },
  { .struct_size = sizeof (CoveKeySpec), .scope = COVE_KEY_SCOPE_GLOBAL,
    .path = "console.buffer.size", .type = COVE_KEY_STRING, .default_value = "0",
    .normalize = normalize_size,
    .doc = "Size of the in-memory ring of console output read by cove_container_console_log(): "
           "auto (128 KiB) or a byte size, raised to a page and rounded up to a power of two "
           "(at most 1 GiB); 0: no ring" },
  { .struct_size = sizeof (CoveKeySpec), .scope = COVE_KEY_SCOPE_GLOBAL,
    .path = "console.size", .type = COVE_KEY_STRING, .default_value = "0",
    .normalize = normalize_size,
    .doc = "Size limit of lxc.console.logfile: auto (128 KiB) or a byte size, raised to a page "
           "and rounded up to a power of two; 0: unlimited" },
  { .struct_size = sizeof (CoveKeySpec), .scope = COVE_KEY_SCOPE_GLOBAL,
    .path = "console.logfile", .type = COVE_KEY_STRING, .normalize = normalize_logfile,
    .doc = "File the console output is appended to as it arrives (absolute path; created 0600 "
           "with its directories); kept when the container stops or reboots" },
  { .struct_size = sizeof (CoveKeySpec), .scope = COVE_KEY_SCOPE_GLOBAL,
    .path = "console.rotate", .type = COVE_KEY_BOOL, .default_value = "0",
    .doc = "At lxc.console.size, 1: rename the log file to <file>.1 (replacing it) and start "
           "a new one; 0: truncate the log file" },
};

/* ---- hooks -------------------------------------------------------------------------- */

static gboolean
console_disabled (CoveConfig *config)
{
  return g_strcmp0 (cove_config_get_string (config, -1, "console.path"), "none") == 0;
}

static gboolean
validate (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  CoveConfig *config = cove_hook_context_get_config (ctx);
  const char *clash = NULL;

  if (!console_disabled (config))
    return TRUE;
  if (cove_config_get_uint (config, -1, "console.buffer.size") > 0)
    clash = "console.buffer.size";
  else if (cove_config_is_set (config, -1, "console.logfile"))
    clash = "console.logfile";
  if (clash == NULL)
    return TRUE;
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
               "%s: lxc.%s needs a console, but lxc.console.path is none (%s)",
               cove_config_get_origin (config, -1, clash), clash,
               cove_config_get_origin (config, -1, "console.path"));
  return FALSE;
}

static void
console_destroy (gpointer data)
{
  console_free (data);
}

/* First run: allocate; later runs (reboots) reuse what the container data holds. */
static gboolean
pre_start (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  CoveConfig *config = cove_hook_context_get_config (ctx);
  Console *con;

  if (console_disabled (config) || cove_hook_context_get_container_data (ctx) != NULL)
    return TRUE;
  con = console_new (config, cove_hook_context_get_main_context (ctx), error);
  if (con == NULL)
    return FALSE;
  cove_hook_context_set_container_data (ctx, con, console_destroy);
  return TRUE;
}

static gboolean
child_pre_pivot (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  Console *con = cove_hook_context_get_container_data (ctx);

  return con == NULL || console_child_pre_pivot (con, error);
}

static gboolean
child_post_pivot (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  Console *con = cove_hook_context_get_container_data (ctx);

  return con == NULL || console_child_post_pivot (con, error);
}

static gboolean
post_start (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  Console *con = cove_hook_context_get_container_data (ctx);

  if (con != NULL)
    console_watch (con);
  return TRUE;
}

/* Also after a failed start, before (or without) PRE_START: nothing to do then. */
static gboolean
post_stop (CoveHookContext *ctx, gpointer user_data, GError **error)
{
  Console *con = cove_hook_context_get_container_data (ctx);

  if (con != NULL)
    console_drain_now (con, 16 * 1024 * 1024);
  return TRUE;
}

/* ---- the plugin --------------------------------------------------------------------- */

static const char *const extensions[] = { "console_log", NULL };

static gboolean
console_ringbuffer_init (CovePlugin *plugin, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!cove_plugin_add_key (plugin, &keys[i], error))
      return FALSE;
  return cove_plugin_add_hook (plugin, COVE_HOOK_CONFIG_VALIDATE, 0, validate, NULL, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_PRE_START, 0, pre_start, NULL, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_CHILD_PRE_PIVOT, 0, child_pre_pivot, NULL, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_CHILD_POST_PIVOT, 0, child_post_pivot, NULL, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_POST_START, 0, post_start, NULL, error) &&
         cove_plugin_add_hook (plugin, COVE_HOOK_POST_STOP, 0, post_stop, NULL, error) &&
         console_register_commands (plugin, error);
}

COVE_PLUGIN_DEFINE ("console-ringbuffer", "0.1.0", "LGPL-2.1-or-later",
                    "Container console: pty, in-memory ring, log file with rotation, console_log",
                    extensions, console_ringbuffer_init);
