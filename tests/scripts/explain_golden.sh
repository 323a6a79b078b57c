#!/usr/bin/env bash
# Golden outputs of `netseen explain` (text and JSON) and its exit codes.
# Goldens live in tests/knowledge/golden/<case>.txt; regenerate with UPDATE_GOLDEN=1 after
# reviewing the difference.
set -u
: "${NETSEEN:?path to the netseen binary}"
: "${NETSEEN_SOURCE_DIR:?}"
GOLDEN="$NETSEEN_SOURCE_DIR/tests/knowledge/golden"
KBDIR="$NETSEEN_SOURCE_DIR/tests/knowledge"
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# case name | arguments (word-split, so no spaces inside one argument)
cases=(
  "port_137_udp|137/udp"
  "port_31337_both|31337"
  "icmp_3_4|icmp 3/4"
  "address_1_11_68_22_2004|1.11.68.22 --at 2004-09-14"
  "address_169_254|169.254.3.4"
  "nbname_1c|nbname 1C"
  "nbname_msbrowse|nbname __MSBROWSE__<01>"
  "rpc_100005|rpc 100005"
  "ttl_113|ttl 113"
  "ipid_le|ipid 0xFD01,0xFE01,0xFF01"
  "unknown_port|40000/tcp"
  "kb_stats|--kb-stats"
  "json_all|--format json 137/udp 31337 icmp 3/4 1.11.68.22 --at 2004-09-14 169.254.3.4 nbname 1C nbname __MSBROWSE__<01> rpc 100005 ttl 113 ipid 0xFD01,0xFE01,0xFF01"
)

for c in "${cases[@]}"; do
  name=${c%%|*}
  args=${c#*|}
  # shellcheck disable=SC2086
  "$NETSEEN" explain $args >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAIL $name: exit $rc"; cat "$tmp/$name.err"; fail=1; continue
  fi
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$tmp/$name.out" "$GOLDEN/$name.txt"
  elif ! diff -u "$GOLDEN/$name.txt" "$tmp/$name.out"; then
    echo "FAIL $name: output differs from $GOLDEN/$name.txt"; fail=1
  fi
done

# Every JSON line parses and names its kind.
while IFS= read -r line; do
  printf '%s' "$line" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["kind"] in ("port","icmp","address","nbname","rpc","ttl","ipid"), d' \
    || { echo "FAIL json line: $line"; fail=1; }
done <"$tmp/json_all.out"
[ "$(wc -l <"$tmp/json_all.out")" -eq 11 ] || { echo "FAIL json_all: expected 11 lines (31337 gives two)"; fail=1; }

expect_rc() {  # expected-rc description args...
  local want=$1 what=$2; shift 2
  "$NETSEEN" explain "$@" >"$tmp/rc.out" 2>"$tmp/rc.err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL $what: exit $got, expected $want"; cat "$tmp/rc.err"; fail=1
  fi
}
expect_rc 2 "unknown topic" frobnicate
grep -q "don't know what 'frobnicate' is" "$tmp/rc.err" || { echo "FAIL unknown topic message"; fail=1; }
grep -q "topics:" "$tmp/rc.err" || { echo "FAIL unknown topic lists the topics"; fail=1; }
expect_rc 2 "no topic"
expect_rc 2 "icmp without type" icmp
expect_rc 2 "bad date" 1.2.3.4 --at yesterday
expect_rc 2 "port out of range" 70000/tcp
expect_rc 4 "check-kb broken" --check-kb "$KBDIR/bad/ports_bad_rows.kb"
grep -q "ports_bad_rows.kb:7: unknown tag 'trojen'" "$tmp/rc.err" || { echo "FAIL check-kb prints file:line diagnostics"; fail=1; }
expect_rc 0 "check-kb good" --check-kb "$KBDIR/good/site_ports.kb"
grep -q "valid, 3 entries" "$tmp/rc.out" || { echo "FAIL check-kb good summary"; fail=1; }
expect_rc 4 "--kb broken" --kb "$KBDIR/bad/ttl_bad_rows.kb" ttl 113
expect_rc 0 "--kb override" --kb "$KBDIR/good/site_ports.kb" 22/tcp
grep -q "ssh (bastion only)" "$tmp/rc.out" || { echo "FAIL --kb override not applied"; fail=1; }
for f in "$NETSEEN_SOURCE_DIR"/data/knowledge/*.kb; do
  expect_rc 0 "built-in table $(basename "$f")" --check-kb "$f"
done

[ "$fail" -eq 0 ] && echo "explain: golden outputs and exit codes OK (${#cases[@]} cases)"
exit "$fail"
