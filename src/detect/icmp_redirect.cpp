// icmp.redirect — ICMP type 5 (ICMPv6 137): "use another gateway for this destination". A
// router sends it when a host on its own segment picked the wrong first hop; from anywhere
// else it is an attempt to reroute a host's traffic through the sender (a man-in-the-middle
// set-up). Each sender is reported with the gateway it proposes: from outside the home
// networks suspicious, from inside a sign of a routing misconfiguration.
#include <fmt/format.h>

#include <set>

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class IcmpRedirect final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.redirect"; }
  [[nodiscard]] std::string_view description() const override { return "redirect messages (rerouting a host's traffic)"; }
  std::vector<Param> params() override { return {{"max_sources", &max_sources_, "senders tracked at once"}}; }

  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.icmp || !e.src.valid()) return;
    if (!((e.transport == decode::Transport::Icmp && e.icmp->type == 5) || (e.transport == decode::Transport::Icmpv6 && e.icmp->type == 137))) return;
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
    if (e.icmp->gateway.valid() && gw_.size() < 4096) gw_.emplace(key, e.icmp->gateway.to_string());
  }

  void finish(Context& ctx) override {
    for (const auto& [key, t] : tallies_) {
      auto f = scan::make_finding(id(), key, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = ctx.inside(key) ? Verdict::Misconfiguration : Verdict::Suspicious;
      f.severity = ctx.inside(key) ? Severity::Low : Severity::High;
      f.confidence = 0.8;
      f.title = fmt::format("{} sent {} ICMP redirects{}", key.to_string(), t.events, gw_.count(key) != 0 ? " pointing at " + gw_[key] : std::string());
      f.explanation = fmt::format("{} told {} host{} to send traffic for some destinations through {}{}. A router does that when "
          "hosts on its segment use the wrong first hop (two routers on one LAN); a redirect from anywhere else "
          "is an attempt to pull the host's traffic through another machine.",
          key.to_string(), f.target_count, f.target_count == 1 ? "" : "s",
          gw_.count(key) != 0 ? gw_[key] : std::string("another gateway"), quoted_text(key));
      f.advice = "Configure hosts to ignore redirects (Windows: EnableICMPRedirect=0; Linux: net.ipv4.conf.all.accept_redirects=0) and fix the routing so the right gateway is the default one; drop redirects at the border.";
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
  std::unordered_map<IpAddress, std::string, IpAddressHash> gw_;
};

}  // namespace

std::unique_ptr<Detector> make_icmp_redirect() { return std::make_unique<IcmpRedirect>(); }

}  // namespace netseen::detect
