// service.identd_backconnect — a mail (25) or IRC (6667-6669) server opening a connection
// back to port 113 (ident) of a client that has just connected to it: the server asks the
// client's ident daemon who the user is. Harmless, but a firewall that drops it logs an
// "inbound probe of 113" and the client waits for the ident timeout (mail and IRC logins
// that hang for 30 s). Reported when the back-connection comes within `window_s` (60 s)
// of the client's connection. Bounded memory: recent client connections, `max_recent`.
#include <fmt/format.h>

#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

bool ident_asking_port(std::uint16_t p) noexcept { return p == 25 || p == 587 || (p >= 6665 && p <= 6669) || p == 21; }

class ServiceIdentdBackconnect final : public scan::TallyDetector {
 public:
  struct Config {
    double window_s = 60;
    double max_recent = 100'000;
  };
  [[nodiscard]] std::string_view id() const override { return "service.identd_backconnect"; }
  [[nodiscard]] std::string_view description() const override {
    return "a mail or IRC server connecting back to ident (113) of a client that just connected to it";
  }
  std::vector<Param> params() override {
    return {{"window_s", &cfg_.window_s, "seconds between the client's connection and the ident back-connection"},
            {"max_recent", &cfg_.max_recent, "recent client connections remembered (memory cap)"},
            {"max_sources", &max_sources_, "servers tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kTcp; }
  // Reads only home networks, the knowledge base and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  [[nodiscard]] Load load() const override { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (e.transport != decode::Transport::Tcp || scan::classify_probe(e) != scan::Probe::Syn) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (ident_asking_port(e.dport)) {
      if (static_cast<double>(recent_.size()) >= cfg_.max_recent) {
        ctx.count_eviction(id());
        recent_.clear();
      }
      recent_[scan::PairKey{e.src, e.dst, 0}] = Recent{e.ts, e.dport};
      return;
    }
    if (e.dport != 113) return;
    // e.src is the server, e.dst the client that connected to it.
    auto it = recent_.find(scan::PairKey{e.dst, e.src, 0});
    if (it == recent_.end() || static_cast<double>(e.ts.us - it->second.at.us) > cfg_.window_s * 1e6 ||
        e.ts < it->second.at) {
      return;
    }
    if (auto* t = tally(e.src, ctx)) {
      t->add(e, e.dst);
      auto& x = extra_[e.src];
      x.service_port = it->second.port;
      if (e.action == decode::Action::Drop || e.action == decode::Action::Reject) ++x.dropped;
    }
  }

  void finish(Context& ctx) override {
    for (const auto& [server, t] : tallies_) {
      const auto& x = extra_[server];
      auto f = scan::make_finding(id(), server, t.first, t.last, t.events, t.evidence);
      t.fill(f);
      f.verdict = Verdict::Benign;
      f.severity = Severity::Info;
      f.confidence = 0.85;
      const char* what = x.service_port >= 6665 && x.service_port <= 6669 ? "IRC" : x.service_port == 21 ? "FTP" : "mail";
      f.title = fmt::format("{} server {} asked ident (113) of {} client{}", what, server.to_string(), f.target_count,
                            f.target_count == 1 ? "" : "s");
      f.explanation = fmt::format(
          "{} connected back to port 113 of {} host{} seconds after they connected to its port {}. {} servers ask "
          "the client's ident service who the user is; it is not a probe.{}",
          server.to_string(), f.target_count, f.target_count == 1 ? "" : "s", x.service_port, what,
          x.dropped > 0 ? fmt::format(" The firewall dropped {} of them, so the clients wait for the ident timeout "
                                      "before the server lets them in.",
                                      x.dropped)
                        : "");
      f.advice = "Reject (not drop) inbound tcp/113 so the server gets an immediate answer, or allow it to an ident "
                 "daemon.";
      f.attr("service_port", static_cast<std::int64_t>(x.service_port));
      f.attr("dropped", static_cast<std::int64_t>(x.dropped));
      ctx.emit(std::move(f));
    }
  }

 private:
  struct Recent {
    Timestamp at;
    std::uint16_t port = 0;
  };
  struct Extra {
    std::uint16_t service_port = 0;
    std::uint64_t dropped = 0;
  };
  Config cfg_;
  FlatMap<scan::PairKey, Recent, scan::PairKeyHash> recent_;
  FlatMap<IpAddress, Extra, IpAddressHash> extra_;
};

}  // namespace

std::unique_ptr<Detector> make_service_identd_backconnect() { return std::make_unique<ServiceIdentdBackconnect>(); }

}  // namespace netseen::detect
