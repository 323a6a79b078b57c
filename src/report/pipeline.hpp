// The analysis pipeline: open every input, stream its events in time order through the
// detection engine, and collect what the reports need.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "detect/engine.hpp"
#include "ingest/source.hpp"
#include "report/baseline.hpp"
#include "report/history_marks.hpp"
#include "report/collectors.hpp"

namespace netseen::report {

// How far reading has come (for a progress line on a terminal).
struct Progress {
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_total = 0;  // sum of the inputs' sizes (decompressed for gzip, read so far for stdin)
  std::uint64_t records = 0;
  double elapsed_s = 0;
  bool done = false;
};

struct AnalyzeOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> display_names;  // optional: how each input is named in reports
  ingest::OpenOptions open;
  detect::EngineOptions engine;
  std::optional<Timestamp> since, until;  // events outside are read and counted, not analysed
  // History (report/history.hpp): what earlier runs remembered, handed to the detectors
  // before the first event (detector id -> hosts), and whether to collect the peer/port
  // baselines of inside hosts for the database.
  std::map<std::string, std::vector<detect::Observation>> prior;
  bool collect_baseline = false;
  // Keep what the HTML report draws (timeline, ports, node-status tables): ReportData.
  bool collect_report_data = false;
  // Called while reading, at most every progress_interval_s, and once at the end with done set.
  std::function<void(const Progress&)> progress;
  double progress_interval_s = 0.2;
  // 1: one thread reads, decodes and detects. When every input is a capture (replayable),
  // N >= 2: the calling thread reads, decodes and runs the engine's main part
  // (Engine::on_event_main), and N - 1 side groups of parallel-safe detectors each read and
  // decode the captures again on a thread of their own. Otherwise (logs): 2: the reader thread
  // also runs the main part, one side thread the parallel-safe detectors; 3 or more: reader,
  // main part and threads - 2 side groups each on a thread of its own; the parallel-safe
  // detectors move between the main part and the side groups to even out their load. Every
  // detector sees the same events in the same order, so the results are identical.
  // 0: choose (choose_threads).
  unsigned threads = 1;
  // Logs with threads >= 2: every `balance_window` batches (of 256 events) the parallel-safe
  // detectors may move between the main part and the side groups, one at a time, toward
  // equal busy time (report/balance.hpp). 0: never move. `balance_rotate` (for tests): move
  // one at every window whatever the costs, round the lanes, to exercise the handoff.
  unsigned balance_window = 32;
  bool balance_rotate = false;
  // Logs with threads == 1 go through in batches, each parallel-safe detector over a whole
  // batch at a time (run_batched). True (for tests): event by event, every detector on each
  // event in turn — the reference the batched and threaded runs must equal.
  bool event_by_event = false;
};

// What `threads = 0` becomes for these inputs: 1 for small inputs (under 32 MiB of regular
// files, stdin) or one core; else the cores, at most 7.
unsigned choose_threads(const std::vector<std::string>& inputs);

struct UnreadableInput {
  std::string path;
  std::string reason;
};

struct AnalysisResult {
  std::vector<ingest::InputStats> inputs;      // one per readable input, in the order given
  std::vector<UnreadableInput> unreadable;     // inputs that could not be opened at all
  std::unique_ptr<detect::Engine> engine;
  std::unique_ptr<ReportData> data;            // when collect_report_data was asked for
  std::uint64_t outside_time_window = 0;
  double elapsed_s = 0;
  BaselineCollector baseline;             // filled when collect_baseline is set
  std::optional<HistoryMarks> history;    // set after comparing with the history database
  unsigned threads = 1;  // threads the analysis ran on
  unsigned detector_moves = 0;  // detectors moved between threads to balance them (logs)
};

// Runs the whole analysis. Unreadable inputs are recorded, the rest still analysed.
// Fails only when the detector configuration is invalid.
Result<void> run_analysis(const AnalyzeOptions& options, AnalysisResult& out);

}  // namespace netseen::report
