// The Internet checksum's word sum (RFC 1071) against a plain reference: every length and
// start offset around sum16's 32-byte steps, 8-byte words and odd tails, and buffers whose
// word sums need the end-around carries of 64-bit additions.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "decode/layers.hpp"

namespace netseen::decode::detail {
namespace {

// Big-endian 16-bit words (the last byte padded with zero), end-around carry, folded.
std::uint16_t reference(const std::uint8_t* p, std::size_t n, std::uint32_t start) {
  std::uint64_t s = start;
  for (std::size_t i = 0; i + 1 < n; i += 2) s += static_cast<std::uint64_t>(p[i] << 8 | p[i + 1]);
  if (n % 2 == 1) s += static_cast<std::uint64_t>(p[n - 1]) << 8;
  while ((s >> 16) != 0) s = (s & 0xFFFF) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

std::uint16_t ours(const std::uint8_t* p, std::size_t n, std::uint32_t start) {
  return fold(sum16(Bytes(p, n), start));
}

TEST(Checksum, EveryLengthAndOffsetMatchesTheReference) {
  std::mt19937 rng(20261202);
  std::vector<std::uint8_t> buf(700 + 16);
  for (auto& b : buf) b = static_cast<std::uint8_t>(rng());
  for (std::size_t off = 0; off < 16; ++off) {
    for (std::size_t n = 0; n <= 700; ++n) {
      const std::uint32_t start = static_cast<std::uint32_t>(rng() % 0x3FFFF);
      ASSERT_EQ(ours(buf.data() + off, n, start), reference(buf.data() + off, n, start))
          << "length " << n << " at offset " << off;
    }
  }
}

TEST(Checksum, LongBuffersKeepEveryCarry) {
  // All ones is the largest word sum; 0x00 / 0xFF halves and random bytes the rest.
  std::mt19937 rng(7);
  for (const std::size_t n : {32767u, 32768u, 32769u, 65535u, 65536u, 100001u, 1u << 20}) {
    std::vector<std::uint8_t> ones(n, 0xFF), mixed(n), noise(n);
    for (std::size_t i = 0; i < n; ++i) {
      mixed[i] = (i / 64) % 2 == 0 ? 0xFF : 0x00;
      noise[i] = static_cast<std::uint8_t>(rng());
    }
    for (const auto* v : {&ones, &mixed, &noise}) {
      EXPECT_EQ(ours(v->data(), n, 0), reference(v->data(), n, 0)) << "length " << n;
      EXPECT_EQ(ours(v->data(), n, 0xFFFF), reference(v->data(), n, 0xFFFF)) << "length " << n;
    }
  }
}

TEST(Checksum, AValidHeaderSumsToAllOnes) {
  // RFC 1071's example words (0001 f203 f4f5 f6f7) with their checksum (220d) appended.
  const std::uint8_t words[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7, 0x22, 0x0d};
  EXPECT_EQ(ours(words, sizeof words, 0), 0xFFFF);
  EXPECT_EQ(ours(words, 8, 0), 0xDDF2);
}

}  // namespace
}  // namespace netseen::decode::detail
