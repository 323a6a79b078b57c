#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace netseen::cli {

void register_explain(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("explain", "What a port, ICMP message, address, NetBIOS name, RPC program, TTL or IP ID sequence means.");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("args", *args, "arguments");
  cmd->allow_extras();
  cmd->callback([&ctx, args] {
    static_cast<void>(args);  // kept alive with the app
    ctx.exit_code = not_available("explain", "issue 6: knowledge base"); });
}

}  // namespace netseen::cli
