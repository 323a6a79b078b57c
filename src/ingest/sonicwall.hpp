// SonicWall SonicOS key=value syslog ("id=firewall … src=ip:port:if dst=…").
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_sonicwall_dialect();

}  // namespace netseen::ingest::logs
