// Context::inside: the home networks as the detectors ask about them (IPv4 nets of /16 and
// shorter from a /16 bit map, longer ones by mask, IPv6 by prefix).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
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

// Evictions counted on a hot path (EvictionCount: one counter found once) and through
// count_eviction add up in one place, from several threads at once; a snapshot's rollback
// puts them back to the checkpoint without invalidating the counters detectors hold.
TEST(Context, EvictionCountsAddUpAcrossThreadsAndRollBack) {
  Context ctx({});
  EvictionCount a, b;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      EvictionCount mine;
      for (int i = 0; i < 10000; ++i) {
        if (t % 2 == 0) mine.add(ctx, "scan.horizontal");
        else ctx.count_eviction("scan.horizontal");
      }
    });
  }
  for (auto& th : threads) th.join();
  a.add(ctx, "scan.vertical");
  EXPECT_EQ(ctx.evictions(), (std::map<std::string, std::uint64_t, std::less<>>{{"scan.horizontal", 40000},
                                                                                {"scan.vertical", 1}}));
  const auto mark = ctx.checkpoint();
  a.add(ctx, "scan.vertical");
  b.add(ctx, "scan.decoy");
  ctx.count_eviction("scan.decoy", 4488);
  EXPECT_EQ(ctx.evictions().at("scan.decoy"), 4489u);
  ctx.rollback(mark);
  // Back to the checkpoint; a counter the checkpoint did not know is not listed at 0.
  EXPECT_EQ(ctx.evictions(), (std::map<std::string, std::uint64_t, std::less<>>{{"scan.horizontal", 40000},
                                                                                {"scan.vertical", 1}}));
  // The counters held before the rollback still count into the context.
  a.add(ctx, "scan.vertical");
  b.add(ctx, "scan.decoy");
  EXPECT_EQ(ctx.evictions().at("scan.vertical"), 2u);
  EXPECT_EQ(ctx.evictions().at("scan.decoy"), 1u);
}

}  // namespace
}  // namespace netseen::detect
