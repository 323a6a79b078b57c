// Fuzzes the NBDS parser, the fragment reassembler and, for data datagrams, the mailslot
// and browser decoders behind it. The input is a sequence of datagrams, each prefixed by a
// 2-byte length and a 1-byte clock step, all fed to one reassembler.
#include <cstddef>
#include <cstdint>

#include "core/limits.hpp"
#include "netbios/browser.hpp"
#include "netbios/nbds.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netseen;
  using namespace netseen::netbios;
  // Whole input as one datagram first.
  if (auto m = parse_nbds(Bytes(data, size))) {
    if (m->user_data.size() > size) __builtin_trap();
    auto again = serialize_nbds(*m);
    if (again) (void)parse_nbds(Bytes(*again));
    if (auto slot = parse_mailslot(Bytes(m->user_data))) (void)parse_browser(Bytes(slot->data));
  }
  NbdsReassembler re(2000);
  ByteReader r(Bytes(data, size));
  std::uint64_t now = 0;
  while (r.remaining() >= 3) {
    const std::uint16_t len = *r.u16be();
    now += *r.u8() * 10U;
    bool cut = false;
    ByteReader one = r.sub_clamped(len, &cut);
    auto m = parse_nbds(one.whole());
    if (!m) continue;
    auto out = re.feed(*m, now);
    if (out && out->user_data.size() > limits::kMaxNbdsReassemblyBytes + 0xFFFF) __builtin_trap();
    if (re.pending() > limits::kMaxNbdsPendingDatagrams) __builtin_trap();
  }
  return 0;
}
