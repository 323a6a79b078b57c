// Windows Firewall pfirewall.log (W3C-like, columns from the #Fields: header, local time).
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_pfirewall_dialect();

}  // namespace netseen::ingest::logs
