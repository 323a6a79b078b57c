// Fuzzes NetBIOS name decoding (labels, pointers, first level) in both modes. The first
// input byte picks where in the buffer the name starts, so pointers can point backwards.
#include <cstddef>
#include <cstdint>

#include "netbios/name.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netseen;
  using namespace netseen::netbios;
  if (size < 1) return 0;
  const Bytes all(data + 1, size - 1);
  const std::size_t start = all.empty() ? 0 : data[0] % all.size();
  for (NameMode mode : {NameMode::Strict, NameMode::Lenient}) {
    ByteReader r(all);
    r.seek(start);
    auto n = read_name(r, mode);
    if (!n) continue;
    if (r.position() > all.size()) __builtin_trap();
    (void)n->display();
    (void)name_anomaly_ids(n->anomalies);
    // Encoding what was decoded and decoding it again gives the same 16 bytes (unless a
    // lenient short first label grew past 255 bytes once re-encoded as 32 letters).
    if (encoded_name_size(*n) > 255) continue;
    ByteWriter w;
    write_name(w, *n);
    ByteReader again{Bytes(w.data())};
    auto back = read_name(again, NameMode::Strict);
    if (!back || back->raw != n->raw) __builtin_trap();
  }
  if (all.size() >= 32) {
    std::uint32_t an = 0;
    (void)decode_first_level(all.first(32), NameMode::Lenient, &an, 0);
  }
  return 0;
}
