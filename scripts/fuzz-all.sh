#!/usr/bin/env bash
# Runs every libFuzzer binary of the `fuzz` preset for SECONDS each over its corpus
# (new inputs land in the corpus folder; minimise before committing: -merge=1).
set -euo pipefail
seconds=${1:-60}
cd "$(dirname "$0")/.."
for bin in build/fuzz/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  target=$(basename "$bin"); target=${target#fuzz_}
  mkdir -p "fuzz/corpus/$target"
  echo "== $target for ${seconds}s"
  "$bin" -max_total_time="$seconds" -print_final_stats=1 "fuzz/corpus/$target" 2>&1 | grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==.*ERROR)' || true
done
