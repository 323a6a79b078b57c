#!/usr/bin/env bash
# Scanner benchmark (not part of make check): one `netseen respond` bound to 0.0.0.0:137
# answers on every 127.x.y.z (replies leave from the queried address via IP_PKTINFO); then
# `netseen nbstat 127.1.0.0/16` and `nbtscan 127.1.0.0/16` scan it in the same run.
# Needs root (port 137: nbtscan cannot use another port). Loopback only.
#   usage: bench/talk/run.sh [NETSEEN] [CIDR]
set -u
NETSEEN=${1:-${NETSEEN:-build/release/netseen}}
CIDR=${2:-127.1.0.0/16}
case "$CIDR" in 127.*) ;; *) echo "refusing: the benchmark scans 127.0.0.0/8 only"; exit 2;; esac
tmp=$(mktemp -d)
rpid=
cleanup() { [[ -n "$rpid" ]] && { kill "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null; }; rm -rf "$tmp"; }
trap cleanup EXIT
"$NETSEEN" respond --bind 0.0.0.0 --port 137 --rate 0 --rate-per-source 0 -q --duration 600 \
  --name BENCHHOST --name 'BENCHHOST#20' --group WORKGROUP --mac 02:00:00:00:be:ec 2>"$tmp/r.err" &
rpid=$!
for _ in $(seq 1 50); do grep -q listening "$tmp/r.err" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$tmp/r.err" || { echo "responder did not start: $(cat "$tmp/r.err")"; exit 77; }
total=$(/usr/bin/python3 -c "import ipaddress,sys; print(ipaddress.ip_network(sys.argv[1]).num_addresses)" "$CIDR")
echo "targets: $total ($CIDR)"
# Same output shape as nbtscan -s : (JSON for 65k hosts costs seconds of formatting on its own).
for rate in 0 100000; do
  s=$(date +%s.%N)
  "$NETSEEN" nbstat --rate "$rate" --timeout 1000 --retries 1 --format nbtscan "$CIDR" >"$tmp/ours.out" 2>"$tmp/ours.err"
  e=$(date +%s.%N)
  n=$(wc -l <"$tmp/ours.out")
  /usr/bin/python3 -c "import sys; w=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); print(f'netseen nbstat --rate {sys.argv[5]:>6}: answered {n}/{sys.argv[4]}, wall {w:.2f} s, {n/w:,.0f} hosts/s')" "$s" "$e" "$n" "$total" "$rate"
  sed 's/^netseen nbstat: /    /' "$tmp/ours.err"
done
if command -v nbtscan >/dev/null; then
  s=$(date +%s.%N)
  nbtscan -q -s : "$CIDR" >"$tmp/nbtscan.out" 2>/dev/null
  e=$(date +%s.%N)
  n=$(wc -l <"$tmp/nbtscan.out")
  /usr/bin/python3 -c "import sys; w=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); print(f'nbtscan -s :          : answered {n}/{sys.argv[4]}, wall {w:.2f} s, {n/w:,.0f} hosts/s')" "$s" "$e" "$n" "$total"
else
  echo "nbtscan not installed"
fi
