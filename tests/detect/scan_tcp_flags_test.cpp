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

// The target sample is the first ten distinct hosts (IPv6 ones compared in full, repeats
// not counted twice), sorted; the TCP windows are the first eight distinct, in the order seen.
TEST(ScanTcpFlags, HostSampleAndWindowsKeepTheFirstDistinct) {
  Scenario r;
  int n = 0;
  auto probe = [&](int host) {
    ++n;
    const auto dst = fmt::format("2001:db8:1::{:x}", host);
    r.add(Ev().at(n * 0.01).from("2001:db8::5", 50000).to(dst.c_str(), static_cast<std::uint16_t>(100 + n))
              .tcp(kSyn).window(static_cast<std::uint16_t>(1000 + (n % 10))));
  };
  for (int round = 0; round < 3; ++round) {
    for (int h = 6; h >= 1; --h) probe(h);  // six hosts, each probed three times
  }
  for (int h = 7; h <= 14; ++h) probe(h);
  const auto* f = find(r.finish(), "scan.tcp_flags", "2001:db8::5");
  ASSERT_NE(f, nullptr);
  std::vector<std::string> sample;
  for (const auto& a : f->target_sample) sample.push_back(a.to_string());
  EXPECT_EQ(sample, (std::vector<std::string>{"2001:db8:1::1", "2001:db8:1::2", "2001:db8:1::3", "2001:db8:1::4",
                                              "2001:db8:1::5", "2001:db8:1::6", "2001:db8:1::7", "2001:db8:1::8",
                                              "2001:db8:1::9", "2001:db8:1::a"}));
  EXPECT_EQ(f->target_count, 10u);
  EXPECT_EQ(attr_str(*f, "tcp_windows"), "1001,1002,1003,1004,1005,1006,1007,1008");
}

// A kind's targets: the first host's ports in a port set, other hosts' targets in a hash
// set. The same ports on two hosts are distinct targets, repeats are not, and the SYN+ACKs
// of either host count as answers only from ports that were probed there.
TEST(ScanTcpFlags, TargetsOfTheFirstHostAndOfOthersCountAlike) {
  auto run = [](int answered_on_first) {
    Scenario r;
    double t = 0;
    for (int round = 0; round < 2; ++round) {
      for (int p = 1; p <= 25; ++p) {
        for (const char* host : {"192.168.20.1", "192.168.20.2"}) {
          r.add(Ev().at(t += 0.01).from("203.0.113.7", 40000).to(host, static_cast<std::uint16_t>(p)).tcp(kSyn));
        }
      }
    }
    for (int p = 1; p <= answered_on_first; ++p) {
      r.add(Ev().at(t += 0.01).from("192.168.20.1", static_cast<std::uint16_t>(p)).to("203.0.113.7", 40000).tcp(kSyn | kAck));
    }
    for (int p = 1; p <= 13; ++p) {
      r.add(Ev().at(t += 0.01).from("192.168.20.2", static_cast<std::uint16_t>(p)).to("203.0.113.7", 40000).tcp(kSyn | kAck));
    }
    // Not a probed port: no answer to anything.
    r.add(Ev().at(t += 0.01).from("192.168.20.2", 999).to("203.0.113.7", 40000).tcp(kSyn | kAck));
    return r.finish();
  };
  // 25 of 50 targets answered: at most max_open_fraction, a scan.
  const auto scan = run(12);
  const auto* f = find(scan, "scan.tcp_flags", "203.0.113.7");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_int(*f, "targets"), 50);
  EXPECT_EQ(attr_int(*f, "port_count"), 25);
  EXPECT_EQ(attr_str(*f, "ports"), "1-25");
  // 26 of 50: a client whose connections mostly succeed.
  EXPECT_EQ(count_id(run(13), "scan.tcp_flags"), 0u);
}

}  // namespace
}  // namespace netseen::detect
