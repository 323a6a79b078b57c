// The scanner against our own responder on 127.0.0.x with an unprivileged port: every outcome,
// every fault mode, replies from another address. Loopback only.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "netbios/net_responder.hpp"
#include "netbios/net_scanner.hpp"

namespace netseen::netbios::net {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t lo(std::uint8_t d) { return 0x7F000000U | (std::uint32_t{0x5A} << 8) | d; }  // 127.0.90.d

ResponderConfig test_config(Endpoint bind, Fault fault = Fault::None) {
  ResponderConfig c;
  c.names.push_back({*NetbiosName::make("TESTHOST", 0x00), false});
  c.names.push_back({*NetbiosName::make("TESTHOST", 0x20), false});
  c.names.push_back({*NetbiosName::make("WORKGROUP", 0x00), true});
  c.names.push_back({*NetbiosName::make("JDOE", 0x03), false});
  c.mac = *MacAddress::parse("00:0c:29:aa:bb:cc");
  c.bind = bind;
  c.fault = fault;
  c.fault_delay = 250ms;
  c.per_source_rate = 0;
  c.global_rate = 0;
  return c;
}

// Runs a responder in a thread until the scan is over.
struct Peer {
  Responder responder;
  std::atomic<bool> stop{false};
  std::vector<QueryLog> logs;
  std::thread thread;
  explicit Peer(Responder r) : responder(std::move(r)) {
    thread = std::thread([this] {
      static_cast<void>(responder.run(20s, [this] { return stop.load(); },
                                      [this](const QueryLog& l) { logs.push_back(l); }));
    });
  }
  ~Peer() {
    stop = true;
    thread.join();
  }
};

ScanOptions fast(std::uint16_t port, int retries = 1, std::chrono::milliseconds timeout = 150ms) {
  ScanOptions o;
  o.port = port;
  o.timeout = timeout;
  o.retries = retries;
  o.rate = 0;
  return o;
}

TEST(NetScanner, AnsweredUnreachableSilentAreThreeOutcomes) {
  auto r = Responder::open(test_config({lo(2), 0}));
  ASSERT_TRUE(r) << r.error().message();
  const std::uint16_t port = r->local().port;
  // A socket that never reads: the kernel neither answers nor sends ICMP -> silence.
  UdpOptions mute_opts;
  mute_opts.bind = {lo(4), port};
  auto mute = UdpSocket::open(mute_opts);
  ASSERT_TRUE(mute) << mute.error().message();
  ScanResult res;
  std::vector<QueryLog> logs;
  {
    Peer peer(std::move(*r));
    auto s = scan({lo(2), lo(3), lo(4)}, fast(port, 1));
    ASSERT_TRUE(s) << s.error().message();
    res = std::move(*s);
    peer.stop = true;
    peer.thread.join();
    logs = peer.logs;
    peer.thread = std::thread([] {});
  }
  ASSERT_EQ(res.hosts.size(), 3U);
  const auto& a = res.hosts[0];
  EXPECT_EQ(a.outcome, Outcome::Answered);
  EXPECT_EQ(a.replied_from, lo(2));
  EXPECT_EQ(a.sends, 1);
  ASSERT_EQ(a.status.names.size(), 4U);
  EXPECT_EQ(a.status.names[0].display(), "TESTHOST<00>");
  EXPECT_FALSE(a.status.names[0].group());
  EXPECT_TRUE(a.status.names[2].group());
  EXPECT_TRUE(a.status.names[2].active());
  ASSERT_TRUE(a.status.statistics);
  EXPECT_EQ(a.status.statistics->unit_id.to_string(), "00:0c:29:aa:bb:cc");
  EXPECT_EQ(res.hosts[1].outcome, Outcome::Unreachable);  // nothing bound: ICMP port unreachable
  EXPECT_EQ(res.hosts[1].icmp_type, 3);
  EXPECT_EQ(res.hosts[1].icmp_code, 3);
  EXPECT_EQ(res.hosts[2].outcome, Outcome::Silent);
  EXPECT_EQ(res.hosts[2].sends, 2);  // first send + 1 retry
  EXPECT_EQ(res.summary.asked, 3U);
  EXPECT_EQ(res.summary.answered, 1U);
  EXPECT_EQ(res.summary.unreachable, 1U);
  EXPECT_EQ(res.summary.silent, 1U);
  // The query on the wire: node status, unicast (B clear), the id the scanner recorded.
  ASSERT_EQ(logs.size(), 1U);
  EXPECT_EQ(logs[0].kind, "node_status_request");
  EXPECT_FALSE(logs[0].broadcast);
  EXPECT_EQ(logs[0].txid, a.txid);
  EXPECT_EQ(logs[0].name, "*<00>");
}

struct FaultCase {
  Fault fault;
  Outcome want;
};

class NetScannerFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(NetScannerFault, ClientReportsEachFaultAndNeverHangs) {
  const auto fc = GetParam();
  auto r = Responder::open(test_config({lo(10), 0}, fc.fault));
  ASSERT_TRUE(r) << r.error().message();
  const std::uint16_t port = r->local().port;
  Peer peer(std::move(*r));
  // Delay (250 ms) is longer than the timeout (150 ms): the retries keep the same id, so the late
  // answer to the first send still counts.
  const auto t0 = std::chrono::steady_clock::now();
  auto s = scan({lo(10)}, fast(port, 4, 150ms));  // answers up to 750 ms late still count
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_LT(took, 3s);
  const auto& h = s->hosts.at(0);
  EXPECT_EQ(h.outcome, fc.want) << to_string(fc.fault) << " -> " << to_string(h.outcome);
  switch (fc.fault) {
    case Fault::Drop:
      EXPECT_EQ(h.sends, 5);
      break;
    case Fault::Duplicate:
      EXPECT_EQ(h.sends, 1);
      // the second copy may arrive after the scan ended; when it is seen it is a duplicate
      EXPECT_LE(s->summary.duplicates, 1U);
      break;
    case Fault::Delay:
      EXPECT_GE(h.sends, 2);
      EXPECT_GE(h.rtt_ms, 200.0);
      break;
    case Fault::Truncate:
      EXPECT_GE(s->summary.malformed, 1U);
      EXPECT_EQ(h.sends, 5);
      break;
    case Fault::WrongTxid:
      EXPECT_GE(s->summary.txid_mismatch, 1U);
      EXPECT_GE(s->summary.stray, 1U);
      break;
    case Fault::Negative:
      EXPECT_EQ(h.rcode, 2);
      break;
    default:
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(Faults, NetScannerFault,
                         ::testing::Values(FaultCase{Fault::Drop, Outcome::Silent},
                                           FaultCase{Fault::Duplicate, Outcome::Answered},
                                           FaultCase{Fault::Delay, Outcome::Answered},
                                           FaultCase{Fault::Truncate, Outcome::Silent},
                                           FaultCase{Fault::WrongTxid, Outcome::Silent},
                                           FaultCase{Fault::Negative, Outcome::Refused}),
                         [](const auto& p) {
                           std::string n(to_string(p.param.fault));
                           for (auto& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

// A multi-homed host: the query goes to .20, the answer comes from .21 with the same id.
TEST(NetScanner, ReplyFromAnotherAddressIsAttributed) {
  UdpOptions in_opts;
  in_opts.bind = {lo(20), 0};
  auto in = UdpSocket::open(in_opts);
  ASSERT_TRUE(in);
  const std::uint16_t port = in->local().port;
  UdpOptions out_opts;
  out_opts.bind = {lo(21), 0};
  auto out = UdpSocket::open(out_opts);
  ASSERT_TRUE(out);
  std::atomic<bool> stop{false};
  std::thread t([&] {
    std::array<std::uint8_t, 1024> buf{};
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (!stop && std::chrono::steady_clock::now() < end) {
      if (!in->wait(20000)) continue;
      auto rx = in->receive(buf);
      if (!rx || rx->kind != RecvKind::Datagram) continue;
      auto q = parse_nbns(Bytes(buf.data(), rx->size));
      if (!q) continue;
      const std::array<NodeName, 1> names{NodeName{NetbiosName::make("MULTI", 0)->raw, kNameFlagAct}};
      auto resp = build::node_status_response(q->header.id, q->questions.at(0).name, names, NodeStatistics{});
      static_cast<void>(out->send_to(*resp, rx->from));
    }
  });
  auto s = scan({lo(20)}, fast(port, 1, 300ms));
  stop = true;
  t.join();
  ASSERT_TRUE(s) << s.error().message();
  const auto& h = s->hosts.at(0);
  EXPECT_EQ(h.outcome, Outcome::Answered);
  EXPECT_EQ(h.replied_from, lo(21));
  EXPECT_EQ(s->summary.foreign_attributed, 1U);
  ASSERT_EQ(h.status.names.size(), 1U);
  EXPECT_EQ(h.status.names[0].display(), "MULTI<00>");
}

TEST(NetScanner, RatePacesSends) {
  // 40 targets at 200 pps take at least ~0.19 s; every one is unreachable (nothing listens).
  std::vector<std::uint32_t> targets;
  for (std::uint8_t d = 100; d < 140; ++d) targets.push_back(lo(d));
  auto o = fast(9, 0, 200ms);  // port 9 (discard) on 127.0.90.x: nobody listens
  o.rate = 200;
  auto s = scan(targets, o);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_GE(s->summary.elapsed_s, 0.15);
  EXPECT_EQ(s->summary.packets_sent, 40U);
  EXPECT_EQ(s->summary.unreachable, 40U);
}

TEST(NetScanner, BatchedScanOfTwoThousandHostsAnswersEveryOne) {
  // One responder on 0.0.0.0 answers for every 127.x address (from the address asked). 2048
  // targets in batches, with a window of 256 recent queries: every target answered exactly once,
  // each with its own transaction id patched into the shared request bytes.
  auto r = Responder::open(test_config(Endpoint{0, 0}));
  ASSERT_TRUE(r) << r.error().message();
  const std::uint16_t port = r->local().port;
  Peer peer(std::move(*r));
  std::vector<std::uint32_t> targets;
  for (std::uint32_t i = 0; i < 2048; ++i) targets.push_back(0x7F4D0000U | i);  // 127.77.0.0/21
  auto o = fast(port, 2, 1000ms);
  o.max_in_flight = 256;
  auto s = scan(targets, o);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->summary.answered, 2048U);
  EXPECT_EQ(s->summary.stray, 0U);
  EXPECT_EQ(s->summary.txid_mismatch, 0U);
  std::size_t from_asked = 0;
  for (const auto& h : s->hosts) {
    if (h.outcome == Outcome::Answered && h.replied_from == h.address && h.status.names.size() == 4) ++from_asked;
  }
  EXPECT_EQ(from_asked, 2048U);
}

TEST(NetScanner, InFlightWindowHoldsSendingUntilQueriesAgeOut) {
  // 64 silent targets (a socket that never reads), a window of 16 and a 100 ms horizon: four
  // windows sent at 0, 100, 200 and 300 ms, each after the previous one aged out, the last one
  // silent at 500 ms. Without the window the scan would be over after the 200 ms timeout.
  UdpOptions mute_opts;
  mute_opts.bind = {0, 0};
  auto mute = UdpSocket::open(mute_opts);
  ASSERT_TRUE(mute) << mute.error().message();
  std::vector<std::uint32_t> targets;
  for (std::uint8_t d = 150; d < 214; ++d) targets.push_back(lo(d));
  auto o = fast(mute->local().port, 0, 200ms);
  o.max_in_flight = 16;
  o.in_flight_horizon = 100ms;
  auto s = scan(targets, o);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->summary.silent, 64U);
  EXPECT_EQ(s->summary.packets_sent, 64U);
  EXPECT_GE(s->summary.elapsed_s, 0.45);
}

TEST(NetResponder, RateLimitedPerSourceAndNegativeOnlyForUnicast) {
  auto cfg = test_config({lo(30), 0});
  cfg.per_source_rate = 1;  // burst 2
  auto r = Responder::open(cfg);
  ASSERT_TRUE(r);
  const auto star = *NetbiosName::make("*", 0);
  const auto req = *build::node_status_request(0x1234, star, false);
  int answered = 0;
  for (int i = 0; i < 10; ++i) {
    QueryLog log;
    answered += r->respond_to(req, {lo(99), 5000}, lo(30), log).empty() ? 0 : 1;
  }
  EXPECT_EQ(answered, 2);
  QueryLog other;
  EXPECT_EQ(r->respond_to(req, {lo(98), 5000}, lo(30), other).size(), 1U);  // another source has its own bucket
  EXPECT_EQ(r->stats().rate_limited, 8U);

  auto r2 = Responder::open(test_config({lo(31), 0}));
  ASSERT_TRUE(r2);
  const auto missing = *NetbiosName::make("MISSING", 0);
  QueryLog l1, l2, l3;
  auto neg = r2->respond_to(*build::name_query_request(7, missing, false), {lo(99), 5000}, lo(31), l1);
  ASSERT_EQ(neg.size(), 1U);
  auto parsed = parse_nbns(neg[0]);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->header.rcode, 3);  // NAM_ERR
  EXPECT_TRUE(r2->respond_to(*build::name_query_request(8, missing, true), {lo(99), 5000}, lo(31), l2).empty());
  EXPECT_EQ(l2.action, "not_ours");
  auto pos = r2->respond_to(*build::name_query_request(9, *NetbiosName::make("TESTHOST", 0x20), false),
                            {lo(99), 5000}, lo(31), l3);
  ASSERT_EQ(pos.size(), 1U);
  auto pp = parse_nbns(pos[0]);
  ASSERT_TRUE(pp);
  ASSERT_EQ(pp->answers.at(0).addresses.size(), 1U);
  EXPECT_EQ(pp->answers[0].addresses[0].address, lo(31));
  // A registration of our unique name by someone else is defended with ACT_ERR.
  QueryLog l4;
  auto reg = *build::name_registration_request(10, *NetbiosName::make("TESTHOST", 0), 300,
                                               NbAddress{make_nb_flags(false, NodeType::B), lo(99)}, true);
  auto def = r2->respond_to(reg, {lo(99), 137}, lo(31), l4);
  ASSERT_EQ(def.size(), 1U);
  EXPECT_EQ(l4.action, "defended");
  EXPECT_EQ(parse_nbns(def[0])->header.rcode, 6);  // ACT_ERR
}

}  // namespace
}  // namespace netseen::netbios::net
