#!/usr/bin/python3
"""Writes N synthetic netfilter LOG lines (classic syslog wrapping) to stdout: a mix of SYN
probes from random sources (fwlogwatch's worst case), NetBIOS 137 broadcasts, UFW blocks and
ICMP port-unreachables with the quoted packet. Deterministic (seeded).

  gen_netfilter.py N [SOURCES]   SOURCES: draw the outside addresses from a pool of that many
                                 (a month of reject logs from a few thousand scanners) instead
                                 of a fresh random address on most lines (the worst case)."""
import random
import sys

def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    sources = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    rnd = random.Random(5)
    pool_rnd = random.Random(7)
    pool = [(pool_rnd.randrange(1, 224), pool_rnd.randrange(256), pool_rnd.randrange(1, 255), pool_rnd.randrange(1, 255))
            for _ in range(sources)]
    out = sys.stdout
    buf = []
    for i in range(n):
        sec = i // 50
        ts = "Mar %2d %02d:%02d:%02d" % (1 + (sec // 86400) % 28, (sec // 3600) % 24, (sec // 60) % 60, sec % 60)
        a, b, c = rnd.randrange(1, 224), rnd.randrange(256), rnd.randrange(1, 255)
        d = None
        if pool:
            a, b, c, d = pool[(a * 65536 + b * 256 + c) % len(pool)]
        k = i % 4
        if k == 0:
            line = (f"{ts} fw kernel: [{463490 + i // 1000}.251762] DROP IN=eth1 OUT= "
                    f"MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:08:00 SRC={a}.{b}.{c}.{rnd.randrange(1, 255) if d is None else d} "
                    f"DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL={rnd.randrange(32, 128)} ID={rnd.randrange(65536)} "
                    f"PROTO=TCP SPT={rnd.randrange(1024, 65536)} DPT={rnd.randrange(1, 1024)} WINDOW=3072 RES=0x00 SYN URGP=0")
        elif k == 1:
            line = (f"{ts} fw kernel: DROP IN=eth1 OUT= MAC=ff:ff:ff:ff:ff:ff:00:21:3f:98:99:78:08:00 "
                    f"SRC=10.{b}.{c}.{rnd.randrange(1, 255) if d is None else d} DST=10.0.0.255 LEN=78 TOS=0x00 PREC=0x00 TTL=128 "
                    f"ID={rnd.randrange(65536)} PROTO=UDP SPT=137 DPT=137 LEN=58")
        elif k == 2:
            line = (f"{ts} fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC={a}.{b}.{c}.{rnd.randrange(1, 255) if d is None else d} DST=192.0.2.10 "
                    f"LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID={rnd.randrange(65536)} DF PROTO=TCP SPT={rnd.randrange(1024, 65536)} "
                    f"DPT=445 WINDOW=7300 RES=0x00 SYN URGP=0")
        else:
            line = (f"{ts} fw kernel: ICMP IN=eth0 OUT= SRC=10.0.{b}.{c} DST=192.168.1.103 LEN=96 TOS=0x00 PREC=0xC0 "
                    f"TTL=254 ID={rnd.randrange(65536)} PROTO=ICMP TYPE=3 CODE=3 [SRC=192.168.1.103 DST=10.0.{b}.{c} "
                    f"LEN=68 TOS=0x00 PREC=0x00 TTL=0 ID=22458 PROTO=UDP SPT=35080 DPT={33434 + i % 30} LEN=48 ]")
        buf.append(line)
        if len(buf) >= 10000:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")

if __name__ == "__main__":
    main()
