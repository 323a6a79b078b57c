#!/usr/bin/env bash
# Every JSON Lines object netseen analyze prints validates against docs/netseen-output.schema.json:
# the bundled example, a missing input, and the corpus captures and logs when ../shared is there.
set -u
if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  echo "SKIP: python3-jsonschema is not installed for /usr/bin/python3"
  exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$NETSEEN" analyze --no-db --format json > "$out/example.jsonl" 2>/dev/null || { echo "analyze of the example failed"; exit 1; }
"$NETSEEN" analyze --no-db --format json /nonexistent.pcap > "$out/missing.jsonl" 2>/dev/null
[ $? -eq 3 ] || { echo "missing input should exit 3"; exit 1; }
# With a history database (a temporary one): the second run carries "known" marks.
"$NETSEEN" analyze --db "$out/history.db" --format json > "$out/history1.jsonl" 2>/dev/null || { echo "analyze with --db failed"; exit 1; }
"$NETSEEN" analyze --db "$out/history.db" --format json > "$out/history2.jsonl" 2>/dev/null || { echo "analyze with --db failed"; exit 1; }
grep -q '"history":{"status":"known"' "$out/history2.jsonl" || { echo "second run with --db has no known marks"; exit 1; }
corpus="$NETSEEN_SOURCE_DIR/../shared/corpus"
if [ -d "$corpus" ]; then
  i=0
  for f in "$corpus"/nDPI/tests/cfgs/default/pcap/netbios.pcap "$corpus"/tcpdump/tests/eapon1.pcap \
           "$corpus"/psad/test/scans/iptables/* "$corpus"/windows-firewall/pfirewall.log; do
    [ -f "$f" ] || continue
    i=$((i + 1))
    "$NETSEEN" analyze --no-db --format json "$f" > "$out/corpus$i.jsonl" 2>/dev/null
  done
else
  echo "note: ../shared/corpus absent; validating the bundled example only"
fi
/usr/bin/python3 - "$NETSEEN_SOURCE_DIR/docs/netseen-output.schema.json" "$out"/*.jsonl <<'PY'
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
n = 0
for path in sys.argv[2:]:
    for i, line in enumerate(open(path), 1):
        obj = json.loads(line)
        errs = sorted(v.iter_errors(obj), key=lambda e: list(e.path))
        if errs:
            print(f"{path}:{i}: {errs[0].message} at {list(errs[0].path)}")
            sys.exit(1)
        n += 1
print(f"{n} JSON objects from {len(sys.argv) - 2} runs valid against the schema")
PY
