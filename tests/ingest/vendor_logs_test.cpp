// Juniper SRX, Palo Alto, Fortinet, SonicWall and Check Point sample lines (log-anchors.md §4.10–4.15).
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

TEST(JuniperSrx, LegacyDenyAndStructured) {
  auto r = run_log(
      "Sep 29 23:49:20 SRX-1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.1/54924->192.168.1.1/53 "
      "junos-dns-udp 17(0) default-deny(global) trust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny\n"
      "<14>1 2014-05-01T08:26:51.179Z fw01 RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.39 "
      "source-address=\"1.2.3.4\" source-port=\"56639\" destination-address=\"5.6.7.8\" destination-port=\"2003\" "
      "service-name=\"None\" protocol-id=\"6\" icmp-type=\"0\" policy-name=\"log-all-else\" "
      "source-zone-name=\"campus\" destination-zone-name=\"mngmt\" application=\"UNKNOWN\" "
      "nested-application=\"UNKNOWN\" username=\"N/A\" roles=\"N/A\" packet-incoming-interface=\"reth6.0\" "
      "encrypted=\"No\"]\n"
      "Sep 29 23:49:21 SRX-1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.1/8->192.168.1.1/0 icmp 1(8) "
      "deny-ping trust untrust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny\n"
      "Sep 29 23:49:22 SRX-1 RT_FLOW: RT_FLOW_SESSION_CREATE: session created 10.0.0.1/1234->1.2.3.4/80 junos-http "
      "10.0.0.1/1234->1.2.3.4/80 None None 6 allow-web trust untrust 4242 N/A(N/A) ge-0/0/0.0\n"
      "Sep 29 23:49:23 SRX-1 RT_FLOW: RT_FLOW_SESSION_SOMETHING: x\n");
  EXPECT_EQ(r.stats.format, "juniper-srx");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[0].action, Action::Drop);
  EXPECT_EQ(r.events[0].src, ip("10.0.0.1"));
  EXPECT_EQ(r.events[0].sport, 54924);
  EXPECT_EQ(r.events[0].dport, 53);
  EXPECT_EQ(r.events[0].transport, Transport::Udp);
  EXPECT_EQ(r.events[0].rule, "default-deny");
  EXPECT_EQ(r.events[1].src, ip("1.2.3.4"));
  EXPECT_EQ(r.events[1].dport, 2003);
  EXPECT_EQ(r.events[1].transport, Transport::Tcp);
  EXPECT_EQ(r.events[1].in_iface, "reth6.0");
  EXPECT_EQ(r.events[1].rule, "log-all-else");
  EXPECT_EQ(format_rfc3339(r.events[1].ts), "2014-05-01T08:26:51.179000Z");
  ASSERT_TRUE(r.events[2].icmp);
  EXPECT_EQ(r.events[2].icmp->type, 8);
  EXPECT_EQ(r.events[3].action, Action::Accept);
  EXPECT_EQ(r.events[3].protocol, 6);
  EXPECT_EQ(r.stats.skipped, 1u);
}

TEST(PaloAlto, TrafficCsvFieldByField) {
  auto ev = one_event(
      "Jul 13 20:39:44 1,2017/07/13 20:39:44,0009C101317,TRAFFIC,end,1,2017/07/13 20:39:44,10.183.12.108,"
      "10.183.51.49,0.0.0.0,0.0.0.0,WinDomain_AUTH_TO_DC,,sumo\\mkwan,msrpc,vsys1,ENG_USER,ENG_INFRA,ivlan_712,"
      "ivlan_751,Syslog,2017/07/13 20:39:44,1070831,1,65123,135,0,0,0x0,tcp,allow,1194,644,550,12,1,40,any,0,"
      "3297977305,0x0,10.0.0.0_10.255.255.255,10.0.0.0_10.255.255.255,0,7,5");
  EXPECT_EQ(format_rfc3339(ev.ts), "2017-07-13T20:39:44.000000Z");
  EXPECT_EQ(ev.src, ip("10.183.12.108"));
  EXPECT_EQ(ev.dst, ip("10.183.51.49"));
  EXPECT_EQ(ev.rule, "WinDomain_AUTH_TO_DC");
  EXPECT_EQ(ev.in_iface, "ivlan_712");
  EXPECT_EQ(ev.out_iface, "ivlan_751");
  EXPECT_EQ(ev.sport, 65123);
  EXPECT_EQ(ev.dport, 135);
  EXPECT_EQ(ev.transport, Transport::Tcp);
  EXPECT_EQ(ev.action, Action::Accept);
  EXPECT_EQ(ev.count, 1u);
  auto r = run_log(
      "1,2017/07/13 20:39:44,0009C101317,TRAFFIC,deny,1,2017/07/13 20:39:45,198.51.100.7,10.0.0.5,0.0.0.0,0.0.0.0,"
      "\"deny, all\",,,not-applicable,vsys1,untrust,trust,ethernet1/1,,Syslog,2017/07/13 20:39:45,0,3,4000,445,0,0,"
      "0x0,tcp,reset-both,60,60,0,1,2017/07/13 20:39:45,0,any,0,1,0x0,US,10.0.0.0-10.255.255.255,0,1,0\n"
      "1,2017/07/13 20:39:44,0009C101317,THREAT,vulnerability,1,2017/07/13 20:39:45,1.1.1.1,2.2.2.2\n");
  EXPECT_EQ(r.stats.format, "paloalto");
  ASSERT_EQ(r.events.size(), 1u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  EXPECT_EQ(r.events[0].action, Action::Reject);
  EXPECT_EQ(r.events[0].rule, "deny, all");
  EXPECT_EQ(r.events[0].count, 3u);
  EXPECT_EQ(r.stats.skipped, 1u);
}

TEST(Fortinet, TrafficDenyAndForward) {
  auto r = run_log(
      "date=2019-05-10 time=11:37:47 logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" level=\"notice\" "
      "vd=\"vdom1\" eventtime=1557513467369913239 srcip=10.1.100.11 srcport=58012 srcintf=\"port12\" "
      "srcintfrole=\"undefined\" dstip=23.59.154.35 dstport=80 dstintf=\"port11\" sessionid=105048 proto=6 "
      "action=\"close\" policyid=1 policytype=\"policy\" service=\"HTTP\"\n"
      "date=2019-05-10 time=11:37:48 logid=0000000013 type=traffic subtype=local srcip=198.51.100.9 srcport=137 "
      "srcintf=wan1 dstip=203.0.113.1 dstport=137 dstintf=root proto=17 action=deny policyid=0\n"
      "date=2019-05-10 time=11:37:49 logid=\"0100032001\" type=\"event\" subtype=\"system\" msg=\"admin login\"\n");
  OpenOptions o;
  EXPECT_EQ(r.stats.format, "fortinet");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].action, Action::Accept);
  EXPECT_EQ(r.events[0].direction, Direction::Forward);
  EXPECT_EQ(r.events[0].in_iface, "port12");
  EXPECT_EQ(r.events[0].dport, 80);
  EXPECT_EQ(format_rfc3339(r.events[0].ts), "2019-05-10T11:37:47.000000Z");
  EXPECT_EQ(r.events[1].action, Action::Drop);
  EXPECT_EQ(r.events[1].rule, "0");
  EXPECT_EQ(r.events[1].direction, Direction::Inbound);
  EXPECT_EQ(r.events[1].transport, Transport::Udp);
  EXPECT_EQ(r.stats.skipped, 1u);
}

TEST(Sonicwall, DefaultFormat) {
  auto r = run_log(
      "Jan  3 13:45:36 192.168.5.1 id=firewall sn=C0EAE48F5084 time=\"2019-01-03 13:45:36\" fw=209.106.205.33 pri=6 "
      "c=262144 m=98 msg=\"Connection Opened\" app=49169 appName=\"General DNS\" n=1157227522 "
      "src=10.10.24.11:63045:X16-V5 dst=8.8.8.8:53:X1 dstMac=04:62:73:2c:02:00 proto=udp/dns sent=120 dpi=1 "
      "rule=\"22 (LAN->WAN)\" fw_action=\"NA\"\n"
      "Jan  3 13:45:37 192.168.5.1 id=firewall sn=C0EAE48F5084 time=\"2019-01-03 13:45:37\" fw=209.106.205.33 pri=1 "
      "c=32 m=82 msg=\"Possible port scan detected\" src=198.51.100.7:4000:X1 dst=209.106.205.33:445:X1 "
      "proto=tcp/445 fw_action=\"drop\"\n"
      "Jan  3 13:45:38 192.168.5.1 id=firewall sn=C0EAE48F5084 time=\"2019-01-03 13:45:38\" m=1 msg=\"boot\"\n");
  EXPECT_EQ(r.stats.format, "sonicwall");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].src, ip("10.10.24.11"));
  EXPECT_EQ(r.events[0].sport, 63045);
  EXPECT_EQ(r.events[0].in_iface, "X16-V5");
  EXPECT_EQ(r.events[0].dport, 53);
  EXPECT_EQ(r.events[0].transport, Transport::Udp);
  EXPECT_EQ(r.events[0].action, Action::Accept);
  EXPECT_EQ(r.events[0].rule, "98 22 (LAN->WAN)");
  EXPECT_EQ(r.events[1].action, Action::Drop);
  EXPECT_EQ(r.events[1].anomalies.size(), 1u);
  EXPECT_EQ(r.stats.skipped, 1u);
}

TEST(Checkpoint, LogExporterAndSplunkFormats) {
  auto r = run_log(
      "<134>1 2018-03-21T17:25:25Z MDS-72 CheckPoint 13752 - [action:\"Drop\"; flags:\"150784\"; ifdir:\"inbound\"; "
      "ifname:\"eth1\"; logid:\"0\"; loguid:\"{0x5ab27965,0x0,0x5b20a8c0,0x7d5707b6}\"; origin:\"10.0.0.1\"; "
      "product:\"VPN-1 & FireWall-1\"; proto:\"17\"; s_port:\"137\"; service:\"137\"; src:\"198.51.100.7\"; "
      "dst:\"10.0.0.5\"; rule_name:\"Cleanup\";]\n"
      "time=1557767758|hostname=r80test|product=Firewall|layer_name=Network|action=Accept|ifdir=inbound|ifname=eth0|"
      "loguid={0x0}|origin=192.168.96.80|dst=192.168.96.80|inzone=Internal|outzone=Local|proto=6|s_port=63945|"
      "service=443|service_id=https|src=192.168.96.27|\n");
  EXPECT_EQ(r.stats.format, "checkpoint");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].action, Action::Drop);
  EXPECT_EQ(r.events[0].src, ip("198.51.100.7"));
  EXPECT_EQ(r.events[0].dport, 137);
  EXPECT_EQ(r.events[0].in_iface, "eth1");
  EXPECT_EQ(r.events[0].rule, "Cleanup");
  EXPECT_EQ(format_rfc3339(r.events[0].ts), "2018-03-21T17:25:25.000000Z");
  EXPECT_EQ(r.events[1].action, Action::Accept);
  EXPECT_EQ(r.events[1].dport, 443);
  EXPECT_EQ(r.events[1].sport, 63945);
  EXPECT_EQ(r.events[1].ts, Timestamp::from_seconds(1557767758));
}

}  // namespace
}  // namespace netseen::ingest
