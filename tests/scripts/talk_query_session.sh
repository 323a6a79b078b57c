#!/usr/bin/env bash
# netseen query against netseen respond, and netseen session against a small session server
# (positive, negative with its reason, retarget followed, retarget loop bounded). Loopback only.
set -u
NETSEEN=${NETSEEN:?NETSEEN must point at the binary}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$tmp/out" 2>/dev/null; exit 1; }

"$NETSEEN" respond --bind 127.0.93.1 --port 0 --duration 30 --name TESTHOST --name 'TESTHOST#20' \
  --group WORKGROUP --group - --mac 00:0c:29:aa:bb:cc >"$tmp/r" 2>"$tmp/r.err" &
pids+=($!)
for _ in $(seq 1 50); do grep -q listening "$tmp/r.err" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$tmp/r.err")
[[ -n "$port" ]] || fail "responder did not start: $(cat "$tmp/r.err")"

"$NETSEEN" query --server 127.0.93.1 --port "$port" --timeout 300 'TESTHOST#20' >"$tmp/out" 2>&1 || fail "query exit $?"
grep -qx '127.0.93.1 TESTHOST<20> UNIQUE B-node (from 127.0.93.1, ttl 300000)' "$tmp/out" || fail "positive query"
"$NETSEEN" query --server 127.0.93.1 --port "$port" --timeout 300 MISSING >"$tmp/out" 2>&1; rc=$?
[[ $rc -eq 1 ]] || fail "negative query must exit 1, got $rc"
grep -q '127.0.93.1: negative response NAM_ERR' "$tmp/out" || fail "negative query text"
"$NETSEEN" query --server 127.0.93.1 --port "$port" --timeout 300 --format json - >"$tmp/out" 2>&1 || fail "msbrowse query"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); a=d["answers"][0]["addresses"][0]; assert a["group"] and a["address"]=="127.0.93.1", d' "$tmp/out" || fail "msbrowse json"
# Silence: a port nobody answers on (ICMP unreachable, ignored by query) -> bounded, exit 1.
start=$(date +%s%N)
"$NETSEEN" query --server 127.0.93.9 --port "$port" --timeout 100 --retries 1 TESTHOST >"$tmp/out" 2>&1; rc=$?
[[ $rc -eq 1 ]] || fail "unanswered query must exit 1"
(( ($(date +%s%N) - start) / 1000000 < 3000 )) || fail "unanswered query took too long"
grep -q "name_query_request TESTHOST<20>" "$tmp/r" || fail "responder log for name query"

# Session server: port P answers by called name; POS -> positive, NEG -> 0x82, RT -> retarget to RT2,
# RT2 -> positive, LOOP -> retarget to itself.
/usr/bin/python3 - "$tmp/sport" <<'PY' &
import select, socket, struct, sys, time
def listener():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.93.2", 0)); s.listen(16); return s
main, other = listener(), listener()
port, port2 = main.getsockname()[1], other.getsockname()[1]
open(sys.argv[1], "w").write(str(port))
def name(b):  # first-level decode of the called name
    enc = b[1:33]
    return bytes(((enc[i] - 65) << 4) | (enc[i + 1] - 65) for i in range(0, 32, 2))[:15].decode("latin-1").strip()
def serve(c, second):
    d = b""
    c.settimeout(2)
    while len(d) < 4 + 68:
        x = c.recv(200)
        if not x: return
        d += x
    called = name(d[4:])
    if second or called.startswith("POS"): c.send(b"\x82\x00\x00\x00")
    elif called.startswith("NEG"): c.send(b"\x83\x00\x00\x01\x82")
    elif called.startswith("RT"):
        c.send(b"\x84\x00\x00\x06" + socket.inet_aton("127.0.93.2") + struct.pack(">H", port2))
    elif called.startswith("LOOP"):
        c.send(b"\x84\x00\x00\x06" + socket.inet_aton("127.0.93.2") + struct.pack(">H", port))
    c.close()
end = time.time() + 25
while time.time() < end:
    r, _, _ = select.select([main, other], [], [], 0.5)
    for s in r:
        c, _ = s.accept()
        serve(c, s is other)
PY
pids+=($!)
for _ in $(seq 1 50); do [[ -s "$tmp/sport" ]] && break; sleep 0.1; done
sport=$(cat "$tmp/sport")
"$NETSEEN" session 127.0.93.2 --port "$sport" --called POS --timeout 1000 >"$tmp/out" 2>&1 || fail "positive session"
grep -q "127.0.93.2:$sport: positive session response" "$tmp/out" || fail "positive text"
"$NETSEEN" session 127.0.93.2 --port "$sport" --called NEG --timeout 1000 >"$tmp/out" 2>&1; [[ $? -eq 1 ]] || fail "negative exit"
grep -q "negative session response 0x82: " "$tmp/out" || fail "negative reason"
"$NETSEEN" session 127.0.93.2 --port "$sport" --called RT --timeout 1000 >"$tmp/out" 2>&1 || fail "retarget followed"
grep -q "127.0.93.2:$sport: retarget to 127.0.93.2:" "$tmp/out" || fail "retarget line"
[[ $(grep -c "positive session response" "$tmp/out") -eq 1 ]] || fail "positive after retarget"
"$NETSEEN" session 127.0.93.2 --port "$sport" --called LOOP --max-retargets 2 --timeout 1000 >"$tmp/out" 2>&1; [[ $? -eq 1 ]] || fail "loop exit"
[[ $(grep -c "retarget to 127.0.93.2:$sport" "$tmp/out") -eq 3 ]] || fail "retarget loop must stop after 2 follows"
grep -q "not followed: more than 2 retargets" "$tmp/out" || fail "retarget bound text"
"$NETSEEN" session 127.0.93.9 --port "$sport" --timeout 500 >"$tmp/out" 2>&1; [[ $? -eq 1 ]] || fail "refused exit"
grep -q "refused: Connection refused" "$tmp/out" || fail "connection refused text"
echo "talk_query_session: ok"
