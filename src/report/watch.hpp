// netseen watch: live capture through every detector, with findings reported while they
// happen. The engine is asked for a snapshot every `interval_s`; each finding is reported
// when it first appears ("new") and again when it has grown noticeably ("grown",
// rate-limited per finding so that a growing scan does not repeat itself every interval).
// When the capture ends (stop flag, duration, count) the engine finishes and the result
// is an ordinary AnalysisResult for the text or JSON renderer.
//
// The library decides nothing about output: the CLI receives findings and status through
// callbacks. Two hooks exist for enrichment (process attribution, issue 12): `on_event`
// sees every event before the engine does, `enrich` may add to a finding (attributes)
// before it is reported.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detect/engine.hpp"
#include "ingest/live_capture.hpp"
#include "report/pipeline.hpp"

namespace netseen::report {

enum class FindingChange : std::uint8_t { None, New, Grown };
std::string_view to_string(FindingChange c) noexcept;  // "new", "grown", "none"

// When a finding seen before counts as grown. Compared with what was last *reported*, so
// growth that is rate-limited now is reported later if it is still there.
struct GrowthPolicy {
  double factor = 1.5;            // targets or events at least this many times the reported value…
  std::uint64_t min_targets = 5;  // …and at least this many more targets,
  std::uint64_t min_events = 20;  // …or this many more events
  double min_interval_s = 30;     // at most one "grown" per finding in this time (a rise in severity is not held back)
  std::size_t max_tracked = 100'000;  // findings remembered; beyond this, new ones are not tracked
};

// Remembers what was reported per finding (key: the finding's dedup_key, or id|source).
class FindingTracker {
 public:
  explicit FindingTracker(GrowthPolicy policy = {}) : policy_(policy) {}
  // Compares one finding of a snapshot taken at `now_s` (seconds, any monotonic origin)
  // with what was reported; New and Grown mean "report it now" and are remembered.
  FindingChange observe(const detect::Finding& f, double now_s);
  [[nodiscard]] std::size_t tracked() const noexcept { return reported_.size(); }
  [[nodiscard]] std::uint64_t untracked() const noexcept { return untracked_; }
  static std::string key(const detect::Finding& f);

 private:
  struct Reported {
    std::uint64_t targets = 0;
    std::uint64_t events = 0;
    detect::Severity severity = detect::Severity::Info;
    double at_s = 0;
  };
  GrowthPolicy policy_;
  std::unordered_map<std::string, Reported> reported_;
  std::uint64_t untracked_ = 0;
};

struct WatchStatus {
  std::uint64_t packets = 0;       // frames captured
  std::uint64_t events = 0;        // events the engine saw
  std::uint64_t findings = 0;      // distinct findings reported so far
  std::uint64_t kernel_dropped = 0;
  double packets_per_s = 0;        // over the last status period
  double elapsed_s = 0;
};

struct WatchOptions {
  ingest::LiveOptions live;
  detect::EngineOptions engine;
  double interval_s = 2;           // snapshot period; 0 = no incremental findings (analyze -i)
  double status_interval_s = 1;    // on_status period; 0 = never
  GrowthPolicy growth;
  // History (report/history.hpp): what earlier runs remembered, handed to the detectors
  // before the first event, and whether to collect inside hosts' baselines (out.baseline).
  std::map<std::string, std::vector<detect::Observation>> prior;
  bool collect_baseline = false;
  // Once, when the capture is open (before any event).
  std::function<void(const ingest::LiveSource&)> on_start;
  // Every event, before the engine sees it (process attribution).
  std::function<void(const decode::Event&)> on_event;
  // Every finding about to be reported (new or grown, and the final ones): may add
  // attributes (e.g. the local process behind it).
  std::function<void(detect::Finding&)> enrich;
  // A finding to report now. `current` is the state of the run (inputs, engine) for renderers.
  std::function<void(const detect::Finding&, FindingChange, const AnalysisResult& current)> on_finding;
  std::function<void(const WatchStatus&)> on_status;
};

// Captures until the source ends, reporting as it goes; `out` then holds the finished
// analysis (enriched findings). Fails when the capture cannot be opened or the detector
// configuration is invalid (nothing was captured then).
Result<void> run_watch(const WatchOptions& options, AnalysisResult& out);

// One finding as a line for a terminal: "12:03:04 NEW   high  nbstat.sweep  10.1.0.2  title".
std::string watch_line(const detect::Finding& f, FindingChange change);

}  // namespace netseen::report
