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
  // 64-bit words added with end-around carry (add, add-with-carry): congruent to the 16-bit
  // one's-complement sum modulo 0xFFFF, which is all the fold below keeps.
  std::uint64_t sum = 0;
  std::uint64_t carries = 0;
  auto add64 = [&](std::uint64_t v) {
    sum += v;
    carries += sum < v ? 1U : 0U;
  };
  while (n >= 32) {
    std::uint64_t v0 = 0, v1 = 0, v2 = 0, v3 = 0;
    std::memcpy(&v0, p, 8);
    std::memcpy(&v1, p + 8, 8);
    std::memcpy(&v2, p + 16, 8);
    std::memcpy(&v3, p + 24, 8);
    add64(v0);
    add64(v1);
    add64(v2);
    add64(v3);
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, 8);
    add64(v);
    p += 8;
    n -= 8;
  }
  // Each carry out of bit 63 is worth 2^64 ≡ 1: add them back (end-around), then 64 → 32 halves.
  sum += carries;
  if (sum < carries) ++sum;  // cannot wrap again: sum is then smaller than carries
  std::uint64_t acc = (sum & 0xFFFFFFFFU) + (sum >> 32);
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
