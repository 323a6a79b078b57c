// IPv6 (RFC 8200): fixed header, then the extension-header chain (hop-by-hop, routing,
// fragment, destination options, AH) up to the upper-layer protocol.
#include <fmt/format.h>

#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {
constexpr unsigned kMaxExtensionHeaders = 8;
}

void decode_ipv6(ByteReader r, Ctx& c) {
  Event& ev = c.ev;
  const std::size_t captured = r.remaining();
  auto vtcfl = r.u32be();
  auto plen = r.u16be();
  auto next = r.u8();
  auto hlim = r.u8();
  auto src = r.bytes(16);
  auto dst = r.bytes(16);
  if (!vtcfl || !plen || !next || !hlim || !src || !dst) {
    add_anomaly(ev, "ip_truncated", fmt::format("{} bytes of IPv6 header captured", captured));
    return;
  }
  if ((*vtcfl >> 28) != 6) {
    add_anomaly(ev, "ip_bad_version", fmt::format("version {} in an IPv6 packet", *vtcfl >> 28));
    return;
  }
  std::array<std::uint8_t, 16> a{}, b{};
  for (std::size_t i = 0; i < 16; ++i) {
    a[i] = (*src)[i];
    b[i] = (*dst)[i];
  }
  ev.ip_version = 6;
  ev.src = IpAddress::v6(a);
  ev.dst = IpAddress::v6(b);
  ev.ttl = *hlim;
  ev.has_ttl = true;
  ev.ip_len = 40U + *plen;
  bool cut = false;
  ByteReader payload = r.sub_clamped(*plen, &cut);
  if (*plen == 0) add_anomaly(ev, "ipv6_zero_payload_length");  // jumbogram or damage
  if (cut && !has_anomaly(ev, "snaplen_cut")) {
    add_anomaly(ev, "ip_length_exceeds_capture",
                fmt::format("payload length {} but {} bytes in the frame", *plen, captured - 40));
  }
  std::uint8_t nh = *next;
  std::size_t ext_len = 0;
  for (unsigned n = 0;; ++n) {
    if (n >= kMaxExtensionHeaders) {
      add_anomaly(ev, "ipv6_too_many_extension_headers");
      ev.protocol = nh;
      return;
    }
    if (nh == 0 || nh == 43 || nh == 60 || nh == 51 || nh == 44) {
      auto nn = payload.u8();
      auto len = payload.u8();
      if (!nn || !len) {
        add_anomaly(ev, "ipv6_extension_truncated");
        ev.protocol = nh;
        return;
      }
      std::size_t size = 0;
      if (nh == 44) {
        auto offflags = payload.u16be();
        auto ident = payload.u32be();
        if (!offflags || !ident) {
          add_anomaly(ev, "ipv6_extension_truncated");
          ev.protocol = nh;
          return;
        }
        const std::uint16_t offset = *offflags >> 3;
        ev.fragment = true;
        ev.later_fragment = offset != 0;
        ev.ip_id = static_cast<std::uint16_t>(*ident & 0xFFFF);
        size = 8;
      } else {
        size = nh == 51 ? (std::size_t{*len} + 2) * 4 : (std::size_t{*len} + 1) * 8;
        if (!payload.skip(size - 2)) {
          add_anomaly(ev, "ipv6_extension_truncated");
          ev.protocol = nh;
          return;
        }
      }
      ext_len += size;
      nh = *nn;
      continue;
    }
    break;
  }
  ev.protocol = nh;
  if (ev.later_fragment) return;
  c.pseudo_src = src->data();
  c.pseudo_dst = dst->data();
  c.addr_len = 16;
  c.ip_complete = !cut && !ev.fragment;
  c.ip_payload_declared = *plen >= ext_len ? static_cast<std::uint32_t>(*plen - ext_len) : 0U;
  if (nh == 59) return;  // no next header
  dispatch_ip_protocol(nh, payload, c);
}

}  // namespace netseen::decode::detail
