#include "report/pipeline.hpp"

#include <chrono>
#include <memory>

namespace netseen::report {

void run_analysis(const AnalyzeOptions& options, AnalysisResult& out) {
  const auto start = std::chrono::steady_clock::now();
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
  std::vector<decode::Event> pending(sources.size());
  std::vector<bool> live(sources.size());
  for (std::size_t i = 0; i < sources.size(); ++i) live[i] = sources[i]->next(pending[i]);
  for (;;) {
    std::size_t best = sources.size();
    for (std::size_t i = 0; i < sources.size(); ++i) {
      if (live[i] && (best == sources.size() || pending[i].ts < pending[best].ts)) best = i;
    }
    if (best == sources.size()) break;
    out.engine.on_event(pending[best]);
    live[best] = sources[best]->next(pending[best]);
  }
  out.engine.finish();
  for (auto& s : sources) out.inputs.push_back(s->stats());
  out.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace netseen::report
