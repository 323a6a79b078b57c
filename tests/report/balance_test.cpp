// Balancing a threaded log analysis (report/balance.hpp, pipeline.cpp's Lanes): which
// detector moves, and that moving detectors between threads while the input streams past
// changes nothing in the report.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "report/balance.hpp"
#include "report/json.hpp"
#include "report/pipeline.hpp"

namespace netseen::report {
namespace {

std::vector<std::uint8_t> all_movable(std::size_t n) { return std::vector<std::uint8_t>(n, 1); }

TEST(ChooseMove, TakesTheDetectorClosestToHalfTheGapFromTheBusiestLane) {
  // Lane 1 is 100 busier than lane 0: moving 50 evens them; 20 or 90 leave more apart.
  const std::vector<double> busy{200, 300};
  const std::vector<double> cost{20, 55, 90, 40};
  const std::vector<unsigned> owner{1, 1, 1, 0};
  const auto m = choose_move(busy, cost, owner, all_movable(4));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->detector, 1U);
  EXPECT_EQ(m->from, 1U);
  EXPECT_EQ(m->to, 0U);
}

TEST(ChooseMove, LeavesLanesAloneWhenNoMoveGainsEnough) {
  const std::vector<unsigned> owner{1, 1};
  // 4 % apart: under the 5 % a move must gain.
  EXPECT_FALSE(choose_move(std::vector<double>{240, 250}, std::vector<double>{5, 10}, owner, all_movable(2)));
  // Far apart, but the busy lane's only detectors would make the other lane busier still.
  EXPECT_FALSE(choose_move(std::vector<double>{100, 300}, std::vector<double>{280, 290}, owner, all_movable(2)));
  // One lane, nothing to move to; an idle machine.
  EXPECT_FALSE(choose_move(std::vector<double>{300}, std::vector<double>{50, 50}, owner, all_movable(2)));
  EXPECT_FALSE(choose_move(std::vector<double>{0, 0}, std::vector<double>{0, 0}, owner, all_movable(2)));
}

TEST(ChooseMove, SkipsDetectorsThatMayNotMoveAndMovesToTheLeastBusyOfThreeLanes) {
  const std::vector<double> busy{150, 400, 250};
  const std::vector<double> cost{120, 130, 100};
  const std::vector<unsigned> owner{1, 1, 2};
  const std::vector<std::uint8_t> movable{1, 0, 1};  // detector 1 just moved
  const auto m = choose_move(busy, cost, owner, movable);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->detector, 0U);
  EXPECT_EQ(m->from, 1U);
  EXPECT_EQ(m->to, 0U);
}

// A netfilter log with work for the scan detectors: vertical scans of two targets, a sweep
// of a /24, TCP probes with odd flag sets, UDP probes, and plain traffic around them.
std::string scan_log(std::size_t lines) {
  std::string out;
  char buf[400];
  for (std::size_t i = 0; i < lines; ++i) {
    const unsigned sec = static_cast<unsigned>(i / 50);
    const unsigned src = static_cast<unsigned>(i % 37);
    const unsigned port = static_cast<unsigned>((i * 7919) % 1024 + 1);
    const char* flags = (i % 11 == 0) ? "FIN PSH URG" : (i % 13 == 0 ? "" : "SYN");
    if (i % 5 == 0) {
      std::snprintf(buf, sizeof buf,
                    "Dec  1 10:%02u:%02u fw kernel: DROP IN=eth0 OUT= SRC=198.51.100.%u DST=192.0.2.%u LEN=40 TOS=0x00 "
                    "PREC=0x00 TTL=%u ID=%zu PROTO=TCP SPT=%zu DPT=445 WINDOW=1024 RES=0x00 SYN URGP=0\n",
                    sec / 60 % 60, sec % 60, src % 4 + 1, static_cast<unsigned>(i % 254 + 1), 40 + src % 3, i % 65536,
                    40000 + i % 20000);
    } else if (i % 7 == 0) {
      std::snprintf(buf, sizeof buf,
                    "Dec  1 10:%02u:%02u fw kernel: DROP IN=eth0 OUT= SRC=203.0.113.%u DST=192.0.2.20 LEN=28 TOS=0x00 "
                    "PREC=0x00 TTL=52 ID=%zu PROTO=UDP SPT=%zu DPT=%u LEN=8\n",
                    sec / 60 % 60, sec % 60, src + 1, i % 65536, 50000 + i % 1000, port);
    } else {
      std::snprintf(buf, sizeof buf,
                    "Dec  1 10:%02u:%02u fw kernel: DROP IN=eth0 OUT= SRC=203.0.113.%u DST=192.0.2.%u LEN=40 TOS=0x00 "
                    "PREC=0x00 TTL=%u ID=%zu PROTO=TCP SPT=%zu DPT=%u WINDOW=1024 RES=0x00 %s URGP=0\n",
                    sec / 60 % 60, sec % 60, src + 1, 10 + src % 2, 44 + src % 5, i % 65536, 33000 + i % 30000, port,
                    flags);
    }
    out += buf;
  }
  return out;
}

std::string analyze_json(const std::string& path, unsigned threads, unsigned window, bool rotate,
                          unsigned* moves = nullptr, bool event_by_event = false) {
  AnalyzeOptions o;
  o.inputs = {path};
  o.threads = threads;
  o.balance_window = window;
  o.balance_rotate = rotate;
  o.event_by_event = event_by_event;
  AnalysisResult r;
  EXPECT_TRUE(run_analysis(o, r).has_value());
  if (moves != nullptr) *moves = r.detector_moves;
  return std::regex_replace(render_json(r, {}), std::regex(R"("elapsed_s":[0-9.e+-]+)"), "\"elapsed_s\":X");
}

TEST(Balance, DetectorsMovedBetweenThreadsAtEveryBatchFindWhatOneThreadFinds) {
  const std::string path = std::string(NETSEEN_BINARY_DIR) + "/balance_test.log";
  const std::string log = scan_log(40'000);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(std::fwrite(log.data(), 1, log.size(), f), log.size());
  std::fclose(f);

  // The reference: one thread, every detector on each event in turn.
  const std::string one = analyze_json(path, 1, 0, false, nullptr, true);
  ASSERT_NE(one.find("\"id\":\"scan."), std::string::npos) << "the log should give the scan detectors work";
  // One thread in batches, each detector over a whole batch at a time (run_batched).
  EXPECT_EQ(analyze_json(path, 1, 0, false), one) << "one thread, batched";
  for (const unsigned threads : {2U, 3U, 4U}) {
    // A move at every batch (256 events), round the lanes: each handoff in both directions.
    unsigned moves = 0;
    EXPECT_EQ(analyze_json(path, threads, 1, true, &moves), one) << "threads " << threads;
    EXPECT_GE(moves, 100U) << "threads " << threads;
    // And as the costs decide.
    EXPECT_EQ(analyze_json(path, threads, 2, false), one) << "threads " << threads << ", measured";
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace netseen::report
