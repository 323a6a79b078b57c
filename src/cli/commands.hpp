// One file per subcommand; each registers itself on the top-level CLI11 app and stores
// its exit code in `exit_code` when it has run.
#pragma once

#include <CLI/CLI.hpp>

namespace netseen::cli {

struct Context {
  int exit_code = 0;
};

void register_analyze(CLI::App& app, Context& ctx);
void register_decode(CLI::App& app, Context& ctx);
void register_explain(CLI::App& app, Context& ctx);
void register_nbstat(CLI::App& app, Context& ctx);
void register_query(CLI::App& app, Context& ctx);
void register_session(CLI::App& app, Context& ctx);
void register_respond(CLI::App& app, Context& ctx);
void register_watch(CLI::App& app, Context& ctx);
void register_history(CLI::App& app, Context& ctx);

// Builds the whole command line (used by main and by the CLI tests).
void build_app(CLI::App& app, Context& ctx);
// Runs netseen with argv; returns the exit code. Never throws.
int run(int argc, const char* const* argv);

// For commands whose issue has not landed: say so plainly and exit with kExitUsage.
int not_available(const char* command, const char* issue);

}  // namespace netseen::cli
