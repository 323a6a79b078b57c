#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace netseen::cli {

void build_app(CLI::App& app, Context& ctx) {
  app.description(
      "netseen — what am I seeing? Explains packet captures and firewall logs host by host,\n"
      "with a native NetBIOS-over-TCP/IP stack (RFC 1001/1002).");
  app.set_version_flag("-V,--version", fmt::format("netseen {}", NETSEEN_VERSION));
  app.require_subcommand(0, 1);
  app.fallthrough();
  register_analyze(app, ctx);
  register_decode(app, ctx);
  register_explain(app, ctx);
  register_nbstat(app, ctx);
  register_query(app, ctx);
  register_session(app, ctx);
  register_respond(app, ctx);
  register_watch(app, ctx);
  register_history(app, ctx);
  app.footer(
      "Exit codes: 0 done; 1 findings at or above --fail-on; 2 usage error; 3 an input could not be read;\n"
      "4 the knowledge base is invalid. Results go to stdout, diagnostics to stderr.");
}

int not_available(const char* command, const char* issue) {
  fmt::print(stderr, "netseen {}: not available in this build yet ({}).\n", command, issue);
  return kExitUsage;
}

int run(int argc, const char* const* argv) {
  try {
    CLI::App app;
    Context ctx;
    build_app(app, ctx);
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      app.exit(e);  // prints the message and the usage line to stderr
      return kExitUsage;
    }
    if (app.get_subcommands().empty()) {
      fmt::print(stderr, "{}", app.help());
      return kExitUsage;
    }
    return ctx.exit_code;
  } catch (const std::exception& e) {
    fmt::print(stderr, "netseen: internal error: {}\n", e.what());
    return kExitUsage;
  }
}

}  // namespace netseen::cli
