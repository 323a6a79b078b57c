// Ethernet II (and 802.3 frames, which become events without a network layer).
#include <cstring>

#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {
MacAddress read_mac(const std::uint8_t* p) noexcept {
  MacAddress m;
  std::memcpy(m.b.data(), p, 6);
  return m;
}
}  // namespace

const char* decode_ethernet(ByteReader r, Ctx& c) {
  auto fixed = r.bytes(14);  // one bounds check for both addresses and the type
  if (!fixed) return "truncated-link";
  const std::uint8_t* h = fixed->data();
  c.ev.dst_mac = read_mac(h);
  c.ev.src_mac = read_mac(h + 6);
  const std::uint16_t type = load_be16(h + 12);
  if (type <= 1500) {
    // 802.3 length field: LLC/SNAP follows. Only SNAP with an EtherType is followed.
    auto dsap = r.peek_u8(0), ssap = r.peek_u8(1), ctl = r.peek_u8(2);
    if (dsap && ssap && ctl && *dsap == 0xAA && *ssap == 0xAA && *ctl == 0x03) {
      r.skip(6);  // LLC (3) + OUI (3)
      if (auto snap_type = r.u16be()) {
        dispatch_ethertype(*snap_type, r.sub_clamped(type >= 8 ? type - 8U : 0U), c);
        return nullptr;
      }
    }
    return nullptr;  // an event with no network layer
  }
  dispatch_ethertype(type, r, c);
  return nullptr;
}

// 802.1Q / 802.1ad tag: TCI then the inner EtherType. Tags nest (QinQ); the outermost VLAN
// id is kept on the event.
void decode_vlan(ByteReader r, Ctx& c) {
  if (++c.nesting > 8) {
    add_anomaly(c.ev, "too_many_vlan_tags");
    return;
  }
  auto tci = r.u16be();
  auto type = r.u16be();
  if (!tci || !type) {
    add_anomaly(c.ev, "vlan_truncated");
    return;
  }
  if (c.ev.vlan == 0) c.ev.vlan = static_cast<std::uint16_t>(*tci & 0x0FFF);
  dispatch_ethertype(*type, r, c);
}

// ARP stays an event without IP addresses (ip_version 0); only its EtherType is kept.
void decode_arp(ByteReader r, Ctx& c) {
  if (r.remaining() < 8) add_anomaly(c.ev, "arp_truncated");
}

}  // namespace netseen::decode::detail
