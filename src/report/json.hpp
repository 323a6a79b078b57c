// JSON Lines output: exactly the contract of design/product.md (docs/json-output.md).
// One object per line: every "input", every "finding", every "host" that sent traffic
// or has a finding, and one "summary", in a stable order.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "report/common.hpp"
#include "report/pipeline.hpp"

namespace netseen::report {

struct JsonOptions {
  std::optional<IpAddress> host;
};

std::string render_json(const AnalysisResult& result, const JsonOptions& options);
// The same, handed to `sink` line by line in pieces (ReportSink) as it is produced.
void render_json(const AnalysisResult& result, const JsonOptions& options, const ReportSink& sink);

// One "finding" object, the same as in render_json, as a single line without the newline.
// A non-empty `status` ("new", "grown": netseen watch) is added as the field "status".
std::string render_finding_json(const AnalysisResult& result, const detect::Finding& finding,
                                std::string_view status = {});

}  // namespace netseen::report
