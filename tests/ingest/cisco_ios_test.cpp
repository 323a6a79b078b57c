// Cisco IOS ACL log lines with their aggregated packet counts.
#include <gtest/gtest.h>

#include "log_testing.hpp"

namespace netseen::ingest {
namespace {

using decode::Action;
using decode::Transport;
using testing::ip;
using testing::one_event;
using testing::run_log;

TEST(CiscoIos, LogpUdpWithCount) {
  auto ev = one_event(
      "Mar 19 01:08:00 router 1234: Mar 19 01:08:00: %SEC-6-IPACCESSLOGP: list 101 denied udp 203.0.113.11(137) -> "
      "192.0.2.10(137), 1 packet");
  EXPECT_EQ(ev.action, Action::Drop);
  EXPECT_EQ(ev.rule, "101");
  EXPECT_EQ(ev.transport, Transport::Udp);
  EXPECT_EQ(ev.src, ip("203.0.113.11"));
  EXPECT_EQ(ev.sport, 137);
  EXPECT_EQ(ev.dst, ip("192.0.2.10"));
  EXPECT_EQ(ev.dport, 137);
  EXPECT_EQ(ev.count, 1u);
}

TEST(CiscoIos, AggregatedCountsIcmpOtherAndInterfaces) {
  auto r = run_log(
      "Mar 19 01:08:00 r 1: %SEC-6-IPACCESSLOGP: list 101 permitted tcp 10.1.1.1(1234) (FastEthernet0/0 "
      "0012.3456.789a) -> 10.2.2.2(80), 12 packets\n"
      "Mar 19 01:08:00 r 2: %SEC-6-IPACCESSLOGDP: list 101 denied icmp 203.0.113.11 -> 192.0.2.10 (8/0), 5 packets\n"
      "Mar 19 01:08:00 r 3: %SEC-6-IPACCESSLOGNP: list 101 denied 47 203.0.113.11 -> 192.0.2.10, 3 packets\n"
      "Mar 19 01:08:00 r 4: %SEC-6-IPACCESSLOGS: list 10 denied 203.0.113.11 2 packets\n"
      "Mar 19 01:08:00 r 5: %IPV6_ACL-6-ACCESSLOGP: list V6 denied tcp 2001:db8::1(1111) (Vlan1) -> 2001:db8::2(22), "
      "1 packet\n");
  EXPECT_EQ(r.stats.format, "cisco-ios");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 5u);
  EXPECT_EQ(r.events[0].count, 12u);
  EXPECT_EQ(r.events[0].action, Action::Accept);
  EXPECT_EQ(r.events[0].in_iface, "FastEthernet0/0");
  EXPECT_EQ(r.events[0].dport, 80);
  ASSERT_TRUE(r.events[1].icmp);
  EXPECT_EQ(r.events[1].icmp->type, 8);
  EXPECT_EQ(r.events[1].count, 5u);
  EXPECT_EQ(r.events[2].protocol, 47);
  EXPECT_EQ(r.events[2].count, 3u);
  EXPECT_EQ(r.events[3].src, ip("203.0.113.11"));
  EXPECT_FALSE(r.events[3].dst.valid());
  EXPECT_EQ(r.events[3].count, 2u);
  EXPECT_EQ(r.events[4].ip_version, 6);
  EXPECT_EQ(r.events[4].dport, 22);
  EXPECT_EQ(r.events[4].in_iface, "Vlan1");
}

TEST(CiscoIos, BrokenLines) {
  auto r = run_log(
      "%SEC-6-IPACCESSLOGP: list 101 denied udp 203.0.113.11(137) -> 192.0.2.10(137), many packets\n"
      "%SEC-6-IPACCESSLOGP: list 101 frobbed udp 203.0.113.11(137) -> 192.0.2.10(137), 1 packet\n"
      "%SEC-6-IPACCESSLOGP: list 101 denied udp 203.0.113.11(137) 192.0.2.10(137), 1 packet\n");
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.stats.error_count, 3u);
}

}  // namespace
}  // namespace netseen::ingest
