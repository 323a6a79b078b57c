// icmp.parameter_problem — ICMP type 12 (ICMPv6 4): a host or router could not process a
// packet's header (a bad option, a wrong length). The quoted original shows which packet:
// crafted packets from a scanner's OS fingerprinting probes, or a broken stack. Every
// sender is reported with the hosts whose packets it rejected.
#include <fmt/format.h>

#include <set>

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class IcmpParameterProblem final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.parameter_problem"; }
  [[nodiscard]] std::string_view description() const override { return "parameter-problem messages (malformed headers)"; }
  std::vector<Param> params() override { return {{"max_sources", &max_sources_, "senders tracked at once"}}; }

  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.icmp || !e.src.valid()) return;
    if (!((e.transport == decode::Transport::Icmp && e.icmp->type == 12) || (e.transport == decode::Transport::Icmpv6 && e.icmp->type == 4))) return;
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
      f.verdict = Verdict::Suspicious;
      f.severity = Severity::Low;
      f.confidence = 0.8;
      f.title = fmt::format("{} rejected {} packets with bad headers", key.to_string(), t.events);
      f.explanation = fmt::format("{} answered {} packets with ICMP parameter-problem{}: their IP header (options, lengths) could "
          "not be processed. Stacks do not produce such packets; they come from crafted probes (OS "
          "fingerprinting, firewall testing) or from broken equipment.",
          key.to_string(), t.events, quoted_text(key));
      f.advice = "Look at the quoted packets' senders: a scanner sending crafted headers, or a device with a broken stack.";
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

std::unique_ptr<Detector> make_icmp_parameter_problem() { return std::make_unique<IcmpParameterProblem>(); }

}  // namespace netseen::detect
