// IPFilter ipmon lines (Solaris, *BSD, HP-UX, IRIX).
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_ipfilter_dialect();

}  // namespace netseen::ingest::logs
