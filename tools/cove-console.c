/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cove console-log | console: the container console (plugin console-ringbuffer). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>
#include "cove-cli.h"

static gboolean
write_all (int fd, const char *data, gsize len)
{
  while (len > 0) {
    ssize_t n = write (fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}

static CoveContainer *
open_container (CoveCli *cli, const char *name)
{
  g_autoptr(GError) error = NULL;
  CoveContainer *c = cove_container_new (name, cli->path, &error);

  if (c == NULL)
    cove_cli_fail_error (NULL, error);
  return c;
}

/* ---- cove console-log ---------------------------------------------------------------- */

static const CoveCliCommand console_log_command = {
  "console-log", "NAME [--clear] [--max BYTES]", "Print (and consume) the console's ring buffer"
};

int
cove_cmd_console_log (CoveCli *cli, int argc, char **argv)
{
  gboolean clear = FALSE;
  g_autofree char *max_text = NULL;
  GOptionEntry entries[] = {
    { "clear", 'c', 0, G_OPTION_ARG_NONE, &clear, "Empty the ring (with --max: after printing BYTES)", NULL },
    { "max", 'm', 0, G_OPTION_ARG_STRING, &max_text, "Print at most BYTES (default: all)", "BYTES" },
    { NULL }
  };
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  CoveConsoleLog log = { 0 };
  guint64 max = 0;

  if (!cove_cli_parse (&console_log_command, entries,
                       "Writes the oldest bytes of the container's console ring (lxc.console.buffer.size)\n"
                       "to stdout as they are, and removes them from the ring: the next call prints\n"
                       "what came after. An empty ring prints nothing. --clear alone empties the ring\n"
                       "and prints nothing.",
                       &argc, &argv))
    return 1;
  if (argc != 2)
    return cove_cli_fail ("console-log: expected NAME (see cove console-log --help)");
  if (max_text != NULL &&
      (!g_ascii_string_to_unsigned (max_text, 10, 1, G_MAXUINT64, &max, &error)))
    return cove_cli_fail ("console-log: --max %s: expected a positive number of bytes", max_text);
  c = open_container (cli, argv[1]);
  if (c == NULL)
    return 1;

  log.read = !clear || max > 0;
  log.clear = clear;
  log.read_max = max;
  if (!cove_container_console_log (c, &log, &error)) {
    if (g_error_matches (error, COVE_ERROR, COVE_ERROR_NO_DATA))
      return 0;
    return cove_cli_fail_error (argv[1], error);
  }
  if (log.data != NULL && !write_all (STDOUT_FILENO, log.data, log.read_max)) {
    g_free (log.data);
    return cove_cli_fail ("console-log: write to stdout: %s", g_strerror (errno));
  }
  g_free (log.data);
  return 0;
}

/* ---- cove console -------------------------------------------------------------------- */

static const CoveCliCommand console_command = {
  "console", "NAME [-e CHAR]", "Attach to a container's console (Ctrl+a q detaches)"
};

typedef struct {
  gboolean is_tty;
  struct termios saved;
  gboolean raw;
} Terminal;

static void
terminal_raw (Terminal *t)
{
  struct termios raw;

  t->is_tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &t->saved) == 0;
  if (!t->is_tty)
    return;
  raw = t->saved;
  cfmakeraw (&raw);
  t->raw = tcsetattr (STDIN_FILENO, TCSAFLUSH, &raw) == 0;
}

static void
terminal_restore (Terminal *t)
{
  if (t->raw)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &t->saved);
  t->raw = FALSE;
}

static void
send_size (CoveContainer *c)
{
  struct winsize ws;

  if ((ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) &&
      ws.ws_row > 0 && ws.ws_col > 0)
    cove_container_console_resize (c, ws.ws_row, ws.ws_col, NULL);
}

typedef struct {
  int escape;          /* the control character: 1 for Ctrl+a */
  gboolean saw_escape;
} Escape;

/* Filters typed bytes into @out like lxc-console: ESC q detaches, ESC ESC sends one ESC,
 * ESC followed by anything else sends that byte. TRUE when the user asked to detach. */
static gboolean
filter_input (Escape *e, const char *in, gsize n, GString *out)
{
  for (gsize i = 0; i < n; i++) {
    char ch = in[i];

    if (e->saw_escape) {
      e->saw_escape = FALSE;
      if (ch == 'q')
        return TRUE;
      g_string_append_c (out, ch);
    } else if (ch == e->escape) {
      e->saw_escape = TRUE;
    } else {
      g_string_append_c (out, ch);
    }
  }
  return FALSE;
}

/* The loop: stdin → console, console → stdout, SIGWINCH → resize. Returns the exit code. */
static int
relay (CoveContainer *c, const char *name, int fd, Escape *escape, int sig_fd)
{
  char buf[16384];
  gboolean stdin_open = TRUE;

  for (;;) {
    struct pollfd p[3] = {
      { fd, POLLIN, 0 },
      { sig_fd, POLLIN, 0 },
      { stdin_open ? STDIN_FILENO : -1, POLLIN, 0 },
    };
    ssize_t n;

    if (poll (p, 3, -1) < 0) {
      if (errno == EINTR)
        continue;
      return cove_cli_fail ("console: poll: %s", g_strerror (errno));
    }
    if (p[1].revents & POLLIN) {
      struct signalfd_siginfo info;
      if (read (sig_fd, &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGWINCH)
          send_size (c);
        else
          return 128 + (int) info.ssi_signo;
      }
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      n = read (fd, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0) {
        fprintf (stderr, "\r\ncove: the console of %s closed (the container stopped)\r\n", name);
        return 0;
      }
      if (!write_all (STDOUT_FILENO, buf, n))
        return 1;
    }
    if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      g_autoptr(GString) out = g_string_new (NULL);
      n = read (STDIN_FILENO, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        return 0;   /* end of input: detach, as lxc-console does */
      if (filter_input (escape, buf, n, out))
        return 0;
      if (out->len > 0 && !write_all (fd, out->str, out->len)) {
        fprintf (stderr, "\r\ncove: the console of %s closed\r\n", name);
        return 0;
      }
    }
  }
}

int
cove_cmd_console (CoveCli *cli, int argc, char **argv)
{
  g_autofree char *escape_text = NULL;
  GOptionEntry entries[] = {
    { "escape", 'e', 0, G_OPTION_ARG_STRING, &escape_text, "Escape with Ctrl+CHAR (default: a)", "CHAR" },
    { NULL }
  };
  g_autoptr(CoveContainer) c = NULL;
  g_autoptr(GError) error = NULL;
  Escape escape = { 1, FALSE };
  Terminal term = { 0 };
  sigset_t mask, old_mask;
  int fd, sig_fd, status;

  if (!cove_cli_parse (&console_command, entries,
                       "Connects this terminal to the container's /dev/console through its monitor:\n"
                       "what the container prints appears here, what you type goes to it, and the\n"
                       "window size follows this terminal's. Type Ctrl+a q to detach, Ctrl+a Ctrl+a\n"
                       "for Ctrl+a itself. One client at a time.",
                       &argc, &argv))
    return 1;
  if (argc != 2)
    return cove_cli_fail ("console: expected NAME (see cove console --help)");
  if (escape_text != NULL) {
    if (strlen (escape_text) != 1 || !g_ascii_isalpha (escape_text[0]))
      return cove_cli_fail ("console: --escape expects one letter, e.g. -e b for Ctrl+b");
    escape.escape = g_ascii_tolower (escape_text[0]) - 'a' + 1;
  }
  c = open_container (cli, argv[1]);
  if (c == NULL)
    return 1;
  fd = cove_container_console_attach (c, &error);
  if (fd < 0)
    return cove_cli_fail_error (argv[1], error);

  /* signals through a signalfd, so that every way out restores the terminal */
  sigemptyset (&mask);
  sigaddset (&mask, SIGWINCH);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGHUP);
  sigaddset (&mask, SIGQUIT);
  sigprocmask (SIG_BLOCK, &mask, &old_mask);
  sig_fd = signalfd (-1, &mask, SFD_CLOEXEC);
  if (sig_fd < 0) {
    close (fd);
    return cove_cli_fail ("console: signalfd: %s", g_strerror (errno));
  }
  signal (SIGPIPE, SIG_IGN);

  fprintf (stderr, "Connected to the console of %s.\nType <Ctrl+%c q> to detach, <Ctrl+%c Ctrl+%c> for Ctrl+%c itself.\n",
           argv[1], 'a' + escape.escape - 1, 'a' + escape.escape - 1, 'a' + escape.escape - 1,
           'a' + escape.escape - 1);
  terminal_raw (&term);
  send_size (c);
  status = relay (c, argv[1], fd, &escape, sig_fd);
  terminal_restore (&term);
  if (term.is_tty)
    fputs ("\n", stderr);

  close (sig_fd);
  close (fd);
  sigprocmask (SIG_SETMASK, &old_mask, NULL);
  return status;
}
