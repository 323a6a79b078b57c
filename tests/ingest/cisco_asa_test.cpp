// Cisco ASA/PIX/FWSM messages, including the traps of log-anchors.md §4.6.
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

TEST(CiscoAsa, Ace106023DenyTcp) {
  auto ev = one_event(
      "Aug  1 14:01:20 abc-asa1: %ASA-4-106023: Deny tcp src outside:192.168.1.1/50240 dst inside:192.168.1.2/23 by "
      "access-group \"S_OUTSIDE_TO_INSIDE\" [0x54c7fa80, 0x0]");
  EXPECT_EQ(ev.action, Action::Drop);
  EXPECT_EQ(ev.transport, Transport::Tcp);
  EXPECT_EQ(ev.src, ip("192.168.1.1"));
  EXPECT_EQ(ev.sport, 50240);
  EXPECT_EQ(ev.dst, ip("192.168.1.2"));
  EXPECT_EQ(ev.dport, 23);
  EXPECT_EQ(ev.in_iface, "outside");
  EXPECT_EQ(ev.out_iface, "inside");
  EXPECT_EQ(ev.rule, "106023 \"S_OUTSIDE_TO_INSIDE\"");
  EXPECT_EQ(format_rfc3339(ev.ts), "2024-08-01T14:01:20.000000Z");
}

TEST(CiscoAsa, Ace106023IcmpAndNumericProtocolAndYearStamp) {
  auto ev = one_event(
      "<164>Aug 24 2011 10:00:00: %ASA-4-106023: Deny icmp src outside:10.0.0.1 dst inside:10.0.0.2 (type 8, code 0) "
      "by access-group \"OUT\" [0x0, 0x0]");
  EXPECT_EQ(format_rfc3339(ev.ts), "2011-08-24T10:00:00.000000Z");
  EXPECT_EQ(ev.transport, Transport::Icmp);
  ASSERT_TRUE(ev.icmp);
  EXPECT_EQ(ev.icmp->type, 8);
  ev = one_event(
      "%ASA-4-106023: Deny protocol 103 src outside:10.0.0.1 dst inside:10.0.0.2 by access-group \"OUT\" [0x0, 0x0]");
  EXPECT_EQ(ev.protocol, 103);
}

TEST(CiscoAsa, HitCount106100IsACount) {
  auto r = run_log(
      "%ASA-6-106100: access-list outside-entry permitted tcp outside/10.11.12.13(54726) -> inside/192.168.17.18(80) "
      "hit-cnt 1 300-second interval [0x32b3835, 0x0]\n"
      "%ASA-2-106100: access-list outside-acl denied ip outside/3.3.3.3(12345) -> inside/192.168.1.1(1357) hit-cnt 21 "
      "(300-second interval)\n"
      "%ASA-6-106100: access-list in denied icmp outside/10.1.1.1(0) -> inside/10.2.2.2(8) hit-cnt 1 (first hit)\n");
  EXPECT_EQ(r.stats.format, "cisco-asa");
  ASSERT_EQ(r.events.size(), 3u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  EXPECT_EQ(r.events[0].action, Action::Accept);
  EXPECT_EQ(r.events[0].count, 1u);
  EXPECT_EQ(r.events[0].dport, 80);
  EXPECT_EQ(r.events[1].action, Action::Drop);
  EXPECT_EQ(r.events[1].count, 21u);
  EXPECT_EQ(r.events[1].protocol, 0);
  ASSERT_TRUE(r.events[2].icmp);
  EXPECT_EQ(r.events[2].icmp->type, 8);  // the destination "port" of ICMP is the type
  EXPECT_EQ(r.events[2].dport, 0);
}

TEST(CiscoAsa, Icmp106014WithAndWithoutSpace) {
  for (const char* line :
       {"%ASA-3-106014: Deny inbound icmp src fw111:10.10.10.10 dst fw111:10.10.10.11(type 8, code 0)",
        "%ASA-3-106014: Deny inbound icmp src fw111:10.10.10.10 dst fw111:10.10.10.11 (type 8, code 0)"}) {
    auto ev = one_event(line);
    EXPECT_EQ(ev.dst, ip("10.10.10.11")) << line;
    ASSERT_TRUE(ev.icmp) << line;
    EXPECT_EQ(ev.icmp->type, 8) << line;
    EXPECT_EQ(ev.icmp->code, 0) << line;
    EXPECT_EQ(ev.in_iface, "fw111");
    EXPECT_EQ(ev.direction, Direction::Inbound);
  }
}

TEST(CiscoAsa, LegacyDenyMessages) {
  auto ev = one_event(
      "%PIX-2-106001: Inbound TCP connection denied from 192.168.2.2/43803 to 10.10.10.10/14322 flags SYN on "
      "interface out111");
  EXPECT_EQ(ev.tcp_flags, decode::tcpflag::kSyn);
  EXPECT_EQ(ev.in_iface, "out111");
  EXPECT_EQ(ev.dport, 14322);
  ev = one_event("%ASA-2-106006: Deny inbound UDP from 192.168.2.2/65020 to 10.10.10.10/65021 on interface fw111");
  EXPECT_EQ(ev.transport, Transport::Udp);
  EXPECT_EQ(ev.sport, 65020);
  ev = one_event("%ASA-2-106007: Deny inbound UDP from 192.168.2.2/53 to 10.10.10.10/1029 due to DNS Response");
  EXPECT_EQ(ev.sport, 53);
  ev = one_event(
      "%ASA-6-106015: Deny TCP (no connection) from 192.168.150.65/2278 to 64.101.128.83/80 flags RST  on interface "
      "eth0");
  EXPECT_EQ(ev.tcp_flags, decode::tcpflag::kRst);
  EXPECT_EQ(ev.in_iface, "eth0");
  ev = one_event("%ASA-4-106021: Deny TCP reverse path check from 192.168.2.2 to 10.10.10.10 on interface fw111");
  EXPECT_EQ(ev.src, ip("192.168.2.2"));
  ASSERT_EQ(ev.anomalies.size(), 1u);
  ev = one_event("%ASA-3-313001: Denied ICMP type=3, code=3 from 10.2.3.5 on interface Outside");
  ASSERT_TRUE(ev.icmp);
  EXPECT_EQ(ev.icmp->type, 3);
  EXPECT_EQ(ev.icmp->code, 3);
  ev = one_event("%ASA-4-710003: TCP access denied by ACL from 10.1.1.1/3345 to outside:10.2.2.2/22");
  EXPECT_EQ(ev.dport, 22);
  EXPECT_EQ(ev.in_iface, "outside");
}

TEST(CiscoAsa, ThreatDetectionAndConnections) {
  auto r = run_log(
      "%ASA-4-733100: [192.168.2.2] drop rate-1 exceeded. Current burst rate is 0 per second, max configured rate is "
      "-4; Current average rate is 7 per second, max configured rate is -5; Cumulative total count is 9063\n"
      "%ASA-4-733100: [ Scanning] drop rate-1 exceeded. Current burst rate is 10 per second\n"
      "%ASA-6-302013: Built inbound TCP connection 101 for outside:198.51.100.7/4000 (198.51.100.7/4000) to "
      "inside:10.0.0.5/445 (203.0.113.5/445)\n"
      "%ASA-6-302013: Built outbound TCP connection 102 for outside:198.51.100.7/80 (198.51.100.7/80) to "
      "inside:10.0.0.5/5000 (203.0.113.5/5000)\n"
      "%ASA-6-302014: Teardown TCP connection 101 for outside:198.51.100.7/4000 to inside:10.0.0.5/445 duration "
      "0:00:30 bytes 0 TCP FINs\n"
      "%ASA-6-302015: Built inbound UDP connection 7 for outside:10.9.9.9/137 (10.9.9.9/137) to inside:10.0.0.5/137 "
      "(10.0.0.5/137)\n"
      "%ASA-6-302020: Built inbound ICMP connection for faddr 10.9.9.9/512 gaddr 10.0.0.5/0 laddr 10.0.0.5/0\n"
      "%ASA-6-302021: Teardown ICMP connection for faddr 10.9.9.9/512 gaddr 10.0.0.5/0 laddr 10.0.0.5/0\n"
      "%ASA-6-305011: Built dynamic TCP translation from inside:10.0.0.5/5000 to outside:203.0.113.5/5000\n"
      "%ASA-4-106023: Deny tcp src outside:webserver/80 dst inside:10.0.0.5/5000 by access-group \"X\" [0x0, 0x0]\n");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 7u);
  EXPECT_EQ(r.events[0].src, ip("192.168.2.2"));
  EXPECT_EQ(r.events[1].src, ip("198.51.100.7"));  // inbound: the foreign side starts it
  EXPECT_EQ(r.events[1].dport, 445);
  EXPECT_EQ(r.events[1].action, Action::Accept);
  EXPECT_EQ(r.events[2].src, ip("10.0.0.5"));  // outbound: the inside host starts it
  EXPECT_EQ(r.events[2].dport, 80);
  EXPECT_EQ(r.events[3].rule, "302014 teardown");
  EXPECT_EQ(r.events[4].transport, Transport::Udp);
  ASSERT_TRUE(r.events[5].icmp);
  EXPECT_EQ(r.events[5].icmp->id, 512);
  EXPECT_EQ(r.stats.skipped, 3u);
}

TEST(CiscoAsa, BrokenMessagesAreErrors) {
  auto r = run_log(
      "%ASA-4-106023: Deny tcp src outside:10.0.0.1/99999 dst inside:10.0.0.2/1 by access-group \"X\"\n"
      "%ASA-6-106100: access-list X denied tcp outside/10.0.0.1(1) -> inside/10.0.0.2(2) hit-cnt zero (first hit)\n"
      "%ASA-2-106001: Inbound TCP connection\n"
      "%ASA-x: garbage\n");
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.stats.error_count, 4u);
}

}  // namespace
}  // namespace netseen::ingest
