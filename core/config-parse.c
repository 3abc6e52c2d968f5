/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LXC's config file format: "key = value" lines, '#' comments, blank lines, and
 * lxc.include of a file or of a directory's *.conf files. It knows no specific key;
 * every line goes through cove_config_set() with its "file:line" origin.
 */
#define COVE_LOG_CATEGORY "config"
#include "cove-private.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

static gboolean
parse_error (GError **error, const char *origin, guint line, const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
parse_error (GError **error, const char *origin, guint line, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "%s:%u: %s", origin, line, message);
  return FALSE;
}

/* "file:line: …" */
static gboolean
has_location (const char *message)
{
  const char *colon = strchr (message, ':');
  const char *p;

  if (colon == NULL || !g_ascii_isdigit (colon[1]))
    return FALSE;
  for (p = colon + 1; g_ascii_isdigit (*p); p++)
    ;
  return *p == ':';
}

/* An error inside an included file already names that file and line: keep it first. */
static gboolean
include_failed (GError **error, GError *inner, const char *origin)
{
  if (has_location (inner->message)) {
    g_autofree char *message = g_strdup_printf ("%s (included from %s)", inner->message, origin);
    g_set_error_literal (error, inner->domain, inner->code, message);
    g_error_free (inner);
  } else {
    g_propagate_prefixed_error (error, inner, "%s: ", origin);
  }
  return FALSE;
}

static char *
strip (char *s)
{
  return g_strstrip (s);
}

gboolean
cove_config_load_data (CoveConfig *config, const char *data, gsize len, const char *origin_name,
                       GError **error)
{
  const char *p = data;
  const char *end = data + len;
  guint line_no = 0;

  while (p < end) {
    const char *eol = memchr (p, '\n', end - p);
    gsize line_len = (eol ? eol : end) - p;
    g_autofree char *line = NULL;
    g_autofree char *origin = NULL;
    g_autoptr(GError) local_error = NULL;
    char *key, *value, *eq;

    line_no++;
    if (memchr (p, '\0', line_len) != NULL)
      return parse_error (error, origin_name, line_no, "line contains a NUL byte");
    if (line_len > COVE_CONFIG_LINE_MAX)
      return parse_error (error, origin_name, line_no, "line is longer than %d bytes",
                          COVE_CONFIG_LINE_MAX);
    line = g_strndup (p, line_len);
    p = eol ? eol + 1 : end;

    key = strip (line);
    if (*key == '\0' || *key == '#')
      continue;
    eq = strchr (key, '=');
    if (eq == NULL)
      return parse_error (error, origin_name, line_no, "expected \"key = value\", got \"%s\"", key);
    *eq = '\0';
    value = strip (eq + 1);
    key = strip (key);
    if (*key == '\0')
      return parse_error (error, origin_name, line_no, "missing key before \"=\"");

    origin = g_strdup_printf ("%s:%u", origin_name, line_no);
    if (g_str_equal (key, "lxc.include") && *value != '\0' && !g_path_is_absolute (value)) {
      /* relative includes are relative to the including file */
      g_autofree char *dir = g_path_get_dirname (origin_name);
      g_autofree char *path = g_build_filename (dir, value, NULL);
      if (!cove_config_set (config, key, path, origin, &local_error))
        return include_failed (error, g_steal_pointer (&local_error), origin);
      continue;
    }
    if (!cove_config_set (config, key, value, origin, &local_error)) {
      if (g_str_equal (key, "lxc.include"))
        return include_failed (error, g_steal_pointer (&local_error), origin);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", origin);
      return FALSE;
    }
  }
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

static gboolean
load_directory (CoveConfig *config, const char *dir_path, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".conf") && name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++) {
    g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
    struct stat st;

    if (stat (path, &st) < 0 || !S_ISREG (st.st_mode))
      continue;
    if (!cove_config_load_file (config, path, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
check_loop (GPtrArray *stack, const char *id, const char *path, GError **error)
{
  for (guint i = 0; i < stack->len; i += 2) {
    if (g_str_equal (stack->pdata[i], id)) {
      g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                   "include loop: %s is already being read", path);
      return FALSE;
    }
  }
  if (stack->len / 2 >= COVE_CONFIG_INCLUDE_DEPTH_MAX) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG,
                 "includes nested deeper than %d files at %s", COVE_CONFIG_INCLUDE_DEPTH_MAX, path);
    return FALSE;
  }
  return TRUE;
}

gboolean
cove_config_load_file (CoveConfig *config, const char *file, GError **error)
{
  GPtrArray *stack = cove_config_loading_stack (config);
  cove_autofd fd = -1;
  g_autofree char *data = NULL;
  g_autofree char *id = NULL;
  gsize len = 0;
  struct stat st;
  gboolean ok;

  /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below); it
   * changes nothing for regular files and directories */
  fd = open (file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return cove_throw_errno (error, "open config %s", file);
  if (fstat (fd, &st) < 0)
    return cove_throw_errno (error, "stat config %s", file);
  if (S_ISDIR (st.st_mode)) {
    id = g_strdup_printf ("%lu:%lu", (gulong) st.st_dev, (gulong) st.st_ino);
    if (!check_loop (stack, id, file, error))
      return FALSE;
    g_ptr_array_add (stack, g_steal_pointer (&id));
    g_ptr_array_add (stack, g_strdup (file));
    ok = load_directory (config, file, error);
    g_ptr_array_set_size (stack, stack->len - 2);
    return ok;
  }
  if (!S_ISREG (st.st_mode)) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "%s: not a regular file", file);
    return FALSE;
  }
  if (st.st_size > COVE_CONFIG_FILE_MAX) {
    g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_CONFIG, "%s: larger than %d bytes", file,
                 COVE_CONFIG_FILE_MAX);
    return FALSE;
  }
  id = g_strdup_printf ("%lu:%lu", (gulong) st.st_dev, (gulong) st.st_ino);
  if (!check_loop (stack, id, file, error))
    return FALSE;

  data = g_malloc (st.st_size + 1);
  while (len < (gsize) st.st_size) {
    ssize_t n = read (fd, data + len, st.st_size - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return cove_throw_errno (error, "read config %s", file);
    if (n == 0)
      break;
    len += n;
  }
  data[len] = '\0';

  g_ptr_array_add (stack, g_steal_pointer (&id));
  g_ptr_array_add (stack, g_strdup (file));
  ok = cove_config_load_data (config, data, len, file, error);
  g_ptr_array_set_size (stack, stack->len - 2);
  return ok;
}
