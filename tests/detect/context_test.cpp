// Context::inside: the home networks as the detectors ask about them (IPv4 nets of /16 and
// shorter from a /16 bit map, longer ones by mask, IPv6 by prefix).
#include <gtest/gtest.h>

#include <vector>

#include "detect/context.hpp"
#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using testutil::ip;

Cidr cidr(const char* s) { return Cidr::parse(s).value_or(Cidr{}); }

TEST(Context, InsideShortLongAndV6Nets) {
  const Context ctx({cidr("10.0.0.0/8"), cidr("172.16.0.0/12"), cidr("192.168.1.0/24"), cidr("100.64.7.0/31"),
                     cidr("fd00::/8")});
  for (const char* in : {"10.0.0.0", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.0", "192.168.1.255",
                         "100.64.7.0", "100.64.7.1", "fd12::1"}) {
    EXPECT_TRUE(ctx.inside(ip(in))) << in;
  }
  for (const char* out : {"9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0", "192.168.0.255", "192.168.2.0",
                          "100.64.7.2", "100.64.6.255", "8.8.8.8", "fe80::1", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(ctx.inside(ip(out))) << out;
  }
  EXPECT_FALSE(ctx.inside(IpAddress{}));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/33").has_value());
}

TEST(Context, EverythingAndNothing) {
  const Context all({cidr("0.0.0.0/0")});
  EXPECT_TRUE(all.inside(ip("0.0.0.0")));
  EXPECT_TRUE(all.inside(ip("255.255.255.255")));
  EXPECT_TRUE(all.inside(ip("131.107.3.4")));
  EXPECT_FALSE(all.inside(ip("2001:db8::1")));
  const Context none({});
  EXPECT_FALSE(none.inside(ip("10.1.2.3")));
  const Context host({cidr("203.0.113.9/32")});
  EXPECT_TRUE(host.inside(ip("203.0.113.9")));
  EXPECT_FALSE(host.inside(ip("203.0.113.8")));
  const Context sixteen({cidr("198.51.0.0/16")});
  EXPECT_TRUE(sixteen.inside(ip("198.51.255.1")));
  EXPECT_FALSE(sixteen.inside(ip("198.52.0.0")));
  EXPECT_FALSE(sixteen.inside(ip("198.50.255.255")));
}

}  // namespace
}  // namespace netseen::detect
