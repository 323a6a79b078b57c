#include <gtest/gtest.h>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;
using namespace decode::tcpflag;

TEST(ScanHorizontal, OnePortAcrossASubnetIsASweep) {
  Scenario r;
  for (int i = 1; i <= 40; ++i) {
    const auto dst = fmt::format("192.168.10.{}", i);
    r.add(Ev().at(i * 0.1).from("192.168.10.55", 56247).to(dst.c_str(), 1083).tcp(kSyn).ttl(38));
  }
  const auto& fs = r.finish();
  const auto* f = find(fs, "scan.horizontal", "192.168.10.55");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_int(*f, "port"), 1083);
  EXPECT_EQ(attr_int(*f, "hosts"), 40);
  EXPECT_EQ(attr_str(*f, "transport"), "tcp");
  EXPECT_EQ(f->target_count, 40u);
  EXPECT_EQ(f->target_sample.size(), Finding::kMaxTargetSample);
  EXPECT_EQ(count_id(fs, "scan.vertical"), 0u);
}

TEST(ScanHorizontal, DnsResolverAndBrowserAreNotSweeps) {
  Scenario r;
  // A resolver asking 300 name servers scattered over the Internet, and a browser reaching 300 web servers.
  for (int i = 0; i < 300; ++i) {
    const auto ns = fmt::format("{}.{}.{}.53", 11 + i % 180, (i * 37) % 250, i % 7);
    r.add(Ev().at(i).from("192.168.1.53", static_cast<std::uint16_t>(30000 + i)).to(ns.c_str(), 53).udp(40));
    r.add(Ev().at(i + 0.01).from(ns.c_str(), 53).to("192.168.1.53", static_cast<std::uint16_t>(30000 + i)).udp(120));
    const auto web = fmt::format("{}.{}.{}.80", 20 + i % 150, (i * 11) % 250, i % 5);
    r.add(Ev().at(i).from("192.168.1.20", static_cast<std::uint16_t>(40000 + i)).to(web.c_str(), 443).tcp(kSyn));
    r.add(Ev().at(i + 0.02).from(web.c_str(), 443).to("192.168.1.20", static_cast<std::uint16_t>(40000 + i))
              .tcp(kSyn | kAck));
  }
  const auto& fs = r.finish();
  EXPECT_EQ(count_id(fs, "scan.horizontal"), 0u);
  EXPECT_EQ(count_id(fs, "scan.udp"), 0u);
  EXPECT_EQ(count_id(fs, "scan.vertical"), 0u);
}

TEST(ScanHorizontal, ScatteredUnansweredSweepOfAnUncommonPort) {
  Scenario r;
  for (int i = 0; i < 60; ++i) {
    const auto dst = fmt::format("{}.{}.{}.{}", 30 + i, i % 200, i % 3, 1 + i % 200);
    r.add(Ev().at(i).from("192.168.1.66", 2000).to(dst.c_str(), 445).tcp(kSyn).drop());
  }
  const auto* f = find(r.finish(), "scan.horizontal", "192.168.1.66");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_int(*f, "port"), 445);
  EXPECT_EQ(attr_int(*f, "answered_hosts"), 0);
}

// A vertical scan makes one (source, port) key per port it tries, each with one host. When
// those fill the table, a later sweep's key takes the place of one of them: the sweep is
// found, the dropped keys are counted as evicted, and keys with several hosts are kept.
TEST(ScanHorizontal, ASweepAfterAVerticalScanFilledTheTableIsStillFound) {
  EngineOptions o;
  o.overrides["scan.horizontal.max_keys"] = "200";
  Scenario r(o);
  // An early sweep (kept: it has many hosts), then 1,000 ports of one host, then a worm.
  for (int i = 1; i <= 12; ++i) {
    const auto dst = fmt::format("10.9.9.{}", i);
    r.add(Ev().at(i * 0.01).from("203.0.113.7", 40000).to(dst.c_str(), 3389).tcp(kSyn).drop());
  }
  for (int p = 1; p <= 1000; ++p) {
    r.add(Ev().at(1 + p * 0.001).from("198.51.100.9", 50000).to("192.168.10.1", static_cast<std::uint16_t>(p)).tcp(kSyn).drop());
  }
  for (int i = 1; i <= 40; ++i) {
    const auto dst = fmt::format("192.168.20.{}", i);
    r.add(Ev().at(10 + i * 0.1).from("192.168.20.66", 51000).to(dst.c_str(), 445).tcp(kSyn));
  }
  expect_kept_and_late(r, "scan.horizontal", "hosts", {"203.0.113.7", 12}, {"192.168.20.66", 40}, 800);
}

// A key's first probe is kept compactly until a second arrives; what happened in between
// (the host answering) must survive the move into a full entry.
TEST(ScanHorizontal, AnAnswerToTheFirstProbeOfAKeyIsKept) {
  Scenario r;
  r.add(Ev().at(0).from("192.168.1.66", 2000).to("10.20.0.1", 3389).tcp(kSyn));
  r.add(Ev().at(0.01).from("10.20.0.1", 3389).to("192.168.1.66", 2000).tcp(kSyn | kAck));
  for (int i = 2; i <= 60; ++i) {
    const auto dst = fmt::format("10.{}.{}.1", 20 + i, i);
    r.add(Ev().at(i).from("192.168.1.66", 2000).to(dst.c_str(), 3389).tcp(kSyn));
  }
  const auto* f = find(r.finish(), "scan.horizontal", "192.168.1.66");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_int(*f, "hosts"), 60);
  EXPECT_EQ(attr_int(*f, "answered_hosts"), 1);
  ASSERT_FALSE(f->evidence.empty());
  EXPECT_EQ(f->evidence.front().number, 1u);  // the first probe, kept while it was a single
}

// With thresholds that make one host a sweep, keys probed once are reported like any other.
TEST(ScanHorizontal, KeysProbedOnceAreReportedWhenTheThresholdsAllowIt) {
  EngineOptions o;
  o.overrides["scan.horizontal.min_dense"] = "1";
  Scenario r(o);
  r.add(Ev().at(1).from("203.0.113.9", 40000).to("192.168.30.7", 5900).tcp(kSyn).drop());
  const auto* f = find(r.finish(), "scan.horizontal", "203.0.113.9");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_int(*f, "port"), 5900);
  EXPECT_EQ(attr_int(*f, "hosts"), 1);
  EXPECT_EQ(attr_str(*f, "source_ports"), "40000");
}

// A sweep from a real stack's ephemeral ports: the finding gives their span, not a list.
TEST(ScanHorizontal, ManySourcePortsAreGivenAsTheirSpan) {
  Scenario r;
  for (int i = 1; i <= 60; ++i) {
    const auto dst = fmt::format("192.168.40.{}", i);
    r.add(Ev().at(i).from("203.0.113.77", static_cast<std::uint16_t>(50000 + 7 * i)).to(dst.c_str(), 5900).tcp(kSyn));
  }
  const auto* f = find(r.finish(), "scan.horizontal", "203.0.113.77");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "source_ports"), "50007-50420 (more than 12 ports)");
}

}  // namespace
}  // namespace netseen::detect
