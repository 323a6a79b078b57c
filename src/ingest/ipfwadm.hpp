// Linux 2.0 ipfwadm "IP fw-in rej eth0 TCP a:p b:p L= S= I= F= T=" lines.
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_ipfwadm_dialect();

}  // namespace netseen::ingest::logs
