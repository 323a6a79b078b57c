// scan.decoy: nmap -D style decoy scans (every probe sent once per decoy, back to back)
// are found, and TTL, IP id and follow-up traffic point at the real scanner; busy servers
// with many real clients do not fire.
#include <gtest/gtest.h>

#include <random>

#include "detect/detectors.hpp"
#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;
using decode::tcpflag::kAck;
using decode::tcpflag::kPsh;
using decode::tcpflag::kRst;
using decode::tcpflag::kSyn;

constexpr const char* kTarget = "192.168.1.10";
constexpr const char* kReal = "198.51.100.7";
const std::vector<const char*> kDecoys = {"203.0.113.5", "192.0.2.44", "100.64.9.9", "81.2.69.160", "45.33.32.156"};

enum class TtlMode { RandomAll, RandomDecoysOnly, SameHops };
enum class IdMode { SamePerProbe, OneCounter };

struct DecoyRun {
  TtlMode ttl = TtlMode::RandomAll;
  IdMode ids = IdMode::SamePerProbe;
  bool real_follows_up = true;
  int ports = 30;
};

// One decoy scan: for each port, one SYN from every decoy and the real address (the real
// one at position 2, as nmap's ME), the target answering ports 22 and 80.
template <typename Sink>
void decoy_scan(Sink& s, const DecoyRun& r) {
  std::mt19937 rng(7);
  std::vector<const char*> senders = kDecoys;
  senders.insert(senders.begin() + 2, kReal);
  double t = 1000.0;
  std::uint16_t counter = 4000;
  for (int i = 0; i < r.ports; ++i) {
    const auto port = static_cast<std::uint16_t>(i < 2 ? (i == 0 ? 22 : 80) : 1000 + i * 7);
    const auto probe_id = static_cast<std::uint16_t>(rng());
    for (const char* src : senders) {
      std::uint8_t ttl = 52;
      const bool real = std::string_view(src) == kReal;
      if (r.ttl == TtlMode::RandomAll || (r.ttl == TtlMode::RandomDecoysOnly && !real)) {
        ttl = static_cast<std::uint8_t>(37 + rng() % 23);
      }
      const std::uint16_t id = r.ids == IdMode::SamePerProbe ? probe_id : counter++;
      s.add(Ev().at(t).from(src, 45000).to(kTarget, port).tcp(kSyn).ttl(ttl).ipid(id));
      t += 0.001;
      if (port == 22 || port == 80) {
        s.add(Ev().at(t).from(kTarget, port).to(src, 45000).tcp(kSyn | kAck).ttl(64));
        s.add(Ev().at(t + 0.0005).from(src, 45000).to(kTarget, port).tcp(kRst).ttl(ttl));
      }
    }
    t += 0.05;
  }
  if (r.real_follows_up) {
    // Version detection: a real connection to the open port, from the real address only.
    t += 2;
    s.add(Ev().at(t).from(kReal, 51000).to(kTarget, 22).tcp(kSyn).ttl(52).ipid(9000));
    s.add(Ev().at(t + 0.01).from(kTarget, 22).to(kReal, 51000).tcp(kSyn | kAck).ttl(64));
    s.add(Ev().at(t + 0.02).from(kReal, 51000).to(kTarget, 22).tcp(kAck).ttl(52).ipid(9001));
    s.add(Ev().at(t + 0.03).from(kReal, 51000).to(kTarget, 22).tcp(kAck | kPsh, 21).ttl(52).ipid(9002));
  }
}

TEST(ScanDecoy, NmapDefaultsRealScannerFromItsConversation) {
  Scenario s;
  decoy_scan(s, {});
  const auto& fs = s.finish();
  ASSERT_EQ(count_id(fs, "scan.decoy"), 1u);
  const auto* f = find(fs, "scan.decoy");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->source, ip(kReal));
  EXPECT_EQ(attr_str(*f, "real_scanner"), kReal);
  EXPECT_EQ(attr_int(*f, "source_count"), 6);
  EXPECT_EQ(attr_int(*f, "port_count"), 30);
  EXPECT_EQ(attr_str(*f, "target"), kTarget);
  EXPECT_EQ(attr_str(*f, "ttl_pattern"), "randomised");
  EXPECT_EQ(attr_str(*f, "ipid_shared"), "true");
  EXPECT_EQ(f->verdict, Verdict::Suspicious);
  EXPECT_GE(std::get<double>(*attr(*f, "real_scanner_confidence")), 0.8);
  EXPECT_NE(f->explanation.find("same IP id"), std::string::npos) << f->explanation;
  EXPECT_NE(f->explanation.find("conversation"), std::string::npos) << f->explanation;
  for (const char* d : kDecoys) EXPECT_NE(attr_str(*f, "sources").find(d), std::string::npos) << d;
}

TEST(ScanDecoy, OldNmapRealScannerHasTheSteadyTtl) {
  Scenario s;
  decoy_scan(s, {TtlMode::RandomDecoysOnly, IdMode::OneCounter, false, 30});
  const auto& fs = s.finish();
  const auto* f = find(fs, "scan.decoy");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "real_scanner"), kReal);
  EXPECT_EQ(f->source, ip(kReal));
  EXPECT_EQ(attr_str(*f, "ipid_shared"), "true");
  EXPECT_NE(f->explanation.find("TTL is steady"), std::string::npos) << f->explanation;
  EXPECT_NE(f->explanation.find("continue one counter"), std::string::npos) << f->explanation;
  const double c = std::get<double>(*attr(*f, "real_scanner_confidence"));
  EXPECT_GE(c, 0.6);
  EXPECT_LT(c, 0.85);
}

TEST(ScanDecoy, FixedTtlAgreementIsOneMachineButCannotPoint) {
  Scenario s;
  decoy_scan(s, {TtlMode::SameHops, IdMode::SamePerProbe, false, 12});
  const auto& fs = s.finish();
  const auto* f = find(fs, "scan.decoy");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "ttl_pattern"), "same-hops");
  EXPECT_EQ(attr_str(*f, "real_scanner"), "unknown");
  EXPECT_EQ(std::get<double>(*attr(*f, "real_scanner_confidence")), 0.0);
  EXPECT_NE(f->explanation.find("Nothing singles out"), std::string::npos);
  EXPECT_GE(f->confidence, 0.85);  // TTL agreement and shared IP ids
}

TEST(ScanDecoy, DifferentHopDistancePointsWhenTheOthersAgree) {
  // Decoys share TTL 52 (one stack, one path); the real scanner's own packets arrive
  // with TTL 115 (it sets no TTL for its own address, e.g. a Windows host).
  Scenario s;
  std::vector<const char*> senders = kDecoys;
  senders.insert(senders.begin() + 1, kReal);
  double t = 50;
  for (int p = 0; p < 10; ++p) {
    for (const char* src : senders) {
      const bool real = std::string_view(src) == kReal;
      s.add(Ev().at(t).from(src, 40000).to(kTarget, static_cast<std::uint16_t>(2000 + p)).tcp(kSyn).ttl(real ? 115 : 52));
      t += 0.002;
    }
  }
  const auto& fs = s.finish();
  const auto* f = find(fs, "scan.decoy");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "real_scanner"), kReal);
  EXPECT_NE(f->explanation.find("initial 128, 13 hops away) while the others agree on TTL 52"), std::string::npos) << f->explanation;
}

// finish() leaves the detector's state alone: a second call emits the same finding.
TEST(ScanDecoy, FinishIsRepeatable) {
  struct Direct {
    std::unique_ptr<Detector> d = make_scan_decoy();
    Context ctx{default_home_nets()};
    std::uint64_t frame = 0;
    void add(Ev& b) {
      auto e = b.build();
      e.origin.number = ++frame;
      d->on_event(e, ctx);
    }
  } s;
  decoy_scan(s, {});
  Context first(default_home_nets()), second(default_home_nets());
  s.d->finish(first);
  s.d->finish(second);
  ASSERT_EQ(count_id(first.findings(), "scan.decoy"), 1u);
  ASSERT_EQ(count_id(second.findings(), "scan.decoy"), 1u);
  EXPECT_EQ(first.findings()[0].explanation, second.findings()[0].explanation);
  EXPECT_EQ(first.findings()[0].source, second.findings()[0].source);
}

// Benign twin: 40 independent clients browse the same web server (80 and 443) at the same
// time, each with its own TTL, completing their handshakes.
TEST(ScanDecoy, ManyClientsOfOneWebServerDoNotFire) {
  Scenario s;
  double t = 10;
  for (int c = 0; c < 40; ++c) {
    const auto src = fmt::format("81.{}.{}.{}", 10 + c, c * 3 % 250, 1 + c);
    const auto ttl = static_cast<std::uint8_t>(c % 2 == 0 ? 128 - (5 + c % 17) : 64 - (3 + c % 13));
    for (const std::uint16_t port : {std::uint16_t{80}, std::uint16_t{443}}) {
      for (int conn = 0; conn < 3; ++conn) {
        const auto sport = static_cast<std::uint16_t>(50000 + c * 10 + conn);
        s.add(Ev().at(t).from(src.c_str(), sport).to("192.168.1.20", port).tcp(kSyn).ttl(ttl).ipid(static_cast<std::uint16_t>(c * 1000 + conn)));
        s.add(Ev().at(t + 0.01).from("192.168.1.20", port).to(src.c_str(), sport).tcp(kSyn | kAck).ttl(64));
        s.add(Ev().at(t + 0.02).from(src.c_str(), sport).to("192.168.1.20", port).tcp(kAck).ttl(ttl));
        s.add(Ev().at(t + 0.03).from(src.c_str(), sport).to("192.168.1.20", port).tcp(kAck | kPsh, 400).ttl(ttl));
        t += 0.05;
      }
    }
  }
  const auto& fs = s.finish();
  EXPECT_EQ(count_id(fs, "scan.decoy"), 0u);
}

// Benign twin: five monitoring agents check the same seven services of a mail server every
// minute; every port answers and every check completes its handshake.
TEST(ScanDecoy, MonitoringAgentsCheckingTheSameServicesDoNotFire) {
  Scenario s;
  const std::uint16_t ports[] = {25, 110, 143, 465, 587, 993, 995};
  double t = 100;
  for (int round = 0; round < 5; ++round) {
    for (int a = 0; a < 5; ++a) {
      const auto src = fmt::format("10.9.0.{}", 11 + a);
      for (auto port : ports) {
        const auto sport = static_cast<std::uint16_t>(40000 + round * 100 + a * 10 + (port % 10));
        s.add(Ev().at(t).from(src.c_str(), sport).to("10.1.1.25", port).tcp(kSyn).ttl(static_cast<std::uint8_t>(63 - a)));
        s.add(Ev().at(t + 0.001).from("10.1.1.25", port).to(src.c_str(), sport).tcp(kSyn | kAck).ttl(64));
        s.add(Ev().at(t + 0.002).from(src.c_str(), sport).to("10.1.1.25", port).tcp(kAck).ttl(static_cast<std::uint8_t>(63 - a)));
        t += 0.01;
      }
    }
    t += 60;
  }
  const auto& fs = s.finish();
  EXPECT_EQ(count_id(fs, "scan.decoy"), 0u);
}

// Benign twin: two unrelated scanners sweep the same port list of one host hours apart.
TEST(ScanDecoy, IndependentScannersHoursApartDoNotFire) {
  Scenario s;
  const char* scanners[] = {"45.1.1.1", "46.2.2.2", "47.3.3.3"};
  double t = 0;
  for (const char* src : scanners) {
    for (int p = 0; p < 25; ++p) {
      s.add(Ev().at(t).from(src, 61000).to(kTarget, static_cast<std::uint16_t>(3000 + p)).tcp(kSyn).ttl(48));
      t += 0.1;
    }
    t += 3 * 3600;
  }
  const auto& fs = s.finish();
  EXPECT_EQ(count_id(fs, "scan.decoy"), 0u);
  EXPECT_EQ(count_id(fs, "scan.vertical"), 3u);
}

}  // namespace
}  // namespace netseen::detect

namespace netseen::detect {
namespace {

using namespace testutil;

// A public server probed by thousands of unrelated scanners, each trying a few random
// ports: the end-of-run comparison stays bounded (only the max_candidates sources with the
// most ports are compared, the rest counted as evictions), and a real decoy scan hidden in
// that noise is still found, because its members probe the most ports.
TEST(ScanDecoy, ThousandsOfUnrelatedScannersStayBoundedAndTheDecoyScanIsStillFound) {
  EngineOptions opt;
  opt.overrides["scan.decoy.max_candidates"] = "64";
  Scenario s(opt);
  double t = 500.0;
  for (std::uint32_t i = 0; i < 3000; ++i) {
    const std::string src = IpAddress::v4(0x2D000000u + i * 7u).to_string();  // 45.0.0.0 and up
    for (int k = 0; k < 6; ++k) {
      s.add(Ev().at(t).from(src.c_str(), 40000).to(kTarget, static_cast<std::uint16_t>(1 + (i * 6 + static_cast<std::uint32_t>(k) * 131) % 1024)).tcp(decode::tcpflag::kSyn).ttl(50));
      t += 0.01;
    }
  }
  decoy_scan(s, {});
  const auto& fs = s.finish();
  const auto* f = find(fs, "scan.decoy");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "real_scanner"), kReal);
  EXPECT_EQ(attr_int(*f, "source_count"), 6);
  const auto& ev = s.engine().context().evictions();
  ASSERT_TRUE(ev.count("scan.decoy"));
  EXPECT_EQ(ev.at("scan.decoy"), 3000u + 6u - 64u);
}

// A sweep of 1,000 hosts fills a table of 200 pairs with one-port pairs; the decoy scan
// after it still gets its pairs (they replace sweep pairs) and is found.
TEST(ScanDecoy, ADecoyScanAfterASweepFilledTheTableIsStillFound) {
  EngineOptions opt;
  opt.overrides["scan.decoy.max_pairs"] = "200";
  Scenario s(opt);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    const std::string dst = IpAddress::v4(0x0A140000u + i).to_string();  // 10.20.0.0 and up
    s.add(Ev().at(100.0 + i * 0.01).from("203.0.113.99", 40000).to(dst.c_str(), 445).tcp(decode::tcpflag::kSyn).ttl(50));
  }
  decoy_scan(s, {});
  const auto* f = find(s.finish(), "scan.decoy");
  ASSERT_NE(f, nullptr) << "the decoy scan after the sweep was not tracked";
  EXPECT_EQ(attr_str(*f, "real_scanner"), kReal);
  EXPECT_GE(s.engine().context().evictions().at("scan.decoy"), 800u);
}

}  // namespace
}  // namespace netseen::detect
