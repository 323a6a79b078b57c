// walk_nbns: the allocation-free summary walk over an NBNS message (see nbns.hpp). Every
// condition under which parse_nbns reports an error or a Diagnostic makes the walk give up,
// so a message it completes is one parse_nbns reads identically and without remarks; the
// equivalence is tested field by field on built and mutated messages (decode's tests).
#include <algorithm>

#include "core/limits.hpp"
#include "netbios/nbns.hpp"

namespace netseen::netbios {

namespace {

constexpr std::size_t kNodeNameEntrySize = 18;

std::uint16_t be16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}
std::uint32_t be32(const std::uint8_t* p) noexcept {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
         (static_cast<std::uint32_t>(p[2]) << 8) | p[3];
}

}  // namespace

bool walk_netbios_name(ByteReader& r, Bytes message, NbnsNameRef& out) {
  out.message = message;
  out.at = r.position();
  auto span = scan_name(r);
  if (!span || span->first.size() != 32) return false;
  std::uint32_t anomalies = 0;  // lenient decoding, as parse_nbns's default; oddities are not diagnostics
  auto raw = decode_first_level(span->first, NameMode::Lenient, &anomalies);
  if (!raw) return false;
  out.raw = *raw;
  out.has_scope = span->labels > 1;
  return true;
}

std::string NbnsNameRef::scope() const {
  std::string s;
  if (!has_scope) return s;
  ByteReader r(message);
  if (!r.seek(at) || !scan_name(r, &s)) s.clear();
  return s;
}

bool walk_nbns(Bytes message, NbnsVisitor& v) {
  if (message.size() < NbnsHeader::kWireSize) return false;
  const std::uint8_t* p = message.data();
  NbnsHeader h = NbnsHeader::from_flags_word(be16(p), be16(p + 2));
  h.qdcount = be16(p + 4);
  h.ancount = be16(p + 6);
  h.nscount = be16(p + 8);
  h.arcount = be16(p + 10);
  const std::uint16_t counts[4] = {h.qdcount, h.ancount, h.nscount, h.arcount};
  for (const std::uint16_t n : counts) {
    if (n > limits::kMaxNbnsRecords) return false;
  }
  v.on_header(h);
  ByteReader r(message);
  r.skip(NbnsHeader::kWireSize);
  NbnsNameRef name;
  name.message = message;
  for (std::size_t i = 0; i < h.qdcount; ++i) {
    if (!walk_netbios_name(r, message, name)) return false;
    auto type = r.u16be();
    if (!type || !r.skip(2)) return false;  // class
    v.on_question(name, *type);
  }
  const bool wack = h.opcode == static_cast<std::uint8_t>(Opcode::Wack) && h.response;
  static constexpr NbnsSection kSections[3] = {NbnsSection::Answer, NbnsSection::Authority, NbnsSection::Additional};
  for (std::size_t s = 0; s < 3; ++s) {
    const NbnsSection section = kSections[s];
    for (std::size_t i = 0; i < counts[s + 1]; ++i) {
      if (!walk_netbios_name(r, message, name)) return false;
      auto fixed = r.bytes(10);  // TYPE CLASS TTL RDLENGTH
      if (!fixed) return false;
      const std::uint16_t type = be16(fixed->data());
      const std::uint16_t rdlength = be16(fixed->data() + 8);
      auto rd = r.bytes(rdlength);
      if (!rd) return false;  // RDATA cut short: parse_nbns reports it
      const Bytes rdata = *rd;
      v.on_record(section, name, type);
      if (wack) {
        if (rdata.size() < 2) return false;
        continue;
      }
      switch (type) {
        case static_cast<std::uint16_t>(RrType::NB): {
          if (rdata.size() % 6 != 0) return false;
          for (std::size_t at = 0; at < rdata.size(); at += 6) {
            v.on_address(section, NbAddress{be16(rdata.data() + at), be32(rdata.data() + at + 2)});
          }
          break;
        }
        case static_cast<std::uint16_t>(RrType::NBSTAT): {
          if (rdata.empty()) return false;
          const std::size_t declared = rdata[0];
          if (declared > (rdata.size() - 1) / kNodeNameEntrySize) return false;  // name table cut
          const std::size_t stats_at = 1 + declared * kNodeNameEntrySize;
          if (rdata.size() - stats_at < NodeStatistics::kWireSize) return false;  // statistics missing/short
          v.on_node_status(section, declared);
          for (std::size_t e = 0; e < declared; ++e) {
            const std::uint8_t* entry = rdata.data() + 1 + e * kNodeNameEntrySize;
            NodeName nn;
            std::copy_n(entry, 16, nn.raw.begin());
            nn.flags = be16(entry + 16);
            v.on_node_name(section, nn);
          }
          MacAddress unit;
          std::copy_n(rdata.data() + stats_at, 6, unit.b.begin());
          v.on_unit_id(section, unit);
          break;
        }
        case static_cast<std::uint16_t>(RrType::NS):
          return false;  // NSD_NAME checks are parse_nbns's
        case static_cast<std::uint16_t>(RrType::A):
          if (rdata.size() < 4) return false;
          break;
        default:
          break;
      }
    }
  }
  return r.empty();  // anything after the last record is a diagnostic (or an undeclared record)
}

}  // namespace netseen::netbios
