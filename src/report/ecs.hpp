// JSON Lines in Elastic Common Schema (`--format ecs`): one alert document per finding,
// with the ECS fields where a mapping exists (@timestamp, event.*, rule.*, source.*,
// destination.*, network.transport, observer.*, message, related.ip) and the rest of the
// finding under `netseen.*`. The mapping is documented in docs/ecs.md and checked against
// docs/ecs.schema.json by the tests.
#pragma once

#include <optional>
#include <string>

#include "report/common.hpp"
#include "report/pipeline.hpp"

namespace netseen::report {

inline constexpr const char* kEcsVersion = "8.11.0";

struct EcsOptions {
  std::optional<IpAddress> host;
  std::string observer_version;  // netseen's version, for observer.version
};

std::string render_ecs(const AnalysisResult& result, const EcsOptions& options);
// The same, handed to `sink` in pieces of whole lines as it is produced.
void render_ecs(const AnalysisResult& result, const EcsOptions& options, const ReportSink& sink);

// ECS event.severity for a netseen severity: info 1, low 2, medium 3, high 4, critical 5.
int ecs_severity(detect::Severity s) noexcept;

}  // namespace netseen::report
