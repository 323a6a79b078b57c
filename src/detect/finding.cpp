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

namespace {
constexpr std::size_t kFirst = Finding::kMaxEvidence / 2;
constexpr std::size_t kLast = Finding::kMaxEvidence - kFirst;
}  // namespace

void EvidenceSampler::add(const decode::Origin& o) {
  ++seen_;
  if (first_.size() < kFirst) {
    if (first_.empty()) first_.reserve(kFirst);  // one allocation, not one per doubling
    first_.push_back(o);
    return;
  }
  if (last_.size() < kLast) {
    if (last_.empty()) last_.reserve(kLast);
    last_.push_back(o);
    return;
  }
  last_[next_] = o;
  next_ = (next_ + 1) % kLast;
}

std::vector<decode::Origin> EvidenceSampler::sample() const {
  std::vector<decode::Origin> out = first_;
  // Oldest of the ring first.
  for (std::size_t i = 0; i < last_.size(); ++i) out.push_back(last_[(next_ + i) % last_.size()]);
  return out;
}

}  // namespace netseen::detect
