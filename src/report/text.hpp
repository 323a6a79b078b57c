// The terminal report.
#pragma once

#include <string>

#include "report/pipeline.hpp"

namespace netseen::report {

struct TextOptions {
  bool color = false;
};

std::string render_text(const AnalysisResult& result, const TextOptions& options);

}  // namespace netseen::report
