/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the LXC config parser: every input is loaded into a fresh CoveConfig
 * of one context (created once, no plugin, the core keys plus typed test keys). Besides
 * crashes and sanitizer reports it checks properties of a successful load:
 *   - loading is deterministic (same result, same saved text);
 *   - the saved text loads again, and saves to the same text (save/load round trip);
 *   - validation and get_keys of every interface do not crash.
 * Relative lxc.include paths resolve against a scratch directory of fixture files.
 */
#include "test-common.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static CoveContext *fuzz_context;
static char *fuzz_dir;
static char *fuzz_origin;

static const char *const ipvlan_modes[] = { "l3", "l3s", "l2", NULL };

/* LXC-like keys, so that seeds written as real configs reach typed values. */
static const CoveKeySpec fuzz_lxc_keys[] = {
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "uts.name", COVE_KEY_STRING, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "rootfs.path", COVE_KEY_STRING, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "init.cmd", COVE_KEY_STRING, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "cap.drop", COVE_KEY_STRING, COVE_KEY_REPEATABLE, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "mount.entry", COVE_KEY_STRING, COVE_KEY_REPEATABLE, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "console.buffer.size", COVE_KEY_SIZE, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_GLOBAL, "console.rotate", COVE_KEY_BOOL, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "link", COVE_KEY_STRING, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "flags", COVE_KEY_STRING, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "name", COVE_KEY_STRING, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "mtu", COVE_KEY_UINT, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "ipv4.address", COVE_KEY_STRING, COVE_KEY_REPEATABLE, .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "veth.pair", COVE_KEY_STRING, .net_type = "veth", .doc = "fuzz" },
  { sizeof (CoveKeySpec), COVE_KEY_SCOPE_NET, "ipvlan.mode", COVE_KEY_ENUM, .values = ipvlan_modes,
    .net_type = "ipvlan", .doc = "fuzz" },
};

static void
fuzz_cleanup (void)
{
  if (fuzz_dir != NULL)
    test_rm_rf (fuzz_dir);
}

static void
fuzz_setup (void)
{
  fuzz_context = test_context_new_with_keys ();
  for (gsize i = 0; i < G_N_ELEMENTS (fuzz_lxc_keys); i++)
    test_register_key_if_absent (fuzz_context, &fuzz_lxc_keys[i]);

  fuzz_dir = test_make_tmp_dir ();
  atexit (fuzz_cleanup);
  g_free (test_write_file (fuzz_dir, "inc.conf", "lxc.xtest.list = from-inc\nlxc.arch = x86_64\n", -1));
  g_free (test_write_file (fuzz_dir, "conf.d/10-a.conf", "lxc.xtest.list = a\n", -1));
  g_free (test_write_file (fuzz_dir, "conf.d/20-b.conf", "lxc.net.0.type = veth\nlxc.net.0.link = br0\n", -1));
  g_free (test_write_file (fuzz_dir, "conf.d/ignored.txt", "not a config\n", -1));
  g_free (test_write_file (fuzz_dir, "loop.conf", "lxc.include = loop.conf\n", -1));
  g_free (test_write_file (fuzz_dir, "bad.conf", "lxc.nonsense = 1\n", -1));
  fuzz_origin = g_build_filename (fuzz_dir, "fuzz-input", NULL);
}

G_GNUC_NORETURN static void
fuzz_fail (const char *what, const char *detail)
{
  fprintf (stderr, "fuzz-config: %s\n%s\n", what, detail ? detail : "");
  abort ();
}

/* Loads @data; returns the saved text, or NULL with @message set to the error. */
static char *
load (const char *data, gsize size, const char *origin, char **message)
{
  g_autoptr(CoveConfig) config = cove_config_new (fuzz_context);
  g_autoptr(GError) error = NULL;

  if (!cove_config_load_data (config, data, size, origin, &error)) {
    if (error == NULL)
      fuzz_fail ("load failed without an error", NULL);
    if (cove_config_loading_stack (config)->len != 0)
      fuzz_fail ("a failed load left files on the include stack", error->message);
    *message = g_strdup (error->message);
    return NULL;
  }
  if (error != NULL)
    fuzz_fail ("load succeeded with an error set", error->message);
  if (cove_config_loading_stack (config)->len != 0)
    fuzz_fail ("a load left files on the include stack", NULL);

  /* these may fail, but must not crash or leak */
  if (!cove_config_validate (config, &error))
    g_clear_error (&error);
  for (int net = cove_config_next_net (config, -1); net >= 0; net = cove_config_next_net (config, net)) {
    g_autofree char *prefix = g_strdup_printf ("lxc.net.%d", net);
    g_auto(GStrv) keys = cove_config_list_keys (config, prefix, &error);
    if (keys == NULL)
      fuzz_fail ("get_keys of an existing interface failed", error ? error->message : prefix);
  }
  *message = NULL;
  return cove_config_to_data (config);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL, *again = NULL, *reloaded = NULL;
  g_autofree char *message = NULL, *message2 = NULL;

  if (fuzz_context == NULL)
    fuzz_setup ();
  if (size > 1024 * 1024)
    return 0;

  text = load ((const char *) data, size, fuzz_origin, &message);
  again = load ((const char *) data, size, fuzz_origin, &message2);
  if (g_strcmp0 (text, again) != 0 || (message == NULL) != (message2 == NULL))
    fuzz_fail ("loading the same input twice gave different results", text ? text : message);
  if (text == NULL)
    return 0;

  /* what was loaded saves to text that loads back to the same text */
  reloaded = load (text, strlen (text), "saved", &message2);
  if (reloaded == NULL)
    fuzz_fail ("the saved text does not load", message2);
  if (strcmp (reloaded, text) != 0) {
    g_autofree char *both = g_strdup_printf ("--- saved\n%s--- saved again\n%s", text, reloaded);
    fuzz_fail ("save/load/save is not stable", both);
  }
  return 0;
}
