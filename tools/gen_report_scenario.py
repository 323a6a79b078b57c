#!/usr/bin/python3
"""Generates the scenario behind netseen's report tests (golden text/JSON/ECS outputs and the
HTML report rendered in a headless browser). Deterministic: the same bytes on every run.

  OUTDIR/scenario.pcap   an office LAN (10.1.0.0/24) on 2024-03-05 from 10:00 UTC:
    - 10.1.0.50 sweeps node-status queries over 40 public addresses (AFRINIC and LACNIC
      regions), transaction ids rising by one: the worm pattern
    - 10.1.0.60 sends nmap-style node-status queries (id 0x1337) to 10.1.0.10-12; .10 and
      .11 answer with their name tables; one table holds hostile bytes (HTML markup,
      quotes, control and non-ASCII bytes), as a NetBIOS name may
    - 10.1.0.20 registers its names by broadcast
    - 198.51.100.77 SYN-scans 30 ports of 10.1.0.10
    - 10.1.0.1 tells 10.1.0.20 "fragmentation needed" (ICMP 3/4, next-hop MTU 1400)
  OUTDIR/scenario.log    a netfilter log of the same morning: inbound probes of trojan
    ports from 203.0.113.9, and NetBIOS leaving 10.1.0.30 for the Internet.

Usage: tools/gen_report_scenario.py OUTDIR
"""
import os
import struct
import sys
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_capture import eth, icmp, ipv4, nb_encode, tcp, udp  # noqa: E402

T0 = int(datetime(2024, 3, 5, 10, 0, 0, tzinfo=timezone.utc).timestamp())
GW_MAC = bytes.fromhex("00163e000001")


def ip(text):
    return bytes(int(x) for x in text.split("."))


def mac_for(addr):
    return bytes([0x00, 0x16, 0x3E]) + ip(addr)[1:]


class Capture:
    def __init__(self):
        self.frames = []  # (time in µs, bytes)
        self.ipid = {}

    def add(self, t, src, dst, proto, payload, ttl=128, src_mac=None, dst_mac=None):
        ident = self.ipid.get(src, 0x2000 + (ip(src)[3] << 4))
        self.ipid[src] = (ident + 1) & 0xFFFF
        pkt = ipv4(ip(src), ip(dst), proto, payload, ttl=ttl, ident=ident)
        inside = src.startswith("10.")
        frame = eth(src_mac or (mac_for(src) if inside else GW_MAC),
                    dst_mac or (GW_MAC if inside else mac_for(dst)), 0x0800, pkt)
        self.frames.append((T0 * 1_000_000 + int(round(t * 1_000_000)), frame))

    def udp(self, t, src, sport, dst, dport, data, **kw):
        self.add(t, src, dst, 17, udp(ip(src), ip(dst), sport, dport, data), **kw)

    def write(self, path):
        self.frames.sort(key=lambda x: x[0])
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for ts, frame in self.frames:
                f.write(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(frame), len(frame)) + frame)


def nbstat_query(tid):
    return struct.pack("!HHHHHH", tid, 0x0000, 1, 0, 0, 0) + nb_encode("*", 0, wildcard=True) + struct.pack("!HH", 0x21, 1)


def nbstat_answer(tid, names, mac):
    """names: (15 raw bytes or str, suffix, group)."""
    rd = bytes([len(names)])
    for name, suffix, group in names:
        raw = name if isinstance(name, bytes) else name.encode()
        rd += raw[:15].ljust(15, b" ") + bytes([suffix]) + struct.pack("!H", (0x8000 if group else 0) | 0x6000 | 0x0400)
    rd += mac + b"\0" * 40
    rr = nb_encode("*", 0, wildcard=True) + struct.pack("!HHIH", 0x21, 1, 0, len(rd)) + rd
    return struct.pack("!HHHHHH", tid, 0x8400, 0, 1, 0, 0) + rr


def registration(tid, name, suffix, addr, group=False):
    body = nb_encode(name, suffix) + struct.pack("!HH", 0x20, 1)
    rr = struct.pack("!HHHIH", 0xC00C, 0x20, 1, 300000, 6) + struct.pack("!H4s", 0x8000 if group else 0x6000, ip(addr))
    return struct.pack("!HHHHHH", tid, 0x2910, 1, 0, 0, 1) + body + rr


def build_capture():
    cap = Capture()
    # Registrations at the start of the morning.
    for i, (name, suffix, group) in enumerate([("ACCT-PC", 0x00, False), ("ACCT-PC", 0x20, False),
                                                ("OFFICE", 0x00, True)]):
        cap.udp(1.0 + i * 0.7, "10.1.0.20", 137, "10.1.0.255", 137, registration(0x7100 + i, name, suffix, "10.1.0.20", group),
                dst_mac=b"\xff" * 6)
    # The worm-like sweep: 40 public addresses, txid +1, from port 137, 0.3 s apart.
    for i in range(40):
        target = "41.%d.%d.%d" % (10 + i, (i * 37) % 256, 1 + (i * 11) % 250) if i % 2 == 0 else \
                 "200.%d.%d.%d" % (20 + i, (i * 53) % 256, 1 + (i * 7) % 250)
        cap.udp(60.0 + 0.3 * i, "10.1.0.50", 137, target, 137, nbstat_query(0x3A00 + i))
    # nmap's nbstat: id 0x1337 from a dynamic port; two of the three answer.
    hostile = b'<i>x</i>&"\'\x01\xff'
    tables = {
        "10.1.0.10": ([("FILESRV", 0x00, False), ("FILESRV", 0x20, False), ("OFFICE", 0x00, True),
                       ("OFFICE", 0x1E, True), ("\x01\x02__MSBROWSE__\x02", 0x01, True)], bytes.fromhex("00163e0a0b0c")),
        "10.1.0.11": ([(hostile, 0x00, False), ("OFFICE", 0x00, True)], bytes.fromhex("00163e0a0b0d")),
    }
    for i, target in enumerate(["10.1.0.10", "10.1.0.11", "10.1.0.12"]):
        t = 120.0 + 0.4 * i
        cap.udp(t, "10.1.0.60", 45000 + i, target, 137, nbstat_query(0x1337), ttl=64)
        if target in tables:
            names, mac = tables[target]
            cap.udp(t + 0.002, target, 137, "10.1.0.60", 45000 + i, nbstat_answer(0x1337, names, mac))
    # A SYN scan from outside: 30 ports, two open.
    ports = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1433, 1723, 3306, 3389, 5900,
             8080, 8443, 10000, 12345, 20000, 27374, 31337, 40000, 50000, 60000]
    for i, p in enumerate(ports):
        t = 180.0 + 0.05 * i
        cap.add(t, "198.51.100.77", "10.1.0.10", 6, tcp(ip("198.51.100.77"), ip("10.1.0.10"), 50123, p, 0x02, 0x5000 + i),
                ttl=49)
        flags = 0x12 if p in (80, 445) else 0x14
        cap.add(t + 0.001, "10.1.0.10", "198.51.100.77", 6,
                tcp(ip("10.1.0.10"), ip("198.51.100.77"), p, 50123, flags, 0x9000, 0x5001 + i))
    # ICMP fragmentation needed, quoting a full-size packet 10.1.0.20 sent.
    orig = ipv4(ip("10.1.0.20"), ip("192.0.2.80"), 6, tcp(ip("10.1.0.20"), ip("192.0.2.80"), 51000, 443, 0x18, 1, 1),
                ttl=127, ident=0x4321)
    for k in range(3):
        cap.add(240.0 + k, "10.1.0.1", "10.1.0.20", 1, icmp(3, 4, 1400, orig[:28]), ttl=255)
    return cap


def build_log():
    day = datetime(2024, 3, 5, 10, 0, 0, tzinfo=timezone.utc)
    uptime = 86400.0 * 3
    lines = []
    for i in range(6):
        ts = day + timedelta(seconds=30 + 41 * i)
        port = [31337, 27374, 12345, 31337, 1243, 6776][i]
        body = ("DROP-IN IN=eth0 OUT= MAC=00:16:3e:00:00:01:00:16:3e:ff:00:01:08:00 SRC=203.0.113.9 DST=10.1.0.%d "
                "LEN=60 TOS=0x00 PREC=0x00 TTL=46 ID=%d DF PROTO=TCP SPT=%d DPT=%d WINDOW=29200 RES=0x00 SYN URGP=0"
                % (10 + i % 3, 5000 + i, 40000 + i, port))
        lines.append((ts, body))
    for i in range(4):
        ts = day + timedelta(seconds=90 + 53 * i)
        dport = [137, 139, 445, 137][i]
        proto = "UDP" if dport == 137 else "TCP"
        tail = "SPT=137 DPT=137 LEN=58" if proto == "UDP" else "SPT=%d DPT=%d WINDOW=64240 RES=0x00 SYN URGP=0" % (
            1030 + i, dport)
        body = ("DROP-OUT IN=eth1 OUT=eth0 SRC=10.1.0.30 DST=45.%d.%d.%d LEN=78 TOS=0x00 PREC=0x00 TTL=127 ID=%d "
                "PROTO=%s %s" % (60 + i, 3 * i, 9 + i, 700 + i, proto, tail))
        lines.append((ts, body))
    lines.sort(key=lambda x: x[0])
    return "".join("%s fw kernel: [%.6f] %s\n" % (ts.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00",
                                                 uptime + (ts - day).total_seconds(), body) for ts, body in lines)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    build_capture().write(os.path.join(out, "scenario.pcap"))
    with open(os.path.join(out, "scenario.log"), "w") as f:
        f.write(build_log())
    return 0


if __name__ == "__main__":
    sys.exit(main())
