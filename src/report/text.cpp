#include "report/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace netseen::report {

namespace {
std::string span_text(Timestamp a, Timestamp b) {
  const double s = static_cast<double>(b.us - a.us) / 1e6;
  if (s < 120) return fmt::format("{:.1f} s", s);
  if (s < 7200) return fmt::format("{:.1f} min", s / 60);
  if (s < 172800) return fmt::format("{:.1f} h", s / 3600);
  return fmt::format("{:.1f} days", s / 86400);
}
}  // namespace

std::string render_text(const AnalysisResult& r, const TextOptions&) {
  std::string out;
  const auto& st = r.engine.stats();
  out += "netseen — what am I seeing?\n\n";
  out += "Inputs\n";
  for (const auto& in : r.inputs) {
    out += fmt::format("  {}  [{}]  {} records, {} decoded, {} skipped, {} errors\n", in.path, in.format, in.records,
                       in.decoded, in.skipped, in.error_count);
    for (const auto& [reason, n] : in.skipped_by_reason) out += fmt::format("      skipped {}: {}\n", reason, n);
    for (const auto& e : in.errors) out += fmt::format("      {}: {}\n", e.where, e.what);
    if (in.error_count > in.errors.size()) {
      out += fmt::format("      … and {} more errors\n", in.error_count - in.errors.size());
    }
  }
  for (const auto& u : r.unreadable) out += fmt::format("  {}  could not be read: {}\n", u.path, u.reason);
  out += "\nTraffic\n";
  if (st.have_ts) {
    out += fmt::format("  {} events from {} to {} ({})\n", st.events, format_rfc3339(st.first_ts),
                       format_rfc3339(st.last_ts), span_text(st.first_ts, st.last_ts));
  } else {
    out += fmt::format("  {} events\n", st.events);
  }
  out += fmt::format("  {} hosts\n", r.engine.hosts().size());
  if (!st.by_protocol.empty()) {
    out += "  by protocol:";
    for (const auto& [p, n] : st.by_protocol) out += fmt::format(" {} {}", p, n);
    out += "\n";
  }
  if (!st.by_action.empty()) {
    out += "  firewall actions:";
    for (const auto& [a, n] : st.by_action) out += fmt::format(" {} {}", a, n);
    out += "\n";
  }
  // The busiest sources, most events first (ties by address, for stable output).
  std::vector<const detect::HostFacts*> hosts;
  for (const auto& [addr, h] : r.engine.hosts()) {
    if (h.events_as_source > 0) hosts.push_back(&h);
  }
  std::sort(hosts.begin(), hosts.end(), [](const auto* a, const auto* b) {
    if (a->events_as_source != b->events_as_source) return a->events_as_source > b->events_as_source;
    return a->address < b->address;
  });
  if (!hosts.empty()) {
    out += "\nBusiest sources\n";
    for (std::size_t i = 0; i < hosts.size() && i < 10; ++i) {
      out += fmt::format("  {:<40} {} events\n", hosts[i]->address.to_string(), hosts[i]->events_as_source);
    }
  }
  return out;
}

}  // namespace netseen::report
