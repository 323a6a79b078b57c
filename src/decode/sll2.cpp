// Linux "cooked" capture, version 2 (LINKTYPE_LINUX_SLL2, 20-byte header).
#include "decode/layers.hpp"

namespace netseen::decode::detail {

const char* decode_sll2(ByteReader r, Ctx& c) {
  auto proto = r.u16be();
  auto reserved = r.u16be();
  auto ifindex = r.u32be();
  auto hatype = r.u16be();
  auto pkttype = r.u8();
  auto halen = r.u8();
  auto addr = r.bytes(8);
  if (!proto || !reserved || !ifindex || !hatype || !pkttype || !halen || !addr) return "truncated-link";
  if (*hatype == 1 && *halen == 6) {
    MacAddress m;
    for (std::size_t i = 0; i < 6; ++i) m.b[i] = (*addr)[i];
    c.ev.src_mac = m;
  }
  if (*pkttype == 4) c.ev.direction = Direction::Outbound;
  else if (*pkttype <= 2) c.ev.direction = Direction::Inbound;
  if (*proto > 1500) dispatch_ethertype(*proto, r, c);
  return nullptr;
}

}  // namespace netseen::decode::detail
