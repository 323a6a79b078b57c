#include <gtest/gtest.h>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;
using decode::tcpflag::kSyn;

constexpr double k2004 = 1'095'000'000;  // 2004-09-12
constexpr double k2012 = 1'340'000'000;  // 2012-06-18

TEST(AddrReservedDestination, OneElevenIn2004IsReserved) {
  Scenario r;
  for (int i = 0; i < 12; ++i) {
    const auto dst = fmt::format("1.11.{}.{}", i * 7, 10 + i);
    r.add(Ev().at(k2004 + i * 60).from("192.168.10.20", 137).to(dst.c_str(), 137).udp(50).drop());
  }
  const auto& fs = r.finish();
  const auto* f = find(fs, "addr.reserved_destination", "192.168.10.20");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->target_count, 12u);
  EXPECT_EQ(f->verdict, Verdict::Suspicious);
  EXPECT_NE(attr_str(*f, "status"), "allocated");
  EXPECT_NE(attr_str(*f, "status_note").find("APNIC"), std::string::npos) << attr_str(*f, "status_note");
}

TEST(AddrReservedDestination, TheSameTrafficIn2012IsOrdinary) {
  Scenario r;
  for (int i = 0; i < 12; ++i) {
    const auto dst = fmt::format("1.11.{}.{}", i * 7, 10 + i);
    r.add(Ev().at(k2012 + i * 60).from("192.168.10.20", 40000).to(dst.c_str(), 443).tcp(kSyn));
  }
  r.add(Ev().at(k2004).from("192.168.10.21", 40000).to("8.8.8.8", 53).udp(30));  // allocated in 2004 too
  EXPECT_EQ(count_id(r.finish(), "addr.reserved_destination"), 0u);
}

TEST(AddrLoopbackOnWire, SpoofedLoopbackSourceIsFlagged) {
  Scenario r;
  for (int p = 1000; p < 1010; ++p) {
    auto b = Ev().at(p).from("127.0.0.1", 56247).to("192.168.10.1", static_cast<std::uint16_t>(p)).tcp(kSyn).iface("eth1");
    b.event().src_mac = MacAddress::parse("00:21:3f:98:99:78");
    r.add(b);
  }
  const auto& fs = r.finish();
  const auto* f = find(fs, "addr.loopback_on_wire", "127.0.0.1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->events, 10u);
  EXPECT_EQ(f->severity, Severity::High);
  EXPECT_EQ(attr_str(*f, "interfaces"), "eth1");
  EXPECT_EQ(attr_str(*f, "mac_addresses"), "00:21:3f:98:99:78");
}

TEST(AddrLoopbackOnWire, TrafficOnLoIsNormal) {
  Scenario r;
  r.add(Ev().at(1).from("127.0.0.1", 40000).to("127.0.0.1", 631).tcp(kSyn).iface("lo"));
  EXPECT_EQ(count_id(r.finish(), "addr.loopback_on_wire"), 0u);
}

TEST(AddrZeroSource, ZeroSourceTcpIsFlaggedButDhcpIsNot) {
  Scenario r;
  r.add(Ev().at(1).from("0.0.0.0", 68).to("255.255.255.255", 67).udp(300));  // DHCP discover: fine
  for (int p = 1000; p < 1005; ++p) {
    r.add(Ev().at(p).from("0.0.0.0", 56247).to("192.168.10.1", static_cast<std::uint16_t>(p)).tcp(kSyn));
  }
  const auto& fs = r.finish();
  const auto* f = find(fs, "addr.zero_source", "0.0.0.0");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->events, 5u);
  EXPECT_EQ(attr_str(*f, "ports"), "1000-1004");

  Scenario benign;
  benign.add(Ev().at(1).from("0.0.0.0", 68).to("255.255.255.255", 67).udp(300));
  EXPECT_EQ(count_id(benign.finish(), "addr.zero_source"), 0u);
}

TEST(AddrLinkLocal, SelfAssignedAddressIsAMisconfiguration) {
  Scenario r;
  r.add(Ev().at(1).from("169.254.12.7", 137).to("169.254.255.255", 137).udp(50));
  r.add(Ev().at(2).from("192.168.1.5", 40000).to("169.254.169.254", 80).tcp(kSyn));  // metadata: not counted
  const auto& fs = r.finish();
  const auto* f = find(fs, "addr.link_local", "169.254.12.7");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Misconfiguration);
  EXPECT_EQ(count_id(fs, "addr.link_local"), 1u);
}

TEST(AddrPrivateOutside, OnlyWhenTheHomeNetworksAreNamed) {
  auto feed = [](Scenario& r) {
    r.add(Ev().at(1).from("10.9.9.9", 40000).to("192.168.1.10", 22).tcp(kSyn).iface("eth0"));
  };
  Scenario defaults;  // 10/8 is a home network by default
  feed(defaults);
  EXPECT_EQ(count_id(defaults.finish(), "addr.private_outside"), 0u);

  EngineOptions opt;
  opt.home_nets = {*Cidr::parse("192.168.1.0/24")};
  Scenario named(opt);
  feed(named);
  const auto* f = find(named.finish(), "addr.private_outside", "10.9.9.9");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "spoofed_source"), "true");
}

TEST(AddrDirectedBroadcast, OutsideToInsideBroadcast) {
  Scenario r;
  r.add(Ev().at(1).from("198.51.100.20").to("192.168.1.255").icmp(8, 0));
  r.add(Ev().at(2).from("192.168.1.7", 138).to("192.168.1.255", 138).udp(200));  // inside: normal
  const auto& fs = r.finish();
  ASSERT_NE(find(fs, "addr.directed_broadcast", "198.51.100.20"), nullptr);
  EXPECT_EQ(count_id(fs, "addr.directed_broadcast"), 1u);
}

}  // namespace
}  // namespace netseen::detect
