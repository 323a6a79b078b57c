#include <gtest/gtest.h>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;
using namespace decode::tcpflag;

struct FlagCase {
  std::uint8_t flags;
  const char* name;
  int ports;
};

class ScanTcpFlagsNames : public ::testing::TestWithParam<FlagCase> {};

TEST_P(ScanTcpFlagsNames, ScanTypeIsNamed) {
  const auto c = GetParam();
  Scenario r;
  for (int i = 0; i < c.ports; ++i) {
    r.add(Ev().at(i * 0.01).from("192.168.10.55", 56247).to("192.168.10.1", static_cast<std::uint16_t>(1000 + i))
              .tcp(c.flags).ttl(50).window(1024));
  }
  const auto& fs = r.finish();
  const auto* f = find(fs, "scan.tcp_flags", "192.168.10.55");
  ASSERT_NE(f, nullptr) << c.name;
  EXPECT_EQ(attr_str(*f, "scan_type"), c.name);
  EXPECT_EQ(attr_str(*f, "port_range"), fmt::format("1000-{}", 1000 + c.ports - 1));
  EXPECT_EQ(f->verdict, Verdict::Suspicious);
  EXPECT_EQ(attr_str(*f, "tcp_windows"), "1024");
}

INSTANTIATE_TEST_SUITE_P(Kinds, ScanTcpFlagsNames,
                         ::testing::Values(FlagCase{kSyn, "SYN", 30}, FlagCase{kFin, "FIN", 10},
                                           FlagCase{kFin | kPsh | kUrg, "XMAS", 10}, FlagCase{0, "NULL", 10},
                                           FlagCase{kAck, "ACK/window", 30}, FlagCase{kFin | kAck, "Maimon", 30},
                                           FlagCase{kSyn | kFin, "SYN+FIN", 6}));

// A kind's ports are read back from its (host, port) targets, kept exactly up to 8,192;
// ports probed after that are kept apart, so the port count stays exact past the cap.
TEST(ScanTcpFlags, PortsProbedPastTheTargetCapStillCount) {
  Scenario r;
  for (int p = 1; p <= 10'000; ++p) {
    r.add(Ev().at(p * 0.001).from("198.51.100.9", 50000).to("192.168.10.1", static_cast<std::uint16_t>(p)).tcp(kSyn));
  }
  // And ports already seen, again, to a second host once the cap is reached.
  r.add(Ev().at(11).from("198.51.100.9", 50000).to("192.168.10.2", 80).tcp(kSyn));
  const auto* f = find(r.finish(), "scan.tcp_flags", "198.51.100.9");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_int(*f, "targets"), 8192);
  EXPECT_EQ(attr_int(*f, "port_count"), 10'000);
  EXPECT_EQ(attr_str(*f, "port_range"), "1-10000");
  EXPECT_EQ(attr_str(*f, "ports"), "1-10000");
}

TEST(ScanTcpFlags, FewOddPacketsAndNormalClosesDoNotFire) {
  Scenario r;
  // Four stray FINs (below min_odd) and a server's FIN+ACK/ACK closes to many client ports.
  for (int i = 0; i < 4; ++i) {
    r.add(Ev().at(i).from("198.51.100.3", 40000).to("192.168.1.10", static_cast<std::uint16_t>(80 + i)).tcp(kFin));
  }
  for (int i = 0; i < 200; ++i) {
    const auto cp = static_cast<std::uint16_t>(50000 + i);
    r.add(Ev().at(10 + i).from("192.168.1.10", 443).to("198.51.100.4", cp).tcp(kFin | kAck));
    r.add(Ev().at(10 + i).from("192.168.1.10", 443).to("198.51.100.4", cp).tcp(kAck));
  }
  EXPECT_EQ(count_id(r.finish(), "scan.tcp_flags"), 0u);
}

}  // namespace
}  // namespace netseen::detect
