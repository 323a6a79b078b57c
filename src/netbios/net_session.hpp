// SESSION REQUEST client behind `netseen session` (RFC 1002 §4.3.2, §5.2.1): connect to
// tcp/139 (or another port), send the request for CALLED from CALLING, read one response
// frame: positive, negative with its error code, or retarget (followed, at most
// `max_retargets` times). Connect and read are bounded by `timeout`; nothing blocks forever.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "netbios/name.hpp"
#include "netbios/net_udp.hpp"

namespace netseen::netbios::net {

enum class SessionOutcome : std::uint8_t { Positive, Negative, Refused, Timeout, Closed, Unexpected, Retarget, TooManyRetargets };
std::string_view to_string(SessionOutcome o) noexcept;

struct SessionOptions {
  Endpoint server{0, 139};
  NetbiosName called;
  NetbiosName calling;
  std::chrono::milliseconds timeout{3000};
  int max_retargets = 3;
};

struct SessionHop {
  Endpoint server;
  SessionOutcome outcome = SessionOutcome::Timeout;
  std::uint8_t error_code = 0;  // Negative
  std::uint8_t frame_type = 0;  // the response frame type seen
  Endpoint retarget{};          // set when the hop answered with a retarget
  std::string detail;           // errno text for Refused
};

struct SessionResult {
  std::vector<SessionHop> hops;  // one per connection made, in order
  [[nodiscard]] SessionOutcome outcome() const noexcept {
    return hops.empty() ? SessionOutcome::Timeout : hops.back().outcome;
  }
};

Result<SessionResult> request_session(const SessionOptions& options);

}  // namespace netseen::netbios::net
