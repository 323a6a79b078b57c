#!/usr/bin/env bash
# `netseen analyze --kb FILE`: a user knowledge base changes what the detectors conclude,
# and an invalid one is refused with the same file:line diagnostics as `explain --check-kb`
# and exit 4.
set -u
: "${NETSEEN:?path to the netseen binary}"
: "${NETSEEN_SOURCE_DIR:?}"
KBDIR="$NETSEEN_SOURCE_DIR/tests/knowledge"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# An outside host probes 40421/tcp (unknown to the built-in table) and 31337/tcp (a trojan
# port there) on three inside hosts. Netfilter log lines, documentation address as source.
log="$tmp/fw.log"
n=0
for port in 40421 31337; do
  for dst in 10.0.0.5 10.0.0.6 10.0.0.7; do
    n=$((n + 1))
    printf '2024-03-01T10:00:%02d.000000+00:00 fw kernel: [100.0] DROP IN=eth0 OUT= SRC=192.0.2.7 DST=%s LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=%d PROTO=TCP SPT=5000%d DPT=%s WINDOW=1024 RES=0x00 SYN URGP=0\n' \
      "$n" "$dst" "$n" "$n" "$port" >> "$log"
  done
done

"$NETSEEN" analyze -q --format json "$log" > "$tmp/builtin.jsonl" 2>"$tmp/builtin.err"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL analyze without --kb: exit $rc"; cat "$tmp/builtin.err"; fail=1; }
"$NETSEEN" analyze -q --format json --kb "$KBDIR/good/site_trojan.kb" "$log" > "$tmp/site.jsonl" 2>"$tmp/site.err"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL analyze --kb good: exit $rc"; cat "$tmp/site.err"; fail=1; }

/usr/bin/python3 - "$tmp/builtin.jsonl" "$tmp/site.jsonl" <<'PY' || fail=1
import json, sys
def trojan(path):
    fs = [json.loads(l) for l in open(path) if l.strip()]
    fs = [f for f in fs if f.get("kind") == "finding" and f["id"] == "scan.trojan"]
    return fs[0] if fs else None
builtin, site = trojan(sys.argv[1]), trojan(sys.argv[2])
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("FAIL", what); ok = False
check(builtin is not None, "built-in table: 31337/tcp probes give scan.trojan")
if builtin:
    text = json.dumps(builtin)
    check("31337/tcp" in text and "40421" not in text, "built-in table: the finding names 31337 only")
check(site is not None, "with --kb: 40421/tcp probes give scan.trojan")
if site:
    text = json.dumps(site)
    check("40421/tcp (SiteRAT)" in text, "with --kb: the finding names the user's SiteRAT port")
    check("31337" not in text, "with --kb: 31337 is no longer a trojan port")
sys.exit(0 if ok else 1)
PY

# An invalid user table: exit 4, nothing on stdout, and exactly the diagnostics that
# explain --check-kb prints for the same file.
bad="$KBDIR/bad/ports_bad_rows.kb"
"$NETSEEN" analyze -q --format json --kb "$bad" "$log" > "$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
[ "$rc" -eq 4 ] || { echo "FAIL analyze --kb broken: exit $rc, expected 4"; fail=1; }
[ -s "$tmp/bad.out" ] && { echo "FAIL analyze --kb broken printed a report"; fail=1; }
"$NETSEEN" explain --check-kb "$bad" > /dev/null 2>"$tmp/check.err"
grep -F "$bad:" "$tmp/bad.err" > "$tmp/bad.diag"
if ! diff "$tmp/check.err" "$tmp/bad.diag" > "$tmp/diff"; then
  echo "FAIL analyze --kb diagnostics differ from explain --check-kb:"; cat "$tmp/diff"; fail=1
fi
while IFS= read -r line; do
  grep -qxF "$KBDIR/bad/$line" "$tmp/bad.err" || { echo "FAIL missing diagnostic: $line"; fail=1; }
done < "$KBDIR/bad/ports_bad_rows.expect"
grep -q "the knowledge base is invalid" "$tmp/bad.err" || { echo "FAIL no summary line for an invalid --kb"; fail=1; }
"$NETSEEN" analyze -q --kb "$tmp/none.kb" "$log" > /dev/null 2>"$tmp/none.err"
rc=$?
[ "$rc" -eq 4 ] || { echo "FAIL analyze --kb missing file: exit $rc, expected 4"; fail=1; }
grep -q "none.kb" "$tmp/none.err" || { echo "FAIL missing --kb file not named"; fail=1; }

[ "$fail" -eq 0 ] && echo "analyze --kb: ok"
exit "$fail"
