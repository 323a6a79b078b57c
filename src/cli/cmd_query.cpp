#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace netseen::cli {

void register_query(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("query", "NetBIOS name query, unicast to a name server or broadcast, collecting every answer.");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("args", *args, "arguments");
  cmd->allow_extras();
  cmd->callback([&ctx, args] {
    static_cast<void>(args);  // kept alive with the app
    ctx.exit_code = not_available("query", "issue 10: talking NetBIOS"); });
}

}  // namespace netseen::cli
