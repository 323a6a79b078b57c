// JSON Lines output: exactly the contract of design/product.md (docs/json-output.md).
// One object per line: every "input", every "finding", every "host" that sent traffic
// or has a finding, and one "summary", in a stable order.
#pragma once

#include <optional>
#include <string>

#include "report/pipeline.hpp"

namespace netseen::report {

struct JsonOptions {
  std::optional<IpAddress> host;
};

std::string render_json(const AnalysisResult& result, const JsonOptions& options);

}  // namespace netseen::report
