// icmp.reassembly_timeout — ICMP 11/1 (ICMPv6 3/1): a host received some fragments of a
// packet but not all within its reassembly time. Occasional ones mean fragment loss;
// many mean a firewall passing first fragments and dropping later ones, or a fragment
// attack (tiny or overlapping fragments, a flood of incomplete packets). Every sender is
// reported; `many` (10) messages raise it to suspicious.
#include <fmt/format.h>

#include "detect/detectors.hpp"
#include "detect/icmp_common.hpp"

namespace netseen::detect {

namespace {

class IcmpReassemblyTimeout final : public icmp::SenderDetector {
 public:
  [[nodiscard]] std::string_view id() const override { return "icmp.reassembly_timeout"; }
  [[nodiscard]] std::string_view description() const override { return "fragment reassembly time exceeded"; }

 protected:
  [[nodiscard]] bool matches(const decode::Event& e) const override { return (is_v4(e, 11) || is_v6(e, 3)) && e.icmp->code == 1; }

  void describe(Finding& f, const IpAddress& key, const scan::SourceTally& t, const Context& /*ctx*/) const override {
    f.verdict = t.events >= 10 ? Verdict::Suspicious : Verdict::Misconfiguration;
    f.severity = t.events >= 10 ? Severity::Medium : Severity::Low;
    f.title = fmt::format("{} gave up reassembling {} fragmented packets", key.to_string(), t.events);
    f.explanation = fmt::format("{} sent {} reassembly-timeout messages{}: it received part of a fragmented packet and the rest "
        "never came. A few mean fragments were lost on the way; many mean a firewall that passes first "
        "fragments and drops the others, or someone sending incomplete fragments on purpose.",
        key.to_string(), t.events, quoted_text(key));
    f.advice = "Check whether a firewall between the peers drops non-first fragments; avoid fragmentation (smaller MTU, TCP MSS clamping).";
  }
};

}  // namespace

std::unique_ptr<Detector> make_icmp_reassembly_timeout() { return std::make_unique<IcmpReassemblyTimeout>(); }

}  // namespace netseen::detect
