// The long narrative of `--explain`: for one finding, what the knowledge base knows about
// the ports, ICMP messages and addresses it involves, and about the host it is about
// (its TTLs, IP ids and NetBIOS names) — the same facts `netseen explain TOPIC` prints,
// gathered for the reader so they do not have to ask topic by topic.
#pragma once

#include <string>
#include <vector>

#include "report/pipeline.hpp"

namespace netseen::report {

struct NarrativeItem {
  std::string topic;  // "137/udp netbios-ns", "icmp 3/3", "62.3.53.26", "TTL", …
  std::string text;   // plain sentences
};

// At most a dozen items, in a fixed order: what the detector looks for, ports, ICMP,
// addresses and regions, then the source host.
std::vector<NarrativeItem> finding_narrative(const AnalysisResult& r, const detect::Finding& f);

}  // namespace netseen::report
