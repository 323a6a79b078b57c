#!/usr/bin/python3
"""A stand-in "worm" for the process attribution tests: from one UDP socket, sends NetBIOS
node-status (NBSTAT, RFC 1002 4.2.17) queries for "*" to a bounded list of addresses, then keeps
the socket open for a moment so that the capture side can look it up. Only ever run inside a
network namespace created by the test (tests/scripts/attribution_netns.sh).

usage: nbstat-worm-test.py PREFIX FIRST LAST [--linger SECONDS] [--interval SECONDS]
       sends to PREFIX.FIRST .. PREFIX.LAST (at most 254 addresses), UDP port 137
"""
import socket
import struct
import sys
import time


def encoded_star():
    # "*" padded with NULs to 16 bytes, first-level encoded: each nibble + 'A'.
    raw = b"*" + b"\0" * 15
    out = bytearray()
    for b in raw:
        out += bytes([0x41 + (b >> 4), 0x41 + (b & 0x0F)])
    return bytes([32]) + bytes(out) + b"\0"


def main():
    args = sys.argv[1:]
    linger, interval = 2.0, 0.01
    if "--linger" in args:
        i = args.index("--linger")
        linger = float(args[i + 1])
        del args[i:i + 2]
    if "--interval" in args:
        i = args.index("--interval")
        interval = float(args[i + 1])
        del args[i:i + 2]
    prefix, first, last = args[0], int(args[1]), int(args[2])
    if not (1 <= first <= last <= 254):
        sys.exit("FIRST..LAST must be within 1..254")
    with open("/proc/self/comm", "w") as f:
        f.write("nbstat-worm")  # the kernel's short name, as a worm would pick its own
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    for n, host in enumerate(range(first, last + 1)):
        query = struct.pack(">HHHHHH", 0x4000 + n, 0x0000, 1, 0, 0, 0) + encoded_star() + struct.pack(">HH", 0x21, 1)
        s.sendto(query, (f"{prefix}.{host}", 137))
        time.sleep(interval)
    time.sleep(linger)
    s.close()


if __name__ == "__main__":
    main()
