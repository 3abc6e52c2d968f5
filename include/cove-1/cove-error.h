/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"

G_BEGIN_DECLS

#define COVE_ERROR (cove_error_quark ())

/**
 * CoveError:
 *
 * Error codes of the %COVE_ERROR domain. Append-only: values never change meaning.
 * Failed system calls are reported in the %G_IO_ERROR domain instead.
 */
typedef enum {
  COVE_ERROR_FAILED,
  COVE_ERROR_INVALID_CONFIG,   /* a key's value, or a combination of keys, is invalid */
  COVE_ERROR_UNKNOWN_KEY,      /* no loaded component knows the key */
  COVE_ERROR_PLUGIN_MISSING,   /* the key or feature needs a plugin that is not active */
  COVE_ERROR_PLUGIN_LOAD,      /* a plugin file was refused or failed to initialise */
  COVE_ERROR_NOT_SUPPORTED,
  COVE_ERROR_NOT_RUNNING,
  COVE_ERROR_BUSY,             /* already running, or in use */
  COVE_ERROR_TIMEOUT,
  COVE_ERROR_NO_DATA,
  COVE_ERROR_PERMISSION,
  COVE_ERROR_PLUGIN_ABI,       /* a plugin was built for an incompatible SDK */
  COVE_ERROR_PLUGIN_CONFLICT,  /* a plugin registers something another one already has */
  COVE_ERROR_INVALID_ARGUMENT,
} CoveError;

COVE_API GQuark cove_error_quark (void);

G_END_DECLS
