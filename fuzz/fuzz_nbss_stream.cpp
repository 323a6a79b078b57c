// Fuzzes the NBSS framer as a two-direction TCP conversation (Zeek style): the input is a
// list of chunks, each prefixed by a control byte (bit 7 = direction, bit 6 = framing of
// 445, low 6 bits = chunk length). Each direction's frames must be the same whether its
// bytes arrive in these chunks or in one piece, and the payload kept stays bounded.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "netbios/nbss.hpp"

namespace {

using netseen::Bytes;
using netseen::netbios::Framing;
using netseen::netbios::NbssFrame;
using netseen::netbios::NbssFramer;

constexpr std::size_t kKeep = 256;

struct Seen {
  std::vector<NbssFrame> frames;
  bool failed = false;
  std::size_t fail_offset = 0;
};

void drain(NbssFramer& f, Seen& s) {
  while (true) {
    auto r = f.next();
    if (!r) {
      s.failed = true;
      s.fail_offset = r.error().offset;
      return;
    }
    if (!*r) return;
    if ((*r)->payload.size() > kKeep) __builtin_trap();
    s.frames.push_back(std::move(**r));
  }
}

bool same(const Seen& a, const Seen& b) {
  if (a.failed != b.failed || a.fail_offset != b.fail_offset || a.frames.size() != b.frames.size()) return false;
  for (std::size_t i = 0; i < a.frames.size(); ++i) {
    const auto& x = a.frames[i];
    const auto& y = b.frames[i];
    if (x.header.type != y.header.type || x.header.length != y.header.length || x.payload != y.payload ||
        x.stream_offset != y.stream_offset || x.payload_truncated != y.payload_truncated) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const Framing framing = (data[0] & 0x40) != 0 ? Framing::SmbDirect : Framing::Nbss;
  NbssFramer chunked[2] = {NbssFramer(framing, kKeep), NbssFramer(framing, kKeep)};
  Seen seen[2];
  std::vector<std::uint8_t> whole[2];
  std::size_t i = 1;
  while (i < size) {
    const std::uint8_t ctl = data[i++];
    const int dir = (ctl & 0x80) != 0 ? 1 : 0;
    std::size_t n = ctl & 0x3FU;
    if (n > size - i) n = size - i;
    const Bytes chunk(data + i, n);
    i += n;
    chunked[dir].feed(chunk);
    whole[dir].insert(whole[dir].end(), chunk.begin(), chunk.end());
    drain(chunked[dir], seen[dir]);
    if (chunked[dir].buffered() > kKeep + 4) __builtin_trap();
  }
  for (int dir = 0; dir < 2; ++dir) {
    NbssFramer one(framing, kKeep);
    one.feed(Bytes(whole[dir]));
    Seen ref;
    drain(one, ref);
    if (!same(ref, seen[dir])) __builtin_trap();
    for (const auto& fr : ref.frames) {
      if (fr.header.type == 0x81) (void)netseen::netbios::parse_session_request(Bytes(fr.payload));
      if (fr.header.type == 0x84) (void)netseen::netbios::parse_retarget(Bytes(fr.payload));
    }
  }
  return 0;
}
