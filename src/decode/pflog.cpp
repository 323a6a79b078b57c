// OpenBSD/FreeBSD pflog (LINKTYPE_PFLOG): the packet filter's header carries the action,
// the rule number and the direction; they go onto the event like a firewall log's.
#include <fmt/format.h>

#include <string>

#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {
constexpr std::size_t kMinHeader = 45;  // up to and including the rule numbers

std::string fixed_string(Bytes b) {
  std::size_t n = 0;
  while (n < b.size() && b[n] != 0) ++n;
  return std::string(reinterpret_cast<const char*>(b.data()), n);  // NOLINT: bytes as text
}
}  // namespace

const char* decode_pflog(ByteReader r, Ctx& c) {
  auto length = r.peek_u8();
  if (!length || *length < kMinHeader) return "truncated-link";
  const std::size_t hdr_len = (std::size_t{*length} + 3U) & ~std::size_t{3};
  auto hdr_r = r.sub(hdr_len);
  if (!hdr_r) return "truncated-link";
  ByteReader h = *hdr_r;
  h.skip(1);
  auto af = h.u8();
  auto action = h.u8();
  auto reason = h.u8();
  auto ifname = h.bytes(16);
  auto ruleset = h.bytes(16);
  auto rulenr = h.u32be();
  auto subrulenr = h.u32be();
  if (!af || !action || !reason || !ifname || !ruleset || !rulenr || !subrulenr) return "truncated-link";
  std::uint8_t dir = 0;
  if (*length >= 61 && h.skip(16)) dir = h.u8().value_or(0);

  Event& ev = c.ev;
  switch (*action) {
    case 0: ev.action = Action::Accept; break;           // PF_PASS
    case 1: ev.action = Action::Drop; break;             // PF_DROP
    case 10: ev.action = Action::Drop; break;            // PF_SYNPROXY_DROP
    default: ev.action = Action::Unknown; break;         // scrub, nat, rdr, …
  }
  if (dir == 1) ev.direction = Direction::Inbound;
  else if (dir == 2) ev.direction = Direction::Outbound;
  std::string iface = fixed_string(*ifname);
  if (ev.direction == Direction::Outbound) ev.out_iface = std::move(iface);
  else ev.in_iface = std::move(iface);
  const std::string set = fixed_string(*ruleset);
  std::string rule = *rulenr == 0xFFFFFFFFU ? std::string("-") : std::to_string(*rulenr);
  if (*subrulenr != 0xFFFFFFFFU) rule += fmt::format(".{}", *subrulenr);
  ev.rule = set.empty() ? rule : set + "/" + rule;

  if (*af == 2) dispatch_ethertype(0x0800, r, c);
  else if (*af == 10 || *af == 24 || *af == 28 || *af == 30) dispatch_ethertype(0x86DD, r, c);
  return nullptr;
}

}  // namespace netseen::decode::detail
