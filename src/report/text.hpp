// The terminal report: the first screen answers "what am I seeing?", then findings per
// host by severity, then the traffic summary.
#pragma once

#include <optional>
#include <string>

#include "report/common.hpp"
#include "report/pipeline.hpp"

namespace netseen::report {

struct TextOptions {
  bool color = false;
  std::size_t width = 100;
  std::optional<IpAddress> host;  // --host: only findings about this address
  bool explain = false;
  bool all = false;               // --all: findings below medium in full too (else summarised)           // --explain: the knowledge base's background under each finding
};

std::string render_text(const AnalysisResult& result, const TextOptions& options);
// The same, handed to `sink` in pieces (host by host in the findings) as it is produced.
void render_text(const AnalysisResult& result, const TextOptions& options, const ReportSink& sink);

}  // namespace netseen::report
