#!/usr/bin/env bash
# Process attribution end to end, inside network namespaces this script creates and removes:
#   "worm" namespace: veth 10.203.0.1/24, route to 10.204.0.0/24 via the peer 10.203.0.2
#   "lan" namespace:  veth 10.203.0.2/24 (does not forward: the queries end there)
# A known test program (tests/tools/nbstat-worm-test.py, comm "nbstat-worm") sends NBSTAT
# queries to 10.204.0.1-30 from one UDP socket. The capture side, in the worm namespace, must
# name that process (pid, command, command line, user) at packet time.
# Needs root (namespaces, capture); exits 77 (skipped) otherwise.
set -u
BIN=${NETSEEN_BINARY_DIR:?NETSEEN_BINARY_DIR must point at the build}
SRC=${NETSEEN_SOURCE_DIR:?NETSEEN_SOURCE_DIR must point at the sources}
PROBE="$BIN/tests/attribution_probe"
WORM="$SRC/tests/tools/nbstat-worm-test.py"
skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) == 0 ]] || skip "needs root to create network namespaces"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
[[ -x /usr/bin/python3 ]] || skip "/usr/bin/python3 is missing"
[[ -x "$PROBE" ]] || skip "attribution_probe not built ($PROBE)"

tag=$$
worm_ns="nsattr-worm-$tag" lan_ns="nsattr-lan-$tag" va="pa${tag}a" vb="pa${tag}b"
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  ip netns del "$worm_ns" 2>/dev/null; ip netns del "$lan_ns" 2>/dev/null; rm -rf "$tmp"
}
trap cleanup EXIT
fail() { { echo "FAIL: $*"; echo "--- probe:"; cat "$tmp/probe" "$tmp/probe.err" 2>/dev/null; } >&2; exit 1; }

ip netns add "$worm_ns" || skip "cannot create a network namespace"
ip netns add "$lan_ns" || fail "second namespace"
ip link add "$va" type veth peer name "$vb" || skip "cannot create a veth pair"
ip link set "$va" netns "$worm_ns" && ip link set "$vb" netns "$lan_ns" || fail "moving the veth ends"
W() { ip netns exec "$worm_ns" "$@"; }
L() { ip netns exec "$lan_ns" "$@"; }
W ip link set lo up && W ip addr add 10.203.0.1/24 dev "$va" && W ip link set "$va" up || fail "worm side"
L ip link set lo up && L ip addr add 10.203.0.2/24 dev "$vb" && L ip link set "$vb" up || fail "lan side"
W ip route add 10.204.0.0/24 via 10.203.0.2 || fail "route"
W ping -c 1 -W 2 10.203.0.2 >/dev/null 2>&1 || sleep 1  # let the link come up (DAD, carrier)

# The capture side: at most 200 packets or 15 s, in the worm namespace.
ip netns exec "$worm_ns" "$PROBE" "$va" --filter "udp port 137" --packets 30 --seconds 15 --ready "$tmp/ready" >"$tmp/probe" 2>"$tmp/probe.err" &
pids+=($!)
probe_pid=$!
for _ in $(seq 1 50); do [[ -e "$tmp/ready" ]] && break; sleep 0.1; done
[[ -e "$tmp/ready" ]] || fail "probe did not start"

ip netns exec "$worm_ns" /usr/bin/python3 "$WORM" 10.204.0 1 30 --linger 2 &  # exec: $! is the worm
worm_pid=$!
pids+=($worm_pid)
wait "$worm_pid" || fail "worm exited with $?"
wait "$probe_pid"
cat "$tmp/probe"

grep -q "status=found pid=$worm_pid " "$tmp/probe" || fail "the worm's pid $worm_pid was not named"
grep -q "command=nbstat-worm " "$tmp/probe" || fail "the worm's command name was not named"
grep -q 'cmdline="/usr/bin/python3 .*nbstat-worm-test.py 10.204.0 1 30' "$tmp/probe" || fail "command line"
grep -q "user=root" "$tmp/probe" || fail "user"
grep -q "status=not_local\|status=socket_gone\|status=unsupported" "$tmp/probe" && fail "a packet of the worm was not attributed"
grep -q "^packets=30 lookups=30 found=30 " "$tmp/probe" || fail "every packet attributed"
echo "PASS: attribution named the worm (pid $worm_pid) for every packet"

# The same through `netseen watch` in the worm's namespace: the nbstat.sweep finding about
# 10.203.0.1 names the worm's process, in text and in JSON Lines.
NETSEEN=${NETSEEN:-}
[[ -n "$NETSEEN" ]] || fail "NETSEEN must point at the binary for the watch half"
"$NETSEEN" watch --help 2>/dev/null | grep -q -- '--no-attribution' || fail "netseen watch has no process attribution"
watch_run() {  # watch_run FORMAT OUTFILE: watch for 10 s while the worm runs; prints the worm's pid
  local fmt=$1 out=$2
  ip netns exec "$worm_ns" "$NETSEEN" watch -i "$va" --filter "udp port 137" --duration 10 --interval 1 \
    --format "$fmt" --no-color --no-db --home-net 10.203.0.0/24 >"$out" 2>"$out.err" &
  local wpid=$!
  pids+=($wpid)
  for _ in $(seq 1 50); do grep -q "capturing on" "$out.err" 2>/dev/null && break; sleep 0.1; done
  grep -q "capturing on" "$out.err" || { cat "$out.err" >&2; fail "watch did not start"; }
  ip netns exec "$worm_ns" /usr/bin/python3 "$WORM" 10.204.0 1 30 --linger 3 &
  local w=$!
  pids+=($w)
  wait "$w" || fail "worm exited with $?"
  wait "$wpid" || { cat "$out.err" >&2; fail "watch exited with $?"; }
  echo "$w"
}
worm_pid=$(watch_run text "$tmp/watch.txt") || exit 1
echo "--- netseen watch -i $va (text), worm pid $worm_pid:"
cat "$tmp/watch.txt" "$tmp/watch.txt.err"
grep -q "nbstat.sweep" "$tmp/watch.txt" || fail "watch raised no nbstat.sweep"
grep -q "process: pid $worm_pid nbstat-worm, user root (uid 0): /usr/bin/python3 .*nbstat-worm-test.py 10.204.0 1 30" \
  "$tmp/watch.txt" || fail "watch did not name the worm's process in text"
worm_pid=$(watch_run json "$tmp/watch.jsonl") || exit 1
/usr/bin/python3 - "$tmp/watch.jsonl" "$worm_pid" <<'PY' || fail "watch did not name the worm's process in JSON"
import json, sys
pid = int(sys.argv[2])
hits = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("kind") != "finding" or o.get("id") != "nbstat.sweep":
        continue
    a = o["attributes"]
    assert a["process.status"] == "found", a
    assert a["process.pid"] == pid, (a, pid)
    assert a["process.command"] == "nbstat-worm", a
    assert "nbstat-worm-test.py 10.204.0 1 30" in a["process.cmdline"], a
    assert a["process.user"] == "root" and a["process.uid"] == 0, a
    hits += 1
assert hits >= 1, "no nbstat.sweep finding"
print(f"JSON: {hits} nbstat.sweep finding line(s) name pid {pid}")
PY
echo "PASS: netseen watch named the worm's process in its finding (text and JSON)"
