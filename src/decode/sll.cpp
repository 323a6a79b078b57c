// Linux "cooked" capture, version 1 (LINKTYPE_LINUX_SLL, 16-byte header).
#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {
constexpr std::uint16_t kArphrdEther = 1;
}

const char* decode_sll(ByteReader r, Ctx& c) {
  auto pkttype = r.u16be();
  auto hatype = r.u16be();
  auto halen = r.u16be();
  auto addr = r.bytes(8);
  auto proto = r.u16be();
  if (!pkttype || !hatype || !halen || !addr || !proto) return "truncated-link";
  if (*hatype == kArphrdEther && *halen == 6) {
    MacAddress m;
    for (std::size_t i = 0; i < 6; ++i) m.b[i] = (*addr)[i];
    c.ev.src_mac = m;
  }
  if (*pkttype == 4) c.ev.direction = Direction::Outbound;  // PACKET_OUTGOING
  else if (*pkttype <= 2) c.ev.direction = Direction::Inbound;  // host, broadcast, multicast
  if (*proto > 1500) dispatch_ethertype(*proto, r, c);
  return nullptr;
}

}  // namespace netseen::decode::detail
