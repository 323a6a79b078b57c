// icmp.source_quench — ICMP type 4, source quench: an old way for a router or host to ask a
// sender to slow down. RFC 6633 deprecated it in 2012 because it was never useful and could
// be forged to throttle connections (a cheap denial of service). Any seen today comes from
// very old equipment or from someone forging it; every sender is reported.
#include <fmt/format.h>

#include "detect/detectors.hpp"
#include "detect/icmp_common.hpp"

namespace netseen::detect {

namespace {

class IcmpSourceQuench final : public icmp::SenderDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.source_quench"; }
  [[nodiscard]] std::string_view description() const override { return "source quench messages (deprecated, forgeable)"; }

 protected:
  [[nodiscard]] bool matches(const decode::Event& e) const override { return is_v4(e, 4); }

  void describe(Finding& f, const IpAddress& key, const scan::SourceTally& t, const Context& ctx) const override {
    f.verdict = ctx.inside(key) ? Verdict::Misconfiguration : Verdict::Suspicious;
    f.severity = Severity::Low;
    f.title = fmt::format("{} sent {} source-quench messages", key.to_string(), t.events);
    f.explanation = fmt::format("{} sent {} ICMP source-quench messages to {} host{}{}. Source quench asked senders to slow "
        "down; it was deprecated (RFC 6633) because it never worked well and a forged one can throttle a "
        "connection. Today it means very old equipment or someone trying to slow traffic down.{}",
        key.to_string(), t.events, f.target_count, f.target_count == 1 ? "" : "s", quoted_text(key),
        ctx.inside(key) ? "" : " Coming from outside, forgery is the likelier explanation.");
    f.advice = "Drop ICMP type 4 at the firewall; modern stacks ignore it. If an inside device sends it, it is due for replacement.";
  }
};

}  // namespace

std::unique_ptr<Detector> make_icmp_source_quench() { return std::make_unique<IcmpSourceQuench>(); }

}  // namespace netseen::detect
