// netseen query NAME[#XX] — name query, unicast with RD to --server or broadcast to --broadcast.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "netbios/net_query.hpp"
#include "netbios/net_targets.hpp"

namespace netseen::cli {

namespace {

namespace nn = netseen::netbios::net;

struct QueryArgs {
  std::string name;
  std::string server;
  std::string broadcast;
  int port = 137;
  int timeout_ms = 1500;
  int retries = 2;
  bool no_recursion = false;
  std::string scope;
  std::string format = "text";
};

int run_query(const QueryArgs& a) {
  auto name = nn::parse_name_arg(a.name, 0x00, a.scope, /*allow_msbrowse=*/true);
  if (!name) {
    fmt::print(stderr, "netseen query: {}\n", name.error().detail);
    return kExitUsage;
  }
  if (a.server.empty() == a.broadcast.empty()) {
    fmt::print(stderr, "netseen query: give exactly one of --server ADDR or --broadcast ADDR\n");
    return kExitUsage;
  }
  if (a.format != "text" && a.format != "json") {
    fmt::print(stderr, "netseen query: --format must be text or json\n");
    return kExitUsage;
  }
  if (a.port < 1 || a.port > 65535 || a.timeout_ms < 1 || a.timeout_ms > 60000 || a.retries < 0 || a.retries > 10) {
    fmt::print(stderr, "netseen query: --port 1..65535, --timeout 1..60000 ms, --retries 0..10\n");
    return kExitUsage;
  }
  nn::QueryOptions o;
  o.broadcast = !a.broadcast.empty();
  const auto& addr = o.broadcast ? a.broadcast : a.server;
  if (!nn::parse_ipv4(addr, o.server.address)) {
    fmt::print(stderr, "netseen query: '{}' is not an IPv4 address\n", addr);
    return kExitUsage;
  }
  o.server.port = static_cast<std::uint16_t>(a.port);
  o.recursion_desired = !a.no_recursion;
  o.timeout = std::chrono::milliseconds(a.timeout_ms);
  o.retries = a.retries;
  auto r = nn::query_name(*name, o);
  if (!r) {
    fmt::print(stderr, "netseen query: {}\n", r.error().detail);
    return kExitInput;
  }
  bool positive = false;
  if (a.format == "json") {
    nlohmann::ordered_json j;
    j["name"] = name->display();
    j["sends"] = r->sends;
    j["wacks"] = r->wacks;
    nlohmann::ordered_json red = nlohmann::ordered_json::array();
    for (auto x : r->redirects) red.push_back(nn::ipv4_to_string(x));
    j["redirects"] = red;
    nlohmann::ordered_json ans = nlohmann::ordered_json::array();
    for (const auto& an : r->answers) {
      nlohmann::ordered_json e;
      e["from"] = nn::ipv4_to_string(an.from);
      e["rcode"] = an.rcode;
      e["authoritative"] = an.authoritative;
      e["ttl"] = an.ttl;
      nlohmann::ordered_json as = nlohmann::ordered_json::array();
      for (const auto& x : an.addresses) {
        as.push_back({{"address", nn::ipv4_to_string(x.address)},
                      {"group", x.group()},
                      {"node_type", std::string(1, netbios::node_type_letter(x.ont()))}});
      }
      e["addresses"] = as;
      positive = positive || an.rcode == 0;
      ans.push_back(e);
    }
    j["answers"] = ans;
    j["elapsed_ms"] = r->elapsed_ms;
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    for (auto x : r->redirects) fmt::print("redirected to name server {}\n", nn::ipv4_to_string(x));
    if (r->wacks > 0) fmt::print("{} WACK response(s): the server asked us to wait\n", r->wacks);
    for (const auto& an : r->answers) {
      if (an.rcode != 0) {
        fmt::print("{}: negative response {} ({}) for {}\n", nn::ipv4_to_string(an.from),
                   netbios::rcode_name(an.rcode), netbios::rcode_meaning(an.rcode), name->display());
        continue;
      }
      positive = true;
      for (const auto& x : an.addresses) {
        fmt::print("{} {} {} {}-node (from {}, ttl {})\n", nn::ipv4_to_string(x.address), name->display(),
                   x.group() ? "GROUP" : "UNIQUE", netbios::node_type_letter(x.ont()), nn::ipv4_to_string(an.from),
                   an.ttl);
      }
    }
    if (r->answers.empty()) fmt::print(stderr, "netseen query: no answer for {} after {} queries\n", name->display(), r->sends);
  }
  return positive ? kExitOk : kExitFindings;
}

}  // namespace

void register_query(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("query", "Name query NAME[#XX]: unicast to --server (RD) or --broadcast ADDR.");
  auto a = std::make_shared<QueryArgs>();
  cmd->add_option("name", a->name, "NAME[#XX] (suffix 00 when omitted); '-' or __MSBROWSE__ = the browse master name")
      ->required();
  cmd->add_option("--server", a->server, "name server (or host) to ask, unicast with RD");
  cmd->add_option("--broadcast", a->broadcast, "broadcast address; every answer is collected until the timeout");
  cmd->add_option("--port", a->port, "UDP port (default 137)");
  cmd->add_option("--timeout", a->timeout_ms, "milliseconds per attempt (default 1500)");
  cmd->add_option("--retries", a->retries, "re-sends (default 2)");
  cmd->add_flag("--no-recursion", a->no_recursion, "clear RD on unicast queries");
  cmd->add_option("--scope", a->scope, "NetBIOS scope id");
  cmd->add_option("--format", a->format, "text (default) or json");
  cmd->callback([&ctx, a] { ctx.exit_code = run_query(*a); });
}

}  // namespace netseen::cli
