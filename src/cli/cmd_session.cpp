#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace netseen::cli {

void register_session(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("session", "NBSS session request to port 139: positive, negative with its reason, or retarget (followed).");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("args", *args, "arguments");
  cmd->allow_extras();
  cmd->callback([&ctx, args] {
    static_cast<void>(args);  // kept alive with the app
    ctx.exit_code = not_available("session", "issue 10: talking NetBIOS"); });
}

}  // namespace netseen::cli
