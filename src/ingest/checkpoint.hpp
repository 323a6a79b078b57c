// Check Point Log Exporter (key:"value"; syslog) and key=value|… (Splunk) formats.
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_checkpoint_dialect();

}  // namespace netseen::ingest::logs
