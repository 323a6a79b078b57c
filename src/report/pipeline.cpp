#include "report/pipeline.hpp"

#include <chrono>
#include <memory>

namespace netseen::report {

Result<void> run_analysis(const AnalyzeOptions& options, AnalysisResult& out) {
  const auto start = std::chrono::steady_clock::now();
  NETSEEN_TRY_ASSIGN(out.engine, detect::Engine::create(options.engine));
  for (const auto& [detector, prior] : options.prior) out.engine->context_mut().set_prior(detector, prior);
  std::vector<std::unique_ptr<ingest::EventSource>> sources;
  for (std::size_t i = 0; i < options.inputs.size(); ++i) {
    ingest::OpenOptions open = options.open;
    open.input_index = static_cast<std::uint32_t>(i);
    auto src = ingest::open_input(options.inputs[i], open);
    if (!src) {
      out.unreadable.push_back({options.inputs[i], src.error().detail});
      continue;
    }
    sources.push_back(std::move(*src));
  }
  // Merge the inputs in time order: always take the earliest pending event.
  if (options.collect_report_data) out.data = std::make_unique<ReportData>();
  // Progress: the time is looked at every 1024 events, the callback runs at most every interval.
  auto last_report = start;
  std::uint32_t tick = 0;
  auto report_progress = [&](bool done) {
    Progress p;
    for (const auto& s : sources) {
      p.bytes_read += s->stats().bytes_read;
      p.bytes_total += s->stats().bytes_total;
      p.records += s->stats().records;
    }
    p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    p.done = done;
    options.progress(p);
  };
  std::vector<decode::Event> pending(sources.size());
  std::vector<bool> live(sources.size());
  for (std::size_t i = 0; i < sources.size(); ++i) live[i] = sources[i]->next(pending[i]);
  for (;;) {
    std::size_t best = sources.size();
    for (std::size_t i = 0; i < sources.size(); ++i) {
      if (live[i] && (best == sources.size() || pending[i].ts < pending[best].ts)) best = i;
    }
    if (best == sources.size()) break;
    const auto& ev = pending[best];
    if ((options.since && ev.ts < *options.since) || (options.until && ev.ts > *options.until)) {
      ++out.outside_time_window;
    } else {
      out.engine->on_event(ev);
      if (options.collect_baseline && out.engine->context().inside(ev.src)) out.baseline.add(ev);
      if (out.data) out.data->on_event(ev);
    }
    if (options.progress && ++tick % 1024 == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (std::chrono::duration<double>(now - last_report).count() >= options.progress_interval_s) {
        last_report = now;
        report_progress(false);
      }
    }
    live[best] = sources[best]->next(pending[best]);
  }
  if (options.progress) report_progress(true);
  out.engine->finish();
  for (auto& s : sources) out.inputs.push_back(s->stats());
  // Name inputs as the caller wishes (the bundled example is shown without its install path).
  for (std::size_t i = 0, j = 0; i < options.inputs.size() && j < out.inputs.size(); ++i) {
    if (out.inputs[j].path != options.inputs[i]) continue;
    if (i < options.display_names.size()) out.inputs[j].path = options.display_names[i];
    ++j;
  }
  for (auto& u : out.unreadable) {
    for (std::size_t i = 0; i < options.inputs.size() && i < options.display_names.size(); ++i) {
      if (u.path == options.inputs[i]) u.path = options.display_names[i];
    }
  }
  out.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Ok{};
}

}  // namespace netseen::report
