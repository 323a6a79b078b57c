// Linux 2.2 ipchains and 2.0 ipfwadm lines.
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

TEST(Ipchains, ForwardDenyUdpFieldByField) {
  auto ev = one_event(
      "Jun 16 08:00:38 megahard kernel: Packet log: forward DENY eth1 PROTO=17 10.1.2.3:234 192.0.2.9:34567 L=78 "
      "S=0x00 I=13413 F=0x0000 T=112 (#16)");
  EXPECT_EQ(ev.action, Action::Drop);
  EXPECT_EQ(ev.direction, Direction::Forward);
  EXPECT_EQ(ev.out_iface, "eth1");
  EXPECT_EQ(ev.transport, Transport::Udp);
  EXPECT_EQ(ev.src, ip("10.1.2.3"));
  EXPECT_EQ(ev.sport, 234);
  EXPECT_EQ(ev.dport, 34567);
  EXPECT_EQ(ev.ip_len, 78u);
  EXPECT_EQ(ev.ip_id, 13413);
  EXPECT_TRUE(ev.ip_id_from_log);
  EXPECT_EQ(ev.ttl, 112);
  EXPECT_EQ(ev.rule, "forward #16");
  EXPECT_FALSE(ev.dont_fragment);
}

TEST(Ipchains, RejectTcpSynWithDfAndIcmpInPortSlots) {
  auto ev = one_event(
      "Mar 19 01:04:45 gw kernel: Packet log: input REJECT eth0 PROTO=6 203.0.113.7:3127 192.0.2.10:139 L=48 "
      "S=0x00 I=4712 F=0x4000 T=113 SYN (#12)");
  EXPECT_EQ(ev.action, Action::Reject);
  EXPECT_EQ(ev.direction, Direction::Inbound);
  EXPECT_EQ(ev.in_iface, "eth0");
  EXPECT_EQ(ev.tcp_flags, decode::tcpflag::kSyn);
  EXPECT_TRUE(ev.dont_fragment);
  ev = one_event(
      "Mar 19 01:04:45 gw kernel: Packet log: input DENY ppp0 PROTO=1 203.0.113.7:8 192.0.2.10:0 L=60 S=0x00 I=1 "
      "F=0x0000 T=30 (#2)");
  EXPECT_EQ(ev.transport, Transport::Icmp);
  ASSERT_TRUE(ev.icmp);
  EXPECT_EQ(ev.icmp->type, 8);
  EXPECT_EQ(ev.icmp->code, 0);
  EXPECT_EQ(ev.sport, 0);
  EXPECT_EQ(ev.dport, 0);
}

TEST(Ipchains, MailWrappedLinesAreJoined) {
  // As in the founding FAQ: the line was wrapped after PROTO=6.
  auto r = run_log(
      "Aug 10 05:15:48 peter-172 kernel: Packet log: input REJECT eth0 PROTO=6\n"
      "172.30.3.56:4425 1.11.68.22:445 L=40 S=0x00 I=42620 F=0x4000 T=128 (#13)\n"
      "Aug 10 05:15:49 peter-172 kernel: Packet log: input REJECT eth0 PROTO=6\n"
      "172.30.3.56:4425 1.11.68.22:445 L=79 S=0x00 I=42665 F=0x4000 T=128 (#13)\n");
  EXPECT_EQ(r.stats.format, "ipchains");
  EXPECT_EQ(r.stats.error_count, 0u);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].dport, 445);
  EXPECT_EQ(r.events[0].ip_id, 42620);
  EXPECT_EQ(r.events[0].origin.number, 2u);
  EXPECT_EQ(format_rfc3339(r.events[0].ts), "2024-08-10T05:15:48.000000Z");
  EXPECT_EQ(r.events[1].ip_len, 79u);
}

TEST(Ipchains, BrokenLines) {
  auto r = run_log(
      "Mar 19 01:04:45 gw kernel: Packet log: input DENY eth0 PROTO=x 1.2.3.4:1 5.6.7.8:2 L=1\n"
      "Mar 19 01:04:45 gw kernel: Packet log: input DENY eth0 PROTO=6 1.2.3.4:1 5.6.7.8:2 L=1 T=999\n"
      "Mar 19 01:04:45 gw kernel: Packet log: input DENY eth0 PROTO=6 1.2.3.4:1\n");
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.stats.error_count, 3u);
}

TEST(Ipfwadm, RejectTcpWithDf) {
  auto ev = one_event(
      "Feb 23 07:37:01 - kernel: IP fw-in rej eth0 TCP 12.75.147.174:1633 100.200.0.212:23 L=44 S=0x00 I=54054 "
      "F=0x0040 T=254");
  EXPECT_EQ(ev.action, Action::Reject);
  EXPECT_EQ(ev.direction, Direction::Inbound);
  EXPECT_EQ(ev.in_iface, "eth0");
  EXPECT_EQ(ev.transport, Transport::Tcp);
  EXPECT_EQ(ev.sport, 1633);
  EXPECT_EQ(ev.dport, 23);
  EXPECT_EQ(ev.ip_id, 54054);
  EXPECT_EQ(ev.ttl, 254);
  ev = one_event("Feb 23 07:37:01 - kernel: IP fw-in deny eth0 ICMP/8 1.2.3.4 5.6.7.8 L=84 S=0x00 I=1 F=0x0000 T=64");
  EXPECT_EQ(ev.action, Action::Drop);
  ASSERT_TRUE(ev.icmp);
  EXPECT_EQ(ev.icmp->type, 8);
}

}  // namespace
}  // namespace netseen::ingest
