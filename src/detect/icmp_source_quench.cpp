// icmp.source_quench — ICMP type 4, source quench: an old way for a router or host to ask a
// sender to slow down. RFC 6633 deprecated it in 2012 because it was never useful and could
// be forged to throttle connections (a cheap denial of service). Any seen today comes from
// very old equipment or from someone forging it; every sender is reported.
#include <fmt/format.h>

#include <set>

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class IcmpSourceQuench final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.source_quench"; }
  [[nodiscard]] std::string_view description() const override { return "source quench messages (deprecated, forgeable)"; }
  std::vector<Param> params() override { return {{"max_sources", &max_sources_, "senders tracked at once"}}; }

  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.icmp || !e.src.valid()) return;
    if (!(e.transport == decode::Transport::Icmp && e.icmp->type == 4)) return;
    const IpAddress& key = e.src;
    auto* t = tally(key, ctx);
    if (t == nullptr) return;
    t->add(e, e.dst);
    if (e.icmp->quoted && quoted_.size() < 4096) {
      const auto& q = *e.icmp->quoted;
      auto& v = quoted_[key];
      if (v.size() < 3 && t->events <= 16) {
        v.insert(q.has_ports ? fmt::format("{}:{} → {}:{} (protocol {})", q.src.to_string(), q.sport,
                                          q.dst.to_string(), q.dport, q.protocol)
                             : fmt::format("{} → {} (protocol {})", q.src.to_string(), q.dst.to_string(), q.protocol));
      }
    }
    
  }

  void finish(Context& ctx) override {
    for (const auto& [key, t] : tallies_) {
      auto f = scan::make_finding(id(), key, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = ctx.inside(key) ? Verdict::Misconfiguration : Verdict::Suspicious;
      f.severity = Severity::Low;
      f.confidence = 0.8;
      f.title = fmt::format("{} sent {} source-quench messages", key.to_string(), t.events);
      f.explanation = fmt::format("{} sent {} ICMP source-quench messages to {} host{}{}. Source quench asked senders to slow "
          "down; it was deprecated (RFC 6633) because it never worked well and a forged one can throttle a "
          "connection. Today it means very old equipment or someone trying to slow traffic down.{}",
          key.to_string(), t.events, f.target_count, f.target_count == 1 ? "" : "s", quoted_text(key),
          ctx.inside(key) ? "" : " Coming from outside, forgery is the likelier explanation.");
      f.advice = "Drop ICMP type 4 at the firewall; modern stacks ignore it. If an inside device sends it, it is due for replacement.";
      if (quoted_.count(key) != 0) f.attr("quoted", std::vector<std::string>(quoted_[key].begin(), quoted_[key].end()));
      ctx.emit(std::move(f));
    }
  }

 private:
  std::string quoted_text(const IpAddress& key) {
    auto it = quoted_.find(key);
    if (it == quoted_.end() || it->second.empty()) return "";
    return fmt::format(" (original packet: {})", *it->second.begin());
  }
  std::unordered_map<IpAddress, std::set<std::string>, IpAddressHash> quoted_;
  
};

}  // namespace

std::unique_ptr<Detector> make_icmp_source_quench() { return std::make_unique<IcmpSourceQuench>(); }

}  // namespace netseen::detect
