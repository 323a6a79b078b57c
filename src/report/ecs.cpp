#include "report/ecs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "report/common.hpp"

namespace netseen::report {

namespace {

using nlohmann::ordered_json;

// A whole-number attribute, when the finding has it.
std::optional<std::int64_t> int_attr(const detect::Finding& f, std::string_view key) {
  for (const auto& [k, v] : f.attributes) {
    if (k == key) {
      if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
    }
  }
  return std::nullopt;
}

ordered_json ecs_document(const AnalysisResult& r, const detect::Finding& f, const EcsOptions& o) {
  ordered_json j;
  j["@timestamp"] = format_rfc3339(f.first_seen);
  j["ecs"] = {{"version", kEcsVersion}};
  j["message"] = f.title;

  ordered_json ev;
  ev["kind"] = "alert";
  ordered_json cat = ordered_json::array({"network"});
  if (f.verdict == detect::Verdict::Suspicious || f.verdict == detect::Verdict::Malicious) {
    cat.push_back("intrusion_detection");
  }
  ev["category"] = cat;
  ev["type"] = ordered_json::array({"info"});
  ev["module"] = "netseen";
  ev["dataset"] = "netseen.finding";
  ev["severity"] = ecs_severity(f.severity);
  ev["start"] = format_rfc3339(f.first_seen);
  ev["end"] = format_rfc3339(f.last_seen);
  ev["duration"] = (f.last_seen.us >= f.first_seen.us ? f.last_seen.us - f.first_seen.us : 0) * 1000;  // ns
  ev["id"] = f.dedup_key.empty() ? fmt::format("{}:{}", f.id, f.source.to_string()) : f.dedup_key;
  ev["reason"] = f.explanation;
  j["event"] = ev;

  const auto description = detector_description(f.id, f.title);
  const auto dot = f.id.find('.');
  j["rule"] = {{"id", f.id},
               {"name", f.id},
               {"description", std::string(description)},
               {"category", f.id.substr(0, dot)},
               {"ruleset", "netseen"}};

  ordered_json src;
  src["ip"] = f.source.to_string();
  if (auto p = int_attr(f, "source_port"); p && *p >= 0 && *p <= 65535) src["port"] = *p;
  if (const auto c = r.engine->context().country(f.source)) {  // only with --geoip
    ordered_json geo;
    geo["country_iso_code"] = c->code;
    if (!c->name.empty()) geo["country_name"] = c->name;
    src["geo"] = geo;
  }
  j["source"] = src;

  ordered_json dst = ordered_json::object();
  if (f.target_count == 1 && f.target_sample.size() == 1) dst["ip"] = f.target_sample.front().to_string();
  for (const char* key : {"port", "service_port"}) {
    if (auto p = int_attr(f, key); p && *p >= 0 && *p <= 65535) {
      dst["port"] = *p;
      break;
    }
  }
  if (!dst.empty()) j["destination"] = dst;

  if (const auto t = finding_transport(f); !t.empty()) j["network"] = {{"transport", t}};
  ordered_json obs = {{"vendor", "netseen"}, {"product", "netseen"}, {"type", "ids"}};
  if (!o.observer_version.empty()) obs["version"] = o.observer_version;
  j["observer"] = obs;

  ordered_json related = ordered_json::array({f.source.to_string()});
  for (const auto& a : f.target_sample) {
    const auto s = a.to_string();
    if (std::find(related.begin(), related.end(), s) == related.end()) related.push_back(s);
  }
  j["related"] = {{"ip", related}};

  ordered_json ns;
  ns["severity"] = std::string(to_string(f.severity));
  ns["verdict"] = std::string(to_string(f.verdict));
  ns["confidence"] = std::round(f.confidence * 100) / 100;
  ns["source_inside"] = r.engine->context().inside(f.source);
  ordered_json sample = ordered_json::array();
  for (const auto& a : f.target_sample) sample.push_back(a.to_string());
  ordered_json regions = ordered_json::object();
  for (const auto& [k, n] : f.regions) regions[k] = n;
  ns["targets"] = {{"count", f.target_count}, {"sample", sample}, {"regions", regions}};
  ns["events"] = f.events;
  ns["advice"] = f.advice;
  ordered_json evidence = ordered_json::array();
  for (const auto& og : f.evidence) {
    ordered_json e;
    e["input"] = input_name(r, og.input);
    e[og.is_line ? "line" : "frame"] = og.number;
    evidence.push_back(e);
  }
  ns["evidence"] = evidence;
  ordered_json attrs = ordered_json::object();
  for (const auto& [k, v] : f.attributes) {
    attrs[k] = std::visit([](const auto& x) { return ordered_json(x); }, v);
  }
  ns["attributes"] = attrs;
  j["netseen"] = ns;
  return j;
}

}  // namespace

int ecs_severity(detect::Severity s) noexcept { return static_cast<int>(s) + 1; }

std::string render_ecs(const AnalysisResult& r, const EcsOptions& o) {
  return collect([&](const ReportSink& sink) { render_ecs(r, o, sink); });
}

void render_ecs(const AnalysisResult& r, const EcsOptions& o, const ReportSink& sink) {
  std::string out;
  for (const auto* f : select_findings(r, o.host)) {
    out += ecs_document(r, *f, o).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    out += '\n';
    drain(out, sink);
  }
  drain(out, sink, true);
}

}  // namespace netseen::report
