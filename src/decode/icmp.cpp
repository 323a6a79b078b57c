// ICMP (RFC 792): type, code, checksum, echo identifiers, next-hop MTU, redirect gateway,
// and for error messages the quoted original IPv4 header and first 8 bytes of its
// payload, decoded into their own 5-tuple (Event::icmp->quoted).
#include <fmt/format.h>

#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {

bool is_error(std::uint8_t type) noexcept {
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

bool has_id_seq(std::uint8_t type) noexcept {
  return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

// The quoted packet: IPv4 header (options skipped) and the first bytes of its payload.
std::optional<Quoted> parse_quoted_v4(ByteReader q, Event& ev) {
  auto vihl = q.u8();
  if (!vihl) return std::nullopt;
  if ((*vihl >> 4) != 4) {
    add_anomaly(ev, "icmp_quote_not_ipv4", fmt::format("quoted version {}", *vihl >> 4));
    return std::nullopt;
  }
  q.skip(3);  // TOS, total length
  auto id = q.u16be();
  q.skip(2);  // flags, fragment offset
  auto ttl = q.u8();
  auto proto = q.u8();
  q.skip(2);  // checksum
  auto src = q.bytes(4);
  auto dst = q.bytes(4);
  if (!id || !ttl || !proto || !src || !dst) {
    add_anomaly(ev, "icmp_quote_truncated", "quoted IPv4 header incomplete");
    return std::nullopt;
  }
  Quoted out;
  out.src = IpAddress::v4((*src)[0], (*src)[1], (*src)[2], (*src)[3]);
  out.dst = IpAddress::v4((*dst)[0], (*dst)[1], (*dst)[2], (*dst)[3]);
  out.protocol = *proto;
  out.ttl = *ttl;
  out.ip_id = *id;
  const std::size_t ihl = std::size_t{*vihl & 0x0FU} * 4;
  if (ihl < 20 || !q.skip(ihl - 20)) return out;
  if (*proto == 6 || *proto == 17 || *proto == 132) {
    auto sp = q.u16be();
    auto dp = q.u16be();
    if (sp && dp) {
      out.sport = *sp;
      out.dport = *dp;
      out.has_ports = true;
    }
  } else if (*proto == 1) {
    auto t = q.u8();
    auto cd = q.u8();
    if (t && cd) out.icmp_type_code = static_cast<std::uint16_t>((*t << 8) | *cd);
  }
  return out;
}

}  // namespace

void decode_icmp(ByteReader r, Ctx& c) {
  Event& ev = c.ev;
  const Bytes whole = r.rest();
  auto type = r.u8();
  auto code = r.u8();
  auto csum = r.u16be();
  if (!type || !code || !csum) {
    add_anomaly(ev, "icmp_truncated");
    return;
  }
  Icmp& icmp = ev.icmp.emplace();
  icmp.type = *type;
  icmp.code = *code;
  ev.payload_len = c.ip_payload_declared >= 4 ? c.ip_payload_declared - 4 : 0;
  if (c.opt.verify_checksums && c.ip_complete && c.ip_payload_declared <= whole.size()) {
    if (fold(sum16(whole.first(c.ip_payload_declared))) != 0xFFFF) {
      add_anomaly(ev, "icmp_bad_checksum", fmt::format("checksum 0x{:04x}", *csum));
    }
  }
  auto rest = r.bytes(4);
  if (!rest) {
    add_anomaly(ev, "icmp_truncated");
    return;
  }
  ByteReader h(*rest);
  if (has_id_seq(*type)) {
    icmp.id = h.u16be().value_or(0);
    icmp.seq = h.u16be().value_or(0);
  } else if (*type == 3 && *code == 4) {
    h.skip(2);
    icmp.mtu = h.u16be().value_or(0);
  } else if (*type == 5) {
    icmp.gateway = IpAddress::v4(h.u32be().value_or(0));
  }
  if (is_error(*type)) {
    if (r.empty()) {
      add_anomaly(ev, "icmp_no_quote", "error message without the original header");
      return;
    }
    icmp.quoted = parse_quoted_v4(r, ev);
  }
}

}  // namespace netseen::decode::detail
