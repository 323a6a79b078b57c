#include "report/watch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>

namespace netseen::report {

std::string_view to_string(FindingChange c) noexcept {
  switch (c) {
    case FindingChange::New: return "new";
    case FindingChange::Grown: return "grown";
    case FindingChange::None: break;
  }
  return "none";
}

std::string FindingTracker::key(const detect::Finding& f) {
  if (!f.dedup_key.empty()) return f.dedup_key;
  return fmt::format("{}|{}", f.id, f.source.to_string());
}

FindingChange FindingTracker::observe(const detect::Finding& f, double now_s) {
  auto k = key(f);
  auto it = reported_.find(k);
  if (it == reported_.end()) {
    if (reported_.size() >= policy_.max_tracked) {
      ++untracked_;
      return FindingChange::None;
    }
    reported_.emplace(std::move(k), Reported{f.target_count, f.events, f.severity, now_s});
    return FindingChange::New;
  }
  auto& r = it->second;
  const bool more_severe = f.severity > r.severity;
  auto grew = [&](std::uint64_t now, std::uint64_t then, std::uint64_t min_more) {
    return now >= then + min_more && static_cast<double>(now) >= policy_.factor * static_cast<double>(then);
  };
  const bool bigger = grew(f.target_count, r.targets, policy_.min_targets) || grew(f.events, r.events, policy_.min_events);
  if (!more_severe && !(bigger && now_s - r.at_s >= policy_.min_interval_s)) return FindingChange::None;
  r = Reported{f.target_count, f.events, std::max(f.severity, r.severity), now_s};
  return FindingChange::Grown;
}

std::string watch_line(const detect::Finding& f, FindingChange change) {
  const auto stamp = format_rfc3339(f.last_seen);  // 2026-11-30T13:45:01.123456Z
  const auto clock = stamp.size() >= 19 ? stamp.substr(11, 8) : stamp;
  std::string sev(to_string(f.severity));
  std::string what(to_string(change));
  std::transform(what.begin(), what.end(), what.begin(), [](char c) { return static_cast<char>(c - 32); });
  return fmt::format("{} {:<5} {:<8} {:<26} {} targets {} events {}", clock, what, sev, f.id, f.title, f.target_count,
                     f.events);
}

Result<void> run_watch(const WatchOptions& options, AnalysisResult& out) {
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  NETSEEN_TRY_ASSIGN(out.engine, detect::Engine::create(options.engine));
  NETSEEN_TRY_ASSIGN(auto src, ingest::LiveSource::open(options.live));
  auto& engine = *out.engine;
  for (const auto& [detector, prior] : options.prior) engine.context_mut().set_prior(detector, prior);
  if (options.on_start) options.on_start(*src);
  FindingTracker tracker(options.growth);
  std::uint64_t reported = 0;
  auto seconds_since_start = [&] { return std::chrono::duration<double>(clock::now() - started).count(); };

  // Enriches and reports what is new or has grown; with `all`, every finding is enriched.
  auto report = [&](std::vector<detect::Finding>& findings, bool all) {
    out.inputs.assign(1, src->stats());
    const double now = seconds_since_start();
    for (auto& f : findings) {
      const auto change = tracker.observe(f, now);
      if (change == FindingChange::None && !all) continue;
      if (change == FindingChange::New) ++reported;
      if (options.enrich) options.enrich(f);
      if (change != FindingChange::None && options.on_finding) options.on_finding(f, change, out);
    }
  };

  const auto period = [](double s) {
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
  };
  const bool snapshots = options.interval_s > 0;
  const bool statuses = options.status_interval_s > 0 && options.on_status;
  auto next_snapshot = snapshots ? started + period(options.interval_s) : clock::time_point::max();
  auto next_status = statuses ? started + period(options.status_interval_s) : clock::time_point::max();
  std::uint64_t packets_at_status = 0;
  auto status_at = started;
  decode::Event ev;
  for (;;) {
    const auto now = clock::now();
    const auto due = std::min(next_snapshot, next_status);
    const auto wait = due <= now ? std::chrono::milliseconds(0)
                                 : std::min(std::chrono::duration_cast<std::chrono::milliseconds>(due - now),
                                            std::chrono::milliseconds(1000));
    const auto got = src->poll(ev, wait);
    if (got == ingest::LiveWait::End) break;
    if (got == ingest::LiveWait::Event) {
      if (options.on_event) options.on_event(ev);
      engine.on_event(ev);
      if (options.collect_baseline && engine.context().inside(ev.src)) out.baseline.add(ev);
    }
    const auto after = clock::now();
    if (after >= next_snapshot) {
      auto findings = engine.snapshot();
      report(findings, false);
      next_snapshot = after + period(options.interval_s);
    }
    if (after >= next_status) {
      WatchStatus st;
      st.packets = src->stats().records;
      st.events = engine.stats().events;
      st.findings = reported;
      st.kernel_dropped = src->stats().kernel_dropped;
      const double dt = std::chrono::duration<double>(after - status_at).count();
      st.packets_per_s = dt > 0 ? static_cast<double>(st.packets - packets_at_status) / dt : 0;
      st.elapsed_s = std::chrono::duration<double>(after - started).count();
      packets_at_status = st.packets;
      status_at = after;
      options.on_status(st);
      next_status = after + period(options.status_interval_s);
    }
  }
  engine.finish();
  // What appeared or grew since the last snapshot is reported before the final report.
  auto& final_findings = engine.context_mut().findings_mut();
  if (snapshots) {
    report(final_findings, true);
  } else if (options.enrich) {
    for (auto& f : final_findings) options.enrich(f);
  }
  out.inputs.assign(1, src->stats());
  out.elapsed_s = seconds_since_start();
  return Ok{};
}

}  // namespace netseen::report
