// Cisco IOS ACL logging: %SEC-6-IPACCESSLOGP / LOGDP / LOGNP / LOGRP / LOGS and the IPv6
// %IPV6_ACL-6-ACCESSLOGP family, with their aggregated "N packets" counts.
#pragma once

#include <memory>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_cisco_ios_dialect();

}  // namespace netseen::ingest::logs
