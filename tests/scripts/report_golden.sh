#!/bin/bash
# Golden tests of the analyze reports: text (plain, --explain, --host), JSON Lines and ECS
# on the scenario written by tools/gen_report_scenario.py, on the bundled example and on a
# capture from tools/gen_capture.py, compared byte for byte with tests/golden/report/.
# Deterministic by construction: fixed inputs, stable order, UTC, relative paths; the only
# varying values (elapsed_s, observer.version) are masked. UPDATE_GOLDEN=1 rewrites the
# golden files. Every JSON line is validated against docs/netseen-output.schema.json and
# every ECS line against docs/ecs.schema.json, and the ECS documents are checked against
# the JSON findings of the same run, field by field.
set -u
SRC="${NETSEEN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
NETSEEN="${NETSEEN:-$SRC/build/release/netseen}"
GOLD="$SRC/tests/golden/report"
if [ ! -x "$NETSEEN" ]; then echo "SKIP: $NETSEEN not built"; exit 77; fi
if [ ! -x /usr/bin/python3 ]; then echo "SKIP: /usr/bin/python3 missing"; exit 77; fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export TZ=UTC LC_ALL=C NO_COLOR=1
/usr/bin/python3 "$SRC/tools/gen_report_scenario.py" "$TMP" || { echo "FAIL: scenario generator"; exit 1; }
/usr/bin/python3 "$SRC/tools/gen_capture.py" "$TMP/mixed.pcap" --packets 80 --seed 11 2>/dev/null || exit 1
mkdir -p "$GOLD"

# The history database is never touched (--no-db); NETSEEN_DB=off covers builds before it.
export NETSEEN_DB=off
fail=0
mask() { sed -E -e 's/"elapsed_s":[0-9.e+-]+/"elapsed_s":0/' -e 's/("observer":\{[^}]*"version":)"[^"]*"/\1"X"/'; }
produce() {  # output file name, then the analyze arguments (run inside the scratch folder)
  local name=$1
  shift
  (cd "$TMP" && "$NETSEEN" analyze -q --no-db "$@" 2>/dev/null) | mask > "$TMP/$name"
  if [ ! -s "$TMP/$name" ]; then echo "FAIL: $name: no output"; fail=1; return 1; fi
}
run() {  # golden file name, then the analyze arguments
  local name=$1
  produce "$@" || return
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$TMP/$name" "$GOLD/$name"
    echo "updated: $name"
  elif [ ! -f "$GOLD/$name" ]; then
    echo "FAIL: $GOLD/$name missing (run with UPDATE_GOLDEN=1)"; fail=1
  elif ! diff -u "$GOLD/$name" "$TMP/$name" > "$TMP/$name.diff"; then
    echo "FAIL: $name differs from golden"
    head -40 "$TMP/$name.diff"
    fail=1
  else
    echo "ok: $name ($(wc -l < "$TMP/$name") lines)"
  fi
}
run scenario.txt --no-color scenario.pcap scenario.log
run scenario_explain.txt --no-color --explain scenario.pcap scenario.log
run scenario_host.txt --no-color --host 198.51.100.77 scenario.pcap scenario.log
run scenario_all.txt --no-color --all scenario.pcap scenario.log
run scenario.jsonl --format json scenario.pcap scenario.log
run scenario_ecs.jsonl --format ecs scenario.pcap scenario.log
run example.txt --no-color
run example.jsonl --format json
produce example_ecs.jsonl --format ecs  # checked below against example.jsonl, field by field
run mixed.txt --no-color mixed.pcap
run mixed.jsonl --format json mixed.pcap

# The same input twice gives the same bytes (nothing depends on the run).
(cd "$TMP" && "$NETSEEN" analyze -q --no-db --format ecs scenario.pcap scenario.log) > "$TMP/again.jsonl" 2>/dev/null
(cd "$TMP" && "$NETSEEN" analyze -q --no-db --format ecs scenario.pcap scenario.log) > "$TMP/again2.jsonl" 2>/dev/null
cmp -s "$TMP/again.jsonl" "$TMP/again2.jsonl" || { echo "FAIL: ECS output differs between two runs"; fail=1; }

if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  echo "SKIP (part): python3-jsonschema missing; schemas not checked"
  exit $fail
fi
/usr/bin/python3 - "$SRC/docs" "$TMP" <<'PY' || fail=1
import json, sys
from jsonschema import Draft202012Validator
docs, tmp = sys.argv[1], sys.argv[2]
def validator(name):
    schema = json.load(open(f"{docs}/{name}"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)
out_v, ecs_v = validator("netseen-output.schema.json"), validator("ecs.schema.json")
def rows(path):
    return [json.loads(l) for l in open(path)]
def check(v, path):
    for i, obj in enumerate(rows(path), 1):
        errs = sorted(v.iter_errors(obj), key=lambda e: list(e.path))
        if errs:
            sys.exit(f"FAIL: {path}:{i}: {errs[0].message} at {list(errs[0].path)}")
sev = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
n = 0
for base in ("scenario", "example"):
    check(out_v, f"{tmp}/{base}.jsonl")
    check(ecs_v, f"{tmp}/{base}_ecs.jsonl")
    findings = [r for r in rows(f"{tmp}/{base}.jsonl") if r["kind"] == "finding"]
    ecs = rows(f"{tmp}/{base}_ecs.jsonl")
    assert len(ecs) == len(findings), (base, len(ecs), len(findings))
    for f, e in zip(findings, ecs):
        assert e["rule"]["id"] == f["id"] and e["rule"]["category"] == f["id"].split(".")[0], (f["id"], e["rule"])
        assert e["source"]["ip"] == f["source"], e["source"]
        assert e["@timestamp"] == f["first_seen"] == e["event"]["start"], e["@timestamp"]
        assert e["event"]["end"] == f["last_seen"]
        assert e["event"]["severity"] == sev[f["severity"]] and e["netseen"]["severity"] == f["severity"]
        assert e["message"] == f["title"] and e["event"]["reason"] == f["explanation"]
        assert e["netseen"]["advice"] == f["advice"] and e["netseen"]["targets"] == f["targets"]
        assert e["netseen"]["evidence"] == f["evidence"] and e["netseen"]["attributes"] == f["attributes"]
        assert ("intrusion_detection" in e["event"]["category"]) == (f["verdict"] in ("suspicious", "malicious"))
        assert e["related"]["ip"][0] == f["source"]
        if f["targets"]["count"] == 1:
            assert e["destination"]["ip"] == f["targets"]["sample"][0], e
        if isinstance(f["attributes"].get("source_port"), int):
            assert e["source"]["port"] == f["attributes"]["source_port"]
        n += 1
# Values a SIEM user relies on, from the scenario.
ecs = {(e["rule"]["id"], e["source"]["ip"]): e for e in rows(f"{tmp}/scenario_ecs.jsonl")}
sweep = ecs[("nbstat.sweep", "10.1.0.50")]
assert sweep["network"]["transport"] == "udp" and sweep["source"]["port"] == 137, sweep
assert sweep["netseen"]["targets"]["regions"] == {"AFRINIC": 20, "LACNIC": 20}
assert sweep["event"]["severity"] == 4 and sweep["event"]["kind"] == "alert"
frag = ecs[("icmp.frag_needed", "10.1.0.1")]
assert frag["network"]["transport"] == "icmp" and frag["destination"]["ip"] == "10.1.0.20", frag
assert frag["event"]["category"] == ["network"]
nmap = ecs[("nbstat.nmap", "10.1.0.60")]
assert nmap["event"]["duration"] == 800000000, nmap["event"]  # 0.8 s in nanoseconds
print(f"schemas: every JSON and ECS line valid; {n} ECS alerts match their findings field by field")
PY
exit $fail
