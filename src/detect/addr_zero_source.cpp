// addr.zero_source — a packet whose source is 0.0.0.0 (or ::) that is not a host asking for
// an address. "This host" is only legal while a host has no address yet: DHCP discover and
// request (udp 68 → 67), IGMP reports during start-up, and IPv6 duplicate-address detection
// (ICMPv6 from ::). Anything else with a zero source — TCP, other UDP — is forged: the
// sender cannot receive an answer, so it is scanning blind or flooding. Every occurrence
// outside those exemptions is reported.
#include <fmt/format.h>

#include <set>

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class AddrZeroSource final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "addr.zero_source"; }
  [[nodiscard]] std::string_view description() const override {
    return "packets from 0.0.0.0 or :: that are not address configuration (DHCP, DAD)";
  }
  std::vector<Param> params() override {
    return {{"max_sources", &max_sources_, "entries tracked at once (memory cap)"}};
  }

  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.src.valid() || !e.src.is_unspecified()) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (e.transport == decode::Transport::Udp && e.sport == 68 && e.dport == 67) return;  // DHCP
    if (e.transport == decode::Transport::Udp && e.sport == 546 && e.dport == 547) return;  // DHCPv6
    if (e.transport == decode::Transport::Icmpv6) return;  // duplicate address detection, MLD
    if (e.protocol == 2) return;                           // IGMP while booting
    auto* t = tally(e.src, ctx);
    if (t == nullptr) return;
    t->add(e, e.dst);
    if (e.src_mac && macs_.size() < 4) macs_.insert(e.src_mac->to_string());
    if (e.transport == decode::Transport::Tcp || e.transport == decode::Transport::Udp) ports_.add(e.dport);
  }

  void finish(Context& ctx) override {
    for (const auto& [addr, t] : tallies_) {
      auto f = scan::make_finding(id(), addr, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = Verdict::Suspicious;
      f.severity = Severity::High;
      f.confidence = 0.9;
      f.title = fmt::format("{} packets from the impossible source {}", t.events, addr.to_string());
      f.explanation = fmt::format(
          "{} packets to {} host{} had the source address {}{}. That address only means \"this host, before it "
          "has an address\", which DHCP and IPv6 address configuration use; nothing else may send from it, and no "
          "answer can come back. The packets were forged by a scanner or flooder that does not care about "
          "replies.",
          t.events, f.target_count, f.target_count == 1 ? "" : "s", addr.to_string(),
          ports_.count() > 0 ? fmt::format(" (destination ports {})", ports_.ranges(3)) : std::string());
      f.advice = "Drop packets with a 0.0.0.0/8 source everywhere except DHCP on the local segment (anti-spoofing); "
                 "the sending MAC address, if logged, identifies the sender.";
      f.attr("mac_addresses", std::vector<std::string>(macs_.begin(), macs_.end()));
      if (ports_.count() > 0) f.attr("ports", ports_.ranges(8));
      ctx.emit(std::move(f));
    }
  }

 private:
  std::set<std::string> macs_;
  scan::PortSet ports_;
};

}  // namespace

std::unique_ptr<Detector> make_addr_zero_source() { return std::make_unique<AddrZeroSource>(); }

}  // namespace netseen::detect
