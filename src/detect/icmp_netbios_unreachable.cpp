// icmp.netbios_unreachable — ICMP destination-unreachable quoting a datagram to udp/137:
// some host asked another for its NetBIOS name (usually Windows resolving an address after
// a failed DNS reverse lookup) and the target has no NetBIOS service (a UNIX host, a
// printer, a router) or a firewall refused it. The ICMP matters less than the query it
// quotes; the finding is about the host whose queries were refused (the quoted source).
#include <fmt/format.h>

#include "core/flat_map.hpp"
#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class IcmpNetbiosUnreachable final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.netbios_unreachable"; }
  [[nodiscard]] std::string_view description() const override {
    return "destination-unreachable quoting a NetBIOS name query (udp/137)";
  }
  std::vector<Param> params() override { return {{"max_sources", &max_sources_, "querying hosts tracked at once"}}; }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kIcmp; }
  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.icmp || !e.icmp->quoted || e.transport != decode::Transport::Icmp || e.icmp->type != 3) return;
    const auto& q = *e.icmp->quoted;
    if (q.protocol != 17 || !q.has_ports || q.dport != 137) return;
    if (auto* t = tally(q.src, ctx)) {
      t->add(e, q.dst);
      if (e.icmp->code == 3) ++port_unreach_[q.src];
    }
  }

  void finish(Context& ctx) override {
    for (const auto& [querier, t] : tallies_) {
      auto f = scan::make_finding(id(), querier, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = Verdict::Benign;
      f.severity = Severity::Info;
      f.confidence = 0.8;
      f.title = fmt::format("NetBIOS name queries from {} refused by {} host{}", querier.to_string(), f.target_count,
                            f.target_count == 1 ? "" : "s");
      f.explanation = fmt::format(
          "{} ICMP unreachables quoted NetBIOS name-service packets (udp/137) that {} sent to hosts such as {}. "
          "Windows asks a host for its NetBIOS name when DNS cannot name an address (after a failed reverse "
          "lookup); hosts without NetBIOS — UNIX servers, printers, routers — answer port-unreachable. It is "
          "harmless, but each one means a name lookup failed first.",
          t.events, querier.to_string(), f.target_sample.front().to_string());
      f.advice = "Add the missing PTR records for the queried addresses, or disable NetBIOS over TCP/IP on the "
                 "querying host if it does not need it.";
      const auto pu = port_unreach_.find(querier);
      f.attr("port_unreachable", static_cast<std::int64_t>(pu == port_unreach_.end() ? 0 : pu->second));
      ctx.emit(std::move(f));
    }
  }

 private:
  FlatMap<IpAddress, std::uint64_t, IpAddressHash> port_unreach_;
};

}  // namespace

std::unique_ptr<Detector> make_icmp_netbios_unreachable() { return std::make_unique<IcmpNetbiosUnreachable>(); }

}  // namespace netseen::detect
