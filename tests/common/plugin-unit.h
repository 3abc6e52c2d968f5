/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the plugins' unit tests (no root): a CoveContext that loads the built plugins
 * from COVE_PLUGIN_PATH only (not the environment's other settings, not the compiled-in
 * directory), optionally with one plugin disabled, and a container in it whose path does
 * not exist (for key checks and API calls that need no running container).
 */
#pragma once

#include <cove.h>

static G_GNUC_UNUSED CoveContext *
plugin_test_context (const char *disabled_plugin)
{
  g_autoptr(GError) error = NULL;
  const char *dirs[] = { g_getenv ("COVE_PLUGIN_PATH"), NULL };
  const char *disable[] = { disabled_plugin, NULL };
  CoveContextOptions options = {
    .struct_size = sizeof (CoveContextOptions),
    .plugin_path = dirs,
    .disable = disabled_plugin ? disable : NULL,
    .flags = COVE_CONTEXT_NO_ENVIRONMENT | COVE_CONTEXT_NO_DEFAULT_PATH,
  };
  CoveContext *context = cove_context_new (&options, &error);

  g_assert_no_error (error);
  return context;
}

static G_GNUC_UNUSED CoveContainer *
plugin_test_container (CoveContext *context)
{
  g_autoptr(GError) error = NULL;
  CoveContainer *c = cove_container_new_with_context (context, "c-unit", "/nonexistent-cove-path", &error);

  g_assert_no_error (error);
  return c;
}
