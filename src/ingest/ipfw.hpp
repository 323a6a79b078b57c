// FreeBSD / DragonFly ipfw kernel log lines ("ipfw: 100 Deny TCP a:p b:p in via em0").
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_ipfw_dialect();

}  // namespace netseen::ingest::logs
