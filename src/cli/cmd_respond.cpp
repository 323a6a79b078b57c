#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace netseen::cli {

void register_respond(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("respond", "An NBNS responder for names it owns; logs every query it receives; rate-limited.");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("args", *args, "arguments");
  cmd->allow_extras();
  cmd->callback([&ctx, args] {
    static_cast<void>(args);  // kept alive with the app
    ctx.exit_code = not_available("respond", "issue 10: talking NetBIOS"); });
}

}  // namespace netseen::cli
