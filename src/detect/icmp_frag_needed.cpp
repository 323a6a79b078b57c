// icmp.frag_needed — ICMP 3/4 "fragmentation needed and DF set" (ICMPv6 2, packet too big):
// a router on the path cannot forward a packet that size and tells the sender the MTU to
// use. Path-MTU discovery depends on it: a firewall that drops these makes connections
// hang as soon as a full-size packet is sent (the classic "web pages load half-way"
// black hole). Reported per router; dropped ones are a misconfiguration.
#include <fmt/format.h>

#include <set>

#include "core/flat_map.hpp"
#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class IcmpFragNeeded final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.frag_needed"; }
  [[nodiscard]] std::string_view description() const override {
    return "fragmentation-needed / packet-too-big messages (path MTU discovery)";
  }
  std::vector<Param> params() override { return {{"max_sources", &max_sources_, "routers tracked at once"}}; }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kIcmp; }
  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.icmp) return;
    const bool v4 = e.transport == decode::Transport::Icmp && e.icmp->type == 3 && e.icmp->code == 4;
    const bool v6 = e.transport == decode::Transport::Icmpv6 && e.icmp->type == 2;
    if (!v4 && !v6) return;
    auto* t = tally(e.src, ctx);
    if (t == nullptr) return;
    t->add(e, e.dst);
    auto& x = extra_[e.src];
    if (e.action == decode::Action::Drop || e.action == decode::Action::Reject) ++x.dropped;
    if (e.icmp->mtu != 0 && x.mtus.size() < 8) x.mtus.insert(e.icmp->mtu);
    if (e.icmp->quoted && e.icmp->quoted->has_ports && x.ports.size() < 8) x.ports.insert(e.icmp->quoted->sport);
  }

  void finish(Context& ctx) override {
    for (const auto& [router, t] : tallies_) {
      const auto& x = extra_[router];
      auto f = scan::make_finding(id(), router, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      const bool dropped = x.dropped > 0;
      f.verdict = dropped ? Verdict::Misconfiguration : Verdict::Benign;
      f.severity = dropped ? Severity::Medium : Severity::Info;
      f.confidence = 0.9;
      std::vector<std::string> mtus;
      for (auto m : x.mtus) mtus.push_back(std::to_string(m));
      f.title = fmt::format("{} asked {} host{} to send smaller packets{}{}", router.to_string(), f.target_count,
                            f.target_count == 1 ? "" : "s", mtus.empty() ? "" : fmt::format(" (MTU {})", fmt::join(mtus, ", ")),
                            dropped ? " — and the firewall dropped it" : "");
      f.explanation = fmt::format(
          "{} sent {} fragmentation-needed messages: packets with Don't-Fragment set were too large for the next "
          "link{}. Senders rely on these messages to lower their packet size (path-MTU discovery).{}",
          router.to_string(), t.events, mtus.empty() ? "" : fmt::format(" (MTU {})", fmt::join(mtus, ", ")),
          dropped ? fmt::format(" {} of them were dropped by the firewall, so the senders never learn the smaller "
                                "size: their connections stall as soon as a full-size packet is sent.",
                                x.dropped)
                  : " This is normal on tunnels, PPPoE and VPN links.");
      f.advice = dropped ? "Allow ICMP type 3 code 4 (and ICMPv6 type 2) through the firewall, or clamp the TCP MSS "
                           "on the link with the small MTU."
                         : "Nothing to do; if connections through this path hang, check that these messages reach "
                           "the senders.";
      f.attr("dropped", static_cast<std::int64_t>(x.dropped));
      f.attr("mtus", mtus);
      ctx.emit(std::move(f));
    }
  }

 private:
  struct Extra {
    std::uint64_t dropped = 0;
    std::set<std::uint16_t> mtus, ports;
  };
  FlatMap<IpAddress, Extra, IpAddressHash> extra_;
};

}  // namespace

std::unique_ptr<Detector> make_icmp_frag_needed() { return std::make_unique<IcmpFragNeeded>(); }

}  // namespace netseen::detect
