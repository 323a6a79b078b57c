#!/usr/bin/env bash
# Memory across runs, end to end: two analyze runs of the bundled example with a temporary
# --db mark every finding new, then known; `netseen history` lists the hosts; the default
# path follows XDG_DATA_HOME; a damaged database is set aside with a warning; concurrent
# analyze runs on one database all land. Never touches the user's own database.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$out" || exit 1
db="$out/h.db"
fail() { echo "FAIL: $*"; exit 1; }

"$NETSEEN" analyze --db "$db" --format json > run1.jsonl 2> err1.txt || { cat err1.txt; fail "first run"; }
"$NETSEEN" analyze --db "$db" --format json > run2.jsonl 2> err2.txt || { cat err2.txt; fail "second run"; }
/usr/bin/python3 - run1.jsonl run2.jsonl <<'PY' || exit 1
import json, sys
def rows(p): return [json.loads(l) for l in open(p)]
r1, r2 = rows(sys.argv[1]), rows(sys.argv[2])
f1 = [r for r in r1 if r["kind"] == "finding"]
f2 = [r for r in r2 if r["kind"] == "finding"]
assert f1 and len(f1) == len(f2), (len(f1), len(f2))
assert all(f["history"]["status"] == "new" and f["history"]["runs"] == 1 for f in f1), [f["history"] for f in f1]
assert all(f["history"]["status"] == "known" and f["history"]["runs"] == 2 for f in f2), [f["history"] for f in f2]
s1, s2 = r1[-1]["history"], r2[-1]["history"]
assert s1["run"] == 1 and s1["previous_run"] is None and s1["findings"]["new"] == len(f1), s1
assert s2["run"] == 2 and s2["previous_run"] and s2["findings"]["known"] == len(f2) and s2["new_hosts"] == 0, s2
h1 = {r["address"]: r for r in r1 if r["kind"] == "host"}
h2 = {r["address"]: r for r in r2 if r["kind"] == "host"}
assert h1["192.168.1.66"]["history"]["new"] is True and h2["192.168.1.66"]["history"]["new"] is False
assert h2["192.168.1.66"]["history"]["runs"] == 2
# Marks aside, the two runs say the same thing.
strip = lambda rs: [{k: v for k, v in r.items() if k not in ("history", "elapsed_s")} for r in rs]
assert strip(r1) == strip(r2), "the history changed more than the marks"
print(f"two runs: {len(f1)} findings new, then known; {len(h1)} hosts")
PY

"$NETSEEN" analyze --db "$db" --no-color > report.txt 2>/dev/null || fail "text run"
grep -q "^History: run 3 in $db" report.txt || { head -20 report.txt; fail "text report lacks the history line"; }
grep -q "nbstat.sweep  malicious, confidence .* \[known since 2004-09-14, 3 runs\]" report.txt || fail "no known mark in the text report"

"$NETSEEN" history --db "$db" > hist.txt 2>&1 || { cat hist.txt; fail "history"; }
grep -q "3 runs remembered" hist.txt || { cat hist.txt; fail "history does not count the runs"; }
grep -q "^192.168.1.66  inside, first seen 2004-09-14" hist.txt || fail "history does not list 192.168.1.66"
grep -q "nbstat.sweep  2004-09-14 → 2004-09-14, 3 runs" hist.txt || fail "history lacks the sweep's span"
"$NETSEEN" history --db "$db" 192.168.1.66 > one.txt || fail "history HOST"
grep -q "usual ports: 137/udp" one.txt || { cat one.txt; fail "history HOST lacks the usual ports"; }
"$NETSEEN" history --db "$db" --format json > hist.jsonl || fail "history --format json"
/usr/bin/python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows[-1]["kind"] == "history_summary" and rows[-1]["runs"] == 3, rows[-1]
hosts = {r["address"]: r for r in rows if r["kind"] == "history_host"}
assert any(f["id"] == "nbstat.sweep" and f["runs"] == 3 for f in hosts["192.168.1.66"]["findings"])
' hist.jsonl || fail "history json"
"$NETSEEN" history --db "$db" --forget 192.168.1.66 | grep -q "forgot 192.168.1.66" || fail "--forget"
"$NETSEEN" history --db "$db" 192.168.1.66 2>/dev/null && fail "a forgotten host is still remembered"
"$NETSEEN" history --db "$out/none.db" 2>&1 | grep -q "nothing remembered yet" || fail "a missing database is not explained"
[ -e "$out/none.db" ] && fail "history created a database"

# The default location: $XDG_DATA_HOME/netseen/history.db, for real inputs; the bundled
# example alone does not fill the user's database.
env -u NETSEEN_DB XDG_DATA_HOME="$out/xdg" "$NETSEEN" analyze --format json "$NETSEEN_SOURCE_DIR/examples/office.pcap" > /dev/null 2>&1 || fail "default-path run"
[ -s "$out/xdg/netseen/history.db" ] || fail "no database at \$XDG_DATA_HOME/netseen/history.db"
env -u NETSEEN_DB XDG_DATA_HOME="$out/xdg2" "$NETSEEN" analyze > /dev/null 2>&1 || fail "bundled run"
[ -e "$out/xdg2/netseen/history.db" ] && fail "the bundled example was recorded in the default database"
NETSEEN_DB="$out/env.db" "$NETSEEN" analyze > /dev/null 2>&1 || fail "NETSEEN_DB run"
[ -s "$out/env.db" ] || fail "NETSEEN_DB was not used"
"$NETSEEN" analyze --no-db --db "$out/never.db" > /dev/null 2>&1 || fail "--no-db run"
[ -e "$out/never.db" ] && fail "--no-db wrote a database"

# A damaged database is set aside, said so on stderr and in the report, and replaced.
head -c 20000 /dev/urandom > bad.db
"$NETSEEN" analyze --db bad.db --format json > bad.jsonl 2> bad.err || fail "analyze with a damaged database"
grep -q "warning: the history database bad.db was damaged" bad.err || { cat bad.err; fail "no warning on stderr"; }
ls bad.db.corrupt-* > /dev/null 2>&1 || fail "the damaged file was not kept aside"
[ "$(stat -c %s bad.db.corrupt-*)" = 20000 ] || fail "the set-aside file is not the original"
grep -q '"reset":"the history database was damaged' bad.jsonl || fail "the report does not say the database was reset"

# Concurrent runs on one database: all land.
pids=()
for i in 1 2 3 4; do
  "$NETSEEN" analyze --db conc.db --format json > "conc$i.jsonl" 2> "conc$i.err" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent run failed"; done
cat conc*.err | grep -q "history" && { cat conc*.err; fail "a concurrent run could not use the history"; }
runs=$(cat conc*.jsonl | grep -o '"run":[0-9]*' | sort | tr '\n' ' ')
[ "$runs" = '"run":1 "run":2 "run":3 "run":4 ' ] || fail "concurrent runs: $runs"
"$NETSEEN" history --db conc.db | grep -q "4 runs remembered" || fail "concurrent runs were lost"
echo "history: marks, listing, default path, corruption and concurrency all as documented"
