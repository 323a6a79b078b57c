#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace netseen::cli {

void register_decode(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("decode", "Packet-by-packet (or line-by-line) decode, NetBIOS in full detail: the forensic view.");
  auto args = std::make_shared<std::vector<std::string>>();
  cmd->add_option("args", *args, "arguments");
  cmd->allow_extras();
  cmd->callback([&ctx, args] {
    static_cast<void>(args);  // kept alive with the app
    ctx.exit_code = not_available("decode", "issue 4: captures in, events out"); });
}

}  // namespace netseen::cli
