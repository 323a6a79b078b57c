// Adapter: NBNS messages (udp/137, and NBNS-shaped payloads on any UDP port) parsed by
// src/netbios and summarised onto Event::nbns. The full message stays available to
// renderers through Event::app_payload.
#include <fmt/format.h>

#include "core/limits.hpp"
#include "decode/layers.hpp"
#include "netbios/nbns.hpp"

namespace netseen::decode::detail {

namespace {

constexpr std::size_t kMaxNbAddresses = 32;

NbName to_nb_name(const netbios::NetbiosName& n) {
  NbName out;
  out.raw = n.raw;
  out.scope = n.scope;
  return out;
}

}  // namespace

void decode_nbns(ByteReader r, Ctx& c) {
  Event& ev = c.ev;
  const Bytes msg = r.rest();
  auto parsed = netbios::parse_nbns(msg);
  if (!parsed) {
    add_anomaly(ev, "nbns_malformed", parsed.error().message());
    if (msg.size() < netbios::NbnsHeader::kWireSize) return;
    // The header alone still says what was attempted.
    ByteReader h(msg);
    const std::uint16_t id = h.u16be().value_or(0);
    const std::uint16_t flags = h.u16be().value_or(0);
    const auto hdr = netbios::NbnsHeader::from_flags_word(id, flags);
    ev.app = App::Nbns;
    Nbns& n = ev.nbns.emplace();
    n.id = hdr.id;
    n.response = hdr.response;
    n.opcode = hdr.opcode;
    n.nm_flags = hdr.nm_flags;
    n.rcode = hdr.rcode;
    n.qdcount = h.u16be().value_or(0);
    n.ancount = h.u16be().value_or(0);
    n.nscount = h.u16be().value_or(0);
    n.arcount = h.u16be().value_or(0);
    return;
  }
  const netbios::NbnsMessage& m = *parsed;
  ev.app = App::Nbns;
  Nbns& n = ev.nbns.emplace();
  n.id = m.header.id;
  n.response = m.header.response;
  n.opcode = m.header.opcode;
  n.nm_flags = m.header.nm_flags;
  n.rcode = m.header.rcode;
  n.qdcount = m.header.qdcount;
  n.ancount = m.header.ancount;
  n.nscount = m.header.nscount;
  n.arcount = m.header.arcount;
  if (!m.questions.empty()) {
    n.question = to_nb_name(m.questions.front().name);
    n.qtype = m.questions.front().type;
  } else if (!m.answers.empty() && m.answers.front().name_is_netbios) {
    // Responses carry no question: the answer's owner name is the name asked about.
    n.question = to_nb_name(m.answers.front().name);
    n.qtype = m.answers.front().type;
  }
  auto take_records = [&](const std::vector<netbios::NbnsResourceRecord>& rrs) {
    for (const auto& rr : rrs) {
      for (const auto& a : rr.addresses) {
        if (n.nb_addresses.size() < kMaxNbAddresses) n.nb_addresses.push_back(IpAddress::v4(a.address));
      }
      if (rr.node_status) {
        for (const auto& nn : rr.node_status->names) {
          if (n.node_status_names.size() >= limits::kMaxNodeStatusNames) break;
          NbName x;
          x.raw = nn.raw;
          x.flags = nn.flags;
          x.has_flags = true;
          n.node_status_names.push_back(std::move(x));
        }
        if (rr.node_status->statistics) n.unit_id = rr.node_status->statistics->unit_id;
      }
    }
  };
  take_records(m.answers);
  take_records(m.additional);
  // A registration (its additional record) or a positive answer (its answer record) says
  // whether the name is unique or a group name: the NB_FLAGS of the first address entry.
  if (n.question) {
    for (const auto* rrs : {&m.additional, &m.answers}) {
      for (const auto& rr : *rrs) {
        if (!rr.name_is_netbios || rr.addresses.empty() || rr.name.raw != n.question->raw) continue;
        n.question->flags = rr.addresses.front().nb_flags;
        n.question->has_flags = true;
        break;
      }
      if (n.question->has_flags) break;
    }
  }
  for (const auto& d : m.diagnostics) add_anomaly(ev, d.id.c_str(), d.detail);
}

}  // namespace netseen::decode::detail
