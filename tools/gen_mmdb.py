#!/usr/bin/python3
"""Writes a small MaxMind DB (MMDB, binary format 2.0) country database for netseen's tests.

Debian ships no free country database, so the `--geoip FILE` tests use one written here.
The file holds a few networks from the documentation ranges (RFC 5737, RFC 3849) mapped to
countries, in the same layout as the GeoLite2-Country / DB-IP country files:
{"country": {"iso_code", "names": {"en", …}}, "registered_country": …, "continent": …}.

Format (public MaxMind DB specification), written from scratch here:
  search tree  node_count nodes of two records each (24, 28 or 32 bits per record); a
               record < node_count is a node, == node_count means "no data", larger is a
               pointer into the data section (value - node_count - 16)
  16 zero bytes (the data section separator)
  data section values in the MaxMind DB type encoding (control byte: type in the top
               3 bits, size in the low 5, extended types in a following byte)
  b"\\xab\\xcd\\xefMaxMind.com" then the metadata map.
An IPv6 tree (ip_version 6) holds IPv4 networks under ::/96, as libmaxminddb expects.

  gen_mmdb.py OUT                      # the test database, 28-bit records
  gen_mmdb.py OUT --record-size 24 --ip-version 4
"""
import argparse
import ipaddress
import struct
import sys

# Type numbers of the MaxMind DB data section.
T_POINTER, T_UTF8, T_DOUBLE, T_BYTES, T_U16, T_U32, T_MAP = 1, 2, 3, 4, 5, 6, 7
T_I32, T_U64, T_U128, T_ARRAY, T_BOOL = 8, 9, 10, 11, 14


class U16(int):
    pass


class U32(int):
    pass


class U64(int):
    pass


def control(type_, size):
    """Control byte(s) for a value of `type_` whose payload is `size` (bytes or entries)."""
    if size < 29:
        bits, extra = size, b""
    elif size < 29 + 256:
        bits, extra = 29, bytes([size - 29])
    elif size < 285 + 65536:
        bits, extra = 30, struct.pack(">H", size - 285)
    elif size < 65821 + (1 << 24):
        bits, extra = 31, struct.pack(">I", size - 65821)[1:]
    else:
        raise ValueError("value too large")
    if type_ <= 7:
        return bytes([(type_ << 5) | bits]) + extra
    return bytes([bits, type_ - 7]) + extra


def uint_bytes(v, width):
    if v < 0 or v >= 1 << (8 * width):
        raise ValueError("unsigned value out of range")
    return v.to_bytes(width, "big").lstrip(b"\0")


def encode(v):
    """Encodes a Python value: str, bool, float, U16/U32/U64 (plain int = uint32), list, dict."""
    if isinstance(v, bool):
        return control(T_BOOL, int(v))
    if isinstance(v, str):
        b = v.encode("utf-8")
        return control(T_UTF8, len(b)) + b
    if isinstance(v, float):
        return control(T_DOUBLE, 8) + struct.pack(">d", v)
    if isinstance(v, U16):
        b = uint_bytes(v, 2)
        return control(T_U16, len(b)) + b
    if isinstance(v, U64):
        b = uint_bytes(v, 8)
        return control(T_U64, len(b)) + b
    if isinstance(v, int):
        b = uint_bytes(v, 4)
        return control(T_U32, len(b)) + b
    if isinstance(v, list):
        return control(T_ARRAY, len(v)) + b"".join(encode(x) for x in v)
    if isinstance(v, dict):
        out = control(T_MAP, len(v))
        for k, x in v.items():
            out += encode(str(k)) + encode(x)
        return out
    raise TypeError("cannot encode %r" % (v,))


class Node:
    __slots__ = ("rec", "index")

    def __init__(self):
        # Each record: None (no data), a Node, or ("data", offset in the data section).
        self.rec = [None, None]
        self.index = -1


def insert(root, bits, length, data):
    """Sets the network given by the first `length` of `bits` (a list of 0/1) to `data`.
    Insert wider networks before the narrower ones inside them."""
    node = root
    for depth in range(length - 1):
        b = bits[depth]
        child = node.rec[b]
        if not isinstance(child, Node):
            fresh = Node()
            fresh.rec = [child, child]  # a wider network's data covers both halves
            node.rec[b] = fresh
            child = fresh
        node = child
    node.rec[bits[length - 1]] = data


def network_bits(net, ip_version):
    width = 128 if ip_version == 6 else 32
    value = int(net.network_address)
    length = net.prefixlen
    if net.version == 4 and ip_version == 6:
        length += 96  # IPv4 lives under ::/96 in an IPv6 tree
    elif net.version == 6 and ip_version == 4:
        raise ValueError("an IPv4 database cannot hold %s" % net)
    return [(value >> (width - 1 - i)) & 1 for i in range(width)], length


def record_bytes(left, right, size):
    if size == 24:
        return left.to_bytes(3, "big") + right.to_bytes(3, "big")
    if size == 28:
        return (left & 0xFFFFFF).to_bytes(3, "big") + bytes([((left >> 24) << 4) | (right >> 24)]) + \
            (right & 0xFFFFFF).to_bytes(3, "big")
    if size == 32:
        return left.to_bytes(4, "big") + right.to_bytes(4, "big")
    raise ValueError("record size must be 24, 28 or 32")


def build(networks, record_size=28, ip_version=6, db_type="netseen-Test-Country", epoch=1700000000):
    """networks: list of (CIDR text, value dict), wider networks first. Returns the file bytes."""
    data = b""
    offsets = {}
    root = Node()
    for cidr, value in networks:
        blob = encode(value)
        if blob not in offsets:  # identical records are stored once
            offsets[blob] = len(data)
            data += blob
        bits, length = network_bits(ipaddress.ip_network(cidr), ip_version)
        insert(root, bits, length, ("data", offsets[blob]))
    # Number the nodes breadth-first; the root is node 0.
    order, queue = [], [root]
    while queue:
        n = queue.pop(0)
        n.index = len(order)
        order.append(n)
        queue.extend(c for c in n.rec if isinstance(c, Node))
    node_count = len(order)
    limit = 1 << record_size

    def value_of(r):
        if r is None:
            return node_count
        if isinstance(r, Node):
            return r.index
        v = node_count + 16 + r[1]
        if v >= limit:
            raise ValueError("data section too large for %d-bit records" % record_size)
        return v

    tree = b"".join(record_bytes(value_of(n.rec[0]), value_of(n.rec[1]), record_size) for n in order)
    meta = {
        "binary_format_major_version": U16(2),
        "binary_format_minor_version": U16(0),
        "build_epoch": U64(epoch),
        "database_type": db_type,
        "description": {"en": "netseen test country database (documentation networks only)"},
        "ip_version": U16(ip_version),
        "languages": ["en", "de"],
        "node_count": U32(node_count),
        "record_size": U16(record_size),
    }
    return tree + b"\0" * 16 + data + b"\xab\xcd\xefMaxMind.com" + encode(meta)


def country(code, en, de, geoname_id):
    return {"geoname_id": geoname_id, "iso_code": code, "names": {"de": de, "en": en}}


# The test networks: documentation ranges only, so nothing here describes a real network.
NL = country("NL", "Netherlands", "Niederlande", 2750405)
JP = country("JP", "Japan", "Japan", 1861060)
KR = country("KR", "South Korea", "Südkorea", 1835841)
AU = country("AU", "Australia", "Australien", 2077456)
BR = country("BR", "Brazil", "Brasilien", 3469034)
TEST_NETWORKS = [
    ("192.0.2.0/24", {"continent": {"code": "EU"}, "country": NL, "registered_country": NL}),
    ("198.51.100.0/24", {"continent": {"code": "AS"}, "country": JP, "registered_country": JP}),
    # Narrower network inside the one above: the longest match must win.
    ("198.51.100.128/25", {"continent": {"code": "AS"}, "country": KR, "registered_country": KR}),
    # No "country", only where the block is registered (as for anycast or satellite ranges).
    ("203.0.113.0/24", {"registered_country": AU}),
    ("2001:db8::/32", {"continent": {"code": "SA"}, "country": BR, "registered_country": BR}),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--record-size", type=int, default=28, choices=[24, 28, 32])
    ap.add_argument("--ip-version", type=int, default=6, choices=[4, 6])
    a = ap.parse_args()
    nets = TEST_NETWORKS if a.ip_version == 6 else [n for n in TEST_NETWORKS if ":" not in n[0]]
    blob = build(nets, a.record_size, a.ip_version)
    with open(a.out, "wb") as f:
        f.write(blob)
    return 0


if __name__ == "__main__":
    sys.exit(main())
