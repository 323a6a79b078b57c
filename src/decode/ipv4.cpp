// IPv4 (RFC 791): header, options skipped, header checksum verified, fragments flagged.
// Only the first fragment carries a transport header; later ones stop here.
#include <fmt/format.h>

#include "decode/layers.hpp"

namespace netseen::decode::detail {

void decode_ipv4(ByteReader r, Ctx& c) {
  Event& ev = c.ev;
  const Bytes whole = r.rest();
  // One bounds check for the fixed 20 bytes, then fixed offsets.
  auto fixed = r.bytes(20);
  if (!fixed) {
    add_anomaly(ev, "ip_truncated", fmt::format("{} bytes of IPv4 header captured", whole.size()));
    return;
  }
  const std::uint8_t* h = fixed->data();
  const std::uint8_t vihl = h[0];
  const std::uint16_t total = load_be16(h + 2);
  const std::uint16_t id = load_be16(h + 4);
  const std::uint16_t frag = load_be16(h + 6);
  const std::uint8_t ttl = h[8];
  const std::uint8_t proto = h[9];
  const std::uint16_t csum = load_be16(h + 10);
  const std::uint8_t* src = h + 12;
  const std::uint8_t* dst = h + 16;
  if ((vihl >> 4) != 4) {
    add_anomaly(ev, "ip_bad_version", fmt::format("version {} in an IPv4 packet", vihl >> 4));
    return;
  }
  ev.ip_version = 4;
  ev.src.assign_v4(src);
  ev.dst.assign_v4(dst);
  ev.protocol = proto;
  ev.ttl = ttl;
  ev.has_ttl = true;
  ev.ip_id = id;
  ev.has_ip_id = true;
  ev.ip_len = total;
  ev.dont_fragment = (frag & 0x4000) != 0;
  const std::uint16_t offset = frag & 0x1FFF;
  ev.fragment = (frag & 0x2000) != 0 || offset != 0;
  ev.later_fragment = offset != 0;

  const std::size_t ihl = std::size_t{vihl & 0x0FU} * 4;
  if (ihl < 20) {
    add_anomaly(ev, "ip_bad_header_length", fmt::format("IHL {} bytes", ihl));
    return;
  }
  if (!r.skip(ihl - 20)) {
    add_anomaly(ev, "ip_truncated", "options cut by the capture");
    return;
  }
  if (c.opt.verify_checksums && fold(sum16(whole.first(ihl))) != 0xFFFF) {
    add_anomaly(ev, "ip_bad_checksum", fmt::format("header checksum 0x{:04x}", csum));
  }
  std::size_t declared = 0;
  if (total < ihl) {
    add_anomaly(ev, "ip_bad_total_length", fmt::format("total length {} below header length {}", total, ihl));
    declared = r.remaining();
  } else {
    declared = total - ihl;
  }
  bool cut = false;
  ByteReader payload = r.sub_clamped(declared, &cut);
  if (cut && !has_anomaly(ev, "snaplen_cut")) {
    add_anomaly(ev, "ip_length_exceeds_capture",
                fmt::format("total length {} but {} bytes in the frame", total, whole.size()));
  }
  if (ev.later_fragment) return;  // no transport header in later fragments

  c.pseudo_src = src;
  c.pseudo_dst = dst;
  c.addr_len = 4;
  c.ip_complete = !cut;
  c.ip_payload_declared = static_cast<std::uint32_t>(declared);
  if (ev.fragment) c.ip_complete = false;  // a first fragment: checksums cover the whole datagram
  dispatch_ip_protocol(proto, payload, c);
}

}  // namespace netseen::decode::detail
