#!/usr/bin/python3
"""Writes N netfilter LOG lines to stdout, each from a different source address (a scanner
farm / spoofed flood: the worst case for per-host state), mixing SYN probes to many ports,
UDP 137 broadcasts and ICMP port-unreachables. For the memory-bound test: pipe it into
`netseen analyze -` so nothing large touches the disk.

  gen_many_hosts.py N
"""
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    out = sys.stdout
    buf = []
    for i in range(n):
        sec = i // 2000
        ts = "Mar %2d %02d:%02d:%02d" % (1 + (sec // 86400) % 28, (sec // 3600) % 24, (sec // 60) % 60, sec % 60)
        # A distinct public-looking source per line: i spread over 1.0.0.0 - 223.255.255.255.
        v = 0x01000000 + (i * 2654435761) % 0xDE000000
        a, b, c, d = v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255
        k = i % 3
        if k == 0:
            line = (f"{ts} fw kernel: DROP IN=eth0 OUT= SRC={a}.{b}.{c}.{d} DST=192.0.2.{1 + i % 250} LEN=44 TOS=0x00 "
                    f"PREC=0x00 TTL=50 ID={i & 65535} PROTO=TCP SPT={1024 + i % 60000} DPT={1 + i % 1024} WINDOW=1024 "
                    f"RES=0x00 SYN URGP=0")
        elif k == 1:
            line = (f"{ts} fw kernel: DROP IN=eth0 OUT= SRC={a}.{b}.{c}.{d} DST=198.51.100.{1 + i % 250} LEN=78 "
                    f"TOS=0x00 PREC=0x00 TTL=113 ID={i & 65535} PROTO=UDP SPT={1024 + i % 60000} DPT=137 LEN=58")
        else:
            line = (f"{ts} fw kernel: ICMP IN=eth0 OUT= SRC={a}.{b}.{c}.{d} DST=192.0.2.7 LEN=56 TOS=0x00 PREC=0x00 "
                    f"TTL=240 ID={i & 65535} PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.7 DST={a}.{b}.{c}.{d} LEN=28 "
                    f"TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=53 DPT={1024 + i % 60000} LEN=8 ]")
        buf.append(line)
        if len(buf) >= 20000:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
