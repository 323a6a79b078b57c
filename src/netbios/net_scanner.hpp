// The node-status scanner behind `netseen nbstat` (nbtstat -A / nbtscan, done right).
//
// One non-blocking UDP socket sends NODE STATUS REQUESTs for `*<00>` (unicast: B bit clear),
// paced by a token bucket (`rate` packets/s), each target with its own random transaction id.
// A reply is matched on (replying address, transaction id); a reply from another address is
// attributed when its id belongs to exactly one outstanding query (multi-homed hosts answer
// from another interface) and reported with that address; otherwise it is an unsolicited
// reply. Unanswered targets are re-sent with the same id after `timeout` up to `retries`
// times (RFC 1002 unicast policy: UCAST_REQ_RETRY_COUNT 3 attempts; its 5 s timeout is
// shortened to 1.5 s by default). Four outcomes per target: answered, refused (a negative
// response: RCODE != 0), unreachable (ICMP error queued by IP_RECVERR), silent.
// Queries leave in batches (sendmmsg), replies are read in batches (recvmmsg); a window of
// recent unanswered queries (`max_in_flight`) keeps a slow peer from being flooded.
// Every loop is bounded: the scan ends at the latest after
//   (retries+1)*(targets/rate + timeout + targets*timeout/max_in_flight) + 1 s + targets/20000 s.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "netbios/nbns.hpp"
#include "netbios/net_udp.hpp"

namespace netseen::netbios::net {

enum class Outcome : std::uint8_t { Pending, Answered, Refused, Unreachable, Silent };
std::string_view to_string(Outcome o) noexcept;  // "answered", "refused", "unreachable", "silent"

struct ScanOptions {
  std::uint16_t port = kNbnsPort;  // destination port (tests use an unprivileged one)
  Endpoint bind{};                 // source address/port; port 0 = ephemeral, 137 with --source-port 137
  double rate = 1000.0;            // packets per second; <= 0 means as fast as the socket takes them
  std::chrono::milliseconds timeout{1500};
  int retries = 2;                 // re-sends after the first (3 attempts in all)
  std::string scope;               // NetBIOS scope of the query name
  int socket_buffer = 4 << 20;
  // Flow control: at most this many queries sent less than a horizon ago may be waiting for an
  // answer (0 = no limit). The horizon is `in_flight_horizon`, or 4 x the smoothed round-trip
  // time of the answers when that is longer (at most `timeout`). Replies that keep up never hit
  // the limit; a peer that falls behind makes the scanner wait instead of overflowing its socket
  // buffer; silent targets age out, so an empty network is still swept at up to
  // max_in_flight / horizon queries per second (20,000/s with the defaults; --rate is lower).
  std::size_t max_in_flight = 4096;
  std::chrono::milliseconds in_flight_horizon{200};
  // Called at most ~10 times per second with (done, total).
  std::function<void(std::size_t, std::size_t)> progress;
};

struct HostResult {
  std::uint32_t address = 0;       // the target asked
  Outcome outcome = Outcome::Pending;
  std::uint32_t replied_from = 0;  // address the reply came from (differs for multi-homed hosts)
  std::uint16_t txid = 0;
  int sends = 0;
  double rtt_ms = 0;
  std::uint8_t rcode = 0;          // Refused
  std::uint8_t icmp_type = 0, icmp_code = 0;  // Unreachable
  std::uint32_t icmp_reporter = 0;
  NodeStatus status;               // Answered
  std::vector<Diagnostic> diagnostics;  // parser tolerances of the reply
};

// A reply nobody asked for (unknown id and address, or a second answer).
struct StrayReply {
  std::uint32_t from = 0;
  std::uint16_t txid = 0;
  std::string reason;  // "unknown_txid", "duplicate", "malformed", "not_node_status", "txid_mismatch"
};

struct ScanSummary {
  std::size_t asked = 0, answered = 0, refused = 0, unreachable = 0, silent = 0;
  std::size_t packets_sent = 0, replies_received = 0, duplicates = 0, foreign_attributed = 0;
  std::size_t stray = 0, malformed = 0, txid_mismatch = 0, send_stalls = 0;
  double elapsed_s = 0;
  double send_rate = 0;  // packets_sent / elapsed
};

struct ScanResult {
  std::vector<HostResult> hosts;  // in target order
  std::vector<StrayReply> stray;  // capped at 1000 entries (the count is in summary.stray)
  ScanSummary summary;
};

// Scans every target. Errors: Io (socket could not be opened/bound).
Result<ScanResult> scan(const std::vector<std::uint32_t>& targets, const ScanOptions& options);

}  // namespace netseen::netbios::net
