// addr.directed_broadcast — packets from outside the home networks to an inside address
// ending in .255: a subnet's directed broadcast. From the Internet that is how a smurf
// attacker probes for amplifiers (one echo request answered by every host on the subnet).
// Inside hosts broadcasting to their own subnet (NetBIOS, discovery) are normal and never
// counted. dos.smurf reports the flood itself; this finding names the probe. Every outside
// source is reported.
#include <fmt/format.h>

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class AddrDirectedBroadcast final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "addr.directed_broadcast"; }
  [[nodiscard]] std::string_view description() const override {
    return "traffic from outside to an inside subnet's directed-broadcast address";
  }
  std::vector<Param> params() override {
    return {{"max_sources", &max_sources_, "sources tracked at once (memory cap)"}};
  }

  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.dst.is_v4() || (e.dst.v4_value() & 0xFF) != 0xFF || e.dst.is_limited_broadcast()) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (!e.src.valid() || ctx.inside(e.src) || !ctx.inside(e.dst)) return;
    if (auto* t = tally(e.src, ctx)) t->add(e, e.dst);
  }

  void finish(Context& ctx) override {
    for (const auto& [src, t] : tallies_) {
      auto f = scan::make_finding(id(), src, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = Verdict::Suspicious;
      f.severity = Severity::Medium;
      f.confidence = 0.7;
      f.title = fmt::format("{} sent packets to inside broadcast addresses", src.to_string());
      f.explanation = fmt::format(
          "{} sent {} packets from outside to {} inside address{} ending in .255, such as {}: directed broadcasts, "
          "which every host of the subnet receives. Nobody outside has a reason to do that; it is how smurf and "
          "fraggle attackers look for networks that amplify their floods.",
          src.to_string(), t.events, f.target_count, f.target_count == 1 ? "" : "es",
          f.target_sample.front().to_string());
      f.advice = "Make sure the border router does not forward directed broadcasts (Cisco: no ip directed-broadcast; "
                 "the default since IOS 12.0) and that hosts do not answer broadcast pings.";
      ctx.emit(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Detector> make_addr_directed_broadcast() { return std::make_unique<AddrDirectedBroadcast>(); }

}  // namespace netseen::detect
