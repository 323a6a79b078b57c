// scan.trojan — probes of ports where remote-access trojans listen by default (SubSeven
// 27374, NetBus 12345, Back Orifice 31337, and the rest of the knowledge base's `trojan`
// rows, which follow the firewall FAQ's table). The prober is looking for machines that are
// already infected, to take them over. One probe is enough to name (`min_probes`, 1) —
// nothing legitimate opens a connection to these ports by default — but severity grows
// with the number of hosts probed (`many_targets`, 10). Answers (a reply *from* a trojan
// port, a client port that happens to coincide) never count: only packets that open
// something do. A target that answered SYN+ACK has a listener there: that raises the
// finding to high severity. A general port scan that merely crosses trojan ports (more
// than 20 other ports, trojan ports fewer than half as many) is left to scan.vertical.
// State: per source, `max_sources`.
#include <fmt/format.h>

#include <set>

#include "core/flat_map.hpp"
#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"
#include "knowledge/kb.hpp"

namespace netseen::detect {

namespace {

class ScanTrojan final : public scan::TallyDetector {
 public:
  struct Config {
    double min_probes = 1;
    double many_targets = 10;
  };
  [[nodiscard]] std::string_view id() const override { return "scan.trojan"; }
  [[nodiscard]] std::string_view description() const override {
    return "probes of remote-access-trojan ports (SubSeven, NetBus, Back Orifice, …)";
  }
  std::vector<Param> params() override {
    return {{"min_probes", &cfg_.min_probes, "probes of trojan ports before a source is reported"},
            {"many_targets", &cfg_.many_targets, "hosts probed at which the finding becomes high severity"},
            {"max_sources", &max_sources_, "sources tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kTcp | interest::kUdp; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Headers; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (e.transport != decode::Transport::Tcp && e.transport != decode::Transport::Udp) return;
    if (e.transport != decode::Transport::Tcp || (e.tcp_flags & 0x12) != 0x12) {
      const auto p = scan::classify_probe(e);
      if (p == scan::Probe::None || p == scan::Probe::Ack || p == scan::Probe::Maimon) return;
    }
    record(e, ctx);
  }

  // Out of line: the tests above are all most packets cost (no registers saved for them).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (e.transport != decode::Transport::Tcp && e.transport != decode::Transport::Udp) return;
    const auto& kb = ctx.kb();
    if (e.transport == decode::Transport::Tcp && (e.tcp_flags & 0x12) == 0x12) {  // a listener answered
      const auto* pi = kb.port(e.transport, e.sport);
      if (pi != nullptr && pi->has(knowledge::tag::kTrojan)) {
        auto it = extra_.find(e.dst);
        if (it != extra_.end() && it->second.answered.size() < 64) it->second.answered.insert(e.src.to_string());
      }
      return;
    }
    const auto p = scan::classify_probe(e);
    if (p == scan::Probe::None || p == scan::Probe::Ack || p == scan::Probe::Maimon) return;
    const auto* pi = kb.port(e.transport, e.dport);
    if (pi == nullptr || !pi->has(knowledge::tag::kTrojan)) {
      // Other ports probed by a source already seen on a trojan port: a general scan?
      auto it = extra_.find(e.src);
      if (it != extra_.end()) it->second.other_ports.add(e.dport);
      return;
    }
    auto* t = tally(e.src, ctx);
    if (t == nullptr) return;
    t->add(e, e.dst);
    auto& x = extra_[e.src];
    if (x.ports.size() < 32) x.ports.insert((static_cast<std::uint32_t>(e.transport) << 16) | e.dport);
  }

  void finish(Context& ctx) override {
    for (const auto& [src, t] : tallies_) {
      if (static_cast<double>(t.events) < cfg_.min_probes) continue;
      const auto& x = extra_[src];
      // A port scan that sweeps over trojan ports among hundreds of others is scan.vertical's;
      // this finding is for sources that look for trojans.
      if (x.other_ports.count() >= kGeneralScanPorts && x.ports.size() * 2 < x.other_ports.count()) continue;
      std::vector<std::string> ports;
      for (auto k : x.ports) {
        const auto tr = static_cast<decode::Transport>(k >> 16);
        const auto port = static_cast<std::uint16_t>(k & 0xFFFF);
        const auto* pi = ctx.kb().port(tr, port);
        ports.push_back(fmt::format("{}/{} ({})", port, decode::to_string(tr), pi != nullptr ? pi->service : "?"));
      }
      auto f = scan::make_finding(id(), src, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      const bool listener = !x.answered.empty();
      f.verdict = listener ? Verdict::Malicious : Verdict::Suspicious;
      f.severity = listener || static_cast<double>(f.target_count) >= cfg_.many_targets ? Severity::High : Severity::Medium;
      f.confidence = 0.8;
      f.title = fmt::format("{} probed trojan ports on {} host{}: {}", src.to_string(), f.target_count,
                            f.target_count == 1 ? "" : "s", fmt::join(ports, ", "));
      f.explanation = fmt::format(
          "{} sent {} probes to ports where remote-access trojans listen by default ({}). Nothing legitimate "
          "connects to those ports; the sender is looking for machines already infected, to take control of "
          "them.{}",
          src.to_string(), t.events, fmt::join(ports, ", "),
          listener ? fmt::format(" {} answered on a trojan port: something listens there.", fmt::join(x.answered, ", "))
                   : " No target was seen answering.");
      f.advice = listener ? "Examine the hosts that answered now (netstat -anob / ss -ltnp): a listener on a trojan "
                            "port is a backdoor until proven otherwise. Block the source."
                          : "Drop these ports at the border (they usually are); nothing else to do unless a host "
                            "answers. Block the source if it persists.";
      f.attr("ports", ports);
      f.attr("answered_by", std::vector<std::string>(x.answered.begin(), x.answered.end()));
      ctx.emit(std::move(f));
    }
  }

 private:
  struct Extra {
    std::set<std::uint32_t> ports;  // transport << 16 | port
    std::set<std::string> answered;
    scan::PortSet other_ports;  // non-trojan ports probed after the first trojan probe
  };
  static constexpr std::uint32_t kGeneralScanPorts = 20;
  Config cfg_;
  FlatMap<IpAddress, Extra, IpAddressHash> extra_;
};

}  // namespace

std::unique_ptr<Detector> make_scan_trojan() { return std::make_unique<ScanTrojan>(); }

}  // namespace netseen::detect
