#include "netbios/nbss.hpp"

#include <random>

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace netseen::netbios {
namespace {

using testing::ascii_hex;
using testing::hex;
using testing::hexs;

TEST(Nbss, HeaderEBitAnd445Length) {
  auto h = parse_nbss_header(Bytes(hex("00 01 ff ff")), Framing::Nbss);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->length, 0x1FFFFU);
  auto d = parse_nbss_header(Bytes(hex("00 12 34 56")), Framing::SmbDirect);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->length, 0x123456U);
  auto bad_flags = parse_nbss_header(Bytes(hex("00 12 34 56")), Framing::Nbss);
  ASSERT_FALSE(bad_flags);
  EXPECT_EQ(bad_flags.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(bad_flags.error().offset, 1U);
  auto bad_type = parse_nbss_header(Bytes(hex("86 00 00 00")), Framing::Nbss);
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(bad_type.error().offset, 0U);
  auto bad_445 = parse_nbss_header(Bytes(hex("81 00 00 44")), Framing::SmbDirect);
  ASSERT_FALSE(bad_445);
  EXPECT_EQ(bad_445.error().kind, ErrorKind::Malformed);
  auto short_h = parse_nbss_header(Bytes(hex("00 00")), Framing::Nbss);
  ASSERT_FALSE(short_h);
  EXPECT_EQ(short_h.error().kind, ErrorKind::Truncated);
  EXPECT_EQ(short_h.error().offset, 2U);
}

TEST(Nbss, SessionRequestExactBytesWithScope) {
  NbssSessionRequest req{*NetbiosName::make("FRED", 0x20, "NETBIOS.COM"), *NetbiosName::make("HOSTA", 0x00)};
  auto b = build_session_request(req);
  ASSERT_TRUE(b);
  const std::string called = "20" + ascii_hex("EGFCEFEECACACACACACACACACACACACA") + "07" + ascii_hex("NETBIOS") + "03" +
                             ascii_hex("COM") + "00";
  const std::string calling = "20" + ascii_hex("EIEPFDFEEBCACACACACACACACACACAAA") + "00";
  EXPECT_EQ(hexs(*b), hexs(hex("81 00 0050" + called + calling)));
  auto h = parse_nbss_header(Bytes(*b), Framing::Nbss);
  ASSERT_TRUE(h);
  EXPECT_EQ(session_type_name(h->type), "session_request");
  EXPECT_EQ(h->length, b->size() - 4);
  auto p = parse_session_request(Bytes(*b).subspan(4));
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->called, req.called);
  EXPECT_EQ(p->called.display(), "FRED<20>.NETBIOS.COM");
  EXPECT_EQ(p->calling.display(), "HOSTA<00>");
  // Truncated calling name: offset is in frame coordinates.
  auto cut = parse_session_request(Bytes(*b).subspan(4, b->size() - 10));
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind, ErrorKind::Truncated);
  EXPECT_EQ(cut.error().offset, 4U + 46U);  // the calling name starts after the 46-byte called name
}

TEST(Nbss, ResponsesAndKeepAlive) {
  EXPECT_EQ(hexs(build_positive_response()), "82 00 00 00");
  EXPECT_EQ(hexs(build_keep_alive()), "85 00 00 00");
  auto neg = build_negative_response(kSessErrInsufficientResources);
  EXPECT_EQ(hexs(neg), "83 00 00 01 83");
  auto code = parse_negative_response(Bytes(neg).subspan(4));
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0x83);
  EXPECT_EQ(session_error_meaning(0x83), "Called name present, but insufficient resources");
  EXPECT_EQ(session_error_meaning(0x80), "Not listening on called name");
  EXPECT_EQ(session_error_meaning(0x8F), "Unspecified error");
  EXPECT_FALSE(parse_negative_response({}));
  auto rt = build_retarget({0x0A000005, 1139});
  EXPECT_EQ(hexs(rt), "84 00 00 06 0a 00 00 05 04 73");
  auto parsed = parse_retarget(Bytes(rt).subspan(4));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->address, 0x0A000005U);
  EXPECT_EQ(parsed->port, 1139);
  auto short_rt = parse_retarget(Bytes(rt).subspan(4, 5));
  ASSERT_FALSE(short_rt);
  EXPECT_EQ(short_rt.error().kind, ErrorKind::Truncated);
}

TEST(Nbss, SessionMessageLengths) {
  std::vector<std::uint8_t> big(0x10005, 0xAB);
  auto m = build_session_message(Bytes(big));
  ASSERT_TRUE(m);
  EXPECT_EQ(hexs(std::vector<std::uint8_t>(m->begin(), m->begin() + 4)), "00 01 00 05");  // E bit
  auto h = parse_nbss_header(Bytes(*m), Framing::Nbss);
  EXPECT_EQ(h->length, 0x10005U);
  std::vector<std::uint8_t> too_big(0x20000, 0);
  auto no = build_session_message(Bytes(too_big));
  ASSERT_FALSE(no);
  EXPECT_EQ(no.error().kind, ErrorKind::LimitExceeded);
  auto direct = build_session_message(Bytes(too_big), Framing::SmbDirect);
  ASSERT_TRUE(direct);
  EXPECT_EQ(hexs(std::vector<std::uint8_t>(direct->begin(), direct->begin() + 4)), "00 02 00 00");
}

std::vector<std::uint8_t> sample_stream() {
  std::vector<std::uint8_t> s;
  auto add = [&s](const std::vector<std::uint8_t>& v) { s.insert(s.end(), v.begin(), v.end()); };
  add(*build_session_request({*NetbiosName::make("SERVER", 0x20), *NetbiosName::make("CLIENT", 0x00)}));
  add(build_positive_response());
  std::vector<std::uint8_t> smb(300);
  for (std::size_t i = 0; i < smb.size(); ++i) smb[i] = static_cast<std::uint8_t>(i);
  add(*build_session_message(Bytes(smb)));
  add(build_keep_alive());
  add(build_negative_response(0x82));
  add(build_retarget({0x7F000001, 139}));
  add(*build_session_message({}));
  return s;
}

std::vector<NbssFrame> drain(NbssFramer& f) {
  std::vector<NbssFrame> out;
  while (true) {
    auto r = f.next();
    if (!r || !*r) break;
    out.push_back(std::move(**r));
  }
  return out;
}

TEST(NbssFramer, AnySplitGivesTheSameFrames) {
  const auto stream = sample_stream();
  NbssFramer whole;
  whole.feed(Bytes(stream));
  const auto expected = drain(whole);
  ASSERT_EQ(expected.size(), 7U);
  EXPECT_EQ(expected[2].payload.size(), 300U);
  EXPECT_EQ(expected[2].stream_offset, 72U + 4U);  // after the 72-byte request and the response
  EXPECT_EQ(expected[6].header.length, 0U);
  EXPECT_EQ(whole.stream_offset(), stream.size());

  std::mt19937 rng(1234);
  for (int trial = 0; trial < 200; ++trial) {
    NbssFramer f;
    std::vector<NbssFrame> got;
    std::size_t pos = 0;
    while (pos < stream.size()) {
      const std::size_t n = trial == 0 ? 1 : std::min<std::size_t>(1 + rng() % 40, stream.size() - pos);
      f.feed(Bytes(stream).subspan(pos, n));
      pos += n;
      for (auto& fr : drain(f)) got.push_back(std::move(fr));
      EXPECT_LE(f.buffered(), 300U + 4U);
    }
    ASSERT_EQ(got.size(), expected.size()) << trial;
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].header.type, expected[i].header.type);
      EXPECT_EQ(got[i].header.length, expected[i].header.length);
      EXPECT_EQ(got[i].payload, expected[i].payload);
      EXPECT_EQ(got[i].stream_offset, expected[i].stream_offset);
    }
  }
}

TEST(NbssFramer, HugeDeclaredLengthNeverAllocates) {
  NbssFramer f(Framing::SmbDirect, 64);
  f.feed(Bytes(hex("00 ff ff ff")));  // 16 MiB declared
  EXPECT_FALSE(*f.next());
  std::vector<std::uint8_t> chunk(4096, 0x11);
  std::size_t fed = 0;
  while (fed + chunk.size() <= 0xFFFFFF) {
    f.feed(Bytes(chunk));
    fed += chunk.size();
    ASSERT_LE(f.buffered(), 64U);
  }
  f.feed(Bytes(chunk).first(0xFFFFFF - fed));
  auto fr = f.next();
  ASSERT_TRUE(fr && *fr);
  EXPECT_EQ((*fr)->header.length, 0xFFFFFFU);
  EXPECT_EQ((*fr)->payload.size(), 64U);
  EXPECT_TRUE((*fr)->payload_truncated);
}

TEST(NbssFramer, BadHeaderFailsWithStreamOffsetThenResync) {
  auto stream = sample_stream();
  const std::size_t bad_at = stream.size();
  auto junk = hex("99 00 00 00");
  stream.insert(stream.end(), junk.begin(), junk.end());
  NbssFramer f;
  f.feed(Bytes(stream));
  EXPECT_EQ(drain(f).size(), 7U);  // frames before the error are delivered first
  auto err = f.next();
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(err.error().offset, bad_at);
  EXPECT_TRUE(f.failed());
  f.feed(Bytes(build_keep_alive()));  // ignored while failed
  EXPECT_FALSE(f.next());
  f.resync();
  f.feed(Bytes(build_keep_alive()));
  auto ok = f.next();
  ASSERT_TRUE(ok && *ok);
  EXPECT_EQ((*ok)->header.type, 0x85);
}

}  // namespace
}  // namespace netseen::netbios
