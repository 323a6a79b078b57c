// Fuzz harness for the knowledge-base table loader: any bytes as a table file, loaded twice
// (the second load exercises the override paths), then every kind of lookup.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "knowledge/kb.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netseen;
  using namespace netseen::knowledge;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  KnowledgeBase kb;
  LoadReport report;
  kb.load_text("fuzz.kb", text, report);
  kb.load_text("again.kb", text, report);
  std::size_t total = 0;
  for (const auto& d : report.diagnostics) total += d.to_string().size();
  for (std::uint32_t p = 0; p < 65536; p += 251) {
    if (const auto* i = kb.port(Proto::Tcp, static_cast<std::uint16_t>(p))) total += i->service.size();
    if (const auto* i = kb.port(Proto::Udp, static_cast<std::uint16_t>(p))) total += i->meaning.size();
  }
  for (unsigned t = 0; t < 256; t += 3) {
    if (const auto* i = kb.icmp(static_cast<std::uint8_t>(t), 4, (t & 1) != 0)) total += i->name.size();
    total += kb.icmp_codes(static_cast<std::uint8_t>(t)).size();
    total += kb.ttl(static_cast<std::uint8_t>(t)).hops;
    if (const auto* n = kb.nb_suffix(static_cast<std::uint8_t>(t))) total += n->service.size();
  }
  const auto at = parse_rfc3339("2004-09-14");
  for (std::uint32_t a : {0x010B4416U, 0x0A000001U, 0xA9FE0304U, 0xFFFFFFFFU, 0xC0000009U}) {
    const auto info = kb.address(IpAddress::v4(a), at);
    total += info.status_note.size() + kb.registry_of(IpAddress::v4(a)).size();
  }
  if (const auto v6 = IpAddress::parse("2001:db8::1")) total += kb.address(*v6).status_note.size();
  if (const auto* s = kb.nb_special("\x01\x02__MSBROWSE__\x02", 1)) total += s->meaning.size();
  if (const auto* r = kb.rpc(100005)) total += r->name.size();
  if (const auto* r = kb.rpc_proc(100000, 4)) total += r->name.size();
  std::vector<std::uint16_t> ids;
  for (std::size_t i = 0; i + 1 < size && ids.size() < 64; i += 2) {
    ids.push_back(static_cast<std::uint16_t>((data[i] << 8) | data[i + 1]));
  }
  total += knowledge::ipid_pattern(ids).meaning.size();
  const auto c = kb.counts();
  total += c.ports + c.icmp + c.special + c.slash8 + c.nb_suffixes + c.rpc + c.ttl;
  return total == 0xFFFFFFFFU ? 1 : 0;
}
