// scan.udp — one source probing many UDP ports of one host, seen directly (the probes) or
// inferred from the ICMP port-unreachables the target sends back (each one quotes the
// probe it refuses: a capture on the target's side, or a log of outbound ICMP, shows the
// scan even when the probes themselves were not recorded).
//
// Thresholds. Applications use one or two UDP ports of a server (DNS, NTP, syslog, a game);
// `min_ports` (20) distinct ports of one host within `window_s` (24 h) make a scan. UNIX
// traceroute also sends UDP to a run of ports (33434 upwards) and gets port-unreachables
// back, so every datagram and every quoted probe in that range is left to trace.udp and
// never counted here. udp/137 belongs to the NetBIOS detectors; answers (from a port below
// 1024 to a client port) are never probes. State: per (source, target), `max_pairs`.
#include <fmt/format.h>

#include <algorithm>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class ScanUdp final : public Detector {
 public:
  struct Config {
    double min_ports = 20;
    double window_s = 86'400;
    double max_pairs = 50'000;
  };

  [[nodiscard]] std::string_view id() const override { return "scan.udp"; }
  [[nodiscard]] std::string_view description() const override {
    return "one source probes many UDP ports of one host (seen directly or through port-unreachables)";
  }
  std::vector<Param> params() override {
    return {{"min_ports", &cfg_.min_ports, "distinct UDP ports of one host that make a scan"},
            {"window_s", &cfg_.window_s, "seconds within which the ports must be probed"},
            {"max_pairs", &cfg_.max_pairs, "(source, target) pairs tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kUdp | interest::kIcmp; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Headers; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (e.transport == decode::Transport::Udp
            ? scan::classify_probe(e) != scan::Probe::Udp || scan::is_traceroute_udp(e) || e.dport == 137
            : !e.icmp || !e.icmp->quoted) {
      return;
    }
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (e.transport == decode::Transport::Udp) {
      if (scan::classify_probe(e) != scan::Probe::Udp || scan::is_traceroute_udp(e) || e.dport == 137) return;
      if (!e.src.valid() || !e.dst.valid() || e.dst.is_multicast() || e.dst.is_limited_broadcast()) return;
      if (auto* s = state(e.src, e.dst, e.ts, ctx)) {
        touch(*s, e);
        s->probed.add(e.dport);
      }
      return;
    }
    // Port unreachable (ICMP 3/3, ICMPv6 1/4) quoting a UDP datagram: the target refused a probe.
    if (!e.icmp || !e.icmp->quoted) return;
    const bool v4_unreach = e.transport == decode::Transport::Icmp && e.icmp->type == 3 && e.icmp->code == 3;
    const bool v6_unreach = e.transport == decode::Transport::Icmpv6 && e.icmp->type == 1 && e.icmp->code == 4;
    if (!v4_unreach && !v6_unreach) return;
    const auto& q = *e.icmp->quoted;
    if (q.protocol != 17 || !q.has_ports || scan::is_traceroute_port(q.dport) || q.dport == 137) return;
    if (!q.src.valid() || !q.dst.valid()) return;
    if (auto* s = state(q.src, q.dst, e.ts, ctx)) {
      touch(*s, e);
      s->refused.add(q.dport);
    }
  }

  void finish(Context& ctx) override {
    for (const auto& [k, s] : pairs_) {
      const bool direct = static_cast<double>(s.probed.count()) >= cfg_.min_ports;
      const bool inferred = static_cast<double>(s.refused.count()) >= cfg_.min_ports;
      if (!direct && !inferred) continue;
      const auto& ports = s.probed.count() >= s.refused.count() ? s.probed : s.refused;
      auto f = scan::make_finding(id(), k.a, s.first, s.last, s.events, s.evidence);
      f.dedup_key = fmt::format("{}|{}|{}", id(), k.a.to_string(), k.b.to_string());
      f.target_count = 1;
      f.target_sample = {k.b};
      f.verdict = Verdict::Suspicious;
      f.severity = k.a.is_public() ? Severity::High : Severity::Medium;
      f.confidence = direct ? 0.8 : 0.7;
      f.title = fmt::format("{} scanned {} UDP ports of {} ({})", k.a.to_string(), ports.count(), k.b.to_string(),
                            ports.ranges(2));
      std::string how;
      if (direct) how = fmt::format("{} sent UDP datagrams to {} distinct ports of {}", k.a.to_string(),
                                    s.probed.count(), k.b.to_string());
      if (inferred) {
        how += fmt::format("{}{} answered {} distinct UDP ports with ICMP port-unreachable, each quoting a datagram "
                           "from {}",
                           direct ? "; " : "", k.b.to_string(), s.refused.count(), k.a.to_string());
      }
      f.explanation = fmt::format(
          "{} between {} and {}. Applications use one or two UDP ports of a server; trying many, most of them "
          "closed, is a UDP port scan (nmap -sU and the like). The ports are not the traceroute range, so this "
          "is not a traceroute.",
          how, format_rfc3339(s.first), format_rfc3339(s.last));
      f.advice = "Check which UDP services the target really needs to expose (the ports that did not answer "
                 "port-unreachable may be open), and block the source if it is not an authorised scanner.";
      f.attr("port_range", fmt::format("{}-{}", ports.min(), ports.max()));
      f.attr("ports", ports.ranges(8));
      f.attr("port_count", static_cast<std::int64_t>(ports.count()));
      f.attr("probes_seen", static_cast<std::int64_t>(s.probed.count()));
      f.attr("unreachables_seen", static_cast<std::int64_t>(s.refused.count()));
      f.attr("inferred_from_unreachables", !direct && inferred);
      ctx.emit(std::move(f));
    }
  }

 private:
  struct State {
    Timestamp first, last, window_start;
    std::uint64_t events = 0;
    bool confirmed = false;
    scan::PortSet probed;   // seen as probes
    scan::PortSet refused;  // seen through port-unreachables
    EvidenceSampler evidence;
  };

  State* state(const IpAddress& src, const IpAddress& dst, Timestamp ts, Context& ctx) {
    const scan::PairKey key{src, dst, 0};
    auto it = pairs_.find(key);
    if (it == pairs_.end()) {
      if (static_cast<double>(pairs_.size()) >= cfg_.max_pairs) {
        ctx.count_eviction(id());
        return nullptr;
      }
      it = pairs_.emplace(key, State{}).first;
      it->second.first = it->second.window_start = ts;
    }
    auto& s = it->second;
    if (!s.confirmed && static_cast<double>(ts.us - s.window_start.us) > cfg_.window_s * 1e6) {
      s = State{};
      s.first = s.window_start = ts;
    }
    return &s;
  }

  void touch(State& s, const decode::Event& e) const {
    s.last = e.ts;
    s.events += e.count;
    s.evidence.add(e.origin);
    if (static_cast<double>(std::max(s.probed.count(), s.refused.count())) + 1 >= cfg_.min_ports) s.confirmed = true;
  }

  Config cfg_;
  FlatMap<scan::PairKey, State, scan::PairKeyHash> pairs_;
};

}  // namespace

std::unique_ptr<Detector> make_scan_udp() { return std::make_unique<ScanUdp>(); }

}  // namespace netseen::detect
