#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <utility>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/history_open.hpp"
#include "cli/live_args.hpp"
#include "report/ecs.hpp"
#include "report/html.hpp"
#include "knowledge/geoip.hpp"
#include "knowledge/kb.hpp"
#include "report/pipeline.hpp"
#include "report/json.hpp"
#include "report/text.hpp"
#include "report/watch.hpp"

namespace netseen::cli {

namespace {

struct AnalyzeArgs {
  std::vector<std::string> inputs;
  std::string format = "text";
  std::string output;
  std::string log_format;
  int year = 0;
  std::string tz;
  bool no_color = false;
  bool quiet = false;
  bool explain = false;
  bool all = false;
  EngineArgs engine;
  LiveArgs live;
  std::string since, until;
  std::string host;
  std::string fail_on;
  HistoryChoice history;
  std::vector<std::string> kb_files;
  std::string geoip;
  unsigned threads = 0;
  std::size_t max_hosts = 0;
};

// The bundled example travels with the binary: beside it in the build tree
// (share/netseen/examples) or under the install prefix.
std::vector<std::string> bundled_example() {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back(exe.parent_path() / "share/netseen/examples");
    dirs.push_back(exe.parent_path().parent_path() / "share/netseen/examples");
  }
  dirs.emplace_back(fs::path(NETSEEN_SHARE_DIR) / "examples");
  for (const auto& d : dirs) {
    if (!fs::is_directory(d, ec)) continue;
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(d, ec)) {
      if (entry.is_regular_file()) files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    if (!files.empty()) return files;
  }
  return {};
}

// "12.5 MiB"
std::string size_text(std::uint64_t b) {
  const double v = static_cast<double>(b);
  if (v < 1024) return fmt::format("{} B", b);
  if (v < 1024.0 * 1024) return fmt::format("{:.1f} KiB", v / 1024);
  if (v < 1024.0 * 1024 * 1024) return fmt::format("{:.1f} MiB", v / (1024.0 * 1024));
  return fmt::format("{:.2f} GiB", v / (1024.0 * 1024 * 1024));
}

// The progress line on a terminal's stderr, rewritten in place; erased when reading ends.
struct ProgressLine {
  bool shown = false;
  void operator()(const report::Progress& p) {
    if (p.done) {
      if (shown) fmt::print(stderr, "\r\x1b[K");
      shown = false;
      return;
    }
    const double rate = p.elapsed_s > 0 ? static_cast<double>(p.records) / p.elapsed_s : 0;
    std::string line = fmt::format("netseen: read {}", size_text(p.bytes_read));
    if (p.bytes_total > 0 && p.bytes_read <= p.bytes_total) {
      line += fmt::format(" of {} ({:.0f}%)", size_text(p.bytes_total),
                          100.0 * static_cast<double>(p.bytes_read) / static_cast<double>(p.bytes_total));
    }
    line += fmt::format(", {} records, {:.0f} records/s", p.records, rate);
    if (p.bytes_total > p.bytes_read && p.bytes_read > 0 && p.elapsed_s > 0) {
      const double eta = static_cast<double>(p.bytes_total - p.bytes_read) / (static_cast<double>(p.bytes_read) / p.elapsed_s);
      const auto s = static_cast<long long>(eta + 0.5);
      line += fmt::format(", ETA {}:{:02d}", s / 60, s % 60);
    }
    fmt::print(stderr, "\r\x1b[K{}", line);
    std::fflush(stderr);
    shown = true;
  }
};

// The analysis of the last run_analyze(): freed with the process, not block by block. The
// engine's tables and the findings are millions of heap blocks after a large input, and
// handing them back one at a time took a sixth of the single-threaded tail of the run
// (docs/performance.md, eleventh round). A global, so leak checkers see it as reachable.
report::AnalysisResult* g_last_result = nullptr;

int run_analyze(AnalyzeArgs& a) {
  const bool live = !a.live.interface.empty();
  if (live && !a.inputs.empty()) {
    fmt::print(stderr, "netseen analyze: give either INPUT files or -i INTERFACE, not both\n");
    return kExitUsage;
  }
  if (!live && !a.live.filter.empty()) {
    fmt::print(stderr, "netseen analyze: --filter applies to live capture (-i INTERFACE)\n");
    return kExitUsage;
  }
  const bool bundled = a.inputs.empty() && !live;
  if (bundled) {
    a.inputs = bundled_example();
    if (a.inputs.empty()) {
      fmt::print(stderr, "netseen analyze: no input given and the bundled example was not found\n");
      return kExitInput;
    }
    if (!a.quiet) fmt::print(stderr, "netseen analyze: no input given; analysing the bundled example\n");
  }
  report::AnalyzeOptions opt;
  opt.inputs = a.inputs;
  if (bundled) {
    for (const auto& p : a.inputs) opt.display_names.push_back("example/" + std::filesystem::path(p).filename().string());
  }
  if (const int rc = engine_options("analyze", a.engine, opt.engine); rc != 0) return rc;
  for (auto [text, slot] : {std::pair{&a.since, &opt.since}, std::pair{&a.until, &opt.until}}) {
    if (text->empty()) continue;
    auto t = parse_rfc3339(*text);
    if (!t) {
      fmt::print(stderr, "netseen analyze: '{}' is not a date (YYYY-MM-DD or RFC 3339)\n", *text);
      return kExitUsage;
    }
    *slot = *t;
  }
  std::optional<IpAddress> host;
  if (!a.host.empty()) {
    host = IpAddress::parse(a.host);
    if (!host) {
      fmt::print(stderr, "netseen analyze: --host: '{}' is not an address\n", a.host);
      return kExitUsage;
    }
  }
  detect::Severity fail_on{};
  if (!a.fail_on.empty() && !detect::parse_severity(a.fail_on, fail_on)) {
    fmt::print(stderr, "netseen analyze: --fail-on: expected info, low, medium, high or critical\n");
    return kExitUsage;
  }
  // A user knowledge base (--kb) is validated like `explain --check-kb`: every problem as
  // file:line: reason, and exit 4 when there is any. It must outlive the analysis.
  std::optional<knowledge::KnowledgeBase> custom_kb;
  if (!a.kb_files.empty()) {
    knowledge::LoadReport report;
    auto loaded = knowledge::KnowledgeBase::load(a.kb_files, report);
    for (const auto& d : report.diagnostics) fmt::print(stderr, "{}\n", d.to_string());
    if (!loaded) {
      fmt::print(stderr, "netseen analyze: the knowledge base is invalid\n");
      return kExitKnowledge;
    }
    custom_kb.emplace(std::move(*loaded));
    opt.engine.kb = &*custom_kb;
  }
  std::optional<knowledge::GeoIp> geoip;
  if (!a.geoip.empty()) {
    auto opened = knowledge::GeoIp::open(a.geoip);
    if (!opened) {
      fmt::print(stderr, "netseen analyze: --geoip {}\n", opened.error().detail);
      return opened.error().kind == ErrorKind::Io ? kExitInput : kExitKnowledge;
    }
    geoip.emplace(std::move(*opened));
    opt.engine.geoip = &*geoip;
  }
  opt.open.force_format = a.log_format;
  opt.open.year = a.year;
  opt.open.tz = a.tz;
  // History: what earlier runs remembered goes to the detectors; this run is recorded after.
  auto db = open_history("analyze", a.history, !bundled, a.quiet);
  if (db) {
    if (auto prior = db->prior_observations(); prior) {
      opt.prior = std::move(*prior);
    } else {
      fmt::print(stderr, "netseen analyze: history: {}\n", prior.error().detail);
    }
    opt.collect_baseline = true;
  }
  opt.collect_report_data = a.format == "html";
  // Progress only for a person watching: stderr is a terminal and --quiet was not given.
  if (!a.quiet && isatty(STDERR_FILENO) != 0) opt.progress = ProgressLine{};
  opt.threads = a.threads;
  if (a.max_hosts != 0) opt.engine.max_hosts = a.max_hosts;
  delete g_last_result;
  g_last_result = new report::AnalysisResult;
  report::AnalysisResult& result = *g_last_result;
  if (live) {
    // Capture until Ctrl-C / SIGTERM, --duration or --count, then report as for a file.
    report::WatchOptions w;
    w.live = live_options(a.live);
    w.engine = opt.engine;
    w.prior = opt.prior;
    w.collect_baseline = opt.collect_baseline;
    w.interval_s = 0;
    w.status_interval_s = 0;
    w.on_start = [&a](const ingest::LiveSource&) {
      if (!a.quiet) {
        fmt::print(stderr, "netseen analyze: capturing on {} (Ctrl-C ends the capture and prints the report)\n",
                   a.live.interface);
      }
    };
    install_stop_signals();
    if (auto ok = report::run_watch(w, result); !ok) {
      fmt::print(stderr, "netseen analyze: {}\n", ok.error().detail);
      return ok.error().layer == "live" ? live_open_exit_code(ok.error()) : kExitUsage;
    }
    if (!a.quiet) {
      const auto& in = result.inputs.front();
      fmt::print(stderr, "netseen analyze: {}: {} packets captured, {} dropped by the kernel, {} by the interface\n",
                 in.path, in.records, in.kernel_dropped, in.interface_dropped);
    }
  } else if (auto ok = report::run_analysis(opt, result); !ok) {
    fmt::print(stderr, "netseen analyze: {}\n", ok.error().detail);
    return kExitUsage;
  }
  if (db && !result.inputs.empty()) {
    std::string label;
    for (const auto& in : result.inputs) label += (label.empty() ? "" : ", ") + in.path;
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    if (auto rec = db->compare_and_record(result, Timestamp{now.count()}, label); !rec) {
      fmt::print(stderr, "netseen analyze: history not updated: {}\n", rec.error().detail);
    }
  }
  for (const auto& u : result.unreadable) fmt::print(stderr, "netseen analyze: {}: {}\n", u.path, u.reason);
  for (const auto& in : result.inputs) {
    for (const auto& e : in.errors) fmt::print(stderr, "netseen analyze: {}: {}: {}\n", in.path, e.where, e.what);
  }
  // The report goes out as it is rendered (a month of logs makes tens of MB of JSON).
  std::FILE* out = stdout;
  if (!a.output.empty()) {
    out = std::fopen(a.output.c_str(), "wb");
    if (out == nullptr) {
      fmt::print(stderr, "netseen analyze: cannot write {}: {}\n", a.output, std::strerror(errno));
      return kExitInput;
    }
  }
  const report::ReportSink sink = [out](std::string_view piece) { std::fwrite(piece.data(), 1, piece.size(), out); };
  if (a.format == "text") {
    report::TextOptions t;
    t.color = !a.no_color && a.output.empty() && isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
    t.host = host;
    t.explain = a.explain;
    t.all = a.all;
    report::render_text(result, t, sink);
  } else if (a.format == "json") {
    report::JsonOptions j;
    j.host = host;
    report::render_json(result, j, sink);
  } else if (a.format == "ecs") {
    report::EcsOptions e;
    e.host = host;
    e.observer_version = NETSEEN_VERSION;
    report::render_ecs(result, e, sink);
  } else {
    report::HtmlOptions h;
    h.host = host;
    h.explain = a.explain;
    h.generator = std::string("netseen ") + NETSEEN_VERSION;
    sink(report::render_html(result, h));
  }
  // The reason of a failed write is the errno of the last failing call: taken before fclose.
  const bool write_failed = std::fflush(out) != 0 || std::ferror(out) != 0;
  int reason = errno;
  const bool close_failed = out != stdout && std::fclose(out) != 0;
  if (close_failed && !write_failed) reason = errno;
  if (write_failed || close_failed) {
    fmt::print(stderr, "netseen analyze: cannot write {}: {}\n", a.output.empty() ? "the report to stdout" : a.output,
               std::strerror(reason));
    return kExitInput;
  }
  if (const auto& ctx = result.engine->context(); ctx.geoip_errors() > 0) {
    fmt::print(stderr, "netseen analyze: --geoip: {} lookup{} failed, countries left out ({})\n", ctx.geoip_errors(),
               ctx.geoip_errors() == 1 ? "" : "s", ctx.geoip_last_error());
  }
  if (!result.unreadable.empty()) return kExitInput;
  if (!a.fail_on.empty()) {
    for (const auto& f : result.engine->findings()) {
      if (f.severity >= fail_on) return kExitFindings;
    }
  }
  return kExitOk;
}

}  // namespace

void register_analyze(CLI::App& app, Context& ctx) {
  auto holder = std::make_shared<AnalyzeArgs>();
  auto& args = *holder;
  auto* cmd = app.add_subcommand(
      "analyze",
      "Read captures and firewall logs (format detected from content; '-' is stdin; gzip accepted),\n"
      "run every detector and print the report. With no INPUT, analyse the bundled example;\n"
      "with -i IFACE, capture live until Ctrl-C / SIGTERM, --duration or --count, then report.");
  cmd->add_option("INPUT", args.inputs, "capture files (pcap, pcapng) and firewall logs");
  cmd->add_option("--format", args.format,
                  "report format: text (default), json (JSON Lines), ecs (JSON Lines in Elastic Common Schema), "
                  "html (one self-contained file; use with -o)")->check(CLI::IsMember({"text", "json", "html", "ecs"}));
  cmd->add_option("-o,--output", args.output, "write the report to FILE instead of stdout");
  cmd->add_option("--log-format", args.log_format, "force a log dialect instead of detecting it");
  cmd->add_option("--year", args.year, "year for syslog time stamps that carry none")->check(CLI::Range(1970, 2100));
  cmd->add_option("--tz", args.tz, "time zone of local-time logs (default UTC)");
  cmd->add_flag("--no-color", args.no_color, "never colour the output");
  add_engine_options(cmd, args.engine);
  add_live_options(cmd, args.live, "--filter", "-c,--count");
  cmd->add_option("--since", args.since, "analyse only events at or after this time (YYYY-MM-DD or RFC 3339)");
  cmd->add_option("--until", args.until, "analyse only events up to this time");
  cmd->add_option("--host", args.host, "report only findings about this address");
  cmd->add_flag("--all", args.all,
                "text: print findings below medium severity in full too (by default they are summarised)");
  cmd->add_flag("--explain", args.explain,
                "add the knowledge base's background to every finding (ports, ICMP, addresses, names; text and html)");
  cmd->add_option("--fail-on", args.fail_on, "exit 1 when a finding at or above this severity is reported");
  cmd->add_option("--kb", args.kb_files,
                  "extra knowledge-base table file overriding the built-in rows (repeatable; exit 4 when invalid)")
      ->allow_extra_args(false);
  cmd->add_option("--geoip", args.geoip,
                  "MaxMind DB (.mmdb) country database: countries of hosts in the report (optional)");
  cmd->add_flag("-q,--quiet", args.quiet, "no progress or notes on stderr (progress is shown only when stderr is a terminal)");
  cmd->add_option("--db", args.history.db,
                  "history database (default $NETSEEN_DB, else $XDG_DATA_HOME/netseen/history.db; the bundled "
                  "example is recorded only with --db or $NETSEEN_DB)");
  cmd->add_flag("--no-db", args.history.no_db, "do not read or update the history database");
  cmd->add_option("--threads", args.threads,
                  "0 = choose (for inputs of 32 MiB or more on a multi-core machine: one thread per core, at most 7; "
                  "else 1); 1 = one thread; captures: N = the engine on one thread and the scan and trace detectors "
                  "shared by N-1 threads, each reading the captures itself; logs: 2 = reading, parsing and the engine "
                  "on one thread, the scan and trace detectors on another, 3+ = reading and parsing on a thread of "
                  "their own and the scan and trace detectors shared by N-2 threads; for logs the detectors move "
                  "between the threads to even out their load (the same results whatever N; at most 16)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--max-hosts", args.max_hosts,
                  "hosts whose facts are kept at once (memory cap, default 1000000); more are counted as evicted")
      ->check(CLI::Range(1, 100'000'000));
  cmd->callback([&ctx, holder] { ctx.exit_code = run_analyze(*holder); });
}

}  // namespace netseen::cli
