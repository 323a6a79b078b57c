// Fortinet FortiGate key=value traffic logs.
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_fortinet_dialect();

}  // namespace netseen::ingest::logs
