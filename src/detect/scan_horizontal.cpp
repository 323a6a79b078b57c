// scan.horizontal — one source probing the same port on many hosts: a sweep for one
// service (a worm looking for its next victim, a scanner looking for one vulnerable daemon).
//
// Thresholds. Clients reach many servers on a few ports — a DNS resolver asks hundreds of
// name servers on udp/53, a browser reaches hundreds of web servers on 443, a mail relay
// many MX hosts on 25 — but those servers are scattered over the Internet and mostly
// answer. A sweep walks address ranges. So a source is reported when either
//   * `min_dense` (10) hosts of one /24 (one /120 in IPv6) were probed on the port — the
//     signature of walking a range, whatever the port; or
//   * `min_hosts` (50) hosts were probed on a port that is not a "many servers" client
//     port (53, 123, 80, 443, 25, …) and no more than `max_answered_fraction` (0.5) of
//     them answered; or
//   * `min_burst` (8) hosts were probed within `burst_s` (10 s) on such a port, with the same
//     limit on answers — no client opens connections to that many servers of an unusual
//     service in a few seconds, and it is what psad's syn_sweep log shows (11 hosts, 1 s).
// Window: `window_s` (24 h); a slow sweep over hours is still found. udp/137 sweeps are
// nbstat.sweep's; UDP traceroute ports are trace.udp's. State: a key (source, transport,
// port) probed once is a "single" — its one probe in ~80 bytes, in a table of its own
// capped at `max_keys` (when full, a nearby single makes room, counted as evicted): a
// vertical scan makes one such key per port it tries, and most never see a second probe.
// At its second probe a key becomes an entry, replaying the first; entries are capped at
// `max_keys` too (when full, a new one replaces a nearby one-host entry, counted as evicted;
// entries with two hosts or more are kept). Hosts per entry are exact up to 4096; an entry
// that has seen one host holds it inline, the host and subnet tables are allocated at the
// second host.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <vector>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

using scan::Probe;

bool many_server_port(decode::Transport t, std::uint16_t p) noexcept {
  if (t == decode::Transport::Tcp) {
    switch (p) {
      case 25: case 53: case 80: case 443: case 853: case 993: case 995: case 587: case 5222: case 8080: case 8443:
        return true;
      default: return false;
    }
  }
  switch (p) {
    case 53: case 123: case 443: case 3478: case 19302: return true;
    default: return false;
  }
}

class ScanHorizontal final : public Detector {
 public:
  struct Config {
    double min_dense = 10;
    double min_hosts = 50;
    double max_answered_fraction = 0.5;
    double min_burst = 8;
    double burst_s = 10;
    double window_s = 86'400;
    double max_keys = 50'000;
  };

  [[nodiscard]] std::string_view id() const override { return "scan.horizontal"; }
  [[nodiscard]] std::string_view description() const override {
    return "one source probes the same port on many hosts (a sweep)";
  }
  std::vector<Param> params() override {
    return {{"min_dense", &cfg_.min_dense, "hosts of one /24 probed on the same port that make a sweep"},
            {"min_hosts", &cfg_.min_hosts, "hosts anywhere probed on a port that is not a usual client port"},
            {"max_answered_fraction", &cfg_.max_answered_fraction,
             "share of hosts that answered above which the source is a client, not a sweeper"},
            {"min_burst", &cfg_.min_burst, "hosts probed within burst_s on a port that is not a usual client port"},
            {"burst_s", &cfg_.burst_s, "seconds of the burst window"},
            {"window_s", &cfg_.window_s, "seconds within which the hosts must be probed"},
            {"max_keys", &cfg_.max_keys,
             "(source, port) keys tracked at once, as many again probed only once (memory cap; when full, a new "
             "one replaces a one-host key)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kTcp | interest::kUdp; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Headers; }
  [[nodiscard]] unsigned prefetch_stages() const override { return 2; }
  // A probe's key is looked up among the entries, then (absent there, as most are) among
  // the singles. Answers go to note_answer, which finds its own way.
  void prefetch(const decode::Event& e, Prefetch stage) const override {
    const bool tcp = e.transport == decode::Transport::Tcp;
    if (!tcp && e.transport != decode::Transport::Udp) return;
    if (tcp && (e.tcp_flags & 0x12) == 0x12) return;
    if (scan::classify_probe(e) == Probe::None) return;
    const Key key{e.src, e.dport};
    const Map& entries = tcp ? tcp_ : udp_;
    const Singles& singles = tcp ? tcp_singles_ : udp_singles_;
    if (stage == Prefetch::Tags) {
      entries.prefetch_tags(key);
      singles.prefetch_tags(key);
    } else {
      entries.prefetch_entry(key);
      singles.prefetch_entry<128, true>(key);  // a new key becomes a single
    }
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
    const Key key{e.src, e.dport};
    auto& bucket = tcp ? tcp_ : udp_;
    auto it = bucket.find(key);
    if (it == bucket.end()) {
      // Most keys never see a second probe (a vertical scan makes one per port it tries):
      // the first is kept in the small table of singles, and an entry is made at the second.
      auto& singles = tcp ? tcp_singles_ : udp_singles_;
      auto si = singles.find(key);
      if (si == singles.end()) {
        const Single one{e.ts, e.dst, e.origin, e.count, e.sport, static_cast<std::uint8_t>(p), false};
        if (static_cast<double>(tcp_singles_.size() + udp_singles_.size()) >= cfg_.max_keys) {
          // Full: a nearby single makes room (it is the key most likely never to grow).
          evicted_.add(ctx, id());
          singles.replace_near(key, kVictimLook, [](const auto&) { return true; }, one);
          return;
        }
        singles.emplace(key, one);
        return;
      }
      const Single first = si->second;
      singles.erase(si);
      it = open_entry(bucket, key, ctx);
      if (it == bucket.end()) return;
      replay(it->second, first, tcp, e.dport);
    }
    update(it->second, e.ts, e.count, p, e.sport, e.dst, e.origin, tcp, e.dport);
  }

  void finish(Context& ctx) override {
    emit_all(ctx, tcp_, decode::Transport::Tcp);
    emit_all(ctx, udp_, decode::Transport::Udp);
    emit_all(ctx, qualifying_singles(tcp_singles_, decode::Transport::Tcp), decode::Transport::Tcp);
    emit_all(ctx, qualifying_singles(udp_singles_, decode::Transport::Udp), decode::Transport::Udp);
  }

 private:
  static constexpr std::size_t kMaxHosts = 4096;
  static constexpr std::size_t kVictimLook = 8;  // keys looked at for one to replace when full
  struct Key {
    IpAddress source;
    std::uint16_t port = 0;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return IpAddressHash{}(k.source) ^ (static_cast<std::size_t>(k.port) * 0x9E3779B97F4A7C15ULL);
    }
  };
  // The hosts of a key that has probed more than one: most keys never do (a vertical scan
  // makes one key per port, each with its one target), so this is allocated at the second.
  struct Wide {
    FlatSet<IpAddress, IpAddressHash> hosts;  // the first one included
    FlatSet<IpAddress, IpAddressHash> answered;
    FlatMap<IpAddress, std::uint32_t, IpAddressHash> subnets;
    EvidenceSampler evidence;  // one sample per new host
  };
  struct State {
    Timestamp first, last, window_start, burst_start;
    std::uint64_t events = 0;
    std::uint32_t max_dense = 0;
    std::uint32_t burst_n = 0, max_burst = 0;
    std::uint16_t kinds = 0;
    bool confirmed = false;
    bool saturated = false;
    bool first_answered = false;   // until widened: the one host answered
    IpAddress first_host;          // until widened: the one host (invalid before the first)
    decode::Origin first_origin;   // until widened: where it was probed first
    scan::PortSummary sports;
    std::unique_ptr<Wide> wide;

    [[nodiscard]] std::size_t host_count() const noexcept {
      return wide ? wide->hosts.size() : first_host.valid() ? 1 : 0;
    }
    [[nodiscard]] std::size_t answered_count() const noexcept {
      return wide ? wide->answered.size() : first_answered ? 1 : 0;
    }
    [[nodiscard]] bool has_host(const IpAddress& a) const {
      return wide ? wide->hosts.count(a) != 0 : first_host.valid() && first_host == a;
    }
    // Adds a probed host; true when it is new (its evidence is then sampled).
    bool add_host(const IpAddress& a, const decode::Origin& o) {
      if (!wide) {
        if (!first_host.valid()) {
          first_host = a;
          first_origin = o;
          return true;
        }
        if (first_host == a) return false;
        wide = std::make_unique<Wide>();
        wide->hosts.insert(first_host);
        if (first_answered) wide->answered.insert(first_host);
        wide->subnets[scan::subnet_of(first_host)] = 1;
        wide->evidence.add(first_origin);
      } else if (wide->hosts.count(a) != 0) {
        return false;
      }
      wide->hosts.insert(a);
      wide->evidence.add(o);
      return true;
    }
    [[nodiscard]] std::vector<IpAddress> sorted_hosts() const {
      std::vector<IpAddress> v;
      if (wide) v.assign(wide->hosts.begin(), wide->hosts.end());
      else if (first_host.valid()) v.push_back(first_host);
      std::sort(v.begin(), v.end());
      return v;
    }
    [[nodiscard]] EvidenceSampler evidence() const {
      if (wide) return wide->evidence;
      EvidenceSampler one;
      if (first_host.valid()) one.add(first_origin);
      return one;
    }
  };
  using Map = FlatMap<Key, State, KeyHash>;
  // The one probe of a key that has not seen a second: what replaying it into a new entry
  // needs, in about a third of an entry's size.
  struct Single {
    Timestamp ts;
    IpAddress host;
    decode::Origin origin;
    std::uint32_t count = 1;
    std::uint16_t sport = 0;
    std::uint8_t kind = 0;  // Probe
    bool answered = false;  // the host answered on the port
  };
  using Singles = FlatMap<Key, Single, KeyHash>;

  // A new entry for `key`; when the table is full it takes the place of a nearby one-host
  // key — what a vertical scan leaves behind, cheap to lose. Refusing new keys instead let
  // one early vertical scan fill the table and hide every sweep after it. Keys with two
  // hosts or more stay. end() when no entry could be made (counted as evicted).
  Map::iterator open_entry(Map& bucket, const Key& key, Context& ctx) {
    if (static_cast<double>(tcp_.size() + udp_.size()) >= cfg_.max_keys) {
      evicted_.add(ctx, id());
      return bucket.replace_near(key, kVictimLook, [](const Map::value_type& kv) {
        return !kv.second.wide && !kv.second.confirmed;
      });
    }
    return bucket.emplace(key, State{}).first;
  }

  // One probe of `dport` from the key's source to `dst`.
  void update(State& s, Timestamp ts, std::uint32_t count, Probe p, std::uint16_t sport, const IpAddress& dst,
              const decode::Origin& origin, bool tcp, std::uint16_t dport) {
    if (!s.confirmed && static_cast<double>(ts.us - s.window_start.us) > cfg_.window_s * 1e6) {
      s = State{};
      s.first = s.window_start = ts;
    }
    s.last = ts;
    s.events += count;
    s.kinds |= static_cast<std::uint16_t>(1u << static_cast<unsigned>(p));
    s.sports.add(sport);
    if (s.host_count() >= kMaxHosts) {
      if (!s.has_host(dst)) s.saturated = true;
      return;
    }
    if (!s.add_host(dst, origin)) return;
    if (s.burst_n == 0 || static_cast<double>(ts.us - s.burst_start.us) > cfg_.burst_s * 1e6) {
      s.burst_start = ts;
      s.burst_n = 0;
    }
    s.max_burst = std::max(s.max_burst, ++s.burst_n);
    const auto n = s.wide ? ++s.wide->subnets[scan::subnet_of(dst)] : 1;
    s.max_dense = std::max(s.max_dense, n);
    if (!s.confirmed && qualifies(s, tcp ? decode::Transport::Tcp : decode::Transport::Udp, dport)) s.confirmed = true;
  }

  // A single's probe into a fresh entry, as if the entry had been made at that probe.
  void replay(State& s, const Single& one, bool tcp, std::uint16_t dport) {
    s.first = s.window_start = one.ts;
    update(s, one.ts, one.count, static_cast<Probe>(one.kind), one.sport, one.host, one.origin, tcp, dport);
    if (one.answered) s.first_answered = true;
  }

  // The singles as entries of their own (only those that qualify: with the default
  // thresholds none does, but a threshold of one host makes them sweeps).
  [[nodiscard]] Map qualifying_singles(const Singles& singles, decode::Transport t) {
    Map out;
    for (const auto& [k, one] : singles) {
      State s;
      replay(s, one, t == decode::Transport::Tcp, k.port);
      if (qualifies(s, t, k.port)) out.emplace(k, std::move(s));
    }
    return out;
  }

  [[nodiscard]] bool qualifies(const State& s, decode::Transport t, std::uint16_t port) const {
    if (static_cast<double>(s.max_dense) >= cfg_.min_dense) return true;
    if (many_server_port(t, port)) return false;
    const auto hosts = static_cast<double>(s.host_count());
    if (hosts < cfg_.min_hosts && static_cast<double>(s.max_burst) < cfg_.min_burst) return false;
    return static_cast<double>(s.answered_count()) <= cfg_.max_answered_fraction * hosts;
  }

  void note_answer(const decode::Event& e) {
    auto& bucket = e.transport == decode::Transport::Tcp ? tcp_ : udp_;
    const Key key{e.dst, e.sport};
    auto it = bucket.find(key);
    if (it == bucket.end()) {
      auto& singles = e.transport == decode::Transport::Tcp ? tcp_singles_ : udp_singles_;
      const auto si = singles.find(key);
      if (si != singles.end() && si->second.host == e.src) si->second.answered = true;
      return;
    }
    auto& s = it->second;
    if (!s.has_host(e.src)) return;
    if (!s.wide) s.first_answered = true;
    else if (s.wide->answered.size() < kMaxHosts) s.wide->answered.insert(e.src);
  }

  void emit_all(Context& ctx, const Map& m, decode::Transport t) {
    const char* proto = decode::to_string(t);
    for (const auto& [k, s] : m) {
      if (!qualifies(s, t, k.port)) continue;
      auto f = scan::make_finding(id(), k.source, s.first, s.last, s.events, s.evidence());
      f.dedup_key = fmt::format("{}|{}|{}/{}", id(), k.source.to_string(), k.port, proto);
      const std::vector<IpAddress> hosts = s.sorted_hosts();
      f.target_count = hosts.size();
      f.target_sample.assign(hosts.begin(), hosts.begin() + static_cast<std::ptrdiff_t>(
                                                                 std::min(hosts.size(), Finding::kMaxTargetSample)));
      std::vector<std::string> kinds;
      for (std::size_t i = 1; i < scan::kProbeKinds; ++i) {
        if ((s.kinds & (1u << i)) != 0) kinds.emplace_back(scan::probe_name(static_cast<Probe>(i)));
      }
      const double minutes = std::max(1e-6, static_cast<double>(s.last.us - s.first.us) / 60e6);
      const auto n = hosts.size();
      f.verdict = Verdict::Suspicious;
      f.severity = k.source.is_public() || n >= 256 ? Severity::High : Severity::Medium;
      f.confidence = static_cast<double>(s.max_dense) >= cfg_.min_dense ? 0.85 : 0.7;
      f.title = fmt::format("{} swept {}/{} across {} hosts", k.source.to_string(), k.port, proto, n);
      f.explanation = fmt::format(
          "{} probed {} port {} on {} distinct hosts in {:.1f} minutes ({}), up to {} of them in one subnet; "
          "{} answered. A client reaches servers scattered over the Internet and they answer; walking through "
          "neighbouring addresses on one port is how worms and scanners look for a single service to attack.",
          k.source.to_string(), proto, k.port, n, minutes, fmt::join(kinds, ", "), s.max_dense, s.answered_count());
      f.advice = ctx.inside(k.source)
                     ? "An inside host is sweeping: find the process sending the probes, check the host for a worm, "
                       "and make sure the swept service is patched on every host that answered."
                     : "Check the hosts that answered on this port; block the source at the border if it persists.";
      f.attr("transport", std::string(proto));
      f.attr("port", static_cast<std::int64_t>(k.port));
      f.attr("hosts", static_cast<std::int64_t>(n));
      f.attr("max_hosts_in_subnet", static_cast<std::int64_t>(s.max_dense));
      f.attr("max_hosts_in_burst", static_cast<std::int64_t>(s.max_burst));
      f.attr("answered_hosts", static_cast<std::int64_t>(s.answered_count()));
      f.attr("probe_types", kinds);
      f.attr("source_ports", s.sports.text(4));
      if (s.saturated) f.attr("targets_approximate", true);
      ctx.emit(std::move(f));
    }
  }

  Config cfg_;
  Map tcp_, udp_;  // keys probed twice or more
  Singles tcp_singles_, udp_singles_;  // keys probed once
  EvictionCount evicted_;
};

}  // namespace

std::unique_ptr<Detector> make_scan_horizontal() { return std::make_unique<ScanHorizontal>(); }

}  // namespace netseen::detect
