#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The docs meta-test (suite 'docs'), printing TAP.

docs/config-keys.md and docs/api-extensions.md must match the code:
  * every key printed by `cove keys` is a row of the key table of docs/config-keys.md, and
    every extension printed by `cove extensions` a row of docs/api-extensions.md, with the
    provider that `cove plugins --json` reports (a key or extension no plugin lists is the core's);
  * every row whose provider is the core or an ACTIVE plugin is printed by the tool (rows of
    plugins that are not built, e.g. in the trimmed build, are not checked that way);
  * every provider named in a table is the core, a plugin the tool knows, or a directory
    under plugins/; no row appears twice.

Tables are recognised by their header row:
  | key | type | default | provider | description |
  | extension | provider | description |
"""
import json
import os
import re
import subprocess
import sys

KEY_HEADER = ["key", "type", "default", "provider", "description"]
EXT_HEADER = ["extension", "provider", "description"]
KEY_TYPES = {"string", "bool", "uint", "size", "enum"}

tool = os.environ["COVE_TOOL"]
root = os.path.dirname(os.path.abspath(os.environ["COVE_TEST_SRCDIR"]))
env = dict(os.environ)
env.pop("COVE_PLUGINS_DISABLE", None)

n = 0
failed = 0


def result(ok, what, detail=None):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
    if not ok and detail:
        for line in str(detail).splitlines():
            print("# " + line)


def cove(*args):
    proc = subprocess.run([tool, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        result(False, "cove %s" % " ".join(args), proc.stderr)
        print("1..%d" % n)
        sys.exit(1)
    return proc.stdout


def unquote(cell):
    return cell.strip().strip("`").strip()


def parse_tables(path, header):
    """Rows of every table in @path whose header is @header: a list of (line, {column: cell})."""
    rows = []
    in_table = False
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            s = line.strip()
            if not s.startswith("|"):
                in_table = False
                continue
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", s.strip("|"))]
            if [c.lower() for c in cells] == header:
                in_table = True
                continue
            if not in_table or set("".join(cells)) <= set("-: "):
                continue
            if len(cells) != len(header):
                result(False, "%s:%d: a row of %d cells in a table of %d columns"
                       % (os.path.relpath(path, root), lineno, len(cells), len(header)), s)
                continue
            rows.append((lineno, dict(zip(header, cells))))
    return rows


plugins = json.loads(cove("plugins", "--json"))
keys = [k for k in cove("keys").splitlines() if k]
extensions = [e for e in cove("extensions").splitlines() if e]

active = {p["name"] for p in plugins if p["state"] == "ACTIVE"}
plugin_dir = os.path.join(root, "plugins")
known_providers = {"core"} | {p["name"] for p in plugins} | {
    d for d in (os.listdir(plugin_dir) if os.path.isdir(plugin_dir) else [])
    if os.path.isdir(os.path.join(plugin_dir, d))}
key_provider = {}
ext_provider = {}
for p in plugins:
    if p["state"] == "ACTIVE":
        for k in p["keys"]:
            key_provider[k] = p["name"]
        for e in p["extensions"]:
            ext_provider[e] = p["name"]
print("# active plugins: %s" % (" ".join(sorted(active)) or "none"))


def check(doc, header, name_column, names, providers, kind, extra=None):
    path = os.path.join(root, "docs", doc)
    if not os.path.isfile(path):
        result(False, "docs/%s exists" % doc)
        return
    rows = parse_tables(path, header)
    result(len(rows) > 0, "docs/%s has a table | %s |" % (doc, " | ".join(header)))
    documented = {}
    for lineno, row in rows:
        name = unquote(row[name_column])
        where = "docs/%s:%d" % (doc, lineno)
        result(name not in documented, "%s: %s is documented once" % (where, name),
               "also at line %s" % documented.get(name, (None,))[0])
        documented.setdefault(name, (lineno, row))
        provider = unquote(row["provider"])
        result(provider in known_providers, "%s: provider %s of %s is the core or a known plugin"
               % (where, provider, name), "known: %s" % " ".join(sorted(known_providers)))
        if extra:
            extra(where, name, row)
        if provider == "core" or provider in active:
            result(name in names, "%s: %s (%s) is provided: cove %s lists it" % (where, name, provider, kind))
    for name in names:
        actual = providers.get(name, "core")
        if name not in documented:
            result(False, "%s (%s) is documented in docs/%s" % (name, actual, doc),
                   "add a row: | `%s` | … | %s | … |" % (name, actual))
            continue
        lineno, row = documented[name]
        result(unquote(row["provider"]) == actual, "%s is documented in docs/%s with provider %s"
               % (name, doc, actual), "the table says %s (line %d)" % (unquote(row["provider"]), lineno))


def check_key_row(where, name, row):
    result(name.startswith("lxc.") and not name.endswith("."), "%s: %s is a full key name" % (where, name))
    kind = [w.strip() for w in unquote(row["type"]).split(",")]
    result(kind[0] in KEY_TYPES and kind[1:] in ([], ["repeatable"]),
           "%s: %s has a type (%s, optionally \", repeatable\")" % (where, name, " ".join(sorted(KEY_TYPES))),
           "type: %s" % row["type"])
    result(bool(row["description"]), "%s: %s has a description" % (where, name))


def check_ext_row(where, name, row):
    result(re.fullmatch(r"[a-z0-9_]+", name) is not None, "%s: %s is an extension name" % (where, name))
    result(bool(row["description"]), "%s: %s has a description" % (where, name))


check("config-keys.md", KEY_HEADER, "key", keys, key_provider, "keys", check_key_row)
check("api-extensions.md", EXT_HEADER, "extension", extensions, ext_provider, "extensions", check_ext_row)

print("1..%d" % n)
sys.exit(1 if failed else 0)
