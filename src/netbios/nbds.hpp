// NetBIOS datagram service, udp/138 (RFC 1002 §4.4).
//
//   +--------+--------+-----------------+
//   |MSG_TYPE| FLAGS  |     DGM_ID      |   FLAGS = 0000 SNT(2) F M
//   +--------+--------+-----------------+
//   |            SOURCE_IP              |
//   +-----------------+-----------------+
//   |   SOURCE_PORT   |  (0x10-0x12:) DGM_LENGTH | PACKET_OFFSET, SOURCE_NAME,
//   +-----------------+    DESTINATION_NAME, USER_DATA
//   0x13: ERROR_CODE(8)   0x14-0x16: DESTINATION_NAME
//
// DGM_LENGTH counts the bytes after the 14-byte header (both names + user data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "netbios/name.hpp"
#include "netbios/nbns.hpp"  // Diagnostic, ParseOptions

namespace netseen::netbios {

inline constexpr std::uint16_t kNbdsPort = 138;

enum class DatagramType : std::uint8_t {
  DirectUnique = 0x10,
  DirectGroup = 0x11,
  Broadcast = 0x12,
  Error = 0x13,
  QueryRequest = 0x14,
  PositiveQueryResponse = 0x15,
  NegativeQueryResponse = 0x16,
};
std::string_view datagram_type_name(std::uint8_t type) noexcept;  // "direct_unique", … "unknown"

// Source node type (SNT) in FLAGS bits 2-3.
enum class SourceNodeType : std::uint8_t { B = 0, P = 1, M = 2, Nbdd = 3 };

inline constexpr std::uint8_t kNbdsFlagMore = 0x01;   // M: more fragments follow
inline constexpr std::uint8_t kNbdsFlagFirst = 0x02;  // F: first fragment

// DATAGRAM ERROR codes (§4.4.3).
inline constexpr std::uint8_t kDgmErrDestinationNameNotPresent = 0x82;
inline constexpr std::uint8_t kDgmErrInvalidSourceNameFormat = 0x83;
inline constexpr std::uint8_t kDgmErrInvalidDestinationNameFormat = 0x84;
std::string_view datagram_error_meaning(std::uint8_t code) noexcept;

struct NbdsMessage {
  std::uint8_t type = 0;
  std::uint8_t flags = kNbdsFlagFirst;
  std::uint16_t dgm_id = 0;
  std::uint32_t source_ip = 0;  // host byte order
  std::uint16_t source_port = kNbdsPort;
  // 0x10-0x12:
  std::uint16_t dgm_length = 0;     // as declared (computed when building)
  std::uint16_t packet_offset = 0;
  std::optional<NetbiosName> source_name;
  std::optional<NetbiosName> destination_name;  // also for 0x14-0x16
  std::vector<std::uint8_t> user_data;          // bytes present (clamped to DGM_LENGTH)
  // 0x13:
  std::uint8_t error_code = 0;
  std::vector<Diagnostic> diagnostics;

  [[nodiscard]] bool more() const noexcept { return (flags & kNbdsFlagMore) != 0; }
  [[nodiscard]] bool first() const noexcept { return (flags & kNbdsFlagFirst) != 0; }
  [[nodiscard]] SourceNodeType node_type() const noexcept {
    return static_cast<SourceNodeType>((flags >> 2) & 3U);
  }
  [[nodiscard]] bool carries_data() const noexcept { return type >= 0x10 && type <= 0x12; }
};

// Parses one datagram (the whole UDP payload). Unknown MSG_TYPE -> Unsupported.
// DGM_LENGTH larger than the data present is tolerated (user data clamped, diagnostic
// "nbds_length_exceeds_data"); smaller than the two names -> Malformed.
Result<NbdsMessage> parse_nbds(Bytes message, const ParseOptions& options = {});
// parse_nbds without the copy: fills `out` (a default-constructed message) except
// user_data, and returns a view of the user data inside `message` instead. Same errors and
// diagnostics.
Result<Bytes> parse_nbds_view(Bytes message, NbdsMessage& out, const ParseOptions& options = {});
// decode's hot path for the common datagram (DIRECT_UNIQUE, DIRECT_GROUP, BROADCAST): the
// header, both names (as NbnsNameRef: raw bytes, scope on demand) and a view of the user
// data, without building NetbiosName strings. True only when parse_nbds_view (default
// options) would accept the message without a Diagnostic and both names are 32-letter
// NetBIOS names; otherwise false, and the caller takes parse_nbds_view.
struct NbdsSummary {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  NbnsNameRef source_name, destination_name;
  Bytes user_data;
};
[[nodiscard]] bool summarize_nbds(Bytes message, NbdsSummary& out);
// Serialises; DGM_LENGTH is computed from the names and user data.
Result<std::vector<std::uint8_t>> serialize_nbds(const NbdsMessage& message);

// Reassembles fragmented DIRECT_UNIQUE/DIRECT_GROUP/BROADCAST datagrams (§5.3.3): the first
// fragment has F=1, later ones F=0 with PACKET_OFFSET = offset of their user data; the last
// has M=0. Keyed by (source ip, source port, DGM_ID). Memory is bounded by
// limits::kMaxNbdsReassemblyBytes per datagram and kMaxNbdsPendingDatagrams in total; a
// datagram not completed within the timeout (RFC FRAGMENT_TIMEOUT, 2 s) is dropped.
class NbdsReassembler {
 public:
  struct Stats {
    std::size_t completed = 0, expired = 0, evicted = 0, overlaps = 0, oversized = 0, out_of_order = 0;
  };
  explicit NbdsReassembler(std::uint64_t timeout_ms = 2000) : timeout_ms_(timeout_ms) {}
  // Feeds one parsed datagram seen at `now_ms`. An unfragmented datagram (F=1, M=0) is
  // returned at once; a fragment returns the whole datagram (user data joined, the first
  // fragment's names and header) once the last fragment arrived, else nullopt.
  std::optional<NbdsMessage> feed(const NbdsMessage& fragment, std::uint64_t now_ms);
  // Drops datagrams idle for longer than the timeout.
  void expire(std::uint64_t now_ms);
  [[nodiscard]] std::size_t pending() const noexcept { return pending_.size(); }
  [[nodiscard]] const Stats& stats() const noexcept { return stats_; }

 private:
  struct Pending {
    NbdsMessage first;  // header + names of the first fragment, user data accumulated
    bool have_first = false;
    std::uint64_t last_seen_ms = 0;
    std::uint64_t first_seen_ms = 0;
  };
  using Key = std::tuple<std::uint32_t, std::uint16_t, std::uint16_t>;
  std::map<Key, Pending> pending_;
  std::uint64_t timeout_ms_;
  Stats stats_;
};

}  // namespace netseen::netbios
