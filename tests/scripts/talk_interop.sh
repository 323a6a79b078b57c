#!/usr/bin/env bash
# Real peers against `netseen respond` on loopback: nmblookup -A, nmblookup name query,
# nbtscan (-v, -s, and byte-compared with `netseen nbstat --format nbtscan`), impacket
# NetBIOS().getnodestatus(), nmap --script nbstat. The peers only talk to port 137, so the responder binds
# 127.0.92.1:137 (needs root); the test skips with a message when that is not possible.
set -u
NETSEEN=${NETSEEN:?NETSEEN must point at the binary}
ADDR=127.0.92.1
tmp=$(mktemp -d)
pid=
cleanup() { [[ -n "$pid" ]] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$tmp/out" 2>/dev/null; exit 1; }

"$NETSEEN" respond --bind "$ADDR" --port 137 --duration 60 --rate-per-source 0 --rate 0 \
  --name TESTHOST --name 'TESTHOST#20' --name 'JDOE#03' --group WORKGROUP --group - \
  --mac 00:0c:29:aa:bb:cc >"$tmp/log" 2>"$tmp/log.err" &
pid=$!
for _ in $(seq 1 50); do grep -q listening "$tmp/log.err" 2>/dev/null && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if ! grep -q listening "$tmp/log.err"; then
  echo "SKIP: cannot bind $ADDR:137 ($(cat "$tmp/log.err")) — needs root and a free port 137"
  exit 77
fi
ran=0
if command -v nmblookup >/dev/null; then
  ran=$((ran + 1))
  timeout 20 nmblookup -A "$ADDR" >"$tmp/out" 2>&1 || fail "nmblookup -A exit $?"
  grep -Eq $'^\tTESTHOST +<00> - +B <ACTIVE>' "$tmp/out" || fail "nmblookup -A TESTHOST<00>"
  grep -Eq $'^\tTESTHOST +<20> - +B <ACTIVE>' "$tmp/out" || fail "nmblookup -A TESTHOST<20>"
  grep -Eq $'^\tWORKGROUP +<00> - <GROUP> B <ACTIVE>' "$tmp/out" || fail "nmblookup -A WORKGROUP group"
  grep -Eq $'^\t..__MSBROWSE__. <01> - <GROUP> B <ACTIVE>' "$tmp/out" || fail "nmblookup -A MSBROWSE"
  grep -q 'MAC Address = 00-0C-29-AA-BB-CC' "$tmp/out" || fail "nmblookup -A MAC"
  echo "peer nmblookup -A: ok"
  timeout 20 nmblookup -U "$ADDR" 'TESTHOST#20' >"$tmp/out" 2>&1 || fail "nmblookup -U exit $?"
  grep -qx "$ADDR TESTHOST<20>" "$tmp/out" || fail "nmblookup name query"
  timeout 20 nmblookup -U "$ADDR" MISSING >"$tmp/out" 2>&1 && fail "nmblookup MISSING must fail"
  grep -q 'name_query failed to find name MISSING' "$tmp/out" || fail "nmblookup negative answer"
  echo "peer nmblookup -U (positive and negative): ok"
else
  echo "note: nmblookup not installed (samba-common-bin)"
fi
if command -v nbtscan >/dev/null; then
  ran=$((ran + 1))
  timeout 20 nbtscan -s : "$ADDR" >"$tmp/out" 2>&1 || fail "nbtscan exit $?"
  grep -qx "$ADDR:TESTHOST       :<server>:JDOE           :00:0c:29:aa:bb:cc" "$tmp/out" || fail "nbtscan -s"
  # Byte-compatibility: our --format nbtscan equals nbtscan -s : (and -v -s :).
  for v in "" "-v"; do
    timeout 20 nbtscan $v -s : "$ADDR" >"$tmp/theirs" 2>/dev/null
    "$NETSEEN" nbstat --format nbtscan $v --timeout 500 -q "$ADDR" >"$tmp/ours" 2>/dev/null
    cmp -s "$tmp/theirs" "$tmp/ours" || { diff <(od -c "$tmp/theirs") <(od -c "$tmp/ours"); fail "nbstat --format nbtscan $v differs from nbtscan $v -s :"; }
  done
  timeout 20 nbtscan -v "$ADDR" >"$tmp/out" 2>&1 || fail "nbtscan -v exit $?"
  grep -Eq '^WORKGROUP +<00> +GROUP' "$tmp/out" || fail "nbtscan -v group"
  grep -q 'Adapter address: 00:0c:29:aa:bb:cc' "$tmp/out" || fail "nbtscan -v MAC"
  echo "peer nbtscan (-s, -v, byte-compared with --format nbtscan): ok"
else
  echo "note: nbtscan not installed"
fi
if /usr/bin/python3 -c 'import impacket.nmb' 2>/dev/null; then
  ran=$((ran + 1))
  timeout 20 /usr/bin/python3 - "$ADDR" >"$tmp/out" 2>&1 <<'PY' || fail "impacket"
import sys
from impacket import nmb
n = nmb.NetBIOS()
entries = n.getnodestatus("*", sys.argv[1], timeout=3)
for e in entries:
    print("%s<%02x> %s" % (e["NAME"].decode("latin-1").rstrip(), e["TYPE"], "GROUP" if e["NAME_FLAGS"] & 0x8000 else "UNIQUE"))
print("MAC", n.getmacaddress())
PY
  grep -qx 'TESTHOST<00> UNIQUE' "$tmp/out" || fail "impacket TESTHOST"
  grep -qx 'WORKGROUP<00> GROUP' "$tmp/out" || fail "impacket WORKGROUP"
  grep -qx 'JDOE<03> UNIQUE' "$tmp/out" || fail "impacket JDOE"
  grep -qi 'MAC 00-0c-29-aa-bb-cc' "$tmp/out" || fail "impacket MAC"
  echo "peer impacket getnodestatus: ok"
fi
if command -v nmap >/dev/null; then
  ran=$((ran + 1))
  timeout 60 nmap -n -Pn -sU -p137 --script nbstat "$ADDR" >"$tmp/out" 2>&1 || fail "nmap exit $?"
  grep -q 'nbstat: NetBIOS name: TESTHOST, NetBIOS user: JDOE, NetBIOS MAC: 000c29aabbcc' "$tmp/out" || fail "nmap nbstat line"
  grep -Eq '^\|   WORKGROUP<00> +Flags: <group><active>' "$tmp/out" || fail "nmap group flags"
  grep -Eq '^\|   TESTHOST<20> +Flags: <unique><active>' "$tmp/out" || fail "nmap unique flags"
  grep -Fq '__MSBROWSE__\x02<01>  Flags: <group><active>' "$tmp/out" || fail "nmap msbrowse"
  echo "peer nmap --script nbstat: ok"
else
  echo "note: nmap not installed"
fi
[[ $ran -gt 0 ]] || { echo "SKIP: no peer installed (samba-common-bin, nbtscan, python3-impacket)"; exit 77; }
# Every peer query was logged by the responder.
grep -q 'node_status_request' "$tmp/log" || fail "responder log"
echo "talk_interop: $ran peers ok"
