#!/usr/bin/env bash
# Scanner benchmark (not part of make check): one `netseen respond` bound to 0.0.0.0:137
# answers on every 127.x.y.z (replies leave from the queried address via IP_PKTINFO); then
# `netseen nbstat 127.1.0.0/16` and `nbtscan 127.1.0.0/16` scan it in the same run.
# Needs root (port 137: nbtscan cannot use another port). Loopback only.
#   usage: bench/talk/run.sh [NETSEEN] [CIDR]
#   RT=1 bench/talk/run.sh       runs the responder and both scanners (all alike) with real-time
#                                priority (chrt -f 10, a few seconds each): on a machine busy with
#                                other work this approximates an idle one. NICE=N runs them at a
#                                nice level instead.
# Prints one row per run: hosts answered, wall time, hosts/s, and the CPU time (user+sys) of
# the scanner itself; then nbtscan's row and the ratio of the rates.
set -u
NETSEEN=${1:-${NETSEEN:-build/release/netseen}}
CIDR=${2:-127.1.0.0/16}
NICE=${NICE:-0}
RT=${RT:-0}
prio=(nice -n "$NICE")
[[ $RT == 1 ]] && prio=(chrt -f 10)
case "$CIDR" in 127.*) ;; *) echo "refusing: the benchmark scans 127.0.0.0/8 only"; exit 2;; esac
tmp=$(mktemp -d)
rpid=
cleanup() { [[ -n "$rpid" ]] && { kill "$rpid" 2>/dev/null; wait "$rpid" 2>/dev/null; }; rm -rf "$tmp"; }
trap cleanup EXIT
run() { "${prio[@]}" /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@"; }
"${prio[@]}" "$NETSEEN" respond --bind 0.0.0.0 --port 137 --rate 0 --rate-per-source 0 -q --duration 600 \
  --name BENCHHOST --name 'BENCHHOST#20' --group WORKGROUP --mac 02:00:00:00:be:ec 2>"$tmp/r.err" &
rpid=$!
for _ in $(seq 1 50); do grep -q listening "$tmp/r.err" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$tmp/r.err" || { echo "responder did not start: $(cat "$tmp/r.err")"; exit 77; }
total=$(/usr/bin/python3 -c "import ipaddress,sys; print(ipaddress.ip_network(sys.argv[1]).num_addresses)" "$CIDR")
echo "targets: $total ($CIDR), priority: ${prio[*]}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
row() {  # row LABEL ANSWERED
  /usr/bin/python3 - "$1" "$2" "$total" "$tmp/time" <<'PY'
import sys
label, n, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
wall, user, sys_ = (float(x) for x in open(sys.argv[4]).read().split()[-3:])
print(f"{label:<34} answered {n:>6}/{total}  wall {wall:6.2f} s  {n / wall:>9,.0f} hosts/s  cpu {user + sys_:5.2f} s")
PY
}
best=0
# Same output shape as nbtscan -s : (JSON for 65k hosts costs time of formatting on its own).
for rate in default 0 100000; do
  args=(--timeout 1000 --retries 1 --format nbtscan)
  [[ $rate != default ]] && args+=(--rate "$rate")
  run "$NETSEEN" nbstat "${args[@]}" "$CIDR" >"$tmp/ours.out" 2>"$tmp/ours.err"
  n=$(wc -l <"$tmp/ours.out")
  row "netseen nbstat --rate $rate" "$n"
  sed 's/^netseen nbstat: /    /' "$tmp/ours.err"
  rate_now=$(/usr/bin/python3 -c "import sys; print(int(sys.argv[1]) / float(open(sys.argv[2]).read().split()[-3]))" "$n" "$tmp/time")
  best=$(/usr/bin/python3 -c "import sys; print(max(float(sys.argv[1]), float(sys.argv[2])))" "$best" "$rate_now")
done
if command -v nbtscan >/dev/null; then
  run nbtscan -q -s : "$CIDR" >"$tmp/nbtscan.out" 2>/dev/null
  n=$(wc -l <"$tmp/nbtscan.out")
  row "nbtscan -s :" "$n"
  theirs=$(/usr/bin/python3 -c "import sys; print(int(sys.argv[1]) / float(open(sys.argv[2]).read().split()[-3]))" "$n" "$tmp/time")
  /usr/bin/python3 -c "import sys; print(f'best netseen rate / nbtscan rate: {float(sys.argv[1]) / float(sys.argv[2]):.1f}x')" "$best" "$theirs"
else
  echo "nbtscan not installed"
fi
