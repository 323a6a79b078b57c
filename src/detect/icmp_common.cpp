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
  if (e.icmp->quoted && (quoted_.size() < kMaxQuotedSenders || quoted_.count(key) != 0)) {
    const auto& q = *e.icmp->quoted;
    auto& v = quoted_[key];
    if (v.size() < kQuotedPerSender && t->events <= 16) {
      v.insert(q.has_ports ? fmt::format("{}:{} → {}:{} (protocol {})", q.src.to_string(), q.sport, q.dst.to_string(),
                                         q.dport, q.protocol)
                           : fmt::format("{} → {} (protocol {})", q.src.to_string(), q.dst.to_string(), q.protocol));
    }
  }
  observe(e, key);
}

void SenderDetector::finish(Context& ctx) {
  for (const auto& [key, t] : tallies_) {
    auto f = scan::make_finding(id(), key, t.first, t.last, t.events, t.evidence);
    t.fill(f);
    f.confidence = 0.8;
    describe(f, key, t, ctx);
    if (auto it = quoted_.find(key); it != quoted_.end()) {
      f.attr("quoted", std::vector<std::string>(it->second.begin(), it->second.end()));
    }
    ctx.emit(std::move(f));
  }
}

std::string SenderDetector::quoted_text(const IpAddress& sender) const {
  auto it = quoted_.find(sender);
  if (it == quoted_.end() || it->second.empty()) return "";
  return fmt::format(" (original packet: {})", *it->second.begin());
}

}  // namespace netseen::detect::icmp
