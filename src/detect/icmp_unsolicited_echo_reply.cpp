// icmp.unsolicited_echo_reply — echo replies arriving at a host that sent no matching echo
// request: someone pinged with the host's address as a forged source (a decoy ping sweep,
// or a smurf attack whose victim is this host), or the replies carry data (a covert channel
// such as Loki or an ICMP tunnel). Requests are remembered by (requester, target, id) in a
// bounded set (`max_requests`); in firewall logs, an echo reply the stateful firewall
// dropped was unsolicited by definition. `min_replies` (3) unmatched replies to one host
// make the finding (a single late reply is noise).
#include <fmt/format.h>

#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class IcmpUnsolicitedEchoReply final : public Detector {
 public:
  struct Config {
    double min_replies = 3;
    double max_requests = 200'000;
    double max_hosts = 50'000;
  };
  [[nodiscard]] std::string_view id() const override { return "icmp.unsolicited_echo_reply"; }
  [[nodiscard]] std::string_view description() const override {
    return "echo replies to a host that sent no echo request (decoy sweeps, smurf victims, covert channels)";
  }
  std::vector<Param> params() override {
    return {{"min_replies", &cfg_.min_replies, "unmatched echo replies to one host before it is reported"},
            {"max_requests", &cfg_.max_requests, "outstanding echo requests remembered (memory cap)"},
            {"max_hosts", &cfg_.max_hosts, "receiving hosts tracked at once"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kIcmp; }
  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.icmp) return;
    const bool v6 = e.transport == decode::Transport::Icmpv6;
    if (e.transport != decode::Transport::Icmp && !v6) return;
    const auto type = e.icmp->type;
    if (type == (v6 ? 128 : 8)) {
      if (static_cast<double>(requests_.size()) >= cfg_.max_requests) {
        ctx.count_eviction(id());
        requests_.clear();  // start over rather than refuse new requests
      }
      requests_.insert(key(e.src, e.dst, e.icmp->id));
      return;
    }
    if (type != (v6 ? 129 : 0)) return;
    const bool dropped = e.action == decode::Action::Drop || e.action == decode::Action::Reject;
    if (!dropped && requests_.count(key(e.dst, e.src, e.icmp->id)) != 0) return;
    auto it = hosts_.find(e.dst);
    if (it == hosts_.end()) {
      if (static_cast<double>(hosts_.size()) >= cfg_.max_hosts) {
        ctx.count_eviction(id());
        return;
      }
      it = hosts_.emplace(e.dst, State{}).first;
    }
    auto& s = it->second;
    s.tally.add(e, e.src);
    if (e.payload_len > 64) ++s.big_payload;
  }

  void finish(Context& ctx) override {
    for (const auto& [host, s] : hosts_) {
      const auto& t = s.tally;
      if (static_cast<double>(t.events) < cfg_.min_replies) continue;
      auto f = scan::make_finding(id(), host, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      const bool many = f.target_count >= 10;
      f.verdict = Verdict::Suspicious;
      f.severity = many ? Severity::Medium : Severity::Low;
      f.confidence = 0.7;
      f.title = fmt::format("{} received {} echo replies it never asked for, from {} host{}", host.to_string(),
                            t.events, f.target_count, f.target_count == 1 ? "" : "s");
      f.explanation = fmt::format(
          "{} got {} ICMP echo replies from hosts such as {} without having sent the matching echo requests. "
          "{}{}",
          host.to_string(), t.events, f.target_sample.front().to_string(),
          many ? "Replies from many hosts at once mean someone pinged them with this host's address as a forged "
                 "source: a decoy ping sweep, or a smurf attack aimed at this host."
               : "Someone sent pings with this host's address as a forged source, or the replies carry another "
                 "program's data.",
          s.big_payload > 0 ? fmt::format(" {} replies carried more than 64 bytes of data, which suggests an ICMP "
                                          "tunnel or covert channel.",
                                          s.big_payload)
                            : std::string());
      f.advice = "Drop inbound echo replies that do not match an outbound request (stateful filtering); if they carry "
                 "data, look for an ICMP tunnel on the receiving host.";
      f.attr("large_payloads", static_cast<std::int64_t>(s.big_payload));
      ctx.emit(std::move(f));
    }
  }

 private:
  struct State {
    scan::SourceTally tally;
    std::uint64_t big_payload = 0;
  };
  static std::uint64_t key(const IpAddress& requester, const IpAddress& target, std::uint16_t icmp_id) noexcept {
    IpAddressHash h;
    return (static_cast<std::uint64_t>(h(requester)) * 0x9E3779B97F4A7C15ULL) ^ (h(target) << 16) ^ icmp_id;
  }
  Config cfg_;
  FlatSet<std::uint64_t> requests_;
  FlatMap<IpAddress, State, IpAddressHash> hosts_;
};

}  // namespace

std::unique_ptr<Detector> make_icmp_unsolicited_echo_reply() { return std::make_unique<IcmpUnsolicitedEchoReply>(); }

}  // namespace netseen::detect
