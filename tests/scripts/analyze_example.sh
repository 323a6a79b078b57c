#!/usr/bin/env bash
# `netseen analyze` with no input reads the bundled example and must tell its stories:
# the Windows reverse-lookup fallback (benign), the NBSTAT sweep with txids rising by two
# (malicious), nmap's 0x1337, and the spread of SMB/NetBIOS to 1.11.0.0/16 in the log.
# Output must be the same on every run (elapsed time aside) and from any directory.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$out" || exit 1   # any working directory
"$NETSEEN" analyze --no-db --format json > run1.jsonl 2> err1.txt || { echo "analyze failed"; cat err1.txt; exit 1; }
"$NETSEEN" analyze --no-db --format json > run2.jsonl 2>/dev/null || exit 1
sed -E 's/"elapsed_s":[0-9.e+-]+/"elapsed_s":X/' run1.jsonl > a
sed -E 's/"elapsed_s":[0-9.e+-]+/"elapsed_s":X/' run2.jsonl > b
cmp -s a b || { echo "output differs between two runs"; diff a b | head; exit 1; }
"$NETSEEN" analyze --no-db --no-color > report.txt 2>/dev/null || exit 1
grep -q "What matters most" report.txt || { echo "text report lacks its first screen"; exit 1; }
/usr/bin/python3 - run1.jsonl <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
kinds = [r["kind"] for r in rows]
assert kinds[-1] == "summary", "summary must be last"
inputs = {r["path"]: r for r in rows if r["kind"] == "input"}
assert inputs["example/office.pcap"]["records"] == 310, inputs
assert inputs["example/firewall.log"]["records"] == 136, inputs
assert all(i["error_count"] == 0 for i in inputs.values()), inputs
F = [r for r in rows if r["kind"] == "finding"]
def one(fid, src):
    got = [f for f in F if f["id"] == fid and f["source"] == src]
    assert len(got) == 1, f"expected one {fid} about {src}, got {len(got)}"
    return got[0]
sweep = one("nbstat.sweep", "192.168.1.66")
assert sweep["verdict"] == "malicious" and sweep["targets"]["count"] == 120, sweep
assert sweep["attributes"]["txid_pattern"] == "step+2", sweep["attributes"]
assert sweep["targets"]["regions"].get("RIPE NCC") == 120, sweep["targets"]["regions"]
assert sweep["evidence"][0]["input"] == "example/office.pcap" and "frame" in sweep["evidence"][0]
rl = one("nbstat.reverse_lookup", "192.168.1.20")
assert rl["verdict"] == "benign" and rl["attributes"]["ptr_failed"] == 2 and rl["attributes"]["ptr_timed_out"] == 1, rl
assert not [f for f in F if f["id"] == "nbstat.sweep" and f["source"] == "192.168.1.20"], "fallback taken for a sweep"
nm = one("nbstat.nmap", "192.168.1.77")
assert nm["targets"]["count"] == 3
sp = [f for f in F if f["id"] == "spread.internal"]
assert len(sp) == 1 and sp[0]["attributes"]["hosts_per_bucket"][0] == "0:4", sp
assert "line" in sp[0]["evidence"][0]
hosts = {r["address"]: r for r in rows if r["kind"] == "host"}
assert hosts["192.168.1.66"]["ttl_initial_guess"] == 128 and hosts["192.168.1.66"]["inside"] is True
assert "nbstat.sweep" in hosts["192.168.1.66"]["findings"]
s = rows[-1]
assert s["records"] == 446 and s["findings"]["high"] >= 2, s
print(f"bundled example: {len(F)} findings, {len(hosts)} hosts, all expected stories present")
PY
