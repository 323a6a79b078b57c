// scan.trojan, scan.proxy, dos.smurf, dos.fraggle, service.dns_low_source_port, each with a benign twin.
#include <gtest/gtest.h>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;
using namespace decode::tcpflag;

TEST(ScanTrojan, SubSevenProbesAreNamed) {
  Scenario r;
  for (int i = 0; i < 4; ++i) {
    const auto dst = fmt::format("192.0.2.{}", 10 + i);
    r.add(Ev().at(i * 37).from("198.51.100.10", static_cast<std::uint16_t>(3000 + i)).to(dst.c_str(), 27374)
              .tcp(kSyn).ttl(113).drop());
  }
  const auto& fs = r.finish();
  const auto* f = find(fs, "scan.trojan", "198.51.100.10");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Suspicious);
  EXPECT_EQ(f->target_count, 4u);
  EXPECT_NE(attr_str(*f, "ports").find("27374/tcp (SubSeven"), std::string::npos) << attr_str(*f, "ports");
}

TEST(ScanTrojan, ReplyFromOrToATrojanNumberedClientPortIsNot) {
  Scenario r;
  // A web server answering a client whose ephemeral port happens to be 27374 and 12345.
  r.add(Ev().at(1).from("192.0.2.80", 80).to("198.51.100.10", 27374).tcp(kSyn | kAck));
  r.add(Ev().at(2).from("192.0.2.80", 80).to("198.51.100.10", 27374).tcp(kAck | kPsh, 500));
  r.add(Ev().at(3).from("192.0.2.53", 53).to("198.51.100.10", 31337).udp(80));
  EXPECT_EQ(count_id(r.finish(), "scan.trojan"), 0u);
}

TEST(ScanProxy, ThreeProxyPortsWithinAMinute) {
  Scenario r;
  r.add(Ev().at(0).from("203.0.113.77", 4000).to("192.0.2.10", 80).tcp(kSyn));
  r.add(Ev().at(10).from("203.0.113.77", 4001).to("192.0.2.10", 8080).tcp(kSyn));
  r.add(Ev().at(20).from("203.0.113.77", 4002).to("192.0.2.10", 3128).tcp(kSyn));
  const auto* f = find(r.finish(), "scan.proxy", "203.0.113.77");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "ports"), "80,3128,8080");

  Scenario twin;  // a browser: 80 and 443 many times
  for (int i = 0; i < 50; ++i) {
    twin.add(Ev().at(i).from("192.168.1.20", static_cast<std::uint16_t>(40000 + i)).to("192.0.2.10", i % 2 ? 80 : 443)
                 .tcp(kSyn));
  }
  EXPECT_EQ(count_id(twin.finish(), "scan.proxy"), 0u);
}

TEST(DosSmurf, ForgedEchoRequestsToBroadcasts) {
  Scenario r;
  for (int i = 0; i < 30; ++i) r.add(Ev().at(i * 0.01).from("198.51.100.200").to("192.168.1.255").icmp(8, 0));
  const auto* f = find(r.finish(), "dos.smurf", "198.51.100.200");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Malicious);
  EXPECT_EQ(f->events, 30u);

  Scenario twin;  // one broadcast ping to find neighbours
  twin.add(Ev().at(1).from("192.168.1.5").to("192.168.1.255").icmp(8, 0));
  EXPECT_EQ(count_id(twin.finish(), "dos.smurf"), 0u);
}

TEST(DosFraggle, UdpEchoAndChargenToBroadcasts) {
  Scenario r;
  for (int i = 0; i < 5; ++i) {
    r.add(Ev().at(i).from("198.51.100.201", 7).to("192.168.1.255", i % 2 ? 7 : 19).udp(20));
  }
  const auto* f = find(r.finish(), "dos.fraggle", "198.51.100.201");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Malicious);

  Scenario twin;  // NetBIOS datagrams to the broadcast address are ordinary
  for (int i = 0; i < 5; ++i) twin.add(Ev().at(i).from("192.168.1.7", 138).to("192.168.1.255", 138).udp(200));
  EXPECT_EQ(count_id(twin.finish(), "dos.fraggle"), 0u);
}

TEST(ServiceDnsLowSourcePort, NatRewrittenPorts) {
  Scenario r;
  r.add(Ev().at(1).from("203.0.113.5", 1010).to("192.0.2.53", 53).udp(40));
  r.add(Ev().at(2).from("203.0.113.5", 1015).to("192.0.2.53", 53).udp(40));
  const auto* f = find(r.finish(), "service.dns_low_source_port", "203.0.113.5");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Benign);
  EXPECT_EQ(attr_str(*f, "source_ports"), "1010,1015");

  Scenario twin;  // random high ports and server-to-server 53 → 53
  twin.add(Ev().at(1).from("203.0.113.5", 53001).to("192.0.2.53", 53).udp(40));
  twin.add(Ev().at(2).from("203.0.113.6", 53).to("192.0.2.53", 53).udp(40));
  EXPECT_EQ(count_id(twin.finish(), "service.dns_low_source_port"), 0u);
}

}  // namespace
}  // namespace netseen::detect

namespace netseen::detect {
namespace {

using namespace testutil;
using namespace decode::tcpflag;

TEST(DosEchoChargenLoop, ForgedPacketBetweenEchoAndChargen) {
  Scenario r;
  r.add(Ev().at(0).from("192.168.1.7", 19).to("192.168.1.8", 7).udp(72));
  for (int i = 1; i < 20; ++i) {
    if (i % 2) r.add(Ev().at(i * 0.001).from("192.168.1.8", 7).to("192.168.1.7", 19).udp(72));
    else r.add(Ev().at(i * 0.001).from("192.168.1.7", 19).to("192.168.1.8", 7).udp(72));
  }
  const auto& fs = r.finish();
  ASSERT_EQ(count_id(fs, "dos.echo_chargen_loop"), 1u);
  const auto* f = find(fs, "dos.echo_chargen_loop", "192.168.1.7");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->events, 20u);
  EXPECT_EQ(attr_str(*f, "first_ports"), "19→7");

  Scenario twin;  // a client using the echo service from an ordinary port
  for (int i = 0; i < 5; ++i) {
    twin.add(Ev().at(i).from("192.168.1.9", 40000).to("192.168.1.8", 7).udp(10));
    twin.add(Ev().at(i).from("192.168.1.8", 7).to("192.168.1.9", 40000).udp(10));
  }
  EXPECT_EQ(count_id(twin.finish(), "dos.echo_chargen_loop"), 0u);
}

TEST(ServiceIdentdBackconnect, MailServerAsksIdentOfItsClient) {
  Scenario r;
  r.add(Ev().at(100).from("192.168.1.20", 40000).to("198.51.100.25", 25).tcp(kSyn));
  r.add(Ev().at(100.5).from("198.51.100.25", 33000).to("192.168.1.20", 113).tcp(kSyn).drop());
  const auto* f = find(r.finish(), "service.identd_backconnect", "198.51.100.25");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Benign);
  EXPECT_EQ(attr_int(*f, "service_port"), 25);
  EXPECT_EQ(attr_int(*f, "dropped"), 1);

  Scenario twin;  // 113 probed out of the blue, or long after
  twin.add(Ev().at(100).from("198.51.100.26", 33000).to("192.168.1.20", 113).tcp(kSyn));
  twin.add(Ev().at(100).from("192.168.1.20", 40000).to("198.51.100.25", 25).tcp(kSyn));
  twin.add(Ev().at(500).from("198.51.100.25", 33000).to("192.168.1.20", 113).tcp(kSyn));
  EXPECT_EQ(count_id(twin.finish(), "service.identd_backconnect"), 0u);
}

}  // namespace
}  // namespace netseen::detect

namespace netseen::detect {
namespace {

using namespace testutil;
using namespace decode::tcpflag;

TEST(ScanSscan, AckPingsWithEqualPortsThenFingerprinting) {
  Scenario r;
  double t = 0;
  for (int pi : {23, 25, 110, 143, 80}) {
    const auto p = static_cast<std::uint16_t>(pi);
    r.add(Ev().at(t += 0.1).from("203.0.113.40", p).to("192.168.1.10", p).tcp(kAck));
  }
  for (int p : {111, 6000, 79, 53, 31337, 139, 21, 1114, 1}) {
    r.add(Ev().at(t += 0.1).from("203.0.113.40", 40000).to("192.168.1.10", static_cast<std::uint16_t>(p)).tcp(kSyn));
  }
  for (std::uint16_t sp = 1; sp <= 5; ++sp) r.add(Ev().at(t += 0.1).from("203.0.113.40", sp).to("192.168.1.10", 21).tcp(kSyn | kFin));
  const auto* f = find(r.finish(), "scan.sscan", "203.0.113.40");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Malicious);
  EXPECT_EQ(attr_str(*f, "ack_ping_ports"), "23,25,80,110,143");
  EXPECT_EQ(attr_int(*f, "fingerprint_packets"), 5);

  Scenario twin;  // a mail client and a web client: SYNs to 25, 110, 143, 80 from ephemeral ports, ACKs in flows
  for (int pi : {25, 110, 143, 80, 21, 53}) {
    const auto p = static_cast<std::uint16_t>(pi);
    const auto cp = static_cast<std::uint16_t>(40000 + pi);
    twin.add(Ev().at(1).from("192.168.1.20", cp).to("192.168.1.10", p).tcp(kSyn));
    twin.add(Ev().at(2).from("192.168.1.20", cp).to("192.168.1.10", p).tcp(kAck));
  }
  EXPECT_EQ(count_id(twin.finish(), "scan.sscan"), 0u);
}

}  // namespace
}  // namespace netseen::detect
