// The analysis pipeline: open every input, stream its events in time order through the
// detection engine, and collect what the reports need.
#pragma once

#include <string>
#include <vector>

#include "detect/engine.hpp"
#include "ingest/source.hpp"

namespace netseen::report {

struct AnalyzeOptions {
  std::vector<std::string> inputs;
  ingest::OpenOptions open;
};

struct UnreadableInput {
  std::string path;
  std::string reason;
};

struct AnalysisResult {
  std::vector<ingest::InputStats> inputs;      // one per readable input, in the order given
  std::vector<UnreadableInput> unreadable;     // inputs that could not be opened at all
  detect::Engine engine;
  double elapsed_s = 0;
};

// Runs the whole analysis. Unreadable inputs are recorded, the rest still analysed.
void run_analysis(const AnalyzeOptions& options, AnalysisResult& out);

}  // namespace netseen::report
