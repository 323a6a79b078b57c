#include "detect/netbios_events.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace netseen::detect {

bool is_decoded_nbstat_query(const decode::Event& e) noexcept {
  return e.nbns && !e.nbns->response && e.nbns->opcode == 0 && e.nbns->qtype == kNbstatType;
}

bool is_logged_nbns_packet(const decode::Event& e) noexcept {
  return e.origin.is_line && !e.nbns && e.transport == decode::Transport::Udp && e.dport == kNbnsPort;
}

bool is_nbstat_like(const decode::Event& e) noexcept { return is_decoded_nbstat_query(e) || is_logged_nbns_packet(e); }

bool TargetSet::add(const IpAddress& a, Timestamp at, const Context& ctx) {
  if (last_.valid() && a == last_) return false;  // only ever an address the set holds
  if (set_.count(a) != 0) {
    last_ = a;
    return false;
  }
  if (set_.size() >= cap_) {
    // Beyond the cap every unseen address counts as new: an upper bound, flagged.
    saturated_ = true;
  } else {
    set_.insert(a);
    last_ = a;
    if (order_.size() < 64) order_.push_back(a);
  }
  ++count_;
  if (ctx.inside(a)) ++inside_;
  if (a.is_public() && !ctx.inside(a)) ++public_;
  ++regions_[ctx.region(a, at)];
  return true;
}

std::vector<IpAddress> TargetSet::sample(std::size_t n) const {
  std::vector<IpAddress> out(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(std::min(n, order_.size())));
  std::sort(out.begin(), out.end());
  return out;
}

std::string classify_txids(const std::vector<std::uint16_t>& ids, const std::vector<Timestamp>& times) {
  if (ids.size() < 4) return "unknown";
  if (std::all_of(ids.begin(), ids.end(), [&](std::uint16_t v) { return v == ids[0]; })) return "constant";
  std::map<int, std::size_t> steps;
  for (std::size_t i = 1; i < ids.size(); ++i) {
    const auto d = static_cast<std::int16_t>(static_cast<std::uint16_t>(ids[i] - ids[i - 1]));
    ++steps[d];
  }
  const auto top = std::max_element(steps.begin(), steps.end(), [](const auto& a, const auto& b) {
    return a.second < b.second;
  });
  const std::size_t n = ids.size() - 1;
  if (top->first != 0 && std::abs(top->first) <= 16 && top->second * 10 >= n * 8) {
    return top->first > 0 ? fmt::format("step+{}", top->first) : fmt::format("step{}", top->first);
  }
  // Time-derived: the id grows in proportion to elapsed time (a clock read as the id).
  if (times.size() == ids.size()) {
    std::vector<double> rates;
    for (std::size_t i = 1; i < ids.size(); ++i) {
      const double dt = static_cast<double>(times[i].us - times[i - 1].us) / 1000.0;  // ms
      const auto d = static_cast<std::uint16_t>(ids[i] - ids[i - 1]);
      if (dt > 0.5 && d != 0 && d < 0x8000) rates.push_back(static_cast<double>(d) / dt);
    }
    if (rates.size() * 10 >= n * 8 && rates.size() >= 3) {
      double mean = 0;
      for (double r : rates) mean += r;
      mean /= static_cast<double>(rates.size());
      double var = 0;
      for (double r : rates) var += (r - mean) * (r - mean);
      var /= static_cast<double>(rates.size());
      if (mean > 0 && std::sqrt(var) / mean < 0.15) return "time-derived";
    }
  }
  return "random";
}

}  // namespace netseen::detect

namespace netseen::detect {

PtrContext ptr_context(const decode::Event& q, const Context& ctx) {
  auto l = ctx.dns().ptr_lookup(q.src, q.dst);
  if (!l || l->asked > q.ts) return PtrContext::NoDns;
  const std::int64_t since_ask = q.ts.us - l->asked.us;
  // A fallback follows its lookup within a minute at most (14 s timeout + 3 tries).
  if (since_ask > 60'000'000) return PtrContext::NoDns;
  switch (l->outcome) {
    case PtrOutcome::Failed: return PtrContext::AfterFailedPtr;
    case PtrOutcome::Answered:
      return l->settled <= q.ts ? PtrContext::AfterAnsweredPtr : PtrContext::AfterPtrTimeout;
    case PtrOutcome::Pending: return since_ask >= 5'000'000 ? PtrContext::AfterPtrTimeout : PtrContext::NoDns;
  }
  return PtrContext::NoDns;
}

const char* to_string(PtrContext c) noexcept {
  switch (c) {
    case PtrContext::AfterFailedPtr: return "after-failed-ptr";
    case PtrContext::AfterPtrTimeout: return "after-ptr-timeout";
    case PtrContext::AfterAnsweredPtr: return "after-answered-ptr";
    case PtrContext::NoDns: return "no-dns-seen";
  }
  return "?";
}

}  // namespace netseen::detect
