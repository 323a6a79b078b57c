// netbios.outbound_internet — NetBIOS (udp/137, udp/138, tcp/139) or SMB (tcp/445) from
// an inside host to a public address. File sharing has no business crossing the border:
// whether the firewall dropped it or not, the host that sent it needs a look. Every such
// source is reported (the count separates one stray packet from a flood); severity grows
// with distinct destinations (`many_targets`, 20).
#include <fmt/format.h>

#include <set>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/netbios_events.hpp"

namespace netseen::detect {

namespace {

bool netbios_port(const decode::Event& e) noexcept {
  if (e.transport == decode::Transport::Udp) return e.dport == 137 || e.dport == 138;
  if (e.transport == decode::Transport::Tcp) return e.dport == 139 || e.dport == 445;
  return false;
}

class NetbiosOutboundInternet final : public Detector {
 public:
  struct Config {
    double many_targets = 20;
    double max_sources = 100'000;
  };
  [[nodiscard]] std::string_view id() const override { return "netbios.outbound_internet"; }
  [[nodiscard]] std::string_view description() const override {
    return "NetBIOS or SMB from an inside host to public Internet addresses";
  }
  std::vector<Param> params() override {
    return {{"many_targets", &cfg_.many_targets, "destinations at which the finding becomes high severity"},
            {"max_sources", &cfg_.max_sources, "sources tracked at once"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kNetbios; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!netbios_port(e)) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (!e.dst.is_public() || !ctx.inside(e.src) || ctx.inside(e.dst)) return;
    // Only the opening of a TCP connection counts (not every data segment).
    if (e.transport == decode::Transport::Tcp && (e.tcp_flags & decode::tcpflag::kSyn) == 0 && e.tcp_flags != 0) {
      return;
    }
    auto it = state_.find(e.src);
    if (it == state_.end()) {
      if (static_cast<double>(state_.size()) >= cfg_.max_sources) {
        ctx.count_eviction(id());
        return;
      }
      it = state_.emplace(e.src, State{}).first;
      it->second.first = e.ts;
    }
    auto& s = it->second;
    s.last = e.ts;
    s.events += e.count;
    if (e.action == decode::Action::Drop || e.action == decode::Action::Reject) s.blocked += e.count;
    if (e.action == decode::Action::Accept) s.allowed += e.count;
    s.ports.insert(fmt::format("{}/{}", e.dport, decode::to_string(e.transport)));
    s.targets.add(e.dst, e.ts, ctx);
    s.evidence.add(e.origin);
  }

  void finish(Context& ctx) override {
    for (auto& [src, s] : state_) {
      Finding f;
      f.id = std::string(id());
      const auto n = s.targets.count();
      f.severity = static_cast<double>(n) >= cfg_.many_targets ? Severity::High : Severity::Medium;
      f.verdict = static_cast<double>(n) >= cfg_.many_targets ? Verdict::Suspicious : Verdict::Misconfiguration;
      // Only name-service packets, and nbstat.reverse_lookup (it runs earlier) proved them to
      // be Windows' DNS fallback: a leak worth closing, not an alarm.
      const bool only_nbns = s.ports.size() == 1 && *s.ports.begin() == "137/udp";
      bool explained = false;
      for (const auto& other : ctx.findings()) {
        if (other.source == src && other.id == "nbstat.reverse_lookup" && other.confidence >= 0.9) explained = true;
      }
      if (only_nbns && explained) {
        f.severity = Severity::Low;
        f.verdict = Verdict::Misconfiguration;
      }
      f.confidence = 0.9;  // the ports and addresses are facts; what they mean is in the other findings
      f.source = src;
      f.target_count = n;
      f.target_sample = s.targets.sample(Finding::kMaxTargetSample);
      f.regions = s.targets.regions();
      f.first_seen = s.first;
      f.last_seen = s.last;
      f.events = s.events;
      f.evidence = s.evidence.sample();
      std::vector<std::string> ports(s.ports.begin(), s.ports.end());
      std::string port_list;
      for (const auto& p : ports) port_list += (port_list.empty() ? "" : ", ") + p;
      f.title = fmt::format("{} sent NetBIOS/SMB traffic to {} Internet address{}", src.to_string(), n,
                            n == 1 ? "" : "es");
      std::string fate;
      if (s.blocked > 0 && s.allowed == 0) fate = " The firewall blocked all of it.";
      else if (s.blocked > 0) fate = fmt::format(" The firewall blocked {} and let {} through.", s.blocked, s.allowed);
      else if (s.allowed > 0) fate = " The firewall let it through.";
      f.explanation = fmt::format(
          "{} sent {} packets to {} on public addresses. These ports carry Windows name lookups and file sharing; "
          "they are meant for the local network, and traffic on them towards the Internet is either a resolver "
          "falling back to NetBIOS, a misconfigured share or mapped drive, or a worm looking for victims.{}{}",
          src.to_string(), s.events, port_list, fate,
          only_nbns && explained ? " Here the packets follow failed DNS reverse lookups (see nbstat.reverse_lookup): "
                                   "the resolver's fallback leaking out."
                                 : "");
      f.advice = "Block udp/137-138 and tcp/139,445 outbound at the border if that is not already so, and find the "
                 "program on the host that sends it (netstat -anob on Windows, ss -p on Linux, netseen watch). The "
                 "other findings about this host say which of the causes it is.";
      f.attr("ports", ports);
      f.attr("blocked", static_cast<std::int64_t>(s.blocked));
      f.attr("allowed", static_cast<std::int64_t>(s.allowed));
      f.dedup_key = fmt::format("{}|{}", id(), src.to_string());
      ctx.emit(std::move(f));
    }
  }

 private:
  struct State {
    Timestamp first, last;
    std::uint64_t events = 0, blocked = 0, allowed = 0;
    std::set<std::string> ports;
    TargetSet targets;
    EvidenceSampler evidence;
  };
  Config cfg_;
  FlatMap<IpAddress, State, IpAddressHash> state_;
};

}  // namespace

std::unique_ptr<Detector> make_netbios_outbound_internet() { return std::make_unique<NetbiosOutboundInternet>(); }

}  // namespace netseen::detect
