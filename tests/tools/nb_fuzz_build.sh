#!/usr/bin/env bash
# Builds the NetBIOS libFuzzer harnesses straight from src/core + src/netbios with clang
# (ASan + UBSan + libFuzzer), independent of the rest of the tree, into $1 (default
# build/nb-fuzz). Usage: tests/tools/nb_fuzz_build.sh [outdir]
#   then: build/nb-fuzz/fuzz_nbns -max_total_time=600 fuzz/corpus/nbns
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/build/nb-fuzz}"
mkdir -p "$out/obj"
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -I"$root/src")
objs=()
for src in "$root"/src/core/*.cpp "$root"/src/netbios/*.cpp; do
  o="$out/obj/$(basename "$(dirname "$src")")_$(basename "${src%.cpp}").o"
  if [[ ! -f "$o" || "$src" -nt "$o" ]]; then clang++ "${flags[@]}" -c "$src" -o "$o"; fi
  objs+=("$o")
done
for h in "$root"/fuzz/fuzz_nb*.cpp; do
  name="$(basename "${h%.cpp}")"
  clang++ "${flags[@]}" -fsanitize=fuzzer "$h" "${objs[@]}" -lfmt -o "$out/$name"
  echo "built $out/$name"
done
