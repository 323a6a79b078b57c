// nbstat.sweep — one source asking many distinct hosts for their NetBIOS name tables,
// with no failed DNS lookups in front to explain it: a scanner or a worm.
//
// Thresholds. A Windows host that falls back to NetBIOS after failed PTR lookups queries
// each unresolved address three times; a busy one reaches perhaps a dozen addresses an
// hour. nbtscan, nmap and worms reach hundreds in minutes. `min_targets` (20) separates
// the two; targets whose PTR lookup just failed are not counted against the source
// (`max_explained_fraction`, 0.5: when half the targets are explained by DNS failures the
// traffic belongs to nbstat.reverse_lookup). Sweeps that stay inside the home networks are
// nbstat.local_inventory's. A slow sweep still counts: the window is the whole input.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/netbios_events.hpp"

namespace netseen::detect {

namespace {

class NbstatSweep final : public Detector {
 public:
  struct Config {
    double min_targets = 20;
    double max_explained_fraction = 0.5;
    double malicious_targets = 50;   // public targets at which a patterned sweep is called malicious
    double max_sources = 50'000;
  };

  [[nodiscard]] std::string_view id() const override { return "nbstat.sweep"; }
  [[nodiscard]] std::string_view description() const override {
    return "one source sends node-status queries to many distinct hosts without DNS failures to explain them";
  }
  std::vector<Param> params() override {
    return {{"min_targets", &cfg_.min_targets, "distinct targets before a source is called a sweep"},
            {"max_explained_fraction", &cfg_.max_explained_fraction,
             "share of targets explained by failed PTR lookups above which this is a reverse lookup instead"},
            {"malicious_targets", &cfg_.malicious_targets,
             "public targets at which a sweep with a fixed txid pattern is called malicious"},
            {"max_sources", &cfg_.max_sources, "sources tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kNetbios; }
  // On the main part (it reads the DNS tracker): Engine::prefetch_main asks ahead for the
  // source's entry.
  [[nodiscard]] unsigned prefetch_stages() const override { return 2; }
  void prefetch(const decode::Event& e, Prefetch stage) const override {
    if (!is_nbstat_like(e)) return;
    // A query writes up to its target set's last target (a repeat is answered from it).
    if (stage == Prefetch::Tags) state_.prefetch_tags(e.src);
    else state_.prefetch_entry<192>(e.src);
  }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!is_nbstat_like(e) || !e.dst.valid() || e.dst.is_multicast() || e.dst.is_limited_broadcast()) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    auto it = state_.find(e.src);
    if (it == state_.end()) {
      if (static_cast<double>(state_.size()) >= cfg_.max_sources) {
        ctx.count_eviction(id());
        return;
      }
      it = state_.emplace(e.src, State{}).first;
      it->second.first = e.ts;
    }
    auto& s = it->second;
    s.last = e.ts;
    ++s.events;
    s.evidence.add(e.origin);
    if (e.nbns) {
      ++s.decoded;
      if (s.txids.size() < 64) {
        s.txids.push_back(e.nbns->id);
        s.times.push_back(e.ts);
      }
    }
    s.add_sport(e.sport);
    if (s.targets.add(e.dst, e.ts, ctx)) {
      const auto pc = ptr_context(e, ctx);
      if (pc == PtrContext::AfterFailedPtr || pc == PtrContext::AfterPtrTimeout) ++s.explained;
    }
  }

  void finish(Context& ctx) override {
    for (auto& [src, s] : state_) {
      const auto n = s.targets.count();
      if (static_cast<double>(n) < cfg_.min_targets) continue;
      if (s.targets.inside() == n) continue;  // nbstat.local_inventory
      if (static_cast<double>(s.explained) > cfg_.max_explained_fraction * static_cast<double>(n)) continue;
      Finding f;
      f.id = std::string(id());
      f.source = src;
      f.target_count = n;
      f.target_sample = s.targets.sample(Finding::kMaxTargetSample);
      f.regions = s.targets.regions();
      f.first_seen = s.first;
      f.last_seen = s.last;
      f.events = s.events;
      f.evidence = s.evidence.sample();
      const std::string pattern = s.decoded > 0 ? classify_txids(s.txids, s.times) : "unknown (log shows no payload)";
      const double minutes = std::max(1e-6, static_cast<double>(s.last.us - s.first.us) / 60e6);
      const double rate = static_cast<double>(n) / minutes;
      const bool patterned = pattern == "constant" || pattern.rfind("step", 0) == 0 || pattern == "time-derived";
      const auto pub = s.targets.public_count();
      if (patterned && static_cast<double>(pub) >= cfg_.malicious_targets) {
        f.verdict = Verdict::Malicious;
        f.severity = Severity::High;
        f.confidence = 0.85;
      } else {
        f.verdict = Verdict::Suspicious;
        f.severity = pub > 0 ? Severity::High : Severity::Medium;
        f.confidence = s.decoded > 0 ? 0.7 : 0.55;
      }
      std::string top_region;
      std::uint64_t top_n = 0;
      for (const auto& [r, c] : f.regions) {
        if (c > top_n) {
          top_n = c;
          top_region = r;
        }
      }
      const char* what = s.decoded > 0 ? "node-status (NBSTAT) queries" : "NetBIOS name-service packets (udp/137)";
      f.title = fmt::format("{} sent {} to {} hosts{}", src.to_string(), what, n,
                            top_n > 0 && top_region != "unknown" ? fmt::format(", mostly in the {} region", top_region)
                                                                 : std::string());
      f.explanation = fmt::format(
          "{} asked {} distinct addresses for their NetBIOS name tables in {:.1f} minutes (about {:.0f} per "
          "minute){}. {} had a failed DNS reverse lookup just before, so Windows' reverse-lookup "
          "fallback does not explain this traffic. Transaction ids: {}. {}",
          src.to_string(), n, minutes, rate, pub > 0 ? fmt::format(", {} of them public Internet addresses", pub) : "",
          s.explained == 0 ? std::string("None of them") : fmt::format("Only {} of them", s.explained), pattern,
          patterned ? "Ids that follow a fixed rule come from a program building its own packets (a scanner or a "
                      "worm), not from the Windows resolver."
                    : "A steady stream of queries to unrelated hosts is how scanners and worms look for machines "
                      "with file sharing open.");
      f.advice =
          "Find the process that sends the queries on the source host (Windows: netstat -anob, or Resource Monitor; "
          "Linux: ss -uapn sport = :137; live: netseen watch), isolate the host if it is not an authorised scanner, "
          "and scan it for worms. Block udp/137-139 and tcp/139,445 outbound at the border.";
      f.attr("txid_pattern", pattern);
      f.attr("rate_per_minute", rate);
      f.attr("explained_by_dns_failures", static_cast<std::int64_t>(s.explained));
      f.attr("public_targets", static_cast<std::int64_t>(pub));
      std::vector<std::string> ports;
      for (std::size_t i = 0; i < s.n_sports; ++i) ports.push_back(std::to_string(s.sports[i]));
      f.attr("source_ports", ports);
      if (s.n_sports == 1) f.attr("source_port", static_cast<std::int64_t>(s.sports[0]));
      if (s.targets.saturated()) f.attr("targets_approximate", true);
      f.dedup_key = fmt::format("{}|{}", id(), src.to_string());
      ctx.emit(std::move(f));
    }
  }

 private:
  // Runs on the reader thread for every 137->137 packet: what each one writes comes first,
  // next to the key, the source ports inline (a vector of them was one more cache miss).
  struct State {
    Timestamp last;
    std::uint64_t events = 0;
    std::uint8_t n_sports = 0;
    std::array<std::uint16_t, 8> sports{};  // distinct source ports, the first eight
    EvidenceSampler evidence;
    TargetSet targets;
    Timestamp first;
    std::uint64_t decoded = 0;
    std::uint64_t explained = 0;
    std::vector<std::uint16_t> txids;
    std::vector<Timestamp> times;

    void add_sport(std::uint16_t p) noexcept {
      for (std::size_t i = 0; i < n_sports; ++i) {
        if (sports[i] == p) return;
      }
      if (n_sports < sports.size()) sports[n_sports++] = p;
    }
  };
  Config cfg_;
  FlatMap<IpAddress, State, IpAddressHash> state_;
};

}  // namespace

std::unique_ptr<Detector> make_nbstat_sweep() { return std::make_unique<NbstatSweep>(); }

}  // namespace netseen::detect
