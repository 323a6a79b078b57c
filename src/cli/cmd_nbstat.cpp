// netseen nbstat TARGET… — node-status queries (nbtstat -A / nbtscan / nmblookup -A, done right).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "netbios/net_scanner.hpp"
#include "netbios/net_targets.hpp"
#include "netbios/suffixes.hpp"

namespace netseen::cli {

namespace {

namespace nn = netseen::netbios::net;
using nlohmann::ordered_json;

struct NbstatArgs {
  std::vector<std::string> targets;
  std::string format = "text";
  std::string separator = ":";
  bool verbose = false;
  bool hosts = false;
  bool lmhosts = false;
  bool quiet = false;
  int port = 137;
  int source_port = 0;
  std::string bind;
  double rate = 1000;
  bool rate_given = false;  // --rate on the command line
  int timeout_ms = 1500;
  int retries = 2;
  std::string scope;
  std::size_t max_targets = nn::kDefaultMaxTargets;
};

// What a node-status table says about the host (nbtscan's columns, with its bugs fixed:
// the user is a unique <03> that is not the computer name, the server flag needs a unique <20>).
struct HostSummary {
  std::string name, workgroup, user;
  bool server = false;
  std::string mac;
};

// Escaped base for humans (control bytes as \xNN), trailing padding removed.
std::string display_base(const netbios::NodeName& n) {
  auto d = n.display();
  const auto lt = d.rfind('<');
  if (lt != std::string::npos) d.resize(lt);
  return d;
}

HostSummary summarise(const nn::HostResult& h) {
  HostSummary s;
  for (const auto& n : h.status.names) {
    const std::uint8_t suffix = n.raw[15];
    if (suffix == 0x00 && !n.group() && s.name.empty()) s.name = display_base(n);
    if (suffix == 0x00 && n.group() && s.workgroup.empty()) s.workgroup = display_base(n);
    if (suffix == 0x20 && !n.group()) {
      s.server = true;
      if (s.name.empty()) s.name = display_base(n);
    }
  }
  for (const auto& n : h.status.names) {
    if (n.raw[15] == 0x03 && !n.group() && display_base(n) != s.name && s.user.empty()) s.user = display_base(n);
  }
  if (h.status.statistics) s.mac = h.status.statistics->unit_id.to_string();
  return s;
}

std::string flags_text(const netbios::NodeName& n) {
  std::string f = n.group() ? "GROUP " : "UNIQUE";
  f += fmt::format("  {}", netbios::node_type_letter(n.ont()));
  if (n.active()) f += " ACTIVE";
  if (n.permanent()) f += " PERMANENT";
  if (n.conflict()) f += " CONFLICT";
  if (n.deregistering()) f += " DEREGISTERING";
  return f;
}

std::string outcome_detail(const nn::HostResult& h) {
  switch (h.outcome) {
    case nn::Outcome::Refused:
      return fmt::format("refused: negative response {} ({})", netbios::rcode_name(h.rcode),
                         netbios::rcode_meaning(h.rcode));
    case nn::Outcome::Unreachable:
      return fmt::format("unreachable: ICMP type {} code {}{}", h.icmp_type, h.icmp_code,
                         h.icmp_type == 3 && h.icmp_code == 3 ? " (port unreachable)" : "");
    case nn::Outcome::Silent:
      return fmt::format("silent: no answer to {} queries", h.sends);
    default:
      return "";
  }
}

ordered_json host_json(const nn::HostResult& h) {
  ordered_json j;
  j["address"] = nn::ipv4_to_string(h.address);
  j["outcome"] = std::string(nn::to_string(h.outcome));
  j["sends"] = h.sends;
  j["txid"] = h.txid;
  if (h.outcome == nn::Outcome::Silent) return j;
  j["rtt_ms"] = h.rtt_ms;
  if (h.outcome == nn::Outcome::Refused) {
    j["replied_from"] = nn::ipv4_to_string(h.replied_from);
    j["rcode"] = h.rcode;
    j["rcode_name"] = std::string(netbios::rcode_name(h.rcode));
    return j;
  }
  if (h.outcome == nn::Outcome::Unreachable) {
    j["icmp_type"] = h.icmp_type;
    j["icmp_code"] = h.icmp_code;
    if (h.icmp_reporter != 0) j["icmp_from"] = nn::ipv4_to_string(h.icmp_reporter);
    return j;
  }
  j["replied_from"] = nn::ipv4_to_string(h.replied_from);
  if (h.replied_from != h.address) j["reply_from_other_address"] = true;
  const auto s = summarise(h);
  j["name"] = s.name;
  j["workgroup"] = s.workgroup;
  j["server"] = s.server;
  j["user"] = s.user;
  j["mac"] = s.mac;
  ordered_json names = ordered_json::array();
  for (const auto& n : h.status.names) {
    ordered_json e;
    e["name"] = display_base(n);
    e["suffix"] = n.raw[15];
    e["group"] = n.group();
    e["node_type"] = std::string(1, netbios::node_type_letter(n.ont()));
    e["flags"] = n.flags;
    e["active"] = n.active();
    e["permanent"] = n.permanent();
    e["conflict"] = n.conflict();
    e["deregistering"] = n.deregistering();
    if (auto d = netbios::describe_suffix(n.raw[15], n.group())) e["service"] = std::string(d->service);
    names.push_back(e);
  }
  j["names"] = names;
  if (h.status.statistics) {
    const auto& st = *h.status.statistics;
    j["statistics"] = {{"bytes", h.status.statistics_bytes},
                       {"jumpers", st.jumpers},
                       {"test_result", st.test_result},
                       {"version_number", st.version_number},
                       {"period_of_statistics", st.period_of_statistics},
                       {"number_of_crcs", st.number_of_crcs},
                       {"number_alignment_errors", st.number_alignment_errors},
                       {"number_of_collisions", st.number_of_collisions},
                       {"number_send_aborts", st.number_send_aborts},
                       {"number_good_sends", st.number_good_sends},
                       {"number_good_receives", st.number_good_receives},
                       {"number_retransmits", st.number_retransmits},
                       {"number_no_resource_conditions", st.number_no_resource_conditions},
                       {"number_free_command_blocks", st.number_free_command_blocks},
                       {"total_number_command_blocks", st.total_number_command_blocks},
                       {"max_total_number_command_blocks", st.max_total_number_command_blocks},
                       {"number_pending_sessions", st.number_pending_sessions},
                       {"max_number_pending_sessions", st.max_number_pending_sessions},
                       {"max_total_sessions_possible", st.max_total_sessions_possible},
                       {"session_data_packet_size", st.session_data_packet_size}};
  }
  if (!h.diagnostics.empty()) {
    ordered_json d = ordered_json::array();
    for (const auto& x : h.diagnostics) d.push_back({{"id", x.id}, {"offset", x.offset}, {"detail", x.detail}});
    j["diagnostics"] = d;
  }
  return j;
}

// nbtscan -s SEP lines: names keep their 15 raw bytes (padding included), as nbtscan prints them.
std::string raw15(const netbios::NodeName& n) {
  std::string s;
  for (std::size_t i = 0; i < 15; ++i) s.push_back(n.raw[i] == 0 ? ' ' : static_cast<char>(n.raw[i]));
  return s;
}

void print_nbtscan(const nn::HostResult& h, const NbstatArgs& a) {
  const auto ip = nn::ipv4_to_string(h.address);
  const auto& sep = a.separator;
  if (a.verbose) {
    for (const auto& n : h.status.names) {
      fmt::print("{}{}{}{}{:02x}{}\n", ip, sep, raw15(n), sep, n.raw[15], n.group() ? 'G' : 'U');
    }
    if (h.status.statistics) fmt::print("{}{}MAC{}{}\n", ip, sep, sep, h.status.statistics->unit_id.to_string());
    return;
  }
  // nbtscan: first unique <00> as the name, <server> for any unique <20>, the last unique <03>.
  std::string name = "<unknown>", user = "<unknown>";
  bool server = false, have_name = false;
  for (const auto& n : h.status.names) {
    if (n.group()) continue;
    if (n.raw[15] == 0x00 && !have_name) {
      name = raw15(n);
      have_name = true;
    }
    if (n.raw[15] == 0x20) server = true;
    if (n.raw[15] == 0x03) user = raw15(n);
  }
  const std::string mac = h.status.statistics ? h.status.statistics->unit_id.to_string() : "00:00:00:00:00:00";
  fmt::print("{}{}{}{}{}{}{}{}{}\n", ip, sep, name, sep, server ? "<server>" : "", sep, user, sep, mac);
}

void print_text(const nn::ScanResult& r, const NbstatArgs& a) {
  if (!a.verbose) {
    fmt::print("{:<16} {:<16} {:<16} {:<6} {:<16} {}\n", "Address", "Name", "Workgroup", "Server", "User", "MAC");
  }
  for (const auto& h : r.hosts) {
    const auto ip = nn::ipv4_to_string(h.address);
    if (h.outcome == nn::Outcome::Silent && !a.verbose) continue;
    if (h.outcome != nn::Outcome::Answered) {
      fmt::print("{:<16} ({})\n", ip, outcome_detail(h));
      continue;
    }
    const auto s = summarise(h);
    const std::string other =
        h.replied_from != h.address ? fmt::format("  (reply from {})", nn::ipv4_to_string(h.replied_from)) : "";
    if (!a.verbose) {
      fmt::print("{:<16} {:<16} {:<16} {:<6} {:<16} {}{}\n", ip, s.name.empty() ? "-" : s.name,
                 s.workgroup.empty() ? "-" : s.workgroup, s.server ? "yes" : "no", s.user.empty() ? "-" : s.user,
                 s.mac.empty() ? "-" : s.mac, other);
      continue;
    }
    fmt::print("{}  {} names, {:.1f} ms, {} quer{}{}\n", ip, h.status.names.size(), h.rtt_ms, h.sends,
               h.sends == 1 ? "y" : "ies", other);
    // Names with escaped bytes (\x01\x02__MSBROWSE__\x02) are wider than 15: the column
    // takes the widest name of the table so the suffixes stay aligned.
    std::size_t width = 15;
    for (const auto& n : h.status.names) width = std::max(width, display_base(n).size());
    for (const auto& n : h.status.names) {
      const auto d = netbios::describe_suffix(n.raw[15], n.group());
      fmt::print("  {:<{}} <{:02x}>  {:<28} {}\n", display_base(n), width, n.raw[15], flags_text(n),
                 d ? d->service : std::string_view("-"));
    }
    if (h.status.statistics) {
      const auto& st = *h.status.statistics;
      fmt::print("  MAC {}  ({} statistics bytes)\n", st.unit_id.to_string(), h.status.statistics_bytes);
      fmt::print(
          "  jumpers {} test_result {} version {} period {} crcs {} alignment_errors {} collisions {} send_aborts {}\n",
          st.jumpers, st.test_result, st.version_number, st.period_of_statistics, st.number_of_crcs,
          st.number_alignment_errors, st.number_of_collisions, st.number_send_aborts);
      fmt::print(
          "  good_sends {} good_receives {} retransmits {} no_resource {} free_ncbs {} total_ncbs {} max_ncbs {}\n",
          st.number_good_sends, st.number_good_receives, st.number_retransmits, st.number_no_resource_conditions,
          st.number_free_command_blocks, st.total_number_command_blocks, st.max_total_number_command_blocks);
      fmt::print("  pending_sessions {} max_pending {} max_sessions {} session_data_packet_size {}\n",
                 st.number_pending_sessions, st.max_number_pending_sessions, st.max_total_sessions_possible,
                 st.session_data_packet_size);
    } else {
      fmt::print("  no statistics block\n");
    }
    for (const auto& d : h.diagnostics) fmt::print("  note: {} at {}: {}\n", d.id, d.offset, d.detail);
  }
}

std::string summary_line(const nn::ScanSummary& s) {
  return fmt::format(
      "asked {}, answered {}, refused {}, unreachable {}, silent {}; {} packets in {:.2f} s ({:.0f} pkt/s); "
      "{} replies from another address, {} duplicates, {} wrong transaction ids, {} stray, {} malformed",
      s.asked, s.answered, s.refused, s.unreachable, s.silent, s.packets_sent, s.elapsed_s, s.send_rate,
      s.foreign_attributed, s.duplicates, s.txid_mismatch, s.stray, s.malformed);
}

int run_nbstat(const NbstatArgs& a) {
  if (a.format != "text" && a.format != "json" && a.format != "nbtscan") {
    fmt::print(stderr, "netseen nbstat: --format must be text, json or nbtscan\n");
    return kExitUsage;
  }
  if (a.port < 1 || a.port > 65535 || a.source_port < 0 || a.source_port > 65535) {
    fmt::print(stderr, "netseen nbstat: ports must be 1..65535\n");
    return kExitUsage;
  }
  if (a.timeout_ms < 1 || a.timeout_ms > 60000 || a.retries < 0 || a.retries > 10 || a.rate < 0) {
    fmt::print(stderr, "netseen nbstat: --timeout 1..60000 ms, --retries 0..10, --rate >= 0\n");
    return kExitUsage;
  }
  nn::TargetBuilder tb(a.max_targets);
  bool stdin_used = false;
  for (const auto& t : a.targets) {
    Result<void> r = Ok{};
    if (t == "-" || (!t.empty() && t[0] == '@')) {
      std::string text;
      if (t == "-") {
        if (stdin_used) continue;
        stdin_used = true;
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      } else {
        std::ifstream f(t.substr(1));
        if (!f) {
          fmt::print(stderr, "netseen nbstat: {}: cannot be read\n", t.substr(1));
          return kExitInput;
        }
        text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
      }
      r = tb.add_lines(text, t == "-" ? "stdin" : t.substr(1));
    } else {
      r = tb.add(t);
    }
    if (!r) {
      fmt::print(stderr, "netseen nbstat: {}\n", r.error().detail);
      return kExitUsage;
    }
  }
  const auto targets = tb.take();
  if (targets.addresses.empty()) {
    fmt::print(stderr, "netseen nbstat: no targets (give addresses, CIDR blocks, ranges, @file or -)\n");
    return kExitUsage;
  }
  nn::ScanOptions o;
  o.port = static_cast<std::uint16_t>(a.port);
  o.bind.port = static_cast<std::uint16_t>(a.source_port);
  if (!a.bind.empty() && !nn::parse_ipv4(a.bind, o.bind.address)) {
    fmt::print(stderr, "netseen nbstat: --bind: '{}' is not an IPv4 address\n", a.bind);
    return kExitUsage;
  }
  o.rate = a.rate;
  // The polite default (1000/s) is for networks. Targets that are all on this machine's loopback
  // (127.0.0.0/8) are scanned as fast as they answer (the in-flight window still paces it).
  if (!a.rate_given &&
      std::all_of(targets.addresses.begin(), targets.addresses.end(), [](std::uint32_t x) { return (x >> 24) == 127; })) {
    o.rate = 0;
  }
  o.timeout = std::chrono::milliseconds(a.timeout_ms);
  o.retries = a.retries;
  o.scope = a.scope;
  const bool tty = isatty(STDERR_FILENO) != 0 && !a.quiet;
  if (tty) {
    o.progress = [](std::size_t done, std::size_t total) {
      fmt::print(stderr, "\r  {}/{} resolved", done, total);
      std::fflush(stderr);
    };
  }
  auto res = nn::scan(targets.addresses, o);
  if (tty) fmt::print(stderr, "\r\033[K");
  if (!res) {
    fmt::print(stderr, "netseen nbstat: {}\n", res.error().detail);
    return kExitInput;
  }
  if (a.format == "json") {
    ordered_json j;
    ordered_json hosts = ordered_json::array();
    for (const auto& h : res->hosts) hosts.push_back(host_json(h));
    j["hosts"] = hosts;
    ordered_json stray = ordered_json::array();
    for (const auto& s : res->stray) {
      stray.push_back({{"from", nn::ipv4_to_string(s.from)}, {"txid", s.txid}, {"reason", s.reason}});
    }
    j["stray"] = stray;
    const auto& s = res->summary;
    j["summary"] = {{"asked", s.asked},
                    {"answered", s.answered},
                    {"refused", s.refused},
                    {"unreachable", s.unreachable},
                    {"silent", s.silent},
                    {"duplicate_targets", targets.duplicates},
                    {"packets_sent", s.packets_sent},
                    {"replies", s.replies_received},
                    {"reply_from_other_address", s.foreign_attributed},
                    {"duplicates", s.duplicates},
                    {"txid_mismatch", s.txid_mismatch},
                    {"stray", s.stray},
                    {"malformed", s.malformed},
                    {"elapsed_s", s.elapsed_s},
                    {"rate_pps", s.send_rate},
                    {"rate_limit_pps", o.rate}};  // what was asked for; 0 = no limit
    fmt::print("{}\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    return kExitOk;
  }
  if (a.hosts || a.lmhosts) {
    for (const auto& h : res->hosts) {
      if (h.outcome != nn::Outcome::Answered) continue;
      const auto s = summarise(h);
      if (s.name.empty()) continue;
      fmt::print("{}\t{}{}\n", nn::ipv4_to_string(h.address), s.name, a.lmhosts ? "\t#PRE" : "");
    }
  } else if (a.format == "nbtscan") {
    for (const auto& h : res->hosts) {
      if (h.outcome == nn::Outcome::Answered) print_nbtscan(h, a);
    }
  } else {
    print_text(*res, a);
  }
  if (!a.quiet) fmt::print(stderr, "netseen nbstat: {}\n", summary_line(res->summary));
  return kExitOk;
}

}  // namespace

void register_nbstat(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "nbstat", "Node-status queries (nbtstat -A) to addresses, CIDR blocks, ranges, @file or stdin.");
  auto a = std::make_shared<NbstatArgs>();
  cmd->add_option("targets", a->targets, "a.b.c.d, a.b.c.d/n, a.b.c.d-e.f.g.h, a.b.c.d-h, @FILE, - (stdin)")
      ->required();
  cmd->add_option("--format", a->format, "text (default), json, nbtscan (nbtscan -s lines)");
  cmd->add_option("--separator", a->separator, "separator for --format nbtscan (default ':')");
  cmd->add_flag("-v,--verbose", a->verbose, "whole name table with flags and statistics; silent hosts too");
  cmd->add_flag("--hosts", a->hosts, "print /etc/hosts lines (address TAB name)");
  cmd->add_flag("--lmhosts", a->lmhosts, "print lmhosts lines (address TAB name TAB #PRE)");
  cmd->add_flag("-q,--quiet", a->quiet, "no progress and no summary on stderr");
  cmd->add_option("--port", a->port, "destination UDP port (default 137)");
  cmd->add_option("--source-port", a->source_port, "source UDP port (default ephemeral; 137 needs root)");
  cmd->add_option("--bind", a->bind, "source IPv4 address");
  cmd->add_option("--rate", a->rate,
                  "packets per second (default 1000, or unlimited when every target is in 127.0.0.0/8; 0 = as fast "
                  "as answers come back)");
  cmd->add_option("--timeout", a->timeout_ms, "milliseconds to wait for each answer (default 1500)");
  cmd->add_option("--retries", a->retries, "re-sends to a silent target (default 2: three queries in all)");
  cmd->add_option("--scope", a->scope, "NetBIOS scope id");
  cmd->add_option("--max-targets", a->max_targets, "refuse target lists longer than this (default 1048576)");
  cmd->callback([&ctx, a, cmd] {
    a->rate_given = cmd->count("--rate") > 0;
    ctx.exit_code = run_nbstat(*a);
  });
}

}  // namespace netseen::cli
