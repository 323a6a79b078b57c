#include "netbios/nbns.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/limits.hpp"

namespace netseen::netbios {

namespace {

constexpr std::string_view kLayer = "nbns";
constexpr std::size_t kNodeNameEntrySize = 18;

void add_diag(std::vector<Diagnostic>& out, std::string id, std::size_t offset, std::string detail) {
  out.push_back(Diagnostic{std::move(id), offset, std::move(detail)});
}

std::uint16_t be16(Bytes b, std::size_t at) noexcept {
  return static_cast<std::uint16_t>((static_cast<unsigned>(b[at]) << 8) | b[at + 1]);
}
std::uint32_t be32(Bytes b, std::size_t at) noexcept {
  return (static_cast<std::uint32_t>(b[at]) << 24) | (static_cast<std::uint32_t>(b[at + 1]) << 16) |
         (static_cast<std::uint32_t>(b[at + 2]) << 8) | b[at + 3];
}

// Decodes the statistics fields whose bytes are all present (`s` holds 0..46 bytes).
NodeStatistics decode_statistics(Bytes s) {
  NodeStatistics st;
  ByteReader r(s);
  std::array<std::uint8_t, 6> mac{};
  if (!r.read_into(mac)) return st;
  st.unit_id.b = mac;
  auto u8 = [&r](std::uint8_t& f) {
    if (auto v = r.u8()) f = *v;
  };
  auto u16 = [&r](std::uint16_t& f) {
    if (auto v = r.u16be()) f = *v;
  };
  auto u32 = [&r](std::uint32_t& f) {
    if (auto v = r.u32be()) f = *v;
  };
  u8(st.jumpers);
  u8(st.test_result);
  u16(st.version_number);
  u16(st.period_of_statistics);
  u16(st.number_of_crcs);
  u16(st.number_alignment_errors);
  u16(st.number_of_collisions);
  u16(st.number_send_aborts);
  u32(st.number_good_sends);
  u32(st.number_good_receives);
  u16(st.number_retransmits);
  u16(st.number_no_resource_conditions);
  u16(st.number_free_command_blocks);
  u16(st.total_number_command_blocks);
  u16(st.max_total_number_command_blocks);
  u16(st.number_pending_sessions);
  u16(st.max_number_pending_sessions);
  u16(st.max_total_sessions_possible);
  u16(st.session_data_packet_size);
  return st;
}

void write_statistics(ByteWriter& w, const NodeStatistics& st) {
  w.bytes(Bytes(st.unit_id.b));
  w.u8(st.jumpers);
  w.u8(st.test_result);
  w.u16be(st.version_number);
  w.u16be(st.period_of_statistics);
  w.u16be(st.number_of_crcs);
  w.u16be(st.number_alignment_errors);
  w.u16be(st.number_of_collisions);
  w.u16be(st.number_send_aborts);
  w.u32be(st.number_good_sends);
  w.u32be(st.number_good_receives);
  w.u16be(st.number_retransmits);
  w.u16be(st.number_no_resource_conditions);
  w.u16be(st.number_free_command_blocks);
  w.u16be(st.total_number_command_blocks);
  w.u16be(st.max_total_number_command_blocks);
  w.u16be(st.number_pending_sessions);
  w.u16be(st.max_number_pending_sessions);
  w.u16be(st.max_total_sessions_possible);
  w.u16be(st.session_data_packet_size);
}

NodeStatus decode_node_status(Bytes rdata, std::size_t rdata_offset, std::vector<Diagnostic>& diags) {
  NodeStatus ns;
  if (rdata.empty()) {
    add_diag(diags, "nbns_node_status_empty", rdata_offset, "NBSTAT RDATA holds no NUM_NAMES byte");
    return ns;
  }
  ns.num_names = rdata[0];
  const std::size_t available = (rdata.size() - 1) / kNodeNameEntrySize;  // bounded by bytes present
  const std::size_t present = std::min<std::size_t>(ns.num_names, available);
  ns.names.reserve(present);
  for (std::size_t i = 0; i < present; ++i) {
    const std::size_t at = 1 + i * kNodeNameEntrySize;
    NodeName e;
    std::copy_n(rdata.begin() + static_cast<std::ptrdiff_t>(at), 16, e.raw.begin());
    e.flags = be16(rdata, at + 16);
    ns.names.push_back(e);
  }
  if (present < ns.num_names) {
    add_diag(diags, "nbns_node_status_names_truncated", rdata_offset + 1 + present * kNodeNameEntrySize,
             fmt::format("NUM_NAMES {} but only {} entries present", ns.num_names, present));
    return ns;  // no statistics after a cut name table
  }
  const std::size_t stats_at = 1 + present * kNodeNameEntrySize;
  const std::size_t rest = rdata.size() - stats_at;
  ns.statistics_bytes = std::min(rest, NodeStatistics::kWireSize);
  ns.trailing_bytes = rest - ns.statistics_bytes;
  if (ns.statistics_bytes >= 6) {
    ns.statistics = decode_statistics(rdata.subspan(stats_at, ns.statistics_bytes));
  }
  if (ns.statistics_bytes == 0) {
    add_diag(diags, "nbns_statistics_missing", rdata_offset + stats_at, "node status response without statistics");
  } else if (ns.statistics_bytes < NodeStatistics::kWireSize) {
    add_diag(diags, "nbns_statistics_short", rdata_offset + stats_at,
             fmt::format("statistics block is {} of 46 bytes", ns.statistics_bytes));
  }
  return ns;
}

// Parses one RR at r (r spans the whole message).
Result<NbnsResourceRecord> parse_rr(ByteReader& r, const NbnsHeader& h, const ParseOptions& opt,
                                    std::vector<Diagnostic>& diags) {
  NbnsResourceRecord rr;
  const std::size_t name_at = r.offset();
  const ByteReader name_start = r;
  std::string scope;
  auto span = scan_name(r, &scope);
  if (!span) return span.error();
  rr.name_compressed = span->compressed;
  const bool first_is_netbios = span->labels > 0 && span->first.size() == 32;
  const auto type_peek = r.peek_u16be();
  const bool dns_owner_ok = type_peek && *type_peek == static_cast<std::uint16_t>(RrType::A);
  if (!first_is_netbios && dns_owner_ok) {
    rr.name_is_netbios = false;
    ByteReader again = name_start;  // the same walk again, keeping every label this time
    auto labels = read_labels(again);
    if (!labels) return labels.error();
    rr.dns_name = labels->dotted();
  } else {
    auto name = name_from_span(*span, std::move(scope), opt.name_mode, name_at + 1);
    if (!name) return name.error();
    rr.name = std::move(*name);
  }
  const std::size_t fixed_at = r.offset();
  auto type = r.u16be();
  auto cls = r.u16be();
  auto ttl = r.u32be();
  auto rdlen = r.u16be();
  if (!type || !cls || !ttl || !rdlen) {
    return fail(ErrorKind::Truncated, kLayer, fixed_at, "resource record fixed fields cut short");
  }
  rr.type = *type;
  rr.rr_class = *cls;
  rr.ttl = *ttl;
  rr.rdlength = *rdlen;
  const std::size_t rdata_at = r.offset();
  const std::size_t rdata_pos = r.position();
  bool cut = false;
  ByteReader rd = r.sub_clamped(rr.rdlength, &cut);
  if (cut) {
    add_diag(diags, "nbns_rdata_truncated", rdata_at,
             fmt::format("RDLENGTH {} but {} bytes present", rr.rdlength, rd.size()));
  }
  const Bytes rdata = rd.whole();
  rr.rdata.assign(rdata.begin(), rdata.end());  // sub_clamped moved r past the RDATA

  if (h.opcode == static_cast<std::uint8_t>(Opcode::Wack) && h.response) {
    if (rdata.size() >= 2) {
      rr.wack_flags = be16(rdata, 0);
    } else {
      add_diag(diags, "nbns_wack_rdata_short", rdata_at, "WACK RDATA shorter than 2 bytes");
    }
    return rr;
  }
  switch (rr.type) {
    case static_cast<std::uint16_t>(RrType::NB): {
      const std::size_t n = rdata.size() / 6;
      rr.addresses.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        rr.addresses.push_back(NbAddress{be16(rdata, i * 6), be32(rdata, i * 6 + 2)});
      }
      if (rdata.size() % 6 != 0) {
        add_diag(diags, "nbns_nb_rdata_partial", rdata_at + n * 6,
                 fmt::format("{} bytes after the last whole ADDR_ENTRY", rdata.size() % 6));
      }
      break;
    }
    case static_cast<std::uint16_t>(RrType::NBSTAT):
      rr.node_status = decode_node_status(rdata, rdata_at, diags);
      break;
    case static_cast<std::uint16_t>(RrType::NS): {
      ByteReader nr(r.whole(), r.offset() - r.position());
      nr.seek(rdata_pos);
      auto nsd = read_labels(nr);
      if (nsd && nr.position() <= rdata_pos + rdata.size()) {
        rr.nsd_name = nsd->dotted();
      } else {
        add_diag(diags, "nbns_ns_rdata_bad", rdata_at, nsd ? "NSD_NAME runs past RDLENGTH" : nsd.error().detail);
      }
      break;
    }
    case static_cast<std::uint16_t>(RrType::A):
      if (rdata.size() >= 4) {
        rr.nsd_address = be32(rdata, 0);
      } else {
        add_diag(diags, "nbns_a_rdata_short", rdata_at, "A RDATA shorter than 4 bytes");
      }
      break;
    default:
      break;
  }
  return rr;
}

Result<void> write_rr(ByteWriter& w, const NbnsResourceRecord& rr, bool have_question) {
  if (!rr.name_is_netbios) {
    NETSEEN_TRY(write_dns_name(w, rr.dns_name));
  } else if (rr.name_compressed && have_question) {
    write_name_pointer(w, static_cast<std::uint16_t>(NbnsHeader::kWireSize));
  } else {
    write_name(w, rr.name);
  }
  w.u16be(rr.type);
  w.u16be(rr.rr_class);
  w.u32be(rr.ttl);
  const std::size_t len_at = w.size();
  w.u16be(0);
  const std::size_t start = w.size();
  if (!rr.rdata.empty()) {
    w.bytes(Bytes(rr.rdata));
  } else if (rr.wack_flags) {
    w.u16be(*rr.wack_flags);
  } else if (rr.type == static_cast<std::uint16_t>(RrType::NB)) {
    for (const auto& a : rr.addresses) {
      w.u16be(a.nb_flags);
      w.u32be(a.address);
    }
  } else if (rr.type == static_cast<std::uint16_t>(RrType::NBSTAT) && rr.node_status) {
    const auto& ns = *rr.node_status;
    w.u8(static_cast<std::uint8_t>(std::min<std::size_t>(ns.names.size(), 255)));
    for (std::size_t i = 0; i < ns.names.size() && i < 255; ++i) {
      w.bytes(Bytes(ns.names[i].raw));
      w.u16be(ns.names[i].flags);
    }
    if (ns.statistics) write_statistics(w, *ns.statistics);
  } else if (rr.type == static_cast<std::uint16_t>(RrType::NS)) {
    NETSEEN_TRY(write_dns_name(w, rr.nsd_name));
  } else if (rr.type == static_cast<std::uint16_t>(RrType::A) && rr.nsd_address) {
    w.u32be(*rr.nsd_address);
  }
  const std::size_t len = w.size() - start;
  if (len > 0xFFFF) return fail(ErrorKind::LimitExceeded, kLayer, start, "RDATA longer than 65535 bytes");
  w.patch_u16be(len_at, static_cast<std::uint16_t>(len));
  return Ok{};
}

NbnsHeader make_header(std::uint16_t id, bool response, Opcode op, std::uint8_t flags, std::uint8_t rcode = 0) {
  NbnsHeader h;
  h.id = id;
  h.response = response;
  h.opcode = static_cast<std::uint8_t>(op);
  h.nm_flags = flags;
  h.rcode = rcode;
  return h;
}

NbnsResourceRecord nb_rr(const NetbiosName& name, std::uint32_t ttl, std::span<const NbAddress> addrs,
                         bool pointer) {
  NbnsResourceRecord rr;
  rr.name = name;
  rr.name_compressed = pointer;
  rr.type = static_cast<std::uint16_t>(RrType::NB);
  rr.ttl = ttl;
  rr.addresses.assign(addrs.begin(), addrs.end());
  return rr;
}

Result<std::vector<std::uint8_t>> finish(NbnsMessage m) {
  m.header.qdcount = static_cast<std::uint16_t>(m.questions.size());
  m.header.ancount = static_cast<std::uint16_t>(m.answers.size());
  m.header.nscount = static_cast<std::uint16_t>(m.authority.size());
  m.header.arcount = static_cast<std::uint16_t>(m.additional.size());
  return serialize_nbns(m);
}

// A request with one question and one additional NB record written as a pointer.
Result<std::vector<std::uint8_t>> request_with_record(std::uint16_t id, Opcode op, std::uint8_t flags,
                                                      const NetbiosName& name, std::uint32_t ttl,
                                                      NbAddress address) {
  NbnsMessage m;
  m.header = make_header(id, false, op, flags);
  m.questions.push_back(NbnsQuestion{name, static_cast<std::uint16_t>(RrType::NB), kClassIn});
  m.additional.push_back(nb_rr(name, ttl, std::span<const NbAddress>(&address, 1), true));
  return finish(std::move(m));
}

Result<std::vector<std::uint8_t>> response_with_answer(std::uint16_t id, Opcode op, std::uint8_t flags,
                                                       std::uint8_t rcode, const NetbiosName& name,
                                                       std::uint32_t ttl, std::span<const NbAddress> addrs) {
  NbnsMessage m;
  m.header = make_header(id, true, op, flags, rcode);
  m.answers.push_back(nb_rr(name, ttl, addrs, false));
  return finish(std::move(m));
}

}  // namespace

std::string_view opcode_name(std::uint8_t opcode) noexcept {
  switch (opcode) {
    case 0: return "query";
    case 5: return "registration";
    case 6: return "release";
    case 7: return "wack";
    case 8: return "refresh";
    case 9: return "refresh_alt";
    case 15: return "multihomed_registration";
    default: return "unknown";
  }
}

std::string_view rcode_name(std::uint8_t rcode) noexcept {
  static constexpr std::string_view kNames[] = {"NOERROR", "FMT_ERR", "SRV_ERR", "NAM_ERR",
                                                "IMP_ERR", "RFS_ERR", "ACT_ERR", "CFT_ERR"};
  return rcode < 8 ? kNames[rcode] : "UNKNOWN";
}

std::string_view rcode_meaning(std::uint8_t rcode) noexcept {
  static constexpr std::string_view kMeanings[] = {
      "No error",          "Format error: request was invalidly formatted",
      "Server failure",    "Name error: the requested name does not exist",
      "Unsupported request", "Refused: policy prevents registering or releasing the name",
      "Active error: the name is owned by another node", "Name in conflict"};
  return rcode < 8 ? kMeanings[rcode] : "Unknown rcode";
}

char node_type_letter(NodeType t) noexcept {
  switch (t) {
    case NodeType::B: return 'B';
    case NodeType::P: return 'P';
    case NodeType::M: return 'M';
    case NodeType::H: return 'H';
  }
  return '?';
}

std::uint16_t NbnsHeader::flags_word() const noexcept {
  return static_cast<std::uint16_t>((response ? 0x8000U : 0U) | ((opcode & 0x0FU) << 11U) |
                                    ((nm_flags & 0x7FU) << 4U) | (rcode & 0x0FU));
}

NbnsHeader NbnsHeader::from_flags_word(std::uint16_t id, std::uint16_t flags) noexcept {
  NbnsHeader h;
  h.id = id;
  h.response = (flags & 0x8000U) != 0;
  h.opcode = static_cast<std::uint8_t>((flags >> 11U) & 0x0FU);
  h.nm_flags = static_cast<std::uint8_t>((flags >> 4U) & 0x7FU);
  h.rcode = static_cast<std::uint8_t>(flags & 0x0FU);
  return h;
}

std::string NodeName::display() const {
  NetbiosName n;
  n.raw = raw;
  return n.display();
}

std::string_view to_string(NbnsPacketKind k) noexcept {
  switch (k) {
    case NbnsPacketKind::Unknown: return "unknown";
    case NbnsPacketKind::NameQueryRequest: return "name_query_request";
    case NbnsPacketKind::PositiveNameQueryResponse: return "positive_name_query_response";
    case NbnsPacketKind::NegativeNameQueryResponse: return "negative_name_query_response";
    case NbnsPacketKind::RedirectNameQueryResponse: return "redirect_name_query_response";
    case NbnsPacketKind::NameRegistrationRequest: return "name_registration_request";
    case NbnsPacketKind::NameOverwriteRequest: return "name_overwrite_request";
    case NbnsPacketKind::NameRefreshRequest: return "name_refresh_request";
    case NbnsPacketKind::PositiveNameRegistrationResponse: return "positive_name_registration_response";
    case NbnsPacketKind::NegativeNameRegistrationResponse: return "negative_name_registration_response";
    case NbnsPacketKind::EndNodeChallengeResponse: return "end_node_challenge_registration_response";
    case NbnsPacketKind::NameConflictDemand: return "name_conflict_demand";
    case NbnsPacketKind::NameReleaseRequest: return "name_release_request";
    case NbnsPacketKind::PositiveNameReleaseResponse: return "positive_name_release_response";
    case NbnsPacketKind::NegativeNameReleaseResponse: return "negative_name_release_response";
    case NbnsPacketKind::WackResponse: return "wack_response";
    case NbnsPacketKind::NodeStatusRequest: return "node_status_request";
    case NbnsPacketKind::NodeStatusResponse: return "node_status_response";
    case NbnsPacketKind::MultiHomedRegistrationRequest: return "multihomed_registration_request";
  }
  return "unknown";
}

NbnsPacketKind NbnsMessage::kind() const noexcept {
  using K = NbnsPacketKind;
  const auto& h = header;
  const bool q_nbstat = !questions.empty() && questions.front().type == static_cast<std::uint16_t>(RrType::NBSTAT);
  if (!h.response) {
    switch (h.opcode) {
      case 0: return q_nbstat ? K::NodeStatusRequest : K::NameQueryRequest;
      case 5: return h.rd() ? K::NameRegistrationRequest : K::NameOverwriteRequest;
      case 6: return K::NameReleaseRequest;
      case 8:
      case 9: return K::NameRefreshRequest;
      case 15: return K::MultiHomedRegistrationRequest;
      default: return K::Unknown;
    }
  }
  const NbnsResourceRecord* an = answers.empty() ? nullptr : &answers.front();
  switch (h.opcode) {
    case 0: {
      if (q_nbstat || (an != nullptr && an->type == static_cast<std::uint16_t>(RrType::NBSTAT))) {
        return K::NodeStatusResponse;
      }
      if (h.rcode != 0) return K::NegativeNameQueryResponse;
      if (!authority.empty() || h.nscount > 0) return K::RedirectNameQueryResponse;
      if (an != nullptr && an->type == static_cast<std::uint16_t>(RrType::Null)) return K::NegativeNameQueryResponse;
      return K::PositiveNameQueryResponse;
    }
    case 5:
    case 8:
    case 9:
    case 15: {
      if (h.rcode == static_cast<std::uint8_t>(Rcode::Conflict) && an != nullptr && an->ttl == 0 &&
          !an->addresses.empty() && an->addresses.front().address == 0) {
        return K::NameConflictDemand;
      }
      if (h.rcode != 0) return K::NegativeNameRegistrationResponse;
      return h.ra() ? K::PositiveNameRegistrationResponse : K::EndNodeChallengeResponse;
    }
    case 6: return h.rcode == 0 ? K::PositiveNameReleaseResponse : K::NegativeNameReleaseResponse;
    case 7: return K::WackResponse;
    default: return K::Unknown;
  }
}

Result<NbnsMessage> parse_nbns(Bytes message, const ParseOptions& options) {
  NbnsMessage m;
  ByteReader r(message);
  if (message.size() < NbnsHeader::kWireSize) {
    return fail(ErrorKind::Truncated, kLayer, message.size(),
                fmt::format("header is {} bytes, needs 12", message.size()));
  }
  const std::uint16_t id = *r.u16be();
  const std::uint16_t flags = *r.u16be();
  m.header = NbnsHeader::from_flags_word(id, flags);
  m.header.qdcount = *r.u16be();
  m.header.ancount = *r.u16be();
  m.header.nscount = *r.u16be();
  m.header.arcount = *r.u16be();
  const std::uint16_t counts[4] = {m.header.qdcount, m.header.ancount, m.header.nscount, m.header.arcount};
  for (std::size_t i = 0; i < 4; ++i) {
    if (counts[i] > limits::kMaxNbnsRecords) {
      return fail(ErrorKind::LimitExceeded, kLayer, 4 + 2 * i,
                  fmt::format("section count {} exceeds {}", counts[i], limits::kMaxNbnsRecords));
    }
  }
  for (std::size_t i = 0; i < m.header.qdcount; ++i) {
    NbnsQuestion q;
    auto name = read_name(r, options.name_mode);
    if (!name) return name.error();
    q.name = std::move(*name);
    const std::size_t at = r.offset();
    auto type = r.u16be();
    auto cls = r.u16be();
    if (!type || !cls) return fail(ErrorKind::Truncated, kLayer, at, "question type/class cut short");
    q.type = *type;
    q.qclass = *cls;
    m.questions.push_back(std::move(q));
  }
  std::vector<NbnsResourceRecord>* sections[3] = {&m.answers, &m.authority, &m.additional};
  for (std::size_t s = 0; s < 3; ++s) {
    for (std::size_t i = 0; i < counts[s + 1]; ++i) {
      auto rr = parse_rr(r, m.header, options, m.diagnostics);
      if (!rr) return rr.error();
      sections[s]->push_back(std::move(*rr));
    }
  }
  // RFC 1002 §4.2.14 draws a negative query response with ANCOUNT 0 but an RR after the
  // header; some stacks send it so. Decode what follows a response whose counts are all 0.
  if (!r.empty() && m.header.response && m.header.qdcount == 0 && m.header.ancount == 0 &&
      m.header.nscount == 0 && m.header.arcount == 0) {
    const std::size_t at = r.offset();
    ByteReader probe = r;
    std::vector<Diagnostic> extra;
    auto rr = parse_rr(probe, m.header, options, extra);
    if (rr) {
      add_diag(m.diagnostics, "nbns_undeclared_record", at, "resource record present although ANCOUNT is 0");
      m.answers.push_back(std::move(*rr));
      for (auto& d : extra) m.diagnostics.push_back(std::move(d));
      r = probe;
    }
  }
  if (!r.empty()) {
    add_diag(m.diagnostics, "nbns_trailing_bytes", r.offset(), fmt::format("{} bytes after the last record", r.remaining()));
  }
  return m;
}

Result<std::vector<std::uint8_t>> serialize_nbns(const NbnsMessage& m) {
  ByteWriter w;
  w.u16be(m.header.id);
  w.u16be(m.header.flags_word());
  w.u16be(m.header.qdcount);
  w.u16be(m.header.ancount);
  w.u16be(m.header.nscount);
  w.u16be(m.header.arcount);
  for (const auto& q : m.questions) {
    write_name(w, q.name);
    w.u16be(q.type);
    w.u16be(q.qclass);
  }
  const bool have_q = !m.questions.empty();
  for (const auto* sec : {&m.answers, &m.authority, &m.additional}) {
    for (const auto& rr : *sec) NETSEEN_TRY(write_rr(w, rr, have_q));
  }
  return w.take();
}

std::vector<std::uint8_t> node_status_rdata(std::span<const NodeName> names, const NodeStatistics& stats) {
  ByteWriter w;
  const std::size_t n = std::min<std::size_t>(names.size(), limits::kMaxNodeStatusNames);
  w.u8(static_cast<std::uint8_t>(n));
  for (std::size_t i = 0; i < n; ++i) {
    w.bytes(Bytes(names[i].raw));
    w.u16be(names[i].flags);
  }
  write_statistics(w, stats);
  return w.take();
}

namespace build {

using namespace nm_flags;  // NOLINT(google-build-using-namespace)

Result<std::vector<std::uint8_t>> name_query_request(std::uint16_t id, const NetbiosName& name, bool broadcast,
                                                     bool recursion_desired) {
  NbnsMessage m;
  const auto f = static_cast<std::uint8_t>((recursion_desired ? kRD : 0) | (broadcast ? kB : 0));
  m.header = make_header(id, false, Opcode::Query, f);
  m.questions.push_back(NbnsQuestion{name, static_cast<std::uint16_t>(RrType::NB), kClassIn});
  return finish(std::move(m));
}

Result<std::vector<std::uint8_t>> positive_name_query_response(std::uint16_t id, const NetbiosName& name,
                                                               std::uint32_t ttl, std::span<const NbAddress> addresses,
                                                               bool recursion_available, bool truncated) {
  const auto f = static_cast<std::uint8_t>(kAA | kRD | (recursion_available ? kRA : 0) | (truncated ? kTC : 0));
  return response_with_answer(id, Opcode::Query, f, 0, name, ttl, addresses);
}

Result<std::vector<std::uint8_t>> negative_name_query_response(std::uint16_t id, const NetbiosName& name, Rcode rcode,
                                                               bool recursion_available) {
  NbnsMessage m;
  const auto f = static_cast<std::uint8_t>(kAA | kRD | (recursion_available ? kRA : 0));
  m.header = make_header(id, true, Opcode::Query, f, static_cast<std::uint8_t>(rcode));
  NbnsResourceRecord rr;
  rr.name = name;
  rr.type = static_cast<std::uint16_t>(RrType::Null);
  rr.ttl = 0;
  m.answers.push_back(std::move(rr));
  return finish(std::move(m));
}

Result<std::vector<std::uint8_t>> redirect_name_query_response(std::uint16_t id, const NetbiosName& name,
                                                               std::string_view nsd_name, std::uint32_t nsd_address,
                                                               std::uint32_t ttl) {
  NbnsMessage m;
  m.header = make_header(id, true, Opcode::Query, kRD);
  NbnsResourceRecord ns;
  ns.name = name;
  ns.type = static_cast<std::uint16_t>(RrType::NS);
  ns.ttl = ttl;
  ns.nsd_name = std::string(nsd_name);
  m.authority.push_back(std::move(ns));
  NbnsResourceRecord a;
  a.name_is_netbios = false;
  a.dns_name = std::string(nsd_name);
  a.type = static_cast<std::uint16_t>(RrType::A);
  a.ttl = ttl;
  a.nsd_address = nsd_address;
  m.additional.push_back(std::move(a));
  return finish(std::move(m));
}

Result<std::vector<std::uint8_t>> name_registration_request(std::uint16_t id, const NetbiosName& name,
                                                            std::uint32_t ttl, NbAddress address, bool broadcast) {
  return request_with_record(id, Opcode::Registration, static_cast<std::uint8_t>(kRD | (broadcast ? kB : 0)), name,
                             ttl, address);
}

Result<std::vector<std::uint8_t>> name_overwrite_request(std::uint16_t id, const NetbiosName& name, std::uint32_t ttl,
                                                         NbAddress address, bool broadcast) {
  return request_with_record(id, Opcode::Registration, broadcast ? kB : 0, name, ttl, address);
}

Result<std::vector<std::uint8_t>> name_refresh_request(std::uint16_t id, const NetbiosName& name, std::uint32_t ttl,
                                                       NbAddress address, bool broadcast, std::uint8_t opcode) {
  if (opcode != 8 && opcode != 9) {
    return fail(ErrorKind::Malformed, kLayer, 2, fmt::format("refresh opcode must be 8 or 9, not {}", opcode));
  }
  return request_with_record(id, static_cast<Opcode>(opcode), broadcast ? kB : 0, name, ttl, address);
}

Result<std::vector<std::uint8_t>> multihomed_registration_request(std::uint16_t id, const NetbiosName& name,
                                                                  std::uint32_t ttl, NbAddress address) {
  return request_with_record(id, Opcode::MultiHomedRegistration, kRD, name, ttl, address);
}

Result<std::vector<std::uint8_t>> positive_name_registration_response(std::uint16_t id, const NetbiosName& name,
                                                                      std::uint32_t ttl, NbAddress address) {
  return response_with_answer(id, Opcode::Registration, kAA | kRD | kRA, 0, name, ttl,
                              std::span<const NbAddress>(&address, 1));
}

Result<std::vector<std::uint8_t>> negative_name_registration_response(std::uint16_t id, const NetbiosName& name,
                                                                      std::uint32_t ttl, NbAddress address,
                                                                      Rcode rcode) {
  return response_with_answer(id, Opcode::Registration, kAA | kRD | kRA, static_cast<std::uint8_t>(rcode), name, ttl,
                              std::span<const NbAddress>(&address, 1));
}

Result<std::vector<std::uint8_t>> end_node_challenge_registration_response(std::uint16_t id, const NetbiosName& name,
                                                                           std::uint32_t ttl, NbAddress owner) {
  return response_with_answer(id, Opcode::Registration, kAA | kRD, 0, name, ttl,
                              std::span<const NbAddress>(&owner, 1));
}

Result<std::vector<std::uint8_t>> name_conflict_demand(std::uint16_t id, const NetbiosName& name, NodeType ont) {
  const NbAddress a{make_nb_flags(false, ont), 0};
  return response_with_answer(id, Opcode::Registration, kAA | kRD | kRA, static_cast<std::uint8_t>(Rcode::Conflict),
                              name, 0, std::span<const NbAddress>(&a, 1));
}

Result<std::vector<std::uint8_t>> name_release_request(std::uint16_t id, const NetbiosName& name, NbAddress address,
                                                       bool broadcast) {
  return request_with_record(id, Opcode::Release, broadcast ? kB : 0, name, 0, address);
}

Result<std::vector<std::uint8_t>> positive_name_release_response(std::uint16_t id, const NetbiosName& name,
                                                                 NbAddress address) {
  return response_with_answer(id, Opcode::Release, kAA, 0, name, 0, std::span<const NbAddress>(&address, 1));
}

Result<std::vector<std::uint8_t>> negative_name_release_response(std::uint16_t id, const NetbiosName& name,
                                                                 NbAddress address, Rcode rcode) {
  return response_with_answer(id, Opcode::Release, kAA, static_cast<std::uint8_t>(rcode), name, 0,
                              std::span<const NbAddress>(&address, 1));
}

Result<std::vector<std::uint8_t>> wack_response(std::uint16_t id, const NetbiosName& name, std::uint32_t ttl,
                                                std::uint16_t request_flags) {
  NbnsMessage m;
  m.header = make_header(id, true, Opcode::Wack, kAA);
  NbnsResourceRecord rr;
  rr.name = name;
  rr.type = static_cast<std::uint16_t>(RrType::NB);  // RFC 1002 §4.2.16: "NULL (0x0020)"; 0x0020 is what peers send
  rr.ttl = ttl;
  rr.wack_flags = request_flags;
  m.answers.push_back(std::move(rr));
  return finish(std::move(m));
}

Result<std::vector<std::uint8_t>> node_status_request(std::uint16_t id, const NetbiosName& name, bool broadcast) {
  NbnsMessage m;
  m.header = make_header(id, false, Opcode::Query, broadcast ? kB : 0);
  m.questions.push_back(NbnsQuestion{name, static_cast<std::uint16_t>(RrType::NBSTAT), kClassIn});
  return finish(std::move(m));
}

Result<std::vector<std::uint8_t>> node_status_response(std::uint16_t id, const NetbiosName& name,
                                                       std::span<const NodeName> names, const NodeStatistics& stats) {
  if (names.size() > limits::kMaxNodeStatusNames) {
    return fail(ErrorKind::LimitExceeded, kLayer, 0, "more than 255 names in a node status response");
  }
  NbnsMessage m;
  m.header = make_header(id, true, Opcode::Query, kAA);
  NbnsResourceRecord rr;
  rr.name = name;
  rr.type = static_cast<std::uint16_t>(RrType::NBSTAT);
  rr.ttl = 0;
  rr.rdata = node_status_rdata(names, stats);
  m.answers.push_back(std::move(rr));
  return finish(std::move(m));
}

}  // namespace build

}  // namespace netseen::netbios
