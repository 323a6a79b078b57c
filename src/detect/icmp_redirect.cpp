// icmp.redirect — ICMP type 5 (ICMPv6 137): "use another gateway for this destination". A
// router sends it when a host on its own segment picked the wrong first hop; from anywhere
// else it is an attempt to reroute a host's traffic through the sender (a man-in-the-middle
// set-up). Each sender is reported with the gateway it proposes: from outside the home
// networks suspicious, from inside a sign of a routing misconfiguration.
#include <fmt/format.h>

#include "core/flat_map.hpp"
#include "detect/detectors.hpp"
#include "detect/icmp_common.hpp"

namespace netseen::detect {

namespace {

class IcmpRedirect final : public icmp::SenderDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.redirect"; }
  [[nodiscard]] std::string_view description() const override { return "redirect messages (rerouting a host's traffic)"; }

 protected:
  [[nodiscard]] bool matches(const decode::Event& e) const override { return is_v4(e, 5) || is_v6(e, 137); }

  void observe(const decode::Event& e, const IpAddress& sender) override {
    if (e.icmp->gateway.valid() && (gateway_.size() < 4096 || gateway_.count(sender) != 0)) {
      if (gateway_.find(sender) == gateway_.end()) gateway_.emplace(sender, e.icmp->gateway.to_string());
    }
  }

  void describe(Finding& f, const IpAddress& key, const scan::SourceTally& t, const Context& ctx) const override {
    f.verdict = ctx.inside(key) ? Verdict::Misconfiguration : Verdict::Suspicious;
    f.severity = ctx.inside(key) ? Severity::Low : Severity::High;
    f.title = fmt::format("{} sent {} ICMP redirect{}{}", key.to_string(), t.events, t.events == 1 ? "" : "s", !gateway(key).empty() ? " pointing at " + gateway(key) : std::string());
    f.explanation = fmt::format("{} told {} host{} to send traffic for some destinations through {}{}. A router does that when "
        "hosts on its segment use the wrong first hop (two routers on one LAN); a redirect from anywhere else "
        "is an attempt to pull the host's traffic through another machine.",
        key.to_string(), f.target_count, f.target_count == 1 ? "" : "s",
        !gateway(key).empty() ? gateway(key) : std::string("another gateway"), quoted_text(key));
    f.advice = "Configure hosts to ignore redirects (Windows: EnableICMPRedirect=0; Linux: net.ipv4.conf.all.accept_redirects=0) and fix the routing so the right gateway is the default one; drop redirects at the border.";
  }

 private:
  [[nodiscard]] std::string gateway(const IpAddress& sender) const {
    auto it = gateway_.find(sender);
    return it == gateway_.end() ? std::string() : it->second;
  }
  FlatMap<IpAddress, std::string, IpAddressHash> gateway_;
};

}  // namespace

std::unique_ptr<Detector> make_icmp_redirect() { return std::make_unique<IcmpRedirect>(); }

}  // namespace netseen::detect
