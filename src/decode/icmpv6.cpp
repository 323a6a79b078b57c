// ICMPv6 (RFC 4443): type, code, checksum (with the IPv6 pseudo-header), echo identifiers,
// packet-too-big MTU, and the quoted original IPv6 packet inside error messages.
#include <fmt/format.h>

#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {

std::optional<Quoted> parse_quoted_v6(ByteReader q, Event& ev) {
  auto vtcfl = q.u32be();
  auto plen = q.u16be();
  auto next = q.u8();
  auto hlim = q.u8();
  auto src = q.bytes(16);
  auto dst = q.bytes(16);
  if (!vtcfl || !plen || !next || !hlim || !src || !dst) {
    add_anomaly(ev, "icmp_quote_truncated", "quoted IPv6 header incomplete");
    return std::nullopt;
  }
  if ((*vtcfl >> 28) != 6) {
    add_anomaly(ev, "icmp_quote_not_ipv6");
    return std::nullopt;
  }
  std::array<std::uint8_t, 16> a{}, b{};
  for (std::size_t i = 0; i < 16; ++i) {
    a[i] = (*src)[i];
    b[i] = (*dst)[i];
  }
  Quoted out;
  out.src = IpAddress::v6(a);
  out.dst = IpAddress::v6(b);
  out.ttl = *hlim;
  std::uint8_t nh = *next;
  for (unsigned n = 0; n < 8 && (nh == 0 || nh == 43 || nh == 60 || nh == 44); ++n) {
    auto nn = q.u8();
    auto len = q.u8();
    if (!nn || !len) break;
    const std::size_t size = nh == 44 ? 8 : (std::size_t{*len} + 1) * 8;
    if (!q.skip(size - 2)) break;
    nh = *nn;
  }
  out.protocol = nh;
  if (nh == 6 || nh == 17 || nh == 132) {
    auto sp = q.u16be();
    auto dp = q.u16be();
    if (sp && dp) {
      out.sport = *sp;
      out.dport = *dp;
      out.has_ports = true;
    }
  } else if (nh == 58) {
    auto t = q.u8();
    auto cd = q.u8();
    if (t && cd) out.icmp_type_code = static_cast<std::uint16_t>((*t << 8) | *cd);
  }
  return out;
}

}  // namespace

void decode_icmpv6(ByteReader r, Ctx& c) {
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
    const std::uint32_t s = sum16(whole.first(c.ip_payload_declared), pseudo_sum(c, 58, c.ip_payload_declared));
    if (fold(s) != 0xFFFF) add_anomaly(ev, "icmp_bad_checksum", fmt::format("checksum 0x{:04x}", *csum));
  }
  auto rest = r.bytes(4);
  if (!rest) {
    add_anomaly(ev, "icmp_truncated");
    return;
  }
  ByteReader h(*rest);
  if (*type == 128 || *type == 129) {
    icmp.id = h.u16be().value_or(0);
    icmp.seq = h.u16be().value_or(0);
  } else if (*type == 2) {
    const std::uint32_t mtu = h.u32be().value_or(0);
    icmp.mtu = mtu > 0xFFFF ? 0xFFFF : static_cast<std::uint16_t>(mtu);
  }
  if (*type >= 1 && *type <= 4) {
    if (r.empty()) {
      add_anomaly(ev, "icmp_no_quote", "error message without the original header");
      return;
    }
    icmp.quoted = parse_quoted_v6(r, ev);
  }
}

}  // namespace netseen::decode::detail
