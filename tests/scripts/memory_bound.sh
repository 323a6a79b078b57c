#!/usr/bin/env bash
# Hard memory bound (docs/performance.md): peak RSS of `netseen analyze` stays under
#   64 MiB + 1 KiB x (max_hosts + the sum of the detectors' state caps)
# whatever the input size. A generator writes a netfilter log from millions of distinct
# source addresses (the worst case for per-host state) straight into `analyze -` through a
# pipe (nothing large touches the disk); the stream is several times the bound. The caps
# are lowered (--max-hosts, every detector's max_* memory cap) so the bound is small, and
# evictions must be counted in the summary. Peak RSS: getrusage(RUSAGE_CHILDREN).
set -u
if grep -qs 'NETSEEN_SANITIZE:BOOL=ON' "$NETSEEN_BINARY_DIR/CMakeCache.txt"; then
  echo "SKIP: sanitizer build (shadow memory makes RSS meaningless here)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LINES=${MEMORY_BOUND_LINES:-3000000}
CAP=2000
MAX_HOSTS=20000
# Every per-detector memory cap, lowered to $CAP.
grep -E '^[a-z_.]+\.(max_sources|max_pairs|max_keys|max_queries|max_requests|max_hosts) *=' \
  "$NETSEEN_SOURCE_DIR/data/detectors.conf" | sed -E "s/=.*/= $CAP/" > "$tmp/caps.conf"
ncaps=$(wc -l < "$tmp/caps.conf")
[[ $ncaps -ge 30 ]] || { echo "found only $ncaps detector caps in data/detectors.conf"; exit 1; }
/usr/bin/python3 - "$NETSEEN" "$NETSEEN_SOURCE_DIR/tests/tools/gen_many_hosts.py" "$LINES" "$tmp" "$MAX_HOSTS" \
  "$CAP" "$ncaps" <<'PY'
import json, resource, subprocess, sys
netseen, gen, lines, tmp, max_hosts, cap, ncaps = sys.argv[1:8]
lines, max_hosts, cap, ncaps = int(lines), int(max_hosts), int(cap), int(ncaps)
g = subprocess.Popen(["/usr/bin/python3", gen, str(lines)], stdout=subprocess.PIPE)
# The stream is copied through here so its size is known (it must dwarf the bound).
n = subprocess.Popen([netseen, "analyze", "--no-db", "-q", "--format", "json", "--threads", "2", "--max-hosts", str(max_hosts),
                      "--config", f"{tmp}/caps.conf", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
import threading
out = []
t = threading.Thread(target=lambda: out.append(n.stdout.read()))
t.start()
total = 0
while True:
    b = g.stdout.read(1 << 20)
    if not b:
        break
    total += len(b)
    n.stdin.write(b)
n.stdin.close()
t.join()
rc = n.wait()
g.wait()
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
bound_kib = 64 * 1024 + (max_hosts + cap * ncaps)  # 1 KiB per tracked entry
rows = [json.loads(l) for l in out[0].decode().splitlines()]
summary = rows[-1]
inp = [r for r in rows if r["kind"] == "input"][0]
print(f"streamed {total / 1e6:.0f} MB ({lines} lines, {inp['records']} records) through analyze -: "
      f"peak RSS {peak_kib / 1024:.1f} MiB, bound {bound_kib / 1024:.1f} MiB "
      f"(64 MiB + 1 KiB x ({max_hosts} hosts + {ncaps} caps x {cap}))")
print("evicted:", summary["evicted"])
assert rc == 0, f"analyze exit {rc}"
assert inp["records"] == lines, inp
assert total > 3 * bound_kib * 1024, "the stream must be several times the bound"
assert summary["evicted"].get("host.facts", 0) > 0, "host evictions must be counted"
assert summary["hosts"] <= max_hosts, summary["hosts"]
assert peak_kib <= bound_kib, f"peak RSS {peak_kib} KiB over the bound {bound_kib} KiB"
print("1 passed, 0 failed")
PY
