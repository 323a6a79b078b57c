// icmp.router_advertisement — ICMP type 9 (IPv4 router discovery, RFC 1256): a device
// announcing itself as a router. Almost nothing uses IPv4 router discovery; a host that
// listens to it can have its default gateway taken over by whoever sends one. Every sender
// is reported (IPv6 router advertisements are normal and not counted).
#include <fmt/format.h>

#include "detect/detectors.hpp"
#include "detect/icmp_common.hpp"

namespace netseen::detect {

namespace {

class IcmpRouterAdvertisement final : public icmp::SenderDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.router_advertisement"; }
  [[nodiscard]] std::string_view description() const override { return "IPv4 router advertisements (router discovery)"; }

 protected:
  [[nodiscard]] bool matches(const decode::Event& e) const override { return is_v4(e, 9); }

  void describe(Finding& f, const IpAddress& key, const scan::SourceTally& t, const Context& ctx) const override {
    f.verdict = ctx.inside(key) ? Verdict::Misconfiguration : Verdict::Suspicious;
    f.severity = Severity::Low;
    f.title = fmt::format("{} announced itself as a router ({} advertisements)", key.to_string(), t.events);
    f.explanation = fmt::format("{} sent {} ICMP router advertisements{}. IPv4 router discovery is almost never used; hosts "
        "that honour it would take the sender as their default gateway. From a real router it is a leftover "
        "setting; from anything else it is an attempt to take over the hosts' traffic.",
        key.to_string(), t.events, quoted_text(key));
    f.advice = "Disable router discovery on the sender (and IRDP on routers); hosts should use their configured gateway.";
  }
};

}  // namespace

std::unique_ptr<Detector> make_icmp_router_advertisement() { return std::make_unique<IcmpRouterAdvertisement>(); }

}  // namespace netseen::detect
