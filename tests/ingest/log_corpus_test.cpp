// Conformance on the real logs of ../shared/corpus: psad's 24 netfilter scan logs and a real
// 16,814-line Windows Firewall log. Skipped (with a message) when ../shared is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "ingest/source.hpp"

namespace netseen::ingest {
namespace {

namespace fs = std::filesystem;
using decode::Event;
using decode::Transport;
namespace tf = decode::tcpflag;

const fs::path kShared = fs::path(NETSEEN_SOURCE_DIR) / ".." / "shared" / "corpus";

struct Loaded {
  std::vector<Event> events;
  InputStats stats;
  std::size_t nonblank_lines = 0;
};

Loaded load(const fs::path& p, OpenOptions o = {}) {
  Loaded l;
  if (o.year == 0) o.year = 2015;
  auto src = open_input(p.string(), o);
  if (!src) {
    ADD_FAILURE() << "cannot open " << p << ": " << src.error().message();
    return l;
  }
  Event ev;
  while ((*src)->next(ev)) l.events.push_back(ev);
  l.stats = (*src)->stats();
  std::ifstream f(p);
  std::string line;
  while (std::getline(f, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) ++l.nonblank_lines;
  }
  return l;
}

std::string first_errors(const InputStats& s) {
  std::string out;
  for (std::size_t i = 0; i < s.errors.size() && i < 5; ++i) out += s.errors[i].where + ": " + s.errors[i].what + "\n";
  return out;
}

class PsadCorpus : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = kShared / "psad" / "test" / "scans" / "iptables";
    if (!fs::is_directory(dir_)) GTEST_SKIP() << "../shared/corpus/psad not present: conformance test skipped";
  }
  Loaded file(const char* name) { return load(dir_ / name); }
  fs::path dir_;
};

TEST_F(PsadCorpus, All24LogsParseWithZeroErrors) {
  std::size_t files = 0;
  std::size_t events = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    auto l = load(entry.path());
    ++files;
    events += l.events.size();
    EXPECT_EQ(l.stats.error_count, 0u) << entry.path().filename() << "\n" << first_errors(l.stats);
    EXPECT_EQ(l.stats.format, "netfilter") << entry.path().filename();
    EXPECT_EQ(l.events.size(), l.nonblank_lines) << entry.path().filename();
    EXPECT_EQ(l.stats.decoded, l.events.size());
    for (const auto& e : l.events) {
      ASSERT_TRUE(e.src.valid() && e.dst.valid()) << entry.path().filename() << " line " << e.origin.number;
      ASSERT_TRUE(e.origin.is_line);
    }
  }
  EXPECT_EQ(files, 24u);
  EXPECT_EQ(events, 8198u);
}

struct ScanFacts {
  std::set<IpAddress> srcs, dsts;
  std::set<std::uint16_t> dports;
  std::set<std::uint8_t> flags, protocols;
  std::uint16_t min_port = 65535, max_port = 0;
};

ScanFacts facts(const std::vector<Event>& evs, const IpAddress& from) {
  ScanFacts f;
  for (const auto& e : evs) {
    f.srcs.insert(e.src);
    if (e.src != from) continue;
    f.dsts.insert(e.dst);
    f.protocols.insert(e.protocol);
    if (e.transport == Transport::Tcp || e.transport == Transport::Udp) {
      f.dports.insert(e.dport);
      f.min_port = std::min(f.min_port, e.dport);
      f.max_port = std::max(f.max_port, e.dport);
    }
    if (e.transport == Transport::Tcp) f.flags.insert(e.tcp_flags);
  }
  return f;
}

TEST_F(PsadCorpus, TcpScansHaveTheirFlagsAndPortRanges) {
  const auto scanner = *IpAddress::parse("192.168.10.55");
  struct Case {
    const char* file;
    std::uint8_t flags;
    std::uint16_t lo, hi;
  };
  for (const Case c : {Case{"syn_scan_1000_1500", tf::kSyn, 1000, 1500}, Case{"fin_scan_1000_1150", tf::kFin, 1000, 1150},
                       Case{"xmas_scan_1000_1150", tf::kFin | tf::kPsh | tf::kUrg, 1000, 1150},
                       Case{"null_scan_1000_1150", 0, 1000, 1150}, Case{"ack_scan_1000_1150", tf::kAck, 1000, 1150}}) {
    auto f = facts(file(c.file).events, scanner);
    EXPECT_EQ(f.dsts.size(), 1u) << c.file;
    EXPECT_EQ(f.flags, std::set<std::uint8_t>{c.flags}) << c.file;
    EXPECT_EQ(f.min_port, c.lo) << c.file;
    EXPECT_EQ(f.max_port, c.hi) << c.file;
    EXPECT_EQ(f.dports.size(), static_cast<std::size_t>(c.hi - c.lo + 1)) << c.file;
  }
}

TEST_F(PsadCorpus, ImpossibleSourcesAreKeptAsLogged) {
  auto lo = file("syn_scan_1000_1500_localhost");
  ASSERT_FALSE(lo.events.empty());
  for (const auto& e : lo.events) ASSERT_TRUE(e.src.is_loopback());
  auto zero = file("syn_scan_1000_1500_zeroip");
  ASSERT_FALSE(zero.events.empty());
  for (const auto& e : zero.events) ASSERT_TRUE(e.src.is_unspecified());
}

TEST_F(PsadCorpus, SweepUdpAndProtocolScans) {
  const auto scanner = *IpAddress::parse("192.168.10.55");
  auto sweep = facts(file("syn_sweep").events, scanner);
  EXPECT_EQ(sweep.dports, std::set<std::uint16_t>{1083});
  EXPECT_GE(sweep.dsts.size(), 10u);
  auto udp = file("udp_scan_1000_1150");
  auto uf = facts(udp.events, scanner);
  EXPECT_EQ(uf.protocols, std::set<std::uint8_t>{17});
  EXPECT_EQ(uf.dports.size(), 151u);
  for (const auto& e : udp.events) EXPECT_EQ(e.payload_len, 0u);  // LEN=8: empty UDP probes
  auto proto = facts(file("proto_scan").events, scanner);
  EXPECT_GE(proto.protocols.size(), 251u);
}

TEST_F(PsadCorpus, Ipv6ScansAndIcmp) {
  const auto topera = *IpAddress::parse("2012:1234:1234::1");
  auto t1 = facts(file("topera_ipv6_syn_scan_no_ip_opts").events, topera);
  EXPECT_TRUE(t1.dports.count(0) && t1.dports.count(1023));
  EXPECT_EQ(t1.max_port, 1023);
  EXPECT_TRUE(t1.flags.count(tf::kSyn));
  auto t2 = facts(file("topera_ipv6_syn_scan_with_ip_opts").events, topera);
  EXPECT_EQ(t2.max_port, 1234);
  auto ping = file("ipv4_valid_ping");
  ASSERT_FALSE(ping.events.empty());
  for (const auto& e : ping.events) {
    ASSERT_TRUE(e.icmp);
    EXPECT_EQ(e.icmp->type, 8);
    EXPECT_EQ(e.icmp->code, 0);
  }
  auto bad = file("invalid_icmp_type_code");
  ASSERT_FALSE(bad.events.empty());
  EXPECT_EQ(bad.events[0].icmp->code, 2);
  auto v6 = file("ipv6_invalid_icmp6_type_code");
  ASSERT_FALSE(v6.events.empty());
  EXPECT_EQ(v6.events[0].transport, Transport::Icmpv6);
  EXPECT_EQ(v6.events[0].icmp->code, 22);
  auto igmp = file("ipv4_igmp");
  ASSERT_FALSE(igmp.events.empty());
  EXPECT_EQ(igmp.events[0].protocol, 2);
  EXPECT_EQ(igmp.events[0].rule, "Shorewall:wlan0_mac:DROP:");
}

TEST_F(PsadCorpus, MiraiMssqlAndRfc3339Stamps) {
  const auto scanner = *IpAddress::parse("192.168.10.55");
  auto m = facts(file("mirai_default_credentials_scan").events, scanner);
  EXPECT_EQ(m.dports, (std::set<std::uint16_t>{23, 2323}));
  auto sql = facts(file("ms_sql_server_sig_match").events, scanner);
  EXPECT_EQ(sql.dports, std::set<std::uint16_t>{1433});
  auto v6sql = file("ipv6_ms_sql_server_sig_match");  // a grep -H prefixed line
  ASSERT_EQ(v6sql.events.size(), 1u);
  EXPECT_EQ(v6sql.events[0].dport, 1433);
  EXPECT_EQ(format_rfc3339(v6sql.events[0].ts), "2015-03-17T13:39:13.000000Z");
  auto rfc = file("syslog_time_fmt1.log");
  ASSERT_FALSE(rfc.events.empty());
  EXPECT_EQ(format_rfc3339(rfc.events[0].ts), "2015-03-07T03:09:30.045015Z");
}

TEST(WindowsFirewallCorpus, ParsesWithZeroErrorsAndShowsNetbiosBroadcasts) {
  const auto p = kShared / "windows-firewall" / "pfirewall.log";
  if (!fs::exists(p)) GTEST_SKIP() << "../shared/corpus/windows-firewall not present: conformance test skipped";
  auto l = load(p);
  EXPECT_EQ(l.stats.format, "pfirewall");
  EXPECT_EQ(l.stats.error_count, 0u) << first_errors(l.stats);
  EXPECT_EQ(l.stats.records, 16814u);
  EXPECT_EQ(l.stats.skipped_by_reason["pfirewall header"], 4u);
  EXPECT_EQ(l.stats.skipped_by_reason["INFO-EVENTS-LOST row (events the firewall did not log)"], 2u);
  EXPECT_EQ(l.stats.events_not_logged, 8u);  // rows at 12:48:21 (7) and 12:58:21 (1)
  EXPECT_EQ(l.events.size() + l.stats.skipped, l.stats.records);
  std::size_t netbios = 0;
  std::set<std::uint16_t> ports;
  for (const auto& e : l.events) {
    if (e.transport == Transport::Udp && (e.dport == 137 || e.dport == 138) && e.dst == *IpAddress::parse("192.168.178.255")) {
      ++netbios;
      ports.insert(e.dport);
      EXPECT_EQ(e.direction, decode::Direction::Inbound);
    }
  }
  EXPECT_EQ(netbios, 8u);
  EXPECT_EQ(ports, (std::set<std::uint16_t>{137, 138}));
  EXPECT_EQ(format_rfc3339(l.events.front().ts), "2021-06-22T12:19:41.000000Z");  // local time, --tz default UTC
}

}  // namespace
}  // namespace netseen::ingest
