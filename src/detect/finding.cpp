#include "detect/finding.hpp"

#include <algorithm>

namespace netseen::detect {

std::string_view to_string(Severity s) noexcept {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Low: return "low";
    case Severity::Medium: return "medium";
    case Severity::High: return "high";
    case Severity::Critical: return "critical";
  }
  return "info";
}

std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::Benign: return "benign";
    case Verdict::Misconfiguration: return "misconfiguration";
    case Verdict::Suspicious: return "suspicious";
    case Verdict::Malicious: return "malicious";
  }
  return "benign";
}

bool parse_severity(std::string_view text, Severity& out) noexcept {
  for (auto s : {Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical}) {
    if (text == to_string(s)) {
      out = s;
      return true;
    }
  }
  return false;
}

std::vector<decode::Origin> EvidenceSampler::sample() const {
  std::vector<decode::Origin> out;
  const std::size_t first = static_cast<std::size_t>(std::min<std::uint64_t>(seen_, kFirst));
  out.reserve(Finding::kMaxEvidence);
  for (std::size_t i = 0; i < first; ++i) out.push_back(unpack(slots_[i]));
  if (seen_ <= kFirst) return out;
  // The ring, oldest first: slot of event n (0-based, n >= kFirst) is kFirst + (n - kFirst) % kLast.
  const std::uint64_t in_ring = std::min<std::uint64_t>(seen_ - kFirst, kLast);
  const std::uint64_t oldest = seen_ - in_ring;  // event number of the oldest kept
  for (std::uint64_t n = oldest; n < seen_; ++n) {
    out.push_back(unpack(slots_[kFirst + static_cast<std::size_t>((n - kFirst) % kLast)]));
  }
  return out;
}

}  // namespace netseen::detect
