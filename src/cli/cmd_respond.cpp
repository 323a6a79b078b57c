// netseen respond — an NBNS responder for the names it is given (a test peer, a honeypot, a
// stand-in). Logs every message it receives; rate-limited; binds only the address asked for.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "netbios/net_responder.hpp"
#include "netbios/net_targets.hpp"

namespace netseen::cli {

namespace {

namespace nn = netseen::netbios::net;

std::atomic<bool> g_stop{false};

extern "C" void respond_on_signal(int /*sig*/) { g_stop = true; }

struct RespondArgs {
  std::vector<std::string> names, groups;
  std::string mac = "00:00:00:00:00:00";
  std::string bind = "127.0.0.1";
  int port = 137;
  std::string node_type = "B";
  double duration_s = 0;
  std::string format = "text";
  double per_source_rate = 50;
  double rate = 2000;
  std::string fault = "none";
  int fault_delay_ms = 300;
  std::string scope;
  bool quiet = false;
};

std::string now_text() {
  const auto now = std::chrono::system_clock::now();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), us);
}

int run_respond(const RespondArgs& a) {
  nn::ResponderConfig cfg;
  for (const auto& [list, group] : {std::pair{&a.names, false}, std::pair{&a.groups, true}}) {
    for (const auto& text : *list) {
      auto n = nn::parse_name_arg(text, 0x00, a.scope, /*allow_msbrowse=*/group);
      if (!n) {
        fmt::print(stderr, "netseen respond: {}\n", n.error().detail);
        return kExitUsage;
      }
      cfg.names.push_back({*n, group});
    }
  }
  if (cfg.names.empty()) {
    fmt::print(stderr, "netseen respond: give at least one --name or --group\n");
    return kExitUsage;
  }
  auto mac = MacAddress::parse(a.mac);
  if (!mac) {
    fmt::print(stderr, "netseen respond: --mac: '{}' is not a MAC address\n", a.mac);
    return kExitUsage;
  }
  cfg.mac = *mac;
  if (!nn::parse_ipv4(a.bind, cfg.bind.address)) {
    fmt::print(stderr, "netseen respond: --bind: '{}' is not an IPv4 address\n", a.bind);
    return kExitUsage;
  }
  if (a.port < 0 || a.port > 65535) {
    fmt::print(stderr, "netseen respond: --port must be 0..65535\n");
    return kExitUsage;
  }
  cfg.bind.port = static_cast<std::uint16_t>(a.port);
  const std::string types = "BPMH";
  if (a.node_type.size() != 1 || types.find(a.node_type[0]) == std::string::npos) {
    fmt::print(stderr, "netseen respond: --node-type must be B, P, M or H\n");
    return kExitUsage;
  }
  cfg.node_type = static_cast<netbios::NodeType>(types.find(a.node_type[0]));
  if (!nn::parse_fault(a.fault, cfg.fault)) {
    fmt::print(stderr, "netseen respond: --fault must be none, drop, duplicate, delay, truncate, wrong-txid or negative\n");
    return kExitUsage;
  }
  if (a.format != "text" && a.format != "json") {
    fmt::print(stderr, "netseen respond: --format must be text or json\n");
    return kExitUsage;
  }
  cfg.fault_delay = std::chrono::milliseconds(a.fault_delay_ms);
  cfg.per_source_rate = a.per_source_rate;
  cfg.global_rate = a.rate;
  cfg.socket_buffer = 4 << 20;
  auto responder = nn::Responder::open(cfg);
  if (!responder) {
    fmt::print(stderr, "netseen respond: {}\n", responder.error().detail);
    return kExitInput;
  }
  const auto local = responder->local();
  fmt::print(stderr, "netseen respond: listening on {}:{} ({} names)\n", nn::ipv4_to_string(local.address),
             local.port, cfg.names.size());
  std::fflush(stderr);
  struct sigaction sa {};
  sa.sa_handler = respond_on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  const bool json = a.format == "json";
  auto log = [&](const nn::QueryLog& l) {
    if (a.quiet) return;
    if (json) {
      // One JSON Lines record per datagram: the netseen-respond log format that `netseen
      // analyze` and `netseen decode` read back (docs/netbios.md).
      nlohmann::ordered_json j;
      j["netseen"] = "respond";
      j["v"] = 1;
      j["ts"] = now_text();
      j["src"] = nn::ipv4_to_string(l.from.address);
      j["sport"] = l.from.port;
      j["dst"] = nn::ipv4_to_string(l.to);
      j["dport"] = l.to_port;
      j["len"] = l.size;
      j["txid"] = l.txid;
      j["response"] = l.response;
      j["opcode"] = l.opcode;
      j["nm_flags"] = l.nm_flags;
      j["rcode"] = l.rcode;
      j["kind"] = l.kind;
      j["name"] = l.name;
      if (l.qname) {
        j["name_raw"] = fmt::format("{:02x}", fmt::join(l.qname->raw, ""));
        j["scope"] = l.qname->scope;
      }
      j["qtype"] = l.qtype;
      j["broadcast"] = l.broadcast;
      j["action"] = l.action;
      fmt::print("{}\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } else {
      fmt::print("{} {}:{} -> {} txid 0x{:04x} {} {}{}{}: {}\n", now_text(), nn::ipv4_to_string(l.from.address),
                 l.from.port, nn::ipv4_to_string(l.to), l.txid, l.kind, l.name,
                 l.qtype == 0x21 ? " NBSTAT" : (l.qtype == 0x20 ? " NB" : ""), l.broadcast ? " broadcast" : "",
                 l.action);
    }
    std::fflush(stdout);
  };
  const auto duration = a.duration_s > 0 ? std::chrono::milliseconds(static_cast<std::int64_t>(a.duration_s * 1000))
                                         : std::chrono::milliseconds(std::int64_t{365} * 24 * 3600 * 1000);
  auto r = responder->run(duration, [] { return g_stop.load(); }, log);
  if (!r) {
    fmt::print(stderr, "netseen respond: {}\n", r.error().detail);
    return kExitInput;
  }
  const auto& s = responder->stats();
  fmt::print(stderr, "netseen respond: received {}, answered {}, negative {}, ignored {}, rate-limited {}, malformed {}\n",
             s.received, s.answered, s.negative, s.ignored, s.rate_limited, s.malformed);
  return kExitOk;
}

}  // namespace

void register_respond(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "respond", "An NBNS responder for names it owns; logs every query it receives; rate-limited.");
  auto a = std::make_shared<RespondArgs>();
  cmd->add_option("--name", a->names, "unique name it owns, NAME[#XX] (suffix 00 when omitted); repeatable");
  cmd->add_option("--group", a->groups, "group name it owns, NAME[#XX] ('-' = __MSBROWSE__<01>); repeatable");
  cmd->add_option("--mac", a->mac, "MAC address reported in node status (default 00:00:00:00:00:00)");
  cmd->add_option("--bind", a->bind, "IPv4 address to bind (default 127.0.0.1)");
  cmd->add_option("--port", a->port, "UDP port (default 137; 0 = any free port, printed on stderr)");
  cmd->add_option("--node-type", a->node_type, "B, P, M or H (default B)");
  cmd->add_option("--scope", a->scope, "NetBIOS scope id of its names");
  cmd->add_option("--duration", a->duration_s, "seconds to run (default: until SIGINT/SIGTERM)");
  cmd->add_option("--format", a->format,
                  "query log format: text (default) or json (JSON Lines that `netseen analyze` reads)");
  cmd->add_option("--rate-per-source", a->per_source_rate, "replies per second per source (default 50)");
  cmd->add_option("--rate", a->rate, "replies per second overall (default 2000; 0 = unlimited)");
  cmd->add_option("--fault", a->fault, "testing: drop, duplicate, delay, truncate, wrong-txid, negative");
  cmd->add_option("--fault-delay", a->fault_delay_ms, "testing: delay in ms for --fault delay (default 300)");
  cmd->add_flag("-q,--quiet", a->quiet, "do not log queries");
  cmd->callback([&ctx, a] { ctx.exit_code = run_respond(*a); });
}

}  // namespace netseen::cli
