#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace netseen::cli {

void register_watch(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("watch", "Live capture with findings as they happen and the local process behind them.");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("args", *args, "arguments");
  cmd->allow_extras();
  cmd->callback([&ctx, args] {
    static_cast<void>(args);  // kept alive with the app
    ctx.exit_code = not_available("watch", "issue 12: netseen watch"); });
}

}  // namespace netseen::cli
