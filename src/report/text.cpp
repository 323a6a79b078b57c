#include "report/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

#include "report/common.hpp"
#include "report/narrative.hpp"
#include "report/watch_attribution.hpp"

namespace netseen::report {

namespace {

// Wraps `text` at `width` columns; the first line starts with `indent`, the others with
// `hang` (defaults to `indent`).
std::string wrap(std::string_view text, std::size_t width, std::string_view indent, std::string_view hang = {}) {
  if (hang.empty()) hang = indent;
  std::string out;
  std::string line(indent);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto sp = text.find(' ', pos);
    const auto word = text.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos);
    if (line.size() > indent.size() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = std::string(hang);
      indent = hang;
    }
    if (line.size() > indent.size()) line += ' ';
    line += word;
    if (sp == std::string_view::npos) break;
    pos = sp + 1;
  }
  if (line.size() > indent.size()) out += line + "\n";
  return out;
}

struct Style {
  bool color;
  [[nodiscard]] std::string sev(detect::Severity s) const {
    std::string label(to_string(s));
    std::transform(label.begin(), label.end(), label.begin(), [](char c) { return static_cast<char>(c - 32); });
    if (!color) return label;
    const char* code = "0";
    switch (s) {
      case detect::Severity::Critical: code = "1;97;41"; break;
      case detect::Severity::High: code = "1;31"; break;
      case detect::Severity::Medium: code = "33"; break;
      case detect::Severity::Low: code = "36"; break;
      case detect::Severity::Info: code = "2"; break;
    }
    return fmt::format("\x1b[{}m{}\x1b[0m", code, label);
  }
  [[nodiscard]] std::string bold(std::string_view s) const {
    return color ? fmt::format("\x1b[1m{}\x1b[0m", s) : std::string(s);
  }
};

// --explain: the knowledge base's background for one finding.
std::string explain_text(const AnalysisResult& r, const detect::Finding& f, std::size_t width) {
  const auto items = finding_narrative(r, f);
  if (items.empty()) return {};
  std::string out = "      Background:\n";
  for (const auto& it : items) out += wrap(it.topic + " — " + it.text, width, "        ", "          ");
  return out;
}

// History marks (report/history): " [new]", " [grown]", " [known since 2026-11-01, 3 runs]".
std::string history_mark(const AnalysisResult& r, const detect::Finding* f) {
  if (!r.history) return {};
  const auto& all = r.engine->findings();
  const auto i = static_cast<std::size_t>(f - all.data());
  if (i >= r.history->findings.size()) return {};
  const auto& h = r.history->findings[i];
  if (h.status == HistoryStatus::Known) {
    return fmt::format(" [known since {}, {} runs]", format_rfc3339(h.first_seen).substr(0, 10), h.runs);
  }
  if (h.status == HistoryStatus::Grown) return fmt::format(" [grown, {} runs]", h.runs);
  return " [new]";
}

std::string history_summary(const AnalysisResult& r) {
  if (!r.history) return {};
  const auto& h = *r.history;
  std::size_t counts[3] = {0, 0, 0};
  for (const auto& f : h.findings) ++counts[static_cast<std::size_t>(f.status)];
  std::string out;
  if (!h.reset_notice.empty()) out += "  Warning: " + h.reset_notice + "\n";
  if (!h.previous_run_at) {
    out += fmt::format("History: first run recorded in {}; every finding is new.\n", h.db_path);
    return out;
  }
  std::string new_inside;
  std::size_t n_inside = 0;
  for (const auto& [a, hh] : h.hosts) {
    if (!hh.is_new || !r.engine->context().inside(a)) continue;
    if (++n_inside <= 5) new_inside += (new_inside.empty() ? "" : ", ") + a.to_string();
  }
  if (n_inside > 5) new_inside += fmt::format(" and {} more", n_inside - 5);
  out += fmt::format("History: run {} in {} (previous {}): {} new host{}{}; findings {} new, {} grown, {} known.\n",
                     h.run, h.db_path, format_rfc3339(*h.previous_run_at).substr(0, 16) + "Z", h.new_hosts,
                     h.new_hosts == 1 ? "" : "s", n_inside > 0 ? " (inside: " + new_inside + ")" : std::string(),
                     counts[0], counts[1], counts[2]);
  return out;
}

}  // namespace

std::string render_text(const AnalysisResult& r, const TextOptions& o) {
  return collect([&](const ReportSink& sink) { render_text(r, o, sink); });
}

void render_text(const AnalysisResult& r, const TextOptions& o, const ReportSink& sink) {
  const Style st{o.color};
  const std::size_t width = o.width == 0 ? 100 : o.width;
  std::string out;
  const auto& es = r.engine->stats();
  out += st.bold("netseen — what am I seeing?") + "\n\n";

  // What was read.
  out += read_sentence(r) + "\n";
  for (const auto& in : r.inputs) {
    out += fmt::format("  {}  [{}]  {} read, {} decoded, {} skipped, {} error{}\n", in.path, in.format, in.records,
                       in.decoded, in.skipped, in.error_count, in.error_count == 1 ? "" : "s");
    if (in.live) {
      out += fmt::format("      kernel: {} packets received, {} dropped (buffer full), {} dropped by the interface\n",
                         in.kernel_received, in.kernel_dropped, in.interface_dropped);
    }
    for (const auto& [reason, n] : in.skipped_by_reason) out += fmt::format("      skipped ({}): {}\n", reason, n);
    if (in.events_not_logged != 0) {
      out += fmt::format("      the firewall reports {} event{} it did not log (INFO-EVENTS-LOST)\n", in.events_not_logged,
                         in.events_not_logged == 1 ? "" : "s");
    }
    for (std::size_t i = 0; i < in.errors.size() && i < 5; ++i) {
      out += fmt::format("      {}: {}\n", in.errors[i].where, in.errors[i].what);
    }
    if (in.error_count > 5) out += fmt::format("      … {} more errors (--format json lists them)\n", in.error_count - 5);
  }
  for (const auto& u : r.unreadable) out += fmt::format("  {}  could not be read: {}\n", u.path, u.reason);
  if (r.outside_time_window > 0) {
    out += fmt::format("  {} events outside --since/--until were not analysed\n", r.outside_time_window);
  }
  out += history_summary(r);

  const auto findings = select_findings(r, o.host);
  // A headline with its history marks: one per finding, or "[N new]" / "[known]" for a group.
  auto headline = [&](const Headline& h) {
    std::string marks;
    if (!h.grouped) {
      marks = history_mark(r, h.findings.front());
    } else if (r.history) {
      std::size_t fresh = 0;
      for (const auto* x : h.findings) fresh += history_mark(r, x) == " [new]" ? 1 : 0;
      marks = fresh > 0 ? fmt::format(" [{} new]", fresh) : std::string(" [known]");
    }
    return wrap(st.sev(h.severity) + " " + h.text + marks, width, "  ", "      ");
  };
  // The first screen: the findings that matter, one sentence each.
  const auto fs = first_screen(findings);
  out += "\n";
  if (fs.headlines.empty()) {
    out += fs.quiet_sentence + "\n";
  } else {
    out += st.bold("What matters most") + "\n";
    for (const auto& h : fs.headlines) out += headline(h);
    if (fs.more > 0) out += fmt::format("  … and {} more below.\n", fs.more);
  }

  // Per host, by severity; background (below medium) is summarised unless asked for in full.
  const bool all = o.all || o.host.has_value();
  std::vector<const detect::Finding*> full, background;
  for (const auto* f : findings) (all || !is_background(*f) ? full : background).push_back(f);
  if (!full.empty()) {
    out += "\n" + st.bold("Findings by host") + "\n";
    for (const auto& [h, list] : findings_by_host(full)) {
      const auto facts = describe_host(r, h);
      const auto* hh = r.history && r.history->previous_run_at ? r.history->host(h) : nullptr;
      out += "\n" + st.bold(h.to_string()) + (facts.empty() ? "" : "  (" + facts + ")") +
             (hh != nullptr && hh->is_new ? "  [new host]" : "") + "\n";
      for (const auto* f : list) {
        const auto mark = history_mark(r, f);
        out += fmt::format("  {}  {}  {}, confidence {:.2f}{}{}\n", st.sev(f->severity), f->id, to_string(f->verdict),
                           f->confidence, mark.empty() ? "" : " ", mark);
        out += wrap(f->title, width, "      ");
        out += wrap(f->explanation, width, "      ");
        if (!f->target_sample.empty()) {
          std::string t;
          for (const auto& a : f->target_sample) t += (t.empty() ? "" : ", ") + a.to_string();
          if (f->target_count > f->target_sample.size()) t += fmt::format(" … ({} in all)", f->target_count);
          out += wrap("Targets: " + t, width, "      ");
        }
        if (!f->regions.empty() && !(f->regions.size() == 1 && f->regions.begin()->first == "unknown")) {
          std::string t;
          for (const auto& [reg, n] : f->regions) t += fmt::format("{}{} {}", t.empty() ? "" : ", ", reg, n);
          out += wrap("Regions: " + t, width, "      ");
        }
        out += wrap("Evidence: " + evidence_text(r, f->evidence), width, "      ");
        if (const auto proc = process_text(*f); !proc.empty()) out += wrap("Process: " + proc, width, "      ");
        out += wrap("What to do: " + f->advice, width, "      ");
        if (o.explain) out += explain_text(r, *f, width);
      }
      drain(out, sink);
    }
  }
  if (!background.empty()) {
    out += "\n" + st.bold("Background") +
           fmt::format(" ({} finding{} below medium severity, summarised; --all or --host ADDR shows each in full)\n",
                       background.size(), background.size() == 1 ? "" : "s");
    for (const auto& h : group_headlines(background, background.size())) {
      out += headline(h);
      drain(out, sink);
    }
  }

  out += "\n" + st.bold("Traffic") + "\n";
  if (!es.by_protocol.empty()) {
    std::string t;
    for (const auto& [p, n] : es.by_protocol) t += fmt::format("{}{} {}", t.empty() ? "" : ", ", p, n);
    out += wrap("By protocol: " + t, width, "  ");
  }
  if (!es.by_action.empty()) {
    std::string t;
    for (const auto& [a, n] : es.by_action) t += fmt::format("{}{} {}", t.empty() ? "" : ", ", a, n);
    out += wrap("Firewall actions: " + t, width, "  ");
  }
  const auto busiest = busiest_sources(r, 5);
  if (!busiest.empty()) {
    std::string t;
    for (const auto* h : busiest) {
      t += fmt::format("{}{} ({})", t.empty() ? "" : ", ", h->address.to_string(), h->events_as_source);
    }
    out += wrap("Busiest sources: " + t, width, "  ");
  }
  drain(out, sink, true);
}

}  // namespace netseen::report
