// nbstat.local_inventory — one inside host polling the name tables of many hosts, all of
// them inside the home networks: a domain controller's browser, a printer or asset
// monitor, an admin's nbtscan. Benign; named so it is not mistaken for a worm.
// `min_targets` (5) keeps a single `nbtstat -A` by an admin out of it.
#include <fmt/format.h>

#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/netbios_events.hpp"

namespace netseen::detect {

namespace {

class NbstatLocalInventory final : public Detector {
 public:
  struct Config {
    double min_targets = 5;
    double max_sources = 50'000;
  };
  [[nodiscard]] std::string_view id() const override { return "nbstat.local_inventory"; }
  [[nodiscard]] std::string_view description() const override {
    return "an inside host polling name tables only inside the home networks";
  }
  std::vector<Param> params() override {
    return {{"min_targets", &cfg_.min_targets, "inside targets before polling is reported"},
            {"max_sources", &cfg_.max_sources, "sources tracked at once"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kNetbios; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!is_decoded_nbstat_query(e) || !ctx.inside(e.src)) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (e.dst.is_multicast() || e.dst.is_limited_broadcast()) return;
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
    if (e.nbns->id == kNmapTxid) s.nmap = true;
  }

  void finish(Context& ctx) override {
    for (auto& [src, s] : state_) {
      const auto n = s.targets.count();
      if (static_cast<double>(n) < cfg_.min_targets || s.targets.inside() != n) continue;
      Finding f;
      f.id = std::string(id());
      f.severity = Severity::Info;
      f.verdict = Verdict::Benign;
      f.confidence = s.nmap ? 0.5 : 0.7;
      f.source = src;
      f.target_count = n;
      f.target_sample = s.targets.sample(Finding::kMaxTargetSample);
      f.regions = s.targets.regions();
      f.first_seen = s.first;
      f.last_seen = s.last;
      f.events = s.events;
      f.evidence = s.evidence.sample();
      f.title = fmt::format("{} polled the NetBIOS name tables of {} local hosts", src.to_string(), n);
      f.explanation = fmt::format(
          "{} sent {} node-status queries, every one to an address inside the home networks. Domain controllers, "
          "print servers, asset-inventory and monitoring tools do this to learn machine and user names. Nothing "
          "left the network.",
          src.to_string(), s.events);
      f.advice = "Confirm that the host is a server or management tool that is expected to do this; if it is an "
                 "ordinary workstation, find the program responsible.";
      f.dedup_key = fmt::format("{}|{}", id(), src.to_string());
      ctx.emit(std::move(f));
    }
  }

 private:
  struct State {
    Timestamp first, last;
    std::uint64_t events = 0;
    bool nmap = false;
    TargetSet targets;
    EvidenceSampler evidence;
  };
  Config cfg_;
  FlatMap<IpAddress, State, IpAddressHash> state_;
};

}  // namespace

std::unique_ptr<Detector> make_nbstat_local_inventory() { return std::make_unique<NbstatLocalInventory>(); }

}  // namespace netseen::detect
