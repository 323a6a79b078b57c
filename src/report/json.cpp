#include "report/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "report/common.hpp"

namespace netseen::report {

namespace {

using nlohmann::ordered_json;

ordered_json attr_value(const detect::AttrValue& v) {
  return std::visit([](const auto& x) { return ordered_json(x); }, v);
}

// Divides by the whole number of units per 1 (100, 1000): 0.7 prints as 0.7, not as
// 0.7000000000000001 (which 70 * 0.01 gives).
double round_to(double v, double unit) { return std::round(v / unit) / std::round(1.0 / unit); }

ordered_json input_json(const ingest::InputStats& in) {
  ordered_json j;
  j["kind"] = "input";
  j["path"] = in.path;
  j["format"] = in.format;
  j["records"] = in.records;
  j["decoded"] = in.decoded;
  j["skipped"] = in.skipped;
  ordered_json reasons = ordered_json::object();
  for (const auto& [k, n] : in.skipped_by_reason) reasons[k] = n;
  j["skipped_by_reason"] = reasons;
  if (in.events_not_logged != 0) j["events_not_logged"] = in.events_not_logged;
  j["error_count"] = in.error_count;
  ordered_json errs = ordered_json::array();
  for (const auto& e : in.errors) errs.push_back({{"where", e.where}, {"what", e.what}});
  j["errors"] = errs;
  j["first_ts"] = in.have_ts ? ordered_json(format_rfc3339(in.first_ts)) : ordered_json(nullptr);
  j["last_ts"] = in.have_ts ? ordered_json(format_rfc3339(in.last_ts)) : ordered_json(nullptr);
  if (in.live) {
    j["kernel_received"] = in.kernel_received;
    j["kernel_dropped"] = in.kernel_dropped;
    j["interface_dropped"] = in.interface_dropped;
  }
  return j;
}

// Only with --geoip: {"code", "name", "registered_only"} or null.
ordered_json country_json(const std::optional<knowledge::Country>& c) {
  if (!c) return nullptr;
  return ordered_json{{"code", c->code}, {"name", c->name}, {"registered_only", c->registered_only}};
}

ordered_json finding_json(const AnalysisResult& r, const detect::Finding& f) {
  ordered_json j;
  j["kind"] = "finding";
  j["id"] = f.id;
  j["severity"] = std::string(to_string(f.severity));
  j["verdict"] = std::string(to_string(f.verdict));
  j["confidence"] = round_to(f.confidence, 0.01);
  j["source"] = f.source.to_string();
  if (r.engine && r.engine->context().has_geoip()) j["source_country"] = country_json(r.engine->context().country(f.source));
  ordered_json sample = ordered_json::array();
  for (const auto& a : f.target_sample) sample.push_back(a.to_string());
  ordered_json regions = ordered_json::object();
  for (const auto& [k, n] : f.regions) regions[k] = n;
  j["targets"] = {{"count", f.target_count}, {"sample", sample}, {"regions", regions}};
  j["first_seen"] = format_rfc3339(f.first_seen);
  j["last_seen"] = format_rfc3339(f.last_seen);
  j["events"] = f.events;
  j["title"] = f.title;
  j["explanation"] = f.explanation;
  j["advice"] = f.advice;
  ordered_json ev = ordered_json::array();
  for (const auto& o : f.evidence) {
    ordered_json e;
    e["input"] = input_name(r, o.input);
    e[o.is_line ? "line" : "frame"] = o.number;
    ev.push_back(e);
  }
  j["evidence"] = ev;
  ordered_json attrs = ordered_json::object();
  for (const auto& [k, v] : f.attributes) attrs[k] = attr_value(v);
  j["attributes"] = attrs;
  j["dedup_key"] = f.dedup_key;
  // The history marks are parallel to the engine's findings; a finding from elsewhere (a
  // watch snapshot) has none. Pointers are compared with std::less, which is defined even
  // for objects of different arrays.
  const std::vector<detect::Finding>* all = r.engine ? &r.engine->findings() : nullptr;
  const std::less<const detect::Finding*> before;
  if (r.history && all != nullptr && !all->empty() && !before(&f, all->data()) &&
      before(&f, all->data() + all->size())) {
    const auto i = static_cast<std::size_t>(&f - all->data());
    if (i < r.history->findings.size()) {
      const auto& h = r.history->findings[i];
      j["history"] = {{"status", std::string(to_string(h.status))},
                      {"first_seen", format_rfc3339(h.first_seen)},
                      {"runs", h.runs}};
    }
  }
  return j;
}

}  // namespace

std::string render_finding_json(const AnalysisResult& r, const detect::Finding& f, std::string_view status) {
  auto j = finding_json(r, f);
  if (!status.empty()) j["status"] = std::string(status);
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::string render_json(const AnalysisResult& r, const JsonOptions& o) {
  std::string out;
  auto line = [&](const ordered_json& j) {
    out += j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    out += '\n';
  };
  for (const auto& in : r.inputs) line(input_json(in));
  for (const auto& u : r.unreadable) {
    ordered_json j;
    j["kind"] = "input";
    j["path"] = u.path;
    j["format"] = "unreadable";
    j["records"] = 0;
    j["decoded"] = 0;
    j["skipped"] = 0;
    j["skipped_by_reason"] = ordered_json::object();
    j["error_count"] = 1;
    j["errors"] = ordered_json::array({{{"where", "open"}, {"what", u.reason}}});
    j["first_ts"] = nullptr;
    j["last_ts"] = nullptr;
    line(j);
  }
  const auto findings = select_findings(r, o.host);
  std::map<IpAddress, std::vector<std::string>> ids_by_host;
  std::map<std::string, std::uint64_t> by_sev;
  for (const auto* f : findings) {
    line(finding_json(r, *f));
    auto& ids = ids_by_host[f->source];
    if (std::find(ids.begin(), ids.end(), f->id) == ids.end()) ids.push_back(f->id);
    ++by_sev[std::string(to_string(f->severity))];
  }
  // Hosts: every source of traffic and every host a finding is about, by address.
  std::set<IpAddress> hosts;
  for (const auto& [a, h] : r.engine->hosts()) {
    if (h.events_as_source > 0 && (!o.host || a == *o.host)) hosts.insert(a);
  }
  for (const auto& [a, ids] : ids_by_host) hosts.insert(a);
  for (const auto& a : hosts) {
    ordered_json j;
    j["kind"] = "host";
    j["address"] = a.to_string();
    j["inside"] = r.engine->context().inside(a);
    if (r.engine->context().has_geoip()) j["country"] = country_json(r.engine->context().country(a));
    const auto& all = r.engine->hosts();
    auto it = all.find(a);
    const detect::HostFacts empty{};
    const auto& h = it == all.end() ? empty : it->second;
    j["events"] = h.events_as_source;
    j["events_received"] = h.events_as_destination;
    j["bytes"] = h.bytes_as_source;
    const auto g = detect::guess_ttl(h, &r.engine->context().kb());
    j["ttl_initial_guess"] = g.initial != 0 ? ordered_json(g.initial) : ordered_json(nullptr);
    j["hops"] = g.initial != 0 ? ordered_json(g.hops) : ordered_json(nullptr);
    j["os_family_guess"] = g.initial != 0 ? ordered_json(g.os_family) : ordered_json(nullptr);
    if (const auto tc = detect::ttl_consistency(h); tc.inconsistent) {
      j["ttl_inconsistency"] = {{"initial_ttls", tc.initials},
                                {"hops_min", tc.hops_min},
                                {"hops_max", tc.hops_max},
                                {"summary", tc.summary()}};
    }
    j["ipid_pattern"] = detect::ipid_pattern(h);
    if (h.ip_ids_from_log) j["ipid_from_log"] = true;
    ordered_json names = ordered_json::array();
    ordered_json name_types = ordered_json::array();
    if (const auto* n = r.engine->context().names_of(a)) {
      for (const auto& nm : *n) {
        names.push_back(nm.name);
        name_types.push_back({{"name", nm.name}, {"type", nm.group ? "group" : "unique"}});
      }
    }
    j["netbios_names"] = names;
    j["netbios_name_types"] = name_types;
    auto fi = ids_by_host.find(a);
    j["findings"] = fi == ids_by_host.end() ? ordered_json::array() : ordered_json(fi->second);
    if (const auto* hh = r.history ? r.history->host(a) : nullptr) {
      j["history"] = {{"new", hh->is_new}, {"first_seen", format_rfc3339(hh->first_seen)}, {"runs", hh->runs}};
    }
    line(j);
  }
  ordered_json s;
  s["kind"] = "summary";
  std::uint64_t records = 0;
  for (const auto& in : r.inputs) records += in.records;
  s["records"] = records;
  s["events"] = r.engine->stats().events;
  s["hosts"] = r.engine->hosts().size();
  ordered_json sev = ordered_json::object();
  for (const char* k : {"critical", "high", "medium", "low", "info"}) sev[k] = by_sev[k];
  s["findings"] = sev;
  ordered_json ev = ordered_json::object();
  for (const auto& [k, n] : r.engine->context().evictions()) ev[k] = n;
  s["evicted"] = ev;
  if (r.history) {
    const auto& h = *r.history;
    std::uint64_t counts[3] = {0, 0, 0};
    for (const auto& f : h.findings) ++counts[static_cast<std::size_t>(f.status)];
    s["history"] = {
        {"db", h.db_path},
        {"run", h.run},
        {"previous_run", h.previous_run_at ? ordered_json(format_rfc3339(*h.previous_run_at)) : ordered_json(nullptr)},
        {"new_hosts", h.new_hosts},
        {"findings", {{"new", counts[0]}, {"grown", counts[1]}, {"known", counts[2]}}},
        {"reset", h.reset_notice.empty() ? ordered_json(nullptr) : ordered_json(h.reset_notice)}};
  }
  s["elapsed_s"] = round_to(r.elapsed_s, 0.001);
  line(s);
  return out;
}

}  // namespace netseen::report
