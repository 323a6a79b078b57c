#!/usr/bin/env bash
# `netseen respond --format json` logs every datagram it receives in the netseen-respond format;
# `netseen decode` and `netseen analyze` read that log back as NBNS events. Loopback only: the
# responder listens on 0.0.0.0 and an unprivileged port chosen by the kernel and answers for
# every 127.x address it is asked on; the queries go to 127.0.97.0/27.
#   32 node-status queries from `netseen nbstat` + 1 with nmap's fixed id 0x1337 + 1 name query
#   -> 34 NBNS events; nbstat.nmap and nbstat.local_inventory see the node-status queries.
set -u
NETSEEN=${NETSEEN:?NETSEEN must point at the binary}
tmp=$(mktemp -d)
rpid=
cleanup() { [[ -n "$rpid" ]] && { kill "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null; }; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; head -40 "$tmp/out" 2>/dev/null; echo "--- log:"; head -5 "$tmp/log" 2>/dev/null; exit 1; }

"$NETSEEN" respond --bind 0.0.0.0 --port 0 --format json --duration 60 --rate-per-source 0 --rate 0 \
  --name TESTHOST --name 'TESTHOST#20' --group WORKGROUP --mac 00:0c:29:aa:bb:cc >"$tmp/log" 2>"$tmp/r.err" &
rpid=$!
for _ in $(seq 1 50); do grep -q listening "$tmp/r.err" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\) .*/\1/p' "$tmp/r.err")
[[ -n "$port" ]] || fail "responder did not start: $(cat "$tmp/r.err")"

"$NETSEEN" nbstat -q --port "$port" --timeout 1000 --format nbtscan 127.0.97.0/27 >"$tmp/out" 2>&1 || fail "nbstat exit $?"
[[ $(wc -l <"$tmp/out") -eq 32 ]] || fail "nbstat: 32 hosts should answer"
/usr/bin/python3 - "$port" <<'PY' || fail "query with id 0x1337"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
# NODE STATUS REQUEST for *<00>, transaction id 0x1337 (nmap's), B bit clear.
q = bytes.fromhex("1337" "0000" "0001" "0000" "0000" "0000" "20" + "434b" + "41" * 30 + "00" "0021" "0001")
s.sendto(q, ("127.0.97.31", int(sys.argv[1])))
r = s.recv(2048)
assert r[:2] == b"\x13\x37", r[:2]
PY
"$NETSEEN" query TESTHOST --server 127.0.97.1 --port "$port" --timeout 1000 >"$tmp/out" 2>&1 || fail "query exit $?"

# Every datagram is logged once it is answered; wait (bounded) for the 34 lines, then stop.
for _ in $(seq 1 50); do [[ $(wc -l <"$tmp/log") -ge 34 ]] && break; sleep 0.1; done
kill "$rpid"; wait "$rpid" 2>/dev/null; rpid=
[[ $(wc -l <"$tmp/log") -eq 34 ]] || fail "responder log: $(wc -l <"$tmp/log") lines, want 34"

"$NETSEEN" decode "$tmp/log" >"$tmp/out" 2>"$tmp/err" || fail "decode exit $?"
[[ $(grep -c 'NBNS query NBSTAT \*<00> id 0x' "$tmp/out") -eq 33 ]] || fail "decode: 33 node-status queries"
grep -Eq '^line [0-9]+ .* \[accept rule respond node_status\] 127\.0\.0\.1\.[0-9]+ > 127\.0\.97\.31\.'"$port"': NBNS query NBSTAT \*<00> id 0x1337$' \
  "$tmp/out" || fail "decode: the 0x1337 query"
grep -Eq 'NBNS query NB TESTHOST<00> id 0x[0-9a-f]{4}$' "$tmp/out" || fail "decode: the name query"
grep -q 'netseen-respond 34 records, 34 events, 0 skipped, 0 errors' "$tmp/err" || fail "decode summary: $(cat "$tmp/err")"

"$NETSEEN" analyze --no-db --format json "$tmp/log" >"$tmp/out" 2>"$tmp/err" || fail "analyze exit $?"
/usr/bin/python3 - "$tmp/out" <<'PY' || fail "analyze findings"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
inp = [r for r in recs if r["kind"] == "input"][0]
assert inp["format"] == "netseen-respond" and inp["decoded"] == 34 and inp["error_count"] == 0, inp
f = {r["id"]: r for r in recs if r["kind"] == "finding"}
assert "nbstat.nmap" in f and f["nbstat.nmap"]["source"] == "127.0.0.1", sorted(f)
assert f["nbstat.nmap"]["events"] == 1, f["nbstat.nmap"]
inv = f.get("nbstat.local_inventory")
assert inv is not None and inv["events"] == 33, sorted(f)
assert "addr.loopback_on_wire" not in f, "queries to loopback addresses came in on lo"
PY
echo "talk_respond_analyze: ok"
