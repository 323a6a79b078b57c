#!/usr/bin/env bash
# Smoke test of `make bench` (bench/run.py --quick): tiny generated inputs in a temporary
# directory, one run each; the table and results.json must come out with every netseen row
# successful. The real benchmark (>= 1 GB capture, 5M log lines) is not part of make check.
set -u
out=$(/usr/bin/python3 "$NETSEEN_SOURCE_DIR/bench/run.py" --quick --netseen "$NETSEEN" 2>&1) || { echo "$out"; exit 1; }
echo "$out"
echo "$out" | grep -q "netseen analyze --threads 2" || { echo "no analyze row"; exit 1; }
echo "$out" | grep -q "netseen decode --count" || { echo "no decode row"; exit 1; }
echo "$out" | grep -q "^wrote .*results.json" || { echo "results.json not written"; exit 1; }
echo "$out" | grep -Eq "^logs: analyze --threads 2 at [0-9,]+ lines/s on the first 8,000 lines, [0-9,]+ on all 20,000: x[0-9.]+ per line" ||
  { echo "no linearity line (the log's first two fifths against the whole)"; exit 1; }
echo "$out" | grep -Eq "^capture: 3x cat is [0-9,]+ MB/s; decode alone \(no detector\) runs [0-9,]+ MB/s per CPU-second, [0-9,]+ on [0-9]+ cores at best" ||
  { echo "no capture ceiling line (3x cat against decode alone on every core)"; exit 1; }
if command -v psad >/dev/null 2>&1; then
  echo "$out" | grep -Eq "^logs: 500x psad is [0-9,]+ lines/s; analyze --threads 1 takes [0-9.]+ us of CPU a line, [0-9,]+ lines/s on [0-9]+ cores at best" ||
    { echo "no log ceiling line (500x psad against analyze's CPU per line on every core)"; exit 1; }
fi
echo "1 passed, 0 failed"
