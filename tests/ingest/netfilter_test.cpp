// netfilter LOG / ulogd LOGEMU lines, field by field, including the traps of log-anchors.md §4.1–4.3, 4.14.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ingest/netfilter.hpp"
#include "log_testing.hpp"

namespace netseen::ingest {
namespace {

using decode::Action;
using decode::Direction;
using decode::Transport;
using testing::ip;
using testing::one_event;
using testing::run_log;
namespace tf = decode::tcpflag;

TEST(Netfilter, PsadSynLineFieldByField) {
  auto ev = one_event(
      "Mar 11 20:35:11 linux kernel: [463490.251762] DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 "
      "SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 "
      "WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4) ");
  EXPECT_EQ(format_rfc3339(ev.ts), "2024-03-11T20:35:11.000000Z");
  EXPECT_EQ(ev.rule, "DROP");
  EXPECT_EQ(ev.action, Action::Drop);
  EXPECT_EQ(ev.direction, Direction::Inbound);
  EXPECT_EQ(ev.in_iface, "eth1");
  EXPECT_EQ(ev.out_iface, "");
  ASSERT_TRUE(ev.dst_mac && ev.src_mac);
  EXPECT_EQ(ev.dst_mac->to_string(), "23:87:fc:c6:24:58");
  EXPECT_EQ(ev.src_mac->to_string(), "00:21:3f:98:99:78");
  EXPECT_EQ(ev.ip_version, 4);
  EXPECT_EQ(ev.src, ip("192.168.10.55"));
  EXPECT_EQ(ev.dst, ip("192.168.10.1"));
  EXPECT_EQ(ev.ip_len, 44u);
  EXPECT_EQ(ev.ttl, 53);
  EXPECT_TRUE(ev.has_ttl);
  EXPECT_EQ(ev.ip_id, 15270);
  EXPECT_TRUE(ev.has_ip_id);
  EXPECT_TRUE(ev.ip_id_from_log);
  EXPECT_EQ(ev.protocol, 6);
  EXPECT_EQ(ev.transport, Transport::Tcp);
  EXPECT_EQ(ev.sport, 56247);
  EXPECT_EQ(ev.dport, 1025);
  EXPECT_EQ(ev.tcp_window, 3072);
  EXPECT_EQ(ev.tcp_flags, tf::kSyn);
  EXPECT_EQ(ev.payload_len, 0u);  // 44 - 20 - 20 - 4 option bytes
  EXPECT_FALSE(ev.dont_fragment);
  EXPECT_EQ(ev.count, 1u);
}

TEST(Netfilter, UdpSecondLenIsTheUdpLength) {
  auto ev = one_event(
      "Mar 19 01:05:00 gw kernel: DROP IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=203.0.113.7 "
      "DST=192.0.2.10 LEN=78 TOS=0x00 PREC=0x00 TTL=113 ID=4000 DF PROTO=UDP SPT=137 DPT=137 LEN=58");
  EXPECT_EQ(ev.ip_len, 78u);
  EXPECT_EQ(ev.payload_len, 50u);
  EXPECT_EQ(ev.transport, Transport::Udp);
  EXPECT_TRUE(ev.dont_fragment);
  EXPECT_EQ(ev.sport, 137);
}

TEST(Netfilter, TcpFlagsSequenceAndXmas) {
  auto ev = one_event(
      "Mar 15 20:57:55 linux kernel: DROP INVALID IN=eth0 OUT= SRC=192.168.10.55 DST=192.168.10.1 LEN=40 "
      "TOS=0x00 PREC=0x00 TTL=44 ID=9043 PROTO=TCP SPT=43347 DPT=1025 SEQ=123456 ACK=654321 WINDOW=1024 RES=0x00 "
      "CWR ECE URG PSH FIN URGP=0");
  EXPECT_EQ(ev.rule, "DROP INVALID");
  EXPECT_EQ(ev.tcp_flags, tf::kUrg | tf::kPsh | tf::kFin | tf::kEce | tf::kCwr);
  EXPECT_EQ(ev.tcp_seq, 123456u);
  EXPECT_EQ(ev.tcp_ack, 654321u);
  EXPECT_EQ(ev.payload_len, 0u);  // options not logged: unknown, left at 0
}

TEST(Netfilter, NullScanHasNoFlags) {
  auto ev = one_event(
      "Mar 16 21:22:27 linux kernel: DROP INVALID IN=eth0 OUT= SRC=192.168.10.55 DST=192.168.10.1 LEN=40 TOS=0x00 "
      "PREC=0x00 TTL=44 ID=51445 PROTO=TCP SPT=52836 DPT=1025 WINDOW=1024 RES=0x00 URGP=0 ");
  EXPECT_EQ(ev.tcp_flags, 0);
  EXPECT_EQ(ev.transport, Transport::Tcp);
}

TEST(Netfilter, IcmpEchoIdSeqAfterTheIpId) {
  auto ev = one_event(
      "Mar 23 21:29:27 linux kernel: [1503546.179768] ICMP IN=eth0 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 "
      "SRC=192.168.10.55 DST=192.168.10.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=18443 PROTO=ICMP TYPE=8 CODE=0 ID=2158 "
      "SEQ=512");
  EXPECT_EQ(ev.ip_id, 18443);
  EXPECT_EQ(ev.transport, Transport::Icmp);
  ASSERT_TRUE(ev.icmp);
  EXPECT_EQ(ev.icmp->type, 8);
  EXPECT_EQ(ev.icmp->code, 0);
  EXPECT_EQ(ev.icmp->id, 2158);
  EXPECT_EQ(ev.icmp->seq, 512);
  EXPECT_FALSE(ev.icmp->quoted);
  EXPECT_EQ(ev.sport, 0);
}

TEST(Netfilter, IcmpErrorQuotedPacketIsDecoded) {
  auto ev = one_event(
      "Sep  8 18:04:26 minastirith kernel: [28241.572876] IN_DROP IN=wlan0 OUT= "
      "MAC=00:1a:9f:91:df:ae:00:12:27:12:0a:a0:12:00 SRC=10.0.0.138 DST=192.168.1.103 LEN=96 TOS=0x00 PREC=0xC0 "
      "TTL=254 ID=63642 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.168.1.103 DST=10.0.0.138 LEN=68 TOS=0x00 PREC=0x00 TTL=0 "
      "ID=22458 PROTO=UDP SPT=35080 DPT=33434 LEN=48 ]");
  EXPECT_EQ(ev.rule, "IN_DROP");
  EXPECT_EQ(ev.ip_id, 63642);
  ASSERT_TRUE(ev.icmp);
  EXPECT_EQ(ev.icmp->type, 3);
  EXPECT_EQ(ev.icmp->code, 3);
  ASSERT_TRUE(ev.icmp->quoted);
  const auto& q = *ev.icmp->quoted;
  EXPECT_EQ(q.src, ip("192.168.1.103"));
  EXPECT_EQ(q.dst, ip("10.0.0.138"));
  EXPECT_EQ(q.protocol, 17);
  EXPECT_EQ(q.sport, 35080);
  EXPECT_EQ(q.dport, 33434);
  EXPECT_TRUE(q.has_ports);
  EXPECT_EQ(q.ttl, 0);
  EXPECT_EQ(q.ip_id, 22458);
}

TEST(Netfilter, FragNeededMtuAndRedirectGateway) {
  auto ev = one_event(
      "Mar 1 00:00:00 h kernel: X IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=576 TOS=0x00 PREC=0x00 TTL=64 ID=1 "
      "PROTO=ICMP TYPE=3 CODE=4 [SRC=10.0.0.2 DST=10.0.0.9 LEN=1500 TOS=0x00 PREC=0x00 TTL=63 ID=7 DF PROTO=TCP "
      "SPT=443 DPT=50000 WINDOW=501 RES=0x00 ACK URGP=0 ] MTU=1400");
  ASSERT_TRUE(ev.icmp);
  EXPECT_EQ(ev.icmp->mtu, 1400);
  ASSERT_TRUE(ev.icmp->quoted);
  EXPECT_EQ(ev.icmp->quoted->protocol, 6);
  EXPECT_EQ(ev.icmp->quoted->sport, 443);
  ev = one_event(
      "Mar 1 00:00:00 h kernel: X IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=56 TOS=0x00 PREC=0x00 TTL=64 ID=1 "
      "PROTO=ICMP TYPE=5 CODE=1 GATEWAY=10.0.0.254 [SRC=10.0.0.2 DST=8.8.8.8 LEN=28 TOS=0x00 PREC=0x00 TTL=63 ID=9 "
      "PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=2 ]");
  ASSERT_TRUE(ev.icmp);
  EXPECT_EQ(ev.icmp->gateway, ip("10.0.0.254"));
  ASSERT_TRUE(ev.icmp->quoted);
  EXPECT_EQ(ev.icmp->quoted->icmp_type_code, 0x0800);
  EXPECT_EQ(ev.icmp->quoted->ip_id, 9);
}

TEST(Netfilter, PrefixGluedToInAndShorewallPrefix) {
  auto ev = one_event(
      "Mar 1 00:00:00 h kernel: DROPIN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 TOS=0x00 PREC=0x00 TTL=64 ID=1 "
      "PROTO=47");
  EXPECT_EQ(ev.rule, "DROP");
  EXPECT_EQ(ev.in_iface, "eth0");
  EXPECT_EQ(ev.protocol, 47);
  EXPECT_EQ(ev.transport, Transport::Other);
  ev = one_event(
      "Apr 24 12:06:50 localhost kernel: [ 3445.031964] Shorewall:wlan0_mac:DROP:IN=wlan0 OUT= "
      "MAC=02:00:5e:02:03:01:18:53:33:33:d6:41:03:00 SRC=192.168.10.55 DST=224.0.0.1 LEN=36 TOS=0x00 PREC=0xC0 TTL=1 "
      "ID=0 PROTO=2");
  EXPECT_EQ(ev.rule, "Shorewall:wlan0_mac:DROP:");
  EXPECT_EQ(ev.action, Action::Drop);
  EXPECT_EQ(ev.protocol, 2);
  EXPECT_EQ(ev.ttl, 1);
}

TEST(Netfilter, UfwFirewalldSuseActions) {
  auto ev = one_event(
      "Jun 23 08:51:22 server1 kernel: [486938.916177] [UFW BLOCK] IN=eth1 OUT= "
      "MAC=00:00:00:00:00:00:00:00:00:00:00:00:00:00 SRC=86.101.38.88 DST=10.1.1.1 LEN=60 TOS=0x00 PREC=0x00 TTL=50 "
      "ID=51005 DF PROTO=TCP SPT=41945 DPT=16881 WINDOW=7300 RES=0x00 SYN URGP=0");
  EXPECT_EQ(ev.rule, "[UFW BLOCK]");
  EXPECT_EQ(ev.action, Action::Drop);
  EXPECT_EQ(ev.dport, 16881);
  ev = one_event(
      "Jul 19 19:21:07 vbox kernel: filter_IN_public_REJECT: IN=enp0s8 OUT= SRC=192.168.11.115 DST=192.168.56.101 "
      "LEN=64 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=62291 DPT=443 WINDOW=65535 RES=0x00 CWR ECE SYN URGP=0");
  EXPECT_EQ(ev.action, Action::Reject);
  EXPECT_EQ(ev.tcp_flags, tf::kSyn | tf::kEce | tf::kCwr);
  ev = one_event("Jun 23 08:51:22 s kernel: [UFW ALLOW] IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=20 PROTO=47");
  EXPECT_EQ(ev.action, Action::Accept);
  EXPECT_EQ(ev.direction, Direction::Outbound);
}

TEST(Netfilter, Ipv6WithBridgeAndForward) {
  auto ev = one_event(
      "Jan 15 11:21:13 IKCS-Web kernel: SFW2-INext-ACC-RELATED IN=eth0 OUT=eth1 MAC= "
      "SRC=fe80:0000:0000:0000:16da:e9ff:feec:a04d DST=ff02:0000:0000:0000:0000:0000:0000:00fb LEN=527 TC=0 "
      "HOPLIMIT=255 FLOWLBL=804001 PROTO=UDP SPT=5353 DPT=5353 LEN=487");
  EXPECT_EQ(ev.action, Action::Accept);
  EXPECT_EQ(ev.direction, Direction::Forward);
  EXPECT_EQ(ev.ip_version, 6);
  EXPECT_EQ(ev.src, ip("fe80::16da:e9ff:feec:a04d"));
  EXPECT_EQ(ev.dst, ip("ff02::fb"));
  EXPECT_EQ(ev.ttl, 255);
  EXPECT_FALSE(ev.has_ip_id);
  EXPECT_EQ(ev.payload_len, 479u);
  EXPECT_FALSE(ev.src_mac);
  ev = one_event(
      "Feb 25 12:13:27 bridge kernel: INBOUND TCP: IN=br0 PHYSIN=eth0 OUT=br0 PHYSOUT=eth1 SRC=63.147.183.21 "
      "DST=11.11.79.100 LEN=48 TOS=0x00 PREC=0x00 TTL=113 ID=19664 DF PROTO=TCP SPT=4918 DPT=135 WINDOW=64240 "
      "RES=0x00 SYN URGP=0");
  EXPECT_EQ(ev.in_iface, "br0");
  EXPECT_EQ(ev.out_iface, "br0");
  EXPECT_EQ(ev.direction, Direction::Forward);
  EXPECT_EQ(ev.dport, 135);
}

TEST(Netfilter, Ipv6ExtensionOptionsAndIcmpv6) {
  auto ev = one_event(
      "Dec 20 20:10:01 rohan kernel: [  449.059230] DROP IN=eth0 OUT= MAC=00:1b:b9:76:9c:e4:00:13:46:3a:41:36:86:dd "
      "SRC=2012:1234:1234:0000:0000:0000:0000:0001 DST=2012:1234:1234:0000:0000:0000:0000:0002 LEN=132 TC=0 "
      "HOPLIMIT=64 FLOWLBL=0 OPT ( ) OPT ( ) OPT ( ) PROTO=TCP SPT=58537 DPT=1234 WINDOW=8192 RES=0x00 SYN URGP=0 ");
  EXPECT_EQ(ev.transport, Transport::Tcp);
  EXPECT_EQ(ev.dport, 1234);
  EXPECT_EQ(ev.tcp_flags, tf::kSyn);
  ev = one_event(
      "Mar 17 13:39:13 linux kernel: DROP IN=eth0 OUT= SRC=2001:0db8:0000:f101:0000:0000:0000:0002 "
      "DST=ff02:0000:0000:0000:0000:0001:ff00:0001 LEN=72 TC=0 HOPLIMIT=255 FLOWLBL=0 PROTO=ICMPv6 TYPE=135 CODE=22 ");
  EXPECT_EQ(ev.protocol, 58);
  EXPECT_EQ(ev.transport, Transport::Icmpv6);
  ASSERT_TRUE(ev.icmp);
  EXPECT_EQ(ev.icmp->type, 135);
  EXPECT_EQ(ev.icmp->code, 22);
}

TEST(Netfilter, FragmentsAndIpOptions) {
  auto ev = one_event(
      "Mar 1 00:00:00 h kernel: X IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=1500 TOS=0x00 PREC=0x00 TTL=64 ID=77 "
      "FRAG:185 OPT (07270400) PROTO=UDP ");
  EXPECT_TRUE(ev.fragment);
  EXPECT_TRUE(ev.later_fragment);
  EXPECT_EQ(ev.sport, 0);
  ev = one_event(
      "Mar 1 00:00:00 h kernel: X IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=1500 TOS=0x00 PREC=0x00 TTL=64 ID=78 "
      "MF PROTO=TCP SPT=1 DPT=2 WINDOW=1 RES=0x00 ACK URGP=0 INCOMPLETE [1480 bytes] UID=0 GID=0 MARK=0x1");
  EXPECT_TRUE(ev.fragment);
  EXPECT_FALSE(ev.later_fragment);
  EXPECT_EQ(ev.tcp_flags, tf::kAck);
}

TEST(Netfilter, RfcStampsPriAndDmesgWrappings) {
  auto r = run_log(
      "2015-03-07T05:09:30.045015+02:00 servername kernel: DROP: IN=eth0 OUT= "
      "MAC=00:00:00:00:00:00:00:00:00:00:00:00:00:00 SRC=4.4.4.4 DST=1.2.3.4 LEN=40 TOS=0x00 PREC=0x00 TTL=228 "
      "ID=54321 PROTO=TCP SPT=58923 DPT=21 WINDOW=65535 RES=0x00 SYN URGP=0 \n"
      "<4>Mar 11 20:35:11 linux kernel: DROP IN=eth1 OUT= SRC=1.1.1.1 DST=2.2.2.2 LEN=20 PROTO=47\n"
      "[463490.251762] DROP IN=eth1 OUT= SRC=1.1.1.1 DST=2.2.2.2 LEN=20 PROTO=47\n"
      "kernel: DROP IN=eth1 OUT= SRC=1.1.1.1 DST=2.2.2.2 LEN=20 PROTO=47\n");
  EXPECT_EQ(r.stats.error_count, 0u);
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(format_rfc3339(r.events[0].ts), "2015-03-07T03:09:30.045015Z");
  EXPECT_EQ(r.events[0].rule, "DROP:");
  EXPECT_EQ(r.events[0].src_mac->to_string(), "00:00:00:00:00:00");
  EXPECT_EQ(format_rfc3339(r.events[1].ts), "2024-03-11T20:35:11.000000Z");
  EXPECT_EQ(r.events[2].rule, "DROP");
  EXPECT_EQ(r.events[2].ts.us, 0);
  EXPECT_EQ(r.events[3].rule, "DROP");
}

TEST(Netfilter, UlogdLogemuWithoutHexTos) {
  auto r = run_log(
      "Nov 22 02:59:48 vm DROP  IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=127.0.0.1 "
      "DST=127.0.0.1 LEN=78 TOS=00 PREC=0x00 TTL=64 ID=18227 DF PROTO=UDP SPT=34356 DPT=137 LEN=58 MARK=0x0\n"
      "Nov 22 02:59:48 vm DROP  IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=127.0.0.1 "
      "DST=127.0.0.1 LEN=60 TOS=00 PREC=0x00 TTL=64 ID=33143 DF PROTO=TCP SPT=39074 DPT=445 SEQ=861774363 ACK=0 "
      "WINDOW=65495 SYN URGP=0 MARK=0x0\n"
      "Nov 22 02:59:48 vm DROP  IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=127.0.0.1 "
      "DST=127.0.0.1 LEN=88 TOS=00 PREC=0xC0 TTL=64 ID=14373 PROTO=ICMP TYPE=3 CODE=3 MARK=0x0\n");
  EXPECT_EQ(r.stats.format, "ulogd");
  EXPECT_EQ(r.stats.error_count, 0u);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[0].rule, "DROP");
  EXPECT_EQ(r.events[0].payload_len, 50u);
  EXPECT_EQ(r.events[1].tcp_seq, 861774363u);
  EXPECT_EQ(r.events[1].tcp_flags, tf::kSyn);
  ASSERT_TRUE(r.events[2].icmp);
  EXPECT_FALSE(r.events[2].icmp->quoted);  // ulogd does not log the embedded packet
}

TEST(Netfilter, BrokenLinesAreErrorsWithReasons) {
  auto r = run_log(
      "Mar 1 00:00:00 h kernel: X IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=40 PROTO=TCP SPT=99999 DPT=1\n"
      "Mar 1 00:00:00 h kernel: X IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=40 PROTO=ICMP TYPE=3 CODE=3 [SRC=1.2.3.4\n"
      "Mar 1 00:00:00 h kernel: X IN=eth0 OUT= LEN=40 PROTO=TCP\n"
      "Mar 1 00:00:00 h kernel: X IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 TTL=300 PROTO=TCP\n"
      "Mar 1 00:00:00 h kernel: X IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 PROTO=TCP OPT (0204\n");
  EXPECT_TRUE(r.events.empty());
  ASSERT_EQ(r.stats.error_count, 5u);
  EXPECT_NE(r.stats.errors[0].what.find("SPT"), std::string::npos) << r.stats.errors[0].what;
  EXPECT_NE(r.stats.errors[1].what.find("not closed"), std::string::npos) << r.stats.errors[1].what;
  EXPECT_NE(r.stats.errors[2].what.find("SRC"), std::string::npos) << r.stats.errors[2].what;
  EXPECT_NE(r.stats.errors[3].what.find("TTL"), std::string::npos) << r.stats.errors[3].what;
  EXPECT_EQ(r.stats.errors[4].where, "line 5");
}

TEST(Netfilter, EventIsReusedWithoutStaleFields) {
  auto r = run_log(
      "Mar 1 00:00:00 h kernel: ICMP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=28 TTL=1 ID=5 PROTO=ICMP TYPE=8 "
      "CODE=0 ID=1 SEQ=1\n"
      "Mar 1 00:00:01 h kernel: IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 PROTO=47\n");
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_FALSE(r.events[1].icmp);
  EXPECT_FALSE(r.events[1].has_ttl);
  EXPECT_EQ(r.events[1].rule, "");
  EXPECT_EQ(r.events[1].action, Action::Unknown);
}

// Every field the netfilter parser sets, as text: two events print the same iff they agree.
std::string fields_of(const decode::Event& e) {
  std::string s = e.rule + "|" + std::to_string(static_cast<int>(e.action)) + "|" +
                  std::to_string(static_cast<int>(e.direction)) + "|" + e.in_iface + "|" + e.out_iface + "|" +
                  (e.src_mac ? e.src_mac->to_string() : "-") + "|" + (e.dst_mac ? e.dst_mac->to_string() : "-") + "|" +
                  std::to_string(e.ip_version) + "|" + (e.src.valid() ? e.src.to_string() : "-") + "|" +
                  (e.dst.valid() ? e.dst.to_string() : "-") + "|" + std::to_string(e.protocol) + "|" +
                  std::to_string(e.ttl) + std::to_string(e.has_ttl) + "|" + std::to_string(e.ip_id) +
                  std::to_string(e.has_ip_id) + std::to_string(e.ip_id_from_log) + "|" + std::to_string(e.ip_len) +
                  "|" + std::to_string(e.fragment) + std::to_string(e.later_fragment) +
                  std::to_string(e.dont_fragment) + "|" + std::to_string(static_cast<int>(e.transport)) + "|" +
                  std::to_string(e.sport) + "|" + std::to_string(e.dport) + "|" + std::to_string(e.tcp_flags) + "|" +
                  std::to_string(e.tcp_seq) + "|" + std::to_string(e.tcp_ack) + "|" + std::to_string(e.tcp_window) +
                  "|" + std::to_string(e.payload_len);
  if (e.icmp) {
    const auto& i = *e.icmp;
    s += "|icmp " + std::to_string(i.type) + "/" + std::to_string(i.code) + " " + std::to_string(i.id) + " " +
         std::to_string(i.seq) + " " + std::to_string(i.mtu) + " " + (i.gateway.valid() ? i.gateway.to_string() : "-");
    if (i.quoted) {
      const auto& q = *i.quoted;
      s += "|quoted " + q.src.to_string() + " " + q.dst.to_string() + " " + std::to_string(q.protocol) + " " +
           std::to_string(q.sport) + " " + std::to_string(q.dport) + " " + std::to_string(q.has_ports) + " " +
           std::to_string(q.ttl) + " " + std::to_string(q.ip_id) + " " + std::to_string(q.icmp_type_code);
    }
  }
  return s;
}

// The in-place fast path for the common fields must decide exactly as the generic token
// path: same result, same reason, same event — on tricky values and on thousands of
// mutated lines (bytes replaced, inserted, removed; blanks, '=', ']' and control bytes).
TEST(Netfilter, FastPathMatchesTheGenericPath) {
  std::vector<std::string> lines = {
      "DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:08:00 SRC=128.42.22.37 DST=192.168.10.1 LEN=44 "
      "TOS=0x00 PREC=0x00 TTL=77 ID=3801 PROTO=TCP SPT=56097 DPT=477 WINDOW=3072 RES=0x00 SYN URGP=0",
      "DROP IN=eth1 OUT= MAC=ff:ff:ff:ff:ff:ff:00:21:3f:98:99:78:08:00 SRC=10.168.69.13 DST=10.0.0.255 LEN=78 "
      "TOS=0x00 PREC=0x00 TTL=128 ID=6796 PROTO=UDP SPT=137 DPT=137 LEN=58",
      "ICMP IN=eth0 OUT= SRC=10.0.1.2 DST=192.168.1.103 LEN=96 TOS=0x00 PREC=0xC0 TTL=254 ID=4 PROTO=ICMP TYPE=3 "
      "CODE=3 [SRC=192.168.1.103 DST=10.0.1.2 LEN=68 TOS=0x00 PREC=0x00 TTL=0 ID=22458 PROTO=UDP SPT=35080 "
      "DPT=33434 LEN=48 ]",
      "[UFW BLOCK] IN=eth0 OUT= SRC=fe80:0000:0000:0000:0211:22ff:fe33:4455 DST=ff02::1 LEN=72 TC=0 HOPLIMIT=1 "
      "FLOWLBL=0 PROTO=ICMPv6 TYPE=130 CODE=0",
      "SRC=1.2.3.4x DST=5.6.7.8 IN=eth0 OUT=",
      "IN=eth0 OUT= SRC=256.1.1.1 DST=1.2.3 LEN=16777216 TTL=256 ID=65536 SPT=65536 DPT= WINDOW=70000",
      "IN=eth0 OUT= SRC=0128.42.22.37 DST=01.02.03.004 TTL=0077 LEN=0000000044 ID=1234567890 SPT=-1",
      "DROPIN=eth1 IN=eth9 OUT=\teth2 SRC=1.2.3.4\tDST=5.6.7.8 LEN=44\r TTL=7\x01 ID=3\x0b PROTO=tcp SPT=1 DPT=2",
      "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 =TOS=1 TOS==0x00 PREC=0x00=1 FRAG:12=3 PROTO=TCP URGP= RES=",
      "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=44 ID=1 PROTO=ICMP TYPE=3 CODE=3 [SRC=1.1.1.1 DST=2.2.2.2 "
      "TTL=0 ID=9 PROTO=UDP SPT=1 DPT=2 LEN=48]",
      "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=44 PROTO=ICMP TYPE=3 CODE=3 [SRC=1.1.1.1 DST=2.2.2.2 PROTO=UDP] ",
      "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=ICMP TYPE=3 CODE=3 [SRC=1.1.1.1 DST=2.2.2.2 TOS=0x00]",
      "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=ICMP TYPE=3 CODE=3 [SRC=1.1.1.1 DST=2.2.2.2x PREC=0x00 ]",
      "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=ICMP TYPE=3 CODE=3 [SRC=1.1.1.1 DST=2.2.2.2 ID=1 PROTO=TCP ID=2",
      "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=40 PROTO=TCP SPT=1 DPT=2 WINDOW=1 RES=0x00 ACK SYN URGP=0 "
      "OPT (020405B4) SEQ=5 ACK=6",
      "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=1 DPT=2 WINDOW",
      "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=1 DPT=2 WIND=3 PROT=4 PROTX=5 PRECX=6 URGPX=7 WINDOWX=8",
  };
  // A quoted packet of more than 128 tokens, the guard's limit (the fast path counts its tokens too).
  std::string long_quote = "IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=ICMP TYPE=3 CODE=3 [SRC=1.1.1.1 DST=2.2.2.2";
  for (int i = 0; i < 126; ++i) long_quote += " TOS=0x00";
  lines.push_back(long_quote + " ]");
  lines.push_back(long_quote + " TOS=1 ]");
  lines.push_back(long_quote + " TOS=1 TOS=2 ]");
  // Deterministic mutations of the sample lines.
  std::uint32_t seed = 12345;
  auto rnd = [&seed](std::uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % n;
  };
  const std::string alphabet = std::string("0123456789=.:[] \tSRCDTLENPOWIGUx-") + '\x01' + '\r' + '\0';
  const std::size_t samples = lines.size();
  for (int m = 0; m < 6000; ++m) {
    std::string l = lines[rnd(static_cast<std::uint32_t>(samples))];
    const std::uint32_t edits = 1 + rnd(4);
    for (std::uint32_t e = 0; e < edits && !l.empty(); ++e) {
      const std::size_t pos = rnd(static_cast<std::uint32_t>(l.size()));
      const char c = alphabet[rnd(static_cast<std::uint32_t>(alphabet.size()))];
      switch (rnd(3)) {
        case 0:
          l[pos] = c;
          break;
        case 1:
          l.insert(l.begin() + static_cast<std::ptrdiff_t>(pos), c);
          break;
        default:
          l.erase(pos, 1);
          break;
      }
    }
    lines.push_back(std::move(l));
  }
  std::size_t parsed = 0;
  std::size_t errors = 0;
  for (const auto& l : lines) {
    decode::Event fast;
    decode::Event ref;
    std::string why_fast;
    std::string why_ref;
    const auto rf = logs::parse_netfilter_message(l, fast, why_fast);
    const auto rr = logs::parse_netfilter_message_reference(l, ref, why_ref);
    ASSERT_EQ(rf, rr) << l;
    ASSERT_EQ(why_fast, why_ref) << l;
    ASSERT_EQ(fields_of(fast), fields_of(ref)) << l;
    parsed += rf == logs::LineResult::Parsed ? 1 : 0;
    errors += rf == logs::LineResult::Error ? 1 : 0;
  }
  // Both outcomes are well represented, so the comparison covers both.
  EXPECT_GT(parsed, 1000u);
  EXPECT_GT(errors, 1000u);
}

}  // namespace
}  // namespace netseen::ingest
