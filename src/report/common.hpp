// Helpers shared by the renderers.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/pipeline.hpp"

namespace netseen::report {

// Where a renderer writes the report while producing it: a month of logs makes tens of MB
// of JSON, which should not sit whole in memory (as one growing string it doubled its
// capacity up to twice the report, beside the detectors' state). Pieces of about
// kReportChunk bytes; the last one shorter.
using ReportSink = std::function<void(std::string_view)>;
inline constexpr std::size_t kReportChunk = std::size_t{256} * 1024;
// Hands `buf` to `sink` and empties it once it holds kReportChunk bytes (always when
// `last` and not empty).
inline void drain(std::string& buf, const ReportSink& sink, bool last = false) {
  if (buf.empty() || (!last && buf.size() < kReportChunk)) return;
  sink(buf);
  buf.clear();
}
// Runs a streaming renderer and returns what it wrote, as one string.
template <class Render>
std::string collect(Render&& render) {
  std::string all;
  render([&all](std::string_view piece) { all += piece; });
  return all;
}

// Findings in report order, optionally only those about one host.
std::vector<const detect::Finding*> select_findings(const AnalysisResult& r, const std::optional<IpAddress>& host);
// "inside, Windows-like, 3 hops, names WORKSTATION7<00>" — what is known about a host.
std::string describe_host(const AnalysisResult& r, const IpAddress& a);
// "office.pcap frames 12, 13, 40; fw.log line 9"
std::string evidence_text(const AnalysisResult& r, const std::vector<decode::Origin>& ev);
// The input's name for an Origin.
std::string input_name(const AnalysisResult& r, std::uint32_t index);
// Most active sources, most events first, ties by address.
std::vector<const detect::HostFacts*> busiest_sources(const AnalysisResult& r, std::size_t n);

// "12.5 s", "3.2 min", "1.5 h", "2.0 days".
std::string span_text(Timestamp a, Timestamp b);
// "Read 2 inputs: 446 records, 446 events, 2004-09-12T08:00:00Z to … (2.1 days); 97 hosts."
std::string read_sentence(const AnalysisResult& r);
// The detector's one-line description ("one source probes many ports of one host"), or
// the finding's title when the detector is unknown.
std::string_view detector_description(std::string_view id, std::string_view fallback);

// The transport a finding's traffic used: the "transport" attribute, else what the detector
// watches ("udp" for NetBIOS name service, "icmp" for ICMP detectors); "" when mixed or unknown.
std::string finding_transport(const detect::Finding& f);

// The first screen: the findings that matter (medium and above), one sentence each. The
// same detector firing on three or more hosts at one severity is one headline naming the
// hosts, so twenty copies of one story do not hide the others.
struct Headline {
  detect::Severity severity{};
  std::string text;  // the sentence, without the severity label
  std::vector<const detect::Finding*> findings;
  bool grouped = false;  // one sentence for three or more hosts
};
struct FirstScreen {
  std::vector<Headline> headlines;   // from at most kMaxGroups groups
  std::size_t more = 0;              // groups left out
  std::size_t important = 0;         // findings at medium severity and above
  std::size_t background = 0;        // findings below medium
  // "Nothing that needs attention was found." etc. when there is no headline; empty otherwise.
  std::string quiet_sentence;
  static constexpr std::size_t kMaxGroups = 8;
};
FirstScreen first_screen(const std::vector<const detect::Finding*>& findings);
// Findings grouped as on the first screen (detector and severity; three or more hosts make
// one sentence), at most max_groups groups; the groups left out are counted in *more.
std::vector<Headline> group_headlines(const std::vector<const detect::Finding*>& findings, std::size_t max_groups,
                                      std::size_t* more = nullptr);
// Background: below medium severity. The text report summarises these instead of printing
// each in full (unless --all or --host).
inline bool is_background(const detect::Finding& f) { return f.severity < detect::Severity::Medium; }

// Findings grouped by the host they are about, hosts in the order of their first finding.
std::vector<std::pair<IpAddress, std::vector<const detect::Finding*>>> findings_by_host(
    const std::vector<const detect::Finding*>& findings);

}  // namespace netseen::report
