#include "netbios/name.hpp"

#include <gtest/gtest.h>

#include "core/limits.hpp"
#include "netbios/suffixes.hpp"
#include "test_util.hpp"

namespace netseen::netbios {
namespace {

using testing::ascii_hex;
using testing::hex;

std::string first_level(const NetbiosName& n) {
  const auto e = encode_first_level(std::span<const std::uint8_t, 16>(n.raw));
  return std::string(e.begin(), e.end());
}

TEST(NbName, FirstLevelMatchesRfc1001Example) {
  // RFC 1001 §14.1: "FRED" padded with spaces (suffix 0x20) encodes as EGFCEFEE + 12 x CA.
  auto n = NetbiosName::make("Fred", 0x20);
  ASSERT_TRUE(n);
  EXPECT_EQ(first_level(*n), "EGFCEFEECACACACACACACACACACACACA");
  EXPECT_EQ(n->base(), "FRED");  // upper-cased
  EXPECT_EQ(n->display(), "FRED<20>");
}

// The 32-letter fast path agrees with the definition for every byte value in every
// position, and a single letter outside 'A'..'P' anywhere (including bytes just outside the
// range) still reaches the general path's checks.
TEST(NbName, FirstLevelFastPathEveryByteEveryPosition) {
  for (std::size_t pos = 0; pos < 16; ++pos) {
    for (unsigned v = 0; v < 256; ++v) {
      std::array<std::uint8_t, 16> raw{};
      for (std::size_t i = 0; i < 16; ++i) raw[i] = static_cast<std::uint8_t>(i * 17 + pos);
      raw[pos] = static_cast<std::uint8_t>(v);
      const auto enc = encode_first_level(std::span<const std::uint8_t, 16>(raw));
      std::uint32_t anomalies = 0;
      auto dec = decode_first_level(Bytes(enc), NameMode::Strict, &anomalies);
      ASSERT_TRUE(dec.has_value());
      EXPECT_EQ(*dec, raw);
      EXPECT_EQ(anomalies, 0U);
    }
  }
  for (std::size_t pos = 0; pos < 32; ++pos) {
    for (const std::uint8_t bad : {std::uint8_t{'@'}, std::uint8_t{'Q'}, std::uint8_t{'a'}, std::uint8_t{0x00},
                                   std::uint8_t{0xC1}}) {
      std::array<std::uint8_t, 32> enc{};
      enc.fill('A');
      enc[pos] = bad;
      EXPECT_FALSE(decode_first_level(Bytes(enc), NameMode::Strict, nullptr).has_value()) << pos << " " << int{bad};
      std::uint32_t anomalies = 0;
      EXPECT_TRUE(decode_first_level(Bytes(enc), NameMode::Lenient, &anomalies).has_value());
      EXPECT_NE(anomalies, 0U);
    }
  }
}

TEST(NbName, WildcardIsNulPadded) {
  auto n = NetbiosName::make("*", 0x00);
  ASSERT_TRUE(n);
  EXPECT_EQ(first_level(*n), "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_TRUE(n->is_wildcard());
  EXPECT_EQ(n->display(), "*<00>");
}

TEST(NbName, MakeRejectsLongNamesAndBadScopes) {
  EXPECT_FALSE(NetbiosName::make("SIXTEENCHARSLONG", 0));
  EXPECT_TRUE(NetbiosName::make("FIFTEENCHARSLON", 0));
  EXPECT_FALSE(NetbiosName::make("A", 0, std::string(64, 'x')));
  EXPECT_FALSE(NetbiosName::make("A", 0, "corp..example"));
  EXPECT_FALSE(NetbiosName::make("A", 0, std::string(230, 'x').insert(60, ".").insert(120, ".").insert(180, ".")));
  EXPECT_TRUE(NetbiosName::make("A", 0, std::string(63, 'x')));
}

TEST(NbName, SecondLevelWithScopeMatchesRfcExample) {
  // RFC 1001 §14.1: FRED.NETBIOS.COM
  auto n = NetbiosName::make("FRED", 0x20, "NETBIOS.COM");
  ASSERT_TRUE(n);
  ByteWriter w;
  write_name(w, *n);
  const auto expected = hex("20" + ascii_hex("EGFCEFEECACACACACACACACACACACACA") + "07" + ascii_hex("NETBIOS") +
                            "03" + ascii_hex("COM") + "00");
  EXPECT_EQ(w.data(), expected);
  EXPECT_EQ(encoded_name_size(*n), expected.size());
  ByteReader r{Bytes(w.data())};
  auto back = read_name(r, NameMode::Strict);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, *n);
  EXPECT_EQ(back->scope, "NETBIOS.COM");
  EXPECT_EQ(back->display(), "FRED<20>.NETBIOS.COM");
  EXPECT_EQ(r.position(), expected.size());
  EXPECT_EQ(back->anomalies, 0U);
}

TEST(NbName, DisplayEscapesNonPrintableAndKeepsRaw) {
  const std::array<std::uint8_t, 16> raw{0x01, 0x02, '_', '_', 'M', 'S', 'B', 'R', 'O', 'W', 'S', 'E', '_', '_', 0x02, 0x01};
  auto n = NetbiosName::from_raw(raw);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->display(), "\\x01\\x02__MSBROWSE__\\x02<01>");
  EXPECT_EQ(n->raw, raw);
  EXPECT_TRUE(is_msbrowse(raw));
  std::array<std::uint8_t, 16> bs{};
  bs.fill(' ');
  bs[0] = 'A';
  bs[1] = '\\';
  bs[2] = 0x7F;
  bs[15] = 0x03;
  EXPECT_EQ(NetbiosName::from_raw(bs)->display(), "A\\\\\\x7f<03>");
}

TEST(NbName, EqualityIgnoresScopeCase) {
  EXPECT_EQ(*NetbiosName::make("a", 0, "corp"), *NetbiosName::make("A", 0, "CORP"));
  EXPECT_NE(*NetbiosName::make("A", 0), *NetbiosName::make("A", 0x20));
}

TEST(NbName, StrictRejectsLowercaseLenientReportsIt) {
  const std::string enc = "egfcefeecacacacacacacacacacacaca";
  const Bytes b(reinterpret_cast<const std::uint8_t*>(enc.data()), enc.size());
  auto strict = decode_first_level(b, NameMode::Strict, nullptr, 13);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(strict.error().offset, 13U);
  std::uint32_t an = 0;
  auto lenient = decode_first_level(b, NameMode::Lenient, &an, 13);
  ASSERT_TRUE(lenient);
  EXPECT_EQ((*lenient)[0], 'F');
  EXPECT_EQ(an, kNameLowercaseLetters);
  EXPECT_EQ(name_anomaly_ids(an), "lowercase_letters");
}

TEST(NbName, StrictRejectsLettersOutsideAtoP) {
  std::string enc = "EGFCEFEECACACACACACACACACACACACA";
  enc[5] = 'Z';
  const Bytes b(reinterpret_cast<const std::uint8_t*>(enc.data()), enc.size());
  auto strict = decode_first_level(b, NameMode::Strict, nullptr, 13);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(strict.error().offset, 18U);
  std::uint32_t an = 0;
  EXPECT_TRUE(decode_first_level(b, NameMode::Lenient, &an, 13));
  EXPECT_EQ(an, kNameBadLetters);
}

TEST(NbName, WrongLengthStrictVsLenient) {
  // 0x1E-byte first label (30 letters).
  auto msg = hex("1e" + ascii_hex(std::string(30, 'E')) + "00");
  ByteReader r1{Bytes(msg)};
  auto strict = read_name(r1, NameMode::Strict);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(strict.error().offset, 1U);
  ByteReader r2{Bytes(msg)};
  auto lenient = read_name(r2, NameMode::Lenient);
  ASSERT_TRUE(lenient);
  EXPECT_NE(lenient->anomalies & kNameBadLength, 0U);
  EXPECT_EQ(lenient->raw[0], 0x44);
  EXPECT_EQ(r2.position(), msg.size());
}

TEST(NbName, PointerIsFollowedAndReaderResumesAfterIt) {
  // 12 bytes of header, a name at 12, then a pointer to it at 46, then 2 more bytes.
  auto n = NetbiosName::make("HOSTA", 0x20, "corp");
  ByteWriter w;
  w.fill(12, 0);
  write_name(w, *n);
  const std::size_t ptr_at = w.size();
  write_name_pointer(w, 12);
  w.u16be(0xBEEF);
  ByteReader r{Bytes(w.data())};
  ASSERT_TRUE(r.seek(ptr_at));
  auto back = read_name(r, NameMode::Strict);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, *n);
  EXPECT_NE(back->anomalies & kNameCompressed, 0U);
  EXPECT_NE(back->anomalies & kNameScopeNotUpper, 0U);
  EXPECT_EQ(r.position(), ptr_at + 2);
  EXPECT_EQ(r.u16be().value_or(0), 0xBEEF);
}

TEST(NbName, ScopeThroughPointer) {
  // name at 0 = HOST + scope "A.B"; a second name = own first label + pointer to scope label "B"? use "A.B" at 34.
  auto n = NetbiosName::make("X", 0, "A.B");
  ByteWriter w;
  write_name(w, *n);  // 0x20 <32> 01 'A' 01 'B' 00 ; scope label "A" starts at 33
  const std::size_t second = w.size();
  w.u8(0x20);
  const auto enc = encode_first_level(std::span<const std::uint8_t, 16>(NetbiosName::make("Y", 0)->raw));
  w.bytes(Bytes(enc));
  write_name_pointer(w, 33);
  ByteReader r{Bytes(w.data())};
  r.seek(second);
  auto y = read_name(r, NameMode::Strict);
  ASSERT_TRUE(y) << y.error().message();
  EXPECT_EQ(y->base(), "Y");
  EXPECT_EQ(y->scope, "A.B");
}

TEST(NbName, SelfPointerIsMalformed) {
  ByteWriter w;
  w.fill(12, 0);
  write_name_pointer(w, 12);
  ByteReader r{Bytes(w.data())};
  r.seek(12);
  auto res = read_name(r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(res.error().offset, 12U);
}

TEST(NbName, BackwardPointerLoopHitsJumpLimit) {
  // offset 0: label "A" then pointer to 0 at offset 2 -> 0 -> 2 -> 0 ... (each pointer points backwards).
  auto msg = hex("01 41 c0 00");
  ByteReader r{Bytes(msg)};
  auto res = read_labels(r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().kind, ErrorKind::LimitExceeded);
  EXPECT_EQ(res.error().offset, 2U);
}

TEST(NbName, ReservedLabelTypesAreMalformed) {
  for (const char* m : {"40 00", "80 00"}) {
    auto msg = hex(m);
    ByteReader r{Bytes(msg)};
    auto res = read_labels(r);
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().kind, ErrorKind::Malformed) << m;
    EXPECT_EQ(res.error().offset, 0U);
  }
}

TEST(NbName, TruncationIsReportedWithOffset) {
  auto n = NetbiosName::make("HOSTA", 0x20);
  ByteWriter w;
  write_name(w, *n);
  const auto full = w.data();
  for (std::size_t cut = 0; cut < full.size(); ++cut) {
    std::vector<std::uint8_t> part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
    ByteReader r{Bytes(part), 100};
    auto res = read_name(r);
    ASSERT_FALSE(res) << cut;
    EXPECT_EQ(res.error().kind, ErrorKind::Truncated) << cut;
    EXPECT_GE(res.error().offset, 100U);
    EXPECT_LE(res.error().offset, 100U + cut);
  }
  auto ptr = hex("c0");
  ByteReader r{Bytes(ptr)};
  auto res = read_labels(r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().kind, ErrorKind::Truncated);
}

TEST(NbName, OverlongNameHitsLimit) {
  ByteWriter w;
  for (int i = 0; i < 5; ++i) {
    w.u8(63);
    w.fill(63, 'A');
  }
  w.u8(0);
  ByteReader r{Bytes(w.data())};
  auto res = read_labels(r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().kind, ErrorKind::LimitExceeded);
}

TEST(NbName, RootOnlyNameIsMalformed) {
  auto msg = hex("00");
  ByteReader r{Bytes(msg)};
  auto res = read_name(r);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().kind, ErrorKind::Malformed);
}

TEST(NbName, NonPrintableAndEmbeddedNulAreFlagged) {
  std::array<std::uint8_t, 16> raw{};
  raw.fill(' ');
  raw[0] = 'A';
  raw[1] = 0;
  raw[2] = 0x07;
  auto n = NetbiosName::from_raw(raw);
  ByteWriter w;
  write_name(w, *n);
  ByteReader r{Bytes(w.data())};
  auto back = read_name(r);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->anomalies, kNameNonPrintable | kNameEmbeddedNul);
  EXPECT_EQ(back->display(), "A\\x00\\x07<20>");
}

TEST(NbSuffix, UniqueAndGroupMeanings) {
  EXPECT_EQ(describe_suffix(0x00, false)->short_id, "workstation");
  EXPECT_EQ(describe_suffix(0x00, true)->short_id, "domain_name");
  EXPECT_EQ(describe_suffix(0x03, false)->short_id, "messenger");
  EXPECT_EQ(describe_suffix(0x1B, false)->short_id, "domain_master_browser");
  EXPECT_EQ(describe_suffix(0x1C, true)->short_id, "domain_controllers");
  EXPECT_EQ(describe_suffix(0x1C, true)->scope, NameScope::Group);
  EXPECT_EQ(describe_suffix(0x1D, false)->short_id, "master_browser");
  EXPECT_EQ(describe_suffix(0x1E, true)->short_id, "browser_elections");
  EXPECT_EQ(describe_suffix(0x1F, false)->short_id, "netdde");
  EXPECT_EQ(describe_suffix(0x20, false)->short_id, "file_server");
  EXPECT_EQ(describe_suffix(0x06, false)->short_id, "ras_server");
  EXPECT_EQ(describe_suffix(0x21, false)->short_id, "ras_client");
  EXPECT_EQ(describe_suffix(0x23, false)->short_id, "exchange_store");
  EXPECT_EQ(describe_suffix(0x2B, false)->short_id, "lotus_notes_server");
  EXPECT_EQ(describe_suffix(0xBE, false)->short_id, "netmon_agent");
  EXPECT_EQ(describe_suffix(0xBF, false)->short_id, "netmon_application");
  EXPECT_EQ(describe_suffix(0x01, true)->short_id, "msbrowse");
  // A group registration of a unique-only suffix still gets the description.
  EXPECT_EQ(describe_suffix(0x20, true)->short_id, "file_server");
  EXPECT_FALSE(describe_suffix(0x99, false));
  // Table sorted and ids unique.
  const auto t = suffix_table();
  for (std::size_t i = 1; i < t.size(); ++i) {
    EXPECT_LE(t[i - 1].suffix, t[i].suffix);
    for (std::size_t j = 0; j < i; ++j) EXPECT_NE(t[i].short_id, t[j].short_id);
  }
}

}  // namespace
}  // namespace netseen::netbios
