#include "report/common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

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
  if (const auto c = r.engine->context().country(a)) {
    parts.push_back("country " + c->code + (c->name.empty() ? std::string() : " (" + c->name + ")") +
                    (c->registered_only ? ", registered there" : ""));
  }
  const auto& hosts = r.engine->hosts();
  if (auto it = hosts.find(a); it != hosts.end()) {
    const auto g = detect::guess_ttl(it->second, &r.engine->context().kb());
    if (g.initial != 0) {
      parts.push_back(fmt::format("{}, initial TTL {}, {} hop{}", g.os_family, g.initial, g.hops,
                                  g.hops == 1 ? "" : "s"));
    }
    if (const auto tc = detect::ttl_consistency(it->second); tc.inconsistent) {
      parts.push_back(fmt::format("TTLs inconsistent ({}: spoofed, decoy or several machines)", tc.summary()));
    }
  }
  if (const auto* names = r.engine->context().names_of(a)) {
    std::string t;
    for (const auto& n : *names) t += (t.empty() ? "" : " ") + n.name + (n.group ? " (group)" : "");
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

std::string span_text(Timestamp a, Timestamp b) {
  const double s = static_cast<double>(b.us - a.us) / 1e6;
  if (s < 120) return fmt::format("{:.1f} s", s);
  if (s < 7200) return fmt::format("{:.1f} min", s / 60);
  if (s < 172800) return fmt::format("{:.1f} h", s / 3600);
  return fmt::format("{:.1f} days", s / 86400);
}

std::string read_sentence(const AnalysisResult& r) {
  const auto& es = r.engine->stats();
  std::uint64_t records = 0;
  for (const auto& in : r.inputs) records += in.records;
  std::string when;
  if (es.have_ts) {
    when = fmt::format(", {} to {} ({})", format_rfc3339(es.first_ts).substr(0, 19) + "Z",
                       format_rfc3339(es.last_ts).substr(0, 19) + "Z", span_text(es.first_ts, es.last_ts));
  }
  return fmt::format("Read {} input{}: {} records, {} events{}; {} hosts.", r.inputs.size(),
                     r.inputs.size() == 1 ? "" : "s", records, es.events, when, r.engine->hosts().size());
}

std::string_view detector_description(std::string_view id, std::string_view fallback) {
  static const auto detectors = detect::make_all_detectors();
  for (const auto& d : detectors) {
    if (d->id() == id) return d->description();
  }
  return fallback;
}

std::string finding_transport(const detect::Finding& f) {
  for (const auto& [k, v] : f.attributes) {
    if (k != "transport") continue;
    if (const auto* s = std::get_if<std::string>(&v)) {
      if (*s == "tcp" || *s == "udp" || *s == "icmp") return *s;
    }
  }
  const std::string_view id = f.id;
  auto starts = [&](std::string_view p) { return id.substr(0, p.size()) == p; };
  if (starts("nbstat.") || starts("nbns.") || id == "scan.udp" || id == "trace.udp" || id == "dos.fraggle") {
    return "udp";
  }
  if (id == "scan.tcp_flags" || id == "scan.sscan" || id == "scan.proxy" || id == "service.identd_backconnect") {
    return "tcp";
  }
  if (starts("icmp.") || id == "trace.icmp" || id == "dos.smurf") return "icmp";
  return "";
}

std::vector<Headline> group_headlines(const std::vector<const detect::Finding*>& findings, std::size_t max_groups,
                                      std::size_t* more) {
  std::vector<std::vector<const detect::Finding*>> groups;
  for (const auto* f : findings) {
    auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& grp) {
      return grp.front()->id == f->id && grp.front()->severity == f->severity;
    });
    if (g == groups.end()) {
      groups.push_back({f});
    } else {
      g->push_back(f);
    }
  }
  std::vector<Headline> out;
  std::size_t shown = 0;
  for (const auto& g : groups) {
    if (shown == max_groups) {
      if (more != nullptr) ++*more;
      continue;
    }
    ++shown;
    const auto* f = g.front();
    if (g.size() < 3) {
      // Two findings of one detector stay two sentences (each says what it is about).
      for (const auto* x : g) {
        out.push_back({x->severity,
                       fmt::format("{} — {}, {:.0f}% sure.", x->title, to_string(x->verdict), x->confidence * 100),
                       {x},
                       false});
      }
      continue;
    }
    // One host can hold many findings of a detector (one per target): name each host once and
    // say how many findings there are when that differs from the hosts.
    std::vector<IpAddress> sources;
    std::set<IpAddress> seen;
    for (const auto* x : g) {
      if (seen.insert(x->source).second) sources.push_back(x->source);
    }
    std::string hosts;
    for (std::size_t i = 0; i < sources.size() && i < 4; ++i) hosts += (i == 0 ? "" : ", ") + sources[i].to_string();
    if (sources.size() > 4) hosts += fmt::format(" and {} more", sources.size() - 4);
    const std::string where =
        sources.size() == g.size()
            ? fmt::format("{} on {} hosts ({})", f->id, g.size(), hosts)
            : fmt::format("{}: {} findings on {} host{} ({})", f->id, g.size(), sources.size(),
                          sources.size() == 1 ? "" : "s", hosts);
    out.push_back({f->severity,
                   fmt::format("{}: {} — {}.", where, std::string(detector_description(f->id, f->title)),
                               to_string(f->verdict)),
                   g, true});
  }
  return out;
}

FirstScreen first_screen(const std::vector<const detect::Finding*>& findings) {
  FirstScreen fs;
  std::vector<const detect::Finding*> important;
  for (const auto* f : findings) {
    if (is_background(*f)) {
      ++fs.background;
    } else {
      important.push_back(f);
    }
  }
  fs.important = important.size();
  if (findings.empty()) {
    fs.quiet_sentence = "Nothing that needs attention was found.";
  } else if (important.empty()) {
    fs.quiet_sentence = fmt::format("Nothing above low severity; {} benign or informational finding{} below.",
                                    fs.background, fs.background == 1 ? "" : "s");
  }
  fs.headlines = group_headlines(important, FirstScreen::kMaxGroups, &fs.more);
  return fs;
}

std::vector<std::pair<IpAddress, std::vector<const detect::Finding*>>> findings_by_host(
    const std::vector<const detect::Finding*>& findings) {
  std::vector<std::pair<IpAddress, std::vector<const detect::Finding*>>> out;
  std::map<IpAddress, std::size_t> index;
  for (const auto* f : findings) {
    auto [it, fresh] = index.emplace(f->source, out.size());
    if (fresh) out.push_back({f->source, {}});
    out[it->second].second.push_back(f);
  }
  return out;
}

}  // namespace netseen::report
