// A capture file is read through a window that slides (ingest/byte_window.hpp), so an event's
// captured bytes (Event::app_payload) are valid only until its source reads on. The report's
// node-status tables re-parse those bytes for each name's flags. Merging a capture with a log
// (the merger holds one event per input) and the threaded pipeline (a batch is read to its end
// before its first event is used) must still hand every consumer intact bytes: with a read
// piece of a few hundred bytes the window slides every couple of records, and the tables must
// equal those of the capture read on its own in one piece.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "../decode/frame_builder.hpp"
#include "netbios/name.hpp"
#include "netbios/nbns.hpp"
#include "report/pipeline.hpp"

namespace netseen::report {
namespace {

using testing::Buf;
using testing::Rec;
using testing::V4;

std::string write_file(const std::string& name, const void* data, std::size_t n) {
  const std::string path = std::string(NETSEEN_BINARY_DIR) + "/payload_lifetime_test." + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr);
  if (f != nullptr) {
    std::fwrite(data, 1, n, f);
    std::fclose(f);
  }
  return path;
}

// 150 hosts answer a node-status query once each, their names and flags unique to them; between
// the answers, 700-byte datagrams from elsewhere keep the reader's window moving.
Buf node_status_capture() {
  std::vector<Rec> recs;
  const V4 asker{10, 0, 0, 1};
  std::uint32_t sec = 1'764'583'200;  // 2025-12-01
  for (std::uint8_t i = 1; i <= 150; ++i) {
    const V4 host{10, 9, static_cast<std::uint8_t>(i / 100), static_cast<std::uint8_t>(i)};
    std::vector<netbios::NodeName> names(3);
    char label[16];
    std::snprintf(label, sizeof label, "HOST%03u", static_cast<unsigned>(i));
    for (std::size_t k = 0; k < names.size(); ++k) {
      auto n = netbios::NetbiosName::make(label, static_cast<std::uint8_t>(k == 2 ? 0x20 : 0x00));
      EXPECT_TRUE(n.has_value());
      names[k].raw = n->raw;
      names[k].flags = static_cast<std::uint16_t>(netbios::kNameFlagAct | ((i + k) % 2 != 0 ? netbios::kNameFlagGroup : 0) |
                                                  ((i % 3) << 13));
    }
    netbios::NodeStatistics stats;
    stats.unit_id = MacAddress{{0x02, 0, 0, 0, 0, i}};
    auto star = netbios::NetbiosName::make("*", 0x00);
    auto answer = netbios::build::node_status_response(i, *star, names, stats);
    EXPECT_TRUE(answer.has_value());
    recs.push_back({.sec = sec++,
                    .frac = 0,
                    .data = testing::ethernet(0x0800, testing::ipv4(host, asker, 17, testing::udp(host, asker, 137, 137, *answer)))});
    const V4 other{10, 5, 0, i};
    recs.push_back({.sec = sec++,
                    .frac = 0,
                    .data = testing::ethernet(0x0800, testing::ipv4(other, asker, 17, testing::udp(other, asker, 5000, 6000, Buf(700, i))))});
  }
  return testing::pcap_file(1, recs);
}

std::vector<std::string> tables(const AnalysisResult& r) {
  std::vector<std::string> out;
  if (!r.data) return out;
  for (const auto& [addr, t] : r.data->node_status.tables()) {
    std::string line = addr.to_string() + " declared=" + std::to_string(t.declared_names) +
                       " unit=" + (t.unit_id ? t.unit_id->to_string() : std::string("-"));
    for (const auto& n : t.names) {
      line += " " + n.name + (n.group ? "/G" : "/U") + (n.active ? "A" : "") + n.node_type;
    }
    out.push_back(line);
  }
  return out;
}

AnalysisResult run(const std::vector<std::string>& inputs, unsigned threads, std::size_t piece) {
  AnalyzeOptions o;
  o.inputs = inputs;
  o.threads = threads;
  o.open.read_piece = piece;
  o.collect_report_data = true;
  AnalysisResult r;
  EXPECT_TRUE(run_analysis(o, r).has_value());
  return r;
}

TEST(PayloadLifetime, NodeStatusTablesAreIntactWhenTheWindowSlidesUnderMergedAndThreadedReads) {
  const Buf cap = node_status_capture();
  const std::string log_text =
      "2025-12-01T10:00:30.000000+00:00 fw kernel: DROP IN=eth0 OUT= SRC=203.0.113.9 DST=10.0.0.1 LEN=40 TOS=0x00 "
      "PREC=0x00 TTL=50 ID=1 PROTO=TCP SPT=4000 DPT=445 WINDOW=1024 RES=0x00 SYN URGP=0\n"
      "2025-12-01T10:02:30.000000+00:00 fw kernel: DROP IN=eth0 OUT= SRC=203.0.113.9 DST=10.0.0.2 LEN=40 TOS=0x00 "
      "PREC=0x00 TTL=50 ID=2 PROTO=TCP SPT=4001 DPT=445 WINDOW=1024 RES=0x00 SYN URGP=0\n";
  const std::string cap_path = write_file("pcap", cap.data(), cap.size());
  const std::string log_path = write_file("log", log_text.data(), log_text.size());

  // The reference: the capture alone, the whole file in one window.
  const auto reference = tables(run({cap_path}, 1, 0));
  ASSERT_EQ(reference.size(), 150U);
  EXPECT_NE(reference[0].find("HOST"), std::string::npos);
  EXPECT_NE(reference[0].find("/G"), std::string::npos);  // flags came from the re-parsed bytes

  for (const std::size_t piece : {std::size_t{300}, std::size_t{1500}}) {
    EXPECT_EQ(tables(run({cap_path}, 1, piece)), reference) << "alone, piece " << piece;
    for (const unsigned threads : {1U, 2U, 3U}) {
      // Merged with a log: the merger path (1 thread) and the batched pipeline (2 and 3).
      const auto r = run({cap_path, log_path}, threads, piece);
      EXPECT_EQ(tables(r), reference) << "merged, threads " << threads << ", piece " << piece;
      EXPECT_EQ(r.inputs.size(), 2U);
    }
  }
  std::filesystem::remove(cap_path);
  std::filesystem::remove(log_path);
}

}  // namespace
}  // namespace netseen::report
