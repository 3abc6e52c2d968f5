/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library logger: LXC's line format, one process-wide destination set by
 * cove_log_init(), per-container destinations (lxc.log.file, lxc.log.level) for the
 * duration of that container's API calls, and forwarding to GLib structured logging.
 */
#define COVE_LOG_CATEGORY "log"
#include "cove-private.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define LOG_LINE_MAX 4096
#define LOG_PREFIX_MAX 32

static const char *const level_names[COVE_LOG_N_LEVELS] = {
  "TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "CRIT", "ALERT", "FATAL",
};
/* syslog severities for the PRIORITY field of structured logging */
static const char *const level_priorities[COVE_LOG_N_LEVELS] = {
  "7", "7", "6", "5", "4", "3", "2", "1", "0",
};

static GMutex log_lock;
static struct {
  gboolean initialized;
  int fd;
  CoveLogLevel level;
  gboolean quiet;
  char prefix[LOG_PREFIX_MAX];
  char *name;
} logger = { FALSE, -1, COVE_LOG_ERROR, FALSE, "cove", NULL };

static GPrivate target_stack = G_PRIVATE_INIT ((GDestroyNotify) g_slist_free);

gboolean
cove_log_level_parse (const char *text, CoveLogLevel *level, GError **error)
{
  guint64 n;

  for (int i = 0; i < COVE_LOG_N_LEVELS; i++) {
    if (g_ascii_strcasecmp (text, level_names[i]) == 0) {
      *level = i;
      return TRUE;
    }
  }
  if (g_ascii_string_to_unsigned (text, 10, 0, COVE_LOG_N_LEVELS - 1, &n, NULL)) {
    *level = (CoveLogLevel) n;
    return TRUE;
  }
  g_set_error (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT,
               "invalid log level \"%s\" (expected TRACE, DEBUG, INFO, NOTICE, WARN, ERROR, "
               "CRIT, ALERT, FATAL or 0-8)", text);
  return FALSE;
}

const char *
cove_log_level_to_string (CoveLogLevel level)
{
  return level < COVE_LOG_N_LEVELS ? level_names[level] : "UNKNOWN";
}

int
cove_log_open_file (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0755) < 0) {
    cove_throw_errno (error, "create log directory %s", dir);
    return -1;
  }
  fd = open (path, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
  if (fd < 0) {
    cove_throw_errno (error, "open log file %s", path);
    return -1;
  }
  if (fd <= STDERR_FILENO) {
    int high = fcntl (fd, F_DUPFD_CLOEXEC, 3);
    int errsv = errno;
    close (fd);
    if (high < 0) {
      cove_throw_errno_code (error, errsv, "open log file %s", path);
      return -1;
    }
    fd = high;
  }
  return fd;
}

static char *
default_log_file (const CoveLogOptions *options)
{
  if (options->name == NULL)
    return NULL;
  if (options->path == NULL || g_strcmp0 (options->path, COVE_DEFAULT_PATH) == 0) {
    if (geteuid () == 0)
      return g_strdup_printf ("/var/log/cove/%s.log", options->name);
  }
  if (options->path != NULL)
    return g_strdup_printf ("%s/%s/%s.log", options->path, options->name, options->name);
  return NULL;
}

gboolean
cove_log_init (const CoveLogOptions *options, GError **error)
{
  CoveLogLevel level = COVE_LOG_ERROR;
  g_autofree char *default_file = NULL;
  int fd = -1;

  if (options == NULL) {
    g_set_error_literal (error, COVE_ERROR, COVE_ERROR_INVALID_ARGUMENT, "no log options given");
    return FALSE;
  }
  g_mutex_lock (&log_lock);
  if (logger.initialized) {
    g_mutex_unlock (&log_lock);
    cove_warn ("Log already initialized; keeping the current settings");
    return TRUE;
  }
  g_mutex_unlock (&log_lock);

  if (options->level != NULL && !cove_log_level_parse (options->level, &level, error))
    return FALSE;
  if (options->name != NULL && !cove_validate_name ("log name", options->name, error))
    return FALSE;

  if (g_strcmp0 (options->file, "none") == 0) {
    fd = -1;
  } else if (options->file != NULL) {
    fd = cove_log_open_file (options->file, error);
    if (fd < 0) {
      g_prefix_error (error, "failed to enable the log file: ");
      return FALSE;
    }
  } else if ((default_file = default_log_file (options)) != NULL) {
    fd = cove_log_open_file (default_file, NULL);   /* a default that fails is no error */
  }

  g_mutex_lock (&log_lock);
  logger.initialized = TRUE;
  logger.fd = fd;
  logger.level = level;
  logger.quiet = options->quiet;
  g_strlcpy (logger.prefix, options->prefix ? options->prefix : "cove", sizeof logger.prefix);
  g_free (logger.name);
  logger.name = g_strdup (options->name);
  g_mutex_unlock (&log_lock);
  return TRUE;
}

void
cove_log_close (void)
{
  g_mutex_lock (&log_lock);
  if (logger.fd >= 0)
    close (logger.fd);
  logger.fd = -1;
  logger.initialized = FALSE;
  logger.level = COVE_LOG_ERROR;
  logger.quiet = FALSE;
  g_strlcpy (logger.prefix, "cove", sizeof logger.prefix);
  g_clear_pointer (&logger.name, g_free);
  g_mutex_unlock (&log_lock);
}

void
cove_log_push_target (CoveLogTarget *target)
{
  GSList *stack = g_private_get (&target_stack);
  g_private_set (&target_stack, g_slist_prepend (stack, (gpointer) target));
}

void
cove_log_pop_target (void)
{
  GSList *stack = g_private_get (&target_stack);
  if (stack != NULL)
    g_private_set (&target_stack, g_slist_delete_link (stack, stack));
}

static void
write_all (int fd, const char *buf, gsize len)
{
  while (len > 0) {
    ssize_t n = write (fd, buf, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    buf += n;
    len -= n;
  }
}

static void
forward_to_glib (CoveLogLevel level, const char *name, const char *file, int line,
                 const char *func, const char *message)
{
  char line_text[16];
  const GLogField fields[] = {
    { "GLIB_DOMAIN", "cove", -1 },
    { "PRIORITY", level_priorities[level], -1 },
    { "COVE_LEVEL", level_names[level], -1 },
    { "COVE_CONTAINER", name ? name : "", -1 },
    { "CODE_FILE", file, -1 },
    { "CODE_LINE", line_text, -1 },
    { "CODE_FUNC", func, -1 },
    { "MESSAGE", message, -1 },
  };

  g_snprintf (line_text, sizeof line_text, "%d", line);
  /* Always G_LOG_LEVEL_DEBUG: the default GLib writer then stays silent unless
   * G_MESSAGES_DEBUG asks for "cove"; an embedder's writer reads PRIORITY/COVE_LEVEL. */
  g_log_structured_array (G_LOG_LEVEL_DEBUG, fields, G_N_ELEMENTS (fields));
}

void
cove_log_full (CoveLogLevel level, const char *category, const char *file, int line,
               const char *func, const char *format, ...)
{
  GSList *stack = g_private_get (&target_stack);
  CoveLogTarget *target = stack ? stack->data : NULL;
  gboolean to_global, to_target, to_glib, to_stderr;
  char text[LOG_LINE_MAX];
  char stamp[32];
  g_autofree char *name = NULL;
  int fd;
  va_list args;

  g_mutex_lock (&log_lock);
  to_global = logger.fd >= 0 && level >= logger.level;
  /* An explicit global log file wins over per-container files (as in LXC). */
  to_target = !to_global && logger.fd < 0 && target && level >= target->level &&
              (target->fd >= 0 || (target->path != NULL && !target->open_failed));
  if (to_target && target->fd < 0) {
    target->fd = cove_log_open_file (target->path, NULL);
    target->open_failed = target->fd < 0;
    to_target = target->fd >= 0;
  }
  to_glib = level >= (target ? MIN (target->level, logger.level) : logger.level) ||
            !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, "cove");
  /* stderr only for an embedder that asked for it: the library never prints by itself */
  to_stderr = logger.initialized && !logger.quiet && level >= COVE_LOG_ERROR;
  if (!to_global && !to_target && !to_glib && !to_stderr) {
    g_mutex_unlock (&log_lock);
    return;
  }

  va_start (args, format);
  g_vsnprintf (text, sizeof text, format, args);
  va_end (args);

  /* copied: cove_log_close() may free logger.name once the lock is released */
  name = g_strdup (logger.name ? logger.name : (target && target->name ? target->name : ""));
  fd = to_global ? logger.fd : (to_target ? target->fd : -1);
  if (fd >= 0) {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autofree char *ymdhms = g_date_time_format (now, "%Y%m%d%H%M%S");
    g_autofree char *out = NULL;
    int len;

    g_snprintf (stamp, sizeof stamp, "%s.%03d", ymdhms, g_date_time_get_microsecond (now) / 1000);
    out = g_strdup_printf ("%s %s %s %-8s %s - %s:%s:%d - %s", logger.prefix, *name ? name : "-",
                           stamp, level_names[level], category, file, func, line, text);
    len = MIN ((int) strlen (out), LOG_LINE_MAX - 1);
    out[len] = '\n';
    write_all (fd, out, len + 1);
  }
  if (to_stderr) {
    g_autofree char *err = g_strdup_printf ("%s: %s: %s: %s: %d %s\n", logger.prefix, name,
                                            file, func, line, text);
    write_all (STDERR_FILENO, err, strlen (err));
  }
  g_mutex_unlock (&log_lock);

  if (to_glib)
    forward_to_glib (level, name, file, line, func, text);
}
