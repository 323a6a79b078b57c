#!/usr/bin/python3
"""Decodes NetBIOS messages with impacket's nmb.py (Debian python3-impacket) for the
netbios oracle test. Input lines: "<label> <kind> <hex>"; output: one JSON object per line.
kinds: name (second-level name), encode (hex of "NAME|suffix|scope" to encode),
status (NBNS node status response), posquery (positive name query response)."""
import json
import sys

from impacket import nmb


def hexs(b):
    return b.hex()


def header(pkt):
    return {k: pkt[k] for k in ("NAME_TRN_ID", "FLAGS", "QDCOUNT", "ANCOUNT", "NSCOUNT", "ARCOUNT")}


def main():
    for line in sys.stdin:
        label, kind, data = line.split()
        raw = bytes.fromhex(data)
        out = {"label": label}
        try:
            if kind == "name":
                length, name, scope = nmb.decode_name(raw)
                out.update(length=length, name=name.encode("latin-1").hex(), scope=scope)
            elif kind == "encode":
                name, suffix, scope = raw.decode("latin-1").split("|")
                out.update(encoded=hexs(nmb.encode_name(name, int(suffix, 16), scope or None)))
            elif kind == "status":
                pkt = nmb.NAME_SERVICE_PACKET(raw)
                out.update(header(pkt))
                rr = nmb.NBNodeStatusResponse(pkt["ANSWERS"])
                out["rr_type"] = rr["RR_TYPE"]
                out["entries"] = [[hexs(e["NAME"]), e["TYPE"], e["NAME_FLAGS"]] for e in rr.entries]
                out["mac"] = rr.mac
                stats = {}
                for field, _ in nmb.STATISTICS.structure:
                    v = rr.statistics[field]
                    stats[field] = v.hex() if isinstance(v, bytes) else v
                out["stats"] = stats
            elif kind == "posquery":
                pkt = nmb.NAME_SERVICE_PACKET(raw)
                out.update(header(pkt))
                rr = nmb.NBPositiveNameQueryResponse(pkt["ANSWERS"])
                out["entries"] = rr.entries
                out["ttl"] = rr["TTL"]
            else:
                out["error"] = "unknown kind"
        except Exception as e:  # noqa: BLE001 - the oracle reports impacket's failures as data
            out["error"] = type(e).__name__
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
