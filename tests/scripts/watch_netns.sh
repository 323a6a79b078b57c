#!/usr/bin/env bash
# netseen watch end to end, live, inside two network namespaces this test creates and
# removes: "nsw-<pid>-w" (the watcher) and "nsw-<pid>-x" (a test "worm"), joined by a veth
# pair on 10.77.0.0/24. The worm sends bounded bursts of NBSTAT queries to addresses in
# 10.78.0.0/16 routed through the watcher's end; the packets never leave the namespaces.
# Checks: JSON Lines with status new and grown for nbstat.sweep, --exec ran with the
# finding on stdin, SIGINT ends the capture with the final report (input with kernel
# counts, findings, summary), every line valid against the schema; text mode with
# --duration prints the NEW line and the report; a missing interface and a bad filter are
# explained. Skips (77) when not root or network namespaces are unavailable.
set -u
NETSEEN=${NETSEEN:?NETSEEN must point at the binary}
export NETSEEN_DB=${NETSEEN_DB:-off}  # never the user's history database
SRC=${NETSEEN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root to create network namespaces"; exit 77; fi
command -v ip >/dev/null || { echo "SKIP: iproute2 (ip) is not installed"; exit 77; }

w=nsw-$$-w
x=nsw-$$-x
vw=vw$$w
vx=vw$$x
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  ip netns del "$w" 2>/dev/null
  ip netns del "$x" 2>/dev/null
  # WATCH_NETNS_KEEP=DIR keeps the outputs (for a transcript or a failure).
  if [ -n "${WATCH_NETNS_KEEP:-}" ]; then mkdir -p "$WATCH_NETNS_KEEP" && cp -r "$tmp"/. "$WATCH_NETNS_KEEP"/; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
if ! ip netns add "$w" 2>"$tmp/netns.err"; then
  echo "SKIP: network namespaces unavailable: $(cat "$tmp/netns.err")"
  exit 77
fi
fail() {
  echo "FAIL: $*"
  for f in "$tmp"/*.out "$tmp"/*.err "$tmp"/*.jsonl; do [ -f "$f" ] && { echo "--- $f"; head -c 6000 "$f"; }; done
  exit 1
}
ip netns add "$x" || fail "second namespace"
ip link add "$vw" type veth peer name "$vx" || fail "veth pair"
ip link set "$vw" netns "$w" && ip link set "$vx" netns "$x" || fail "veth into namespaces"
ip -n "$w" addr add 10.77.0.1/24 dev "$vw" && ip -n "$w" link set "$vw" up && ip -n "$w" link set lo up || fail "watcher address"
ip -n "$x" addr add 10.77.0.2/24 dev "$vx" && ip -n "$x" link set "$vx" up && ip -n "$x" link set lo up || fail "worm address"
ip -n "$x" route add 10.78.0.0/16 via 10.77.0.1 || fail "worm route"

# The worm: NBSTAT queries (50 bytes, '*' name, type NBSTAT) from port 137 with txids
# counting up, FIRST targets, a pause, then MORE targets. Bounded: at most 200 packets.
worm() {  # worm FIRST PAUSE MORE
  ip netns exec "$x" /usr/bin/python3 - "$@" <<'PY'
import socket, struct, sys, time
first, pause, more = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
assert first + more <= 200
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.77.0.2", 137))
name = b"\x20" + b"CK" + b"A" * 30 + b"\x00"          # '*' padded with NULs, first-level encoded
def query(txid):
    return struct.pack(">HHHHHH", txid, 0, 1, 0, 0, 0) + name + struct.pack(">HH", 0x21, 1)
txid = 0x4e20
for i in range(first + more):
    if i == first:
        time.sleep(pause)
    dst = "10.78.%d.%d" % (i // 200, i % 200 + 1)
    s.sendto(query(txid), (dst, 137))
    txid += 1
    time.sleep(0.01)
PY
}

wait_for() {  # wait_for FILE PATTERN SECONDS
  local i
  for i in $(seq 1 $(( $3 * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# --- 1. JSON Lines, --exec, stopped by SIGINT ------------------------------------------
ip netns exec "$w" "$NETSEEN" watch -i "$vw" --filter 'udp port 137' --format json --interval 0.5 \
  --regrow-interval 0 --home-net 10.77.0.0/24 --exec "cat >> '$tmp/exec.out'" --duration 60 \
  >"$tmp/watch.jsonl" 2>"$tmp/watch.err" &
wpid=$!
pids+=("$wpid")
wait_for "$tmp/watch.err" "capturing on" 10 || fail "watch did not start"
t0=$(date +%s.%N)
worm 30 2 60 || fail "worm (first run)"
wait_for "$tmp/watch.jsonl" '"status":"grown"' 10 || fail "no grown finding within 10 s"
t1=$(date +%s.%N)
kill -INT "$wpid"
wait "$wpid"
rc=$?
[ "$rc" -eq 0 ] || fail "watch exit $rc after SIGINT"
/usr/bin/python3 - "$tmp/watch.jsonl" "$tmp/exec.out" "$SRC/docs/netseen-output.schema.json" <<'PY' || fail "JSON checks"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
kinds = [l["kind"] for l in lines]
streamed = [l for l in lines if l["kind"] == "finding" and "status" in l]
new = [l for l in streamed if l["id"] == "nbstat.sweep" and l["status"] == "new"]
grown = [l for l in streamed if l["id"] == "nbstat.sweep" and l["status"] == "grown"]
assert len(new) == 1, f"one new nbstat.sweep expected, got {len(new)}"
assert new[0]["source"] == "10.77.0.2", new[0]["source"]
assert 20 <= new[0]["targets"]["count"] <= 30, new[0]["targets"]
assert grown and grown[-1]["targets"]["count"] >= 45, [g["targets"]["count"] for g in grown]
assert new[0]["attributes"]["txid_pattern"] == "step+1", new[0]["attributes"]
# The final report after SIGINT: input (live, kernel counts), findings without status, hosts, summary last.
assert kinds[-1] == "summary", kinds[-3:]
inp = [l for l in lines if l["kind"] == "input"]
assert len(inp) == 1 and inp[0]["format"] == "live" and inp[0]["records"] >= 90, inp
assert inp[0]["kernel_received"] >= inp[0]["records"] and "kernel_dropped" in inp[0], inp[0]
final = [l for l in lines if l["kind"] == "finding" and "status" not in l and l["id"] == "nbstat.sweep"]
assert len(final) == 1 and final[0]["targets"]["count"] == 90, final
first_final = next(i for i, l in enumerate(lines) if l["kind"] == "input")
assert all("status" in l for l in lines[:first_final]), "streamed lines come before the report"
# --exec: the command got the new finding's JSON on its stdin.
ex = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
assert any(e["id"] == "nbstat.sweep" and e["status"] == "new" and e["source"] == "10.77.0.2" for e in ex), ex
try:
    from jsonschema import Draft202012Validator
except ImportError:
    print("note: python3-jsonschema absent; schema not checked")
else:
    v = Draft202012Validator(json.load(open(sys.argv[3])))
    for i, l in enumerate(lines, 1):
        errs = list(v.iter_errors(l))
        assert not errs, f"line {i}: {errs[0].message}"
print(f"json: {len(lines)} lines, new at {new[0]['targets']['count']} targets, grown to "
      f"{[g['targets']['count'] for g in grown]}, final {final[0]['targets']['count']}; exec got {len(ex)}")
PY
grep -q -- "--exec: [0-9]* started, [0-9]* succeeded, 0 failed" "$tmp/watch.err" || fail "exec counts: $(grep exec "$tmp/watch.err")"
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "latency: worm start to grown line %.1f s\n", b - a }'

# --- 2. Text, --duration ------------------------------------------------------------------
ip netns exec "$w" "$NETSEEN" watch -i "$vw" --interval 0.5 --home-net 10.77.0.0/24 --duration 4 --no-color \
  >"$tmp/text.out" 2>"$tmp/text.err" &
tpid=$!
pids+=("$tpid")
wait_for "$tmp/text.err" "capturing on" 10 || fail "text watch did not start"
worm 25 0 0 || fail "worm (second run)"
wait "$tpid"
rc=$?
[ "$rc" -eq 0 ] || fail "text watch exit $rc"
grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2} NEW +[a-z]+ +nbstat\.sweep +10\.77\.0\.2 ' "$tmp/text.out" || fail "NEW line"
grep -q "netseen — what am I seeing?" "$tmp/text.out" || fail "final text report"
grep -q "kernel: [0-9]* packets received" "$tmp/text.out" || fail "kernel counts in the report"
grep -q "nbstat.sweep" <(sed -n '/what am I seeing/,$p' "$tmp/text.out") || fail "finding in the final report"

# --- 3. Errors ----------------------------------------------------------------------------
ip netns exec "$w" "$NETSEEN" watch -i nsw-missing0 --duration 1 >"$tmp/e1.out" 2>"$tmp/e1.err"
rc=$?
[ "$rc" -eq 3 ] || fail "missing interface: exit $rc"
grep -q "interface 'nsw-missing0' does not exist (interfaces here: .*$vw" "$tmp/e1.err" || fail "missing interface message"
ip netns exec "$w" "$NETSEEN" watch -i "$vw" --filter 'udp prot 137' --duration 1 >"$tmp/e2.out" 2>"$tmp/e2.err"
rc=$?
[ "$rc" -eq 2 ] || fail "bad filter: exit $rc"
grep -q "BPF filter 'udp prot 137' does not compile" "$tmp/e2.err" || fail "bad filter message"
echo "PASS: watch in namespaces $w/$x: JSON new+grown, --exec, SIGINT report, text --duration, errors"
