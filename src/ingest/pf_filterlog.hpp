// OpenBSD pf / pfSense / OPNsense `filterlog` CSV lines.
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_pf_filterlog_dialect();

}  // namespace netseen::ingest::logs
