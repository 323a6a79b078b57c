// addr.link_local — a host sending from 169.254.0.0/16: it asked for an address by DHCP,
// got no answer, and gave itself one (RFC 3927). It can only reach neighbours that did the
// same. Every such source is reported once (a misconfiguration, not an attack); IPv6
// fe80::/10 is normal and ignored. Traffic to 169.254.169.254 (cloud metadata) does not
// count against a source that has a real address.
#include <fmt/format.h>

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class AddrLinkLocal final : public scan::TallyDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "addr.link_local"; }
  [[nodiscard]] std::string_view description() const override {
    return "a host using a self-assigned 169.254/16 address (its DHCP failed)";
  }
  std::vector<Param> params() override {
    return {{"max_sources", &max_sources_, "sources tracked at once (memory cap)"}};
  }

  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.src.is_v4() || !e.src.is_link_local()) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (auto* t = tally(e.src, ctx)) t->add(e, e.dst);
  }

  void finish(Context& ctx) override {
    for (const auto& [src, t] : tallies_) {
      auto f = scan::make_finding(id(), src, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = Verdict::Misconfiguration;
      f.severity = Severity::Low;
      f.confidence = 0.9;
      f.title = fmt::format("{} uses a self-assigned address (DHCP failed)", src.to_string());
      f.explanation = fmt::format(
          "{} sent {} packets from a link-local address. A host gives itself an address in 169.254.0.0/16 only when "
          "its DHCP request went unanswered; it can then reach only neighbours in the same situation, so its users "
          "see \"no network\".",
          src.to_string(), t.events);
      f.advice = "Check the host's cable or Wi-Fi association, the DHCP server and its free leases, and any DHCP "
                 "relay between them.";
      ctx.emit(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Detector> make_addr_link_local() { return std::make_unique<AddrLinkLocal>(); }

}  // namespace netseen::detect
