// The detection engine: feeds every Event to every detector, keeps per-host facts with
// bounded memory, and collects findings in a deterministic order.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <span>
#include <vector>

#include "core/flat_map.hpp"
#include "core/ip_address.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"
#include "decode/frame.hpp"
#include "detect/context.hpp"
#include "detect/detector.hpp"
#include "knowledge/kb.hpp"

namespace netseen::detect {

// Facts gathered about one address as a side product of the event stream.
struct HostFacts {
  IpAddress address;
  std::uint64_t events_as_source = 0;
  std::uint64_t events_as_destination = 0;
  std::uint64_t bytes_as_source = 0;
  Timestamp first_seen, last_seen;
  // TTLs of packets this host sent, by initial-TTL bucket (32, 64, 128, 255), and the
  // largest TTL seen in each (the fewest hops from the sender).
  std::array<std::uint64_t, 4> ttl_bucket_count{};
  std::array<std::uint8_t, 4> ttl_bucket_max{};
  // The same for the host's TCP and UDP packets only, traceroute probes excluded: the TTLs a
  // stack chooses itself, for ttl_consistency (routers answer ICMP with another initial TTL,
  // and traceroute lowers its TTL on purpose).
  struct TtlBuckets {
    std::array<std::uint32_t, 4> count{};
    std::array<std::uint8_t, 4> min{}, max{};  // valid where count > 0
  } stack_ttls;
  // The first IP ids this host sent (for the IP ID pattern), and whether they came from a log.
  std::vector<std::uint16_t> ip_ids;
  bool ip_ids_from_log = false;

  static constexpr std::size_t kMaxIpIds = 32;
};

// What the TTLs say (knowledge base): the likely initial TTL of the host's most common
// TTL group, its hop distance and an OS family guess. initial == 0 when no TTL was seen.
// `kb` nullptr = the built-in knowledge base; the guess views into the one used.
knowledge::TtlGuess guess_ttl(const HostFacts& h, const knowledge::KnowledgeBase* kb = nullptr);
// Whether a host's TTLs disagree with each other (its TCP and UDP packets, traceroute
// probes excluded): packets in more than one initial-TTL
// bucket (each with at least 2 packets and 5 % of them), or a hop distance that moves by
// more than 2 within its bucket (routes change by a hop or two; spoofed packets and
// decoys, crafted with other or random TTLs, do not stay put). Several machines behind
// one NAT address look the same way, which is why this is evidence, not a verdict.
struct TtlConsistency {
  bool inconsistent = false;
  bool several_initials = false;
  bool hop_jump = false;
  std::vector<int> initials;  // initial-TTL buckets seen (32, 64, 128, 255), significant ones only
  int hops_min = 0, hops_max = 0;  // within the most common bucket
  [[nodiscard]] std::string summary() const;  // "initial TTLs 64 and 128; hop distance 4-19"
};
TtlConsistency ttl_consistency(const HostFacts& h);

// incremental-be | incremental-le | random | zero | constant | unknown (knowledge base).
std::string ipid_pattern(const HostFacts& h);

struct EngineStats {
  std::uint64_t events = 0;
  std::map<std::string, std::uint64_t> by_protocol;  // "tcp", "udp", "icmp", …
  std::map<std::string, std::uint64_t> by_action;    // accept / drop / reject (logs)
  bool have_ts = false;
  Timestamp first_ts, last_ts;
  std::uint64_t hosts_evicted = 0;
};

struct EngineOptions {
  std::vector<Cidr> home_nets = default_home_nets();
  // The knowledge base for regions, ports and TTLs; nullptr = the built-in one.
  const knowledge::KnowledgeBase* kb = nullptr;
  // The optional country database (--geoip); nullptr = none. Must outlive the engine.
  const knowledge::GeoIp* geoip = nullptr;
  std::size_t max_hosts = 1'000'000;
  // "<detector id>.<key>" → value, applied over the defaults of data/detectors.conf.
  std::map<std::string, std::string> overrides;
  // Tests only: hand every event to every detector, whatever its interest() says (the
  // check that no detector declares too little).
  bool ignore_interest = false;
};

class Engine {
 public:
  // Builds every detector, applies defaults then overrides. Malformed for an unknown key
  // or a value that is not a number.
  static Result<std::unique_ptr<Engine>> create(const EngineOptions& options);

  // A detector of the caller's own, after the built-in ones (library use; tests). Before
  // the first event and before split_side().
  void add_detector(std::unique_ptr<Detector> d);
  void on_event(const decode::Event& e);
  // After the last event: every detector's findings, sorted. With threads >= 2 the
  // parallel-safe detectors' finish() runs on a second thread too (they read only their own
  // state and the run's constant context, emit and count evictions), each into a list of
  // its own appended in registry order after the others' findings; the sort (by severity,
  // source, id, …) then gives the order one thread gives. A finish() that reads other
  // detectors' findings (ctx.findings()) must therefore not be parallel-safe, and sees
  // those of the detectors before it that are not.
  void finish(unsigned threads = 1);
  // How deep captured packets must be decoded for these detectors: application summaries
  // always, checksum verification only when a detector reads anomalies (none of the engine's
  // own bookkeeping does).
  [[nodiscard]] decode::DecodeOptions decode_options() const;
  // After split_side(): how deep side group g's detectors need captured frames decoded (the
  // deepest Detector::depth() among them, checksums when one reads anomalies), for a group
  // that reads the captures again itself instead of receiving the main part's Events.
  [[nodiscard]] decode::DecodeOptions side_decode_options(unsigned group) const;

  // Threaded analysis. split_side(n) (n >= 1) sets the parallel-safe detectors
  // (Detector::parallel_safe) apart in n groups; from then on on_event_main() does the
  // engine's own bookkeeping and runs the other detectors, and on_event_side(e, g) runs
  // group g. When every event goes through on_event_main() on one thread and through
  // on_event_side(e, g) on group g's thread, each in input order, every detector sees what
  // on_event() would have shown it, and finish() gives the same findings. split_side(0)
  // undoes the split. Call before the first event. With `light_on_main`, parallel-safe
  // detectors of Load::Light stay on the main part (for a main part with a thread of its own).
  void split_side(unsigned groups, bool light_on_main = false);
  [[nodiscard]] unsigned side_groups() const noexcept { return static_cast<unsigned>(side_.size()); }
  // The parallel-safe detectors in registry order: after split_side(), the ones that may run
  // on any thread, one thread at a time, each seeing every event in input order (a caller
  // that moves them between threads runs them itself through run_detector(), not through
  // on_event_side()).
  [[nodiscard]] std::vector<Detector*> parallel_detectors() const;
  // Runs d over a batch of events in order, those whose kinds (interest::of, one per event)
  // it declared an interest in. For detectors split_side() took off the main part.
  void run_detector(Detector& d, std::span<const decode::Event> events, std::span<const std::uint8_t> kinds);
  void on_event_main(const decode::Event& e);
  // Called for events ahead of the one on_event_main() gets next (a batch's main part, as
  // Detector::prefetch for run_detector): Tags, then Entry, for the host-table entries of
  // the event's two addresses and for the main part's detectors that prefetch (their
  // Tags and Entry stages; Inside is for run_detector only).
  void prefetch_main(const decode::Event& e, Detector::Prefetch stage) const noexcept;
  void on_event_side(const decode::Event& e, unsigned group);
  // The findings finish() would emit if the input ended now, in the same order, without
  // ending it: detector state is kept and on_event() may go on (netseen watch). Valid
  // before finish(); detectors' finish() must therefore leave their state unchanged.
  [[nodiscard]] std::vector<Finding> snapshot();

  // The counters of the event stream (the per-protocol and per-action maps are folded from
  // plain counters on each call: the hot path touches no strings or maps).
  [[nodiscard]] const EngineStats& stats() const;
  [[nodiscard]] const FlatMap<IpAddress, HostFacts, IpAddressHash>& hosts() const noexcept {
    return hosts_;
  }
  // Findings sorted by severity (highest first), then source, id, start and dedup key.
  [[nodiscard]] const std::vector<Finding>& findings() const noexcept { return ctx_.findings(); }
  [[nodiscard]] const Context& context() const noexcept { return ctx_; }
  Context& context_mut() noexcept { return ctx_; }
  [[nodiscard]] const std::vector<std::unique_ptr<Detector>>& detectors() const noexcept { return detectors_; }

 private:
  explicit Engine(const EngineOptions& options);
  HostFacts* host(const IpAddress& a, Timestamp ts);
  [[gnu::noinline]] HostFacts* host_lookup(const IpAddress& a, Timestamp ts);
  void learn_names(const decode::Event& e);
  void bookkeeping(const decode::Event& e);  // stats, host facts, DNS tracker, learned names

  std::size_t max_hosts_;
  mutable EngineStats stats_;
  // Per-event tallies behind stats_.by_protocol / by_action; `seen` keeps keys whose count is 0.
  struct Tally {
    std::uint64_t n = 0;
    bool seen = false;
    void add(std::uint32_t c) noexcept {
      n += c;
      seen = true;
    }
  };
  std::array<Tally, 6> by_transport_{};   // indexed by decode::Transport (None unused)
  std::array<Tally, 256> by_ip_proto_{};  // no transport decoded: "ip-proto-N"
  Tally non_ip_;
  std::array<Tally, 4> by_action_{};      // indexed by decode::Action
  FlatMap<IpAddress, HostFacts, IpAddressHash> hosts_;
  // Direct-mapped cache in front of hosts_ (two lookups per event; a capture's traffic keeps
  // coming back to the same few hundred hosts). An entry is valid while its generation is
  // current: every insert into hosts_ (which may move the entries) starts a new one.
  struct HostCacheEntry {
    IpAddress address;
    std::uint64_t generation = 0;
    HostFacts* facts = nullptr;
  };
  static std::size_t host_cache_slot(const IpAddress& a) noexcept {
    return static_cast<std::size_t>(((a.word(0) ^ a.word(1)) * 0x9E3779B97F4A7C15ULL) >> 54);
  }
  std::array<HostCacheEntry, 1024> host_cache_{};
  std::uint64_t host_generation_ = 1;
  Context ctx_;
  EvictionCount host_evictions_;
  std::vector<std::unique_ptr<Detector>> detectors_;
  // For each combination of event kinds (interest::of), the detectors that look at it, in
  // the order of detectors_.
  std::array<std::vector<Detector*>, interest::kCombinations> by_interest_;
  // After split_side(): the detectors on_event_main() runs, and each side group's.
  std::array<std::vector<Detector*>, interest::kCombinations> main_by_interest_;
  std::vector<const Detector*> main_prefetchers_;  // those of the main part's that prefetch
  std::vector<std::array<std::vector<Detector*>, interest::kCombinations>> side_;
  std::vector<decode::DecodeOptions> side_decode_;
  bool ignore_interest_ = false;
};

// Every detector, in a fixed order (registry.cpp).
std::vector<std::unique_ptr<Detector>> make_all_detectors();
// The built-in defaults (data/detectors.conf, compiled in).
std::string_view builtin_detector_defaults();
// Parses "key = value" lines ('#' comments) into a map; Malformed with the line number.
Result<std::map<std::string, std::string>> parse_detector_config(std::string_view text, std::string_view name);

}  // namespace netseen::detect
