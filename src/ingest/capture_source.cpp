#include "ingest/capture_source.hpp"

#include <fmt/format.h>

namespace netseen::ingest {

bool looks_like_capture(Bytes head) noexcept {
  if (head.size() < 4) return false;
  const std::uint32_t be = (std::uint32_t{head[0]} << 24) | (std::uint32_t{head[1]} << 16) |
                           (std::uint32_t{head[2]} << 8) | head[3];
  switch (be) {
    case 0xA1B2C3D4:  // pcap, µs, big-endian writer
    case 0xD4C3B2A1:  // pcap, µs, little-endian writer
    case 0xA1B23C4D:  // pcap, ns, big-endian
    case 0x4D3CB2A1:  // pcap, ns, little-endian
    case 0x0A0D0D0A:  // pcapng section header block
      return true;
    default:
      return false;
  }
}

}  // namespace netseen::ingest
