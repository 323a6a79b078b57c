#!/usr/bin/env bash
# Log-ingest benchmark: netseen against psad (-A analysis mode) and fwlogwatch on the same
# generated netfilter log. Not part of `make check` (minutes of run time; installs psad and
# fwlogwatch on demand). Reports CPU seconds (user+sys) and wall seconds, lines per CPU
# second, the ratios, and netseen at 1x and 2x the size to show linear scaling.
#
#   bench/logs/run.sh [lines=1000000] [psad_lines=50000] [fwlogwatch_lines="10000 50000"]
#   BUILD=build/release (a configured build dir whose ingest/decode/netbios/core libs are built)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lines=${1:-1000000}
psad_lines=${2:-50000}
fw_lines=${3:-"10000 50000"}
build=${BUILD:-$root/build/release}
work=$(mktemp -d /tmp/netseen-logbench.XXXXXX)
trap 'rm -rf "$work"' EXIT

for lib in ingest decode netbios core; do
  [[ -f "$build/src/$lib/libnetseen_$lib.a" ]] || cmake --build "$build" --target "netseen_$lib" >/dev/null
done
g++ -std=c++20 -O2 -DNDEBUG -I"$root/src" "$here/parse_file.cpp" \
  "$build/src/ingest/libnetseen_ingest.a" "$build/src/decode/libnetseen_decode.a" \
  "$build/src/netbios/libnetseen_netbios.a" "$build/src/core/libnetseen_core.a" -lfmt -lpcap -lz -o "$work/parse_file"

if ! command -v psad >/dev/null || ! command -v fwlogwatch >/dev/null; then
  echo "installing psad and fwlogwatch (benchmark peers)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q psad fwlogwatch >/dev/null
fi

/usr/bin/python3 "$here/gen_netfilter.py" $((lines * 2)) > "$work/double.log"
head -n "$lines" "$work/double.log" > "$work/log"

# measure <label> <lines> <command…>: prints label, lines, cpu s, wall s, lines per cpu s
measure() {
  local label=$1 n=$2
  shift 2
  local t0 t1 c0 c1
  t0=$(date +%s.%N)
  c0=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
  "$@" >"$work/out.txt" 2>&1 || true
  t1=$(date +%s.%N)
  c1=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
  local cpu wall
  cpu=$(echo "($c1 - $c0) / $(getconf CLK_TCK)" | bc -l)
  wall=$(echo "$t1 - $t0" | bc -l)
  printf '%-28s %9d lines  cpu %8.2f s  wall %8.2f s  %12.0f lines/cpu-s\n' "$label" "$n" "$cpu" "$wall" \
    "$(echo "$n / ($cpu + 0.000001)" | bc -l)"
  echo "${label%% *} $n $cpu" >> "$work/results"
}

measure "netseen" "$lines" "$work/parse_file" "$work/log"
cat "$work/out.txt"
measure "netseen" $((lines * 2)) "$work/parse_file" "$work/double.log"
cat "$work/out.txt"
head -n "$psad_lines" "$work/log" > "$work/psad.log"
measure "psad -A" "$psad_lines" psad -A -m "$work/psad.log" --no-whois --no-rdns --no-fwcheck --no-netstat \
  --no-snort-sids --no-signatures
grep -m1 "iptables log messages" "$work/out.txt" || true
for n in $fw_lines; do
  head -n "$n" "$work/log" > "$work/fw.log"
  measure "fwlogwatch" "$n" fwlogwatch -o "$work/fw.out" "$work/fw.log"
  grep -m1 "packet logs" "$work/fw.out" || true
done

# Ratios of lines per CPU second (netseen at 1x against each peer run).
awk '
  { rate = $2 / ($3 + 0.000001) }
  $1 == "netseen" && !ns { ns = rate; next }
  $1 == "netseen" { printf "netseen scaling 1x -> 2x: %.2f (1.00 = linear)\n", rate / ns; next }
  $1 == "psad" { printf "netseen / psad -A on %d lines        = %.0fx\n", $2, ns / rate }
  $1 == "fwlogwatch" { printf "netseen / fwlogwatch on %d lines = %.0fx\n", $2, ns / rate }
' "$work/results"
