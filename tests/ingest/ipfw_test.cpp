// FreeBSD ipfw and IPFilter ipmon lines.
#include <gtest/gtest.h>

#include "log_testing.hpp"

namespace netseen::ingest {
namespace {

using decode::Action;
using decode::Direction;
using decode::Transport;
using testing::ip;
using testing::one_event;
using testing::run_log;

TEST(Ipfw, DenyTcpIcmpOtherAndIpv6) {
  auto r = run_log(
      "Mar 19 01:07:00 bsd kernel: ipfw: 100 Deny TCP 203.0.113.10:1234 192.0.2.10:23 in via fxp0\n"
      "Mar 19 01:07:01 bsd kernel: ipfw: 100 Deny ICMP:8.0 203.0.113.10 192.0.2.10 in via fxp0\n"
      "Mar 19 01:07:02 bsd kernel: ipfw: 200 Unreach 3 UDP 10.0.0.1:5000 10.0.0.2:137 out via em1\n"
      "Mar 19 01:07:03 bsd kernel: ipfw: 300 Accept P:47 10.0.0.1 10.0.0.2 in via em0\n"
      "Mar 19 01:07:04 bsd kernel: ipfw: 400 Deny TCP [2001:db8::1]:4000 [2001:db8::2]:445 in via em0\n"
      "Mar 19 01:07:05 bsd kernel: ipfw: 500 Deny UDP 10.0.0.1 10.0.0.2 in via em0 (frag 4711:1480@185)\n"
      "Mar 19 01:07:06 bsd kernel: ipfw: limit 100 reached on entry 500\n");
  EXPECT_EQ(r.stats.format, "ipfw");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 6u);
  EXPECT_EQ(r.events[0].action, Action::Drop);
  EXPECT_EQ(r.events[0].rule, "100");
  EXPECT_EQ(r.events[0].dport, 23);
  EXPECT_EQ(r.events[0].in_iface, "fxp0");
  EXPECT_EQ(r.events[0].direction, Direction::Inbound);
  ASSERT_TRUE(r.events[1].icmp);
  EXPECT_EQ(r.events[1].icmp->type, 8);
  EXPECT_EQ(r.events[1].transport, Transport::Icmp);
  EXPECT_EQ(r.events[2].action, Action::Reject);
  EXPECT_EQ(r.events[2].out_iface, "em1");
  EXPECT_EQ(r.events[2].dport, 137);
  EXPECT_EQ(r.events[3].protocol, 47);
  EXPECT_EQ(r.events[3].action, Action::Accept);
  EXPECT_EQ(r.events[4].src, ip("2001:db8::1"));
  EXPECT_EQ(r.events[4].dport, 445);
  EXPECT_TRUE(r.events[5].later_fragment);
  EXPECT_EQ(r.stats.skipped, 1u);
}

TEST(Ipfw, Broken) {
  auto r = run_log(
      "Mar 19 01:07:00 bsd kernel: ipfw: x Deny TCP 1.2.3.4:1 5.6.7.8:2 in via a\n"
      "Mar 19 01:07:00 bsd kernel: ipfw: 1 Deny TCP 1.2.3.4:99999 5.6.7.8:2 in via a\n"
      "Mar 19 01:07:00 bsd kernel: ipfw: 1 Deny ICMP:x 1.2.3.4 5.6.7.8 in via a\n");
  EXPECT_EQ(r.stats.error_count, 3u);
}

TEST(Ipfilter, BlockTcpRepeatAndIcmp) {
  auto r = run_log(
      "Mar 19 01:06:00 sol ipmon[123]: 01:06:00.123456 hme0 @0:1 b 203.0.113.9,1025 -> 192.0.2.10,139 PR tcp len 20 "
      "48 -S IN\n"
      "Mar 19 01:06:01 sol ipmon[123]: 01:06:01.000001 3x hme0 @0:2 b 203.0.113.9 -> 192.0.2.10 PR icmp len 20 84 "
      "icmp 8/0 IN\n"
      "Mar 19 01:06:02 sol ipmon[123]: 01:06:02.000001 hme0 @0:3 p 192.0.2.10,53 -> 203.0.113.9,5353 PR udp len 20 "
      "60 OUT\n"
      "Mar 19 01:06:03 sol ipmon[123]: 01:06:03.000001 hme0 @0:1 b host[203.0.113.9],netbios-ssn -> 192.0.2.10,139 PR "
      "tcp len 20 48 -S IN\n");
  EXPECT_EQ(r.stats.format, "ipfilter");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[0].action, Action::Drop);
  EXPECT_EQ(r.events[0].rule, "0:1");
  EXPECT_EQ(r.events[0].in_iface, "hme0");
  EXPECT_EQ(r.events[0].sport, 1025);
  EXPECT_EQ(r.events[0].dport, 139);
  EXPECT_EQ(r.events[0].ip_len, 48u);  // the total length, not the header length (fwlogwatch's trap)
  EXPECT_EQ(r.events[0].tcp_flags, decode::tcpflag::kSyn);
  EXPECT_EQ(r.events[0].direction, Direction::Inbound);
  EXPECT_EQ(r.events[1].count, 3u);
  ASSERT_TRUE(r.events[1].icmp);
  EXPECT_EQ(r.events[1].icmp->type, 8);
  EXPECT_EQ(r.events[2].action, Action::Accept);
  EXPECT_EQ(r.events[2].direction, Direction::Outbound);
  EXPECT_EQ(r.events[2].out_iface, "hme0");
  EXPECT_EQ(r.stats.skipped, 1u);
}

}  // namespace
}  // namespace netseen::ingest
