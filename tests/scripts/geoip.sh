#!/usr/bin/env bash
# `--geoip FILE` on `explain` and `analyze`, with a MaxMind DB that tools/gen_mmdb.py
# writes (documentation networks only; Debian ships no country database). When Debian's
# mmdblookup (package mmdb-bin) is installed, it is the oracle for the writer and for
# netseen's answers; without it that part is skipped with a note.
set -u
: "${NETSEEN:?path to the netseen binary}"
: "${NETSEEN_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
db="$tmp/test.mmdb"
/usr/bin/python3 "$NETSEEN_SOURCE_DIR/tools/gen_mmdb.py" "$db" || { echo "FAIL gen_mmdb.py"; exit 1; }

# explain, text: the country sits next to the region.
expect_line() {  # address, expected "country:" value
  "$NETSEEN" explain --geoip "$db" "$1" > "$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ "$rc" -eq 0 ] || { echo "FAIL explain --geoip $1: exit $rc"; cat "$tmp/err"; fail=1; return; }
  grep -qxF "  country:  $2" "$tmp/out" || { echo "FAIL explain --geoip $1: expected 'country:  $2' in:"; cat "$tmp/out"; fail=1; }
}
expect_line 192.0.2.7 "NL (Netherlands) (GeoIP database, today)"
expect_line 198.51.100.200 "KR (South Korea) (GeoIP database, today)"
expect_line 203.0.113.9 "AU (Australia), where the block is registered (GeoIP database, today)"
expect_line 2001:db8::1 "BR (Brazil) (GeoIP database, today)"
expect_line 8.8.8.8 "not in the GeoIP database"
"$NETSEEN" explain --geoip "$db" 198.51.100.5 > "$tmp/order" 2>&1
grep -A1 '^  region:' "$tmp/order" | grep -q '^  country:  JP (Japan)' ||
  { echo "FAIL the country line does not follow the region line:"; cat "$tmp/order"; fail=1; }
# Without --geoip there is no country line at all.
"$NETSEEN" explain 192.0.2.7 | grep -q 'country' && { echo "FAIL country shown without --geoip"; fail=1; }

# explain, JSON.
"$NETSEEN" explain --format json --geoip "$db" 192.0.2.7 203.0.113.9 8.8.8.8 > "$tmp/explain.jsonl" || fail=1
/usr/bin/python3 - "$tmp/explain.jsonl" <<'PY' || fail=1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
want = [{"code": "NL", "name": "Netherlands", "registered_only": False},
        {"code": "AU", "name": "Australia", "registered_only": True}, None]
got = [r["country"] for r in rows]
if got != want:
    print("FAIL explain --format json countries:", got); sys.exit(1)
PY

# Errors: a missing file exits 3, a file that is not a MaxMind DB exits 4; both say why.
"$NETSEEN" explain --geoip "$tmp/nope.mmdb" 192.0.2.7 > /dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] || { echo "FAIL missing --geoip file: exit $rc, expected 3"; fail=1; }
grep -q "nope.mmdb: cannot open the GeoIP database" "$tmp/err" || { echo "FAIL missing file message:"; cat "$tmp/err"; fail=1; }
head -c 3000 /dev/urandom > "$tmp/junk.mmdb"
"$NETSEEN" explain --geoip "$tmp/junk.mmdb" 192.0.2.7 > /dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 4 ] || { echo "FAIL junk --geoip file: exit $rc, expected 4"; fail=1; }
grep -q "junk.mmdb: not a valid MaxMind DB" "$tmp/err" || { echo "FAIL junk file message:"; cat "$tmp/err"; fail=1; }

# analyze: the country of hosts (text and JSON) and of a finding's source.
log="$tmp/fw.log"
for i in 1 2 3; do
  printf '2024-03-01T10:00:0%d.000000+00:00 fw kernel: [100.0] DROP IN=eth0 OUT= SRC=192.0.2.7 DST=10.0.0.%d LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=%d PROTO=TCP SPT=5000%d DPT=31337 WINDOW=1024 RES=0x00 SYN URGP=0\n' \
    "$i" "$i" "$i" "$i" >> "$log"
done
"$NETSEEN" analyze -q --no-color --geoip "$db" "$log" > "$tmp/report.txt" 2>"$tmp/err" || { echo "FAIL analyze --geoip"; cat "$tmp/err"; fail=1; }
grep -q '^192\.0\.2\.7  (outside; country NL (Netherlands)' "$tmp/report.txt" ||
  { echo "FAIL analyze text: no country next to the host:"; grep '192.0.2.7' "$tmp/report.txt"; fail=1; }
"$NETSEEN" analyze -q --format json --geoip "$db" "$log" > "$tmp/report.jsonl" || fail=1
"$NETSEEN" analyze -q --format json "$log" > "$tmp/plain.jsonl" || fail=1
/usr/bin/python3 - "$tmp/report.jsonl" "$tmp/plain.jsonl" "$NETSEEN_SOURCE_DIR/docs/netseen-output.schema.json" <<'PY' || fail=1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
plain = [json.loads(l) for l in open(sys.argv[2])]
ok = True
nl = {"code": "NL", "name": "Netherlands", "registered_only": False}
hosts = {r["address"]: r for r in rows if r["kind"] == "host"}
if hosts.get("192.0.2.7", {}).get("country") != nl:
    print("FAIL host 192.0.2.7 country:", hosts.get("192.0.2.7")); ok = False
if "10.0.0.1" in hosts and hosts["10.0.0.1"].get("country", "absent") is not None:
    print("FAIL an address the database lacks should have country null"); ok = False
findings = [r for r in rows if r["kind"] == "finding" and r["source"] == "192.0.2.7"]
if not findings or any(f.get("source_country") != nl for f in findings):
    print("FAIL findings about 192.0.2.7 lack source_country NL"); ok = False
if any("country" in r or "source_country" in r for r in plain):
    print("FAIL country fields appear without --geoip"); ok = False
try:
    from jsonschema import Draft202012Validator
    v = Draft202012Validator(json.load(open(sys.argv[3])))
    for r in rows:
        for e in v.iter_errors(r):
            print("FAIL schema:", e.message); ok = False
except ImportError:
    print("note: python3-jsonschema absent; schema not checked")
sys.exit(0 if ok else 1)
PY

# ECS: source.geo from the same database, valid against docs/ecs.schema.json.
"$NETSEEN" analyze -q --format ecs --geoip "$db" "$log" > "$tmp/report.ecs" || fail=1
/usr/bin/python3 - "$tmp/report.ecs" "$NETSEEN_SOURCE_DIR/docs/ecs.schema.json" <<'PY' || fail=1
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mine = [d for d in docs if d["source"]["ip"] == "192.0.2.7"]
ok = bool(mine) and all(d["source"].get("geo") == {"country_iso_code": "NL", "country_name": "Netherlands"} for d in mine)
if not ok:
    print("FAIL ecs source.geo:", [d["source"] for d in docs])
try:
    from jsonschema import Draft202012Validator
    v = Draft202012Validator(json.load(open(sys.argv[2])))
    for d in docs:
        for e in v.iter_errors(d):
            print("FAIL ecs schema:", e.message); ok = False
except ImportError:
    print("note: python3-jsonschema absent; ECS schema not checked")
sys.exit(0 if ok else 1)
PY

# The oracle: Debian's mmdblookup reads the same file the same way.
if command -v mmdblookup > /dev/null 2>&1; then
  for a in 192.0.2.7 198.51.100.5 198.51.100.200 2001:db8::1; do
    want=$(mmdblookup -f "$db" -i "$a" country iso_code | sed -n 's/^ *"\(..\)" <utf8_string>$/\1/p')
    got=$("$NETSEEN" explain --format json --geoip "$db" "$a" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["country"]["code"])')
    [ -n "$want" ] && [ "$want" = "$got" ] || { echo "FAIL $a: mmdblookup says '$want', netseen '$got'"; fail=1; }
  done
  mmdblookup -f "$db" -i 8.8.8.8 2>&1 | grep -q "Could not find an entry" || { echo "FAIL mmdblookup finds 8.8.8.8"; fail=1; }
  for rs in 24 32; do
    /usr/bin/python3 "$NETSEEN_SOURCE_DIR/tools/gen_mmdb.py" "$tmp/rs$rs.mmdb" --record-size "$rs" --ip-version 4
    mmdblookup -f "$tmp/rs$rs.mmdb" -i 198.51.100.200 country names en | grep -q '"South Korea"' ||
      { echo "FAIL mmdblookup on the $rs-bit IPv4 database"; fail=1; }
  done
else
  echo "note: mmdblookup (Debian package mmdb-bin) not installed; the oracle check is skipped"
fi

[ "$fail" -eq 0 ] && echo "geoip: ok"
exit "$fail"
