/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cove-monitor: libcove's helper process (ARCHITECTURE §2); not meant to be run by hand. */

int _cove_monitor_main (int argc, char **argv);

int
main (int argc, char **argv)
{
  return _cove_monitor_main (argc, argv);
}
