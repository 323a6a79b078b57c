// Windows Firewall pfirewall.log: header-driven columns, old and new (pid) layouts, local time.
#include <gtest/gtest.h>

#include "log_testing.hpp"

namespace netseen::ingest {
namespace {

using decode::Action;
using decode::Direction;
using decode::Transport;
using testing::ip;
using testing::run_log;
namespace tf = decode::tcpflag;

constexpr const char* kHeader =
    "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n"
    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype "
    "icmpcode info path\r\n\r\n";

TEST(Pfirewall, OldLayoutFieldByField) {
  std::string text = kHeader;
  text += "2005-11-20 11:43:41 DROP TCP 192.168.0.7 192.168.0.6 1172 3389 48 S 1640769051 0 65535 - - - RECEIVE\r\n";
  text += "2005-07-15 11:26:36 DROP UDP 10.1.7.30 255.255.255.255 1522 14000 104 - - - - - - - RECEIVE\r\n";
  text += "2005-11-20 11:44:25 CLOSE UDP 192.168.0.6 192.168.0.3 137 137 - - - - - - - - -\r\n";
  text += "2021-06-22 12:25:27 ALLOW ICMP fe80::464e:6dff:fea9:dfca ff02::1 - - 0 - - - - 134 0 - RECEIVE\r\n";
  text += "2021-06-22 12:20:19 ALLOW 2 192.168.178.1 224.0.0.1 - - 0 - - - - - - - SEND\r\n";
  text += "2021-06-22 12:48:21 INFO-EVENTS-LOST - - - - - - - - - - - - 7 -\r\n";
  OpenOptions o;
  o.tz = "+01:00";
  auto r = run_log(text, o);
  EXPECT_EQ(r.stats.format, "pfirewall");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 5u);
  const auto& a = r.events[0];
  EXPECT_EQ(format_rfc3339(a.ts), "2005-11-20T10:43:41.000000Z");  // local +01:00
  EXPECT_EQ(a.action, Action::Drop);
  EXPECT_EQ(a.transport, Transport::Tcp);
  EXPECT_EQ(a.src, ip("192.168.0.7"));
  EXPECT_EQ(a.dport, 3389);
  EXPECT_EQ(a.ip_len, 48u);
  EXPECT_EQ(a.tcp_flags, tf::kSyn);
  EXPECT_EQ(a.tcp_seq, 1640769051u);
  EXPECT_EQ(a.tcp_window, 65535);
  EXPECT_EQ(a.direction, Direction::Inbound);
  EXPECT_EQ(a.origin.number, 6u);
  EXPECT_EQ(r.events[1].dst, ip("255.255.255.255"));
  EXPECT_EQ(r.events[2].action, Action::Accept);
  EXPECT_EQ(r.events[2].direction, Direction::Unknown);
  EXPECT_EQ(r.events[3].protocol, 58);  // "ICMP" with IPv6 addresses is ICMPv6
  ASSERT_TRUE(r.events[3].icmp);
  EXPECT_EQ(r.events[3].icmp->type, 134);
  EXPECT_EQ(r.events[4].protocol, 2);
  EXPECT_EQ(r.events[4].direction, Direction::Outbound);
  EXPECT_EQ(r.stats.skipped_by_reason.at("pfirewall header"), 4u);
  EXPECT_EQ(r.stats.skipped_by_reason.at("INFO-EVENTS-LOST row (events the firewall did not log)"), 1u);
  EXPECT_EQ(r.stats.events_not_logged, 7u);
}

TEST(Pfirewall, NewLayoutWithPidAndReorderedColumns) {
  auto r = run_log(
      "#Software: Microsoft Windows Firewall\n"
      "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype "
      "icmpcode info path pid\n"
      "2022-01-31 12:24:51 DROP TCP 192.168.9.163 192.168.9.212 63619 445 64 S 1031365855 0 65535 - - - RECEIVE 4\n"
      "#Fields: action date time dst-ip src-ip protocol\n"
      "ALLOW 2022-01-31 12:24:52 10.0.0.2 10.0.0.1 UDP\n");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].dport, 445);
  EXPECT_EQ(r.events[1].src, ip("10.0.0.1"));
  EXPECT_EQ(r.events[1].dst, ip("10.0.0.2"));
  EXPECT_EQ(r.events[1].transport, Transport::Udp);
}

TEST(Pfirewall, TrailingPidUnderOldHeaderIsTolerated) {
  std::string text = kHeader;
  text += "2022-01-31 12:24:51 DROP TCP 192.168.9.163 192.168.9.212 63619 445 64 S 1031365855 0 65535 - - - RECEIVE 4\n";
  auto r = run_log(text);
  EXPECT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.stats.error_count, 0u);
}

TEST(Pfirewall, BrokenRowsAreErrors) {
  std::string text = kHeader;
  text += "2005-11-20 11:43:41 DROP TCP 192.168.0.7 192.168.0.6 1172 3389\n";                     // too few columns
  text += "2005-11-20 11:43:41 DROP TCP 192.168.0.7 192.168.0.6 1172 99999 48 S 1 0 1 - - - RECEIVE\n";  // port
  text += "2005-13-20 11:43:41 DROP TCP 192.168.0.7 192.168.0.6 1172 3389 48 S 1 0 1 - - - RECEIVE\n";  // month
  text += "2005-11-20 11:43:41 DROP TCP 192.168.0.7 192.168.0.6 1172 3389 48 SX 1 0 1 - - - RECEIVE\n";  // flags
  auto r = run_log(text);
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.stats.error_count, 4u);
  EXPECT_EQ(r.stats.errors[0].where, "line 6");
}

}  // namespace
}  // namespace netseen::ingest
