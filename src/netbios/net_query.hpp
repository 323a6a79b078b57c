// NAME QUERY client behind `netseen query`: unicast to a name server with RD, or broadcast
// (B bit) collecting every answer until the timeout. WACK responses extend the wait by their
// TTL (capped), a redirect response is followed to the name server it names (bounded), and
// negative responses are reported with their RCODE.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "netbios/nbns.hpp"
#include "netbios/net_udp.hpp"

namespace netseen::netbios::net {

struct QueryOptions {
  Endpoint server{0, kNbnsPort};  // unicast server, or the broadcast address
  bool broadcast = false;
  bool recursion_desired = true;  // unicast only
  std::chrono::milliseconds timeout{1500};
  int retries = 2;
  int max_redirects = 3;
  std::chrono::milliseconds max_wack_wait{10000};
};

struct QueryAnswer {
  std::uint32_t from = 0;           // responder
  std::uint8_t rcode = 0;           // 0 = positive
  bool authoritative = false;
  std::vector<NbAddress> addresses; // positive
  std::uint32_t ttl = 0;
};

struct QueryResult {
  std::vector<QueryAnswer> answers;  // positive and negative, in arrival order
  int sends = 0;
  int wacks = 0;
  std::vector<std::uint32_t> redirects;  // name servers we were redirected to, in order
  std::size_t ignored = 0;               // wrong id, malformed, not a response
  double elapsed_ms = 0;
};

Result<QueryResult> query_name(const NetbiosName& name, const QueryOptions& options);

}  // namespace netseen::netbios::net
