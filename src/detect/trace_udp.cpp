// trace.udp — a UNIX traceroute: UDP probes to ports 33434 and up (one new port per probe,
// three probes per hop by default) with the TTL rising 1, 2, 3, …; each router on the way
// answers ICMP time-exceeded, and the target answers the last probes with port-unreachable.
// Benign: someone diagnosing a path. It must never be reported as a UDP scan (psad calls it
// "Nmap -sU"); scan.udp and scan.vertical leave this port range alone.
//
// Thresholds. A trace needs at least two hops of evidence: `min_probes` (3) probes or
// answers for one (source, target) pair, together with either rising TTLs (two or more
// distinct TTLs below 64 on the probes), a time-exceeded answer quoting a probe, or the
// target's final port-unreachable. The hop count comes from the TTL of the first probe the
// target refused (or, without the probes, from its port: (port − 33434) / 3 + 1).
// State: per (source, target), `max_pairs`; 256 bytes of TTLs per pair.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class TraceUdp final : public Detector {
 public:
  struct Config {
    double min_probes = 3;
    double max_pairs = 20'000;
  };

  [[nodiscard]] std::string_view id() const override { return "trace.udp"; }
  [[nodiscard]] std::string_view description() const override {
    return "UNIX traceroute: UDP probes from port 33434 up with rising TTL, answered by time-exceeded";
  }
  std::vector<Param> params() override {
    return {{"min_probes", &cfg_.min_probes, "probes or answers of one trace before it is reported"},
            {"max_pairs", &cfg_.max_pairs, "(source, target) pairs tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kUdp | interest::kIcmp; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] unsigned prefetch_stages() const override { return 2; }
  void prefetch(const decode::Event& e, Prefetch stage) const override {
    scan::PairKey key;
    if (scan::is_traceroute_udp(e)) {
      key = scan::PairKey{e.src, e.dst, 0};
    } else if (e.icmp && e.icmp->quoted && e.icmp->quoted->protocol == 17) {
      key = scan::PairKey{e.icmp->quoted->src, e.icmp->quoted->dst, 0};
    } else {
      return;
    }
    if (stage == Prefetch::Tags) pairs_.prefetch_tags(key);
    else pairs_.prefetch_entry<kHotBytes>(key);
  }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!scan::is_traceroute_udp(e) && (!e.icmp || !e.icmp->quoted)) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (scan::is_traceroute_udp(e)) {
      auto* s = state(e.src, e.dst, ctx);
      if (s == nullptr) return;
      touch(*s, e);
      ++s->probes;
      s->sports.add(e.sport);
      const auto slot = static_cast<std::size_t>(e.dport - scan::kTraceFirstPort);
      if (e.has_ttl && e.ttl > 0) {
        if (s->ttl_of_port[slot] == 0) s->ttl_of_port[slot] = e.ttl;
        if (e.ttl <= 64) s->ttls |= std::uint64_t{1} << (e.ttl - 1);
      }
      return;
    }
    if (!e.icmp || !e.icmp->quoted) return;
    const auto& q = *e.icmp->quoted;
    if (q.protocol != 17 || !q.has_ports || !scan::is_traceroute_port(q.dport)) return;
    const bool v6 = e.transport == decode::Transport::Icmpv6;
    const bool exceeded = v6 ? e.icmp->type == 3 : e.icmp->type == 11;
    const bool unreach = v6 ? (e.icmp->type == 1 && e.icmp->code == 4) : (e.icmp->type == 3 && e.icmp->code == 3);
    if (!exceeded && !unreach) return;
    auto* s = state(q.src, q.dst, ctx);
    if (s == nullptr) return;
    touch(*s, e);
    if (exceeded) {
      ++s->exceeded;
      if (s->routers.size() < 64) s->routers.insert(e.src);
    } else if (e.src == q.dst) {
      ++s->reached;
      s->first_refused_port = std::min(s->first_refused_port, q.dport);
    }
  }

  void finish(Context& ctx) override {
    for (const auto& [k, s] : pairs_) {
      const int distinct_ttls = std::popcount(s.ttls);
      const bool shaped = distinct_ttls >= 2 || s.exceeded > 0 || s.reached > 0;
      if (static_cast<double>(s.probes + s.exceeded + s.reached) < cfg_.min_probes || !shaped) continue;
      int hops = 0;
      if (s.reached > 0) {
        const auto slot = static_cast<std::size_t>(s.first_refused_port - scan::kTraceFirstPort);
        hops = s.ttl_of_port[slot] != 0 ? s.ttl_of_port[slot] : static_cast<int>(slot) / 3 + 1;
      } else {
        hops = std::max(64 - std::countl_zero(s.ttls), static_cast<int>(s.routers.size()));
      }
      auto f = scan::make_finding(id(), k.a, s.first, s.last, s.events, s.evidence);
      f.dedup_key = fmt::format("{}|{}|{}", id(), k.a.to_string(), k.b.to_string());
      f.target_count = 1;
      f.target_sample = {k.b};
      f.verdict = Verdict::Benign;
      f.severity = Severity::Info;
      f.confidence = s.exceeded > 0 && distinct_ttls >= 2 ? 0.95 : 0.8;
      f.title = fmt::format("{} traced the route to {} ({} {}{})", k.a.to_string(), k.b.to_string(), hops,
                            hops == 1 ? "hop" : "hops", s.reached > 0 ? "" : ", target not reached");
      f.explanation = fmt::format(
          "{} sent {} UDP probes to ports {} of {} with {} distinct TTLs; {} routers answered time-exceeded and the "
          "target {} port-unreachable. That is UNIX traceroute (three probes per hop, one more hop of TTL each "
          "round, ports counting up from 33434), a path diagnosis, not a UDP port scan: the ports are chosen to be "
          "closed so the target says when it has been reached.",
          k.a.to_string(), s.probes, s.ports_text(), k.b.to_string(), distinct_ttls, s.routers.size(),
          s.reached > 0 ? fmt::format("answered {} times with", s.reached) : std::string("never answered with"));
      f.advice = "Nothing to do unless traceroutes from this source are unexpected. A firewall that should stay "
                 "invisible drops inbound UDP 33434-33534 and outbound ICMP time-exceeded.";
      f.attr("target", k.b.to_string());
      f.attr("hops", static_cast<std::int64_t>(hops));
      f.attr("reached", s.reached > 0);
      f.attr("probes", static_cast<std::int64_t>(s.probes));
      f.attr("time_exceeded", static_cast<std::int64_t>(s.exceeded));
      std::vector<IpAddress> r(s.routers.begin(), s.routers.end());
      std::sort(r.begin(), r.end());
      std::vector<std::string> rs;
      for (const auto& a : r) rs.push_back(a.to_string());
      f.attr("routers", rs);
      f.attr("source_ports", s.sports.text(4));
      ctx.emit(std::move(f));
    }
  }

 private:
  // What every event writes comes first, next to the key (the counters and the evidence);
  // a probe then writes its source port and its port's TTL, an ICMP error its router.
  struct State {
    Timestamp first, last;
    std::uint64_t events = 0, probes = 0, exceeded = 0, reached = 0;
    std::uint64_t ttls = 0;  // bit t-1: a probe with TTL t was seen
    std::uint16_t first_refused_port = 0xFFFF;
    std::uint16_t min_port = 0xFFFF, max_port = 0;
    EvidenceSampler evidence;
    scan::PortSummary sports;
    FlatSet<IpAddress, IpAddressHash> routers;
    std::array<std::uint8_t, scan::kTraceLastPort - scan::kTraceFirstPort + 1> ttl_of_port{};
    [[nodiscard]] std::string ports_text() const {
      if (min_port > max_port) return "(not seen)";
      return fmt::format("{}-{}", min_port, max_port);
    }
  };

  // The key (padded to 40 bytes), the counters (64), the evidence and the source ports.
  static constexpr std::size_t kHotBytes = 40 + 64 + sizeof(EvidenceSampler) + sizeof(scan::PortSummary);

  State* state(const IpAddress& src, const IpAddress& dst, Context& ctx) {
    if (!src.valid() || !dst.valid()) return nullptr;
    const scan::PairKey key{src, dst, 0};
    auto it = pairs_.find(key);
    if (it == pairs_.end()) {
      if (static_cast<double>(pairs_.size()) >= cfg_.max_pairs) {
        ctx.count_eviction(id());
        return nullptr;
      }
      it = pairs_.emplace(key, State{}).first;
    }
    return &it->second;
  }

  static void touch(State& s, const decode::Event& e) {
    if (s.events == 0 || e.ts < s.first) s.first = e.ts;
    if (s.events == 0 || e.ts > s.last) s.last = e.ts;
    s.events += e.count;
    s.evidence.add(e.origin);
    if (e.transport == decode::Transport::Udp) {
      s.min_port = std::min(s.min_port, e.dport);
      s.max_port = std::max(s.max_port, e.dport);
    }
  }

  Config cfg_;
  FlatMap<scan::PairKey, State, scan::PairKeyHash> pairs_;
};

}  // namespace

std::unique_ptr<Detector> make_trace_udp() { return std::make_unique<TraceUdp>(); }

}  // namespace netseen::detect
