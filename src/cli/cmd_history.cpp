// netseen history [HOST] — what the history database remembers: hosts with first and last
// seen, NetBIOS names, findings with their time spans and run counts; for one HOST also its
// behaviours and usual peers and ports. --forget HOST and --prune-before DATE edit it.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/history_open.hpp"

namespace netseen::cli {

namespace {

struct HistoryArgs {
  std::string host;
  std::string format = "text";
  HistoryChoice choice;
  std::string forget;
  std::string prune_before;
  bool all = false;
};

using nlohmann::ordered_json;

std::string day(Timestamp t) { return format_rfc3339(t).substr(0, 10); }
std::string minute(Timestamp t) { return format_rfc3339(t).substr(0, 16) + "Z"; }

std::string upper(detect::Severity s) {
  std::string out(to_string(s));
  for (auto& c : out) c = static_cast<char>(c - 32);
  return out;
}

std::string names_text(const report::HostRecord& h) {
  std::string t;
  for (const auto& n : h.names) t += (t.empty() ? "" : " ") + n.name;
  return t;
}

std::string host_text(const report::HostRecord& h, bool detail) {
  std::string out = fmt::format("{}  {}, first seen {}, last seen {}, {} run{}", h.address.to_string(),
                                h.inside ? "inside" : "outside", minute(h.first_seen), minute(h.last_seen), h.runs,
                                h.runs == 1 ? "" : "s");
  if (!h.names.empty()) out += "\n    names " + names_text(h);
  out += "\n";
  for (const auto& f : h.findings) {
    out += fmt::format("    {:<8} {}  {} → {}, {} run{}, {} events, up to {} targets\n", upper(f.max_severity),
                       f.detector, day(f.first_seen), day(f.last_seen), f.runs, f.runs == 1 ? "" : "s", f.events,
                       f.max_targets);
  }
  if (!detail) return out;
  for (const auto& b : h.behaviours) {
    out += fmt::format("    behaviour {}: {} → {}, {} run{}, {} events\n", b.detector, minute(b.first_seen),
                       minute(b.last_seen), b.runs, b.runs == 1 ? "" : "s", b.events);
  }
  for (const auto& [label, list] : {std::pair{"usual peers", &h.peers}, std::pair{"usual ports", &h.ports}}) {
    if (list->empty()) continue;
    std::string t;
    for (const auto& e : *list) t += fmt::format("{}{} ({} run{}, {} events)", t.empty() ? "" : ", ", e.key, e.runs,
                                                 e.runs == 1 ? "" : "s", e.events);
    out += fmt::format("    {}: {}\n", label, t);
  }
  return out;
}

ordered_json host_json(const report::HostRecord& h, bool detail) {
  ordered_json j;
  j["kind"] = "history_host";
  j["address"] = h.address.to_string();
  j["inside"] = h.inside;
  j["first_seen"] = format_rfc3339(h.first_seen);
  j["last_seen"] = format_rfc3339(h.last_seen);
  j["runs"] = h.runs;
  ordered_json names = ordered_json::array();
  for (const auto& n : h.names) {
    names.push_back({{"name", n.name}, {"group", n.group}, {"first_seen", format_rfc3339(n.first_seen)},
                     {"last_seen", format_rfc3339(n.last_seen)}});
  }
  j["netbios_names"] = names;
  ordered_json fs = ordered_json::array();
  for (const auto& f : h.findings) {
    fs.push_back({{"id", f.detector},
                  {"severity", std::string(to_string(f.severity))},
                  {"max_severity", std::string(to_string(f.max_severity))},
                  {"first_seen", format_rfc3339(f.first_seen)},
                  {"last_seen", format_rfc3339(f.last_seen)},
                  {"runs", f.runs},
                  {"events", f.events},
                  {"max_targets", f.max_targets}});
  }
  j["findings"] = fs;
  if (detail) {
    ordered_json bs = ordered_json::array();
    for (const auto& b : h.behaviours) {
      bs.push_back({{"detector", b.detector},
                    {"first_seen", format_rfc3339(b.first_seen)},
                    {"last_seen", format_rfc3339(b.last_seen)},
                    {"runs", b.runs},
                    {"events", b.events}});
    }
    j["behaviours"] = bs;
    for (const auto& [key, list] : {std::pair{"peers", &h.peers}, std::pair{"ports", &h.ports}}) {
      ordered_json a = ordered_json::array();
      for (const auto& e : *list) a.push_back({{"key", e.key}, {"runs", e.runs}, {"events", e.events}});
      j[key] = a;
    }
  }
  return j;
}

std::string dump(const ordered_json& j) { return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace) + "\n"; }

int run_history(const HistoryArgs& a) {
  std::optional<IpAddress> host;
  if (!a.host.empty()) {
    host = IpAddress::parse(a.host);
    if (!host) {
      fmt::print(stderr, "netseen history: '{}' is not an address\n", a.host);
      return kExitUsage;
    }
  }
  std::optional<IpAddress> forget;
  if (!a.forget.empty()) {
    forget = IpAddress::parse(a.forget);
    if (!forget) {
      fmt::print(stderr, "netseen history: --forget: '{}' is not an address\n", a.forget);
      return kExitUsage;
    }
  }
  std::optional<Timestamp> before;
  if (!a.prune_before.empty()) {
    before = parse_rfc3339(a.prune_before);
    if (!before) {
      fmt::print(stderr, "netseen history: --prune-before: '{}' is not a date (YYYY-MM-DD or RFC 3339)\n",
                 a.prune_before);
      return kExitUsage;
    }
  }
  if (a.choice.no_db) {
    fmt::print(stderr, "netseen history: --no-db: there is no history to show\n");
    return kExitUsage;
  }
  // Reading must not create a database: say there is none.
  std::string path = a.choice.db;
  if (path.empty()) {
    const char* env = std::getenv("NETSEEN_DB");
    if (env != nullptr && std::string(env) != "off" && env[0] != '\0') path = env;
  }
  if (path.empty()) {
    auto p = report::default_history_path();
    if (!p) {
      fmt::print(stderr, "netseen history: {}\n", p.error().detail);
      return kExitInput;
    }
    path = *p;
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    fmt::print(stderr, "netseen history: nothing remembered yet: no database at {} (netseen analyze creates it)\n",
               path);
    return kExitInput;
  }
  HistoryChoice choice = a.choice;
  choice.db = path;
  auto db = open_history("history", choice, true, false);
  if (!db) return kExitInput;
  const bool json = a.format == "json";

  if (forget || before) {
    if (forget) {
      auto r = db->forget(*forget);
      if (!r) {
        fmt::print(stderr, "netseen history: {}\n", r.error().detail);
        return kExitInput;
      }
      fmt::print("{}\n", *r ? fmt::format("forgot {}", forget->to_string())
                            : fmt::format("{} was not remembered", forget->to_string()));
    }
    if (before) {
      auto r = db->prune_before(*before);
      if (!r) {
        fmt::print(stderr, "netseen history: {}\n", r.error().detail);
        return kExitInput;
      }
      fmt::print("forgot {} host{} last seen before {}\n", *r, *r == 1 ? "" : "s", format_rfc3339(*before));
    }
    return kExitOk;
  }

  std::string out;
  if (host) {
    auto r = db->host(*host);
    if (!r) {
      fmt::print(stderr, "netseen history: {}\n", r.error().detail);
      return kExitInput;
    }
    if (!*r) {
      fmt::print(stderr, "netseen history: {} is not remembered in {}\n", host->to_string(), path);
      return kExitInput;
    }
    out = json ? dump(host_json(**r, true)) : host_text(**r, true);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kExitOk;
  }
  auto listing = db->list();
  if (!listing) {
    fmt::print(stderr, "netseen history: {}\n", listing.error().detail);
    return kExitInput;
  }
  const auto& l = *listing;
  std::size_t hidden = 0;
  if (json) {
    for (const auto& r : l.recent_runs) {
      ordered_json j;
      j["kind"] = "history_run";
      j["run"] = r.id;
      j["at"] = format_rfc3339(r.at);
      j["first_ts"] = r.first_ts ? ordered_json(format_rfc3339(*r.first_ts)) : ordered_json(nullptr);
      j["last_ts"] = r.last_ts ? ordered_json(format_rfc3339(*r.last_ts)) : ordered_json(nullptr);
      j["inputs"] = r.inputs;
      j["findings"] = r.findings;
      j["hosts"] = r.hosts;
      out += dump(j);
    }
  } else {
    out += fmt::format("History database {}: {} run{} remembered, {} host{}.\n", path, l.runs_total,
                       l.runs_total == 1 ? "" : "s", l.hosts_total, l.hosts_total == 1 ? "" : "s");
    for (const auto& r : l.recent_runs) {
      out += fmt::format("  run {}  {}  {} ({} findings, {} hosts)\n", r.id, minute(r.at), r.inputs, r.findings,
                         r.hosts);
    }
    out += "\n";
  }
  for (const auto& h : l.hosts) {
    if (!a.all && !h.inside && h.findings.empty()) {
      ++hidden;
      continue;
    }
    out += json ? dump(host_json(h, false)) : host_text(h, false);
  }
  if (json) {
    ordered_json s;
    s["kind"] = "history_summary";
    s["db"] = path;
    s["runs"] = l.runs_total;
    s["hosts"] = l.hosts_total;
    s["hosts_not_listed"] = hidden;
    s["bad_rows"] = l.bad_rows;
    out += dump(s);
  } else {
    if (hidden > 0) out += fmt::format("\n{} outside hosts without findings not listed (--all lists them).\n", hidden);
    if (l.bad_rows > 0) out += fmt::format("{} damaged rows were skipped.\n", l.bad_rows);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace

void register_history(CLI::App& app, Context& ctx) {
  auto holder = std::make_shared<HistoryArgs>();
  auto& args = *holder;
  auto* cmd = app.add_subcommand(
      "history",
      "What netseen remembers across runs (the history database analyze keeps): hosts, names,\n"
      "findings with their time spans and run counts; with HOST, everything about that host.");
  cmd->add_option("HOST", args.host, "show everything remembered about this address");
  cmd->add_option("--format", args.format, "output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--db", args.choice.db, "history database (default $NETSEEN_DB, else the user's data directory)");
  cmd->add_flag("--no-db", args.choice.no_db, "(refused: history needs a database)");
  cmd->add_flag("--all", args.all, "also list outside hosts without findings");
  cmd->add_option("--forget", args.forget, "forget everything about this address");
  cmd->add_option("--prune-before", args.prune_before, "forget hosts last seen before this date (YYYY-MM-DD)");
  cmd->callback([&ctx, holder] { ctx.exit_code = run_history(*holder); });
}

}  // namespace netseen::cli
