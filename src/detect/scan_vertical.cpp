// scan.vertical — one source probing many ports of one host: a port scan.
//
// Thresholds. A client talks to a handful of services on a server (web 80/443, mail,
// a domain controller's dozen); even a Windows domain member reaching dynamic RPC ports
// stays well under 20 distinct ports, and its connections are answered (SYN+ACK). A port
// scanner tries tens to thousands of ports and most of them are closed or filtered.
// `min_ports` (20) distinct destination ports on one host within `window_s` (24 h, so a
// scanner pacing itself over hours is still found) make a scan, unless more than
// `max_open_fraction` (0.5) of the probed ports answered — then it is a busy client.
// Probes are packets that open something (SYN, odd flag combinations, ACK/FIN+ACK from
// non-service ports, UDP that is not an answer); replies and established traffic never
// count. UDP traceroute probes (33434 upwards) are trace.udp's and never count here;
// udp/137 belongs to the NetBIOS detectors. State: one entry per (source, target,
// transport), capped at `max_pairs`; when full, a new pair replaces a nearby one-port pair
// (counted as evicted), pairs with two ports or more are kept.
#include <fmt/format.h>

#include <algorithm>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

using scan::PairKey;
using scan::PairKeyHash;
using scan::Probe;

class ScanVertical final : public Detector {
 public:
  struct Config {
    double min_ports = 20;
    double window_s = 86'400;
    double max_open_fraction = 0.5;
    double max_pairs = 50'000;
  };

  [[nodiscard]] std::string_view id() const override { return "scan.vertical"; }
  [[nodiscard]] std::string_view description() const override {
    return "one source probes many ports of one host (a port scan)";
  }
  std::vector<Param> params() override {
    return {{"min_ports", &cfg_.min_ports, "distinct ports probed on one host before it is a scan"},
            {"window_s", &cfg_.window_s, "seconds within which the ports must be probed (slow scans included)"},
            {"max_open_fraction", &cfg_.max_open_fraction,
             "share of probed ports that answered above which the source is a client, not a scanner"},
            {"max_pairs", &cfg_.max_pairs,
             "(source, target) pairs tracked at once (memory cap; when full, a new one replaces a one-port pair)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kTcp | interest::kUdp; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Headers; }
  [[nodiscard]] unsigned prefetch_stages() const override { return 3; }
  void prefetch(const decode::Event& e, Prefetch stage) const override {
    const bool tcp = e.transport == decode::Transport::Tcp;
    if (!tcp && e.transport != decode::Transport::Udp) return;
    const bool answer = tcp ? (e.tcp_flags & 0x12) == 0x12 : scan::classify_probe(e) == Probe::None;
    if (tcp && !answer && scan::classify_probe(e) == Probe::None) return;  // established: on_event stops early
    const PairKey key = answer ? PairKey{e.dst, e.src, static_cast<std::uint16_t>(e.transport)}
                               : PairKey{e.src, e.dst, static_cast<std::uint16_t>(e.transport)};
    // A probe writes the key's line and the State up to its evidence (208 bytes), then the
    // line of its port set's heap that holds the port (the entry is in the cache by then).
    scan::prefetch_pair<208>(pairs_, key, stage, answer,
                             [&](const State& s) __attribute__((always_inline)) { s.ports.prefetch(e.dport); });
  }
  void on_event(const decode::Event& e, Context& ctx) override {
    // Established TCP traffic (neither a probe nor an answer to one): most packets.
    if (e.transport == decode::Transport::Tcp && (e.tcp_flags & 0x12) != 0x12 &&
        scan::classify_probe(e) == Probe::None) {
      return;
    }
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (!e.src.valid() || !e.dst.valid()) return;
    const bool tcp = e.transport == decode::Transport::Tcp;
    if (!tcp && e.transport != decode::Transport::Udp) return;
    // An answer from an open port: SYN+ACK (TCP) or a datagram back from the probed port.
    if (tcp && (e.tcp_flags & 0x12) == 0x12) {
      note_answer(e);
      return;
    }
    const Probe p = scan::classify_probe(e);
    if (p == Probe::None) {
      if (!tcp) note_answer(e);
      return;
    }
    if (!tcp && (scan::is_traceroute_udp(e) || e.dport == 137)) return;
    if (e.dst.is_multicast() || e.dst.is_limited_broadcast()) return;
    const PairKey key{e.src, e.dst, static_cast<std::uint16_t>(e.transport)};
    auto it = pairs_.find(key);
    if (it == pairs_.end()) {
      if (static_cast<double>(pairs_.size()) >= cfg_.max_pairs) {
        // Full: the new pair takes the place of a nearby pair that has seen one port and is
        // no scan — what a sweep leaves behind, one pair per host it tried, cheap to lose.
        // Refusing new pairs instead let one early sweep fill the table and hide every port
        // scan after it. Pairs with two ports or more stay.
        evicted_.add(ctx, id());
        it = pairs_.replace_near(key, kVictimLook, [](const auto& kv) {
          return kv.second.ports.count() <= 1 && !kv.second.confirmed;
        });
        if (it == pairs_.end()) return;
      } else {
        it = pairs_.emplace(key, State{}).first;
      }
      it->second.first = it->second.window_start = e.ts;
    }
    auto& s = it->second;
    if (!s.confirmed && static_cast<double>(e.ts.us - s.window_start.us) > cfg_.window_s * 1e6) {
      s.ports.clear();
      s.open.clear();
      s.window_start = e.ts;
      s.first = e.ts;
      s.events = 0;
      s.evidence = EvidenceSampler{};
    }
    s.last = e.ts;
    s.events += e.count;
    s.evidence.add(e.origin);
    s.kinds |= static_cast<std::uint16_t>(1u << static_cast<unsigned>(p));
    s.ports.add(e.dport);
    if (!s.confirmed && static_cast<double>(s.ports.count()) >= cfg_.min_ports) s.confirmed = true;
  }

  void finish(Context& ctx) override {
    // One finding per source; the pair with the most ports describes it.
    FlatMap<IpAddress, std::vector<std::pair<const PairKey*, const State*>>, IpAddressHash> by_src;
    for (const auto& [k, s] : pairs_) {
      if (static_cast<double>(s.ports.count()) < cfg_.min_ports) continue;
      const double open = static_cast<double>(s.open.count()) / static_cast<double>(s.ports.count());
      if (open > cfg_.max_open_fraction) continue;
      by_src[k.a].emplace_back(&k, &s);
    }
    for (auto& [src, list] : by_src) {
      std::sort(list.begin(), list.end(), [](const auto& x, const auto& y) {
        if (x.second->ports.count() != y.second->ports.count()) return x.second->ports.count() > y.second->ports.count();
        if (x.first->b != y.first->b) return x.first->b < y.first->b;
        return x.first->extra < y.first->extra;  // TCP and UDP pairs to one host: a total order
      });
      const auto& [key, best] = list.front();
      Timestamp first = best->first, last = best->last;
      std::uint64_t events = 0;
      std::vector<IpAddress> targets;
      for (const auto& [k, s] : list) {
        first = std::min(first, s->first);
        last = std::max(last, s->last);
        events += s->events;
        targets.push_back(k->b);
      }
      auto f = scan::make_finding(id(), src, first, last, events, best->evidence);
      std::sort(targets.begin(), targets.end());
      targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
      f.target_count = targets.size();
      if (targets.size() > Finding::kMaxTargetSample) targets.resize(Finding::kMaxTargetSample);
      f.target_sample = targets;
      const auto transport = static_cast<decode::Transport>(key->extra);
      const char* proto = decode::to_string(transport);
      std::vector<std::string> kinds;
      for (std::size_t i = 1; i < scan::kProbeKinds; ++i) {
        if ((best->kinds & (1u << i)) != 0) kinds.emplace_back(scan::probe_name(static_cast<Probe>(i)));
      }
      const auto n = best->ports.count();
      const double minutes = std::max(1e-6, static_cast<double>(best->last.us - best->first.us) / 60e6);
      const bool pub = src.is_public();
      f.verdict = Verdict::Suspicious;
      f.severity = pub || n >= 1000 ? Severity::High : Severity::Medium;
      f.confidence = n >= 100 ? 0.9 : 0.75;
      f.title = fmt::format("{} probed {} {} ports of {} ({})", src.to_string(), n, proto, key->b.to_string(),
                            best->ports.ranges(3));
      f.explanation = fmt::format(
          "{} sent {} probes ({}) to {} distinct {} ports of {} in {:.1f} minutes; {} of those ports answered. "
          "A program that uses a service talks to a few ports and gets answers; trying many ports, most of them "
          "closed, is how a port scanner finds what a host offers.{}",
          src.to_string(), best->events, fmt::join(kinds, ", "), n, proto, key->b.to_string(), minutes,
          best->open.count(),
          list.size() > 1 ? fmt::format(" {} hosts were scanned this way.", list.size()) : std::string());
      f.advice = !ctx.inside(src) ? "Make sure the scanned host exposes only the services it must (check the ports that answered), "
                       "and block or rate-limit the source at the border if the scans continue."
                     : "An inside host is scanning: find out whether it is an authorised scanner or inventory tool; "
                       "if not, look for the process that sends the probes and check the host for compromise.";
      f.attr("transport", std::string(proto));
      f.attr("port_range", fmt::format("{}-{}", best->ports.min(), best->ports.max()));
      f.attr("ports", best->ports.ranges(8));
      f.attr("port_count", static_cast<std::int64_t>(n));
      f.attr("answered_ports", static_cast<std::int64_t>(best->open.count()));
      f.attr("probe_types", kinds);
      f.attr("rate_per_minute", static_cast<double>(n) / minutes);
      ctx.emit(std::move(f));
    }
  }

 private:
  static constexpr std::size_t kVictimLook = 8;  // pairs looked at for one to replace when full
  // What every probe writes comes first, next to the key (each cache line of the entry a
  // probe touches is a miss: the table is far larger than the caches); answers touch `open`.
  struct State {
    Timestamp last, window_start;
    std::uint64_t events = 0;
    std::uint16_t kinds = 0;
    bool confirmed = false;
    scan::PortSet ports;
    EvidenceSampler evidence;
    Timestamp first;
    scan::PortSet open;  // probed ports that answered
  };

  void note_answer(const decode::Event& e) {
    auto it = pairs_.find(PairKey{e.dst, e.src, static_cast<std::uint16_t>(e.transport)});
    if (it == pairs_.end()) return;
    auto& s = it->second;
    if (s.ports.contains(e.sport)) s.open.add(e.sport);
  }

  Config cfg_;
  FlatMap<PairKey, State, PairKeyHash> pairs_;
  EvictionCount evicted_;
};

}  // namespace

std::unique_ptr<Detector> make_scan_vertical() { return std::make_unique<ScanVertical>(); }

}  // namespace netseen::detect
