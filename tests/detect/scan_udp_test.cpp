#include <gtest/gtest.h>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;

TEST(ScanUdp, DirectProbesOfManyPorts) {
  Scenario r;
  for (int p = 1000; p <= 1150; ++p) {
    r.add(Ev().at(p * 0.01).from("192.168.10.55", 45000).to("192.168.10.1", static_cast<std::uint16_t>(p)).udp(0));
  }
  const auto& fs = r.finish();
  const auto* f = find(fs, "scan.udp", "192.168.10.55");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "port_range"), "1000-1150");
  EXPECT_EQ(attr_int(*f, "port_count"), 151);
  EXPECT_EQ(attr_str(*f, "inferred_from_unreachables"), "false");
  EXPECT_EQ(f->target_sample.at(0), ip("192.168.10.1"));
  EXPECT_EQ(count_id(fs, "trace.udp"), 0u);
}

TEST(ScanUdp, InferredFromPortUnreachablesAlone) {
  Scenario r;
  // Only the victim's answers were captured: 40 port-unreachables quoting datagrams from the scanner.
  for (int i = 0; i < 40; ++i) {
    const auto p = static_cast<std::uint16_t>(100 + i * 7);
    r.add(Ev().at(i).from("192.168.1.10").to("203.0.113.66").icmp(3, 3)
              .quoting("203.0.113.66", 53123, "192.168.1.10", p));
  }
  const auto* f = find(r.finish(), "scan.udp", "203.0.113.66");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "inferred_from_unreachables"), "true");
  EXPECT_EQ(attr_int(*f, "unreachables_seen"), 40);
  EXPECT_EQ(attr_str(*f, "port_range"), "100-373");
}

TEST(ScanUdp, ServerAnsweringManyClientPortsIsNotAScan) {
  Scenario r;
  // An NTP server and a syslog sender: many datagrams, few ports.
  for (int i = 0; i < 300; ++i) {
    r.add(Ev().at(i).from("192.168.1.5", 123).to("192.168.1.40", static_cast<std::uint16_t>(40000 + i)).udp(48));
    r.add(Ev().at(i).from("192.168.1.40", static_cast<std::uint16_t>(40000 + i)).to("192.168.1.5", 123).udp(48));
    r.add(Ev().at(i).from("192.168.1.40", 514).to("192.168.1.6", 514).udp(100));
  }
  EXPECT_EQ(count_id(r.finish(), "scan.udp"), 0u);
}

}  // namespace
}  // namespace netseen::detect
