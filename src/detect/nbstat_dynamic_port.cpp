// nbstat.dynamic_port — node-status lookups sent from a dynamic source port rather than
// 137. Windows' own resolver always uses 137; Samba's nmblookup, UNIX resolvers and
// personal firewalls (BlackICE re-queries after 15, 30 and 60 s) use an ephemeral port.
// Benign by itself; the back-off rhythm is named when seen. Queries with nmap's id are
// left to nbstat.nmap; sources that reach nbstat.sweep's scale are not repeated here.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/netbios_events.hpp"

namespace netseen::detect {

namespace {

class NbstatDynamicPort final : public Detector {
 public:
  struct Config {
    double min_port = 1024;
    double max_targets = 19;        // more than this is a sweep
    double backoff_tolerance_s = 3;
    double max_sources = 50'000;
  };
  [[nodiscard]] std::string_view id() const override { return "nbstat.dynamic_port"; }
  [[nodiscard]] std::string_view description() const override {
    return "node-status lookups from a dynamic source port (Samba/UNIX resolvers, personal firewalls)";
  }
  std::vector<Param> params() override {
    return {{"min_port", &cfg_.min_port, "source ports from here up count as dynamic"},
            {"max_targets", &cfg_.max_targets, "targets above which the source belongs to nbstat.sweep"},
            {"backoff_tolerance_s", &cfg_.backoff_tolerance_s, "allowed error on the 15/30/60 s back-off"},
            {"max_sources", &cfg_.max_sources, "sources tracked at once"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kNetbios; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!is_decoded_nbstat_query(e) || e.nbns->id == kNmapTxid || e.sport < cfg_.min_port) return;
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
    s.targets.add(e.dst, e.ts, ctx);
    s.evidence.add(e.origin);
    // Gaps between repeated queries to the same target.
    if (s.last_to.size() >= 256 && s.last_to.find(e.dst) == s.last_to.end()) return;
    auto& last = s.last_to[e.dst];
    if (last.us != 0 && s.gaps.size() < 64) s.gaps.push_back(static_cast<double>(e.ts.us - last.us) / 1e6);
    last = e.ts;
  }

  void finish(Context& ctx) override {
    for (auto& [src, s] : state_) {
      if (static_cast<double>(s.targets.count()) > cfg_.max_targets) continue;
      bool backoff = false;
      for (std::size_t i = 0; i + 1 < s.gaps.size(); ++i) {
        if (std::abs(s.gaps[i] - 15) <= cfg_.backoff_tolerance_s &&
            std::abs(s.gaps[i + 1] - 30) <= cfg_.backoff_tolerance_s) {
          backoff = true;
        }
      }
      Finding f;
      f.id = std::string(id());
      f.severity = Severity::Info;
      f.verdict = Verdict::Benign;
      f.confidence = backoff ? 0.8 : 0.6;
      f.source = src;
      f.target_count = s.targets.count();
      f.target_sample = s.targets.sample(Finding::kMaxTargetSample);
      f.regions = s.targets.regions();
      f.first_seen = s.first;
      f.last_seen = s.last;
      f.events = s.events;
      f.evidence = s.evidence.sample();
      f.title = fmt::format("{} looked up NetBIOS names from a dynamic port{}", src.to_string(),
                            backoff ? " with a 15/30/60 s back-off" : "");
      f.explanation = fmt::format(
          "{} sent {} node-status queries to {} hosts from ports at or above {}. Windows' resolver always uses port "
          "137, so these come from another resolver: Samba's nmblookup or a UNIX name service{}. Alone this is "
          "ordinary name resolution.",
          src.to_string(), s.events, s.targets.count(), static_cast<int>(cfg_.min_port),
          backoff ? ", and the growing 15, 30, 60 second gaps between repeats are the signature of a personal "
                    "firewall (such as BlackICE) resolving the addresses it has seen"
                  : "");
      f.advice = "Nothing to fix unless the host should not resolve names over NetBIOS; if so, turn off NetBIOS "
                 "name lookups in its resolver or firewall software.";
      f.attr("backoff_15_30_60", backoff);
      f.dedup_key = fmt::format("{}|{}", id(), src.to_string());
      ctx.emit(std::move(f));
    }
  }

 private:
  struct State {
    Timestamp first, last;
    std::uint64_t events = 0;
    TargetSet targets{256};
    FlatMap<IpAddress, Timestamp, IpAddressHash> last_to;
    std::vector<double> gaps;
    EvidenceSampler evidence;
  };
  Config cfg_;
  FlatMap<IpAddress, State, IpAddressHash> state_;
};

}  // namespace

std::unique_ptr<Detector> make_nbstat_dynamic_port() { return std::make_unique<NbstatDynamicPort>(); }

}  // namespace netseen::detect
