#!/usr/bin/env bash
# netseen's client against Samba's own nmbd and smbd, in two network namespaces this test
# creates (server and client, joined by a veth pair, 198.18.0.1 and 198.18.0.2 — the RFC 2544
# benchmarking block, reachable only inside those namespaces) and removes when it ends.
# The daemons run with a private smb.conf and private lock/state/cache/pid/log directories in a
# temporary directory; nothing of the system's Samba configuration is read or touched.
#   nbstat  -> NSTESTSRV <00>/<03>/<20>, NSTESTWG <00>/<1E> GROUP, B-node ACTIVE, MAC 00:00:00:00:00:00
#              (and <1D> + __MSBROWSE__<01> once nmbd is local master browser: waited for, not required)
#   query   -> NSTESTSRV resolves to 198.18.0.1 (unicast and broadcast); an unknown name is not
#              answered (nmbd is no WINS server: it stays silent for names it does not own)
#   session -> smbd answers a session request positively, for the right called name and for any
#              other one (smbd does not check the called name); a calling name with suffix 0x52
#              gets smbd's negative response 0x82 "called name not present".
# Skips (77) when not root, without network namespaces, or without nmbd/smbd (Debian: samba).
set -u
NETSEEN=${NETSEEN:?NETSEEN must point at the binary}
skip() { echo "SKIP: talk_samba_netns: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "needs root (network namespaces)"
command -v ip >/dev/null || skip "no ip(8) (iproute2)"
NMBD=$(command -v nmbd || true)
SMBD=$(command -v smbd || true)
[[ -x "$NMBD" && -x "$SMBD" ]] || skip "nmbd/smbd not installed (Debian package samba)"

SRV=ns-talk-s$$
CLI=ns-talk-c$$
VS=nts$$a
VC=nts$$b
SRV_ADDR=198.18.0.1
CLI_ADDR=198.18.0.2
BCAST=198.18.0.255
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  # Children the daemons forked (smbd-notifyd, smbd-cleanupd, per-connection smbd): only
  # processes inside the namespace this test made.
  if ip netns list 2>/dev/null | grep -qw "$SRV"; then
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      left=$(ip netns pids "$SRV" 2>/dev/null)
      [[ -z "$left" ]] && break
      kill $left 2>/dev/null
      sleep 0.2
    done
  fi
  ip netns del "$SRV" 2>/dev/null
  ip netns del "$CLI" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- output:"; cat "$tmp/out" 2>/dev/null
  echo "--- stderr:"; cat "$tmp/err" 2>/dev/null
  echo "--- nmbd:"; tail -20 "$tmp/nmbd.log" 2>/dev/null
  echo "--- smbd:"; tail -20 "$tmp/smbd.log" 2>/dev/null
  exit 1
}

ip netns add "$SRV" 2>"$tmp/err" || skip "cannot create a network namespace: $(cat "$tmp/err")"
ip netns add "$CLI" || fail "second namespace"
ip link add "$VS" type veth peer name "$VC" || fail "veth pair"
ip link set "$VS" netns "$SRV" && ip link set "$VC" netns "$CLI" || fail "veth into namespaces"
ip -n "$SRV" addr add "$SRV_ADDR/24" dev "$VS" && ip -n "$CLI" addr add "$CLI_ADDR/24" dev "$VC" || fail "addresses"
for ns in "$SRV" "$CLI"; do ip -n "$ns" link set lo up || fail "lo up"; done
ip -n "$SRV" link set "$VS" up && ip -n "$CLI" link set "$VC" up || fail "veth up"

mkdir -p "$tmp"/{private,lock,state,cache,pid,log,ncalrpc}
cat >"$tmp/smb.conf" <<EOF
[global]
  netbios name = NSTESTSRV
  workgroup = NSTESTWG
  server role = standalone server
  interfaces = $SRV_ADDR/24
  bind interfaces only = yes
  private dir = $tmp/private
  lock directory = $tmp/lock
  state directory = $tmp/state
  cache directory = $tmp/cache
  pid directory = $tmp/pid
  ncalrpc dir = $tmp/ncalrpc
  log file = $tmp/log/log.%m
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  usershare max shares = 0
  dns proxy = no
  local master = yes
  preferred master = yes
  os level = 65
EOF
# `ip netns exec` execs the daemon: $! is the daemon's own pid. Each daemon makes its own
# process group (no --no-process-group): smbd signals its whole group when it stops.
ip netns exec "$SRV" "$NMBD" -F --debug-stdout -s "$tmp/smb.conf" >"$tmp/nmbd.log" 2>&1 &
pids+=($!)
ip netns exec "$SRV" "$SMBD" -F --debug-stdout -s "$tmp/smb.conf" >"$tmp/smbd.log" 2>&1 &
pids+=($!)

in_cli() { ip netns exec "$CLI" "$NETSEEN" "$@"; }

# Wait (bounded: 30 s) until nmbd has registered its names and smbd listens on 139.
ready=0
for _ in $(seq 1 60); do
  if in_cli nbstat --timeout 200 --retries 0 -q --format nbtscan "$SRV_ADDR" 2>/dev/null | grep -q NSTESTSRV &&
     ip netns exec "$SRV" ss -ltnH "sport = :139" 2>/dev/null | grep -q LISTEN; then
    ready=1
    break
  fi
  sleep 0.5
done
[[ $ready -eq 1 ]] || fail "nmbd/smbd not answering after 30 s"

# ---- nbstat ----------------------------------------------------------------------------------
in_cli nbstat --timeout 1000 "$SRV_ADDR" >"$tmp/out" 2>"$tmp/err" || fail "nbstat exit $?"
grep -Eqx "198\.18\.0\.1 +NSTESTSRV +NSTESTWG +yes +- +00:00:00:00:00:00" "$tmp/out" || fail "nbstat table row"
grep -q 'asked 1, answered 1, refused 0, unreachable 0, silent 0' "$tmp/err" || fail "nbstat summary"

in_cli nbstat --timeout 1000 -v "$SRV_ADDR" >"$tmp/out" 2>"$tmp/err" || fail "nbstat -v exit $?"
for row in 'NSTESTSRV +<00>  UNIQUE +B ACTIVE' 'NSTESTSRV +<03>  UNIQUE +B ACTIVE' \
           'NSTESTSRV +<20>  UNIQUE +B ACTIVE' 'NSTESTWG +<00>  GROUP +B ACTIVE' 'NSTESTWG +<1e>  GROUP +B ACTIVE'; do
  grep -Eq "^  $row" "$tmp/out" || fail "nbstat -v: no row /$row/"
done
grep -qx '  MAC 00:00:00:00:00:00  (46 statistics bytes)' "$tmp/out" || fail "nbstat -v MAC line"

in_cli nbstat --timeout 1000 --format json "$SRV_ADDR" >"$tmp/out" 2>"$tmp/err" || fail "nbstat json exit $?"
/usr/bin/python3 - "$tmp/out" <<'PY' || fail "nbstat json content"
import json, sys
h = json.load(open(sys.argv[1]))["hosts"][0]
assert h["outcome"] == "answered" and h["name"] == "NSTESTSRV" and h["workgroup"] == "NSTESTWG", h
assert h["server"] is True and h["mac"] == "00:00:00:00:00:00", h
names = {(n["name"].rstrip(), n["suffix"]): n for n in h["names"]}
for key, group in ((("NSTESTSRV", 0x00), False), (("NSTESTSRV", 0x20), False),
                   (("NSTESTWG", 0x00), True), (("NSTESTWG", 0x1E), True)):
    assert key in names, (key, sorted(names))
    assert names[key]["group"] is group, names[key]
PY

# Master browser: nmbd wins the election on an empty segment after a while. Wait for it (at
# most 60 s); when it happens, <1D> and __MSBROWSE__<01> must be reported right.
master=0
for _ in $(seq 1 30); do
  in_cli nbstat --timeout 500 -v "$SRV_ADDR" >"$tmp/out" 2>"$tmp/err"
  if grep -Eq '^  NSTESTWG +<1d>' "$tmp/out"; then master=1; break; fi
  sleep 2
done
if [[ $master -eq 1 ]]; then
  grep -Eq '^  NSTESTWG +<1d>  UNIQUE +B ACTIVE +Master Browser' "$tmp/out" || fail "<1d> row"
  grep -Eq '^  \\x01\\x02__MSBROWSE__\\x02 <01>  GROUP +B ACTIVE' "$tmp/out" || fail "__MSBROWSE__ row"
  in_cli query __MSBROWSE__ --broadcast "$BCAST" --timeout 1000 --retries 0 >"$tmp/out" 2>"$tmp/err" ||
    fail "__MSBROWSE__ broadcast query exit $?"
  grep -q "^198\.18\.0\.1 .*__MSBROWSE__.*<01> GROUP" "$tmp/out" || fail "__MSBROWSE__ answer"
  echo "talk_samba_netns: nmbd became local master browser (<1d>, __MSBROWSE__ checked)"
else
  echo "talk_samba_netns: note: nmbd did not become master browser within 60 s (not required)"
fi

# ---- query -----------------------------------------------------------------------------------
in_cli query NSTESTSRV --server "$SRV_ADDR" --timeout 1000 >"$tmp/out" 2>"$tmp/err" || fail "query exit $?"
grep -Eqx '198\.18\.0\.1 NSTESTSRV<00> UNIQUE B-node \(from 198\.18\.0\.1, ttl [0-9]+\)' "$tmp/out" || fail "query answer"
in_cli query 'NSTESTWG#1E' --server "$SRV_ADDR" --timeout 1000 >"$tmp/out" 2>"$tmp/err" || fail "group query exit $?"
grep -Eqx '198\.18\.0\.1 NSTESTWG<1e> GROUP B-node \(from 198\.18\.0\.1, ttl [0-9]+\)' "$tmp/out" || fail "group answer"
in_cli query 'NSTESTSRV#20' --broadcast "$BCAST" --timeout 1000 --retries 0 >"$tmp/out" 2>"$tmp/err" ||
  fail "broadcast query exit $?"
[[ $(wc -l <"$tmp/out") -ge 1 ]] || fail "broadcast query: no answer"
# nmbd listens on the unicast, broadcast and wildcard addresses: the same answer may come twice.
[[ $(sort -u "$tmp/out" | wc -l) -eq 1 ]] || fail "broadcast answers differ"
grep -Eqx '198\.18\.0\.1 NSTESTSRV<20> UNIQUE B-node \(from 198\.18\.0\.1, ttl [0-9]+\)' "$tmp/out" || fail "broadcast answer"
in_cli query NOSUCHNAME --server "$SRV_ADDR" --timeout 300 --retries 0 >"$tmp/out" 2>"$tmp/err"
rc=$?
[[ $rc -eq 1 ]] || fail "unknown name: exit $rc, want 1"
grep -q 'no answer for NOSUCHNAME<00> after 1 queries' "$tmp/err" || fail "unknown name: message"

# ---- session (smbd on 139) -------------------------------------------------------------------
in_cli session "$SRV_ADDR" --called NSTESTSRV >"$tmp/out" 2>"$tmp/err" || fail "session exit $?"
grep -qx '198.18.0.1:139: positive session response: session to NSTESTSRV<20> established' "$tmp/out" ||
  fail "session positive"
in_cli session "$SRV_ADDR" --called WRONGNAME >"$tmp/out" 2>"$tmp/err" || fail "session (any called name) exit $?"
grep -qx '198.18.0.1:139: positive session response: session to WRONGNAME<20> established' "$tmp/out" ||
  fail "smbd accepts any called name"
in_cli session "$SRV_ADDR" --called NSTESTSRV --calling 'CLIENT#52' >"$tmp/out" 2>"$tmp/err"
rc=$?
[[ $rc -eq 1 ]] || fail "negative session: exit $rc, want 1"
grep -qx '198.18.0.1:139: negative session response 0x82: Called name not present' "$tmp/out" ||
  fail "negative session reason"

echo "talk_samba_netns: ok"
