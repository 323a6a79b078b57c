// dos.fraggle — UDP to the echo (7) or chargen (19) port of broadcast addresses: smurf's
// UDP cousin. Every host with those "simple services" answers the (forged) source, and
// chargen answers with a stream of text. Nothing legitimate broadcasts to these ports;
// `min_packets` (3) from one source make the finding. State: per source.
#include <fmt/format.h>

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class DosFraggle final : public scan::TallyDetector {
 public:
  struct Config {
    double min_packets = 3;
  };
  [[nodiscard]] std::string_view id() const override { return "dos.fraggle"; }
  [[nodiscard]] std::string_view description() const override {
    return "UDP echo/chargen (7/19) to broadcast addresses (fraggle amplification)";
  }
  std::vector<Param> params() override {
    return {{"min_packets", &cfg_.min_packets, "packets to broadcast echo/chargen from one source"},
            {"max_sources", &max_sources_, "sources tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kUdp; }
  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (e.transport != decode::Transport::Udp || (e.dport != 7 && e.dport != 19) || !e.dst.is_v4()) return;
    if (!e.dst.is_limited_broadcast() && (e.dst.v4_value() & 0xFF) != 0xFF) return;
    if (auto* t = tally(e.src, ctx)) t->add(e, e.dst);
  }

  void finish(Context& ctx) override {
    for (const auto& [src, t] : tallies_) {
      if (static_cast<double>(t.events) < cfg_.min_packets) continue;
      auto f = scan::make_finding(id(), src, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = Verdict::Malicious;
      f.severity = Severity::High;
      f.confidence = 0.85;
      f.title = fmt::format("fraggle pattern: {} UDP echo/chargen packets to broadcasts with source {}", t.events,
                            src.to_string());
      f.explanation = fmt::format(
          "{} UDP packets with source {} went to port 7 (echo) or 19 (chargen) of broadcast addresses such as {}. "
          "Every host running those old services answers the source, chargen with a stream of characters: the "
          "source address is the victim of an amplified flood and is almost certainly forged.",
          t.events, src.to_string(), f.target_sample.front().to_string());
      f.advice = "Disable the echo and chargen services everywhere, do not forward directed broadcasts, and drop "
                 "udp/7 and udp/19 at the border.";
      ctx.emit(std::move(f));
    }
  }

 private:
  Config cfg_;
};

}  // namespace

std::unique_ptr<Detector> make_dos_fraggle() { return std::make_unique<DosFraggle>(); }

}  // namespace netseen::detect
