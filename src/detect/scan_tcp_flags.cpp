// scan.tcp_flags — names the kind of TCP scan a source runs from the flags of its probes:
// SYN (half-open, nmap -sS), FIN (-sF), XMAS (FIN+PSH+URG, -sX), NULL (no flags, -sN),
// SYN+FIN (an old firewall-evasion trick), ACK (-sA, and the window scan -sW, which sends
// the same packets and differs only in how the answers are read), Maimon (FIN+ACK, -sM).
//
// Thresholds. FIN, XMAS, NULL and SYN+FIN segments are never sent by a TCP stack on its
// own: `min_odd` (5) distinct (host, port) targets of one of them are enough. SYN, ACK and
// FIN+ACK are normal traffic, so they name a scan only once one source has sent them to
// `min_ports` (20) distinct ports (over all hosts) and no more than `max_open_fraction`
// (0.5) of those targets answered with SYN+ACK. ACK/FIN+ACK probes count only without
// data and from non-service source ports (a server's ACKs to its clients never count).
// Window: the whole input (the odd flags are never legitimate, and a slow scanner is
// still a scanner). State: per source, `max_sources`, targets per kind exact up to 8192.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

using scan::Probe;

// A (host, port) target: the host's hash above, the port in the low 16 bits (so the ports
// of a kind's targets can be read back from its target set).
std::uint64_t target_key(const IpAddress& a, std::uint16_t port) noexcept {
  return (static_cast<std::uint64_t>(IpAddressHash{}(a)) << 16) | port;
}
constexpr std::uint16_t port_of(std::uint64_t target) noexcept { return static_cast<std::uint16_t>(target & 0xFFFF); }

// The first hosts a kind probed (the finding's target sample), asked about at every new
// target. IPv4 hosts are answered from their 32-bit values kept here; the addresses
// themselves (needed for IPv6 and at the end) sit in a vector that only an added host
// touches — a set on the heap cost a cache miss per new target.
class HostSample {
 public:
  static constexpr std::size_t kMax = Finding::kMaxTargetSample;
  void add(const IpAddress& h) {
    if (n_ == kMax) return;
    const std::uint32_t key = h.is_v4() ? h.v4_value() : static_cast<std::uint32_t>(IpAddressHash{}(h));
    const bool v6 = !h.is_v4();
    for (std::size_t i = 0; i < n_; ++i) {
      if (keys_[i] != key || ((v6_ >> i) & 1u) != (v6 ? 1u : 0u)) continue;
      if (!v6 || hosts_[i] == h) return;  // an IPv4 key is the address itself
    }
    keys_[n_] = key;
    if (v6) v6_ = static_cast<std::uint16_t>(v6_ | (1u << n_));
    ++n_;
    hosts_.push_back(h);
  }
  [[nodiscard]] const std::vector<IpAddress>& hosts() const noexcept { return hosts_; }

 private:
  std::array<std::uint32_t, kMax> keys_{};
  std::uint16_t v6_ = 0;  // bit i: keys_[i] is an IPv6 address's hash
  std::uint8_t n_ = 0;
  std::vector<IpAddress> hosts_;
};
static_assert(HostSample::kMax <= 16, "HostSample marks IPv6 keys in 16 bits");

// A kind's distinct (host, port) targets, with the identity of target_key (a host is the
// low 48 bits of its hash). A port scan probes one host on many ports: the first host's
// ports sit in a port set in the record (a probe touches one line of its bitmap), the
// other hosts' targets in a hash set of target keys (a sweep's, a probe touching a line
// of tags and one of keys, in a set of up to kMaxTargets 8-byte keys far larger than
// the caches when thousands of sources scan).
class Targets {
 public:
  // True when (host, port) is new.
  bool insert(const IpAddress& host, std::uint16_t port) {
    const std::uint64_t h = host_of(host);
    if (!has_first_) {
      first_ = h;
      has_first_ = true;
    }
    if (h == first_) return first_ports_.add(port);
    return rest_.insert((h << 16) | port).second;
  }
  [[nodiscard]] bool contains(const IpAddress& host, std::uint16_t port) const noexcept {
    const std::uint64_t h = host_of(host);
    if (has_first_ && h == first_) return first_ports_.contains(port);
    return rest_.contains((h << 16) | port);
  }
  [[nodiscard]] std::size_t size() const noexcept { return first_ports_.count() + rest_.size(); }
  // Asks for the line insert() or contains() will read (the record in the cache by then).
  [[gnu::always_inline]] void prefetch(const IpAddress& host, std::uint16_t port) const noexcept {
    const std::uint64_t h = host_of(host);
    if (has_first_ && h == first_) first_ports_.prefetch(port);
    else rest_.prefetch_tags((h << 16) | port);
  }
  // Adds every target's port to `ports`.
  void add_ports_to(scan::PortSet& ports) const {
    for (const auto p : first_ports_.sorted()) ports.add(p);
    for (const auto t : rest_) ports.add(port_of(t));
  }

 private:
  static std::uint64_t host_of(const IpAddress& a) noexcept {
    return target_key(a, 0) >> 16;  // as target_key: the hash's low 48 bits
  }
  std::uint64_t first_ = 0;
  bool has_first_ = false;
  scan::PortSet first_ports_;
  FlatSet<std::uint64_t> rest_;
};

// What every probe reads or writes comes first (each cache line of it a probe touches
// is a miss once there are thousands of sources); SYN+ACK answers touch `answered`. The
// TCP windows are kept inline for the same reason (a vector cost a miss per probe).
struct Kind {
  static constexpr std::size_t kMaxWindows = 8;
  Timestamp last;
  std::uint64_t events = 0;
  std::uint8_t ttl_min = 255, ttl_max = 0;
  std::uint8_t n_windows = 0;
  std::array<std::uint16_t, kMaxWindows> windows{};  // distinct, in the order seen
  Targets targets;
  EvidenceSampler evidence;
  HostSample hosts;  // its vector, last, is touched only when a host is added
  Timestamp first;
  FlatSet<std::uint64_t> answered;
  // The ports probed once `targets` was full. Until then every port is in a target, and
  // the kind's port set is built from both at the end (ports_of): one port set less to
  // update — one cache miss less — per probe.
  scan::PortSet ports_beyond;
};

class ScanTcpFlags final : public Detector {
 public:
  struct Config {
    double min_odd = 5;
    double min_ports = 20;
    double max_open_fraction = 0.5;
    double max_sources = 50'000;
  };

  [[nodiscard]] std::string_view id() const override { return "scan.tcp_flags"; }
  [[nodiscard]] std::string_view description() const override {
    return "TCP probes whose flags name the scan type (SYN, FIN, XMAS, NULL, ACK/window, Maimon)";
  }
  std::vector<Param> params() override {
    return {{"min_odd", &cfg_.min_odd, "targets of impossible flag combinations (FIN, XMAS, NULL, SYN+FIN) that make a scan"},
            {"min_ports", &cfg_.min_ports, "distinct ports of SYN, ACK or FIN+ACK probes that make a scan"},
            {"max_open_fraction", &cfg_.max_open_fraction,
             "share of SYN targets that answered above which the source is a client"},
            {"max_sources", &cfg_.max_sources, "sources tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kTcp; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Headers; }
  [[nodiscard]] unsigned prefetch_stages() const override { return 3; }
  void prefetch(const decode::Event& e, Prefetch stage) const override {
    if (e.transport != decode::Transport::Tcp) return;
    const bool answer = (e.tcp_flags & 0x12) == 0x12;
    const Probe p = answer ? Probe::Syn : scan::classify_probe(e);
    if (p == Probe::None || p == Probe::Udp) return;
    const IpAddress& owner = answer ? e.dst : e.src;
    switch (stage) {
      case Prefetch::Tags:
        state_.prefetch_tags(owner);
        return;
      case Prefetch::Entry:
        state_.prefetch_entry<312>(owner);  // the key and the SYN kind up to its host sample's keys
        return;
      case Prefetch::Inside: {
        // The entry is in the cache by now: the line of the kind's target set this probe
        // (or this answer) will look up.
        const auto it = state_.find(owner);
        if (it == state_.end()) return;
        const Kind* k = it->second.kind(p);
        if (k == nullptr) return;
        if (answer) k->targets.prefetch(e.src, e.sport);
        else if (k->targets.size() < kMaxTargets) k->targets.prefetch(e.dst, e.dport);
        return;
      }
    }
  }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (e.transport != decode::Transport::Tcp) return;
    if ((e.tcp_flags & 0x12) != 0x12 && scan::classify_probe(e) == Probe::None) return;  // established traffic
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (e.transport != decode::Transport::Tcp || !e.src.valid() || !e.dst.valid()) return;
    if ((e.tcp_flags & 0x12) == 0x12) {  // SYN+ACK: the target answered
      auto it = state_.find(e.dst);
      if (it == state_.end()) return;
      Kind* kp = it->second.kind(Probe::Syn);
      if (kp == nullptr) return;
      auto& k = *kp;
      if (k.targets.contains(e.src, e.sport) && k.answered.size() < kMaxTargets) {
        k.answered.insert(target_key(e.src, e.sport));
      }
      return;
    }
    const Probe p = scan::classify_probe(e);
    if (p == Probe::None || p == Probe::Udp) return;
    auto it = state_.find(e.src);
    if (it == state_.end()) {
      if (static_cast<double>(state_.size()) >= cfg_.max_sources) {
        evicted_.add(ctx, id());
        return;
      }
      it = state_.emplace(e.src, State{}).first;
    }
    auto& k = it->second.use(p, e.ts);
    k.last = e.ts;
    k.events += e.count;
    if (k.targets.size() < kMaxTargets) {
      if (k.targets.insert(e.dst, e.dport)) {
        k.evidence.add(e.origin);
        k.hosts.add(e.dst);
      }
    } else {
      k.ports_beyond.add(e.dport);
    }
    if (e.has_ttl) {
      k.ttl_min = std::min(k.ttl_min, e.ttl);
      k.ttl_max = std::max(k.ttl_max, e.ttl);
    }
    if (e.tcp_window != 0 && k.n_windows < Kind::kMaxWindows &&
        std::find(k.windows.begin(), k.windows.begin() + k.n_windows, e.tcp_window) == k.windows.begin() + k.n_windows) {
      k.windows[k.n_windows++] = e.tcp_window;
    }
  }

  void finish(Context& ctx) override {
    for (const auto& [src, s] : state_) {
      std::vector<std::string> named;
      const Kind* best = nullptr;
      Probe best_p = Probe::None;
      scan::PortSet ports;  // the best kind's
      for (std::size_t i = 1; i < scan::kProbeKinds; ++i) {
        const auto p = static_cast<Probe>(i);
        const Kind* kp = s.kind(p);
        if (kp == nullptr) continue;
        const auto& k = *kp;
        scan::PortSet kind_ports;
        if (!qualifies(p, k, kind_ports)) continue;
        named.emplace_back(scan::probe_name(p));
        if (best == nullptr || k.targets.size() > best->targets.size()) {
          best = &k;
          best_p = p;
          ports = std::move(kind_ports);
        }
      }
      if (best == nullptr) continue;
      if (ports.count() == 0) ports = ports_of(*best);  // an odd kind: qualifies() did not need them
      auto f = scan::make_finding(id(), src, best->first, best->last, best->events, best->evidence);
      f.target_count = 0;
      FlatSet<IpAddress, IpAddressHash> hosts;
      for (std::size_t i = 1; i < scan::kProbeKinds; ++i) {
        if (const Kind* k = s.kind(static_cast<Probe>(i))) hosts.insert(k->hosts.hosts().begin(), k->hosts.hosts().end());
      }
      f.target_sample.assign(hosts.begin(), hosts.end());
      std::sort(f.target_sample.begin(), f.target_sample.end());
      f.target_count = f.target_sample.size();
      const bool odd = scan::impossible_flags(best_p);
      f.verdict = Verdict::Suspicious;
      f.severity = odd || src.is_public() ? Severity::High : Severity::Medium;
      f.confidence = odd ? 0.9 : 0.75;
      f.title = fmt::format("{} ran a {} scan ({} ports, {})", src.to_string(), scan::probe_name(best_p),
                            ports.count(), ports.ranges(2));
      f.explanation = fmt::format(
          "{} sent {} TCP probes with {} flags to {} distinct host/port targets ({} ports: {}). {}",
          src.to_string(), best->events, scan::probe_name(best_p), best->targets.size(), ports.count(),
          ports.ranges(4), meaning(best_p));
      f.advice =
          "Flag scans are made by tools such as nmap, not by applications. Check what answered (RSTs tell the "
          "scanner a port is closed, silence that it is filtered), drop packets with impossible flag combinations "
          "at the border, and block the source if it is not an authorised scanner.";
      f.attr("scan_type", std::string(scan::probe_name(best_p)));
      f.attr("scan_types", named);
      f.attr("port_range", fmt::format("{}-{}", ports.min(), ports.max()));
      f.attr("ports", ports.ranges(8));
      f.attr("port_count", static_cast<std::int64_t>(ports.count()));
      f.attr("targets", static_cast<std::int64_t>(best->targets.size()));
      if (best_p == Probe::Syn) f.attr("answered", static_cast<std::int64_t>(best->answered.size()));
      if (best->ttl_min <= best->ttl_max) {
        f.attr("ttl_range", fmt::format("{}-{}", best->ttl_min, best->ttl_max));
      }
      if (best->n_windows != 0) {
        std::vector<std::string> w;
        for (std::size_t i = 0; i < best->n_windows; ++i) w.push_back(std::to_string(best->windows[i]));
        f.attr("tcp_windows", w);
      }
      ctx.emit(std::move(f));
    }
  }

 private:
  static constexpr std::size_t kMaxTargets = 8192;
  // SYN probes, by far the most common, are kept in the entry itself (one cache miss less
  // per probe than reaching them through a pointer); the other kinds are allocated on first use.
  struct State {
    bool has_syn = false;
    Kind syn;
    std::array<std::unique_ptr<Kind>, scan::kProbeKinds> others;

    [[nodiscard]] Kind* kind(Probe p) noexcept {
      if (p == Probe::Syn) return has_syn ? &syn : nullptr;
      return others[static_cast<std::size_t>(p)].get();
    }
    [[nodiscard]] const Kind* kind(Probe p) const noexcept {
      if (p == Probe::Syn) return has_syn ? &syn : nullptr;
      return others[static_cast<std::size_t>(p)].get();
    }
    Kind& use(Probe p, Timestamp ts) {
      if (p == Probe::Syn) {
        if (!has_syn) {
          has_syn = true;
          syn.first = ts;
        }
        return syn;
      }
      auto& k = others[static_cast<std::size_t>(p)];
      if (!k) {
        k = std::make_unique<Kind>();
        k->first = ts;
      }
      return *k;
    }
  };

  // The distinct ports of a kind's probes: its targets' ports and those probed after the
  // target set was full.
  static scan::PortSet ports_of(const Kind& k) {
    scan::PortSet ports = k.ports_beyond;
    k.targets.add_ports_to(ports);
    return ports;
  }

  // Whether kind `p` makes a scan; `ports` gets its port set when that had to be built.
  [[nodiscard]] bool qualifies(Probe p, const Kind& k, scan::PortSet& ports) const {
    if (scan::impossible_flags(p)) return static_cast<double>(k.targets.size()) >= cfg_.min_odd;
    // No more ports than targets while the set is not full: most sources stop here cheaply.
    if (k.ports_beyond.count() == 0 && static_cast<double>(k.targets.size()) < cfg_.min_ports) return false;
    ports = ports_of(k);
    if (static_cast<double>(ports.count()) < cfg_.min_ports) return false;
    return static_cast<double>(k.answered.size()) <= cfg_.max_open_fraction * static_cast<double>(k.targets.size());
  }

  static const char* meaning(Probe p) noexcept {
    switch (p) {
      case Probe::Syn:
        return "A SYN scan opens connections half-way: open ports answer SYN+ACK, closed ones RST, and the scanner "
               "never completes the handshake, so applications on the target never log it.";
      case Probe::Fin:
      case Probe::Xmas:
      case Probe::Null:
        return "No TCP stack sends such a segment outside a connection. RFC 793 makes a closed port answer it with "
               "RST and an open port stay silent, which lets a scanner map ports past simple SYN filters; Windows "
               "answers RST either way.";
      case Probe::SynFin:
        return "SYN and FIN together are contradictory; old scanners used them to slip past filters that only "
               "looked for a lone SYN.";
      case Probe::Ack:
        return "ACK probes outside any connection are nmap's ACK scan (or window scan): the answers tell the "
               "scanner which ports a firewall filters, and, from the TCP window of the RSTs, sometimes which are "
               "open.";
      case Probe::Maimon:
        return "FIN+ACK probes outside any connection are the Maimon scan: some BSD-derived stacks drop the probe "
               "for open ports instead of answering RST.";
      default: return "";
    }
  }

  Config cfg_;
  FlatMap<IpAddress, State, IpAddressHash> state_;
  EvictionCount evicted_;
};

}  // namespace

std::unique_ptr<Detector> make_scan_tcp_flags() { return std::make_unique<ScanTcpFlags>(); }

}  // namespace netseen::detect
