// Fuzzes the NBNS parser; anything it accepts must serialise and parse again.
#include <cstddef>
#include <cstdint>

#include "netbios/nbns.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netseen;
  using namespace netseen::netbios;
  for (NameMode mode : {NameMode::Lenient, NameMode::Strict}) {
    auto m = parse_nbns(Bytes(data, size), ParseOptions{mode});
    if (!m) {
      if (m.error().offset > size) __builtin_trap();
      continue;
    }
    (void)m->kind();
    for (const auto& q : m->questions) (void)q.name.display();
    for (const auto* sec : {&m->answers, &m->authority, &m->additional}) {
      for (const auto& rr : *sec) {
        if (rr.rdata.size() > rr.rdlength) __builtin_trap();
        if (rr.node_status) {
          if (rr.node_status->names.size() > rr.node_status->num_names) __builtin_trap();
          for (const auto& e : rr.node_status->names) (void)e.display();
        }
      }
    }
    auto bytes = serialize_nbns(*m);
    if (bytes) (void)parse_nbns(Bytes(*bytes), ParseOptions{mode});
  }
  return 0;
}
