/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The monitor helper, exec'd by libcove for every container start (ARCHITECTURE §2).
 * The container lifecycle lands with the lifecycle issue; until then the helper only
 * identifies itself, and the library never execs it.
 */
#include <stdio.h>
#include <string.h>
#include <cove.h>

int
main (int argc, char **argv)
{
  if (argc == 2 && strcmp (argv[1], "--version") == 0) {
    printf ("cove-monitor %s\n", COVE_VERSION_STRING);
    return 0;
  }
  fprintf (stderr, "cove-monitor: this build cannot run containers yet (see `cove extensions`)\n");
  return 2;
}
