// Internet checksum (RFC 1071) helpers shared by IPv4, TCP, UDP, ICMP and ICMPv6.
#include <bit>
#include <cstring>

#include "decode/layers.hpp"

namespace netseen::decode::detail {

std::uint32_t sum16(Bytes b, std::uint32_t start) noexcept {
  // The span is taken through the checked reader once; the sum then walks exactly those
  // bytes. One's-complement addition is byte-order independent (RFC 1071 §2(B)): words are
  // summed in the machine's order, eight bytes at a time, and swapped once at the end.
  ByteReader r(b);
  const auto all = r.bytes(b.size());
  if (!all) return start;
  const std::uint8_t* p = all->data();
  std::size_t n = all->size();
  std::uint64_t acc = 0;
  while (n >= 8) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, 8);
    acc += (v & 0xFFFFFFFFU) + (v >> 32);
    p += 8;
    n -= 8;
  }
  while (n >= 2) {
    std::uint16_t v = 0;
    std::memcpy(&v, p, 2);
    acc += v;
    p += 2;
    n -= 2;
  }
  if (n == 1) {
    const std::uint16_t v = static_cast<std::uint16_t>(std::endian::native == std::endian::little ? *p : *p << 8);
    acc += v;
  }
  while ((acc >> 16) != 0) acc = (acc & 0xFFFF) + (acc >> 16);
  auto folded = static_cast<std::uint16_t>(acc);
  if constexpr (std::endian::native == std::endian::little) {
    folded = static_cast<std::uint16_t>((folded >> 8) | (folded << 8));
  }
  return std::uint32_t{folded} + start;
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
