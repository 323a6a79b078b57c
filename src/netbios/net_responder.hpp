// The NetBIOS name-service responder behind `netseen respond`.
//
// It owns a set of names (unique or group), a MAC and optional statistics, binds exactly the
// address and port it is given, and answers on that socket:
//   NODE STATUS REQUEST for `*` or one of its names -> NODE STATUS RESPONSE (all its names)
//   NAME QUERY REQUEST for one of its names         -> POSITIVE NAME QUERY RESPONSE (the address
//                                                      the query was sent to, via IP_PKTINFO)
//   unicast NAME QUERY for another name             -> NEGATIVE (NAM_ERR); broadcast: silence
//   REGISTRATION of one of its unique names, or of a unique name equal to one of its group
//   names, from another node                        -> NEGATIVE REGISTRATION RESPONSE (ACT_ERR)
//   anything else                                   -> logged, not answered
// Every reply passes a per-source and a global token bucket, so it cannot amplify traffic at a
// spoofed victim. A fault mode (tests only) drops, duplicates, delays, truncates, answers with
// a wrong transaction id or negatively.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/mac_address.hpp"
#include "core/result.hpp"
#include "netbios/nbns.hpp"
#include "netbios/net_udp.hpp"

namespace netseen::netbios::net {

struct OwnedName {
  NetbiosName name;
  bool group = false;
};

enum class Fault : std::uint8_t { None, Drop, Duplicate, Delay, Truncate, WrongTxid, Negative };
// "none", "drop", "duplicate", "delay", "truncate", "wrong-txid", "negative"
std::string_view to_string(Fault f) noexcept;
bool parse_fault(std::string_view text, Fault& out) noexcept;

struct ResponderConfig {
  std::vector<OwnedName> names;
  MacAddress mac;
  NodeStatistics statistics;        // unit_id is replaced by `mac`
  NodeType node_type = NodeType::B;
  Endpoint bind{0x7F000001U, kNbnsPort};
  std::uint32_t ttl = 300000;       // seconds, in positive name query responses
  double per_source_rate = 50;      // replies per second per source address (burst = 2x)
  double global_rate = 2000;        // replies per second overall (burst = 2x); <= 0: unlimited
  Fault fault = Fault::None;
  std::chrono::milliseconds fault_delay{300};
  int socket_buffer = 0;
};

// One query as received, and what was done with it.
struct QueryLog {
  Endpoint from{};
  std::uint32_t to = 0;             // local address it was sent to
  std::uint16_t to_port = 0;        // local port it was sent to
  std::size_t size = 0;             // datagram bytes
  std::uint16_t txid = 0;
  bool response = false;            // header fields (when it parsed)
  std::uint8_t opcode = 0, nm_flags = 0, rcode = 0;
  std::string kind;                 // NbnsPacketKind id, or "malformed"
  std::string name;                 // question name (display form), empty if none
  std::optional<NetbiosName> qname; // the same name: raw bytes and scope
  std::uint16_t qtype = 0;
  bool broadcast = false;
  std::string action;               // "node_status", "positive", "negative", "defended", "ignored",
                                    // "rate_limited", "not_ours", "malformed", "fault_<mode>"
};

struct ResponderStats {
  std::size_t received = 0, answered = 0, negative = 0, ignored = 0, rate_limited = 0, malformed = 0;
};

class Responder {
 public:
  static Result<Responder> open(ResponderConfig config);
  [[nodiscard]] Endpoint local() const noexcept { return sock_.local(); }
  // Handles everything that arrives for up to `duration` (or until `stop()` returns true,
  // checked at least every 100 ms). `log` is called once per message received.
  Result<void> run(std::chrono::milliseconds duration, const std::function<bool()>& stop,
                   const std::function<void(const QueryLog&)>& log);
  [[nodiscard]] const ResponderStats& stats() const noexcept { return stats_; }
  // The reply this responder would give to one datagram (exposed for tests); empty = none.
  std::vector<std::vector<std::uint8_t>> respond_to(Bytes datagram, Endpoint from, std::uint32_t local_address,
                                                    QueryLog& log);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last{};
  };
  bool allow(std::uint32_t source);
  [[nodiscard]] const OwnedName* find(const NetbiosName& n) const;
  ResponderConfig cfg_;
  UdpSocket sock_;
  ResponderStats stats_;
  std::vector<NodeName> table_;
  Bucket global_;
  std::unordered_map<std::uint32_t, Bucket> per_source_;
};

}  // namespace netseen::netbios::net
