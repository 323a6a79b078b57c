// nbstat.reverse_lookup — Windows turning an address into a name: the DNS PTR lookup
// failed (or got no answer for about 14 s), so it sent node-status queries from udp/137 to
// udp/137 of the address, three tries about 1.5 s apart, each a 50-byte query for '*'.
//
// A target counts when its query followed a failed or unanswered PTR lookup by the same
// host for the same address (`DnsTracker`). Firewall logs carry no DNS: there a source
// whose 137→137 packets come in groups of at most `max_tries` per target, about
// `retry_interval_s` apart, to fewer than nbstat.sweep's target count, is reported with
// lower confidence as "consistent with" the fallback. ICMP port-unreachables quoting those
// queries (the target has no NetBIOS) are counted as part of the same story.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/netbios_events.hpp"

namespace netseen::detect {

namespace {

// One address a source queried: how often, when last, and what its DNS lookup had done.
struct Target {
  std::uint32_t tries = 0;
  Timestamp last;
  PtrContext context = PtrContext::NoDns;
};

class NbstatReverseLookup final : public Detector {
 public:
  struct Config {
    double max_tries = 3;            // Windows sends three
    double retry_interval_s = 1.5;   // … 1.5 s apart
    double interval_tolerance_s = 0.6;
    double max_log_targets = 19;     // above this a log-only pattern is nbstat.sweep's
    double max_sources = 50'000;
  };

  [[nodiscard]] std::string_view id() const override { return "nbstat.reverse_lookup"; }
  [[nodiscard]] std::string_view description() const override {
    return "node-status queries sent because a DNS reverse (PTR) lookup failed: Windows' name-resolution fallback";
  }
  std::vector<Param> params() override {
    return {{"max_tries", &cfg_.max_tries, "queries per target that the fallback sends"},
            {"retry_interval_s", &cfg_.retry_interval_s, "expected gap between the tries"},
            {"interval_tolerance_s", &cfg_.interval_tolerance_s, "allowed deviation from that gap"},
            {"max_log_targets", &cfg_.max_log_targets,
             "targets above which a log-only 137->137 pattern is left to nbstat.sweep"},
            {"max_sources", &cfg_.max_sources, "sources tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kNetbios | interest::kIcmp; }
  // On the main part (it reads the DNS tracker): Engine::prefetch_main asks ahead for the
  // source's entry, tens of thousands of 137->137 senders in a month of logs.
  [[nodiscard]] unsigned prefetch_stages() const override { return 2; }
  void prefetch(const decode::Event& e, Prefetch stage) const override {
    if (e.sport != kNbnsPort || e.dport != kNbnsPort || !is_nbstat_like(e)) return;
    // A query writes the fields up to its evidence sample (the first target included).
    if (stage == Prefetch::Tags) state_.prefetch_tags(e.src);
    else state_.prefetch_entry<224>(e.src);
  }
  void on_event(const decode::Event& e, Context& ctx) override {
    // ICMP port-unreachable quoting a query to 137 from a host we follow.
    if (e.icmp && e.icmp->type == 3 && e.icmp->code == 3 && e.icmp->quoted && e.icmp->quoted->has_ports &&
        e.icmp->quoted->dport == kNbnsPort) {
      count_unreachable(e.icmp->quoted->src);
      return;
    }
    if (!is_nbstat_like(e) || e.sport != kNbnsPort || e.dport != kNbnsPort) return;
    record(e, ctx);
  }

  // Out of line: the tests above are all most packets cost (no registers saved for them).
  [[gnu::noinline]] void count_unreachable(const IpAddress& querier) {
    auto it = state_.find(querier);
    if (it != state_.end()) ++it->second.unreachables;
  }
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
    if (s.target_count() >= kMaxTargets && !s.has_target(e.dst)) {
      s.too_many_tries = true;  // far beyond a reverse-lookup pattern; stop growing
      return;
    }
    auto& t = s.target(e.dst);
    if (t.tries == 0) {
      t.context = ptr_context(e, ctx);
      switch (t.context) {
        case PtrContext::AfterFailedPtr: ++s.after_failed; break;
        case PtrContext::AfterPtrTimeout: ++s.after_timeout; break;
        case PtrContext::AfterAnsweredPtr: ++s.after_answered; break;
        case PtrContext::NoDns: ++s.no_dns; break;
      }
      if (t.context == PtrContext::AfterFailedPtr || t.context == PtrContext::AfterPtrTimeout) {
        s.explained_sample.add(e.origin);
        if (s.sample_targets.size() < Finding::kMaxTargetSample) s.sample_targets.push_back(e.dst);
        ++s.regions[ctx.region(e.dst, e.ts)];
      }
    } else {
      const double gap = static_cast<double>(e.ts.us - t.last.us) / 1e6;
      if (std::abs(gap - cfg_.retry_interval_s) <= cfg_.interval_tolerance_s) ++s.gaps_matching;
      ++s.gaps;
    }
    ++t.tries;
    if (static_cast<double>(t.tries) > cfg_.max_tries) s.too_many_tries = true;
    t.last = e.ts;
    if (!e.nbns) s.from_log = true;
    s.all_sample.add(e.origin);
  }

  void finish(Context& ctx) override {
    for (const auto& [src, s] : state_) {
      const auto targets = s.target_count();
      const auto explained = s.after_failed + s.after_timeout;
      const bool log_only = explained == 0 && s.after_answered == 0 && s.from_log;
      const bool timing_fits = s.gaps == 0 || s.gaps_matching * 10 >= s.gaps * 7;
      Finding f;
      // Copies: finish() also runs mid-stream (Engine::snapshot) and must leave `s` as it was.
      auto sample_targets = s.sample_targets;
      auto regions = s.regions;
      if (explained > 0 && explained * 2 >= targets) {
        f.confidence = std::min(0.95, 0.6 + 0.1 * static_cast<double>(explained) + (timing_fits ? 0.1 : 0.0));
        f.evidence = s.explained_sample.sample();
        f.target_count = explained;
      } else if (log_only && timing_fits && !s.too_many_tries &&
                 static_cast<double>(targets) <= cfg_.max_log_targets) {
        f.confidence = 0.4;
        f.evidence = s.all_sample.sample();
        f.target_count = targets;
        // The lowest addresses, whatever order the table keeps them in.
        std::vector<IpAddress> all;
        all.reserve(targets);
        // A copy: clang before 16 does not let a lambda name a structured binding (allowed
        // since C++20), and the `fuzz` preset builds with Debian's clang 14.
        const Timestamp first = s.first;
        s.for_each_target([&](const IpAddress& dst, const Target&) {
          all.push_back(dst);
          ++regions[ctx.region(dst, first)];
        });
        std::sort(all.begin(), all.end());
        for (const auto& a : all) {
          if (sample_targets.size() >= Finding::kMaxTargetSample) break;
          sample_targets.push_back(a);
        }
      } else {
        continue;
      }
      f.id = std::string(id());
      f.severity = Severity::Info;
      f.verdict = Verdict::Benign;
      f.source = src;
      std::sort(sample_targets.begin(), sample_targets.end());
      f.target_sample = std::move(sample_targets);
      f.regions = std::move(regions);
      f.first_seen = s.first;
      f.last_seen = s.last;
      f.events = s.events;
      if (explained > 0) {
        f.title = fmt::format("{} fell back to NetBIOS after {} failed DNS reverse lookups", src.to_string(), explained);
        f.explanation = fmt::format(
            "{} looked up the names of {} addresses in DNS (PTR queries); {} got a negative answer and {} got no "
            "answer in time. Right after each failure it sent node-status queries from port 137 to port 137 of the "
            "same address{}. That is what Windows does when it needs a name for an address: DNS first, NetBIOS "
            "second. The queries are a symptom of the DNS fault, not an attack.{}",
            src.to_string(), explained + s.after_answered, s.after_failed, s.after_timeout,
            timing_fits ? ", three tries about 1.5 s apart" : "",
            s.unreachables > 0 ? fmt::format(" {} of the queries drew ICMP port-unreachable answers: those hosts "
                                             "have no NetBIOS, which is normal on the Internet.",
                                             s.unreachables)
                               : "");
      } else {
        f.title = fmt::format("{} sent NetBIOS name-service packets 137->137 in the rhythm of a reverse lookup",
                              src.to_string());
        f.explanation = fmt::format(
            "The log shows {} packets from port 137 to port 137 of {} addresses, at most {} per address and spaced "
            "like Windows' retries. A firewall log cannot show the DNS lookups in front, so this is consistent with "
            "Windows' reverse-lookup fallback (a failed PTR lookup followed by node-status queries) rather than "
            "proven.",
            s.events, targets, static_cast<int>(cfg_.max_tries));
      }
      f.advice =
          "Fix the DNS side: make sure the DNS servers answer PTR queries quickly (Windows waits about 14 s), add the "
          "missing PTR records for your address space, and if your block is smaller than a /24 ask the provider for "
          "RFC 2317 classless delegation (CNAMEs). Find which program resolves the addresses (a log analyser, a "
          "personal firewall, an IIS server logging client names) and turn its name lookups off if they are not "
          "needed. Blocking udp/137 outbound at the border is still right.";
      f.attr("ptr_failed", static_cast<std::int64_t>(s.after_failed));
      f.attr("ptr_timed_out", static_cast<std::int64_t>(s.after_timeout));
      f.attr("ptr_answered_then_queried", static_cast<std::int64_t>(s.after_answered));
      f.attr("icmp_port_unreachable", static_cast<std::int64_t>(s.unreachables));
      f.attr("retry_timing_matches", timing_fits);
      f.attr("source_port", static_cast<std::int64_t>(kNbnsPort));
      f.dedup_key = fmt::format("{}|{}", id(), src.to_string());
      ctx.emit(std::move(f));
    }
  }

 private:
  // What every query writes comes first, next to the key, with the first target inline:
  // most sources query one address or a few (a firewall log's 137->137 broadcasts, the
  // fallback's three tries), and reaching a separate target table cost two more cache
  // misses per query — on the reader thread, which the log pipeline waits for.
  struct State {
    Timestamp last;
    std::uint64_t events = 0;
    std::uint64_t gaps = 0, gaps_matching = 0;
    bool too_many_tries = false;
    bool from_log = false;
    IpAddress first_dst;  // the first target (invalid before the first query) …
    Target first_target;  // … and its tries
    EvidenceSampler all_sample;
    Timestamp first;
    std::uint64_t after_failed = 0, after_timeout = 0, after_answered = 0, no_dns = 0;
    std::uint64_t unreachables = 0;
    FlatMap<IpAddress, Target, IpAddressHash> more_targets;  // the targets after the first
    std::vector<IpAddress> sample_targets;
    std::map<std::string, std::uint64_t> regions;
    EvidenceSampler explained_sample;

    [[nodiscard]] std::size_t target_count() const noexcept {
      return (first_dst.valid() ? 1 : 0) + more_targets.size();
    }
    [[nodiscard]] bool has_target(const IpAddress& a) const {
      return (first_dst.valid() && first_dst == a) || more_targets.count(a) != 0;
    }
    Target& target(const IpAddress& a) {
      if (!first_dst.valid()) first_dst = a;
      if (first_dst == a) return first_target;
      return more_targets[a];
    }
    template <class F>
    void for_each_target(F&& f) const {
      if (first_dst.valid()) f(first_dst, first_target);
      for (const auto& [dst, t] : more_targets) f(dst, t);
    }
  };
  static constexpr std::size_t kMaxTargets = 4096;
  Config cfg_;
  FlatMap<IpAddress, State, IpAddressHash> state_;
};

}  // namespace

std::unique_ptr<Detector> make_nbstat_reverse_lookup() { return std::make_unique<NbstatReverseLookup>(); }

}  // namespace netseen::detect
