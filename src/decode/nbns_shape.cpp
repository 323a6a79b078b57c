// Recognising NBNS by content: an NBSTAT query sent to udp/53 is still NBNS. A shape test
// only (header counts, a 32-letter first-level-encoded name, NB/NBSTAT type, class IN);
// parsing is src/netbios's.
#include "decode/layers.hpp"

namespace netseen::decode::detail {

bool looks_like_nbns(Bytes payload) noexcept {
  ByteReader r(payload);
  if (!r.skip(4)) return false;
  auto qd = r.u16be();
  auto an = r.u16be();
  if (!qd || !an || !r.skip(4)) return false;
  if (*qd + *an == 0 || *qd > 1) return false;
  auto len = r.u8();
  if (!len || *len != 0x20) return false;
  auto letters = r.bytes(32);
  if (!letters) return false;
  for (const std::uint8_t ch : *letters) {
    if (ch < 'A' || ch > 'P') return false;
  }
  // Scope labels, bounded.
  for (unsigned n = 0; n < 8; ++n) {
    auto l = r.u8();
    if (!l) return false;
    if (*l == 0) break;
    if (*l > 63 || !r.skip(*l)) return false;
  }
  auto type = r.u16be();
  auto cls = r.u16be();
  return type && cls && (*type == 0x0020 || *type == 0x0021) && *cls == 0x0001;
}

}  // namespace netseen::decode::detail
