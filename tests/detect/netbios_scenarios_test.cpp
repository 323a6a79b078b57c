// Scenario tests for the NetBIOS detectors: each pattern of issue 7 with its benign twin
// that must not fire. Events are built directly, as the decoders and log parsers fill them.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "detect/dns_tracker.hpp"
#include "detect/engine.hpp"
#include "detect/netbios_events.hpp"

namespace netseen::detect {
namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

constexpr std::int64_t kT0 = 1095152400LL * 1000000;  // 2004-09-14T09:00:00Z

class Scenario {
 public:
  explicit Scenario(std::map<std::string, std::string> overrides = {}) {
    EngineOptions o;
    o.overrides = std::move(overrides);
    auto e = Engine::create(o);
    EXPECT_TRUE(e.has_value()) << (e ? "" : e.error().message());
    engine_ = std::move(*e);
  }

  decode::Event base(double t, const char* src, const char* dst) {
    decode::Event e;
    e.origin = {.number = ++frame_};
    e.ts = Timestamp{kT0 + static_cast<std::int64_t>(t * 1e6)};
    e.ip_version = 4;
    e.src = ip(src);
    e.dst = ip(dst);
    e.has_ttl = true;
    e.ttl = 128;
    return e;
  }

  void nbstat(double t, const char* src, const char* dst, std::uint16_t txid, std::uint16_t sport = 137) {
    auto e = base(t, src, dst);
    e.transport = decode::Transport::Udp;
    e.protocol = 17;
    e.sport = sport;
    e.dport = 137;
    e.app = decode::App::Nbns;
    decode::Nbns n;
    n.id = txid;
    n.qdcount = 1;
    n.question = decode::NbName{};
    n.question->raw[0] = '*';
    n.qtype = 0x21;
    e.nbns = n;
    engine_->on_event(e);
  }

  void ptr(double t, const char* client, const char* target, int outcome /*0 ok, 3 nxdomain, -1 none*/) {
    const auto a = ip(target).bytes();
    const std::string qname = std::to_string(a[15]) + "." + std::to_string(a[14]) + "." + std::to_string(a[13]) +
                              "." + std::to_string(a[12]) + ".in-addr.arpa";
    auto q = base(t, client, "192.168.1.1");
    q.transport = decode::Transport::Udp;
    q.sport = 3000;
    q.dport = 53;
    q.dns = decode::Dns{};
    q.dns->id = 77;
    q.dns->qtype = 12;
    q.dns->qname = qname;
    engine_->on_event(q);
    if (outcome < 0) return;
    auto r = base(t + 0.03, "192.168.1.1", client);
    r.transport = decode::Transport::Udp;
    r.sport = 53;
    r.dport = 3000;
    r.dns = q.dns;
    r.dns->response = true;
    r.dns->rcode = static_cast<std::uint8_t>(outcome);
    if (outcome == 0) r.dns->ptr_targets.push_back("host.example.net");
    engine_->on_event(r);
  }

  // A firewall log's line for a 137->137 datagram: no payload, so no NBNS decoded.
  void logged_137(double t, const char* src, const char* dst) {
    auto e = base(t, src, dst);
    e.origin.is_line = true;
    e.transport = decode::Transport::Udp;
    e.protocol = 17;
    e.sport = 137;
    e.dport = 137;
    engine_->on_event(e);
  }

  void tcp_syn(double t, const char* src, const char* dst, std::uint16_t dport) {
    auto e = base(t, src, dst);
    e.transport = decode::Transport::Tcp;
    e.protocol = 6;
    e.sport = 4000;
    e.dport = dport;
    e.tcp_flags = decode::tcpflag::kSyn;
    engine_->on_event(e);
  }

  void nb_answer(double t, const char* responder, const char* client, std::uint16_t txid, const std::string& name,
                 const char* address) {
    auto e = base(t, responder, client);
    e.transport = decode::Transport::Udp;
    e.sport = 137;
    e.dport = 137;
    decode::Nbns n;
    n.id = txid;
    n.response = true;
    n.ancount = 1;
    n.question = decode::NbName{};
    std::fill(n.question->raw.begin(), n.question->raw.end(), ' ');
    std::copy(name.begin(), name.end(), n.question->raw.begin());
    n.question->raw[15] = 0x20;
    n.qtype = 0x20;
    n.nb_addresses.push_back(ip(address));
    e.nbns = n;
    engine_->on_event(e);
  }

  const std::vector<Finding>& finish() {
    engine_->finish();
    return engine_->findings();
  }

  std::unique_ptr<Engine> engine_;
  std::uint64_t frame_ = 0;
};

const Finding* find(const std::vector<Finding>& fs, const std::string& id, const char* source) {
  for (const auto& f : fs) {
    if (f.id == id && f.source == ip(source)) return &f;
  }
  return nullptr;
}

std::size_t count_id(const std::vector<Finding>& fs, const std::string& id) {
  return static_cast<std::size_t>(std::count_if(fs.begin(), fs.end(), [&](const Finding& f) { return f.id == id; }));
}

template <class T>
T attr(const Finding& f, const std::string& key) {
  for (const auto& [k, v] : f.attributes) {
    if (k == key) return std::get<T>(v);
  }
  ADD_FAILURE() << "no attribute " << key;
  return T{};
}

// --- nbstat.reverse_lookup -------------------------------------------------------------

TEST(ReverseLookup, FailedPtrThenThreeTriesIsBenignFallback) {
  Scenario s;
  s.ptr(0, "192.168.1.20", "81.2.69.142", 3);
  for (int i = 0; i < 3; ++i) s.nbstat(0.05 + 1.5 * i, "192.168.1.20", "81.2.69.142", static_cast<std::uint16_t>(0x8000 + i));
  s.ptr(10, "192.168.1.20", "213.180.141.140", -1);  // no answer: fallback after about 14 s
  for (int i = 0; i < 3; ++i) s.nbstat(24 + 1.5 * i, "192.168.1.20", "213.180.141.140", static_cast<std::uint16_t>(0x9000 + i));
  const auto& fs = s.finish();
  const auto* f = find(fs, "nbstat.reverse_lookup", "192.168.1.20");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Benign);
  EXPECT_EQ(f->severity, Severity::Info);
  EXPECT_EQ(f->target_count, 2U);
  EXPECT_EQ(attr<std::int64_t>(*f, "ptr_failed"), 1);
  EXPECT_EQ(attr<std::int64_t>(*f, "ptr_timed_out"), 1);
  EXPECT_TRUE(attr<bool>(*f, "retry_timing_matches"));
  EXPECT_GE(f->confidence, 0.9);
  EXPECT_EQ(count_id(fs, "nbstat.sweep"), 0U);
  // The outbound leak is still reported, but as the fallback's side effect.
  const auto* out = find(fs, "netbios.outbound_internet", "192.168.1.20");
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->severity, Severity::Low);
}

// From a log: three tries 1.5 s apart to each of four addresses. Each address keeps its own
// tries (the first is kept apart from the rest in the detector's entry): a mix-up would
// count 12 tries for one address, beyond the fallback's three, and report nothing.
TEST(ReverseLookup, LoggedTriesToSeveralAddressesAreCountedPerAddress) {
  Scenario s;
  const std::vector<std::string> targets = {"81.2.69.142", "213.180.141.140", "62.1.7.9", "62.1.2.9"};
  for (std::size_t k = 0; k < targets.size(); ++k) {
    for (int i = 0; i < 3; ++i) s.logged_137(30.0 * static_cast<double>(k) + 1.5 * i, "192.168.1.20", targets[k].c_str());
  }
  const auto& fs = s.finish();
  const auto* f = find(fs, "nbstat.reverse_lookup", "192.168.1.20");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->target_count, 4U);
  EXPECT_EQ(f->events, 12U);
  EXPECT_TRUE(attr<bool>(*f, "retry_timing_matches"));
  std::vector<IpAddress> want;
  for (const auto& t : targets) want.push_back(ip(t.c_str()));
  std::sort(want.begin(), want.end());
  EXPECT_EQ(f->target_sample, want);
}

TEST(ReverseLookup, BenignTwinAnsweredPtrDoesNotFire) {
  Scenario s;
  s.ptr(0, "192.168.1.20", "93.184.216.34", 0);  // the name resolved: Windows does not ask NetBIOS
  s.ptr(3, "192.168.1.20", "151.101.1.69", 0);
  const auto& fs = s.finish();
  EXPECT_EQ(count_id(fs, "nbstat.reverse_lookup"), 0U);
  EXPECT_TRUE(fs.empty());
}

// --- nbstat.sweep ----------------------------------------------------------------------

TEST(Sweep, ManyPublicTargetsWithTxidStepTwoIsMalicious) {
  Scenario s;
  std::uint16_t txid = 0x4E20;
  for (int i = 0; i < 60; ++i) {
    const std::string dst = "62.1." + std::to_string(i) + ".9";
    s.nbstat(i * 0.5, "192.168.1.66", dst.c_str(), txid);
    txid = static_cast<std::uint16_t>(txid + 2);
  }
  const auto& fs = s.finish();
  const auto* f = find(fs, "nbstat.sweep", "192.168.1.66");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Malicious);
  EXPECT_EQ(f->severity, Severity::High);
  EXPECT_EQ(f->target_count, 60U);
  EXPECT_EQ(attr<std::string>(*f, "txid_pattern"), "step+2");
  EXPECT_EQ(attr<std::int64_t>(*f, "source_port"), 137);
  EXPECT_EQ(f->regions.at("RIPE NCC"), 60U);  // 62/8 is RIPE NCC's
  EXPECT_EQ(f->target_sample.size(), Finding::kMaxTargetSample);
  EXPECT_LE(f->evidence.size(), Finding::kMaxEvidence);
  EXPECT_EQ(count_id(fs, "nbstat.reverse_lookup"), 0U);
}

TEST(Sweep, BenignTwinEveryTargetAfterFailedPtrIsReverseLookup) {
  Scenario s;
  for (int i = 0; i < 30; ++i) {
    const std::string dst = "62.1." + std::to_string(i) + ".9";
    s.ptr(i * 10.0, "192.168.1.20", dst.c_str(), 3);
    for (int k = 0; k < 3; ++k) s.nbstat(i * 10.0 + 0.05 + 1.5 * k, "192.168.1.20", dst.c_str(), static_cast<std::uint16_t>(i * 3 + k));
  }
  const auto& fs = s.finish();
  EXPECT_EQ(count_id(fs, "nbstat.sweep"), 0U);
  ASSERT_NE(find(fs, "nbstat.reverse_lookup", "192.168.1.20"), nullptr);
}

TEST(Sweep, ThresholdIsOverridable) {
  Scenario s(std::map<std::string, std::string>{{"nbstat.sweep.min_targets", "200"}});
  for (int i = 0; i < 60; ++i) {
    const std::string dst = "62.1." + std::to_string(i) + ".9";
    s.nbstat(i * 0.5, "192.168.1.66", dst.c_str(), static_cast<std::uint16_t>(i * 2));
  }
  EXPECT_EQ(count_id(s.finish(), "nbstat.sweep"), 0U);
}

TEST(Engine, UnknownSettingAndBadValueAreRejected) {
  EngineOptions o;
  o.overrides["nbstat.sweep.no_such_key"] = "1";
  auto e = Engine::create(o);
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().detail.find("nbstat.sweep.no_such_key"), std::string::npos);
  EngineOptions o2;
  o2.overrides["nbstat.sweep.min_targets"] = "many";
  EXPECT_FALSE(Engine::create(o2).has_value());
}

// --- nbstat.nmap -----------------------------------------------------------------------

TEST(Nmap, Txid0x1337IsNmap) {
  Scenario s;
  for (int i = 0; i < 3; ++i) {
    const std::string dst = "192.168.1." + std::to_string(10 + i);
    s.nbstat(i * 0.2, "192.168.1.77", dst.c_str(), 0x1337, static_cast<std::uint16_t>(40000 + i));
  }
  const auto& fs = s.finish();
  const auto* f = find(fs, "nbstat.nmap", "192.168.1.77");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Suspicious);
  EXPECT_EQ(f->target_count, 3U);
  EXPECT_EQ(attr<std::string>(*f, "txid"), "0x1337");
  // From a dynamic port, but nmap's own finding covers it.
  EXPECT_EQ(count_id(fs, "nbstat.dynamic_port"), 0U);
}

TEST(Nmap, BenignTwinSingleAdminNbtstat) {
  Scenario s;
  s.nbstat(0, "192.168.1.5", "192.168.1.10", 0x2A31);  // one nbtstat -A by an admin
  const auto& fs = s.finish();
  EXPECT_EQ(count_id(fs, "nbstat.nmap"), 0U);
  EXPECT_EQ(count_id(fs, "nbstat.sweep"), 0U);
  EXPECT_EQ(count_id(fs, "nbstat.local_inventory"), 0U);
}

// --- nbstat.dynamic_port ---------------------------------------------------------------

TEST(DynamicPort, PersonalFirewallBackoffIsNamed) {
  Scenario s;
  s.nbstat(0, "192.168.1.40", "198.51.100.20", 100, 2301);
  s.nbstat(15, "192.168.1.40", "198.51.100.20", 101, 2301);
  s.nbstat(45, "192.168.1.40", "198.51.100.20", 102, 2301);
  s.nbstat(105, "192.168.1.40", "198.51.100.20", 103, 2301);
  const auto& fs = s.finish();
  const auto* f = find(fs, "nbstat.dynamic_port", "192.168.1.40");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Benign);
  EXPECT_TRUE(attr<bool>(*f, "backoff_15_30_60"));
}

TEST(DynamicPort, BenignTwinWindowsResolverFromPort137) {
  Scenario s;
  s.nbstat(0, "192.168.1.40", "198.51.100.20", 100, 137);
  EXPECT_EQ(count_id(s.finish(), "nbstat.dynamic_port"), 0U);
}

// --- nbstat.local_inventory ------------------------------------------------------------

TEST(LocalInventory, DomainControllerPollingItsSubnet) {
  Scenario s;
  for (int i = 0; i < 12; ++i) {
    const std::string dst = "10.1.2." + std::to_string(20 + i);
    s.nbstat(i * 2.0, "10.1.2.2", dst.c_str(), static_cast<std::uint16_t>(7000 + i * 13));
  }
  const auto& fs = s.finish();
  const auto* f = find(fs, "nbstat.local_inventory", "10.1.2.2");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Benign);
  EXPECT_EQ(f->target_count, 12U);
  EXPECT_EQ(count_id(fs, "nbstat.sweep"), 0U);
  EXPECT_EQ(count_id(fs, "netbios.outbound_internet"), 0U);
}

// --- nbns.spoofed_response -------------------------------------------------------------

TEST(SpoofedResponse, PoisonerAnsweringForManyNames) {
  Scenario s;
  const char* names[] = {"FILESRV", "WPAD", "INTRANET", "PRINTER2"};
  std::uint16_t txid = 500;
  int owner = 50;
  for (const char* n : names) {
    // Each name's real owner answers with its address, the poisoner with its own.
    const std::string real = "192.168.1." + std::to_string(owner++);
    s.nb_answer(txid * 0.01, real.c_str(), "192.168.1.20", txid, n, real.c_str());
    s.nb_answer(txid * 0.01 + 0.001, "192.168.1.99", "192.168.1.20", txid, n, "192.168.1.99");
    ++txid;
  }
  const auto& fs = s.finish();
  const auto* f = find(fs, "nbns.spoofed_response", "192.168.1.99");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::High);
  EXPECT_GE(f->confidence, 0.9);
  // Each owner conflicts over its one name, the poisoner over all four: only the host
  // answering for everything is reported.
  EXPECT_EQ(count_id(fs, "nbns.spoofed_response"), 1U);
}

TEST(SpoofedResponse, BenignTwinOneOwnerAnswersTwice) {
  Scenario s;
  s.nb_answer(0, "192.168.1.50", "192.168.1.20", 9, "FILESRV", "192.168.1.50");
  s.nb_answer(0.5, "192.168.1.50", "192.168.1.20", 9, "FILESRV", "192.168.1.50");  // a retransmission
  s.nb_answer(1.0, "192.168.1.51", "192.168.1.20", 10, "OTHER", "192.168.1.51");
  EXPECT_EQ(count_id(s.finish(), "nbns.spoofed_response"), 0U);
}

// --- netbios.outbound_internet and spread.internal -------------------------------------

TEST(Outbound, SmbToInternetIsReportedInsideToInsideIsNot) {
  Scenario s;
  s.tcp_syn(0, "192.168.10.20", "1.11.5.6", 445);
  s.tcp_syn(1, "192.168.10.20", "192.168.10.1", 445);  // twin: a local file server
  s.tcp_syn(2, "192.168.10.21", "192.168.10.1", 139);
  const auto& fs = s.finish();
  const auto* f = find(fs, "netbios.outbound_internet", "192.168.10.20");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->target_count, 1U);
  EXPECT_EQ(attr<std::vector<std::string>>(*f, "ports"), std::vector<std::string>{"445/tcp"});
  EXPECT_EQ(find(fs, "netbios.outbound_internet", "192.168.10.21"), nullptr);
}

TEST(Spread, GrowingNumberOfInsideHostsOverDays) {
  Scenario s;
  const int per_day[] = {2, 4, 7};
  for (int d = 0; d < 3; ++d) {
    for (int h = 0; h < per_day[d]; ++h) {
      const std::string src = "192.168.10." + std::to_string(20 + h);
      s.tcp_syn(d * 86400.0 + h * 60, src.c_str(), "1.11.7.8", 139);
    }
  }
  const auto& fs = s.finish();
  const auto* f = find(fs, "spread.internal", "192.168.10.20");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->target_count, 7U);
  EXPECT_EQ(attr<std::vector<std::string>>(*f, "hosts_per_bucket"), (std::vector<std::string>{"0:2", "1:4", "2:7"}));
}

TEST(Spread, BenignTwinSameHostsEveryDay) {
  Scenario s;
  for (int d = 0; d < 3; ++d) {
    for (int h = 0; h < 5; ++h) {
      const std::string src = "192.168.10." + std::to_string(20 + h);
      s.tcp_syn(d * 86400.0 + h * 60, src.c_str(), "1.11.7.8", 139);
    }
  }
  EXPECT_EQ(count_id(s.finish(), "spread.internal"), 0U);
}

// --- helpers ---------------------------------------------------------------------------

TEST(TxidPattern, Classifies) {
  std::vector<Timestamp> none;
  EXPECT_EQ(classify_txids({5, 5, 5, 5}, none), "constant");
  EXPECT_EQ(classify_txids({1, 2, 3, 4, 5}, none), "step+1");
  EXPECT_EQ(classify_txids({0xFFFC, 0xFFFE, 0, 2, 4}, none), "step+2");  // wraps
  EXPECT_EQ(classify_txids({9, 7, 5, 3}, none), "step-2");
  EXPECT_EQ(classify_txids({1, 2}, none), "unknown");
  EXPECT_EQ(classify_txids({0x1A2B, 0x9F01, 0x0303, 0xC0DE, 0x5555, 0x7777}, none), "random");
  // An id read from a millisecond clock: grows with elapsed time, steps uneven.
  std::vector<std::uint16_t> ids;
  std::vector<Timestamp> ts;
  std::int64_t t = 0;
  for (int i = 0; i < 10; ++i) {
    t += 1000 * (100 + 37 * (i % 4));  // 100..211 ms apart
    ts.push_back(Timestamp{t});
    ids.push_back(static_cast<std::uint16_t>(t / 1000));
  }
  EXPECT_EQ(classify_txids(ids, ts), "time-derived");
}

TEST(DnsTracker, PtrNames) {
  EXPECT_EQ(DnsTracker::address_from_ptr_name("142.69.2.81.in-addr.arpa."), ip("81.2.69.142"));
  EXPECT_EQ(DnsTracker::address_from_ptr_name("142.69.2.81.IN-ADDR.ARPA"), ip("81.2.69.142"));
  EXPECT_FALSE(DnsTracker::address_from_ptr_name("69.2.81.in-addr.arpa"));   // a delegation, not a host
  EXPECT_FALSE(DnsTracker::address_from_ptr_name("300.69.2.81.in-addr.arpa"));
  EXPECT_FALSE(DnsTracker::address_from_ptr_name("www.example.com"));
  EXPECT_EQ(DnsTracker::address_from_ptr_name(
                "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"),
            ip("2001:db8::1"));
}

// Repeats of the last target are answered without the set; past the cap an address that
// could not be stored still counts as new each time (an upper bound), never as "the last".
TEST(TargetSet, RepeatsAndTheCap) {
  const Context ctx{default_home_nets()};
  const Timestamp t{kT0};
  TargetSet s(2);
  EXPECT_TRUE(s.add(ip("62.1.0.1"), t, ctx));
  EXPECT_FALSE(s.add(ip("62.1.0.1"), t, ctx));
  EXPECT_TRUE(s.add(ip("62.1.0.2"), t, ctx));
  EXPECT_FALSE(s.add(ip("62.1.0.1"), t, ctx));
  EXPECT_FALSE(s.add(ip("62.1.0.1"), t, ctx));
  EXPECT_FALSE(s.add(ip("62.1.0.2"), t, ctx));
  EXPECT_EQ(s.count(), 2u);
  EXPECT_FALSE(s.saturated());
  EXPECT_TRUE(s.add(ip("62.1.0.3"), t, ctx));  // the set is full
  EXPECT_TRUE(s.add(ip("62.1.0.3"), t, ctx));  // not stored, so new again
  EXPECT_TRUE(s.saturated());
  EXPECT_EQ(s.count(), 4u);
  EXPECT_EQ(s.public_count(), 4u);
  EXPECT_EQ(s.sample(10), (std::vector<IpAddress>{ip("62.1.0.1"), ip("62.1.0.2")}));
}

TEST(EvidenceSampler, KeepsFirstAndLatestBounded) {
  EvidenceSampler s;
  for (std::uint64_t i = 1; i <= 1000; ++i) s.add({.number = i});
  const auto v = s.sample();
  ASSERT_EQ(v.size(), Finding::kMaxEvidence);
  EXPECT_EQ(v.front().number, 1U);
  EXPECT_EQ(v[4].number, 5U);
  EXPECT_EQ(v[5].number, 996U);
  EXPECT_EQ(v.back().number, 1000U);
  EXPECT_EQ(s.seen(), 1000U);
}

// For every count of events: the first five, then the latest up to five, oldest first, with
// input and kind kept.
TEST(EvidenceSampler, SampleIsFirstThenLatestInOrderForEveryCount) {
  for (std::uint64_t n = 0; n <= 27; ++n) {
    EvidenceSampler s;
    for (std::uint64_t i = 1; i <= n; ++i) {
      s.add({.number = i * 10, .input = static_cast<std::uint32_t>(i % 3), .is_line = i % 2 == 0});
    }
    std::vector<std::uint64_t> want;
    for (std::uint64_t i = 1; i <= std::min<std::uint64_t>(n, 5); ++i) want.push_back(i * 10);
    for (std::uint64_t i = std::max<std::uint64_t>(6, n >= 5 ? n - 4 : 6); i <= n; ++i) want.push_back(i * 10);
    const auto v = s.sample();
    std::vector<std::uint64_t> got;
    for (const auto& o : v) {
      got.push_back(o.number);
      EXPECT_EQ(o.input, (o.number / 10) % 3);
      EXPECT_EQ(o.is_line, (o.number / 10) % 2 == 0);
    }
    EXPECT_EQ(got, want) << "after " << n << " events";
  }
}

// Origins are packed into 8 bytes: the extremes of each part survive the round trip, a
// number past 2^47 - 1 is kept as that, and the sampler stays small (it is created per pair).
TEST(EvidenceSampler, PacksOriginsWholeAtTheLimitsOfEachPart) {
  const std::vector<decode::Origin> in = {
      {.number = 1, .input = 0, .is_line = false},
      {.number = EvidenceSampler::kMaxNumber, .input = limits::kMaxInputs - 1, .is_line = true},
      {.number = 123'456'789'012, .input = 40'000, .is_line = false},
      {.number = 0, .input = limits::kMaxInputs - 1, .is_line = false},
      {.number = EvidenceSampler::kMaxNumber, .input = 0, .is_line = false},
  };
  EvidenceSampler s;
  for (const auto& o : in) s.add(o);
  const auto out = s.sample();
  ASSERT_EQ(out.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].number, in[i].number) << i;
    EXPECT_EQ(out[i].input, in[i].input) << i;
    EXPECT_EQ(out[i].is_line, in[i].is_line) << i;
  }
  const auto big = EvidenceSampler::unpack(EvidenceSampler::pack({.number = ~std::uint64_t{0}, .input = 7, .is_line = true}));
  EXPECT_EQ(big.number, EvidenceSampler::kMaxNumber);
  EXPECT_EQ(big.input, 7U);
  EXPECT_TRUE(big.is_line);
  EXPECT_LE(sizeof(EvidenceSampler), 8 + 8 * Finding::kMaxEvidence);
}

TEST(Engine, HostFactsFromTtlAndNames) {
  Scenario s;
  s.nbstat(0, "192.168.1.66", "62.1.1.1", 1);
  s.finish();
  const auto& hosts = s.engine_->hosts();
  const auto it = hosts.find(ip("192.168.1.66"));
  ASSERT_NE(it, hosts.end());
  const auto& h = it->second;
  const auto g = guess_ttl(h);
  EXPECT_EQ(g.initial, 128);
  EXPECT_EQ(g.hops, 0);
}

}  // namespace
}  // namespace netseen::detect
