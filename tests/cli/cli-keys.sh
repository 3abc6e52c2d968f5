# SPDX-License-Identifier: LGPL-2.1-or-later
# cove keys [PREFIX], cove extensions, cove plugins [--json], and COVE_PLUGINS_DISABLE:
# disabling an active plugin removes exactly its extensions and keys.
source "$(dirname "$0")/tap.sh"

# ---- keys ------------------------------------------------------------------------------
run keys
expect_rc 0 "keys"
expect_empty_err "keys"
for key in lxc.include lxc.log.file lxc.log.level; do
  check "keys lists $key" grep -qx "$(re "$key")" <<<"$OUT"
done
expect_no_out '^([^l]|l[^x]|lx[^c]|lxc[^.])' "keys: every name starts with lxc."
expect_no_out '\.$' "keys: no name ends with a dot"
expect_no_out '^lxc\.net\.[0-9]' "keys: interface keys are shown as lxc.net.N.<key>"
check "keys: no duplicates" test "$(sort <<<"$OUT" | uniq -d)" = ""
ALL_KEYS=$OUT

run keys lxc.log
expect_rc 0 "keys lxc.log"
check "keys lxc.log: exactly the lxc.log keys of the full list" \
  test "$OUT" = "$(grep '^lxc\.log' <<<"$ALL_KEYS")"
check "keys lxc.log: lists lxc.log.file" \
  grep -qx 'lxc\.log\.file' <<<"$OUT"
expect_out '^lxc\.log\.level$' "keys lxc.log: lists lxc.log.level"
expect_no_out '^lxc\.include$' "keys lxc.log: not lxc.include"

# ---- extensions ------------------------------------------------------------------------
run extensions
expect_rc 0 "extensions"
expect_empty_err "extensions"
for ext in lxc_log lxc_config_item_is_supported; do
  check "extensions lists $ext" grep -qx "$ext" <<<"$OUT"
done
expect_no_out '[^a-z0-9_]' "extensions: names are lower-case words joined by _"
check "extensions: no duplicates" test "$(sort <<<"$OUT" | uniq -d)" = ""
ALL_EXTENSIONS=$OUT

# ---- plugins -----------------------------------------------------------------------------
run plugins
expect_rc 0 "plugins"
expect_empty_err "plugins"

run plugins --json
expect_rc 0 "plugins --json"
expect_empty_err "plugins --json"
printf '%s\n' "$OUT" >"$TMP/plugins.json"
check "plugins --json is valid JSON (python3 -m json.tool)" python3 -m json.tool "$TMP/plugins.json" /dev/null
check "plugins --json: an array of plugin objects with every field" python3 - "$TMP/plugins.json" <<'PY'
import json, sys
plugins = json.load(open(sys.argv[1]))
assert isinstance(plugins, list), "not an array"
for p in plugins:
    for field, kind in (("name", str), ("state", str), ("file", str), ("extensions", list), ("keys", list)):
        assert isinstance(p.get(field), kind), "%s: %s is not a %s" % (p.get("name"), field, kind.__name__)
    for field in ("version", "reason", "summary"):
        assert field in p, "%s: no %s" % (p["name"], field)
    assert p["state"] in ("ACTIVE", "UNAVAILABLE", "FAILED", "DISABLED"), p["state"]
    assert (p["reason"] is None) == (p["state"] == "ACTIVE"), "%s: %s with reason %r" % (p["name"], p["state"], p["reason"])
    if p["state"] != "ACTIVE":
        assert not p["extensions"] and not p["keys"], "%s is %s but lists extensions or keys" % (p["name"], p["state"])
PY

# Every plugin, its state, its extensions and keys, as NAME<TAB>STATE<TAB>EXT,…<TAB>KEY,…
mapfile -t plugins < <(python3 -c '
import json, sys
for p in json.load(open(sys.argv[1])):
    print("\t".join([p["name"], p["state"], ",".join(p["extensions"]), ",".join(p["keys"])]))' "$TMP/plugins.json")
diag "${#plugins[@]} plugin(s) found: $(printf '%s ' "${plugins[@]%%$'\t'*}")"

run COVE_PLUGINS_DISABLE=no-such-plugin extensions
check "disabling a plugin that does not exist changes nothing" test "$OUT" = "$ALL_EXTENSIONS"

active=0
for line in "${plugins[@]}"; do
  IFS=$'\t' read -r name state exts keys <<<"$line"
  [ "$state" = ACTIVE ] || continue
  active=$((active + 1))
  for e in ${exts//,/ }; do
    check "$name: extension $e is listed by cove extensions" grep -qx "$e" <<<"$ALL_EXTENSIONS"
  done
  for k in ${keys//,/ }; do
    check "$name: key $k is listed by cove keys" grep -qx "$(re "$k")" <<<"$ALL_KEYS"
  done

  run COVE_PLUGINS_DISABLE="$name" extensions
  expected=$(grep -vxF -f <(tr ',' '\n' <<<"$exts") <<<"$ALL_EXTENSIONS" || true)
  [ -n "$exts" ] || expected=$ALL_EXTENSIONS
  check "COVE_PLUGINS_DISABLE=$name removes exactly its extensions" test "$OUT" = "$expected"

  run COVE_PLUGINS_DISABLE="$name" keys
  expected=$(grep -vxF -f <(tr ',' '\n' <<<"$keys") <<<"$ALL_KEYS" || true)
  [ -n "$keys" ] || expected=$ALL_KEYS
  check "COVE_PLUGINS_DISABLE=$name removes exactly its keys" test "$OUT" = "$expected"

  run COVE_PLUGINS_DISABLE="$name" plugins --json
  check "COVE_PLUGINS_DISABLE=$name: plugins --json says DISABLED" python3 -c '
import json, sys
p = [p for p in json.loads(sys.argv[1]) if p["name"] == sys.argv[2]]
sys.exit(0 if p and p[0]["state"] == "DISABLED" and p[0]["reason"] else 1)' "$OUT" "$name"
done
ok "checked $active active plugin(s)"

tap_done
