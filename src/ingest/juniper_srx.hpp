// Juniper SRX RT_FLOW session logs, legacy text and structured (RFC 5424 sd-syslog).
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_juniper_srx_dialect();

}  // namespace netseen::ingest::logs
