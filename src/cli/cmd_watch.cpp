// netseen watch -i IFACE: live findings as they happen, the full report at the end.
#include <fmt/format.h>
#include <syslog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/history_open.hpp"
#include "cli/live_args.hpp"
#include "decode/frame.hpp"
#include "report/json.hpp"
#include "report/text.hpp"
#include "report/watch.hpp"
#include "report/watch_attribution.hpp"
#include "report/watch_exec.hpp"

namespace netseen::cli {

namespace {

struct WatchArgs {
  LiveArgs live;
  EngineArgs engine;
  std::string format = "text";
  double interval_s = 2;
  double regrow_s = 30;
  std::string exec;
  std::size_t exec_parallel = 4;
  double exec_timeout_s = 10;
  bool syslog = false;
  bool no_color = false;
  bool quiet = false;
  bool no_attribution = false;
  HistoryChoice history;
};

int run_watch_cmd(const WatchArgs& a) {
  if (a.live.interface.empty()) {
    fmt::print(stderr, "netseen watch: -i INTERFACE is required (e.g. netseen watch -i eth0)\n");
    return kExitUsage;
  }
  report::WatchOptions w;
  if (const int rc = engine_options("watch", a.engine, w.engine); rc != 0) return rc;
  w.live = live_options(a.live);
  w.interval_s = a.interval_s;
  w.growth.min_interval_s = a.regrow_s;
  const bool json = a.format == "json";
  const bool status_line = !a.quiet && isatty(STDERR_FILENO) != 0;
  w.status_interval_s = 1;  // also the moment to look after --exec commands

  std::optional<report::CommandRunner> runner;
  if (!a.exec.empty()) {
    report::ExecOptions eo;
    eo.command = a.exec;
    eo.max_parallel = a.exec_parallel;
    eo.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(a.exec_timeout_s * 1000));
    runner.emplace(eo);
  }
  if (a.syslog) openlog("netseen", LOG_PID, LOG_USER);

  // Process attribution (Linux): each local TCP/UDP event is looked up at packet time, and
  // findings about a local source name the process behind their evidence.
  std::unique_ptr<report::WatchAttribution> attribution;
  if (!a.no_attribution) {
    if (auto at = report::WatchAttribution::create(); at) {
      attribution = std::move(*at);
      w.on_event = [&attribution](const decode::Event& ev) { attribution->on_event(ev); };
      w.enrich = [&attribution](detect::Finding& f) { attribution->enrich(f); };
    } else if (!a.quiet) {
      fmt::print(stderr, "netseen watch: no process attribution: {}\n", at.error().detail);
    }
  }

  bool status_shown = false;
  auto clear_status = [&] {
    if (status_shown) std::fputs("\r\033[K", stderr);
    status_shown = false;
  };
  w.on_status = [&](const report::WatchStatus& st) {
    if (runner) runner->poll();
    if (!status_line) return;
    fmt::print(stderr, "\r\033[K{}: {} packets, {:.0f} pps, {} findings{}, {:.0f} s", a.live.interface, st.packets,
               st.packets_per_s, st.findings,
               st.kernel_dropped > 0 ? fmt::format(", {} dropped by the kernel", st.kernel_dropped) : std::string(),
               st.elapsed_s);
    std::fflush(stderr);
    status_shown = true;
  };
  w.on_finding = [&](const detect::Finding& f, report::FindingChange change, const report::AnalysisResult& r) {
    const auto status = report::to_string(change);
    clear_status();
    std::string finding_json;
    if (json || (runner && change == report::FindingChange::New)) finding_json = report::render_finding_json(r, f, status);
    if (json) {
      fmt::print("{}\n", finding_json);
    } else {
      fmt::print("{}\n", report::watch_line(f, change));
      if (const auto proc = report::process_text(f); !proc.empty()) fmt::print("      process: {}\n", proc);
    }
    std::fflush(stdout);
    if (a.syslog) {
      syslog(LOG_USER | LOG_WARNING, "%s %s %s source=%s targets=%llu events=%llu: %s", std::string(status).c_str(),
             std::string(to_string(f.severity)).c_str(), f.id.c_str(), f.source.to_string().c_str(),
             static_cast<unsigned long long>(f.target_count), static_cast<unsigned long long>(f.events),
             f.title.c_str());
    }
    if (runner && change == report::FindingChange::New) {
      runner->submit(finding_json + "\n", {"NETSEEN_FINDING_ID=" + f.id, "NETSEEN_SOURCE=" + f.source.to_string(),
                                           "NETSEEN_SEVERITY=" + std::string(to_string(f.severity)),
                                           "NETSEEN_STATUS=" + std::string(status)});
    }
  };

  w.on_start = [&](const ingest::LiveSource& src) {
    if (a.quiet) return;
    fmt::print(stderr, "netseen watch: capturing on {} ({}){}; findings every {} s; Ctrl-C ends and prints the report\n",
               a.live.interface, decode::linktype_name(src.linktype()),
               a.live.filter.empty() ? std::string() : fmt::format(", filter '{}'", a.live.filter), a.interval_s);
    if (attribution) fmt::print(stderr, "netseen watch: process attribution: {}\n", attribution->mode());
  };
  // History: remembered behaviour goes to the detectors; the run is recorded at the end and
  // the final report marks what is new since earlier runs.
  auto db = open_history("watch", a.history, true, a.quiet);
  if (db) {
    if (auto prior = db->prior_observations(); prior) {
      w.prior = std::move(*prior);
    } else {
      fmt::print(stderr, "netseen watch: history: {}\n", prior.error().detail);
    }
    w.collect_baseline = true;
  }
  install_stop_signals();
  report::AnalysisResult result;
  auto ok = report::run_watch(w, result);
  clear_status();
  if (!ok) {
    fmt::print(stderr, "netseen watch: {}\n", ok.error().detail);
    return ok.error().layer == "live" ? live_open_exit_code(ok.error()) : kExitUsage;
  }
  if (runner) runner->finish();
  if (db) {
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    if (auto rec = db->compare_and_record(result, Timestamp{now.count()}, "live:" + a.live.interface); !rec) {
      fmt::print(stderr, "netseen watch: history not updated: {}\n", rec.error().detail);
    }
  }
  std::string text;
  if (json) {
    text = report::render_json(result, {});
  } else {
    report::TextOptions t;
    t.color = !a.no_color && isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
    text = "\n" + report::render_text(result, t);
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  const auto& in = result.inputs.front();
  for (const auto& e : in.errors) fmt::print(stderr, "netseen watch: {}: {}: {}\n", in.path, e.where, e.what);
  if (!a.quiet) {
    fmt::print(stderr, "netseen watch: {}: {} packets captured, {} dropped by the kernel, {} by the interface\n",
               in.path, in.records, in.kernel_dropped, in.interface_dropped);
  }
  if (attribution && !a.quiet) {
    const auto st = attribution->stats();
    fmt::print(stderr,
               "netseen watch: process attribution: {} lookups ({} found), {} answered from the flow cache, "
               "{} /proc scans, mean lookup {:.0f} µs, max {:.0f} µs\n",
               st.lookups, st.found, attribution->flow_cache_hits(), st.proc_scans,
               st.lookups != 0 ? static_cast<double>(st.total_lookup_ns) / static_cast<double>(st.lookups) / 1e3 : 0.0,
               static_cast<double>(st.max_lookup_ns) / 1e3);
  }
  if (runner) {
    const auto& c = runner->counts();
    fmt::print(stderr, "netseen watch: --exec: {} started, {} succeeded, {} failed ({} timed out), {} dropped\n",
               c.started, c.succeeded, c.failed, c.timed_out, c.dropped);
  }
  if (a.syslog) closelog();
  return kExitOk;
}

}  // namespace

void register_watch(CLI::App& app, Context& ctx) {
  auto holder = std::make_shared<WatchArgs>();
  auto& args = *holder;
  auto* cmd = app.add_subcommand(
      "watch",
      "Capture live and run every detector as traffic arrives: each finding is printed when it is first raised\n"
      "and when it grows; Ctrl-C / SIGTERM (or --duration, --count) ends with the full report.");
  add_live_options(cmd, args.live, "--filter", "-c,--count");
  add_engine_options(cmd, args.engine);
  cmd->add_option("--format", args.format, "text lines, or JSON Lines (status new/grown, then the final report)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--interval", args.interval_s, "seconds between looks for new and grown findings")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--regrow-interval", args.regrow_s,
                  "seconds before the same finding is reported as grown again (a rise in severity is not held back)")
      ->check(CLI::Range(0.0, 86400.0));
  cmd->add_option("--exec", args.exec, "run this shell command per new finding, the finding's JSON on its stdin");
  cmd->add_option("--exec-parallel", args.exec_parallel, "commands running at once at most")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--exec-timeout", args.exec_timeout_s, "seconds before a command is killed")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_flag("--syslog", args.syslog, "also send one line per finding to syslog (user.warning, ident netseen)");
  cmd->add_flag("--no-color", args.no_color, "never colour the output");
  cmd->add_flag("-q,--quiet", args.quiet, "no status line or notes on stderr");
  cmd->add_flag("--no-attribution", args.no_attribution,
                "do not look up the local process behind traffic of this machine (Linux; docs/attribution.md)");
  cmd->add_option("--db", args.history.db,
                  "history database (default $NETSEEN_DB, else $XDG_DATA_HOME/netseen/history.db)");
  cmd->add_flag("--no-db", args.history.no_db, "do not read or update the history database");
  cmd->callback([&ctx, holder] { ctx.exit_code = run_watch_cmd(*holder); });
}

}  // namespace netseen::cli
