// ulogd2 JSON output (one flat object per line: "oob.prefix", "src_ip", "ip.ttl", …).
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_ulogd_json_dialect();

// Walks a flat JSON object, calling f(key, raw value, is_string) per member; strings are
// given without quotes and without unescaping. False (with why) on malformed or nested input.
bool for_each_json_member(std::string_view obj, const std::function<bool(std::string_view, std::string_view, bool)>& f,
                          std::string& why);

}  // namespace netseen::ingest::logs
