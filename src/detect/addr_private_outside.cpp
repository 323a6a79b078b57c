// addr.private_outside — a private (RFC 1918) or carrier-grade-NAT (100.64/10) address that is
// not one of the home networks. Arriving from outside it is spoofed or leaked from a
// misconfigured NAT; leaving toward it, an inside host is trying to reach a private network
// that is not routed here (a VPN that is down, a laptop's old configuration). The default
// home networks include all of RFC 1918, so this fires when --home-net names the real ones.
// Every (source) is reported once; multicast and link-local are other detectors'.
#include <fmt/format.h>

#include "core/flat_map.hpp"
#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

bool private_like(const IpAddress& a) noexcept { return (a.is_v4() && a.is_private()) || a.is_shared_cgn(); }

class AddrPrivateOutside final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "addr.private_outside"; }
  [[nodiscard]] std::string_view description() const override {
    return "private or CGN addresses that are not one of the home networks";
  }
  std::vector<Param> params() override {
    return {{"max_sources", &max_sources_, "sources tracked at once (memory cap)"}};
  }

  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  // Heavy by measurement: on a LAN capture nearly every source is private, so nearly every
  // packet costs two address-class tests and up to three home-network lookups here, the most
  // of the address detectors; on the side thread it evens out the two threads of a
  // two-thread analysis (capture analyze: 1.18 -> 1.08 s of CPU on the busier thread).
  [[nodiscard]] Load load() const override { return Load::Heavy; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (private_like(e.src) && !ctx.inside(e.src)) {
      if (auto* t = tally(e.src, ctx)) {
        t->add(e, e.dst);
        ++from_[e.src];
      }
    } else if (private_like(e.dst) && !ctx.inside(e.dst) && ctx.inside(e.src)) {
      if (auto* t = tally(e.src, ctx)) t->add(e, e.dst);
    }
  }

  void finish(Context& ctx) override {
    for (const auto& [src, t] : tallies_) {
      const bool spoofed = from_.count(src) != 0;
      auto f = scan::make_finding(id(), src, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = spoofed ? Verdict::Suspicious : Verdict::Misconfiguration;
      f.severity = spoofed ? Severity::Medium : Severity::Low;
      f.confidence = 0.7;
      if (spoofed) {
        f.title = fmt::format("private address {} seen from outside the home networks", src.to_string());
        f.explanation = fmt::format(
            "{} packets came from {}, a private address that is not one of the home networks. Private addresses "
            "are not routed on the Internet, so these packets were spoofed or leaked by a NAT that failed to "
            "translate them.",
            t.events, src.to_string());
        f.advice = "Drop private-source packets on the Internet-facing interface (ingress filtering, RFC 2827).";
      } else {
        f.title = fmt::format("{} tries to reach private addresses that are not routed here", src.to_string());
        f.explanation = fmt::format(
            "{} sent {} packets to {} private addresses such as {} that are not in the home networks. Such "
            "addresses can only be reached through a VPN or a private link; a laptop carrying a stale "
            "configuration (a proxy, a printer, a file share from another network) looks like this.",
            src.to_string(), t.events, f.target_count, f.target_sample.front().to_string());
        f.advice = "Check the host's configured servers (proxy, DNS, shares, printers) and VPN state; if the "
                   "network is one of yours, add it with --home-net.";
      }
      f.attr("spoofed_source", spoofed);
      ctx.emit(std::move(f));
    }
  }

 private:
  FlatMap<IpAddress, std::uint64_t, IpAddressHash> from_;
};

}  // namespace

std::unique_ptr<Detector> make_addr_private_outside() { return std::make_unique<AddrPrivateOutside>(); }

}  // namespace netseen::detect
