// Palo Alto Networks PAN-OS TRAFFIC logs (syslog CSV).
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_paloalto_dialect();

}  // namespace netseen::ingest::logs
