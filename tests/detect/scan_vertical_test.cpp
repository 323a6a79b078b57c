#include <gtest/gtest.h>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;
using decode::tcpflag::kAck;
using decode::tcpflag::kRst;
using decode::tcpflag::kSyn;

TEST(ScanVertical, SynScanOfSixtyFourPortsIsFound) {
  Scenario r;
  for (int i = 0; i < 64; ++i) {
    const auto p = static_cast<std::uint16_t>(1000 + i * 3);
    r.add(Ev().at(300 + i * 0.02).from("203.0.113.50", 61000).to("192.168.1.10", p).tcp(kSyn).ttl(52));
    // Two ports are open, the rest answer RST.
    const std::uint8_t answer = (i == 5 || i == 9) ? (kSyn | kAck) : (kRst | kAck);
    r.add(Ev().at(300 + i * 0.02 + 0.001).from("192.168.1.10", p).to("203.0.113.50", 61000).tcp(answer).ttl(64));
  }
  const auto& fs = r.finish();
  const auto* f = find(fs, "scan.vertical", "203.0.113.50");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Suspicious);
  EXPECT_EQ(f->target_count, 1u);
  EXPECT_EQ(f->target_sample.at(0), ip("192.168.1.10"));
  EXPECT_EQ(attr_int(*f, "port_count"), 64);
  EXPECT_EQ(attr_str(*f, "port_range"), "1000-1189");
  EXPECT_EQ(attr_int(*f, "answered_ports"), 2);
  EXPECT_EQ(attr_str(*f, "probe_types"), "SYN");
  EXPECT_EQ(attr_str(*f, "transport"), "tcp");
  EXPECT_EQ(f->dedup_key, "scan.vertical|203.0.113.50");
  EXPECT_FALSE(f->evidence.empty());
  // The victim's answers never make it a scanner.
  EXPECT_EQ(find(fs, "scan.vertical", "192.168.1.10"), nullptr);
}

TEST(ScanVertical, BusyWebClientIsNotAScan) {
  Scenario r;
  // 500 connections from ever-new client ports to 443 and 80 of one server, all answered.
  for (int i = 0; i < 500; ++i) {
    const auto sp = static_cast<std::uint16_t>(40000 + i);
    const std::uint16_t dp = i % 2 == 0 ? 443 : 80;
    r.add(Ev().at(i).from("192.168.1.20", sp).to("198.51.100.80", dp).tcp(kSyn).ttl(128));
    r.add(Ev().at(i + 0.01).from("198.51.100.80", dp).to("192.168.1.20", sp).tcp(kSyn | kAck).ttl(50));
    r.add(Ev().at(i + 0.02).from("192.168.1.20", sp).to("198.51.100.80", dp).tcp(kAck, 300).ttl(128));
    r.add(Ev().at(i + 0.03).from("198.51.100.80", dp).to("192.168.1.20", sp).tcp(kAck, 1400).ttl(50));
  }
  const auto& fs = r.finish();
  EXPECT_EQ(count_id(fs, "scan.vertical"), 0u);
  EXPECT_EQ(count_id(fs, "scan.tcp_flags"), 0u);
  EXPECT_EQ(count_id(fs, "scan.horizontal"), 0u);
}

TEST(ScanVertical, AnsweredClientOfManyServicesIsNotAScan) {
  Scenario r;
  // A domain member reaching 30 ports of its DC (dynamic RPC included): all answered.
  for (int i = 0; i < 30; ++i) {
    const auto dp = static_cast<std::uint16_t>(49152 + i);
    r.add(Ev().at(i).from("192.168.1.21", 50000).to("192.168.1.2", dp).tcp(kSyn));
    r.add(Ev().at(i + 0.01).from("192.168.1.2", dp).to("192.168.1.21", 50000).tcp(kSyn | kAck));
  }
  EXPECT_EQ(count_id(r.finish(), "scan.vertical"), 0u);
}

TEST(ScanVertical, SlowScanOverHoursIsStillFound) {
  Scenario r;
  for (int i = 0; i < 25; ++i) {  // one port every ten minutes: four hours
    r.add(Ev().at(i * 600.0).from("45.33.32.156", 5555).to("192.168.1.10", static_cast<std::uint16_t>(20 + i))
              .tcp(kSyn).drop());
  }
  const auto* f = find(r.finish(), "scan.vertical", "45.33.32.156");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "port_range"), "20-44");
  EXPECT_EQ(f->severity, Severity::High);  // public source
}

TEST(ScanVertical, WindowOverrideSplitsAVerySlowScan) {
  EngineOptions opt;
  opt.overrides["scan.vertical.window_s"] = "3600";
  Scenario r(opt);
  for (int i = 0; i < 25; ++i) {
    r.add(Ev().at(i * 600.0).from("45.33.32.156", 5555).to("192.168.1.10", static_cast<std::uint16_t>(20 + i))
              .tcp(kSyn));
  }
  EXPECT_EQ(find(r.finish(), "scan.vertical", "45.33.32.156"), nullptr);
}

// A sweep makes one (source, target) pair per host it tries, each with one port. When those
// fill the table, a later port scan's pair takes the place of one of them: the scan is
// found, the dropped pairs are counted, and pairs with several ports are kept.
TEST(ScanVertical, AScanAfterASweepFilledTheTableIsStillFound) {
  EngineOptions o;
  o.overrides["scan.vertical.max_pairs"] = "200";
  Scenario r(o);
  // An early port scan (kept: many ports), a sweep of 1,000 hosts on one port, then a scan.
  for (int p = 1; p <= 30; ++p) {
    r.add(Ev().at(p * 0.01).from("203.0.113.7", 40000).to("10.9.9.9", static_cast<std::uint16_t>(p)).tcp(kSyn).drop());
  }
  for (int i = 1; i <= 1000; ++i) {
    const auto dst = fmt::format("10.{}.{}.{}", 20 + i / 250, i % 250, 1 + i % 200);
    r.add(Ev().at(1 + i * 0.001).from("198.51.100.9", 50000).to(dst.c_str(), 445).tcp(kSyn).drop());
  }
  for (int p = 1000; p < 1064; ++p) {
    r.add(Ev().at(10 + p * 0.001).from("192.168.20.66", 51000).to("192.168.20.1", static_cast<std::uint16_t>(p)).tcp(kSyn));
  }
  expect_kept_and_late(r, "scan.vertical", "port_count", {"203.0.113.7", 30}, {"192.168.20.66", 64}, 800);
}

}  // namespace
}  // namespace netseen::detect
