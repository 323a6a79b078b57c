// dos.smurf — ICMP echo requests sent to broadcast addresses (255.255.255.255 or a subnet's
// .255) with a source that is the victim: every host on the subnet answers the victim, so
// one packet becomes dozens. A host pinging its own broadcast address once to find its
// neighbours is normal; `min_requests` (10) echo requests to broadcasts from one source
// make the finding — suspicious from inside, an attack when the source is outside the home
// networks (it was forged, and that address is the victim). State: per source.
#include <fmt/format.h>

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

bool broadcast_like(const IpAddress& a) noexcept {
  return a.is_v4() && (a.is_limited_broadcast() || (a.v4_value() & 0xFF) == 0xFF);
}

class DosSmurf final : public scan::TallyDetector {
 public:
  struct Config {
    double min_requests = 10;
  };
  [[nodiscard]] std::string_view id() const override { return "dos.smurf"; }
  [[nodiscard]] std::string_view description() const override {
    return "echo requests to broadcast addresses with the victim's address as source (smurf amplification)";
  }
  std::vector<Param> params() override {
    return {{"min_requests", &cfg_.min_requests, "echo requests to broadcasts from one source that make a flood"},
            {"max_sources", &max_sources_, "sources tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kIcmp; }
  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (e.transport != decode::Transport::Icmp || !e.icmp || e.icmp->type != 8 || !broadcast_like(e.dst)) return;
    if (auto* t = tally(e.src, ctx)) t->add(e, e.dst);
  }

  void finish(Context& ctx) override {
    for (const auto& [src, t] : tallies_) {
      if (static_cast<double>(t.events) < cfg_.min_requests) continue;
      const bool outside = !ctx.inside(src);
      auto f = scan::make_finding(id(), src, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = outside ? Verdict::Malicious : Verdict::Suspicious;
      f.severity = outside ? Severity::High : Severity::Medium;
      f.confidence = outside ? 0.85 : 0.6;
      f.title = fmt::format("smurf pattern: {} echo requests to broadcast addresses with source {}", t.events,
                            src.to_string());
      f.explanation = fmt::format(
          "{} ICMP echo requests with source {} went to broadcast addresses such as {}. Every host on the subnet "
          "answers a broadcast ping, so the replies multiply and all go to the source address. {}",
          t.events, src.to_string(), f.target_sample.front().to_string(),
          outside ? "Coming from outside, the source is forged: that address is the victim of a smurf flood and "
                    "this network is being used as the amplifier."
                  : "From an inside host this is either a discovery tool pinging broadcasts repeatedly or a forged "
                    "source aimed at that host.");
      f.advice = "Do not forward directed broadcasts at routers (no ip directed-broadcast) and make hosts ignore "
                 "broadcast pings (Linux: net.ipv4.icmp_echo_ignore_broadcasts=1).";
      ctx.emit(std::move(f));
    }
  }

 private:
  Config cfg_;
};

}  // namespace

std::unique_ptr<Detector> make_dos_smurf() { return std::make_unique<DosSmurf>(); }

}  // namespace netseen::detect
