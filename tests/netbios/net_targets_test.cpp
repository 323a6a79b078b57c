#include "netbios/net_targets.hpp"

#include <gtest/gtest.h>

namespace netseen::netbios::net {
namespace {

std::uint32_t ip(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return (std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d;
}

TEST(NetTargets, ParsesStrictDottedQuads) {
  std::uint32_t v = 0;
  EXPECT_TRUE(parse_ipv4("127.0.0.1", v));
  EXPECT_EQ(v, ip(127, 0, 0, 1));
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1..2.3", "1.2.3.4 ", "a.b.c.d", "1.2.3.0x1",
                          "1.2.3.-1", "1234.1.1.1"}) {
    EXPECT_FALSE(parse_ipv4(bad, v)) << bad;
  }
  EXPECT_EQ(ipv4_to_string(ip(10, 20, 30, 40)), "10.20.30.40");
}

TEST(NetTargets, AllFormsDeduplicatedInOrder) {
  TargetBuilder b;
  ASSERT_TRUE(b.add("10.0.0.5"));
  ASSERT_TRUE(b.add("10.0.0.4/30"));       // .4 .5 .6 .7 (network and broadcast included)
  ASSERT_TRUE(b.add("10.0.0.6-9"));        // last-octet range
  ASSERT_TRUE(b.add("10.0.0.255-10.0.1.1"));  // crosses an octet boundary
  const auto& r = b.result();
  const std::vector<std::uint32_t> want{ip(10, 0, 0, 5), ip(10, 0, 0, 4), ip(10, 0, 0, 6), ip(10, 0, 0, 7),
                                        ip(10, 0, 0, 8), ip(10, 0, 0, 9), ip(10, 0, 0, 255), ip(10, 0, 1, 0),
                                        ip(10, 0, 1, 1)};
  EXPECT_EQ(r.addresses, want);
  EXPECT_EQ(r.duplicates, 3U);  // .5 again, .6 and .7 again
}

TEST(NetTargets, CidrClearsHostBitsAndCoversWholeBlock) {
  TargetBuilder b;
  ASSERT_TRUE(b.add("192.168.1.77/24"));
  ASSERT_EQ(b.result().addresses.size(), 256U);
  EXPECT_EQ(b.result().addresses.front(), ip(192, 168, 1, 0));
  EXPECT_EQ(b.result().addresses.back(), ip(192, 168, 1, 255));
}

TEST(NetTargets, RejectsNonsenseWithMessage) {
  for (const char* bad : {"10.0.0.1/33", "10.0.0.9-3", "10.0.0.1-256", "host.example", "10.0.0.1/", "-"}) {
    TargetBuilder b;
    auto r = b.add(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::Malformed) << bad;
    EXPECT_NE(r.error().detail.find(bad), std::string::npos) << r.error().detail;
  }
}

TEST(NetTargets, CapRefusesBeforeAllocating) {
  TargetBuilder b(1000);
  auto r = b.add("0.0.0.0/0");  // 2^32 addresses: refused at once
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::LimitExceeded);
  EXPECT_TRUE(b.result().addresses.empty());
  TargetBuilder c(300);
  ASSERT_TRUE(c.add("10.0.0.0/24"));
  ASSERT_TRUE(c.add("10.0.0.0/24"));  // all duplicates: fine
  auto over = c.add("10.0.1.0/24");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::LimitExceeded);
}

TEST(NetTargets, LinesWithCommentsAndLineNumbers) {
  TargetBuilder b;
  ASSERT_TRUE(b.add_lines("# hosts\n10.0.0.1\r\n\n  10.0.0.2-3  # two more\n10.0.0.1\n", "list.txt"));
  EXPECT_EQ(b.result().addresses.size(), 3U);
  EXPECT_EQ(b.result().duplicates, 1U);
  TargetBuilder c;
  auto r = c.add_lines("10.0.0.1\nnot-an-ip\n", "list.txt");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, 2U);
  EXPECT_NE(r.error().detail.find("list.txt:2"), std::string::npos) << r.error().detail;
}

}  // namespace
}  // namespace netseen::netbios::net
