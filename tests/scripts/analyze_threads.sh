#!/usr/bin/env bash
# `analyze --threads 2, 3 and 4` must give exactly the findings JSON of `--threads 1`
# (elapsed time aside). Captures: the engine's main part and 1-3 side groups that each read
# the capture again, decoded only as deep as their detectors declare (a depth declared too
# shallow shows here). Logs: the engine split from the scan and trace detectors, a reader
# thread of its own from 3, side groups from 4. Inputs: the bundled example, generated
# captures (pcap with scenarios, pcapng; the pcap also through stdin, held in memory), a
# generated netfilter log (also through stdin, the streaming path), captures merged with
# logs, time windows, and every capture / psad log in ../shared/corpus when it is present.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$NETSEEN_SOURCE_DIR
/usr/bin/python3 "$src/tools/gen_capture.py" "$tmp/mixed.pcap" --size-mb 3 --seed 11 --scenarios 2>/dev/null || exit 1
/usr/bin/python3 "$src/tools/gen_capture.py" "$tmp/mixed.pcapng" --size-mb 1 --seed 12 --format pcapng 2>/dev/null || exit 1
/usr/bin/python3 "$src/bench/logs/gen_netfilter.py" 30000 > "$tmp/nf.log" || exit 1
inputs=("$src/examples/office.pcap" "$src/examples/firewall.log" "$tmp/mixed.pcap" "$tmp/mixed.pcapng" "$tmp/nf.log")
corpus="$src/../shared/corpus"
if [[ -d "$corpus" ]]; then
  while IFS= read -r f; do inputs+=("$f"); done < <(find "$corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' \
    -o -name '*.cap' \) -size -20M | sort | head -40; find "$corpus/psad" -type f -name '*.log*' 2>/dev/null | sort | head -10)
else
  echo "note: ../shared/corpus is absent; generated inputs and the bundled example only"
fi
norm() { sed -E 's/"elapsed_s":[0-9.e+-]+/"elapsed_s":X/' "$1"; }
compared=0
fails=0
check() {  # label, netseen args...
  local label=$1
  shift
  "$NETSEEN" analyze --no-db --format json --threads 1 "$@" < "${STDIN_FILE:-/dev/null}" > "$tmp/t1.json" 2>/dev/null
  local rc1=$?
  local t
  for t in 2 3 4; do
    "$NETSEEN" analyze --no-db --format json --threads $t "$@" < "${STDIN_FILE:-/dev/null}" > "$tmp/t$t.json" 2>/dev/null
    local rc2=$?
    if [[ $rc1 != "$rc2" ]] || ! cmp -s <(norm "$tmp/t1.json") <(norm "$tmp/t$t.json"); then
      echo "DIFFERENT: $label, --threads $t (exit $rc1 vs $rc2)"
      diff <(norm "$tmp/t1.json") <(norm "$tmp/t$t.json") | head -5 | cut -c1-300
      fails=$((fails + 1))
    fi
  done
  grep -q '"kind":"summary"' "$tmp/t1.json" || { echo "no summary for $label"; fails=$((fails + 1)); }
  compared=$((compared + 1))
}
for f in "${inputs[@]}"; do check "$f" "$f"; done
check "all inputs merged" "${inputs[@]:0:5}"
check "captures merged" "$tmp/mixed.pcap" "$tmp/mixed.pcapng" "$src/examples/office.pcap"
STDIN_FILE="$tmp/nf.log" check "stdin log" -
STDIN_FILE="$tmp/mixed.pcap" check "stdin capture" -
check "--since/--until window" --since 2026-03-01T00:02:00Z --until 2026-03-01T00:05:00Z "$tmp/nf.log"
first=$("$NETSEEN" decode "$tmp/mixed.pcap" 2>/dev/null | sed -n '400p' | awk '{print $2}')
if [[ -n "$first" ]]; then
  check "capture window from $first" --since "$first" "$tmp/mixed.pcap"
else
  echo "could not read a time stamp from the generated capture"; fails=$((fails + 1))
fi
# The stdin (streamed) log gives the same findings as the mapped file.
"$NETSEEN" analyze --no-db --format json --threads 2 "$tmp/nf.log" 2>/dev/null | norm /dev/stdin | sed "s#$tmp/nf.log#IN#g" > "$tmp/file.json"
"$NETSEEN" analyze --no-db --format json --threads 3 - < "$tmp/nf.log" 2>/dev/null | norm /dev/stdin | sed 's#"path":"-"#"path":"IN"#; s#"input":"-"#"input":"IN"#g' > "$tmp/pipe.json"
cmp -s "$tmp/file.json" "$tmp/pipe.json" || { echo "stdin log differs from the file"; diff "$tmp/file.json" "$tmp/pipe.json" | head -4 | cut -c1-300; fails=$((fails + 1)); }
echo "compared $compared inputs: --threads 1 vs --threads 2, 3 and 4"
[[ $fails == 0 ]] || exit 1
echo "$compared passed, 0 failed"
