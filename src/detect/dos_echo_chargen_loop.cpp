// dos.echo_chargen_loop — UDP between the echo (7) and chargen (19) services, or echo to
// echo: a forged packet that makes two servers answer each other for ever (chargen's text
// goes to echo, which returns it to chargen, …). No client uses 7 or 19 as its source
// port, so `min_packets` (2) such datagrams between one pair make the finding; the forged
// first packet's source is one of the two victims. State: per (source, target) pair.
#include <fmt/format.h>

#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

bool loop_port(std::uint16_t p) noexcept { return p == 7 || p == 19 || p == 13 || p == 17; }

class DosEchoChargenLoop final : public Detector {
 public:
  struct Config {
    double min_packets = 2;
    double max_pairs = 10'000;
  };
  [[nodiscard]] std::string_view id() const override { return "dos.echo_chargen_loop"; }
  [[nodiscard]] std::string_view description() const override {
    return "UDP between echo/chargen-style services (a forged packet starting an endless loop)";
  }
  std::vector<Param> params() override {
    return {{"min_packets", &cfg_.min_packets, "datagrams between service ports of one pair"},
            {"max_pairs", &cfg_.max_pairs, "pairs tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kUdp; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (e.transport != decode::Transport::Udp || !loop_port(e.sport) || !loop_port(e.dport)) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (e.sport != 7 && e.dport != 7 && e.sport != 19 && e.dport != 19) return;
    // One entry per unordered pair: the loop runs both ways.
    const bool fwd = e.src < e.dst;
    const scan::PairKey key{fwd ? e.src : e.dst, fwd ? e.dst : e.src, 0};
    auto it = pairs_.find(key);
    if (it == pairs_.end()) {
      if (static_cast<double>(pairs_.size()) >= cfg_.max_pairs) {
        ctx.count_eviction(id());
        return;
      }
      it = pairs_.emplace(key, State{}).first;
      it->second.starter = e.src;
      it->second.ports = fmt::format("{}→{}", e.sport, e.dport);
    }
    it->second.tally.add(e, e.dst);
  }

  void finish(Context& ctx) override {
    for (const auto& [k, s] : pairs_) {
      const auto& t = s.tally;
      if (static_cast<double>(t.events) < cfg_.min_packets) continue;
      auto f = scan::make_finding(id(), s.starter, t.first, t.last, t.events, t.evidence);
      f.dedup_key = fmt::format("{}|{}|{}", id(), k.a.to_string(), k.b.to_string());
      f.target_count = 2;
      f.target_sample = {k.a, k.b};
      f.verdict = Verdict::Malicious;
      f.severity = Severity::High;
      f.confidence = 0.85;
      f.title = fmt::format("echo/chargen loop between {} and {} ({} packets)", k.a.to_string(), k.b.to_string(),
                            t.events);
      f.explanation = fmt::format(
          "{} UDP datagrams went between the small services of {} and {} (first {}, from {}). Echo returns whatever "
          "it receives and chargen answers anything with text, so one forged packet with the other host's service "
          "port as its source sets the two bouncing packets at each other until one of them stops: a denial of "
          "service that uses both hosts against each other.",
          t.events, k.a.to_string(), k.b.to_string(), s.ports, s.starter.to_string());
      f.advice = "Disable the echo, chargen, daytime and qotd services on both hosts and drop udp/7, 13, 17 and 19 "
                 "at the border.";
      f.attr("first_ports", s.ports);
      ctx.emit(std::move(f));
    }
  }

 private:
  struct State {
    IpAddress starter;
    std::string ports;
    scan::SourceTally tally;
  };
  Config cfg_;
  FlatMap<scan::PairKey, State, scan::PairKeyHash> pairs_;
};

}  // namespace

std::unique_ptr<Detector> make_dos_echo_chargen_loop() { return std::make_unique<DosEchoChargenLoop>(); }

}  // namespace netseen::detect
