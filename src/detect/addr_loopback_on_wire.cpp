// addr.loopback_on_wire — a packet with a loopback address (127.0.0.0/8, ::1) as its source
// or destination seen on a real interface. Loopback never leaves a host (RFC 1122 §3.2.1.3):
// on the wire it is spoofed (a scanner hiding its address, a land-style attack) or a broken
// stack. Every occurrence is reported, keyed by the loopback address; the interface "lo"
// is exempt. The sending MAC address, when logged, points at the real sender.
#include <fmt/format.h>

#include <set>

#include "core/flat_map.hpp"
#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class AddrLoopbackOnWire final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "addr.loopback_on_wire"; }
  [[nodiscard]] std::string_view description() const override {
    return "packets with a loopback source or destination on a real interface";
  }
  std::vector<Param> params() override {
    return {{"max_sources", &max_sources_, "loopback addresses tracked at once (memory cap)"}};
  }

  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    const bool src_lo = e.src.is_loopback();
    if (!src_lo && !e.dst.is_loopback()) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    const bool src_lo = e.src.is_loopback();
    if (e.in_iface == "lo" || e.out_iface == "lo") return;
    auto* t = tally(src_lo ? e.src : e.dst, ctx);
    if (t == nullptr) return;
    t->add(e, src_lo ? e.dst : e.src);
    auto& x = extra_[src_lo ? e.src : e.dst];
    if (src_lo) ++x.as_source;
    if (e.src_mac && x.macs.size() < 4) x.macs.insert(e.src_mac->to_string());
    if (!e.in_iface.empty() && x.ifaces.size() < 4) x.ifaces.insert(e.in_iface);
  }

  void finish(Context& ctx) override {
    for (const auto& [addr, t] : tallies_) {
      const auto& x = extra_[addr];
      auto f = scan::make_finding(id(), addr, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = Verdict::Suspicious;
      f.severity = Severity::High;
      f.confidence = 0.9;
      f.title = fmt::format("loopback address {} seen on the wire ({} packets)", addr.to_string(), t.events);
      f.explanation = fmt::format(
          "{} packets carried the loopback address {} as their {} on a network interface{}. Loopback traffic never "
          "leaves a host, so these packets were forged — a scanner hiding its real address, or an attack aimed at "
          "services that trust localhost — or come from a badly broken stack.{}",
          t.events, addr.to_string(), x.as_source > 0 ? "source" : "destination",
          x.ifaces.empty() ? "" : fmt::format(" ({})", fmt::join(x.ifaces, ", ")),
          x.macs.empty() ? "" : fmt::format(" They were sent from MAC address {}.", fmt::join(x.macs, ", ")));
      f.advice = "Drop packets with 127.0.0.0/8 or ::1 arriving on any interface but lo (anti-spoofing / rp_filter); "
                 "the sending MAC address identifies the real sender on the local segment.";
      f.attr("as_source", x.as_source > 0);
      f.attr("mac_addresses", std::vector<std::string>(x.macs.begin(), x.macs.end()));
      f.attr("interfaces", std::vector<std::string>(x.ifaces.begin(), x.ifaces.end()));
      ctx.emit(std::move(f));
    }
  }

 private:
  struct Extra {
    std::uint64_t as_source = 0;
    std::set<std::string> macs, ifaces;
  };
  FlatMap<IpAddress, Extra, IpAddressHash> extra_;
};

}  // namespace

std::unique_ptr<Detector> make_addr_loopback_on_wire() { return std::make_unique<AddrLoopbackOnWire>(); }

}  // namespace netseen::detect
