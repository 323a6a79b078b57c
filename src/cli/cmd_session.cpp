// netseen session HOST — NetBIOS session request on tcp/139: positive, negative with its
// reason, retarget followed (bounded).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "netbios/nbss.hpp"
#include "netbios/net_session.hpp"
#include "netbios/net_targets.hpp"

namespace netseen::cli {

namespace {

namespace nn = netseen::netbios::net;

struct SessionArgs {
  std::string host;
  std::string called = "*SMBSERVER#20";
  std::string calling = "NETSEEN";
  int port = 139;
  int timeout_ms = 3000;
  int max_retargets = 3;
  std::string scope;
};

int run_session(const SessionArgs& a) {
  nn::SessionOptions o;
  if (!nn::parse_ipv4(a.host, o.server.address)) {
    fmt::print(stderr, "netseen session: '{}' is not an IPv4 address\n", a.host);
    return kExitUsage;
  }
  if (a.port < 1 || a.port > 65535 || a.timeout_ms < 1 || a.timeout_ms > 60000 || a.max_retargets < 0 ||
      a.max_retargets > 10) {
    fmt::print(stderr, "netseen session: --port 1..65535, --timeout 1..60000 ms, --max-retargets 0..10\n");
    return kExitUsage;
  }
  o.server.port = static_cast<std::uint16_t>(a.port);
  auto called = nn::parse_name_arg(a.called, 0x20, a.scope);
  auto calling = nn::parse_name_arg(a.calling, 0x00, a.scope);
  if (!called || !calling) {
    fmt::print(stderr, "netseen session: {}\n", (!called ? called.error() : calling.error()).detail);
    return kExitUsage;
  }
  o.called = *called;
  o.calling = *calling;
  o.timeout = std::chrono::milliseconds(a.timeout_ms);
  o.max_retargets = a.max_retargets;
  auto r = nn::request_session(o);
  if (!r) {
    fmt::print(stderr, "netseen session: {}\n", r.error().detail);
    return kExitInput;
  }
  for (const auto& h : r->hops) {
    const auto where = fmt::format("{}:{}", nn::ipv4_to_string(h.server.address), h.server.port);
    switch (h.outcome) {
      case nn::SessionOutcome::Positive:
        fmt::print("{}: positive session response: session to {} established\n", where, o.called.display());
        break;
      case nn::SessionOutcome::Negative:
        fmt::print("{}: negative session response 0x{:02x}: {}\n", where, h.error_code,
                   netbios::session_error_meaning(h.error_code));
        break;
      case nn::SessionOutcome::Retarget:
      case nn::SessionOutcome::TooManyRetargets:
        fmt::print("{}: retarget to {}:{}{}\n", where, nn::ipv4_to_string(h.retarget.address), h.retarget.port,
                   h.outcome == nn::SessionOutcome::TooManyRetargets
                       ? fmt::format(" (not followed: more than {} retargets)", a.max_retargets)
                       : "");
        break;
      default:
        fmt::print("{}: {}{}\n", where, nn::to_string(h.outcome), h.detail.empty() ? "" : ": " + h.detail);
        break;
    }
  }
  return r->outcome() == nn::SessionOutcome::Positive ? kExitOk : kExitFindings;
}

}  // namespace

void register_session(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("session", "NetBIOS session request to HOST (tcp/139); retargets followed.");
  auto a = std::make_shared<SessionArgs>();
  cmd->add_option("host", a->host, "IPv4 address")->required();
  cmd->add_option("--called", a->called, "called name NAME[#XX] (default *SMBSERVER#20; suffix 20 when omitted)");
  cmd->add_option("--calling", a->calling, "calling name NAME[#XX] (default NETSEEN<00>)");
  cmd->add_option("--port", a->port, "TCP port (default 139)");
  cmd->add_option("--timeout", a->timeout_ms, "milliseconds per connection (default 3000)");
  cmd->add_option("--max-retargets", a->max_retargets, "retargets followed at most (default 3)");
  cmd->add_option("--scope", a->scope, "NetBIOS scope id");
  cmd->callback([&ctx, a] { ctx.exit_code = run_session(*a); });
}

}  // namespace netseen::cli
