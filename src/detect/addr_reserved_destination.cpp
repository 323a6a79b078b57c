// addr.reserved_destination — traffic to an address whose /8 was reserved or unallocated
// by IANA *on the date of the traffic* (the knowledge base keeps the registry's history:
// 1.0.0.0/8 was reserved in 2004 and went to APNIC in 2010, so the same packet is an
// anomaly in a 2004 log and ordinary in a 2012 one). Nothing answers there: a host that
// sends to such addresses generates them at random (a worm), has a typo in a
// configuration, or follows a stale bogon list. Every source is reported; private,
// loopback, link-local, multicast and broadcast destinations belong to other detectors.
// State: per source (`max_sources`), targets exact up to 4096.
#include <fmt/format.h>

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"
#include "knowledge/kb.hpp"

namespace netseen::detect {

namespace {

class AddrReservedDestination final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "addr.reserved_destination"; }
  [[nodiscard]] std::string_view description() const override {
    return "traffic to addresses that were reserved or unallocated at the time of the traffic";
  }
  std::vector<Param> params() override {
    return {{"max_sources", &max_sources_, "sources tracked at once (memory cap)"}};
  }

  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    const auto& d = e.dst;
    if (!d.is_v4() || d.is_private() || d.is_loopback() || d.is_link_local() || d.is_multicast() ||
        d.is_limited_broadcast() || d.is_unspecified() || d.is_shared_cgn()) {
      return;
    }
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    const auto& d = e.dst;
    const auto st = ctx.kb().slash8_status(static_cast<std::uint8_t>(d.v4_value() >> 24), e.ts);
    if (st != knowledge::SlashEightStatus::Reserved && st != knowledge::SlashEightStatus::Unallocated &&
        st != knowledge::SlashEightStatus::Future) {
      return;
    }
    if (auto* t = tally(e.src, ctx)) t->add(e, d);
  }

  void finish(Context& ctx) override {
    const auto& kb = ctx.kb();
    for (const auto& [src, t] : tallies_) {
      auto f = scan::make_finding(id(), src, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      const auto info = kb.address(f.target_sample.front(), t.first);
      f.verdict = Verdict::Suspicious;
      f.severity = f.target_count >= 10 ? Severity::Medium : Severity::Low;
      f.confidence = 0.8;
      f.title = fmt::format("{} sent traffic to {} address{} in reserved space", src.to_string(), f.target_count,
                            f.target_count == 1 ? "" : "es");
      f.explanation = fmt::format(
          "{} sent {} packets to {} distinct addresses such as {}, whose /8 was not in use when the traffic "
          "happened ({}). No host answers there. Many different destinations in unused space mean the addresses "
          "are generated (a worm picking random targets); one or two mean a typo or a stale configuration.",
          src.to_string(), t.events, f.target_count, f.target_sample.front().to_string(), info.status_note);
      f.advice = "Find the process on the source that sends this traffic (a worm if the destinations are random); "
                 "drop traffic to unallocated space at the border and keep the bogon list current — the same "
                 "block may be allocated today.";
      f.attr("status", std::string(knowledge::to_string(info.status.value_or(knowledge::SlashEightStatus::Unknown))));
      f.attr("status_note", info.status_note);
      ctx.emit(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Detector> make_addr_reserved_destination() { return std::make_unique<AddrReservedDestination>(); }

}  // namespace netseen::detect
