// Helpers shared by the renderers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/pipeline.hpp"

namespace netseen::report {

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

}  // namespace netseen::report
