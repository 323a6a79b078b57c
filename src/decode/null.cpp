// BSD loopback (LINKTYPE_NULL: address family in the capturing host's byte order) and
// OpenBSD loopback (LINKTYPE_LOOP: network byte order).
#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {
// AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD),
// 30 (macOS).
std::uint16_t family_to_ethertype(std::uint32_t af) noexcept {
  switch (af) {
    case 2: return 0x0800;
    case 10:
    case 24:
    case 28:
    case 30: return 0x86DD;
    default: return 0;
  }
}
}  // namespace

const char* decode_null(ByteReader r, Ctx& c, bool network_order) {
  auto b = r.bytes(4);
  if (!b) return "truncated-link";
  const std::uint32_t be = (std::uint32_t{(*b)[0]} << 24) | (std::uint32_t{(*b)[1]} << 16) |
                           (std::uint32_t{(*b)[2]} << 8) | (*b)[3];
  const std::uint32_t le = (std::uint32_t{(*b)[3]} << 24) | (std::uint32_t{(*b)[2]} << 16) |
                           (std::uint32_t{(*b)[1]} << 8) | (*b)[0];
  // The writer's byte order is unknown for LINKTYPE_NULL: the family is a small number,
  // so whichever reading is small is the right one.
  const std::uint32_t af = network_order ? be : (le < 0x10000 ? le : be);
  const std::uint16_t type = family_to_ethertype(af);
  if (type != 0) dispatch_ethertype(type, r, c);
  return nullptr;
}

// Raw IP: the version nibble says which.
const char* decode_raw(ByteReader r, Ctx& c) {
  auto first = r.peek_u8();
  if (!first) return "truncated-link";
  const unsigned version = *first >> 4;
  if (version == 4) dispatch_ethertype(0x0800, r, c);
  else if (version == 6) dispatch_ethertype(0x86DD, r, c);
  else add_anomaly(c.ev, "raw_unknown_ip_version");
  return nullptr;
}

}  // namespace netseen::decode::detail
