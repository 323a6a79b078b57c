// icmp.parameter_problem — ICMP type 12 (ICMPv6 4): a host or router could not process a
// packet's header (a bad option, a wrong length). The quoted original shows which packet:
// crafted packets from a scanner's OS fingerprinting probes, or a broken stack. Every
// sender is reported with the hosts whose packets it rejected.
#include <fmt/format.h>

#include "detect/detectors.hpp"
#include "detect/icmp_common.hpp"

namespace netseen::detect {

namespace {

class IcmpParameterProblem final : public icmp::SenderDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.parameter_problem"; }
  [[nodiscard]] std::string_view description() const override { return "parameter-problem messages (malformed headers)"; }

 protected:
  [[nodiscard]] bool matches(const decode::Event& e) const override { return is_v4(e, 12) || is_v6(e, 4); }

  void describe(Finding& f, const IpAddress& key, const scan::SourceTally& t, const Context& /*ctx*/) const override {
    f.verdict = Verdict::Suspicious;
    f.severity = Severity::Low;
    f.title = fmt::format("{} rejected {} packets with bad headers", key.to_string(), t.events);
    f.explanation = fmt::format("{} answered {} packets with ICMP parameter-problem{}: their IP header (options, lengths) could "
        "not be processed. Stacks do not produce such packets; they come from crafted probes (OS "
        "fingerprinting, firewall testing) or from broken equipment.",
        key.to_string(), t.events, quoted_text(key));
    f.advice = "Look at the quoted packets' senders: a scanner sending crafted headers, or a device with a broken stack.";
  }
};

}  // namespace

std::unique_ptr<Detector> make_icmp_parameter_problem() { return std::make_unique<IcmpParameterProblem>(); }

}  // namespace netseen::detect
