// nbstat.nmap — node-status queries with transaction id 0x1337. nmap's NetBIOS library
// (nbstat.nse, smb-os-discovery, …) uses that fixed id for every query it sends, so the id
// alone marks the tool. One query is enough; the finding grows with the targets.
#include <fmt/format.h>

#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/netbios_events.hpp"

namespace netseen::detect {

namespace {

class NbstatNmap final : public Detector {
 public:
  struct Config {
    double max_sources = 10'000;
  };
  [[nodiscard]] std::string_view id() const override { return "nbstat.nmap"; }
  [[nodiscard]] std::string_view description() const override {
    return "node-status queries carrying transaction id 0x1337, nmap's fixed id";
  }
  std::vector<Param> params() override { return {{"max_sources", &cfg_.max_sources, "sources tracked at once"}}; }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kNetbios; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.nbns || e.nbns->response || e.nbns->id != kNmapTxid || e.nbns->opcode != 0) return;
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
    if (e.nbns->qtype == kNbstatType) ++s.nbstat;
    s.targets.add(e.dst, e.ts, ctx);
    s.evidence.add(e.origin);
    s.sport = e.sport;
  }

  void finish(Context& ctx) override {
    for (auto& [src, s] : state_) {
      Finding f;
      f.id = std::string(id());
      f.severity = Severity::Medium;
      f.verdict = Verdict::Suspicious;
      f.confidence = s.sport != kNbnsPort ? 0.9 : 0.75;
      f.source = src;
      f.target_count = s.targets.count();
      f.target_sample = s.targets.sample(Finding::kMaxTargetSample);
      f.regions = s.targets.regions();
      f.first_seen = s.first;
      f.last_seen = s.last;
      f.events = s.events;
      f.evidence = s.evidence.sample();
      f.title = fmt::format("{} ran nmap's NetBIOS scripts against {} host{}", src.to_string(), f.target_count,
                            f.target_count == 1 ? "" : "s");
      f.explanation = fmt::format(
          "{} sent {} NetBIOS name-service queries ({} of them node-status) whose transaction id is 0x1337. nmap's "
          "NetBIOS code uses that id for every query, so these come from nmap (nbstat.nse, smb-os-discovery or a -sC "
          "scan) or something built from it. It is reconnaissance: someone is listing machine, domain and user "
          "names.",
          src.to_string(), s.events, s.nbstat);
      f.advice =
          "If the scan is not an authorised inventory or penetration test, find who runs nmap on that host. From "
          "outside: block udp/137 inbound. Inside: check that the scanning host belongs to your administrators.";
      f.attr("txid", std::string("0x1337"));
      f.attr("source_port", static_cast<std::int64_t>(s.sport));
      f.dedup_key = fmt::format("{}|{}", id(), src.to_string());
      ctx.emit(std::move(f));
    }
  }

 private:
  struct State {
    Timestamp first, last;
    std::uint64_t events = 0, nbstat = 0;
    std::uint16_t sport = 0;
    TargetSet targets{1024};
    EvidenceSampler evidence;
  };
  Config cfg_;
  FlatMap<IpAddress, State, IpAddressHash> state_;
};

}  // namespace

std::unique_ptr<Detector> make_nbstat_nmap() { return std::make_unique<NbstatNmap>(); }

}  // namespace netseen::detect
