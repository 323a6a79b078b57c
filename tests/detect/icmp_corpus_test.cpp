// Zeek's ICMP traces and PcapPlusPlus's ICMP examples (../shared/corpus) through the
// capture reader and the engine: the quoted original headers drive the right icmp.*
// findings, with the right quoted 5-tuple, and nothing else of the icmp.* family fires.
// PcapPlusPlus's single packets come as hex dumps (.dat); the test wraps each one in a
// temporary pcap file. Skips visibly when ../shared is absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "detect_test_util.hpp"
#include "ingest/source.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;
namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(NETSEEN_SOURCE_DIR) / ".." / "shared" / "corpus";

std::vector<Finding> run_file(const fs::path& p) {
  std::vector<Finding> out;
  auto src = ingest::open_input(p.string(), {});
  EXPECT_TRUE(src.has_value()) << p;
  if (!src.has_value()) return out;
  auto eng = Engine::create({});
  EXPECT_TRUE(eng.has_value());
  if (!eng.has_value()) return out;
  decode::Event e;
  std::size_t n = 0;
  while ((*src)->next(e) && n++ < 100'000) {
    (*eng)->on_event(e);
    e = decode::Event{};
  }
  (*eng)->finish();
  return (*eng)->findings();
}

// A PcapPlusPlus .dat file (one Ethernet frame as hex text) as a one-packet pcap.
fs::path dat_to_pcap(const fs::path& dat, const fs::path& dir) {
  std::ifstream in(dat);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string hex;
  for (char c : ss.str()) {
    if (std::isxdigit(static_cast<unsigned char>(c)) != 0) hex.push_back(c);
  }
  std::string frame;
  for (std::size_t i = 0; i + 1 < hex.size() && frame.size() < 65535; i += 2) {
    frame.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  auto le32 = [](std::string& s, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  std::string file;
  le32(file, 0xa1b2c3d4);
  file += std::string("\x02\x00\x04\x00", 4);
  le32(file, 0);
  le32(file, 0);
  le32(file, 65535);
  le32(file, 1);  // Ethernet
  le32(file, 1'400'000'000);
  le32(file, 0);
  le32(file, static_cast<std::uint32_t>(frame.size()));
  le32(file, static_cast<std::uint32_t>(frame.size()));
  file += frame;
  const auto out = dir / (dat.stem().string() + ".pcap");
  std::ofstream(out, std::ios::binary) << file;
  return out;
}

struct Want {
  const char* id;
  const char* source;
  const char* quoted;  // one entry of the "quoted" attribute, "" when none is expected
};

struct Case {
  const char* file;  // relative to the corpus
  std::vector<Want> want;  // exactly these icmp.* findings
};

const Case kCases[] = {
    // Port unreachable from a client for the DNS answer it no longer waits for.
    {"zeek/testing/btest/Traces/icmp/icmp-destunreach-udp.pcap",
     {{"icmp.stale_dns", "192.168.1.102", "192.168.1.1:53 → 192.168.1.102:59207 (protocol 17)"}}},
    // Net unreachable quoting a bare IP header (protocol 0), and one with no quote at all.
    {"zeek/testing/btest/Traces/icmp/icmp-destunreach-ip.pcap", {}},
    {"zeek/testing/btest/Traces/icmp/icmp-destunreach-no-context.pcap", {}},
    // One time-exceeded for a UDP packet: a single hop of something, not a finding.
    {"zeek/testing/btest/Traces/icmp/icmp-timeexceeded.pcap", {}},
    // Echo requests answered: the replies were asked for.
    {"zeek/testing/btest/Traces/icmp/icmp-ping.pcap", {}},
    // PcapPlusPlus's mixed ICMP capture.
    {"PcapPlusPlus/PacketExamples/IcmpPackets.pcap",
     {{"icmp.redirect", "10.2.99.99", "10.2.10.2 → 10.3.71.7 (protocol 1)"},
      {"icmp.router_advertisement", "192.168.144.2", ""},
      {"icmp.router_advertisement", "14.80.84.66", ""},
      {"icmp.source_quench", "10.0.0.7", "1.2.3.4:0 → 5.6.7.8:0 (protocol 6)"}}},
    {"PcapPlusPlus/PacketExamples/IcmpDestUnreachableUdp.dat", {}},
    {"PcapPlusPlus/PacketExamples/IcmpDestUnreachableEcho.dat", {}},
    {"PcapPlusPlus/PacketExamples/IcmpTimeExceededUdp.dat", {}},
    {"PcapPlusPlus/PacketExamples/IcmpTimeExceededEcho.dat", {}},
    {"PcapPlusPlus/PacketExamples/IcmpEchoRequest.dat", {}},
};

TEST(IcmpCorpus, QuotedHeadersDriveTheIcmpFindings) {
  if (!fs::is_directory(kCorpus / "zeek") || !fs::is_directory(kCorpus / "PcapPlusPlus")) {
    GTEST_SKIP() << "../shared/corpus (zeek, PcapPlusPlus) is absent: " << kCorpus;
  }
  const fs::path tmp = fs::temp_directory_path() / fmt::format("netseen-icmp-corpus-{}", ::getpid());
  fs::create_directories(tmp);
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.file);
    fs::path p = kCorpus / c.file;
    ASSERT_TRUE(fs::exists(p)) << p;
    if (p.extension() == ".dat") p = dat_to_pcap(p, tmp);
    const auto fs_ = run_file(p);
    std::multiset<std::pair<std::string, std::string>> got, want;
    for (const auto& f : fs_) {
      if (f.id.rfind("icmp.", 0) == 0) got.insert({f.id, f.source.to_string()});
    }
    for (const auto& w : c.want) {
      want.insert({w.id, w.source});
      const auto* f = find(fs_, w.id, w.source);
      ASSERT_NE(f, nullptr) << w.id << " " << w.source;
      if (*w.quoted != 0) EXPECT_NE(attr_str(*f, "quoted").find(w.quoted), std::string::npos) << attr_str(*f, "quoted");
      else EXPECT_EQ(attr(*f, "quoted"), nullptr);
    }
    EXPECT_EQ(got, want);
    std::string line;
    for (const auto& [id, src] : got) line += fmt::format("{}{} ({})", line.empty() ? "" : ", ", id, src);
    std::printf("  %-62s %s\n", c.file, line.empty() ? "no icmp.* finding" : line.c_str());
  }
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace netseen::detect
