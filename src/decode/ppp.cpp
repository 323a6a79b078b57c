// PPP (LINKTYPE_PPP, LINKTYPE_PPP_HDLC) and Cisco HDLC (LINKTYPE_C_HDLC): the PPP protocol
// field (or the HDLC EtherType) says which network layer follows.
#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {
std::uint16_t ppp_to_ethertype(std::uint16_t proto) noexcept {
  switch (proto) {
    case 0x0021: return 0x0800;  // IPv4
    case 0x0057: return 0x86DD;  // IPv6
    case 0x0281: return 0x8847;  // MPLS unicast
    case 0x0283: return 0x8848;  // MPLS multicast
    default: return 0;
  }
}
}  // namespace

const char* decode_ppp(ByteReader r, Ctx& c) {
  auto a = r.peek_u8(0), b = r.peek_u8(1);
  if (!a || !b) return "truncated-link";
  if (*a == 0xFF && *b == 0x03) r.skip(2);  // address and control (may be compressed away)
  auto first = r.u8();
  if (!first) return "truncated-link";
  std::uint16_t proto = *first;
  if ((*first & 0x01) == 0) {  // protocol field not compressed to one byte
    auto second = r.u8();
    if (!second) return "truncated-link";
    proto = static_cast<std::uint16_t>((*first << 8) | *second);
  }
  const std::uint16_t type = ppp_to_ethertype(proto);
  if (type != 0) dispatch_ethertype(type, r, c);
  return nullptr;
}

const char* decode_chdlc(ByteReader r, Ctx& c) {
  auto addr = r.u8();
  auto ctl = r.u8();
  auto type = r.u16be();
  if (!addr || !ctl || !type) return "truncated-link";
  dispatch_ethertype(*type, r, c);
  return nullptr;
}

// Frame Relay (LINKTYPE_FRELAY): a 2-byte Q.922 address, then either RFC 2427 (control 0x03
// and an NLPID) or the Cisco encapsulation (an EtherType).
const char* decode_frame_relay(ByteReader r, Ctx& c) {
  if (!r.skip(2)) return "truncated-link";
  auto ctl = r.peek_u8();
  if (!ctl) return "truncated-link";
  if (*ctl != 0x03) {
    auto type = r.u16be();
    if (!type) return "truncated-link";
    dispatch_ethertype(*type, r, c);
    return nullptr;
  }
  r.skip(1);
  auto nlpid = r.u8();
  if (nlpid && *nlpid == 0x00) nlpid = r.u8();  // optional pad
  if (!nlpid) return "truncated-link";
  if (*nlpid == 0xCC) dispatch_ethertype(0x0800, r, c);
  else if (*nlpid == 0x8E) dispatch_ethertype(0x86DD, r, c);
  else if (*nlpid == 0x80 && r.skip(3)) {
    if (auto type = r.u16be()) dispatch_ethertype(*type, r, c);
  }
  return nullptr;
}

// MPLS label stack (RFC 3032): labels until the bottom-of-stack bit, then IP by its version.
void decode_mpls(ByteReader r, Ctx& c) {
  for (unsigned n = 0;; ++n) {
    if (n >= 16) {
      add_anomaly(c.ev, "mpls_too_many_labels");
      return;
    }
    auto entry = r.u32be();
    if (!entry) {
      add_anomaly(c.ev, "mpls_truncated");
      return;
    }
    if ((*entry & 0x100U) != 0) break;
  }
  auto first = r.peek_u8();
  if (!first) return;
  if ((*first >> 4) == 4) decode_ipv4(r, c);
  else if ((*first >> 4) == 6) decode_ipv6(r, c);
}

}  // namespace netseen::decode::detail

namespace netseen::decode::detail {

// PPPoE session stage (RFC 2516, EtherType 0x8864): a 6-byte header, then a PPP protocol
// field. Discovery (0x8863) carries no network layer.
void decode_pppoe(ByteReader r, Ctx& c) {
  auto vt = r.u8();
  auto code = r.u8();
  auto session = r.u16be();
  auto len = r.u16be();
  auto proto = r.u16be();
  if (!vt || !code || !session || !len || !proto) {
    add_anomaly(c.ev, "pppoe_truncated");
    return;
  }
  ByteReader body = r.sub_clamped(*len >= 2 ? *len - 2U : 0U);
  if (*proto == 0x0021) decode_ipv4(body, c);
  else if (*proto == 0x0057) decode_ipv6(body, c);
}

}  // namespace netseen::decode::detail
