#!/bin/bash
# Golden tests of `netseen decode`: text, -v, JSON and --filter output on captures generated
# by tools/gen_capture.py (deterministic by seed), compared byte for byte with
# tests/golden/decode/. UPDATE=1 rewrites the golden files. Also checks the exit codes
# (3 for an unreadable input, 2 for a bad filter).
set -u
SRC="${NETSEEN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
NETSEEN="${NETSEEN:-$SRC/build/release/netseen}"
GOLD="$SRC/tests/golden/decode"
if [ ! -x "$NETSEEN" ]; then echo "skip: $NETSEEN not built"; exit 77; fi
if [ ! -x /usr/bin/python3 ]; then echo "skip: /usr/bin/python3 missing"; exit 77; fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export TZ=UTC LC_ALL=C
/usr/bin/python3 "$SRC/tools/gen_capture.py" "$TMP/mixed.pcap" --packets 60 --seed 7 2>/dev/null || exit 1
/usr/bin/python3 "$SRC/tools/gen_capture.py" "$TMP/mixed.pcapng" --packets 24 --format pcapng --seed 8 2>/dev/null || exit 1
gzip -c "$TMP/mixed.pcap" > "$TMP/mixed.pcap.gz"

fail=0
run() {  # name, then the decode arguments
  local name=$1
  shift
  (cd "$TMP" && "$NETSEEN" decode -q "$@") > "$TMP/$name" 2>/dev/null
  if [ "${UPDATE:-0}" = 1 ]; then
    cp "$TMP/$name" "$GOLD/$name"
  elif ! diff -u "$GOLD/$name" "$TMP/$name" > "$TMP/$name.diff"; then
    echo "FAIL: $name differs from golden"
    head -40 "$TMP/$name.diff"
    fail=1
  else
    echo "ok: $name ($(wc -l < "$TMP/$name") lines)"
  fi
}
run mixed_pcap.txt mixed.pcap
run mixed_pcap_verbose.txt -v --filter netbios mixed.pcap
run mixed_pcap.jsonl --format json mixed.pcap
run mixed_pcapng.txt mixed.pcapng
run filter_udp_137.txt --filter "udp port 137" mixed.pcap
run filter_host_icmp.txt --filter icmp --filter "net 192.168.1.0/24" mixed.pcap

# gzip is recognised by content and gives the same events.
(cd "$TMP" && "$NETSEEN" decode -q mixed.pcap.gz) > "$TMP/gz.txt" 2>/dev/null
if ! cmp -s "$TMP/gz.txt" "$TMP/mixed_pcap.txt"; then echo "FAIL: gzip input decodes differently"; fail=1; fi
# Every JSON line parses and carries frame, ts and protocol.
if ! /usr/bin/python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    j = json.loads(line); n += 1
    assert "frame" in j and j["ts"].endswith("Z") and "protocol" in j, j
assert n == 60, n
' "$TMP/mixed_pcap.jsonl"; then echo "FAIL: JSON lines"; fail=1; fi

"$NETSEEN" decode "$TMP/does-not-exist.pcap" >/dev/null 2>&1
rc=$?
if [ $rc -ne 3 ]; then echo "FAIL: unreadable input gave exit $rc, want 3"; fail=1; fi
"$NETSEEN" decode --filter "bogus" "$TMP/mixed.pcap" >/dev/null 2>&1
rc=$?
if [ $rc -ne 2 ]; then echo "FAIL: bad filter gave exit $rc, want 2"; fail=1; fi
exit $fail
