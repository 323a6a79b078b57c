// psad's 24 scan logs (../shared/corpus/psad/test/scans/iptables) through the log parser
// and the engine: every scan psad/EXPECTED.md lists is found with the right type, source
// and port range, and the impossible sources (127.0.0.1, 0.0.0.0) are flagged. Prints a
// table psad's label vs netseen's findings. Skips visibly when ../shared is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "detect_test_util.hpp"
#include "ingest/source.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;
namespace fs = std::filesystem;

const fs::path kDir = fs::path(NETSEEN_SOURCE_DIR) / ".." / "shared" / "corpus" / "psad" / "test" / "scans" / "iptables";

struct Outcome {
  std::vector<Finding> findings;
  std::uint64_t events = 0;
};

Outcome run_file(const fs::path& p) {
  Outcome out;
  ingest::OpenOptions oo;
  oo.year = 2012;
  auto src = ingest::open_input(p.string(), oo);
  EXPECT_TRUE(src.has_value()) << p;
  if (!src.has_value()) return out;
  auto eng = Engine::create({});
  EXPECT_TRUE(eng.has_value());
  if (!eng.has_value()) return out;
  decode::Event e;
  while ((*src)->next(e)) {
    ++out.events;
    (*eng)->on_event(e);
    e = decode::Event{};
  }
  (*eng)->finish();
  out.findings = (*eng)->findings();
  return out;
}

struct Expect {
  const char* file;
  const char* psad_label;  // what psad's own test suite says the log holds
  const char* id;          // the netseen finding that must be there
  const char* source;
  const char* key;         // attribute to check ("" for none)
  const char* value;
};

// The scans EXPECTED.md lists, with the finding netseen must report for each.
const Expect kExpect[] = {
    {"syn_scan_1000_1500", "TCP SYN scan 1000-1500", "scan.vertical", "192.168.10.55", "port_range", "1000-1500"},
    {"syn_scan_1000_1500", "TCP SYN scan 1000-1500", "scan.tcp_flags", "192.168.10.55", "scan_type", "SYN"},
    {"syn_scan_1000_1500_localhost", "SYN scan, source 127.0.0.1", "addr.loopback_on_wire", "127.0.0.1", "", ""},
    {"syn_scan_1000_1500_localhost", "SYN scan, source 127.0.0.1", "scan.vertical", "127.0.0.1", "port_range",
     "1000-1500"},
    {"syn_scan_1000_1500_zeroip", "SYN scan, source 0.0.0.0", "addr.zero_source", "0.0.0.0", "", ""},
    {"syn_scan_1000_1500_zeroip", "SYN scan, source 0.0.0.0", "scan.vertical", "0.0.0.0", "port_range", "1000-1500"},
    {"syn_sweep", "horizontal sweep of 1083", "scan.horizontal", "192.168.10.55", "port", "1083"},
    {"syn_sweep", "horizontal sweep of 1083", "scan.horizontal", "192.168.10.55", "hosts", "11"},
    {"fin_scan_1000_1150", "FIN scan 1000-1150", "scan.tcp_flags", "192.168.10.55", "scan_type", "FIN"},
    {"fin_scan_1000_1150", "FIN scan 1000-1150", "scan.tcp_flags", "192.168.10.55", "port_range", "1000-1150"},
    {"xmas_scan_1000_1150", "XMAS scan 1000-1150", "scan.tcp_flags", "192.168.10.55", "scan_type", "XMAS"},
    {"xmas_scan_1000_1150", "XMAS scan 1000-1150", "scan.tcp_flags", "192.168.10.55", "port_range", "1000-1150"},
    {"null_scan_1000_1150", "NULL scan 1000-1150", "scan.tcp_flags", "192.168.10.55", "scan_type", "NULL"},
    {"null_scan_1000_1150", "NULL scan 1000-1150", "scan.tcp_flags", "192.168.10.55", "port_range", "1000-1150"},
    {"ack_scan_1000_1150", "ACK scan 1000-1150", "scan.tcp_flags", "192.168.10.55", "scan_type", "ACK/window"},
    {"ack_scan_1000_1150", "ACK scan 1000-1150", "scan.tcp_flags", "192.168.10.55", "port_range", "1000-1150"},
    {"udp_scan_1000_1150", "UDP scan 1000-1150", "scan.udp", "192.168.10.55", "port_range", "1000-1150"},
    // EXPECTED.md says 251; the log itself holds 255 distinct PROTO= values for the pair.
    {"proto_scan", "IP protocol scan (251 protocols)", "scan.ip_protocol", "192.168.10.55", "protocols", "255"},
    {"ipv6_tcp_connect_nmap_default_scan", "IPv6 nmap connect scan", "scan.vertical", "2001:db8:0:f101::2", "", ""},
    {"ipv6_tcp_connect_nmap_default_scan", "IPv6 nmap connect scan", "scan.tcp_flags", "2001:db8:0:f101::2",
     "scan_type", "SYN"},
    {"topera_ipv6_syn_scan_no_ip_opts", "IPv6 SYN scan 0-1023", "scan.vertical", "2012:1234:1234::1", "port_range",
     "0-1023"},
    {"topera_ipv6_syn_scan_with_ip_opts", "IPv6 SYN scan 0-1234", "scan.vertical", "2012:1234:1234::1", "port_range",
     "0-1234"},
};

// Logs with no scan in them: none of the scan findings may appear.
const char* const kNoScan[] = {"ipv4_valid_ping", "ipv6_ping_scan", "ipv4_igmp", "fwknop_spa_pkt",
                               "ms_sql_server_sig_match", "ipv6_ms_sql_server_sig_match"};

TEST(PsadCorpus, EveryListedScanIsFoundWithTypeSourceAndRange) {
  if (!fs::is_directory(kDir)) GTEST_SKIP() << "psad corpus not found at " << kDir << " (../shared absent)";
  std::map<std::string, Outcome> runs;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    if (entry.is_regular_file()) runs[entry.path().filename().string()] = run_file(entry.path());
  }
  EXPECT_EQ(runs.size(), 24u);

  for (const auto& x : kExpect) {
    SCOPED_TRACE(x.file);
    ASSERT_TRUE(runs.count(x.file) != 0) << x.file;
    const auto& fsx = runs[x.file].findings;
    const auto* f = find(fsx, x.id, x.source);
    ASSERT_NE(f, nullptr) << x.file << ": no " << x.id << " from " << x.source;
    if (*x.key != 0) {
      EXPECT_EQ(attr_str(*f, x.key), x.value) << x.file << " " << x.id;
    }
  }
  for (const char* name : kNoScan) {
    SCOPED_TRACE(name);
    for (const auto& f : runs[name].findings) {
      EXPECT_NE(f.id.rfind("scan.", 0), 0u) << name << ": unexpected " << f.id << " " << f.title;
    }
  }
  // A UDP scan is a UDP scan, not a traceroute; the SYN scan is not a UDP scan.
  EXPECT_EQ(count_id(runs["udp_scan_1000_1150"].findings, "trace.udp"), 0u);
  EXPECT_EQ(count_id(runs["syn_scan_1000_1500"].findings, "scan.udp"), 0u);
  // General port scans are not reported as trojan or proxy hunting.
  for (const char* name : {"syn_scan_1000_1500", "topera_ipv6_syn_scan_with_ip_opts", "ipv6_tcp_connect_nmap_default_scan"}) {
    EXPECT_EQ(count_id(runs[name].findings, "scan.trojan"), 0u) << name;
    EXPECT_EQ(count_id(runs[name].findings, "scan.proxy"), 0u) << name;
  }
  // Nmap randomises the TTL of its probes; one scanner is not a decoy scan.
  EXPECT_EQ(count_id(runs["syn_scan_1000_1500"].findings, "scan.decoy"), 0u);

  // The comparison table: psad's label vs what netseen reports, per file.
  std::map<std::string, std::string> labels;
  for (const auto& x : kExpect) labels[x.file] = x.psad_label;
  std::printf("\n%-38s | %-32s | %s\n", "file", "psad / EXPECTED.md", "netseen findings (id source [range])");
  for (const auto& [name, out] : runs) {
    std::set<std::string> seen;
    std::string cell;
    for (const auto& f : out.findings) {
      if (f.id.rfind("nb", 0) == 0) continue;
      std::string range = attr_str(f, "port_range");
      if (range == "<missing>") range = attr_str(f, "port");
      if (range == "<missing>") range = attr_str(f, "protocols");
      std::string s = f.id + " " + f.source.to_string() + (range == "<missing>" ? "" : " [" + range + "]");
      if (f.id == "scan.tcp_flags") s += " " + attr_str(f, "scan_type");
      if (seen.insert(s).second) cell += (cell.empty() ? "" : "; ") + s;
    }
    const auto it = labels.find(name);
    std::printf("%-38s | %-32s | %s\n", name.c_str(), it == labels.end() ? "(no scan listed)" : it->second.c_str(),
                cell.empty() ? "-" : cell.c_str());
  }
}

}  // namespace
}  // namespace netseen::detect

namespace netseen::detect {
namespace {

// The bundled example (examples/, generated by tools/gen_example.py) through the same path:
// the traceroute, the SYN scan, the Sub7 probes and the 2004 traffic to 1.11.0.0/16.
TEST(BundledExample, IssueEightFindingsAndNothingAbsurd) {
  const fs::path ex = fs::path(NETSEEN_SOURCE_DIR) / "examples";
  if (!fs::exists(ex / "office.pcap") || !fs::exists(ex / "firewall.log")) {
    GTEST_SKIP() << "examples/office.pcap or examples/firewall.log missing";
  }
  auto eng = Engine::create({});
  ASSERT_TRUE(eng.has_value());
  std::uint32_t index = 0;
  for (const char* name : {"office.pcap", "firewall.log"}) {
    ingest::OpenOptions oo;
    oo.input_index = index++;
    auto src = ingest::open_input((ex / name).string(), oo);
    ASSERT_TRUE(src.has_value()) << name;
    decode::Event e;
    while ((*src)->next(e)) {
      (*eng)->on_event(e);
      e = decode::Event{};
    }
  }
  (*eng)->finish();
  const auto& fsx = (*eng)->findings();
  for (const auto& f : fsx) std::printf("  %-28s %-16s %s\n", f.id.c_str(), f.source.to_string().c_str(), f.title.c_str());

  const auto* tr = find(fsx, "trace.udp", "192.168.1.30");
  ASSERT_NE(tr, nullptr);
  EXPECT_EQ(attr_str(*tr, "target"), "198.51.100.7");
  EXPECT_EQ(attr_int(*tr, "hops"), 6);
  const auto* v = find(fsx, "scan.vertical", "203.0.113.50");
  ASSERT_NE(v, nullptr);
  // 64 SYNs; the generator's random sample repeats one of 22/80/139/445, so 63 distinct ports.
  EXPECT_EQ(v->events, 64u);
  EXPECT_EQ(attr_int(*v, "port_count"), 63);
  EXPECT_EQ(attr_int(*v, "answered_ports"), 2);
  const auto* fl = find(fsx, "scan.tcp_flags", "203.0.113.50");
  ASSERT_NE(fl, nullptr);
  EXPECT_EQ(attr_str(*fl, "scan_type"), "SYN");
  EXPECT_NE(find(fsx, "scan.trojan"), nullptr);
  EXPECT_NE(find(fsx, "addr.reserved_destination"), nullptr);
  // Nothing absurd: the traceroute is not a UDP scan, the victim is not a scanner.
  EXPECT_EQ(count_id(fsx, "scan.udp"), 0u);
  EXPECT_EQ(find(fsx, "scan.vertical", "192.168.1.10"), nullptr);
  EXPECT_EQ(find(fsx, "scan.tcp_flags", "192.168.1.10"), nullptr);
}

}  // namespace
}  // namespace netseen::detect
