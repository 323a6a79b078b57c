#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <memory>
#include <fstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "report/pipeline.hpp"
#include "report/text.hpp"

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

int run_analyze(AnalyzeArgs& a) {
  if (a.inputs.empty()) {
    a.inputs = bundled_example();
    if (a.inputs.empty()) {
      fmt::print(stderr, "netseen analyze: no input given and the bundled example was not found\n");
      return kExitInput;
    }
    if (!a.quiet) fmt::print(stderr, "netseen analyze: no input given; analysing the bundled example\n");
  }
  report::AnalyzeOptions opt;
  opt.inputs = a.inputs;
  opt.open.force_format = a.log_format;
  opt.open.year = a.year;
  opt.open.tz = a.tz;
  report::AnalysisResult result;
  report::run_analysis(opt, result);
  for (const auto& u : result.unreadable) fmt::print(stderr, "netseen analyze: {}: {}\n", u.path, u.reason);
  for (const auto& in : result.inputs) {
    for (const auto& e : in.errors) fmt::print(stderr, "netseen analyze: {}: {}: {}\n", in.path, e.where, e.what);
  }
  std::string text;
  if (a.format == "text") {
    report::TextOptions t;
    t.color = !a.no_color && a.output.empty() && isatty(STDOUT_FILENO) != 0;
    text = report::render_text(result, t);
  } else {
    fmt::print(stderr, "netseen analyze: --format {} is not available in this build yet (issues 7 and 9)\n", a.format);
    return kExitUsage;
  }
  if (a.output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    std::ofstream f(a.output, std::ios::binary);
    f << text;
    if (!f) {
      fmt::print(stderr, "netseen analyze: cannot write {}\n", a.output);
      return kExitInput;
    }
  }
  // Every input unreadable: nothing was analysed.
  if (!result.unreadable.empty()) return kExitInput;
  return kExitOk;
}

}  // namespace

void register_analyze(CLI::App& app, Context& ctx) {
  auto holder = std::make_shared<AnalyzeArgs>();
  auto& args = *holder;
  auto* cmd = app.add_subcommand(
      "analyze",
      "Read captures and firewall logs (format detected from content; '-' is stdin; gzip accepted),\n"
      "run every detector and print the report. With no INPUT, analyse the bundled example.");
  cmd->add_option("INPUT", args.inputs, "capture files (pcap, pcapng) and firewall logs");
  cmd->add_option("--format", args.format, "report format")->check(CLI::IsMember({"text", "json", "html", "ecs"}));
  cmd->add_option("-o,--output", args.output, "write the report to FILE instead of stdout");
  cmd->add_option("--log-format", args.log_format, "force a log dialect instead of detecting it");
  cmd->add_option("--year", args.year, "year for syslog time stamps that carry none")->check(CLI::Range(1970, 2100));
  cmd->add_option("--tz", args.tz, "time zone of local-time logs (default UTC)");
  cmd->add_flag("--no-color", args.no_color, "never colour the output");
  cmd->add_flag("-q,--quiet", args.quiet, "no progress or notes on stderr");
  cmd->callback([&ctx, holder] { ctx.exit_code = run_analyze(*holder); });
}

}  // namespace netseen::cli
