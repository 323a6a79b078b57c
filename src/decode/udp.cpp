// UDP (RFC 768): ports, length, checksum (with the IP pseudo-header), then the payload to
// the application table.
#include <fmt/format.h>

#include "decode/layers.hpp"

namespace netseen::decode::detail {

void decode_udp(ByteReader r, Ctx& c) {
  Event& ev = c.ev;
  const Bytes whole = r.rest();
  auto fixed = r.bytes(8);  // one bounds check for the fixed header
  if (!fixed) {
    add_anomaly(ev, "udp_truncated");
    return;
  }
  const std::uint8_t* h = fixed->data();
  const std::uint16_t len = load_be16(h + 4);
  const std::uint16_t csum = load_be16(h + 6);
  ev.sport = load_be16(h);
  ev.dport = load_be16(h + 2);
  std::size_t body = 0;
  if (len < 8) {
    add_anomaly(ev, "udp_bad_length", fmt::format("length {}", len));
    body = r.remaining();
  } else {
    body = len - 8U;
    if (c.ip_complete && len > c.ip_payload_declared) {
      add_anomaly(ev, "udp_length_exceeds_ip",
                  fmt::format("UDP length {} but {} bytes of IP payload", len, c.ip_payload_declared));
    }
  }
  ev.payload_len = static_cast<std::uint32_t>(body);
  bool cut = false;
  ByteReader payload = r.sub_clamped(body, &cut);
  if (c.opt.verify_checksums && c.ip_complete && !cut && len >= 8 && len <= whole.size()) {
    if (csum == 0) {
      if (c.addr_len == 16) add_anomaly(ev, "udp_zero_checksum_ipv6");
    } else {
      const std::uint32_t s = sum16(whole.first(len), pseudo_sum(c, 17, len));
      if (fold(s) != 0xFFFF) add_anomaly(ev, "udp_bad_checksum", fmt::format("checksum 0x{:04x}", csum));
    }
  }
  ev.app_payload = payload.rest();
  dispatch_udp_payload(payload, c);
}

}  // namespace netseen::decode::detail
