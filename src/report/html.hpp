// The HTML report (`--format html -o report.html`): one self-contained file that makes no
// network request (a Content-Security-Policy forbids every fetch; styles are inline, charts
// are inline SVG drawn here), readable offline and from an e-mail attachment, in light and
// dark, printable. Sections: summary, findings by host, timeline, top sources /
// destinations / ports, destinations by region, NetBIOS node-status tables and names.
// Every chart has a <title>, a <desc> and a data table; no meaning is carried by colour
// alone. Every string from the input is HTML-escaped (host names in NetBIOS packets can
// contain anything).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "report/pipeline.hpp"

namespace netseen::report {

struct HtmlOptions {
  std::optional<IpAddress> host;  // --host: only findings about this address
  bool explain = false;           // --explain: the knowledge base's background per finding
  std::string generator;          // "netseen 0.1.0", for <meta name="generator">
};

// Uses result.data (ReportData) for the timeline, ports and node-status tables when the
// analysis collected it (AnalyzeOptions::collect_report_data); those sections say so otherwise.
std::string render_html(const AnalysisResult& result, const HtmlOptions& options);

// Text for HTML content and attribute values: & < > " ' escaped, invalid UTF-8 and control
// characters replaced by U+FFFD.
std::string html_escape(std::string_view text);

}  // namespace netseen::report
