// TCP (RFC 9293): ports, sequence numbers, flags, window, options walked and checked,
// checksum with the IP pseudo-header; the segment's data goes to the application table.
#include <fmt/format.h>

#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {
constexpr unsigned kMaxOptions = 40;

// Walks the option list; returns false when an option's length is impossible.
bool check_options(ByteReader o) {
  for (unsigned n = 0; n < kMaxOptions && !o.empty(); ++n) {
    auto kind = o.u8();
    if (*kind == 0) return true;  // end of list
    if (*kind == 1) continue;     // no-op
    auto len = o.u8();
    if (!len || *len < 2 || !o.skip(*len - 2U)) return false;
  }
  return true;
}
}  // namespace

void decode_tcp(ByteReader r, Ctx& c) {
  Event& ev = c.ev;
  const Bytes whole = r.rest();
  auto fixed = r.bytes(20);  // one bounds check for the fixed header
  if (!fixed) {
    // Ports are kept when at least they were captured.
    const auto sport = r.peek_u16be(0);
    const auto dport = r.peek_u16be(2);
    if (sport && dport) {
      ev.sport = *sport;
      ev.dport = *dport;
    }
    add_anomaly(ev, "tcp_truncated");
    return;
  }
  const std::uint8_t* h = fixed->data();
  ev.sport = load_be16(h);
  ev.dport = load_be16(h + 2);
  ev.tcp_seq = load_be32(h + 4);
  ev.tcp_ack = load_be32(h + 8);
  const std::uint8_t off = h[12];
  ev.tcp_flags = h[13];
  ev.tcp_window = load_be16(h + 14);
  const std::uint16_t csum = load_be16(h + 16);
  const std::size_t hlen = static_cast<std::size_t>(off >> 4U) * 4;
  if (hlen < 20) {
    add_anomaly(ev, "tcp_bad_header_length", fmt::format("data offset {} bytes", hlen));
    return;
  }
  auto opts = r.sub(hlen - 20);
  if (!opts) {
    add_anomaly(ev, "tcp_truncated", "options cut by the capture");
    return;
  }
  if (!check_options(*opts)) add_anomaly(ev, "tcp_bad_options");
  const std::uint32_t seg_len = c.ip_payload_declared;
  if (c.ip_complete || seg_len != 0) {
    ev.payload_len = seg_len >= hlen ? seg_len - static_cast<std::uint32_t>(hlen) : 0U;
    if (seg_len < hlen && c.ip_complete) add_anomaly(ev, "tcp_header_exceeds_ip");
  } else {
    ev.payload_len = static_cast<std::uint32_t>(r.remaining());
  }
  if (c.opt.verify_checksums && c.ip_complete && seg_len >= hlen && seg_len <= whole.size()) {
    const std::uint32_t s = sum16(whole.first(seg_len), pseudo_sum(c, 6, seg_len));
    if (fold(s) != 0xFFFF) add_anomaly(ev, "tcp_bad_checksum", fmt::format("checksum 0x{:04x}", csum));
  }
  ByteReader data = r.sub_clamped(ev.payload_len);
  ev.app_payload = data.rest();
  dispatch_tcp_payload(data, c);
}

}  // namespace netseen::decode::detail
