#!/usr/bin/env bash
# netseen nbstat / respond end to end on loopback (127.0.91.x, an unprivileged port):
# table, -v, json, nbtscan lines, --hosts, unreachable vs silent vs refused, a target file.
set -u
NETSEEN=${NETSEEN:?NETSEEN must point at the binary}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$tmp/out" 2>/dev/null; echo "--- stderr:"; cat "$tmp/err" 2>/dev/null; exit 1; }

# A free port: let the kernel choose one for the first responder, reuse it for the others.
start() {  # start ADDR PORT LOGFILE extra-args...
  local addr=$1 port=$2 log=$3; shift 3
  "$NETSEEN" respond --bind "$addr" --port "$port" --duration 30 --rate-per-source 0 --rate 0 \
    --name TESTHOST --name 'TESTHOST#20' --name 'JDOE#03' --group WORKGROUP --group - \
    --mac 00:0c:29:aa:bb:cc "$@" >"$log" 2>"$log.err" &
  pids+=($!)
  for _ in $(seq 1 50); do grep -q listening "$log.err" 2>/dev/null && return 0; sleep 0.1; done
  cat "$log.err"; return 1
}
start 127.0.91.1 0 "$tmp/r1" || fail "responder did not start"
port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$tmp/r1.err")
[[ -n "$port" ]] || fail "no port in: $(cat "$tmp/r1.err")"
start 127.0.91.2 "$port" "$tmp/r2" --fault negative || fail "second responder did not start"
# 127.0.91.3: nothing bound -> ICMP port unreachable; 127.0.91.4: a socket that never answers.
/usr/bin/python3 - "$port" "$tmp/mute.ready" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.91.4", int(sys.argv[1])))
open(sys.argv[2], "w").close()
time.sleep(20)
PY
pids+=($!)
for _ in $(seq 1 100); do [[ -e "$tmp/mute.ready" ]] && break; sleep 0.1; done
[[ -e "$tmp/mute.ready" ]] || fail "mute socket not bound after 10 s"

# A generous timeout: under a loaded CI machine a 200 ms answer is not guaranteed.
args=(--port "$port" --timeout 1000 --retries 1 --rate 0)
"$NETSEEN" nbstat "${args[@]}" 127.0.91.1-4 >"$tmp/out" 2>"$tmp/err" || fail "nbstat exit $?"
grep -Eq '^127\.0\.91\.1 +TESTHOST +WORKGROUP +yes +JDOE +00:0c:29:aa:bb:cc$' "$tmp/out" || fail "table row"
grep -q '^127.0.91.2 .*refused: negative response SRV_ERR' "$tmp/out" || fail "refused row"
grep -q '^127.0.91.3 .*unreachable: ICMP type 3 code 3 (port unreachable)' "$tmp/out" || fail "unreachable row"
grep -q '127.0.91.4' "$tmp/out" && fail "silent host listed without -v"
grep -q 'asked 4, answered 1, refused 1, unreachable 1, silent 1' "$tmp/err" || fail "summary"

"$NETSEEN" nbstat "${args[@]}" -v 127.0.91.1 127.0.91.4 >"$tmp/out" 2>"$tmp/err" || fail "nbstat -v"
grep -Eq '^  TESTHOST +<20>  UNIQUE +B ACTIVE' "$tmp/out" || fail "-v unique row"
grep -Eq '^  WORKGROUP +<00>  GROUP +B ACTIVE' "$tmp/out" || fail "-v group row"
grep -Fq '  \x01\x02__MSBROWSE__\x02 <01>' "$tmp/out" || fail "-v msbrowse escaped"
# Every name row puts its <suffix> in the same column, the escaped __MSBROWSE__ included.
cols=$(grep -E '^  [^ ].* <[0-9a-f]{2}>  (UNIQUE|GROUP)' "$tmp/out" | awk '{ print index($0, " <") }' | sort -u | wc -l)
[ "$cols" = 1 ] || fail "-v name rows not aligned ($cols suffix columns)"
grep -q '^  MAC 00:0c:29:aa:bb:cc  (46 statistics bytes)' "$tmp/out" || fail "-v MAC"
grep -q '^127.0.91.4 .*silent: no answer to 2 queries' "$tmp/out" || fail "-v silent row"

"$NETSEEN" nbstat "${args[@]}" --format nbtscan 127.0.91.1 >"$tmp/out" 2>"$tmp/err" || fail "nbtscan format"
[[ "$(cat "$tmp/out")" == "127.0.91.1:TESTHOST       :<server>:JDOE           :00:0c:29:aa:bb:cc" ]] || fail "nbtscan line"
"$NETSEEN" nbstat "${args[@]}" --format nbtscan -v 127.0.91.1 >"$tmp/out" 2>"$tmp/err" || fail "nbtscan -v"
grep -qx '127.0.91.1:WORKGROUP      :00G' "$tmp/out" || fail "nbtscan -v group line"
grep -qx '127.0.91.1:MAC:00:0c:29:aa:bb:cc' "$tmp/out" || fail "nbtscan -v MAC line"

"$NETSEEN" nbstat "${args[@]}" --hosts 127.0.91.1 >"$tmp/out" 2>"$tmp/err" || fail "--hosts"
[[ "$(cat "$tmp/out")" == $'127.0.91.1\tTESTHOST' ]] || fail "--hosts line"

printf '# list\n127.0.91.1\n127.0.91.1\n127.0.91.3\n' >"$tmp/list"
"$NETSEEN" nbstat "${args[@]}" --format json @"$tmp/list" >"$tmp/out" 2>"$tmp/err" || fail "json"
/usr/bin/python3 - "$tmp/out" <<'PY' || fail "json content"
import json, sys
d = json.load(open(sys.argv[1]))
h = {x["address"]: x for x in d["hosts"]}
assert len(d["hosts"]) == 2, d["hosts"]
a = h["127.0.91.1"]
assert a["outcome"] == "answered" and a["name"] == "TESTHOST" and a["workgroup"] == "WORKGROUP", a
assert a["server"] is True and a["user"] == "JDOE" and a["mac"] == "00:0c:29:aa:bb:cc", a
assert [n["suffix"] for n in a["names"]] == [0, 0x20, 3, 0, 1], a["names"]
assert a["names"][3]["group"] and not a["names"][0]["group"]
assert h["127.0.91.3"]["outcome"] == "unreachable"
s = d["summary"]
assert s["asked"] == 2 and s["duplicate_targets"] == 1 and s["answered"] == 1 and s["unreachable"] == 1, s
PY
echo "127.0.91.1" | "$NETSEEN" nbstat "${args[@]}" --hosts - >"$tmp/out" 2>"$tmp/err" || fail "stdin"
grep -q TESTHOST "$tmp/out" || fail "stdin target"

# The responder logged every query it received (unicast node status for *<00>).
grep -Eq '127\.0\.0\.1:[0-9]+ -> 127\.0\.91\.1 txid 0x[0-9a-f]{4} node_status_request \*<00> NBSTAT: node_status' "$tmp/r1" \
  || { cat "$tmp/r1"; fail "responder log"; }
grep -q broadcast "$tmp/r1" && fail "B bit set on a unicast query"

# Loopback-only target lists are not held to the 1000/s default (2048 targets, nobody listens
# on the port: unreachable or silent), while a list with any other address is. No wall-clock
# assertion: the summary says which limit was applied.
"$NETSEEN" nbstat --port "$port" --timeout 200 --retries 0 --format json 127.0.104.0/21 >"$tmp/out" 2>"$tmp/err" ||
  fail "loopback /21 exit $?"
/usr/bin/python3 - "$tmp/out" <<'PY' || fail "loopback /21 not scanned at full speed"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["asked"] == 2048 and s["packets_sent"] == 2048, s
assert s["rate_limit_pps"] == 0, s
PY
"$NETSEEN" nbstat --port "$port" --rate 50 --timeout 200 --retries 0 --format json 127.0.91.3 >"$tmp/out" 2>"$tmp/err" ||
  fail "explicit rate exit $?"
/usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; assert s["rate_limit_pps"] == 50, s' "$tmp/out" ||
  fail "an explicit --rate must be kept"

# Usage errors.
"$NETSEEN" nbstat 10.0.0.1/33 >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "bad target must exit 2"
"$NETSEEN" nbstat --format xml 127.0.91.1 >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "bad format must exit 2"
echo "talk_loopback: ok"
