#include "report/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "knowledge/kb.hpp"
#include "report/common.hpp"
#include "report/narrative.hpp"

namespace netseen::report {

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '\t':
        case '\n': out.push_back(static_cast<char>(c)); break;
        default:
          if (c < 0x20 || c == 0x7F) {
            out += kReplacement;
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF) is kept.
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07u;
    }
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (cc & 0x3Fu);
      }
    }
    if (ok) {
      const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
      const bool bad = overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || (cp >= 0x80 && cp <= 0x9F);
      ok = !bad;
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

namespace {

namespace kb = netseen::knowledge;

std::string esc(std::string_view s) { return html_escape(s); }

std::string utc(Timestamp t) {
  auto s = format_rfc3339(t).substr(0, 19);
  s[10] = ' ';
  return s;
}

std::string sev_name(detect::Severity s) { return std::string(to_string(s)); }

std::string sev_label(detect::Severity s) {
  std::string label(to_string(s));
  std::transform(label.begin(), label.end(), label.begin(), [](char c) { return static_cast<char>(c - 32); });
  return label;
}

// The severity as a badge: the word is the meaning, the colour and border style repeat it.
std::string badge(detect::Severity s) {
  return fmt::format(R"(<span class="sev sev-{}">{}</span>)", sev_name(s), sev_label(s));
}

std::string duration_text(std::int64_t us) {
  const double s = static_cast<double>(us) / 1e6;
  if (s < 1) return fmt::format("{:g} ms", static_cast<double>(us) / 1e3);
  if (s < 120) return fmt::format("{:g} s", std::round(s * 10) / 10);
  if (s < 7200) return fmt::format("{:g} min", std::round(s / 6) / 10);
  if (s < 172800) return fmt::format("{:g} h", std::round(s / 360) / 10);
  return fmt::format("{:g} days", std::round(s / 8640) / 10);
}

std::string num(std::uint64_t n) {  // 1234567 → "1,234,567"
  const auto d = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i != 0 && (d.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(d[i]);
  }
  return out;
}

std::string truncate(std::string_view s, std::size_t max_chars) {
  // Counts UTF-8 code points; cuts only at a boundary.
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) return std::string(s.substr(0, i)) + "…";
      ++chars;
    }
  }
  return std::string(s);
}

// ---- charts -----------------------------------------------------------------------------

struct Bar {
  std::string label;  // left of the bar
  std::uint64_t value = 0;
  std::string value_text;  // right of the bar; num(value) when empty
};

// A horizontal bar chart with its accessible name and description; values are printed
// beside every bar, so the chart reads without colour and without the table.
std::string bar_chart(std::string_view id, std::string_view title, std::string_view desc, const std::vector<Bar>& bars) {
  constexpr int kWidth = 640, kLabel = 250, kRow = 24, kTop = 6;
  const int height = kTop * 2 + kRow * static_cast<int>(std::max<std::size_t>(bars.size(), 1));
  std::uint64_t max = 1;
  std::size_t value_chars = 4;
  for (const auto& b : bars) {
    max = std::max(max, b.value);
    value_chars = std::max(value_chars, b.value_text.empty() ? num(b.value).size() : b.value_text.size());
  }
  const int kValue = 12 + 7 * static_cast<int>(std::min<std::size_t>(value_chars, 30));
  std::string out = fmt::format(
      R"(<svg class="chart bars" id="{0}" viewBox="0 0 {1} {2}" role="img" aria-labelledby="{0}-t {0}-d" )"
      R"(><title id="{0}-t">{3}</title><desc id="{0}-d">{4}</desc>)",
      id, kWidth, height, esc(title), esc(desc));
  const int span = kWidth - kLabel - kValue;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const int y = kTop + static_cast<int>(i) * kRow;
    const double w = std::max(1.0, static_cast<double>(b.value) / static_cast<double>(max) * span);
    out += fmt::format(R"(<text class="label" x="{}" y="{}" text-anchor="end">{}</text>)", kLabel - 8, y + 16,
                       esc(truncate(b.label, 34)));
    out += fmt::format(R"(<rect class="bar" x="{}" y="{}" width="{:.1f}" height="{}"/>)", kLabel, y + 4, w, kRow - 8);
    out += fmt::format(R"(<text class="value" x="{:.1f}" y="{}">{}</text>)", kLabel + w + 6, y + 16,
                       esc(b.value_text.empty() ? num(b.value) : b.value_text));
  }
  if (bars.empty()) out += fmt::format(R"(<text class="label" x="10" y="20">no data</text>)");
  out += "</svg>";
  return out;
}

// ---- the document -----------------------------------------------------------------------

constexpr std::string_view kCsp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

constexpr std::string_view kStyle = R"CSS(
:root{--bg:#ffffff;--fg:#1c1d1f;--muted:#5b6068;--card:#f5f6f8;--border:#cfd4da;--bar:#3f6fb0;--grid:#dde1e6;
--critical:#7d0a0a;--high:#b3261e;--medium:#8a5300;--low:#1d6a86;--info:#5f6368;--link:#0b57d0;--code:#eef0f3}
@media (prefers-color-scheme:dark){:root{--bg:#16181b;--fg:#e4e6e9;--muted:#a3a9b1;--card:#1f2226;--border:#3b4047;
--bar:#7ea9e8;--grid:#30353b;--critical:#ff9b93;--high:#ff8a80;--medium:#ffc861;--low:#7fd0ee;--info:#b4bac1;
--link:#8ab4f8;--code:#2a2e33}}
*{box-sizing:border-box}
html{color-scheme:light dark}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
header.top{padding:20px 24px 12px;border-bottom:1px solid var(--border)}
header.top h1{margin:0;font-size:24px}
header.top p{margin:4px 0 0;color:var(--muted)}
nav.toc{padding:8px 24px;border-bottom:1px solid var(--border);font-size:14px}
nav.toc a{margin-right:16px}
main{max-width:1180px;margin:0 auto;padding:0 24px 48px}
h2{font-size:20px;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--border)}
h3{font-size:17px;margin:20px 0 6px}
h4{font-size:15px;margin:0}
a{color:var(--link)}
p{margin:6px 0}
.muted{color:var(--muted)}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
code{background:var(--code);padding:0 3px;border-radius:3px}
table{border-collapse:collapse;margin:8px 0 12px;font-size:14px}
caption{text-align:left;font-weight:600;padding:2px 0 4px}
th,td{border:1px solid var(--border);padding:3px 8px;text-align:left;vertical-align:top}
th{background:var(--card)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;min-width:5.6em;text-align:center;font-weight:700;font-size:12px;letter-spacing:.05em;
padding:0 6px;border-radius:3px;border:2px solid currentColor;margin-right:6px;background:var(--bg)}
.sev-critical{color:var(--critical);border-style:double;border-width:4px}
.sev-high{color:var(--high)}
.sev-medium{color:var(--medium);border-style:dashed}
.sev-low{color:var(--low);border-style:dotted}
.sev-info{color:var(--info);border-width:1px}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.tile{border:1px solid var(--border);background:var(--card);border-radius:6px;padding:6px 12px;min-width:110px}
.tile b{display:block;font-size:22px}
ul.headlines{list-style:none;padding:0;margin:8px 0}
ul.headlines li{margin:6px 0;padding:6px 10px;background:var(--card);border-left:4px solid var(--border);border-radius:4px}
ul.headlines a{color:inherit;text-decoration-color:var(--border);text-underline-offset:3px}
ul.headlines a:hover{text-decoration-color:currentColor}
ul.headlines li.h-critical{border-left-color:var(--critical)} ul.headlines li.h-high{border-left-color:var(--high)}
ul.headlines li.h-medium{border-left-color:var(--medium)}
article.host{border:1px solid var(--border);border-radius:8px;padding:4px 16px 10px;margin:14px 0}
article.host>h3{margin-top:10px}
.finding{border-top:1px solid var(--border);padding:10px 0 6px}
.finding .head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px}
.finding .title{font-weight:600}
.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0}
.finding dt{color:var(--muted)}
.finding dd{margin:0;overflow-wrap:anywhere}
.attr .k{color:var(--muted)}
.advice{background:var(--card);border-left:4px solid var(--bar);padding:6px 10px;border-radius:4px}
.explain{border-left:3px dotted var(--border);padding-left:10px;margin:8px 0}
.explain dt{font-weight:600;color:var(--fg)}
.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:24px;align-items:start}
@media (max-width:900px){.pair{grid-template-columns:1fr}}
svg.chart{width:100%;height:auto;max-width:980px;display:block;margin:6px 0}
svg.chart text{fill:var(--fg);font-size:12px;font-family:system-ui,"DejaVu Sans",sans-serif}
svg.chart text.small{font-size:11px;fill:var(--muted)}
svg.chart .bar{fill:var(--bar)}
svg.chart .axis{stroke:var(--muted);stroke-width:1}
svg.chart .grid{stroke:var(--grid);stroke-width:1}
svg.chart .lane{fill:none;stroke:var(--grid)}
svg.chart .span-critical{stroke:var(--critical);fill:url(#tl-p-critical)}
svg.chart .span-high{stroke:var(--high);fill:url(#tl-p-high)}
svg.chart .span-medium{stroke:var(--medium);fill:var(--medium)}
svg.chart .span-low{stroke:var(--low);fill:url(#tl-p-low)}
svg.chart .span-info{stroke:var(--info);fill:none}
svg.chart .pc{fill:var(--critical)} svg.chart .ph{fill:var(--high)} svg.chart .pl{fill:var(--low)}
details{margin:6px 0 12px}
summary{cursor:pointer;color:var(--link)}
.nb-names td:first-child{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;white-space:pre}
footer{max-width:1180px;margin:0 auto;padding:12px 24px 32px;color:var(--muted);font-size:13px;border-top:1px solid var(--border)}
@media print{
:root{--bg:#fff;--fg:#000;--muted:#333;--card:#f2f2f2;--border:#999;--bar:#444;--grid:#ccc;--critical:#000;--high:#000;
--medium:#000;--low:#000;--info:#000;--link:#000;--code:#eee}
html{color-scheme:light}
body{font-size:11pt}
nav.toc{display:none}
main{max-width:none;padding:0}
h2{break-after:avoid}
.finding,table,svg.chart{break-inside:avoid}
article.host{border:none;padding:0}
a{text-decoration:none}
details>summary{display:none}
.pair{grid-template-columns:1fr}
}
)CSS";

class Html {
 public:
  Html(const AnalysisResult& r, const HtmlOptions& o) : r_(r), o_(o), findings_(select_findings(r, o.host)) {
    for (std::size_t i = 0; i < findings_.size(); ++i) anchor_[findings_[i]] = i;
  }

  std::string render() {
    head();
    out_ += "<main>\n";
    summary();
    timeline();
    findings();
    top();
    regions();
    netbios();
    traffic();
    out_ += "</main>\n";
    out_ += fmt::format(
        "<footer><p>Made by {} from the inputs listed above. This file is self-contained: it loads nothing from "
        "the network (its Content-Security-Policy forbids it) and prints as it looks. Times are UTC.</p></footer>\n"
        "</body>\n</html>\n",
        esc(o_.generator.empty() ? std::string("netseen") : o_.generator));
    return std::move(out_);
  }

 private:
  const AnalysisResult& r_;
  const HtmlOptions& o_;
  std::vector<const detect::Finding*> findings_;
  std::map<const detect::Finding*, std::size_t> anchor_;
  std::string out_;

  std::string finding_link(const detect::Finding* f, std::string_view text) {
    auto it = anchor_.find(f);
    if (it == anchor_.end()) return esc(text);
    return fmt::format(R"(<a href="#f-{}">{}</a>)", it->second, esc(text));
  }

  void head() {
    std::string title = "netseen report";
    if (!r_.inputs.empty()) {
      title += " — " + r_.inputs.front().path;
      if (r_.inputs.size() > 1) title += fmt::format(" and {} more", r_.inputs.size() - 1);
    }
    out_ += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out_ += fmt::format("<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n", kCsp);
    out_ += "<meta name=\"referrer\" content=\"no-referrer\">\n";
    out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ += "<meta name=\"color-scheme\" content=\"light dark\">\n";
    out_ += fmt::format("<meta name=\"generator\" content=\"{}\">\n",
                        esc(o_.generator.empty() ? std::string("netseen") : o_.generator));
    out_ += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n", esc(title), kStyle);
    out_ += "<header class=\"top\"><h1>netseen — what am I seeing?</h1>";
    if (o_.host) out_ += fmt::format("<p>Findings about {} only.</p>", esc(o_.host->to_string()));
    out_ += "</header>\n";
    out_ += "<nav class=\"toc\" aria-label=\"Sections\"><a href=\"#summary\">Summary</a>"
            "<a href=\"#timeline\">Timeline</a><a href=\"#findings\">Findings by host</a>"
            "<a href=\"#top\">Top sources, destinations, ports</a><a href=\"#regions\">Destinations by region</a>"
            "<a href=\"#netbios\">NetBIOS</a><a href=\"#traffic\">Traffic</a></nav>\n";
  }

  void summary() {
    const auto& es = r_.engine->stats();
    out_ += "<section id=\"summary\" aria-labelledby=\"summary-h\">\n<h2 id=\"summary-h\">Summary</h2>\n";
    out_ += fmt::format("<p>{}</p>\n", esc(read_sentence(r_)));
    std::map<detect::Severity, std::size_t> by_sev;
    for (const auto* f : findings_) ++by_sev[f->severity];
    out_ += "<div class=\"tiles\">";
    out_ += fmt::format("<div class=\"tile\"><b>{}</b>events</div>", num(es.events));
    out_ += fmt::format("<div class=\"tile\"><b>{}</b>hosts</div>", num(r_.engine->hosts().size()));
    if (es.have_ts) out_ += fmt::format("<div class=\"tile\"><b>{}</b>time span</div>", esc(span_text(es.first_ts, es.last_ts)));
    for (auto s : {detect::Severity::Critical, detect::Severity::High, detect::Severity::Medium, detect::Severity::Low,
                   detect::Severity::Info}) {
      out_ += fmt::format("<div class=\"tile\"><b>{}</b>{}</div>", by_sev[s], badge(s));
    }
    out_ += "</div>\n";

    const auto fs = first_screen(findings_);
    if (fs.headlines.empty()) {
      out_ += fmt::format("<p><strong>{}</strong></p>\n", esc(fs.quiet_sentence));
    } else {
      out_ += "<h3>What matters most</h3>\n<ul class=\"headlines\">\n";
      for (const auto& h : fs.headlines) {
        out_ += fmt::format("<li class=\"h-{}\">{} {}</li>\n", sev_name(h.severity), badge(h.severity),
                            finding_link(h.findings.front(), h.text));
      }
      out_ += "</ul>\n";
      if (fs.more > 0) out_ += fmt::format("<p>… and {} more in the findings below.</p>\n", fs.more);
      if (fs.background > 0) {
        out_ += fmt::format("<p class=\"muted\">{} benign or informational finding{} below.</p>\n", fs.background,
                            fs.background == 1 ? "" : "s");
      }
    }

    out_ += "<table class=\"inputs\"><caption>What was read</caption><thead><tr><th scope=\"col\">input</th>"
            "<th scope=\"col\">format</th><th scope=\"col\" class=\"n\">records</th><th scope=\"col\" class=\"n\">decoded</th>"
            "<th scope=\"col\" class=\"n\">skipped</th><th scope=\"col\" class=\"n\">errors</th><th scope=\"col\">first</th>"
            "<th scope=\"col\">last</th></tr></thead><tbody>\n";
    for (const auto& in : r_.inputs) {
      out_ += fmt::format(
          "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
          "<td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n",
          esc(in.path), esc(in.format), num(in.records), num(in.decoded), num(in.skipped), num(in.error_count),
          in.have_ts ? utc(in.first_ts) : "—", in.have_ts ? utc(in.last_ts) : "—");
    }
    for (const auto& u : r_.unreadable) {
      out_ += fmt::format("<tr><td class=\"mono\">{}</td><td colspan=\"7\">could not be read: {}</td></tr>\n", esc(u.path),
                          esc(u.reason));
    }
    out_ += "</tbody></table>\n";
    for (const auto& in : r_.inputs) {
      if (in.skipped_by_reason.empty() && in.errors.empty()) continue;
      out_ += fmt::format("<details><summary>Skipped records and errors in {}</summary><ul>", esc(in.path));
      for (const auto& [reason, n] : in.skipped_by_reason) out_ += fmt::format("<li>skipped ({}): {}</li>", esc(reason), num(n));
      for (std::size_t i = 0; i < in.errors.size() && i < 20; ++i) {
        out_ += fmt::format("<li>{}: {}</li>", esc(in.errors[i].where), esc(in.errors[i].what));
      }
      if (in.error_count > 20) out_ += fmt::format("<li>… {} more errors (--format json lists them)</li>", in.error_count - 20);
      out_ += "</ul></details>\n";
    }
    if (r_.outside_time_window > 0) {
      out_ += fmt::format("<p>{} events outside --since/--until were not analysed.</p>\n", num(r_.outside_time_window));
    }
    out_ += "</section>\n";
  }

  void finding_card(const detect::Finding& f) {
    const auto idx = anchor_[&f];
    out_ += fmt::format("<section class=\"finding\" id=\"f-{}\" aria-labelledby=\"f-{}-h\">\n", idx, idx);
    out_ += fmt::format(
        "<div class=\"head\">{}<h4 id=\"f-{}-h\"><code>{}</code></h4><span>{}, confidence {:.2f}</span></div>\n",
        badge(f.severity), idx, esc(f.id), esc(to_string(f.verdict)), f.confidence);
    out_ += fmt::format("<p class=\"title\">{}</p>\n<p>{}</p>\n", esc(f.title), esc(f.explanation));
    out_ += "<dl>";
    out_ += fmt::format("<dt>When</dt><dd>{} to {} UTC ({}), {} event{}</dd>", utc(f.first_seen), utc(f.last_seen),
                        esc(span_text(f.first_seen, f.last_seen)), num(f.events), f.events == 1 ? "" : "s");
    if (f.target_count > 0 || !f.target_sample.empty()) {
      std::string t;
      for (const auto& a : f.target_sample) t += (t.empty() ? "" : ", ") + a.to_string();
      if (f.target_count > f.target_sample.size()) t += fmt::format(" … ({} in all)", num(f.target_count));
      out_ += fmt::format("<dt>Targets</dt><dd class=\"mono\">{}</dd>", esc(t));
    }
    if (!f.regions.empty()) {
      std::string t;
      for (const auto& [reg, n] : f.regions) t += fmt::format("{}{} {}", t.empty() ? "" : ", ", reg, num(n));
      out_ += fmt::format("<dt>Regions</dt><dd>{}</dd>", esc(t));
    }
    std::string details;
    for (const auto& [k, v] : f.attributes) {
      std::string t = std::visit(
          [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) {
              return x;
            } else if constexpr (std::is_same_v<T, bool>) {
              return x ? "yes" : "no";
            } else if constexpr (std::is_same_v<T, double>) {
              return fmt::format("{:.4g}", x);
            } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
              std::string s;
              for (const auto& e : x) s += (s.empty() ? "" : ", ") + e;
              return s.empty() ? "—" : s;
            } else {
              return std::to_string(x);
            }
          },
          v);
      details += fmt::format("{}<span class=\"attr\"><span class=\"k\">{}</span> {}</span>", details.empty() ? "" : " · ",
                             esc(k), esc(t));
    }
    if (!details.empty()) out_ += fmt::format("<dt>Details</dt><dd>{}</dd>", details);
    out_ += "</dl>\n";
    if (!f.evidence.empty()) {
      // One row per input: where in it the kept events are.
      std::vector<std::uint32_t> order;
      std::map<std::uint32_t, std::vector<const decode::Origin*>> by;
      for (const auto& e : f.evidence) {
        if (by.find(e.input) == by.end()) order.push_back(e.input);
        by[e.input].push_back(&e);
      }
      out_ += fmt::format(
          "<table class=\"evidence\"><caption>Evidence: {} of {} event{} (the first and the latest)</caption>"
          "<thead><tr><th scope=\"col\">input</th><th scope=\"col\">where</th></tr></thead><tbody>",
          f.evidence.size(), num(f.events), f.events == 1 ? "" : "s");
      for (const auto in : order) {
        const auto& list = by[in];
        std::string where = list.front()->is_line ? (list.size() == 1 ? "line " : "lines ")
                                                  : (list.size() == 1 ? "frame " : "frames ");
        for (std::size_t i = 0; i < list.size(); ++i) where += fmt::format("{}{}", i == 0 ? "" : ", ", list[i]->number);
        out_ += fmt::format("<tr><td class=\"mono\">{}</td><td>{}</td></tr>", esc(input_name(r_, in)), where);
      }
      out_ += "</tbody></table>\n";
    }
    out_ += fmt::format("<p class=\"advice\"><strong>What to do:</strong> {}</p>\n", esc(f.advice));
    if (o_.explain) {
      const auto items = finding_narrative(r_, f);
      if (!items.empty()) {
        out_ += "<div class=\"explain\"><h5>Background from the knowledge base</h5><dl>";
        for (const auto& it : items) out_ += fmt::format("<dt>{}</dt><dd>{}</dd>", esc(it.topic), esc(it.text));
        out_ += "</dl></div>\n";
      }
    }
    out_ += "</section>\n";
  }

  void findings() {
    out_ += "<section id=\"findings\" aria-labelledby=\"findings-h\">\n<h2 id=\"findings-h\">Findings by host</h2>\n";
    if (findings_.empty()) out_ += "<p>No findings.</p>\n";
    std::size_t h = 0;
    for (const auto& [host, list] : findings_by_host(findings_)) {
      const auto facts = describe_host(r_, host);
      out_ += fmt::format("<article class=\"host\" id=\"h-{}\" aria-labelledby=\"h-{}-h\">\n<h3 id=\"h-{}-h\">{}</h3>\n", h, h,
                          h, esc(host.to_string()));
      if (!facts.empty()) out_ += fmt::format("<p class=\"muted\">{}</p>\n", esc(facts));
      for (const auto* f : list) finding_card(*f);
      out_ += "</article>\n";
      ++h;
    }
    out_ += "</section>\n";
  }

  void timeline() {
    out_ += "<section id=\"timeline\" aria-labelledby=\"timeline-h\">\n<h2 id=\"timeline-h\">Timeline</h2>\n";
    if (!r_.data || r_.data->timeline.empty()) {
      out_ += "<p>No events with time stamps were analysed.</p>\n</section>\n";
      return;
    }
    const auto& h = r_.data->timeline;
    const auto& c = h.counts();
    std::size_t first = c.size(), last = 0;
    std::uint64_t max = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (c[i] == 0) continue;
      first = std::min(first, i);
      last = i;
      max = std::max(max, c[i]);
    }
    if (first == c.size()) {
      out_ += "<p>No events were analysed.</p>\n</section>\n";
      return;
    }
    const std::int64_t t0 = h.origin_us() + static_cast<std::int64_t>(first) * h.width_us();
    const std::int64_t t1 = h.origin_us() + static_cast<std::int64_t>(last + 1) * h.width_us();
    const auto buckets = last - first + 1;

    // One lane per detector and severity (the grouping of the first screen), most severe first.
    constexpr std::size_t kMaxLanes = 16;
    std::vector<std::vector<const detect::Finding*>> groups;
    for (const auto* f : findings_) {
      auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& grp) {
        return grp.front()->id == f->id && grp.front()->severity == f->severity;
      });
      if (g == groups.end()) {
        groups.push_back({f});
      } else {
        g->push_back(f);
      }
    }
    const std::size_t lanes = std::min(kMaxLanes, groups.size());
    constexpr int kWidth = 1000, kLeft = 370, kRight = 24, kHist = 110, kLane = 22, kTop = 14;
    const int plot = kWidth - kLeft - kRight;
    const int lanes_top = kTop + kHist + 44;
    const int height = lanes_top + kLane * static_cast<int>(lanes) + 10;
    auto x_of = [&](std::int64_t t) {
      const double frac = static_cast<double>(std::clamp(t, t0, t1) - t0) / static_cast<double>(t1 - t0);
      return kLeft + frac * plot;
    };
    const std::string bucket_w = duration_text(h.width_us());
    out_ += fmt::format(
        R"(<svg class="chart timeline" id="tl" viewBox="0 0 {0} {1}" role="img" aria-labelledby="tl-t tl-d" )"
        R"(><title id="tl-t">Timeline: events per {2} and when each finding was active</title>)"
        R"(<desc id="tl-d">Upper part: a bar per {2} of time from {3} to {4} UTC, its height the number of events )"
        R"((square-root scale, at most {5}). Lower part: one row per detector and severity ({6} rows), labelled with )"
        R"(the severity, the detector and the host or number of hosts, with a bar from the first to the last event of )"
        R"(each finding. The same data is in the tables below the chart.</desc>)",
        kWidth, height, esc(bucket_w), utc(Timestamp{t0}), utc(Timestamp{t1}), num(max), lanes);
    // Patterns repeat severity in the fill, for readers who cannot tell the colours apart.
    out_ += R"(<defs><pattern id="tl-p-critical" width="6" height="6" patternUnits="userSpaceOnUse">)"
            R"(<rect class="pc" width="6" height="6"/></pattern>)"
            R"X(<pattern id="tl-p-high" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">)X"
            R"(<rect class="ph" width="3" height="6"/></pattern>)"
            R"(<pattern id="tl-p-low" width="6" height="6" patternUnits="userSpaceOnUse">)"
            R"(<circle class="pl" cx="3" cy="3" r="1.5"/></pattern></defs>)";
    // Histogram, square-root scale so that a quiet day next to a busy minute still shows.
    const double bw = static_cast<double>(plot) / static_cast<double>(buckets);
    auto y_of = [&](std::uint64_t v) {
      return std::sqrt(static_cast<double>(v) / static_cast<double>(max)) * kHist;
    };
    out_ += fmt::format(R"(<text class="small" x="{}" y="{}" text-anchor="end">events per {}</text>)", kLeft - 40,
                        kTop + kHist / 2 + 4, esc(bucket_w));
    for (const std::uint64_t v : {max, max / 4}) {
      if (v == 0 || (v == max / 4 && max < 8)) continue;
      const double y = kTop + kHist - y_of(v);
      out_ += fmt::format(R"(<line class="grid" x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}"/>)", kLeft, y, kWidth - kRight, y);
      out_ += fmt::format(R"(<text class="small" x="{}" y="{:.1f}" text-anchor="end">{}</text>)", kLeft - 6, y + 4, num(v));
    }
    for (std::size_t i = first; i <= last; ++i) {
      if (c[i] == 0) continue;
      const double hgt = std::max(1.0, y_of(c[i]));
      out_ += fmt::format(R"(<rect class="bar" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"><title>{} UTC: {} events</title></rect>)",
                          kLeft + static_cast<double>(i - first) * bw, kTop + kHist - hgt, std::max(1.0, bw - 1), hgt,
                          utc(Timestamp{h.origin_us() + static_cast<std::int64_t>(i) * h.width_us()}), num(c[i]));
    }
    const int axis_y = kTop + kHist;
    out_ += fmt::format(R"(<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>)", kLeft, axis_y, kWidth - kRight, axis_y);
    // Five time ticks: the full date and time at both ends, shorter labels between.
    const bool long_span = (t1 - t0) > std::int64_t{86400} * 1'000'000;
    for (int k = 0; k <= 4; ++k) {
      const std::int64_t t = t0 + (t1 - t0) / 4 * k;
      const double x = kLeft + plot * k / 4.0;
      const auto full = utc(Timestamp{k == 4 ? t1 : t});
      const auto label = (k == 0 || k == 4) ? full : (long_span ? full.substr(5, 11) : full.substr(11));
      const char* anchor = k == 0 ? "start" : (k == 4 ? "end" : "middle");
      out_ += fmt::format(R"(<line class="axis" x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}"/>)", x, axis_y, axis_y + 4);
      // The full stamps at the ends go on a second line, clear of the labels between.
      out_ += fmt::format(R"(<text class="small" x="{:.1f}" y="{}" text-anchor="{}">{}</text>)", x,
                          axis_y + ((k == 0 || k == 4) ? 30 : 16), anchor, label);
    }
    // Finding lanes.
    for (std::size_t i = 0; i < lanes; ++i) {
      const auto& g = groups[i];
      const auto* f0 = g.front();
      const int y = lanes_top + static_cast<int>(i) * kLane;
      out_ += fmt::format(R"(<rect class="lane" x="{}" y="{}" width="{}" height="{}"/>)", kLeft, y + 2, plot, kLane - 4);
      const auto who = g.size() == 1 ? truncate(f0->source.to_string(), 24) : fmt::format("({} hosts)", g.size());
      out_ += fmt::format(R"(<text x="{}" y="{}" text-anchor="end">{} {} {}</text>)", kLeft - 8, y + 15,
                          sev_label(f0->severity), esc(truncate(f0->id, 28)), esc(who));
      for (const auto* f : g) {
        const double x1 = x_of(f->first_seen.us);
        const double x2 = std::max(x1 + 4, x_of(f->last_seen.us));
        out_ += fmt::format(
            R"(<rect class="span-{}" x="{:.1f}" y="{}" width="{:.1f}" height="{}" stroke-width="1.5"><title>{} {} {}: {} to {} UTC</title></rect>)",
            sev_name(f->severity), x1, y + 5, x2 - x1, kLane - 10, sev_label(f->severity), esc(f->id),
            esc(f->source.to_string()), utc(f->first_seen), utc(f->last_seen));
      }
    }
    out_ += "</svg>\n";
    if (groups.size() > lanes) {
      out_ += fmt::format("<p class=\"muted\">The chart shows the {} most severe of {} kinds of finding; the table lists "
                          "every finding.</p>\n",
                          lanes, groups.size());
    }
    // The data behind the chart.
    out_ += "<details><summary>Timeline as tables</summary>\n";
    out_ += fmt::format("<table><caption>Events per {} (non-empty intervals)</caption><thead><tr><th scope=\"col\">from (UTC)</th>"
                        "<th scope=\"col\" class=\"n\">events</th></tr></thead><tbody>",
                        esc(bucket_w));
    for (std::size_t i = first; i <= last; ++i) {
      if (c[i] == 0) continue;
      out_ += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>",
                          utc(Timestamp{h.origin_us() + static_cast<std::int64_t>(i) * h.width_us()}), num(c[i]));
    }
    out_ += "</tbody></table>\n";
    out_ += "<table><caption>When each finding was active</caption><thead><tr><th scope=\"col\">severity</th>"
            "<th scope=\"col\">finding</th><th scope=\"col\">host</th><th scope=\"col\">first (UTC)</th>"
            "<th scope=\"col\">last (UTC)</th><th scope=\"col\" class=\"n\">events</th></tr></thead><tbody>";
    for (const auto* f : findings_) {
      out_ += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                          sev_label(f->severity), finding_link(f, f->id), esc(f->source.to_string()), utc(f->first_seen),
                          utc(f->last_seen), num(f->events));
    }
    out_ += "</tbody></table>\n</details>\n</section>\n";
  }

  // A chart and its table side by side.
  void chart_with_table(std::string_view id, std::string_view title, std::string_view desc, const std::vector<Bar>& bars,
                        const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows) {
    out_ += fmt::format("<h3>{}</h3>\n<div class=\"pair\"><div>", esc(title));
    out_ += bar_chart(id, title, desc, bars);
    out_ += "</div><div><table><caption>" + esc(title) + " (table)</caption><thead><tr>";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      out_ += fmt::format("<th scope=\"col\"{}>{}</th>", i + 1 == columns.size() ? " class=\"n\"" : "", esc(columns[i]));
    }
    out_ += "</tr></thead><tbody>";
    for (const auto& row : rows) {
      out_ += "<tr>";
      for (std::size_t i = 0; i < row.size(); ++i) {
        out_ += fmt::format("<td{}>{}</td>", i + 1 == row.size() ? " class=\"n\"" : "", esc(row[i]));
      }
      out_ += "</tr>";
    }
    if (rows.empty()) out_ += fmt::format("<tr><td colspan=\"{}\">none</td></tr>", columns.size());
    out_ += "</tbody></table></div></div>\n";
  }

  std::string host_note(const IpAddress& a) {
    std::string note = r_.engine->context().inside(a) ? "inside" : "outside";
    if (const auto* names = r_.engine->context().names_of(a); names != nullptr && !names->empty()) {
      note += ", " + names->front().name;
    }
    return note;
  }

  void top() {
    constexpr std::size_t kTop = 10;
    out_ += "<section id=\"top\" aria-labelledby=\"top-h\">\n<h2 id=\"top-h\">Top sources, destinations and ports</h2>\n";
    const auto sources = busiest_sources(r_, kTop);
    std::vector<Bar> bars;
    std::vector<std::vector<std::string>> rows;
    for (const auto* h : sources) {
      bars.push_back({h->address.to_string(), h->events_as_source, {}});
      rows.push_back({h->address.to_string(), host_note(h->address), num(h->events_as_source)});
    }
    chart_with_table("top-src", "Busiest sources",
                     fmt::format("Events sent by the {} most active source addresses, most first.", sources.size()), bars,
                     {"source", "what is known", "events"}, rows);

    std::vector<const detect::HostFacts*> dst;
    for (const auto& [a, h] : r_.engine->hosts()) {
      if (h.events_as_destination > 0) dst.push_back(&h);
    }
    const auto keep = std::min(kTop, dst.size());
    std::partial_sort(dst.begin(), dst.begin() + static_cast<std::ptrdiff_t>(keep), dst.end(), [](const auto* a, const auto* b) {
      if (a->events_as_destination != b->events_as_destination) return a->events_as_destination > b->events_as_destination;
      return a->address < b->address;
    });
    dst.resize(keep);
    bars.clear();
    rows.clear();
    for (const auto* h : dst) {
      bars.push_back({h->address.to_string(), h->events_as_destination, {}});
      rows.push_back({h->address.to_string(), r_.engine->context().region(h->address, h->first_seen),
                      num(h->events_as_destination)});
    }
    chart_with_table("top-dst", "Busiest destinations",
                     fmt::format("Events received by the {} most targeted addresses, most first.", dst.size()), bars,
                     {"destination", "region", "events"}, rows);

    bars.clear();
    rows.clear();
    if (r_.data) {
      const auto& k = kb::builtin_kb();
      for (const auto& p : r_.data->ports.top(kTop)) {
        std::string label, service;
        if (p.transport == decode::Transport::Icmp) {
          label = fmt::format("icmp type {}", p.port);
          if (const auto* i = k.icmp_type(static_cast<std::uint8_t>(p.port))) service = i->name;
        } else {
          label = fmt::format("{}/{}", p.port, decode::to_string(p.transport));
          if (const auto* i = k.port(p.transport, p.port)) service = i->service;
        }
        bars.push_back({service.empty() ? label : label + " " + service, p.events, {}});
        rows.push_back({label, service.empty() ? "—" : service, num(p.events)});
      }
    }
    chart_with_table("top-ports", "Busiest destination ports",
                     "Events per destination port (TCP and UDP) and per ICMP type, most first, with the service the "
                     "knowledge base names.",
                     bars, {"port", "service", "events"}, rows);
    if (!r_.data) out_ += "<p class=\"muted\">Port counts were not collected in this run.</p>\n";
    out_ += "</section>\n";
  }

  void regions() {
    out_ += "<section id=\"regions\" aria-labelledby=\"regions-h\">\n<h2 id=\"regions-h\">Destinations by registry and region</h2>\n";
    out_ += "<p>Every destination address, placed by the knowledge base on the day it was first seen: the regional "
            "registry that held its block then, a special-purpose block, or “inside” for your own networks.</p>\n";
    struct Agg {
      std::uint64_t addresses = 0, events = 0;
    };
    std::map<std::string, Agg> by;
    for (const auto& [a, h] : r_.engine->hosts()) {
      if (h.events_as_destination == 0) continue;
      auto& g = by[r_.engine->context().region(a, h.first_seen)];
      ++g.addresses;
      g.events += h.events_as_destination;
    }
    std::vector<std::pair<std::string, Agg>> sorted(by.begin(), by.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) {
      if (x.second.events != y.second.events) return x.second.events > y.second.events;
      return x.first < y.first;
    });
    std::vector<Bar> bars;
    std::vector<std::vector<std::string>> rows;
    for (const auto& [name, g] : sorted) {
      std::string where(kb::region_of_registry(name));
      if (name == "inside") where = "your networks (--home-net)";
      if (name == "reserved" || name == "unallocated") where = "not in use on the day of the traffic (a bogon)";
      if (name == "legacy") where = "legacy block, held outside the regional registries";
      if (name == "multicast") where = "multicast";
      if (where.empty()) where = "special-purpose block";
      if (bars.size() < 12) {
        bars.push_back({name, g.events, fmt::format("{} ({} addr.)", num(g.events), num(g.addresses))});
      }
      rows.push_back({name, where, num(g.addresses), num(g.events)});
    }
    out_ += "<div class=\"pair\"><div>";
    out_ += bar_chart("regions-chart", "Destinations by registry and region",
                      "Events sent to each registry, region or address block, most first; the number of distinct "
                      "destination addresses in brackets.",
                      bars);
    out_ += "</div><div><table><caption>Destinations by registry and region (table)</caption><thead><tr>"
            "<th scope=\"col\">registry or block</th><th scope=\"col\">region</th><th scope=\"col\" class=\"n\">addresses</th>"
            "<th scope=\"col\" class=\"n\">events</th></tr></thead><tbody>";
    for (const auto& row : rows) {
      out_ += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>", esc(row[0]),
                          esc(row[1]), row[2], row[3]);
    }
    if (rows.empty()) out_ += "<tr><td colspan=\"4\">none</td></tr>";
    out_ += "</tbody></table></div></div>\n</section>\n";
  }

  void netbios() {
    out_ += "<section id=\"netbios\" aria-labelledby=\"netbios-h\">\n<h2 id=\"netbios-h\">NetBIOS</h2>\n";
    const auto& k = kb::builtin_kb();
    bool any = false;
    if (r_.data && !r_.data->node_status.tables().empty()) {
      any = true;
      const auto& log = r_.data->node_status;
      out_ += fmt::format("<h3>Node-status tables ({} host{} answered)</h3>\n", log.tables().size(),
                          log.tables().size() == 1 ? "" : "s");
      if (log.dropped() > 0) {
        out_ += fmt::format("<p class=\"muted\">{} more answers came from hosts beyond the first {}; not shown.</p>\n",
                            num(log.dropped()), NodeStatusLog::kMaxTables);
      }
      for (const auto& [addr, t] : log.tables()) {
        out_ += fmt::format(
            "<table class=\"nb-names\"><caption>{} answered {} node-status quer{} (first {} UTC, to {}; {} frame {}){}</caption>"
            "<thead><tr><th scope=\"col\">name</th><th scope=\"col\">suffix</th><th scope=\"col\">type</th>"
            "<th scope=\"col\">node</th><th scope=\"col\">state</th><th scope=\"col\">service</th></tr></thead><tbody>",
            esc(addr.to_string()), num(t.answers), t.answers == 1 ? "y" : "ies", utc(t.first_seen), esc(t.asked_by.to_string()),
            esc(input_name(r_, t.origin.input)), t.origin.number,
            t.unit_id ? fmt::format("; MAC {}", esc(t.unit_id->to_string())) : std::string());
        for (const auto& n : t.names) {
          std::string state;
          if (n.node_type != '?') {
            state = n.active ? "active" : "inactive";
            if (n.permanent) state += ", permanent";
            if (n.conflict) state += ", in conflict";
            if (n.deregistering) state += ", being released";
          }
          const auto lt = n.name.rfind('<');
          const auto* info = k.nb_special(lt == std::string::npos ? n.name : n.name.substr(0, lt), n.suffix);
          if (info == nullptr) info = k.nb_suffix(n.suffix, n.group);
          if (info == nullptr) info = k.nb_suffix(n.suffix);
          out_ += fmt::format("<tr><td>{}</td><td class=\"mono\">&lt;{:02X}&gt;</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                              esc(lt == std::string::npos ? n.name : n.name.substr(0, lt)), n.suffix,
                              n.node_type == '?' ? "—" : (n.group ? "group" : "unique"),
                              n.node_type == '?' ? std::string("—") : std::string(1, n.node_type) + "-node",
                              state.empty() ? "—" : state, esc(info != nullptr ? info->service : std::string("—")));
        }
        if (t.names.empty()) out_ += "<tr><td colspan=\"6\">no names in the answer</td></tr>";
        if (t.declared_names > t.names.size()) {
          out_ += fmt::format("<tr><td colspan=\"6\">{} names declared, {} shown</td></tr>", t.declared_names, t.names.size());
        }
        out_ += "</tbody></table>\n";
      }
    }
    // Names every host claimed for itself (registrations, node-status answers).
    std::vector<std::pair<IpAddress, const std::vector<detect::NetbiosNameSeen>*>> named;
    for (const auto& [a, h] : r_.engine->hosts()) {
      if (const auto* n = r_.engine->context().names_of(a); n != nullptr && !n->empty()) named.emplace_back(a, n);
    }
    std::sort(named.begin(), named.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    if (!named.empty()) {
      any = true;
      constexpr std::size_t kMaxRows = 500;
      out_ += fmt::format("<h3>Names learned ({} host{})</h3>\n", named.size(), named.size() == 1 ? "" : "s");
      out_ += "<table class=\"nb-learned\"><caption>NetBIOS names each host registered or listed for itself</caption>"
              "<thead><tr><th scope=\"col\">host</th><th scope=\"col\">names</th></tr></thead><tbody>";
      for (std::size_t i = 0; i < named.size() && i < kMaxRows; ++i) {
        std::string names;
        for (const auto& n : *named[i].second) names += (names.empty() ? "" : " ") + n.name;
        out_ += fmt::format("<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>", esc(named[i].first.to_string()),
                            esc(names));
      }
      if (named.size() > kMaxRows) out_ += fmt::format("<tr><td colspan=\"2\">… {} more hosts</td></tr>", named.size() - kMaxRows);
      out_ += "</tbody></table>\n";
    }
    if (!any) out_ += "<p>No NetBIOS node-status answers or name registrations were seen.</p>\n";
    out_ += "</section>\n";
  }

  void traffic() {
    const auto& es = r_.engine->stats();
    out_ += "<section id=\"traffic\" aria-labelledby=\"traffic-h\">\n<h2 id=\"traffic-h\">Traffic</h2>\n";
    out_ += "<div class=\"pair\"><div><table><caption>Events by protocol</caption><thead><tr><th scope=\"col\">protocol</th>"
            "<th scope=\"col\" class=\"n\">events</th></tr></thead><tbody>";
    for (const auto& [p, n] : es.by_protocol) out_ += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>", esc(p), num(n));
    out_ += "</tbody></table></div><div>";
    if (!es.by_action.empty()) {
      out_ += "<table><caption>Firewall actions</caption><thead><tr><th scope=\"col\">action</th>"
              "<th scope=\"col\" class=\"n\">events</th></tr></thead><tbody>";
      for (const auto& [a, n] : es.by_action) out_ += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>", esc(a), num(n));
      out_ += "</tbody></table>";
    }
    out_ += "</div></div>\n";
    if (!r_.engine->context().evictions().empty()) {
      std::string t;
      for (const auto& [d, n] : r_.engine->context().evictions()) t += fmt::format("{}{} {}", t.empty() ? "" : ", ", d, n);
      out_ += fmt::format("<p class=\"muted\">State dropped to stay within memory caps: {}.</p>\n", esc(t));
    }
    out_ += "</section>\n";
  }
};

}  // namespace

std::string render_html(const AnalysisResult& result, const HtmlOptions& options) {
  return Html(result, options).render();
}

}  // namespace netseen::report
