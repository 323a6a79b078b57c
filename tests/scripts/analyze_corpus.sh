#!/usr/bin/env bash
# Real LAN captures from ../shared/corpus through `netseen analyze`: ordinary NetBIOS
# chatter must not raise a high-severity NetBIOS finding, and hosts are named from their
# own registrations and node-status answers (tcpdump's eapon1: a 2004 Windows host).
set -u
corpus="$NETSEEN_SOURCE_DIR/../shared/corpus"
if [ ! -d "$corpus" ]; then
  echo "SKIP: ../shared/corpus is absent (CI always has it)"
  exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for f in nDPI/tests/cfgs/default/pcap/netbios.pcap tcpdump/tests/eapon1.pcap arkime/tests/pcap/nbns.pcap; do
  n=$(basename "$f" .pcap)
  "$NETSEEN" analyze --no-db --format json "$corpus/$f" > "$out/$n.jsonl" 2>"$out/$n.err" || { echo "analyze $f failed"; cat "$out/$n.err"; exit 1; }
done
/usr/bin/python3 - "$out" <<'PY'
import json, os, sys
d = sys.argv[1]
def load(n):
    return [json.loads(l) for l in open(os.path.join(d, n + ".jsonl"))]
netbios_ids = ("nbstat.", "nbns.", "netbios.", "spread.")
for n in ("netbios", "eapon1", "nbns"):
    rows = load(n)
    inp = [r for r in rows if r["kind"] == "input"][0]
    assert inp["error_count"] == 0 and inp["decoded"] == inp["records"], inp
    bad = [f for f in rows if f["kind"] == "finding" and f["id"].startswith(netbios_ids)
           and f["severity"] in ("high", "critical")]
    assert not bad, f"{n}: ordinary LAN traffic raised {[(f['id'], f['source']) for f in bad]}"
    print(f"{n}.pcap: {inp['records']} frames, no high-severity NetBIOS finding")
hosts = {r["address"]: r for r in load("eapon1") if r["kind"] == "host"}
names = hosts["169.254.67.194"]["netbios_names"]
assert "DJP95S0J<00>" in names and "ARBEITSGRUPPE<1E>" in names, names
# The G bit of each registration's NB_FLAGS: the machine name is unique, the workgroup a group.
types = {t["name"]: t["type"] for t in hosts["169.254.67.194"]["netbios_name_types"]}
assert types["DJP95S0J<00>"] == "unique" and types["ARBEITSGRUPPE<1E>"] == "group", types
assert types["ARBEITSGRUPPE<00>"] == "group", types
hosts = {r["address"]: r for r in load("nbns") if r["kind"] == "host"}
assert "MDJR98<20>" in hosts["192.168.239.129"]["netbios_names"], hosts["192.168.239.129"]
print("hosts named from their own registrations: 169.254.67.194 = DJP95S0J (unique; ARBEITSGRUPPE group), "
      "192.168.239.129 = MDJR98")
PY
