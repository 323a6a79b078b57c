// icmp.reassembly_timeout — ICMP 11/1 (ICMPv6 3/1): a host received some fragments of a
// packet but not all within its reassembly time. Occasional ones mean fragment loss;
// many mean a firewall passing first fragments and dropping later ones, or a fragment
// attack (tiny or overlapping fragments, a flood of incomplete packets). Every sender is
// reported; `many` (10) messages raise it to suspicious.
#include <fmt/format.h>

#include <set>

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class IcmpReassemblyTimeout final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.reassembly_timeout"; }
  [[nodiscard]] std::string_view description() const override { return "fragment reassembly time exceeded"; }
  std::vector<Param> params() override { return {{"max_sources", &max_sources_, "senders tracked at once"}}; }

  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.icmp || !e.src.valid()) return;
    if (!((e.transport == decode::Transport::Icmp && e.icmp->type == 11 && e.icmp->code == 1) || (e.transport == decode::Transport::Icmpv6 && e.icmp->type == 3 && e.icmp->code == 1))) return;
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
      f.verdict = t.events >= 10 ? Verdict::Suspicious : Verdict::Misconfiguration;
      f.severity = t.events >= 10 ? Severity::Medium : Severity::Low;
      f.confidence = 0.8;
      f.title = fmt::format("{} gave up reassembling {} fragmented packets", key.to_string(), t.events);
      f.explanation = fmt::format("{} sent {} reassembly-timeout messages{}: it received part of a fragmented packet and the rest "
          "never came. A few mean fragments were lost on the way; many mean a firewall that passes first "
          "fragments and drops the others, or someone sending incomplete fragments on purpose.",
          key.to_string(), t.events, quoted_text(key));
      f.advice = "Check whether a firewall between the peers drops non-first fragments; avoid fragmentation (smaller MTU, TCP MSS clamping).";
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

std::unique_ptr<Detector> make_icmp_reassembly_timeout() { return std::make_unique<IcmpReassemblyTimeout>(); }

}  // namespace netseen::detect
