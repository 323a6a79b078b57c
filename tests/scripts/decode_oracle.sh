#!/bin/bash
# Oracle: `netseen decode --format json` against `tshark -T fields` on every capture in
# ../shared/corpus. Compared per frame: frame count, outer IP addresses and protocol,
# TCP/UDP ports, ICMP type/code and the quoted packet's 5-tuple, NBNS id/response/opcode/
# rcode/question name. Disagreements that are understood (tshark decodes something netseen
# deliberately does not, or the other way round) are listed with their reason in
# tests/golden/decode/oracle_known.txt; any other disagreement fails the test.
# Prints a table: file, frames, fields compared, disagreements (explained / unexplained).
set -u
SRC="${NETSEEN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
CORPUS="$SRC/../shared/corpus"
NETSEEN="${NETSEEN:-$SRC/build/release/netseen}"
if [ ! -d "$CORPUS" ]; then echo "skip: $CORPUS is absent"; exit 77; fi
if ! command -v tshark >/dev/null 2>&1; then echo "skip: tshark is not installed"; exit 77; fi
if [ ! -x "$NETSEEN" ]; then echo "skip: $NETSEEN not built"; exit 77; fi
exec /usr/bin/python3 - "$CORPUS" "$NETSEEN" "$SRC/tests/golden/decode/oracle_known.txt" <<'PY'
import json, os, subprocess, sys
corpus, netseen, known_path = sys.argv[1:4]
known = {}
for line in open(known_path):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    key, _, reason = line.partition("  ")
    known[key.strip()] = reason.strip()

FIELDS = ["frame.number", "ip.src", "ip.dst", "ip.proto", "ipv6.src", "ipv6.dst", "ipv6.nxt", "udp.srcport",
          "udp.dstport", "tcp.srcport", "tcp.dstport", "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code",
          "nbns.id", "nbns.flags.response", "nbns.flags.opcode", "nbns.flags.rcode", "nbns.name", "_ws.col.Protocol"]

def tshark(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=|"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        rows[int(v[0])] = {f: (v[i].split("|") if v[i] else []) for i, f in enumerate(FIELDS)}
    return rows

def ours(path):
    p = subprocess.run([netseen, "decode", "-q", "--format", "json", path], capture_output=True, text=True)
    return {j["frame"]: j for j in map(json.loads, p.stdout.splitlines())}

def tshark_name(s):
    # tshark writes non-printable bytes as <hh>; the last <hh> is the suffix.
    out, i = [], 0
    while i < len(s):
        if s[i] == "<" and i + 3 < len(s) and s[i + 3] == ">":
            out.append(int(s[i + 1:i + 3], 16)); i += 4
        else:
            out.append(ord(s[i])); i += 1
    base = bytes(out[:-1]).split(b".")[0] if out else b""
    base = base.rstrip(b" \0").decode("latin-1")
    return f"{base.lower()}<{out[-1]:02x}>" if out else ""

def our_name(q):
    return f"{q['name'].lower()}<{q['suffix']}>"

def opcode_num(name):
    return {"query": 0, "registration": 5, "release": 6, "wack": 7, "refresh": 8, "refresh_alt": 9,
            "multihomed_registration": 15}.get(name)

total = {"files": 0, "frames": 0, "fields": 0, "explained": 0, "unexplained": 0}
table, problems = [], []
files = []
for root, _, names in os.walk(corpus):
    for n in names:
        if n.endswith((".pcap", ".pcapng", ".cap")):
            files.append(os.path.join(root, n))
for path in sorted(files):
    rel = os.path.relpath(path, corpus)
    t, o = tshark(path), ours(path)
    compared, dis = 0, []
    def check(frame, field, theirs, mine):
        global compared
        compared += 1
        if str(theirs) != str(mine):
            dis.append((frame, field, theirs, mine))
    compared = 0
    check(0, "frames", len(t), len(o))
    for fn, tr in sorted(t.items()):
        j = o.get(fn)
        if j is None:
            check(fn, "frame_present", True, False)
            continue
        ipv = j.get("ip_version", 0)
        # Outer network layer: tshark lists every IP header (outer first, then quoted ones).
        if tr["ip.src"] and ipv != 6:
            check(fn, "src", tr["ip.src"][0], j.get("src"))
            check(fn, "dst", tr["ip.dst"][0], j.get("dst"))
            check(fn, "ip_proto", tr["ip.proto"][0], j.get("ip_proto"))
        elif tr["ipv6.src"]:
            check(fn, "src", tr["ipv6.src"][0], j.get("src"))
            check(fn, "dst", tr["ipv6.dst"][0], j.get("dst"))
        else:
            check(fn, "ip_version", 0, ipv)
        icmp = j.get("icmp")
        quoted = icmp.get("quoted") if icmp else None
        tport = tr["tcp.srcport"] or tr["udp.srcport"]
        dport = tr["tcp.dstport"] or tr["udp.dstport"]
        if icmp is None and tport and "sport" in j:
            check(fn, "sport", tport[0], j["sport"])
            check(fn, "dport", dport[0], j["dport"])
        elif icmp is None and tport and "sport" not in j:
            check(fn, "ports_decoded", True, False)
        if icmp is not None:
            ty = tr["icmp.type"] or tr["icmpv6.type"]
            cd = tr["icmp.code"] or tr["icmpv6.code"]
            if ty:
                check(fn, "icmp_type", ty[0], icmp["type"])
                check(fn, "icmp_code", cd[0], icmp["code"])
            if len(tr["ip.src"]) > 1 or len(tr["ipv6.src"]) > 1:
                srcs = tr["ip.src"] if len(tr["ip.src"]) > 1 else tr["ipv6.src"]
                dsts = tr["ip.dst"] if len(tr["ip.dst"]) > 1 else tr["ipv6.dst"]
                check(fn, "quoted_present", True, quoted is not None)
                if quoted:
                    check(fn, "quoted_src", srcs[1], quoted["src"])
                    check(fn, "quoted_dst", dsts[1], quoted["dst"])
                    if len(tr["ip.proto"]) > 1:
                        check(fn, "quoted_proto", tr["ip.proto"][1], quoted["ip_proto"])
                    if tport and "sport" in quoted:
                        check(fn, "quoted_sport", tport[0], quoted["sport"])
                        check(fn, "quoted_dport", dport[0], quoted["dport"])
        if tr["nbns.id"]:
            nb = j.get("netbios") if j.get("protocol") == "nbns" else None
            check(fn, "nbns_present", True, nb is not None)
            if nb:
                check(fn, "nbns_id", int(tr["nbns.id"][0], 0), nb["id"])
                check(fn, "nbns_response", tr["nbns.flags.response"][0] in ("1", "True"), nb["response"])
                if tr["nbns.flags.opcode"]:
                    check(fn, "nbns_opcode", int(tr["nbns.flags.opcode"][0], 0), opcode_num(nb["opcode"]))
                if tr["nbns.flags.rcode"] and nb["response"]:
                    check(fn, "nbns_rcode", int(tr["nbns.flags.rcode"][0], 0), nb["rcode"])
                if tr["nbns.name"] and nb.get("questions"):
                    # tshark: "NAME<20>" (scope appended after a dot); ours: display "NAME<20>".
                    check(fn, "nbns_name", tshark_name(tr["nbns.name"][0]), our_name(nb["questions"][0]))
    ex = [d for d in dis if f"{rel}:{d[0]}:{d[1]}" in known or f"{rel}:*:{d[1]}" in known]
    un = [d for d in dis if d not in ex]
    table.append((rel, len(t), compared, len(ex), len(un)))
    for d in ex:
        k = f"{rel}:{d[0]}:{d[1]}" if f"{rel}:{d[0]}:{d[1]}" in known else f"{rel}:*:{d[1]}"
        problems.append(f"  explained   {rel} frame {d[0]} {d[1]}: tshark={d[2]!r} netseen={d[3]!r} — {known[k]}")
    for d in un:
        problems.append(f"  UNEXPLAINED {rel} frame {d[0]} {d[1]}: tshark={d[2]!r} netseen={d[3]!r}")
    total["files"] += 1
    total["frames"] += len(t)
    total["fields"] += compared
    total["explained"] += len(ex)
    total["unexplained"] += len(un)

print(f"{'file':<62} {'frames':>6} {'fields':>7} {'explained':>9} {'unexpl.':>7}")
for r in table:
    print(f"{r[0]:<62} {r[1]:>6} {r[2]:>7} {r[3]:>9} {r[4]:>7}")
print(f"{'TOTAL (' + str(total['files']) + ' files)':<62} {total['frames']:>6} {total['fields']:>7} {total['explained']:>9} {total['unexplained']:>7}")
print("\n".join(problems[:400]))
if len(problems) > 400:
    print(f"  … {len(problems) - 400} more")
sys.exit(1 if total["unexplained"] else 0)
PY
