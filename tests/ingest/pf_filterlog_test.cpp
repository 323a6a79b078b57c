// pfSense / OPNsense filterlog CSV.
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
namespace tf = decode::tcpflag;

TEST(PfFilterlog, Ipv4TcpBlockFieldByField) {
  auto ev = one_event(
      "Jan  5 10:00:00 pfSense filterlog[5512]: 5,,,1000000103,igb1,match,block,in,4,0x0,,64,4242,0,DF,6,tcp,60,"
      "198.51.100.7,192.0.2.10,52000,445,0,S,123456,,64240,,mss;sackOK;TS;nop;wscale");
  EXPECT_EQ(ev.action, Action::Drop);
  EXPECT_EQ(ev.direction, Direction::Inbound);
  EXPECT_EQ(ev.in_iface, "igb1");
  EXPECT_EQ(ev.rule, "5/1000000103");
  EXPECT_EQ(ev.ttl, 64);
  EXPECT_EQ(ev.ip_id, 4242);
  EXPECT_TRUE(ev.ip_id_from_log);
  EXPECT_TRUE(ev.dont_fragment);
  EXPECT_EQ(ev.ip_len, 60u);
  EXPECT_EQ(ev.src, ip("198.51.100.7"));
  EXPECT_EQ(ev.dport, 445);
  EXPECT_EQ(ev.tcp_flags, tf::kSyn);
  EXPECT_EQ(ev.tcp_seq, 123456u);
  EXPECT_EQ(ev.tcp_window, 64240);
}

TEST(PfFilterlog, UdpIcmpAndIpv6) {
  auto r = run_log(
      "Jan  5 10:00:00 fw filterlog: 7,,,1000000104,em0,match,pass,out,4,0x0,,128,100,0,none,17,udp,78,10.0.0.5,"
      "10.0.0.255,137,137,50\n"
      "Jan  5 10:00:01 fw filterlog: 7,,,1000000104,em0,match,block,in,4,0x0,,55,7,0,none,1,icmp,84,203.0.113.9,"
      "10.0.0.5,request,4711,3\n"
      "Jan  5 10:00:02 fw filterlog: 9,,,1000000105,em0,match,block,in,6,0x00,0x00000,64,udp,17,98,2001:db8::1,"
      "2001:db8::2,5353,5353,58\n"
      "Jan  5 10:00:03 fw sshd[1]: unrelated\n");
  EXPECT_EQ(r.stats.format, "pf");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[0].action, Action::Accept);
  EXPECT_EQ(r.events[0].direction, Direction::Outbound);
  EXPECT_EQ(r.events[0].payload_len, 50u);
  EXPECT_EQ(r.events[0].dport, 137);
  ASSERT_TRUE(r.events[1].icmp);
  EXPECT_EQ(r.events[1].icmp->type, 8);
  EXPECT_EQ(r.events[1].icmp->id, 4711);
  EXPECT_EQ(r.events[1].icmp->seq, 3);
  EXPECT_EQ(r.events[2].ip_version, 6);
  EXPECT_EQ(r.events[2].ttl, 64);
  EXPECT_EQ(r.events[2].transport, Transport::Udp);
  EXPECT_EQ(r.events[2].dst, ip("2001:db8::2"));
  EXPECT_EQ(r.stats.skipped, 1u);
}

TEST(PfFilterlog, BrokenRecords) {
  auto r = run_log(
      "Jan  5 10:00:00 fw filterlog: 5,,,1,igb1,match,block,in\n"
      "Jan  5 10:00:00 fw filterlog: 5,,,1,igb1,match,block,in,5,0x0\n"
      "Jan  5 10:00:00 fw filterlog: 5,,,1,igb1,match,block,in,4,0x0,,64,1,0,DF,6,tcp,60,1.2.3.4,5.6.7.8,x,1,0,S\n"
      "Jan  5 10:00:00 fw filterlog: 5,,,1,igb1,match,block,in,4,0x0,,64,1,0,DF,6,tcp,60,1.2.3.4,5.6.7.8,1,1,0,SQ\n");
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.stats.error_count, 4u);
}

TEST(UlogdJson, ObjectFieldByField) {
  auto r = run_log(
      "{\"timestamp\": \"2026-11-22T02:59:48.800951\", \"dvc\": \"Netfilter\", \"raw.pktlen\": 60, \"oob.prefix\": "
      "\"DROP \", \"oob.time.sec\": 1795316388, \"oob.time.usec\": 800951, \"oob.family\": 2, \"ip.protocol\": 6, "
      "\"ip.tos\": 0, \"ip.ttl\": 64, \"ip.totlen\": 60, \"ip.id\": 33143, \"ip.fragoff\": 16384, \"src_port\": 39074, "
      "\"dest_port\": 445, \"tcp.seq\": 861774363, \"tcp.ackseq\": 0, \"tcp.window\": 65495, \"tcp.urg\": 0, "
      "\"tcp.ack\": 0, \"tcp.psh\": 0, \"tcp.rst\": 0, \"tcp.syn\": 1, \"tcp.fin\": 0, \"oob.in\": \"lo\", "
      "\"oob.out\": \"\", \"src_ip\": \"127.0.0.1\", \"dest_ip\": \"127.0.0.1\", \"mac.saddr.str\": "
      "\"00:00:00:00:00:00\", \"mac.str\": \"00:00:00:00:00:00:00:00:00:00:00:00:08:00\"}\n"
      "{\"oob.prefix\": \"DROP \", \"oob.family\": 2, \"ip.protocol\": 17, \"ip.ttl\": 1, \"ip.totlen\": 60, "
      "\"src_port\": 5000, \"dest_port\": 33434, \"udp.len\": 40, \"oob.in\": \"eth0\", \"oob.out\": \"\", "
      "\"src_ip\": \"10.0.0.1\", \"dest_ip\": \"10.0.0.2\", \"timestamp\": \"2026-11-22T02:59:49\"}\n");
  EXPECT_EQ(r.stats.format, "ulogd-json");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 2u);
  const auto& e = r.events[0];
  EXPECT_EQ(e.rule, "DROP");
  EXPECT_EQ(e.action, Action::Drop);
  EXPECT_EQ(e.ts, Timestamp::from_seconds(1795316388, 800951));
  EXPECT_EQ(e.transport, Transport::Tcp);
  EXPECT_EQ(e.tcp_flags, tf::kSyn);
  EXPECT_EQ(e.ip_id, 33143);
  EXPECT_TRUE(e.dont_fragment);
  EXPECT_EQ(e.dport, 445);
  EXPECT_EQ(e.in_iface, "lo");
  EXPECT_EQ(e.direction, Direction::Inbound);
  EXPECT_EQ(r.events[1].payload_len, 32u);
  EXPECT_EQ(r.events[1].ttl, 1);
  EXPECT_EQ(format_rfc3339(r.events[1].ts), "2026-11-22T02:59:49.000000Z");
}

TEST(UlogdJson, MalformedObjectsAreErrors) {
  auto r = run_log(
      "{\"oob.prefix\": \"X\", \"src_ip\": \"1.2.3.4\", \"dest_ip\": \"5.6.7.8\", \"ip.ttl\": 300}\n"
      "{\"oob.prefix\": \"X\", \"src_ip\": \"1.2.3.4\", \"dest_ip\": \"5.6.7.8\", \"x\": {\"y\": 1}}\n"
      "{\"oob.prefix\": \"X\", \"src_ip\": \"1.2.3.4\", \"dest_ip\": \"5.6.7.8\"\n"
      "{\"oob.prefix\": \"X\", \"src_ip\": \"1.2.3.4\"}\n");
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.stats.error_count, 4u);
}

}  // namespace
}  // namespace netseen::ingest
