// Internet checksum (RFC 1071) helpers shared by IPv4, TCP, UDP, ICMP and ICMPv6.
#include "decode/layers.hpp"

namespace netseen::decode::detail {

std::uint32_t sum16(Bytes b, std::uint32_t start) noexcept {
  std::uint64_t sum = start;
  ByteReader r(b);
  // Eight bytes at a time through the checked reader, then the tail.
  while (r.remaining() >= 8) {
    const std::uint64_t v = *r.u64be();
    sum += (v >> 48) + ((v >> 32) & 0xFFFF) + ((v >> 16) & 0xFFFF) + (v & 0xFFFF);
  }
  while (r.remaining() >= 2) sum += *r.u16be();
  if (auto last = r.u8()) sum += std::uint32_t{*last} << 8;
  while ((sum >> 32) != 0) sum = (sum & 0xFFFFFFFFU) + (sum >> 32);
  return static_cast<std::uint32_t>(sum);
}

std::uint16_t fold(std::uint32_t sum) noexcept {
  while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

std::uint32_t pseudo_sum(const Ctx& c, std::uint8_t proto, std::uint32_t len) noexcept {
  std::uint32_t s = 0;
  if (c.pseudo_src != nullptr && c.pseudo_dst != nullptr) {
    s = sum16(Bytes(c.pseudo_src, c.addr_len)) + sum16(Bytes(c.pseudo_dst, c.addr_len));
  }
  s = fold(s);
  return s + proto + (len >> 16) + (len & 0xFFFF);
}

}  // namespace netseen::decode::detail
