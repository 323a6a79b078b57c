#include "core/ip_address.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace netseen {
namespace {

IpAddress ip(const char* s) {
  auto a = IpAddress::parse(s);
  EXPECT_TRUE(a.has_value()) << s;
  return a.value_or(IpAddress{});
}

TEST(IpAddress, ParseAndFormat) {
  EXPECT_EQ(ip("10.0.0.23").to_string(), "10.0.0.23");
  EXPECT_EQ(ip("10.0.0.23").v4_value(), 0x0A000017U);
  EXPECT_EQ(ip("2001:db8::1").to_string(), "2001:db8::1");
  EXPECT_EQ(ip("fe80::1%eth0").to_string(), "fe80::1");
  EXPECT_FALSE(IpAddress::parse("10.0.0").has_value());
  EXPECT_FALSE(IpAddress::parse("10.0.0.256").has_value());
  EXPECT_FALSE(IpAddress::parse("").has_value());
  EXPECT_FALSE(IpAddress::parse("not an address").has_value());
  EXPECT_FALSE(IpAddress::parse(std::string(200, '1')).has_value());
  EXPECT_EQ(IpAddress{}.to_string(), "-");
  EXPECT_EQ(IpAddress::v4(1, 11, 68, 22), ip("1.11.68.22"));
  EXPECT_LT(ip("9.0.0.1"), ip("10.0.0.1"));
}

// The decoder's path from wire bytes: whatever the address held before (here IPv6), the
// result equals the address built from the number, and it orders and hashes the same.
TEST(IpAddress, AssignV4FromWireBytes) {
  const std::uint8_t wire[4] = {192, 168, 7, 200};
  IpAddress a = ip("2001:db8::1:2:3:4");
  a.assign_v4(wire);
  EXPECT_EQ(a, IpAddress::v4(192, 168, 7, 200));
  EXPECT_TRUE(a.is_v4());
  EXPECT_EQ(a.v4_value(), 0xC0A807C8U);
  EXPECT_EQ(a.to_string(), "192.168.7.200");
  EXPECT_FALSE(a < IpAddress::v4(192, 168, 7, 200) || IpAddress::v4(192, 168, 7, 200) < a);
  EXPECT_EQ(IpAddressHash{}(a), IpAddressHash{}(IpAddress::v4(192, 168, 7, 200)));
}

// The log parsers' path: set in place over whatever was there (an IPv6 address with every
// byte set), the result is the address v4() builds, byte for byte, in order and hash.
TEST(IpAddress, SetV4InPlaceEqualsTheBuiltValue) {
  for (const std::uint32_t v : {0x00000000U, 0x0A000001U, 0xC0A807C8U, 0xFFFFFFFFU, 0x01020304U}) {
    IpAddress a = ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    a.set_v4(v);
    const IpAddress b = IpAddress::v4(v);
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.bytes(), b.bytes());
    EXPECT_TRUE(a.is_v4());
    EXPECT_EQ(a.v4_value(), v);
    EXPECT_FALSE(a < b || b < a);
    EXPECT_EQ(IpAddressHash{}(a), IpAddressHash{}(b));
  }
  IpAddress c;
  c.set_v4(0xC0A807C8U);
  EXPECT_EQ(c.to_string(), "192.168.7.200");
}

TEST(IpAddress, Classes) {
  EXPECT_TRUE(ip("192.168.1.1").is_private());
  EXPECT_TRUE(ip("172.31.255.255").is_private());
  EXPECT_FALSE(ip("172.32.0.1").is_private());
  EXPECT_TRUE(ip("127.9.9.9").is_loopback());
  EXPECT_TRUE(ip("::1").is_loopback());
  EXPECT_TRUE(ip("169.254.3.4").is_link_local());
  EXPECT_TRUE(ip("fe80::2").is_link_local());
  EXPECT_TRUE(ip("224.0.0.251").is_multicast());
  EXPECT_TRUE(ip("255.255.255.255").is_limited_broadcast());
  EXPECT_TRUE(ip("100.64.1.1").is_shared_cgn());
  EXPECT_TRUE(ip("0.0.0.0").is_unspecified());
  EXPECT_TRUE(ip("1.11.68.22").is_public());
  EXPECT_FALSE(ip("192.0.2.7").is_public());
  EXPECT_FALSE(ip("10.1.1.1").is_public());
  EXPECT_TRUE(ip("2a00:1450::1").is_public());
  EXPECT_FALSE(ip("2001:db8::5").is_public());
  EXPECT_TRUE(ip("fd00::1").is_private());
}

TEST(Cidr, ParseContains) {
  auto c = Cidr::parse("1.11.0.0/16");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains(ip("1.11.68.22")));
  EXPECT_FALSE(c->contains(ip("1.12.0.1")));
  EXPECT_FALSE(c->contains(ip("::1")));
  EXPECT_EQ(Cidr::parse("10.1.2.3/8")->to_string(), "10.0.0.0/8");
  EXPECT_EQ(Cidr::parse("10.1.2.3")->prefix(), 32U);
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains(ip("8.8.8.8")));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/33").has_value());
  EXPECT_FALSE(Cidr::parse("10.0.0.0/").has_value());
  EXPECT_FALSE(Cidr::parse("10.0.0.0/x").has_value());
  EXPECT_TRUE(Cidr::parse("fe80::/10")->contains(ip("febf::1")));
  EXPECT_FALSE(Cidr::parse("fe80::/10")->contains(ip("fec0::1")));
}

// IPv4 text is formatted by hand (inet_ntop costs a sprintf per octet): inet_ntop is the
// oracle for every octet value in every position.
TEST(IpAddress, V4TextMatchesInetNtop) {
  for (unsigned i = 0; i < 256; ++i) {
    const auto o = static_cast<std::uint8_t>(i);
    for (const auto& a : {IpAddress::v4(o, 0, 0, 0), IpAddress::v4(0, o, 0, 0), IpAddress::v4(1, 2, 3, o),
                          IpAddress::v4(o, o, o, o),
                          IpAddress::v4(o, static_cast<std::uint8_t>(255 - i), static_cast<std::uint8_t>(i * 7),
                                        static_cast<std::uint8_t>(i * 13 + 100))}) {
      char want[INET_ADDRSTRLEN] = {};
      ASSERT_NE(inet_ntop(AF_INET, a.bytes().data() + 12, want, sizeof want), nullptr);
      EXPECT_EQ(a.to_string(), want);
    }
  }
}

}  // namespace
}  // namespace netseen
