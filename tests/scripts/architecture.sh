#!/usr/bin/env bash
# The dependency rule of ARCHITECTURE.md: a layer includes only itself and the layers
# before it. Fails naming every file that breaks it.
set -u
src="${NETSEEN_SOURCE_DIR:?}/src"
layers=(core netbios decode ingest knowledge detect report cli)
bad=0
for i in "${!layers[@]}"; do
  layer=${layers[$i]}
  allowed=("${layers[@]:0:$((i + 1))}")
  [ -d "$src/$layer" ] || { echo "missing layer folder src/$layer"; bad=1; continue; }
  while IFS= read -r line; do
    file=${line%%:*}
    inc=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$line")
    ok=0
    for a in "${allowed[@]}"; do [ "$inc" = "$a" ] && ok=1; done
    if [ $ok -eq 0 ]; then
      echo "layer rule broken: ${file#$src/} includes $inc/ (allowed: ${allowed[*]})"
      bad=1
    fi
  done < <(grep -rHE '^#include "[a-z_]+/' "$src/$layer" --include='*.hpp' --include='*.cpp')
done
[ $bad -eq 0 ] && echo "architecture: every include follows the layer order"
exit $bad
