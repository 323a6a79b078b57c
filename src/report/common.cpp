#include "report/common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace netseen::report {

std::vector<const detect::Finding*> select_findings(const AnalysisResult& r, const std::optional<IpAddress>& host) {
  std::vector<const detect::Finding*> out;
  for (const auto& f : r.engine->findings()) {
    if (!host || f.source == *host) out.push_back(&f);
  }
  return out;
}

std::string describe_host(const AnalysisResult& r, const IpAddress& a) {
  std::vector<std::string> parts;
  parts.emplace_back(r.engine->context().inside(a) ? "inside" : "outside");
  const auto& hosts = r.engine->hosts();
  if (auto it = hosts.find(a); it != hosts.end()) {
    const auto g = detect::guess_ttl(it->second);
    if (g.initial != 0) {
      parts.push_back(fmt::format("{}, initial TTL {}, {} hop{}", g.os_family, g.initial, g.hops,
                                  g.hops == 1 ? "" : "s"));
    }
  }
  if (const auto* names = r.engine->context().names_of(a)) {
    std::string t;
    for (const auto& n : *names) t += (t.empty() ? "" : " ") + n.name;
    parts.push_back("NetBIOS names " + t);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

std::string input_name(const AnalysisResult& r, std::uint32_t index) {
  return index < r.inputs.size() ? r.inputs[index].path : fmt::format("input {}", index);
}

std::string evidence_text(const AnalysisResult& r, const std::vector<decode::Origin>& ev) {
  // Group by input, keep order of first appearance.
  std::vector<std::uint32_t> order;
  std::map<std::uint32_t, std::vector<const decode::Origin*>> by;
  for (const auto& o : ev) {
    if (by.find(o.input) == by.end()) order.push_back(o.input);
    by[o.input].push_back(&o);
  }
  std::string out;
  for (auto in : order) {
    const auto& list = by[in];
    const bool lines = list.front()->is_line;
    std::string nums;
    for (const auto* o : list) nums += fmt::format("{}{}", nums.empty() ? "" : ", ", o->number);
    out += fmt::format("{}{} {} {}", out.empty() ? "" : "; ", input_name(r, in),
                       lines ? (list.size() == 1 ? "line" : "lines") : (list.size() == 1 ? "frame" : "frames"), nums);
  }
  return out.empty() ? "none kept" : out;
}

std::vector<const detect::HostFacts*> busiest_sources(const AnalysisResult& r, std::size_t n) {
  std::vector<const detect::HostFacts*> hosts;
  for (const auto& [addr, h] : r.engine->hosts()) {
    if (h.events_as_source > 0) hosts.push_back(&h);
  }
  std::sort(hosts.begin(), hosts.end(), [](const auto* a, const auto* b) {
    if (a->events_as_source != b->events_as_source) return a->events_as_source > b->events_as_source;
    return a->address < b->address;
  });
  if (hosts.size() > n) hosts.resize(n);
  return hosts;
}

}  // namespace netseen::report
