// What a detector may ask of the engine while it runs: the home networks, the DNS
// correlation, facts about hosts, the knowledge base's region of an address, and where
// to put a finding.
#pragma once

#include <functional>
#include <map>
#include <atomic>
#include <mutex>
#include <optional>
#include <string_view>
#include <array>
#include <unordered_map>
#include <string>
#include <vector>

#include "core/ip_address.hpp"
#include "detect/dns_tracker.hpp"
#include "detect/finding.hpp"
#include "knowledge/geoip.hpp"
#include "knowledge/kb.hpp"

namespace netseen::detect {

struct NetbiosNameSeen {
  std::string name;  // display form, e.g. "WORKSTATION7<00>"
  bool group = false;
  std::array<std::uint8_t, 16> raw{};  // the 16 name bytes, when learned from a packet
  bool has_raw = false;
};

// A behaviour a detector tracks per host, kept across runs by the history database
// (report/history): which host showed it, first and last time, how many events.
struct Observation {
  IpAddress host;
  Timestamp first, last;
  std::uint64_t events = 0;
};

class Context {
 public:
  explicit Context(std::vector<Cidr> home_nets);

  // Inside = in one of --home-net (default RFC 1918 + link-local + loopback + ULA).
  [[nodiscard]] bool inside(const IpAddress& a) const noexcept;
  [[nodiscard]] const std::vector<Cidr>& home_nets() const noexcept { return home_nets_; }
  [[nodiscard]] const DnsTracker& dns() const noexcept { return dns_; }
  DnsTracker& dns_mut() noexcept { return dns_; }

  // The registry or region an address belongs to on a date ("RIPE NCC", "ARIN", "private",
  // "reserved", …). Supplied by the knowledge base; "unknown" when none is attached.
  [[nodiscard]] std::string region(const IpAddress& a, Timestamp at) const;
  void set_region_lookup(std::function<std::string(const IpAddress&, Timestamp)> f) { region_ = std::move(f); }

  // The knowledge base of this run (the built-in one unless --kb files were given).
  [[nodiscard]] const knowledge::KnowledgeBase& kb() const noexcept {
    return kb_ != nullptr ? *kb_ : knowledge::builtin_kb();
  }
  void set_kb(const knowledge::KnowledgeBase* kb) noexcept { kb_ = kb; }

  // The country of an address from the optional GeoIP database (--geoip); nullopt when no
  // database is attached or it has no country for the address. A lookup that finds the
  // database corrupt counts in geoip_errors() and gives nullopt.
  [[nodiscard]] std::optional<knowledge::Country> country(const IpAddress& a) const;
  [[nodiscard]] bool has_geoip() const noexcept { return geoip_ != nullptr; }
  void set_geoip(const knowledge::GeoIp* g) noexcept { geoip_ = g; }
  [[nodiscard]] std::uint64_t geoip_errors() const noexcept { return geoip_errors_; }
  [[nodiscard]] const std::string& geoip_last_error() const noexcept { return geoip_last_error_; }

  // Every finding passes the enricher (if set) as it is emitted: the engine adds per-host
  // evidence there, such as TTL inconsistency for scan.* and addr.* findings.
  void emit(Finding f) {
    if (enrich_) enrich_(f);
    (emit_to_ != nullptr ? *emit_to_ : findings_).push_back(std::move(f));
  }
  // While one lives, what this thread emits goes to `to` instead of the findings
  // (Engine::finish runs parallel-safe detectors' finish() on two threads, each into a list
  // of its own, and appends the lists in registry order).
  class EmitTo {
   public:
    explicit EmitTo(std::vector<Finding>& to) noexcept : prev_(emit_to_) { emit_to_ = &to; }
    ~EmitTo() { emit_to_ = prev_; }
    EmitTo(const EmitTo&) = delete;
    EmitTo& operator=(const EmitTo&) = delete;

   private:
    std::vector<Finding>* prev_;
  };
  void set_enricher(std::function<void(Finding&)> f) { enrich_ = std::move(f); }
  [[nodiscard]] const std::vector<Finding>& findings() const noexcept { return findings_; }
  std::vector<Finding>& findings_mut() noexcept { return findings_; }

  // Hosts name themselves in NBNS registrations and node-status answers.
  void learned_name(const IpAddress& host, NetbiosNameSeen name);
  // From a packet: compared by its raw bytes, formatted only the first time it is seen.
  void learned_name(const IpAddress& host, const decode::NbName& name);
  [[nodiscard]] const std::vector<NetbiosNameSeen>* names_of(const IpAddress& host) const;

  // Across runs: detectors report the per-host behaviour they tracked (observe), and read
  // what earlier runs remembered (prior, supplied before the first event). Both are keyed
  // by detector id and capped at kMaxObservations per detector.
  void observe(std::string_view detector, const Observation& o);
  [[nodiscard]] const std::map<std::string, std::vector<Observation>>& observations() const noexcept {
    return observations_;
  }
  void set_prior(std::string_view detector, std::vector<Observation> prior);
  [[nodiscard]] const std::vector<Observation>& prior(std::string_view detector) const;
  static constexpr std::size_t kMaxObservations = 100'000;

  // Engine::snapshot runs every detector's finish() mid-stream; what finish() adds to the
  // context besides findings (observations, evictions) is rolled back afterwards.
  struct Checkpoint {
    std::map<std::string, std::size_t> observations;  // detector → count
    std::map<std::string, std::uint64_t, std::less<>> evictions;
  };
  [[nodiscard]] Checkpoint checkpoint() const;
  void rollback(const Checkpoint& c);

  // Per-detector state that had to be dropped to stay within its cap. Safe to call from the
  // threads of parallel-safe detectors (Engine::on_event_side) at the same time. A detector
  // that may evict on most events counts through an EvictionCount instead (no lock, no
  // lookup: a capped table refusing a million new keys took a million of both).
  void count_eviction(std::string_view detector, std::uint64_t n = 1) {
    eviction_counter(detector).fetch_add(n, std::memory_order_relaxed);
  }
  // The counter behind count_eviction(detector): valid as long as the context.
  std::atomic<std::uint64_t>& eviction_counter(std::string_view detector);
  // Detector → evictions, for those that evicted anything.
  [[nodiscard]] std::map<std::string, std::uint64_t, std::less<>> evictions() const;

 private:
  std::vector<Cidr> home_nets_;
  struct V4Net {
    std::uint32_t base, mask;
  };
  std::array<std::uint64_t, 1024> home16_{};  // bit n: the /16 n.0.0/16 is inside
  std::vector<V4Net> home_v4_;  // the IPv4 home nets longer than /16, as masks
  DnsTracker dns_;
  std::function<std::string(const IpAddress&, Timestamp)> region_;
  const knowledge::KnowledgeBase* kb_ = nullptr;
  const knowledge::GeoIp* geoip_ = nullptr;
  mutable std::uint64_t geoip_errors_ = 0;
  mutable std::string geoip_last_error_;
  std::vector<Finding> findings_;
  static thread_local std::vector<Finding>* emit_to_;
  std::function<void(Finding&)> enrich_;
  std::unordered_map<IpAddress, std::vector<NetbiosNameSeen>, IpAddressHash> names_;
  std::map<std::string, std::atomic<std::uint64_t>, std::less<>> evictions_;  // nodes never move
  mutable std::mutex evictions_mu_;
  std::map<std::string, std::vector<Observation>> observations_;
  std::map<std::string, std::vector<Observation>, std::less<>> prior_;
};

// A detector's evictions counted from its hot path: the context's counter is looked up once,
// then each eviction is one relaxed atomic add.
class EvictionCount {
 public:
  void add(Context& ctx, std::string_view detector) {
    if (ctx_ != &ctx) {
      counter_ = &ctx.eviction_counter(detector);
      ctx_ = &ctx;
    }
    counter_->fetch_add(1, std::memory_order_relaxed);
  }

 private:
  const Context* ctx_ = nullptr;
  std::atomic<std::uint64_t>* counter_ = nullptr;
};

// The default home networks: 10/8, 172.16/12, 192.168/16, 169.254/16, 127/8, fc00::/7, fe80::/10.
std::vector<Cidr> default_home_nets();

}  // namespace netseen::detect
