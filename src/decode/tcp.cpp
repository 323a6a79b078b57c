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
  auto sport = r.u16be();
  auto dport = r.u16be();
  auto seq = r.u32be();
  auto ack = r.u32be();
  auto off = r.u8();
  auto flags = r.u8();
  auto win = r.u16be();
  auto csum = r.u16be();
  auto urg = r.u16be();
  if (!sport || !dport) {
    add_anomaly(ev, "tcp_truncated");
    return;
  }
  ev.sport = *sport;
  ev.dport = *dport;
  if (!seq || !ack || !off || !flags || !win || !csum || !urg) {
    add_anomaly(ev, "tcp_truncated");
    return;
  }
  ev.tcp_seq = *seq;
  ev.tcp_ack = *ack;
  ev.tcp_flags = *flags;
  ev.tcp_window = *win;
  const std::size_t hlen = static_cast<std::size_t>(*off >> 4U) * 4;
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
    if (fold(s) != 0xFFFF) add_anomaly(ev, "tcp_bad_checksum", fmt::format("checksum 0x{:04x}", *csum));
  }
  ByteReader data = r.sub_clamped(ev.payload_len);
  ev.app_payload = data.rest();
  dispatch_tcp_payload(data, c);
}

}  // namespace netseen::decode::detail
