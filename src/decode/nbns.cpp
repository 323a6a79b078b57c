// Adapter: NBNS messages (udp/137, and NBNS-shaped payloads on any UDP port) summarised onto
// Event::nbns. The common, clean message is summarised straight from netbios::walk_nbns (no
// vectors, no strings); anything else goes through the full netbios::parse_nbns. The full
// message stays available to renderers through Event::app_payload.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

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

// The summary built straight from walk_nbns: the same fields decode_nbns_full takes from
// the parsed message, in the same order and under the same caps.
class Summary final : public netbios::NbnsVisitor {
 public:
  explicit Summary(Nbns& n) : n_(n) {}

  void on_header(const netbios::NbnsHeader& h) override {
    n_.id = h.id;
    n_.response = h.response;
    n_.opcode = h.opcode;
    n_.nm_flags = h.nm_flags;
    n_.rcode = h.rcode;
    n_.qdcount = h.qdcount;
    n_.ancount = h.ancount;
    n_.nscount = h.nscount;
    n_.arcount = h.arcount;
  }

  void on_question(const netbios::NbnsNameRef& name, std::uint16_t type) override {
    if (questions_++ != 0) return;  // the first question is the one asked about
    set_question(name, type);
  }

  void on_record(netbios::NbnsSection section, const netbios::NbnsNameRef& owner, std::uint16_t type) override {
    section_ = section;
    first_address_ = true;
    // Responses carry no question: the first answer's owner name is the name asked about.
    if (section == netbios::NbnsSection::Answer && answers_++ == 0 && questions_ == 0) set_question(owner, type);
    owner_is_question_ = n_.question && owner.raw == n_.question->raw;
  }

  void on_address(netbios::NbnsSection section, const netbios::NbAddress& a) override {
    if (section == netbios::NbnsSection::Authority) return;
    if (n_.nb_addresses.size() < kMaxNbAddresses) n_.nb_addresses.push_back(IpAddress::v4(a.address));
    if (!first_address_) return;
    first_address_ = false;
    // The NB_FLAGS of the first address of a record for the question name: unique or group.
    if (!owner_is_question_) return;
    auto& slot = section_ == netbios::NbnsSection::Additional ? additional_flags_ : answer_flags_;
    if (!slot) slot = a.nb_flags;
  }

  void on_node_status(netbios::NbnsSection section, std::size_t names) override {
    if (section == netbios::NbnsSection::Authority) return;
    auto& v = n_.node_status_names;
    v.reserve(std::min(v.size() + names, limits::kMaxNodeStatusNames));  // one allocation per table
  }

  void on_node_name(netbios::NbnsSection section, const netbios::NodeName& nn) override {
    if (section == netbios::NbnsSection::Authority) return;
    if (n_.node_status_names.size() >= limits::kMaxNodeStatusNames) return;
    NbName& x = n_.node_status_names.emplace_back();
    x.raw = nn.raw;
    x.flags = nn.flags;
    x.has_flags = true;
  }

  void on_unit_id(netbios::NbnsSection section, const MacAddress& unit_id) override {
    if (section != netbios::NbnsSection::Authority) n_.unit_id = unit_id;
  }

  // After a complete walk: a registration's additional record wins over an answer record.
  void finish() {
    if (!n_.question) return;
    const auto& flags = additional_flags_ ? additional_flags_ : answer_flags_;
    if (!flags) return;
    n_.question->flags = *flags;
    n_.question->has_flags = true;
  }

 private:
  void set_question(const netbios::NbnsNameRef& name, std::uint16_t type) {
    NbName& q = n_.question.emplace();
    q.raw = name.raw;
    if (name.has_scope) q.scope = name.scope();
    n_.qtype = type;
  }

  Nbns& n_;
  std::size_t questions_ = 0, answers_ = 0;
  netbios::NbnsSection section_ = netbios::NbnsSection::Question;
  bool first_address_ = false;
  bool owner_is_question_ = false;
  std::optional<std::uint16_t> additional_flags_, answer_flags_;
};

// The NBNS part from the 12-byte header only (counts as declared, no records); no part when
// fewer than 12 bytes are there.
void header_only(Bytes msg, Event& ev) {
  ByteReader h(msg);
  const auto id = h.u16be(), flags = h.u16be(), qd = h.u16be(), an = h.u16be(), ns = h.u16be(), ar = h.u16be();
  if (!ar) return;
  const auto hdr = netbios::NbnsHeader::from_flags_word(*id, *flags);
  ev.app = App::Nbns;
  Nbns& n = ev.nbns.emplace();
  n.id = hdr.id;
  n.response = hdr.response;
  n.opcode = hdr.opcode;
  n.nm_flags = hdr.nm_flags;
  n.rcode = hdr.rcode;
  n.qdcount = *qd;
  n.ancount = *an;
  n.nscount = *ns;
  n.arcount = *ar;
}

}  // namespace

void decode_nbns(ByteReader r, Ctx& c) {
  Event& ev = c.ev;
  // The header alone (Depth::Headers) as every path below fills it: a part exactly when
  // the 12 bytes are there.
  if (!want(c, Depth::Application)) {
    header_only(r.rest(), ev);
    return;
  }
  Nbns& n = ev.nbns.emplace();
  if (c.spare != nullptr) {
    reuse_buffer(n.nb_addresses, c.spare->nb_addresses);
    reuse_buffer(n.node_status_names, c.spare->node_status_names);
  }
  Summary summary(n);
  if (netbios::walk_nbns(r.rest(), summary)) {
    summary.finish();
    ev.app = App::Nbns;
    return;
  }
  // Anything out of the ordinary: the full parser, whose errors and diagnostics are the reference.
  ev.nbns.reset();
  decode_nbns_full(r, c);
}

void decode_nbns_full(ByteReader r, Ctx& c) {
  Event& ev = c.ev;
  const Bytes msg = r.rest();
  auto parsed = netbios::parse_nbns(msg);
  if (!parsed) {
    add_anomaly(ev, "nbns_malformed", parsed.error().message());
    header_only(msg, ev);  // the header alone still says what was attempted
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
