/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor process: one per running container, single-threaded, a GMainLoop. */
#pragma once

#include "cove-private.h"
#include "child.h"

typedef struct {
  const char *name;
  const char *path;
  const char *config_file;    /* for messages and LXC_CONFIG_FILE; may be NULL */
  int config_fd;              /* the serialized config (memfd) */
  int status_fd;              /* socket to the starting libcove call */
  gboolean foreground;
  gboolean execute;           /* argv runs under a minimal init (cove execute) */
  char **argv;                /* payload override, or NULL */
  char **plugin_path;
  char **disable;
  CoveContextFlags context_flags;
} CoveMonitorOptions;

typedef struct _CoveMonitor CoveMonitor;

struct _CoveMonitor {
  CoveMonitorOptions opts;
  CoveContext *context;
  CoveContainer *container;
  CoveConfig *config;
  CoveChildSetup setup;
  char *rootfs;
  GMainLoop *loop;

  char *rundir;
  char *socket_path;
  int lock_fd;
  int signal_fd;
  int listen_fd;
  guint listen_source;
  GList *conns;               /* MonitorConn */
  GList *waiters;             /* MonitorWaiter */

  CoveState state;
  pid_t init_pid;
  int init_pidfd;
  guint init_source;
  gboolean stop_requested;
  int last_status;            /* of the last init: exit code, or 128+signal */
  CoveHookContext hctx;
  GHashTable *container_data;  /* per plugin, for the monitor's life */
  gboolean hctx_live;
};

/* monitor.c */
void cove_monitor_set_state (CoveMonitor *m, CoveState state);
gboolean cove_monitor_send_signal (CoveMonitor *m, int sig, GError **error);
/* STOP hooks (never fatal), before a requested stop or shutdown signals the init. */
void cove_monitor_run_stop_hooks (CoveMonitor *m);

/* monitor-spawn.c: clone the init and run the staged setup; FALSE on failure */
gboolean cove_monitor_spawn_init (CoveMonitor *m, GError **error);

/* monitor-commands.c */
gboolean cove_monitor_listen (CoveMonitor *m, GError **error);
void cove_monitor_close_listener (CoveMonitor *m);
void cove_monitor_notify_state (CoveMonitor *m, CoveState state, gboolean final);
void cove_monitor_drop_clients (CoveMonitor *m);

/* interfaces.c: the "interfaces" command */
GVariant *cove_monitor_list_interfaces (CoveMonitor *m, GError **error);

int cove_monitor_main (const CoveMonitorOptions *options);
int cove_attach_helper_main (int pidfd, const char *command_socket, const char *name, char **argv);
