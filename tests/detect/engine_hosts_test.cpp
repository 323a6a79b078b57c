// Engine host facts behind the direct-mapped cache in front of the host table: counts stay
// exact while the table grows (every insert may move every entry) and when it is full.
#include <gtest/gtest.h>

#include <string>

#include "detect/engine.hpp"
#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using testutil::Ev;
using testutil::ip;

std::string addr(int i) { return "10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256); }

TEST(EngineHosts, CountsStayExactWhileTheTableGrows) {
  auto eng = Engine::create({});
  ASSERT_TRUE(eng.has_value());
  // One busy host talks between each of 20,000 new ones: its cached entry must follow every
  // rehash of the table under it.
  constexpr int kNew = 20'000;
  for (int i = 1; i <= kNew; ++i) {
    (*eng)->on_event(Ev().from("192.168.1.1", 40000).to(addr(i).c_str(), 80).tcp(decode::tcpflag::kSyn).build());
    (*eng)->on_event(Ev().from(addr(i).c_str(), 80).to("192.168.1.1", 40000).tcp(0x12).build());
    (*eng)->on_event(Ev().from(addr(i).c_str(), 80).to("192.168.1.1", 40000).tcp(0x10).build());
  }
  const auto& hosts = (*eng)->hosts();
  ASSERT_EQ(hosts.size(), static_cast<std::size_t>(kNew + 1));
  auto busy = hosts.find(ip("192.168.1.1"));
  ASSERT_NE(busy, hosts.end());
  EXPECT_EQ(busy->second.events_as_source, static_cast<std::uint64_t>(kNew));
  EXPECT_EQ(busy->second.events_as_destination, static_cast<std::uint64_t>(2 * kNew));
  for (int i : {1, 2, 255, 256, 4097, kNew}) {
    auto h = hosts.find(ip(addr(i).c_str()));
    ASSERT_NE(h, hosts.end()) << addr(i);
    EXPECT_EQ(h->second.events_as_source, 2U) << addr(i);
    EXPECT_EQ(h->second.events_as_destination, 1U) << addr(i);
  }
}

TEST(EngineHosts, AFullTableCountsEvictionsAndKeepsCounting) {
  EngineOptions o;
  o.max_hosts = 3;
  auto eng = Engine::create(o);
  ASSERT_TRUE(eng.has_value());
  for (int round = 0; round < 3; ++round) {
    for (int i = 1; i <= 5; ++i) {
      (*eng)->on_event(Ev().from(addr(i).c_str(), 1000).to(addr(i).c_str(), 2000).udp().build());
    }
  }
  const auto& hosts = (*eng)->hosts();
  EXPECT_EQ(hosts.size(), 3U);
  for (int i = 1; i <= 3; ++i) {
    auto h = hosts.find(ip(addr(i).c_str()));
    ASSERT_NE(h, hosts.end());
    EXPECT_EQ(h->second.events_as_source, 3U);
    EXPECT_EQ(h->second.events_as_destination, 3U);
  }
  EXPECT_GT((*eng)->stats().hosts_evicted, 0U);
}

}  // namespace
}  // namespace netseen::detect
