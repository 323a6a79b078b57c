// scan.proxy — one source trying several open-proxy ports of one host in a short time: the
// Ring0 pattern the firewall FAQ describes (three probes within a minute to ports such as
// 80, 8080, 3128, 1080, 8000, 8888), sent by proxy hunters that want to relay spam or hide
// behind other people's servers. A browser reaches one or two of those ports of a server;
// `min_ports` (3) distinct proxy ports (knowledge-base tag `proxy`, plus 80) of one host
// within `window_s` (60 s) make a proxy probe — unless the source also probed 20 or more
// other ports of the host (a general port scan, scan.vertical's). State: per (source, target), `max_pairs`.
#include <fmt/format.h>

#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"
#include "knowledge/kb.hpp"

namespace netseen::detect {

namespace {

class ScanProxy final : public Detector {
 public:
  struct Config {
    double min_ports = 3;
    double window_s = 60;
    double max_pairs = 50'000;
  };
  [[nodiscard]] std::string_view id() const override { return "scan.proxy"; }
  [[nodiscard]] std::string_view description() const override {
    return "probes of several open-proxy ports of one host within a minute (proxy hunting)";
  }
  std::vector<Param> params() override {
    return {{"min_ports", &cfg_.min_ports, "distinct proxy ports of one host that make a proxy probe"},
            {"window_s", &cfg_.window_s, "seconds within which the ports must be probed"},
            {"max_pairs", &cfg_.max_pairs, "(source, target) pairs tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kTcp; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Headers; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (e.transport != decode::Transport::Tcp || scan::classify_probe(e) != scan::Probe::Syn) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (e.dport != 80) {
      const auto* pi = ctx.kb().port(e.transport, e.dport);
      if (pi == nullptr || !pi->has(knowledge::tag::kProxy)) {
        auto it = pairs_.find(scan::PairKey{e.src, e.dst, 0});
        if (it != pairs_.end()) it->second.other_ports.add(e.dport);
        return;
      }
    }
    const scan::PairKey key{e.src, e.dst, 0};
    auto it = pairs_.find(key);
    if (it == pairs_.end()) {
      if (static_cast<double>(pairs_.size()) >= cfg_.max_pairs) {
        ctx.count_eviction(id());
        return;
      }
      it = pairs_.emplace(key, State{}).first;
      it->second.window_start = e.ts;
    }
    auto& s = it->second;
    if (!s.confirmed && static_cast<double>(e.ts.us - s.window_start.us) > cfg_.window_s * 1e6) {
      s = State{};
      s.window_start = e.ts;
    }
    s.tally.add(e, e.dst);
    s.ports.add(e.dport);
    if (static_cast<double>(s.ports.count()) >= cfg_.min_ports) s.confirmed = true;
  }

  void finish(Context& ctx) override {
    for (const auto& [k, s] : pairs_) {
      if (!s.confirmed) continue;
      if (s.other_ports.count() >= 20) continue;  // a general port scan (scan.vertical), not proxy hunting
      const auto& t = s.tally;
      auto f = scan::make_finding(id(), k.a, t.first, t.last, t.events, t.evidence);
      f.dedup_key = fmt::format("{}|{}|{}", id(), k.a.to_string(), k.b.to_string());
      t.fill(f);
      f.verdict = Verdict::Suspicious;
      f.severity = Severity::Medium;
      f.confidence = 0.75;
      f.title = fmt::format("{} looked for an open proxy on {} (ports {})", k.a.to_string(), k.b.to_string(),
                            s.ports.ranges(8));
      f.explanation = fmt::format(
          "{} tried {} proxy ports of {} ({}) within {:.0f} seconds. Trying the usual proxy ports one after the "
          "other is how proxy hunters find servers that will relay their traffic (spam, attacks hidden behind "
          "someone else's address); a browser uses one port of a server.",
          k.a.to_string(), s.ports.count(), k.b.to_string(), s.ports.ranges(8),
          static_cast<double>(t.last.us - t.first.us) / 1e6);
      f.advice = "Make sure no proxy on the target relays for outside clients (test with the source's address "
                 "range in mind); block the source if it persists.";
      f.attr("ports", s.ports.ranges(8));
      f.attr("port_count", static_cast<std::int64_t>(s.ports.count()));
      ctx.emit(std::move(f));
    }
  }

 private:
  struct State {
    Timestamp window_start;
    bool confirmed = false;
    scan::PortSet ports;
    scan::PortSet other_ports;  // non-proxy ports of the same host probed meanwhile
    scan::SourceTally tally;
  };
  Config cfg_;
  FlatMap<scan::PairKey, State, scan::PairKeyHash> pairs_;
};

}  // namespace

std::unique_ptr<Detector> make_scan_proxy() { return std::make_unique<ScanProxy>(); }

}  // namespace netseen::detect
