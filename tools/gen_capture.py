#!/usr/bin/python3
"""Generates capture files of mixed traffic for netseen's tests, fuzz seeds and benchmarks.

Every frame is built here byte by byte (Ethernet, 802.1Q, IPv4/IPv6, UDP/TCP/ICMP with
correct checksums, DNS, NBNS registrations/queries/node-status, NBDS browser announcements,
NBSS session requests, SMB1/SMB2 headers, ICMP errors quoting the original packet, ARP).
A pool of distinct frames is built once and cycled with fresh time stamps, so large files
are written at disk speed.

  gen_capture.py OUT --size-mb 512            # benchmark capture (pcap, µs)
  gen_capture.py OUT --packets 40 --format pcapng --seed 3
  gen_capture.py OUT --size-mb 1024 --scenarios   # + NetBIOS/scan scenarios sprinkled in
  gen_capture.py - --size-mb 64 --format pcapng   # '-' writes to stdout

--scenarios mixes attack-shaped frames into the pool (about 3% of it): a node-status sweep
of 62.0.0.0/8 with transaction ids rising by 2 (the worm pattern), nmap-style node-status
queries (id 0x1337), and a SYN scan of one inside host with RST / SYN-ACK answers.
"""
import argparse
import random
import struct
import sys


def csum(data, start=0):
    if len(data) % 2:
        data += b"\0"
    s = start + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(a)


def ipv4(src, dst, proto, payload, ttl=64, ident=0, frag=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, ttl, proto, 0, src, dst)
    c = csum(hdr)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def pseudo4(src, dst, proto, length):
    return sum(struct.unpack("!HHHH", src + dst)) + proto + length


def pseudo6(src, dst, proto, length):
    return sum(struct.unpack("!16H", src + dst)) + proto + length


def udp(src, dst, sport, dport, payload, v6=False):
    length = 8 + len(payload)
    seg = struct.pack("!HHHH", sport, dport, length, 0) + payload
    p = pseudo6(src, dst, 17, length) if v6 else pseudo4(src, dst, 17, length)
    c = csum(seg, p) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def tcp(src, dst, sport, dport, flags, seq, ack=0, payload=b""):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 64240, 0, 0) + payload
    c = csum(seg, pseudo4(src, dst, 6, len(seg)))
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def icmp(typ, code, rest, body):
    msg = struct.pack("!BBHI", typ, code, 0, rest) + body
    c = csum(msg)
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def eth(src_mac, dst_mac, etype, payload, vlan=None):
    if vlan is not None:
        return dst_mac + src_mac + struct.pack("!HHH", 0x8100, vlan, etype) + payload
    return dst_mac + src_mac + struct.pack("!H", etype) + payload


def nb_encode(name, suffix, wildcard=False):
    raw = (b"*" + b"\0" * 14) if wildcard else name.upper().encode().ljust(15, b" ")
    raw += bytes([suffix])
    out = bytearray([0x20])
    for b in raw:
        out += bytes([0x41 + (b >> 4), 0x41 + (b & 0x0F)])
    return bytes(out) + b"\0"


def nbns_query(tid, name, suffix, bcast=True, nbstat=False):
    flags = 0x0010 | (0x0010 if bcast else 0)  # RD (+B)
    flags = 0x0110 if bcast else 0x0100
    q = nb_encode(name, suffix, wildcard=nbstat)
    return struct.pack("!HHHHHH", tid, flags, 1, 0, 0, 0) + q + struct.pack("!HH", 0x21 if nbstat else 0x20, 1)


def nbns_registration(tid, name, suffix, addr, group=False):
    flags = 0x2910  # opcode 5, RD, B
    body = nb_encode(name, suffix) + struct.pack("!HH", 0x20, 1)
    rr = struct.pack("!HHHIH", 0xC00C, 0x20, 1, 300000, 6) + struct.pack("!H4s", 0x8000 if group else 0x6000, addr)
    return struct.pack("!HHHHHH", tid, flags, 1, 0, 0, 1) + body + rr


def nbns_status_response(tid, names, mac):
    rd = bytes([len(names)])
    for n, s, g in names:
        rd += n.upper().encode().ljust(15, b" ") + bytes([s]) + struct.pack("!H", (0x8000 if g else 0) | 0x0400 | 0x6000)
    rd += mac + b"\0" * 40
    rr = nb_encode("*", 0, wildcard=True) + struct.pack("!HHIH", 0x21, 1, 0, len(rd)) + rd
    return struct.pack("!HHHHHH", tid, 0x8400, 0, 1, 0, 0) + rr


def nbds_announce(src_ip, name, domain):
    data = bytes([1, 0]) + struct.pack("<I", 720000) + name.encode().ljust(16, b"\0") + bytes([5, 1])
    data += struct.pack("<I", 0x00011003) + bytes([15, 1]) + struct.pack("<H", 0xAA55) + b"comment\0"
    slot = b"\\MAILSLOT\\BROWSE\0"
    words = 17
    smb = b"\xffSMB" + bytes([0x25]) + b"\0" * 27
    setup_off = 32 + 1 + words * 2 + 2
    data_off = setup_off + len(slot)
    params = struct.pack("<HHHHBBHIHHHHHBB", 0, len(data), 0, 0, 0, 0, 0, 0, 0, 0, 0, len(data), data_off, 3, 0)
    setup = struct.pack("<HHH", 1, 1, 2)
    smb += bytes([words]) + params + setup + struct.pack("<H", len(slot) + len(data)) + slot + data
    src_name = nb_encode(name, 0x00)
    dst_name = nb_encode(domain, 0x1D)
    body = src_name + dst_name + smb
    return struct.pack("!BBH4sHHH", 0x11, 0x0A, random.randrange(65536), src_ip, 138, len(body), 0) + body


def nbss_request(called, calling):
    body = nb_encode(called, 0x20) + nb_encode(calling, 0x00)
    return struct.pack("!BBH", 0x81, 0, len(body)) + body


def smb1(cmd, reply):
    hdr = b"\xffSMB" + bytes([cmd]) + struct.pack("<I", 0) + bytes([0x98 if reply else 0x18]) + b"\0" * 22 + b"\0\0\0"
    return struct.pack("!BBH", 0, 0, len(hdr)) + hdr


def smb2(cmd, reply):
    hdr = b"\xfeSMB" + struct.pack("<HHIHHI", 64, 1, 0, cmd, 1, 1 if reply else 0) + b"\0" * 44
    return struct.pack("!I", len(hdr)) + hdr


def dns_query(tid, name, qtype=1, response=False, rcode=0, ptr=None):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    an = 1 if ptr else 0
    msg = struct.pack("!HHHHHH", tid, (0x8180 if response else 0x0100) | rcode, 1, an, 0, 0) + q + struct.pack("!HH", qtype, 1)
    if ptr:
        t = b"".join(bytes([len(l)]) + l.encode() for l in ptr.split(".")) + b"\0"
        msg += struct.pack("!HHHIH", 0xC00C, 12, 1, 3600, len(t)) + t
    return msg


def build_pool(rng, count):
    lan = [bytes([192, 168, 1, i]) for i in range(2, 60)]
    bcast = bytes([192, 168, 1, 255])
    dns_srv = bytes([192, 168, 1, 1])
    wan = [bytes([rng.randrange(1, 224), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)]) for _ in range(64)]
    macs = [bytes([0x00, 0x0C, 0x29, rng.randrange(256), rng.randrange(256), i]) for i in range(len(lan))]
    bmac = b"\xff" * 6
    names = ["WKSTN%02d" % i for i in range(len(lan))]
    pool = []
    for n in range(count):
        k = rng.randrange(100)
        i = rng.randrange(len(lan))
        src, mac, name = lan[i], macs[i], names[i]
        vlan = 10 if rng.randrange(10) == 0 else None
        if k < 10:
            p = udp(src, bcast, 137, 137, nbns_registration(rng.randrange(65536), name, rng.choice([0, 0x20, 0x03]), src))
            f = eth(mac, bmac, 0x0800, ipv4(src, bcast, 17, p, 128, n & 0xFFFF), vlan)
        elif k < 18:
            p = udp(src, bcast, 137, 137, nbns_query(rng.randrange(65536), rng.choice(names), 0x20))
            f = eth(mac, bmac, 0x0800, ipv4(src, bcast, 17, p, 128, n & 0xFFFF), vlan)
        elif k < 21:
            dst = rng.choice(lan)
            p = udp(src, dst, 137, 137, nbns_status_response(0x1337, [(name, 0, False), (name, 0x20, False), ("WORKGROUP", 0, True)], mac))
            f = eth(mac, macs[0], 0x0800, ipv4(src, dst, 17, p, 128, n & 0xFFFF))
        elif k < 26:
            p = udp(src, bcast, 138, 138, nbds_announce(src, name, "WORKGROUP"))
            f = eth(mac, bmac, 0x0800, ipv4(src, bcast, 17, p, 128, n & 0xFFFF))
        elif k < 40:
            host = "host%d.example.com" % rng.randrange(1000)
            resp = rng.randrange(2) == 1
            p = udp(dns_srv if resp else src, src if resp else dns_srv, 53 if resp else 40000 + n % 20000,
                    40000 + n % 20000 if resp else 53, dns_query(n & 0xFFFF, host, 1, resp, 3 if rng.randrange(5) == 0 else 0))
            a, b = (dns_srv, src) if resp else (src, dns_srv)
            f = eth(mac, macs[0], 0x0800, ipv4(a, b, 17, p, 64, n & 0xFFFF))
        elif k < 44:
            rev = "%d.1.168.192.in-addr.arpa" % rng.randrange(2, 250)
            p = udp(dns_srv, src, 53, 50000, dns_query(n & 0xFFFF, rev, 12, True, 0, "pc%d.lan" % rng.randrange(99)))
            f = eth(macs[0], mac, 0x0800, ipv4(dns_srv, src, 17, p, 64, n & 0xFFFF))
        elif k < 70:
            dst = rng.choice(wan)
            payload = bytes(rng.randrange(256) for _ in range(rng.choice([0, 0, 100, 512, 1200, 1400])))
            flags = rng.choice([0x02, 0x12, 0x10, 0x18, 0x11, 0x04])
            f = eth(mac, macs[0], 0x0800, ipv4(src, dst, 6, tcp(src, dst, 49152 + n % 16000, rng.choice([80, 443, 22, 25]), flags, n * 7919 & 0xFFFFFFFF, 1, payload), 64, n & 0xFFFF), vlan)
        elif k < 76:
            dst = rng.choice(lan)
            app = rng.randrange(3)
            if app == 0:
                pl, dport = nbss_request(rng.choice(names), name), 139
            elif app == 1:
                pl, dport = smb1(rng.choice([0x72, 0x73, 0x75, 0x71, 0x2B]), False), 139
            else:
                pl, dport = smb2(rng.choice([0, 1, 3, 4, 13]), False), 445
            f = eth(mac, macs[0], 0x0800, ipv4(src, dst, 6, tcp(src, dst, 1025 + n % 30000, dport, 0x18, n, 1, pl), 128, n & 0xFFFF))
        elif k < 82:
            dst = rng.choice(wan)
            orig = ipv4(src, dst, 17, udp(src, dst, 33434 + n % 30, rng.choice([53, 161, 33435]), b"x" * 12), 1, n & 0xFFFF)
            f = eth(macs[0], mac, 0x0800, ipv4(dns_srv, src, 1, icmp(rng.choice([3, 11]), rng.choice([0, 1, 3]), 0, orig[:28]), 255, n & 0xFFFF))
        elif k < 88:
            dst = rng.choice(wan)
            f = eth(mac, macs[0], 0x0800, ipv4(src, dst, 1, icmp(8, 0, (n & 0xFFFF) << 16 | 1, b"abcdefghijklmnopqrstuvwabcdefghi"), 64, n & 0xFFFF))
        elif k < 94:
            s6 = b"\xfe\x80" + b"\0" * 6 + mac + b"\0\0"
            d6 = b"\xff\x02" + b"\0" * 11 + b"\x01\x00\x03"
            p = udp(s6, d6, 5355, 5355, dns_query(n & 0xFFFF, "printer", 28), v6=True)
            f = eth(mac, b"\x33\x33\x00\x01\x00\x03", 0x86DD, struct.pack("!IHBB", 0x60000000, len(p), 17, 1) + s6 + d6 + p)
        elif k < 97:
            dst = rng.choice(wan)
            f = eth(mac, macs[0], 0x0800, ipv4(src, dst, 17, udp(src, dst, 40000 + n % 1000, 443, bytes(rng.randrange(256) for _ in range(1200))), 64, n & 0xFFFF))
        else:
            arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, src, b"\0" * 6, rng.choice(lan))
            f = eth(mac, bmac, 0x0806, arp + b"\0" * 18)
        pool.append(f)
    return pool


def add_scenarios(rng, pool):
    """Attack-shaped frames spread evenly through the pool (deterministic)."""
    lan_mac = b"\x00\x0c\x29\x00\x00\x01"
    gw_mac = b"\x00\x0d\x88\x12\x34\x56"
    worm, nmap, victim = bytes([192, 168, 1, 66]), bytes([192, 168, 1, 77]), bytes([192, 168, 1, 10])
    scanner = bytes([203, 0, 113, 50])
    extra = []
    n = max(30, len(pool) // 32)
    for i in range(n):
        kind = i % 3
        if kind == 0:  # node-status sweep over 62/8, ids rising by 2
            dst = bytes([62, (i * 7) % 256, (i * 13) % 256, 1 + i % 254])
            p = udp(worm, dst, 137, 137, nbns_query(0x4000 + 2 * i, "*", 0, bcast=False, nbstat=True))
            extra.append(eth(lan_mac, gw_mac, 0x0800, ipv4(worm, dst, 17, p, 128, 0x2000 + i)))
        elif kind == 1:  # nmap-style node-status queries
            dst = bytes([192, 168, 1, 2 + i % 58])
            p = udp(nmap, dst, 40000 + i % 1000, 137, nbns_query(0x1337, "*", 0, bcast=False, nbstat=True))
            extra.append(eth(lan_mac, gw_mac, 0x0800, ipv4(nmap, dst, 17, p, 64, rng.randrange(65536))))
        else:  # SYN scan of one host; closed ports answer RST, 22/80 SYN-ACK
            port = 1 + (i * 17) % 1024
            extra.append(eth(gw_mac, lan_mac, 0x0800, ipv4(scanner, victim, 6, tcp(scanner, victim, 61000, port, 0x02, 1000 + i), 49, i & 0xFFFF)))
            flags = 0x12 if port in (22, 80) else 0x14
            extra.append(eth(lan_mac, gw_mac, 0x0800, ipv4(victim, scanner, 6, tcp(victim, scanner, port, 61000, flags, 5000 + i, 1001 + i), 64, i & 0xFFFF)))
    step = max(1, len(pool) // len(extra))
    out = []
    for i, f in enumerate(pool):
        out.append(f)
        if i % step == 0 and extra:
            out.append(extra.pop(0))
    return out + extra


def write_pcap(out, pool, rng, packets, size_bytes, base_ts):
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    written, count, ts_us = 24, 0, base_ts * 1_000_000
    chunk = []
    n = len(pool)
    while (packets and count < packets) or (size_bytes and written < size_bytes):
        f = pool[count % n]
        ts_us += 37 + (count * 7919) % 2000
        chunk.append(struct.pack("<IIII", ts_us // 1_000_000, ts_us % 1_000_000, len(f), len(f)))
        chunk.append(f)
        written += 16 + len(f)
        count += 1
        if len(chunk) >= 8192:
            out.write(b"".join(chunk))
            chunk = []
    out.write(b"".join(chunk))
    return count, written


def write_pcapng(out, pool, packets, size_bytes, base_ts):
    def block(t, body):
        body += b"\0" * ((4 - len(body) % 4) % 4)
        return struct.pack("<II", t, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
    head = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    head += block(1, struct.pack("<HHI", 1, 0, 262144))  # if 0: Ethernet, µs
    head += block(1, struct.pack("<HHI", 1, 0, 262144) + struct.pack("<HHB3x", 9, 1, 9) + b"\0\0\0\0")  # if 1: ns
    out.write(head)
    written = len(head)
    ts = base_ts * 1_000_000
    chunk = []
    i = 0
    while (packets and i < packets) or (size_bytes and written < size_bytes):
        f = pool[i % len(pool)]
        ifid = i % 2
        ts += 1000
        t = ts * 1000 if ifid == 1 else ts
        b = block(6, struct.pack("<IIIII", ifid, t >> 32, t & 0xFFFFFFFF, len(f), len(f)) + f)
        if packets and i == packets // 2:
            b += block(5, struct.pack("<III", 0, 0, 0))  # interface statistics (skipped)
        chunk.append(b)
        written += len(b)
        i += 1
        if len(chunk) >= 8192:
            out.write(b"".join(chunk))
            chunk = []
    out.write(b"".join(chunk))
    return i, written


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--format", choices=["pcap", "pcapng"], default="pcap")
    ap.add_argument("--packets", type=int, default=0)
    ap.add_argument("--size-mb", type=int, default=0)
    ap.add_argument("--pool", type=int, default=4000, help="distinct frames to cycle")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scenarios", action="store_true", help="sprinkle NetBIOS sweep / nmap / SYN-scan frames")
    a = ap.parse_args()
    if not a.packets and not a.size_mb:
        a.packets = 100
    random.seed(a.seed)
    rng = random.Random(a.seed)
    pool = build_pool(rng, min(a.pool, a.packets) if a.packets else a.pool)
    if a.scenarios:
        pool = add_scenarios(rng, pool)
    out = sys.stdout.buffer if a.out == "-" else open(a.out, "wb")
    with out:
        if a.format == "pcap":
            count, size = write_pcap(out, pool, rng, a.packets, a.size_mb * 1024 * 1024, 1_700_000_000)
        else:
            packets = a.packets or (0 if a.size_mb else 1000)
            count, size = write_pcapng(out, pool, packets, a.size_mb * 1024 * 1024, 1_700_000_000)
    print("%s: %d packets, %d bytes" % (a.out, count, size), file=sys.stderr)


if __name__ == "__main__":
    main()
