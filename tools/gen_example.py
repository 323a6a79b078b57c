#!/usr/bin/python3
"""Generates netseen's bundled example: a small capture and a small firewall log showing
the situations of the founding documents. Deterministic: same bytes on every run.

  examples/office.pcap   an office LAN capture (Ethernet, 2004-09-14):
    - 192.168.1.20 (Windows) resolves addresses whose DNS PTR lookups fail (NXDOMAIN, or
      no answer for 14 s) and falls back to three node-status queries 137->137, 1.5 s apart;
      one target answers with ICMP port-unreachable; ordinary browsing with working DNS too
    - 192.168.1.66 sweeps node-status queries over 120 addresses in 62.0.0.0/8 (RIPE NCC
      region) with transaction ids rising by 2, no DNS in front: the worm pattern
    - 192.168.1.77 sends nmap-style node-status queries (transaction id 0x1337)
    - 192.168.1.30 runs a UNIX traceroute (UDP from 33434 up, three probes per hop)
    - 203.0.113.50 SYN-scans 192.168.1.10; closed ports answer RST, 22 and 80 SYN/ACK
  examples/firewall.log  a netfilter reject log (RFC 3339 syslog stamps, 2004-09-12..14):
    inside hosts sending NBSTAT and SMB to 1.11.0.0/16, four machines on the first day,
    eighteen on the last, plus a few inbound probes.

Usage: tools/gen_example.py [OUTDIR]   (default: examples/ beside this script's parent)
"""
import os
import random
import sys
from datetime import datetime, timezone, timedelta

from scapy.all import (DNS, DNSQR, DNSRR, ICMP, IP, TCP, UDP, Ether, Raw, wrpcap)  # noqa: E402

RNG = random.Random(20040914)
T0 = datetime(2004, 9, 14, 9, 0, 0, tzinfo=timezone.utc).timestamp()

GW_MAC = "00:0d:88:12:34:56"
DNS_SERVER = "192.168.1.1"


def mac_for(ip):
    last = [int(x) for x in ip.split(".")]
    return "00:40:05:%02x:%02x:%02x" % (last[1] & 0xFF, last[2], last[3])


class Capture:
    def __init__(self):
        self.pkts = []
        self.ipid = {}

    def next_id(self, src, windows):
        # Windows stacks of 2004 count IP ids up by one per packet.
        v = self.ipid.get(src, RNG.randrange(0x1000, 0x8000) if windows else 0)
        self.ipid[src] = (v + 1) & 0xFFFF
        return v if windows else RNG.randrange(0, 0x10000)

    def add(self, t, ip_pkt, src_mac=None, dst_mac=None, windows=True):
        src = ip_pkt[IP].src
        if ip_pkt[IP].id == 1:  # scapy default: replace with a realistic id
            ip_pkt[IP].id = self.next_id(src, windows)
        inside = src.startswith("192.168.")
        e = Ether(src=src_mac or (mac_for(src) if inside else GW_MAC),
                  dst=dst_mac or (GW_MAC if inside else mac_for(ip_pkt[IP].dst))) / ip_pkt
        e.time = T0 + t
        self.pkts.append(e)


def nbstat_query(txid):
    # 12-byte header, one question: '*' padded with NULs, first-level encoded, NBSTAT/IN.
    name = b"*" + b"\x00" * 15
    enc = bytes(b for c in name for b in (0x41 + (c >> 4), 0x41 + (c & 0x0F)))
    return (txid.to_bytes(2, "big") + b"\x00\x00" + b"\x00\x01" + b"\x00\x00" * 3 +
            b"\x20" + enc + b"\x00" + b"\x00\x21\x00\x01")


def reverse_name(ip):
    return ".".join(reversed(ip.split("."))) + ".in-addr.arpa"


def windows_reverse_lookup(cap, t, host, target, dns_outcome):
    """PTR lookup; on failure three NBSTAT tries 1.5 s apart from 137 to 137."""
    qid = RNG.randrange(1, 0xFFFF)
    sport = RNG.randrange(1025, 5000)
    q = IP(src=host, dst=DNS_SERVER, ttl=128) / UDP(sport=sport, dport=53) / DNS(
        id=qid, rd=1, qd=DNSQR(qname=reverse_name(target), qtype="PTR"))
    cap.add(t, q)
    if dns_outcome == "ok":
        r = IP(src=DNS_SERVER, dst=host, ttl=64) / UDP(sport=53, dport=sport) / DNS(
            id=qid, qr=1, rd=1, ra=1, qd=DNSQR(qname=reverse_name(target), qtype="PTR"),
            an=DNSRR(rrname=reverse_name(target), type="PTR", ttl=3600, rdata="www.example.net."))
        cap.add(t + 0.03, r, windows=False)
        return
    if dns_outcome == "nxdomain":
        r = IP(src=DNS_SERVER, dst=host, ttl=64) / UDP(sport=53, dport=sport) / DNS(
            id=qid, qr=1, rd=1, ra=1, rcode=3, qd=DNSQR(qname=reverse_name(target), qtype="PTR"))
        cap.add(t + 0.04, r, windows=False)
        start = t + 0.05
    else:  # timeout: Windows waits about 14 s before falling back
        start = t + 14.0
    txid = RNG.randrange(0x8000, 0xFFFF)
    for i in range(3):
        q = IP(src=host, dst=target, ttl=128) / UDP(sport=137, dport=137) / Raw(nbstat_query(txid + i))
        cap.add(start + 1.5 * i, q)
        if dns_outcome == "nxdomain" and target.endswith(".9"):
            # The target has no NetBIOS: its stack answers port unreachable, quoting our query.
            orig = bytes(q)
            icmp = IP(src=target, dst=host, ttl=49) / ICMP(type=3, code=3) / Raw(orig[:28])
            cap.add(start + 1.5 * i + 0.08, icmp, windows=False)


def build_capture():
    cap = Capture()
    win = "192.168.1.20"
    # Ordinary browsing: PTR lookups that work, no NetBIOS afterwards.
    for k, target in enumerate(["93.184.216.34", "151.101.1.69", "140.82.121.4"]):
        windows_reverse_lookup(cap, 2.0 + 3 * k, win, target, "ok")
    # PTR lookups that fail: the Windows fallback.
    windows_reverse_lookup(cap, 20.0, win, "81.2.69.142", "nxdomain")
    windows_reverse_lookup(cap, 30.0, win, "195.113.144.9", "nxdomain")
    windows_reverse_lookup(cap, 45.0, win, "213.180.141.140", "timeout")

    # Worm-like sweep: 120 distinct addresses in 62/8, txid +2, from port 137, 0.5 s apart.
    worm = "192.168.1.66"
    txid = 0x4E20
    for i in range(120):
        target = "62.%d.%d.%d" % (RNG.randrange(1, 255), RNG.randrange(0, 256), RNG.randrange(1, 255))
        q = IP(src=worm, dst=target, ttl=128) / UDP(sport=137, dport=137) / Raw(nbstat_query(txid))
        cap.add(100.0 + 0.5 * i, q)
        txid = (txid + 2) & 0xFFFF

    # nmap --script nbstat: fixed transaction id 0x1337 from a dynamic port.
    nm = "192.168.1.77"
    for i, target in enumerate(["192.168.1.10", "192.168.1.11", "192.168.1.12"]):
        q = IP(src=nm, dst=target, ttl=64) / UDP(sport=40000 + i, dport=137) / Raw(nbstat_query(0x1337))
        cap.add(200.0 + 0.2 * i, q, windows=False)

    # UNIX traceroute to 198.51.100.7: 6 hops, three probes per hop.
    tr = "192.168.1.30"
    hops = ["192.168.1.1", "10.20.0.1", "172.16.5.1", "203.0.113.1", "198.51.100.1", "198.51.100.7"]
    sport = 38211
    dport = 33434
    t = 240.0
    for ttl, hop in enumerate(hops, start=1):
        for _ in range(3):
            probe = IP(src=tr, dst="198.51.100.7", ttl=ttl) / UDP(sport=sport, dport=dport) / Raw(b"\x00" * 32)
            cap.add(t, probe, windows=False)
            raw = bytes(probe)
            if hop == "198.51.100.7":
                ans = IP(src=hop, dst=tr, ttl=58) / ICMP(type=3, code=3) / Raw(raw[:28])
            else:
                ans = IP(src=hop, dst=tr, ttl=255 - ttl + 1) / ICMP(type=11, code=0) / Raw(raw[:28])
            cap.add(t + 0.01 * ttl, ans, windows=False)
            dport += 1
            t += 0.05

    # SYN scan of 192.168.1.10 from outside.
    scanner = "203.0.113.50"
    victim = "192.168.1.10"
    ports = sorted(RNG.sample(range(1, 1025), 60) + [22, 80, 139, 445])
    for i, p in enumerate(ports):
        syn = IP(src=scanner, dst=victim, ttl=52) / TCP(sport=61000, dport=p, flags="S", seq=0x1000 + i, window=1024)
        cap.add(300.0 + 0.02 * i, syn, windows=False)
        if p in (22, 80):
            ans = IP(src=victim, dst=scanner, ttl=64) / TCP(sport=p, dport=61000, flags="SA", seq=0x9000, ack=0x1001 + i)
        else:
            ans = IP(src=victim, dst=scanner, ttl=64) / TCP(sport=p, dport=61000, flags="RA", seq=0, ack=0x1001 + i)
        cap.add(300.0 + 0.02 * i + 0.001, ans, windows=False)

    cap.pkts.sort(key=lambda p: p.time)
    return cap.pkts


def build_log():
    lines = []
    day0 = datetime(2004, 9, 12, 8, 0, 0, tzinfo=timezone.utc)
    uptime = 86400.0 * 12
    hosts_per_day = [4, 9, 18]
    ipid = {}
    for day, nhosts in enumerate(hosts_per_day):
        for h in range(nhosts):
            src = "192.168.10.%d" % (20 + h)
            for k in range(4):
                ts = day0 + timedelta(days=day, minutes=RNG.randrange(0, 600), seconds=RNG.randrange(0, 60))
                dst = "1.11.%d.%d" % (RNG.randrange(0, 256), RNG.randrange(1, 255))
                ipid[src] = ipid.get(src, RNG.randrange(0x100, 0x7000)) + 1
                # The log prints the IP id in decimal as read from the wire.
                common = ("fw kernel: [%.6f] DROP-OUT IN=eth1 OUT=eth0 SRC=%s DST=%s " %
                          (uptime + (ts - day0).total_seconds(), src, dst))
                kind = k % 3
                if kind == 0:
                    body = ("LEN=78 TOS=0x00 PREC=0x00 TTL=127 ID=%d PROTO=UDP SPT=137 DPT=137 LEN=58" % ipid[src])
                elif kind == 1:
                    body = ("LEN=48 TOS=0x00 PREC=0x00 TTL=127 ID=%d DF PROTO=TCP SPT=%d DPT=445 WINDOW=64240 "
                            "RES=0x00 SYN URGP=0" % (ipid[src], RNG.randrange(1025, 5000)))
                else:
                    body = ("LEN=48 TOS=0x00 PREC=0x00 TTL=127 ID=%d DF PROTO=TCP SPT=%d DPT=139 WINDOW=64240 "
                            "RES=0x00 SYN URGP=0" % (ipid[src], RNG.randrange(1025, 5000)))
                lines.append((ts, ts.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00 " + common + body))
    # Inbound background: a Sub7 probe, SQL slammer, and pings from outside.
    for i in range(12):
        ts = day0 + timedelta(days=2, hours=1, seconds=37 * i)
        src = "198.51.100.%d" % (10 + i % 5)
        ttl = 113 - i % 5  # one Windows machine per address: one initial TTL, one path length
        if i % 3 == 0:
            body = ("IN=eth0 OUT= MAC=00:0d:88:12:34:56:00:10:db:ff:10:01:08:00 SRC=%s DST=192.0.2.10 LEN=48 TOS=0x00 "
                    "PREC=0x00 TTL=%d ID=%d DF PROTO=TCP SPT=%d DPT=27374 WINDOW=8192 RES=0x00 SYN URGP=0"
                    % (src, ttl, 4000 + i * 256, 3000 + i))
        elif i % 3 == 1:
            body = ("IN=eth0 OUT= MAC=00:0d:88:12:34:56:00:10:db:ff:10:01:08:00 SRC=%s DST=192.0.2.10 LEN=404 "
                    "TOS=0x00 PREC=0x00 TTL=%d ID=%d PROTO=UDP SPT=%d DPT=1434 LEN=384"
                    % (src, ttl, 9000 + i, 1024 + i))
        else:
            body = ("IN=eth0 OUT= MAC=00:0d:88:12:34:56:00:10:db:ff:10:01:08:00 SRC=%s DST=192.0.2.10 LEN=60 "
                    "TOS=0x00 PREC=0x00 TTL=%d ID=%d PROTO=ICMP TYPE=8 CODE=0 ID=512 SEQ=%d"
                    % (src, ttl, 30000 + i, 256 * i))
        lines.append((ts, ts.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00 fw kernel: [%.6f] DROP-IN " %
                      (uptime + (ts - day0).total_seconds()) + body))
    lines.sort(key=lambda x: x[0])
    return "".join(l + "\n" for _, l in lines)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                              "examples")
    os.makedirs(out, exist_ok=True)
    wrpcap(os.path.join(out, "office.pcap"), build_capture())
    with open(os.path.join(out, "firewall.log"), "w") as f:
        f.write(build_log())


if __name__ == "__main__":
    main()
