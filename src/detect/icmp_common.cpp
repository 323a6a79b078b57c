#include "detect/icmp_common.hpp"

#include <fmt/format.h>

#include "detect/context.hpp"

namespace netseen::detect::icmp {

void SenderDetector::on_event(const decode::Event& e, Context& ctx) {
  if (!e.icmp || !e.src.valid() || !matches(e)) return;
  const IpAddress& key = e.src;
  auto* t = tally(key, ctx);
  if (t == nullptr) return;
  t->add(e, e.dst);
  if (e.icmp->quoted) quoted_.add(key, *e.icmp->quoted, t->events);
  observe(e, key);
}

void SenderDetector::finish(Context& ctx) {
  for (const auto& [key, t] : tallies_) {
    auto f = scan::make_finding(id(), key, t.first, t.last, t.events, t.evidence);
    t.fill(f);
    f.confidence = 0.8;
    describe(f, key, t, ctx);
    quoted_.fill(key, f);
    ctx.emit(std::move(f));
  }
}

std::string SenderDetector::quoted_text(const IpAddress& sender) const {
  const auto q = quoted_.first(sender);
  return q.empty() ? std::string() : fmt::format(" (original packet: {})", q);
}

std::string quoted_tuple(const decode::Quoted& q) {
  return q.has_ports ? fmt::format("{}:{} → {}:{} (protocol {})", q.src.to_string(), q.sport, q.dst.to_string(),
                                   q.dport, q.protocol)
                     : fmt::format("{} → {} (protocol {})", q.src.to_string(), q.dst.to_string(), q.protocol);
}

void QuotedSamples::add(const IpAddress& key, const decode::Quoted& q, std::uint64_t events_so_far) {
  if (events_so_far > 16) return;
  auto it = map_.find(key);
  if (it == map_.end()) {
    if (map_.size() >= kMaxKeys) return;
    it = map_.emplace(key, std::set<std::string>{}).first;
  }
  if (it->second.size() < kPerKey) it->second.insert(quoted_tuple(q));
}

void QuotedSamples::fill(const IpAddress& key, Finding& f) const {
  auto it = map_.find(key);
  if (it == map_.end() || it->second.empty()) return;
  f.attr("quoted", std::vector<std::string>(it->second.begin(), it->second.end()));
}

std::string QuotedSamples::first(const IpAddress& key) const {
  auto it = map_.find(key);
  return it == map_.end() || it->second.empty() ? std::string() : *it->second.begin();
}

}  // namespace netseen::detect::icmp
