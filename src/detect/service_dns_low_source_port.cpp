// service.dns_low_source_port — DNS queries (udp/53) sent from a source port below 1024
// other than 53. Resolvers use random high ports (or 53 for old server-to-server
// traffic); a low port means a NAT or firewall rewrote the port, which looks like an
// attack in a log but is not one. Benign; reported once per source so the administrator
// knows why the log lines look odd. `min_queries` (1).
#include <fmt/format.h>

#include "core/flat_map.hpp"
#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class ServiceDnsLowSourcePort final : public scan::TallyDetector {
 public:
  struct Config {
    double min_queries = 1;
  };
  [[nodiscard]] std::string_view id() const override { return "service.dns_low_source_port"; }
  [[nodiscard]] std::string_view description() const override {
    return "DNS queries from source ports below 1024 (a NAT rewriting ports, not an attack)";
  }
  std::vector<Param> params() override {
    return {{"min_queries", &cfg_.min_queries, "queries from low ports before a source is reported"},
            {"max_sources", &max_sources_, "sources tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kUdp; }
  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Headers; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (e.transport != decode::Transport::Udp || e.dport != 53 || e.sport >= 1024 || e.sport == 53) return;
    if (e.dns && e.dns->response) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (auto* t = tally(e.src, ctx)) {
      t->add(e, e.dst);
      ports_[e.src].add(e.sport);
    }
  }

  void finish(Context& ctx) override {
    for (const auto& [src, t] : tallies_) {
      if (static_cast<double>(t.events) < cfg_.min_queries) continue;
      auto f = scan::make_finding(id(), src, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = Verdict::Benign;
      f.severity = Severity::Info;
      f.confidence = 0.7;
      const auto ports = ports_[src].ranges(6);
      f.title = fmt::format("{} sends DNS queries from low source ports ({})", src.to_string(), ports);
      f.explanation = fmt::format(
          "{} sent {} DNS queries to port 53 from source ports below 1024 ({}). Resolvers pick random high ports; "
          "low ones appear when a NAT device or firewall rewrites the source port. It looks unusual in a log but "
          "is not an attack.",
          src.to_string(), t.events, ports);
      f.advice = "Nothing to do; if the source is behind your own NAT, its port allocation explains the lines.";
      f.attr("source_ports", ports);
      ctx.emit(std::move(f));
    }
  }

 private:
  Config cfg_;
  FlatMap<IpAddress, scan::PortSet, IpAddressHash> ports_;
};

}  // namespace

std::unique_ptr<Detector> make_service_dns_low_source_port() { return std::make_unique<ServiceDnsLowSourcePort>(); }

}  // namespace netseen::detect
