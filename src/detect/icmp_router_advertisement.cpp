// icmp.router_advertisement — ICMP type 9 (IPv4 router discovery, RFC 1256): a device
// announcing itself as a router. Almost nothing uses IPv4 router discovery; a host that
// listens to it can have its default gateway taken over by whoever sends one. Every sender
// is reported (IPv6 router advertisements are normal and not counted).
#include <fmt/format.h>

#include <set>

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class IcmpRouterAdvertisement final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.router_advertisement"; }
  [[nodiscard]] std::string_view description() const override { return "IPv4 router advertisements (router discovery)"; }
  std::vector<Param> params() override { return {{"max_sources", &max_sources_, "senders tracked at once"}}; }

  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.icmp || !e.src.valid()) return;
    if (!(e.transport == decode::Transport::Icmp && e.icmp->type == 9)) return;
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
      f.title = fmt::format("{} announced itself as a router ({} advertisements)", key.to_string(), t.events);
      f.explanation = fmt::format("{} sent {} ICMP router advertisements{}. IPv4 router discovery is almost never used; hosts "
          "that honour it would take the sender as their default gateway. From a real router it is a leftover "
          "setting; from anything else it is an attempt to take over the hosts' traffic.",
          key.to_string(), t.events, quoted_text(key));
      f.advice = "Disable router discovery on the sender (and IRDP on routers); hosts should use their configured gateway.";
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

std::unique_ptr<Detector> make_icmp_router_advertisement() { return std::make_unique<IcmpRouterAdvertisement>(); }

}  // namespace netseen::detect
