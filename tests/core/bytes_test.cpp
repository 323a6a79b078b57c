#include "core/bytes.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>

namespace netseen {
namespace {

constexpr std::array<std::uint8_t, 9> kData = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

TEST(ByteReader, ReadsBigAndLittleEndianToTheByte) {
  ByteReader r{Bytes(kData)};
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16be(), 0x0203);
  EXPECT_EQ(r.u16le(), 0x0504);
  EXPECT_EQ(r.u32be(), 0x06070809U);
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.failed());
  ByteReader r2{Bytes(kData)};
  EXPECT_EQ(r2.u32le(), 0x04030201U);
  EXPECT_EQ(r2.u24be(), 0x050607U);
  ByteReader r3{Bytes(kData)};
  EXPECT_EQ(r3.u64be(), 0x0102030405060708ULL);
  ByteReader r4{Bytes(kData)};
  EXPECT_EQ(r4.u64le(), 0x0807060504030201ULL);
}

TEST(ByteReader, ShortReadFailsWithoutMovingAndIsSticky) {
  ByteReader r{Bytes(kData).first(3)};
  EXPECT_EQ(r.u16be(), 0x0102);
  EXPECT_EQ(r.u16be(), std::nullopt);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.position(), 2U);  // nothing consumed by the failed read
  EXPECT_EQ(r.u8(), 0x03);      // a smaller read still works; failure stays recorded
  EXPECT_TRUE(r.failed());
}

TEST(ByteReader, HugeLengthsNearSizeMaxNeverWrap) {
  ByteReader r{Bytes(kData)};
  ASSERT_TRUE(r.skip(4));
  const auto huge = std::numeric_limits<std::size_t>::max();
  EXPECT_FALSE(r.can_read(huge));
  EXPECT_FALSE(r.can_read(huge - 2));
  EXPECT_EQ(r.bytes(huge), std::nullopt);
  EXPECT_FALSE(r.skip(huge - 3));
  EXPECT_EQ(r.sub(huge), std::nullopt);
  EXPECT_FALSE(r.seek(huge));
  EXPECT_EQ(r.view_at(huge, 1), std::nullopt);
  EXPECT_EQ(r.view_at(1, huge), std::nullopt);
  EXPECT_EQ(r.view_at(5, huge - 4), std::nullopt);
  EXPECT_EQ(r.peek_u16be(huge), std::nullopt);
  EXPECT_EQ(r.peek_u16be(huge - 1), std::nullopt);
  EXPECT_EQ(r.peek_u8(huge), std::nullopt);
  bool cut = false;
  auto c = r.sub_clamped(huge, &cut);
  EXPECT_TRUE(cut);
  EXPECT_EQ(c.size(), 5U);
  EXPECT_EQ(c.offset(), 4U);
}

TEST(ByteReader, SubReaderGetsExactlyItsBytesAndKeepsOffsets) {
  ByteReader r{Bytes(kData), 100};
  ASSERT_TRUE(r.skip(2));
  auto child = r.sub(3);
  ASSERT_TRUE(child.has_value());
  EXPECT_EQ(child->size(), 3U);
  EXPECT_EQ(child->offset(), 102U);
  EXPECT_EQ(child->u16be(), 0x0304);
  EXPECT_EQ(child->offset(), 104U);
  EXPECT_EQ(child->u16be(), std::nullopt);  // cannot read past its end into the parent
  EXPECT_EQ(r.u8(), 0x06);                  // parent moved past the child
  bool cut = true;
  auto exact = r.sub_clamped(2, &cut);
  EXPECT_FALSE(cut);
  EXPECT_EQ(exact.size(), 2U);
}

TEST(ByteReader, PeekAndSeek) {
  ByteReader r{Bytes(kData)};
  EXPECT_EQ(r.peek_u8(), 0x01);
  EXPECT_EQ(r.peek_u8(8), 0x09);
  EXPECT_EQ(r.peek_u8(9), std::nullopt);
  EXPECT_EQ(r.peek_u16be(7), 0x0809);
  EXPECT_EQ(r.peek_u16be(8), std::nullopt);
  EXPECT_EQ(r.position(), 0U);
  EXPECT_TRUE(r.seek(9));
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.seek(10));
}

TEST(ByteReader, EmptyBuffer) {
  ByteReader r;
  EXPECT_EQ(r.u8(), std::nullopt);
  EXPECT_TRUE(r.failed());
  EXPECT_TRUE(r.bytes(0).has_value());
  std::array<std::uint8_t, 1> out{};
  EXPECT_FALSE(r.read_into(out));
}

TEST(ByteWriter, WritesAndPatches) {
  ByteWriter w;
  w.u8(0xAA);
  w.u16be(0x0102);
  w.u16le(0x0304);
  w.u24be(0x050607);
  w.u32be(0x08090A0B);
  w.u32le(0x0C0D0E0F);
  EXPECT_EQ(to_hex(w.data()), "aa0102040305060708090a0b0f0e0d0c");
  EXPECT_TRUE(w.patch_u16be(1, 0xBEEF));
  EXPECT_FALSE(w.patch_u16be(w.size() - 1, 0));
  EXPECT_FALSE(w.patch_u16be(std::numeric_limits<std::size_t>::max(), 0));
  EXPECT_EQ(to_hex(Bytes(w.data()).first(3)), "aabeef");
}

TEST(Hex, RoundTripAndComments) {
  auto b = from_hex("de ad # comment\n BE:EF");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(to_hex(*b, " "), "de ad be ef");
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
}

TEST(EscapeBytes, NonPrintableAsHex) {
  const std::array<std::uint8_t, 6> b = {0x01, 0x02, '_', '\\', 'A', 0x7F};
  EXPECT_EQ(escape_bytes(b), "\\x01\\x02_\\\\A\\x7f");
}

}  // namespace
}  // namespace netseen
