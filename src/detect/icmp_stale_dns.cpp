// icmp.stale_dns — a host answering a DNS reply with ICMP port-unreachable: the quoted
// packet came *from* port 53, so the reply arrived after the client had given up and
// closed its socket (a slow or overloaded resolver, replies taking a long path, or a
// resolver answering twice). Firewall logs show these as outbound port-unreachables that
// look alarming; they are harmless. Every host doing it is reported (benign, info).
#include <fmt/format.h>

#include "detect/detectors.hpp"
#include "detect/icmp_common.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class IcmpStaleDns final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.stale_dns"; }
  [[nodiscard]] std::string_view description() const override {
    return "port-unreachable answering a late DNS reply (quoted source port 53)";
  }
  std::vector<Param> params() override { return {{"max_sources", &max_sources_, "hosts tracked at once"}}; }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kIcmp; }
  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.icmp || !e.icmp->quoted || e.transport != decode::Transport::Icmp) return;
    if (e.icmp->type != 3 || e.icmp->code != 3) return;
    const auto& q = *e.icmp->quoted;
    if (q.protocol != 17 || !q.has_ports || q.sport != 53) return;
    if (auto* t = tally(e.src, ctx)) {
      t->add(e, q.src);
      quoted_.add(e.src, q, t->events);
    }
  }

  void finish(Context& ctx) override {
    for (const auto& [host, t] : tallies_) {
      auto f = scan::make_finding(id(), host, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = Verdict::Benign;
      f.severity = Severity::Info;
      f.confidence = 0.85;
      f.title = fmt::format("{} refused {} late DNS replies", host.to_string(), t.events);
      f.explanation = fmt::format(
          "{} sent ICMP port-unreachable {} times, each quoting a UDP packet from port 53 of a name server such as "
          "{}. Those packets were DNS answers that arrived after the asking program had stopped waiting and closed "
          "its port. The ICMP is the host's normal reaction, not an attack or a scan.",
          host.to_string(), t.events, f.target_sample.front().to_string());
      f.advice = "Nothing to fix on this host. Many of them point at a slow or overloaded resolver; a firewall may "
                 "drop these ICMP messages silently without harm.";
      quoted_.fill(host, f);
      ctx.emit(std::move(f));
    }
  }

 private:
  icmp::QuotedSamples quoted_;
};

}  // namespace

std::unique_ptr<Detector> make_icmp_stale_dns() { return std::make_unique<IcmpStaleDns>(); }

}  // namespace netseen::detect
