// scan.sscan — the 'sscan' vulnerability scanner's signature (firewall FAQ §5.2): first TCP
// "ACK pings" whose source and destination ports are equal, to 23, 25, 110, 143 and 80;
// then connection attempts to its probe list (111, 6000, 79, 53, 31337, 139, 21, 1114, 1);
// and OS fingerprinting from source ports 1–5. No TCP stack sends an ACK from port 25 to
// port 25 on its own, so `min_ack_pings` (3) distinct ports of those pings are enough;
// otherwise `min_fingerprint` (2) packets from source ports 1–5 together with
// `min_list_ports` (3) ports of the probe list. State: per (source, target), `max_pairs`.
#include <fmt/format.h>

#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

bool ping_port(std::uint16_t p) noexcept { return p == 23 || p == 25 || p == 110 || p == 143 || p == 80; }
bool list_port(std::uint16_t p) noexcept {
  switch (p) {
    case 1: case 21: case 23: case 25: case 53: case 79: case 80: case 110: case 111: case 139: case 143:
    case 1114: case 6000: case 31337:
      return true;
    default: return false;
  }
}

class ScanSscan final : public Detector {
 public:
  struct Config {
    double min_ack_pings = 3;
    double min_fingerprint = 2;
    double min_list_ports = 3;
    double max_pairs = 50'000;
  };
  [[nodiscard]] std::string_view id() const override { return "scan.sscan"; }
  [[nodiscard]] std::string_view description() const override {
    return "the sscan scanner: ACK pings with equal ports, its probe list, fingerprinting from ports 1-5";
  }
  std::vector<Param> params() override {
    return {{"min_ack_pings", &cfg_.min_ack_pings, "distinct ports of ACK pings with source port = destination port"},
            {"min_fingerprint", &cfg_.min_fingerprint, "packets from source ports 1-5 (with the probe list)"},
            {"min_list_ports", &cfg_.min_list_ports, "ports of sscan's probe list tried (with fingerprinting)"},
            {"max_pairs", &cfg_.max_pairs, "(source, target) pairs tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kTcp; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Headers; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (e.transport != decode::Transport::Tcp) return;
    const bool ack_ping = (e.tcp_flags & 0x17) == decode::tcpflag::kAck && e.sport == e.dport && ping_port(e.dport);
    const bool fingerprint = e.sport >= 1 && e.sport <= 5;
    const bool listed = scan::classify_probe(e) == scan::Probe::Syn && list_port(e.dport);
    if (!ack_ping && !fingerprint && !listed) return;
    record(e, ctx, ack_ping, fingerprint, listed);
  }

  // Out of line: the tests above are all most packets cost (no registers saved for them).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx, bool ack_ping, bool fingerprint, bool listed) {
    const scan::PairKey key{e.src, e.dst, 0};
    auto it = pairs_.find(key);
    if (it == pairs_.end()) {
      if (!ack_ping && !fingerprint) return;  // the probe list alone is any client's traffic
      if (static_cast<double>(pairs_.size()) >= cfg_.max_pairs) {
        ctx.count_eviction(id());
        return;
      }
      it = pairs_.emplace(key, State{}).first;
    }
    auto& s = it->second;
    s.tally.add(e, e.dst);
    if (ack_ping) s.pings.add(e.dport);
    if (fingerprint) ++s.fingerprint;
    if (listed) s.listed.add(e.dport);
  }

  void finish(Context& ctx) override {
    for (const auto& [k, s] : pairs_) {
      const bool by_pings = static_cast<double>(s.pings.count()) >= cfg_.min_ack_pings;
      const bool by_fp = static_cast<double>(s.fingerprint) >= cfg_.min_fingerprint &&
                         static_cast<double>(s.listed.count()) >= cfg_.min_list_ports;
      if (!by_pings && !by_fp) continue;
      const auto& t = s.tally;
      auto f = scan::make_finding(id(), k.a, t.first, t.last, t.events, t.evidence);
      f.dedup_key = fmt::format("{}|{}|{}", id(), k.a.to_string(), k.b.to_string());
      t.fill(f);
      f.verdict = Verdict::Malicious;
      f.severity = Severity::High;
      f.confidence = by_pings && by_fp ? 0.95 : 0.8;
      f.title = fmt::format("{} ran sscan against {}", k.a.to_string(), k.b.to_string());
      f.explanation = fmt::format(
          "{} sent {} TCP ACK \"pings\" from a port to the same port ({}), {} packets from source ports 1-5, and "
          "connection attempts to {} ports of sscan's list ({}). Equal source and destination ports on ACKs, the "
          "probe list and the fingerprinting from ports 1-5 are the phases of the sscan vulnerability scanner: it "
          "checks the host is up, finds services, guesses the OS, then tries known exploits against what answered.",
          k.a.to_string(), s.pings.count(), s.pings.count() > 0 ? s.pings.ranges(5) : "none", s.fingerprint,
          s.listed.count(), s.listed.count() > 0 ? s.listed.ranges(14) : "none");
      f.advice = "Check the services that answered for the vulnerabilities sscan looks for (old sendmail, RPC, "
                 "CGI scripts), and block the source.";
      f.attr("ack_ping_ports", s.pings.ranges(5));
      f.attr("fingerprint_packets", static_cast<std::int64_t>(s.fingerprint));
      f.attr("probe_list_ports", s.listed.ranges(14));
      ctx.emit(std::move(f));
    }
  }

 private:
  struct State {
    scan::PortSet pings, listed;
    std::uint64_t fingerprint = 0;
    scan::SourceTally tally;
  };
  Config cfg_;
  FlatMap<scan::PairKey, State, scan::PairKeyHash> pairs_;
};

}  // namespace

std::unique_ptr<Detector> make_scan_sscan() { return std::make_unique<ScanSscan>(); }

}  // namespace netseen::detect
