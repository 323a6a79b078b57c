// Cisco ASA / PIX / FWSM syslog messages (%ASA-sev-id, %PIX-…, %FWSM-…): ACL denies, hit-count
// aggregates, ICMP denies, threat detection and connection builds/teardowns.
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_cisco_asa_dialect();

}  // namespace netseen::ingest::logs
