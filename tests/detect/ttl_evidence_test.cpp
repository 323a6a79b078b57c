// Packet zen as evidence: TTL inconsistency per host (several initial-TTL buckets, a hop
// distance that jumps) is computed from HostFacts and added to scan.* and addr.* findings;
// NetBIOS names learned from registrations keep their group/unique flag. Also the
// scan.ip_protocol scenario with its benign twin.
#include <gtest/gtest.h>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

// The engine's facts about a host; a failure (and empty facts) when it has none.
const HostFacts& facts_of(const Engine& engine, const IpAddress& a) {
  static const HostFacts kNone{};
  const auto it = engine.hosts().find(a);
  if (it == engine.hosts().end()) {
    ADD_FAILURE() << "no facts for " << a.to_string();
    return kNone;
  }
  return it->second;
}

using namespace testutil;
using decode::tcpflag::kSyn;

// A SYN scan of 30 ports from `src` with the given TTL per probe.
template <typename TtlOf>
void syn_scan(Scenario& s, const char* src, TtlOf ttl_of) {
  for (int i = 0; i < 30; ++i) {
    s.add(Ev().at(10 + i * 0.1).from(src, 40000).to("192.168.1.10", static_cast<std::uint16_t>(1000 + i)).tcp(kSyn).ttl(
        ttl_of(i)));
  }
}

TEST(TtlEvidence, RandomisedTtlsMarkTheScanAndTheHost) {
  Scenario s;
  syn_scan(s, "203.0.113.9", [](int i) { return static_cast<std::uint8_t>(37 + (i * 7) % 23); });
  const auto& fs = s.finish();
  const auto* f = find(fs, "scan.vertical", "203.0.113.9");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "ttl_inconsistent"), "true");
  EXPECT_NE(attr_str(*f, "ttl_evidence").find("hop distance"), std::string::npos) << attr_str(*f, "ttl_evidence");
  EXPECT_NE(f->explanation.find("TTLs of 203.0.113.9's packets disagree"), std::string::npos);
  const auto c = ttl_consistency(facts_of(s.engine(), ip("203.0.113.9")));
  EXPECT_TRUE(c.inconsistent);
  EXPECT_TRUE(c.hop_jump);
  EXPECT_FALSE(c.several_initials);
  EXPECT_EQ(c.hops_min, 64 - 59);
  EXPECT_GE(c.hops_max, 64 - 38);
}

TEST(TtlEvidence, TwoInitialTtlsFromOneAddress) {
  Scenario s;
  // Half the probes look like a Windows stack 12 hops away, half like a UNIX one.
  syn_scan(s, "198.51.100.3", [](int i) { return static_cast<std::uint8_t>(i % 2 == 0 ? 116 : 52); });
  const auto& fs = s.finish();
  const auto* f = find(fs, "scan.vertical", "198.51.100.3");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "ttl_evidence"), "initial TTLs 64 and 128");
  const auto c = ttl_consistency(facts_of(s.engine(), ip("198.51.100.3")));
  EXPECT_EQ(c.initials, (std::vector<int>{64, 128}));
  EXPECT_FALSE(c.hop_jump);
}

// Benign twin: a route change of one hop, and a single stray packet in another bucket,
// are not inconsistency.
TEST(TtlEvidence, SteadyTtlAndOneHopRouteChangeAreConsistent) {
  Scenario s;
  syn_scan(s, "198.51.100.4", [](int i) { return static_cast<std::uint8_t>(i < 15 ? 50 : 49); });
  s.add(Ev().at(20).from("198.51.100.4", 40000).to("192.168.1.10", 80).tcp(kSyn).ttl(240));
  const auto& fs = s.finish();
  const auto* f = find(fs, "scan.vertical", "198.51.100.4");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr(*f, "ttl_inconsistent"), nullptr);
  EXPECT_EQ(f->explanation.find("disagree"), std::string::npos);
  EXPECT_FALSE(ttl_consistency(facts_of(s.engine(), ip("198.51.100.4"))).inconsistent);
}

TEST(TtlEvidence, ImpossibleSourceWithJumpingTtlsCarriesTheEvidence) {
  Scenario s;
  for (int i = 0; i < 6; ++i) {
    s.add(Ev().at(i).from("127.0.0.1", 4000).to("192.168.1.10", static_cast<std::uint16_t>(22 + i)).tcp(kSyn).ttl(
        static_cast<std::uint8_t>(i % 2 == 0 ? 60 : 40)).iface("eth0"));
  }
  const auto* f = find(s.finish(), "addr.loopback_on_wire", "127.0.0.1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_str(*f, "ttl_inconsistent"), "true");
}

TEST(NetbiosNames, RegistrationKeepsTheGroupFlag) {
  Scenario s;
  auto reg = [&](double t, const char* name, std::uint8_t suffix, bool group) {
    Ev b;
    b.at(t).from("192.168.1.30", 137).to("192.168.1.255", 137).udp(68);
    auto& e = b.event();
    auto& n = e.nbns.emplace();
    n.opcode = 5;
    n.nm_flags = 0x11;
    decode::NbName nm;
    nm.raw.fill(' ');
    for (std::size_t i = 0; name[i] != 0 && i < 15; ++i) nm.raw[i] = static_cast<std::uint8_t>(name[i]);
    nm.raw[15] = suffix;
    nm.flags = group ? 0xE000 : 0x6000;
    nm.has_flags = true;
    n.question = nm;
    e.app = decode::App::Nbns;
    s.add(b);
  };
  reg(1, "PC30", 0x00, false);
  reg(2, "OFFICE", 0x00, true);
  reg(3, "OFFICE", 0x1E, true);
  s.finish();
  const auto* names = s.engine().context().names_of(ip("192.168.1.30"));
  ASSERT_NE(names, nullptr);
  ASSERT_EQ(names->size(), 3u);
  EXPECT_EQ((*names)[0].name, "PC30<00>");
  EXPECT_FALSE((*names)[0].group);
  EXPECT_EQ((*names)[1].name, "OFFICE<00>");
  EXPECT_TRUE((*names)[1].group);
  EXPECT_TRUE((*names)[2].group);
}

TEST(ScanIpProtocol, ManyProtocolNumbersToOneHost) {
  Scenario s;
  for (int p = 0; p < 40; ++p) {
    s.add(Ev().at(1 + p * 0.05).from("198.51.100.77").to("192.168.1.10").proto(static_cast<std::uint8_t>(p)).ttl(48));
  }
  const auto& fs = s.finish();
  const auto* f = find(fs, "scan.ip_protocol", "198.51.100.77");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_int(*f, "protocols"), 40);
  EXPECT_EQ(f->verdict, Verdict::Suspicious);
}

// A pair is followed from its first packet of an unusual protocol: the hour of web traffic
// before the scan is not part of the finding, the TCP, UDP and ICMP probes during it are.
TEST(ScanIpProtocol, TrafficBeforeTheScanIsNotPartOfIt) {
  Scenario s;
  for (int i = 0; i < 30; ++i) {
    s.add(Ev().at(1 + i * 100).from("198.51.100.77", 40000).to("192.168.1.10", 80).tcp(0x18, 200).ttl(48));
  }
  const double start = 4000;
  for (int p = 2; p < 40; ++p) {  // 2..39, then the common ones
    s.add(Ev().at(start + p * 0.05).from("198.51.100.77").to("192.168.1.10").proto(static_cast<std::uint8_t>(p)).ttl(48));
  }
  s.add(Ev().at(start + 3).from("198.51.100.77").to("192.168.1.10").icmp(8, 0).ttl(48));
  s.add(Ev().at(start + 3.1).from("198.51.100.77", 40001).to("192.168.1.10", 81).udp(0).ttl(48));
  const auto& fs = s.finish();
  const auto* f = find(fs, "scan.ip_protocol", "198.51.100.77");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_int(*f, "protocols"), 38 + 1);  // 2..39 (6 and 17 among them) and ICMP
  EXPECT_EQ(f->events, 38u + 2u);                  // the web session's 30 segments are not counted
  EXPECT_EQ(f->first_seen.us, static_cast<std::int64_t>((start + 2 * 0.05) * 1e6));
}

// Benign twin: a VPN gateway talking to its peer uses a handful of protocols (IKE over
// UDP, ESP, GRE, ICMP, TCP), far below the threshold.
TEST(ScanIpProtocol, VpnPeerWithAFewProtocolsIsNot) {
  Scenario s;
  double t = 1;
  for (int round = 0; round < 50; ++round) {
    s.add(Ev().at(t).from("198.51.100.5", 500).to("192.168.1.1", 500).udp(300));
    s.add(Ev().at(t + 0.1).from("198.51.100.5").to("192.168.1.1").proto(50));
    s.add(Ev().at(t + 0.2).from("198.51.100.5").to("192.168.1.1").proto(47));
    s.add(Ev().at(t + 0.3).from("198.51.100.5").to("192.168.1.1").icmp(8, 0));
    s.add(Ev().at(t + 0.4).from("198.51.100.5", 443).to("192.168.1.1", 50000).tcp(0x10, 100));
    t += 10;
  }
  EXPECT_EQ(count_id(s.finish(), "scan.ip_protocol"), 0u);
}

}  // namespace
}  // namespace netseen::detect
