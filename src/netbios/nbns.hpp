// NetBIOS name service, udp/137 (RFC 1002 §4.2).
//
//                        1 1 1 1 1 1 1 1 1 1 2 2 2 2 2 2 2 2 2 2 3 3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-------------------------------+-+-------+-------------+-------+
//   |         NAME_TRN_ID           |R| OPCODE|  NM_FLAGS   | RCODE |
//   +-------------------------------+-+-------+-------------+-------+
//   |          QDCOUNT              |           ANCOUNT             |
//   |          NSCOUNT              |           ARCOUNT             |
//   +-------------------------------+-------------------------------+
//   NM_FLAGS = AA TC RD RA 0 0 B
//
// parse_nbns() decodes every section; counts are capped (limits::kMaxNbnsRecords) before any
// loop, RDLENGTH is clamped to what is present (and reported), NBSTAT NUM_NAMES is bounded
// by the bytes present. It is tolerant where real peers differ (ANCOUNT 0 with an RR after
// it, statistics short or missing) and reports each tolerance as a Diagnostic.
// The builders in namespace `build` produce every packet of RFC 1002 §4.2.2–4.2.18 plus the
// Microsoft multi-homed registration, with the RR_NAME pointer (0xC00C) where the RFC asks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/mac_address.hpp"
#include "core/result.hpp"
#include "netbios/name.hpp"

namespace netseen::netbios {

inline constexpr std::uint16_t kNbnsPort = 137;

// A named oddity found while parsing; the message still decoded.
struct Diagnostic {
  std::string id;          // stable snake_case id, e.g. "nbns_statistics_short"
  std::size_t offset = 0;  // byte offset in the message
  std::string detail;
};

struct ParseOptions {
  NameMode name_mode = NameMode::Lenient;
};

enum class Opcode : std::uint8_t {
  Query = 0,
  Registration = 5,
  Release = 6,
  Wack = 7,
  Refresh = 8,
  RefreshAlt = 9,
  MultiHomedRegistration = 15,
};
std::string_view opcode_name(std::uint8_t opcode) noexcept;  // "query", "registration", … "opcode_3"

enum class Rcode : std::uint8_t {
  NoError = 0,
  FormatError = 1,    // FMT_ERR
  ServerFailure = 2,  // SRV_ERR
  NameError = 3,      // NAM_ERR
  NotImplemented = 4, // IMP_ERR
  Refused = 5,        // RFS_ERR
  Active = 6,         // ACT_ERR: name owned by another node
  Conflict = 7,       // CFT_ERR
};
std::string_view rcode_name(std::uint8_t rcode) noexcept;     // "FMT_ERR", …
std::string_view rcode_meaning(std::uint8_t rcode) noexcept;  // "Format error", …

// NM_FLAGS as the 7 bits on the wire (header bits 5..11).
namespace nm_flags {
inline constexpr std::uint8_t kAA = 0x40;
inline constexpr std::uint8_t kTC = 0x20;
inline constexpr std::uint8_t kRD = 0x10;
inline constexpr std::uint8_t kRA = 0x08;
inline constexpr std::uint8_t kB = 0x01;
}  // namespace nm_flags

struct NbnsHeader {
  static constexpr std::size_t kWireSize = 12;
  std::uint16_t id = 0;
  bool response = false;
  std::uint8_t opcode = 0;    // 4 bits
  std::uint8_t nm_flags = 0;  // 7 bits
  std::uint8_t rcode = 0;     // 4 bits
  std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;

  [[nodiscard]] std::uint16_t flags_word() const noexcept;  // the 16-bit word after the id
  static NbnsHeader from_flags_word(std::uint16_t id, std::uint16_t flags) noexcept;
  [[nodiscard]] bool aa() const noexcept { return (nm_flags & nm_flags::kAA) != 0; }
  [[nodiscard]] bool tc() const noexcept { return (nm_flags & nm_flags::kTC) != 0; }
  [[nodiscard]] bool rd() const noexcept { return (nm_flags & nm_flags::kRD) != 0; }
  [[nodiscard]] bool ra() const noexcept { return (nm_flags & nm_flags::kRA) != 0; }
  [[nodiscard]] bool broadcast() const noexcept { return (nm_flags & nm_flags::kB) != 0; }
};

enum class RrType : std::uint16_t { A = 0x0001, NS = 0x0002, Null = 0x000A, NB = 0x0020, NBSTAT = 0x0021 };
inline constexpr std::uint16_t kClassIn = 0x0001;

// Owner node type (ONT) in NB_FLAGS / NAME_FLAGS. 3 is "reserved" in RFC 1002 and means
// H-node (RFC 1001 §10 / Microsoft) in practice.
enum class NodeType : std::uint8_t { B = 0, P = 1, M = 2, H = 3 };
char node_type_letter(NodeType t) noexcept;  // 'B' 'P' 'M' 'H'

// NB_FLAGS: G(0x8000) ONT(0x6000), rest reserved.
inline constexpr std::uint16_t kNbFlagGroup = 0x8000;
// NAME_FLAGS (node status): G ONT DRG CNF ACT PRM.
inline constexpr std::uint16_t kNameFlagGroup = 0x8000;
inline constexpr std::uint16_t kNameFlagDrg = 0x1000;
inline constexpr std::uint16_t kNameFlagCnf = 0x0800;
inline constexpr std::uint16_t kNameFlagAct = 0x0400;
inline constexpr std::uint16_t kNameFlagPrm = 0x0200;

inline constexpr std::uint16_t make_nb_flags(bool group, NodeType ont) noexcept {
  return static_cast<std::uint16_t>((group ? kNbFlagGroup : 0U) | (static_cast<unsigned>(ont) << 13));
}

// One ADDR_ENTRY of NB RDATA (6 bytes).
struct NbAddress {
  std::uint16_t nb_flags = 0;
  std::uint32_t address = 0;  // IPv4, host byte order (IpAddress::v4(address))
  [[nodiscard]] bool group() const noexcept { return (nb_flags & kNbFlagGroup) != 0; }
  [[nodiscard]] NodeType ont() const noexcept { return static_cast<NodeType>((nb_flags >> 13) & 3U); }
  friend bool operator==(const NbAddress&, const NbAddress&) = default;
};

// One NODE_NAME entry of a node status response (18 bytes).
struct NodeName {
  std::array<std::uint8_t, 16> raw{};
  std::uint16_t flags = 0;  // NAME_FLAGS
  [[nodiscard]] bool group() const noexcept { return (flags & kNameFlagGroup) != 0; }
  [[nodiscard]] NodeType ont() const noexcept { return static_cast<NodeType>((flags >> 13) & 3U); }
  [[nodiscard]] bool deregistering() const noexcept { return (flags & kNameFlagDrg) != 0; }
  [[nodiscard]] bool conflict() const noexcept { return (flags & kNameFlagCnf) != 0; }
  [[nodiscard]] bool active() const noexcept { return (flags & kNameFlagAct) != 0; }
  [[nodiscard]] bool permanent() const noexcept { return (flags & kNameFlagPrm) != 0; }
  [[nodiscard]] std::string display() const;  // escaped like NetbiosName::display (no scope)
  friend bool operator==(const NodeName&, const NodeName&) = default;
};

// The 46-byte STATISTICS block of RFC 1002 §4.2.18, all 19 fields.
struct NodeStatistics {
  static constexpr std::size_t kWireSize = 46;
  MacAddress unit_id;                              // 6
  std::uint8_t jumpers = 0;                        // 1
  std::uint8_t test_result = 0;                    // 1
  std::uint16_t version_number = 0;                // 2
  std::uint16_t period_of_statistics = 0;          // 2
  std::uint16_t number_of_crcs = 0;                // 2
  std::uint16_t number_alignment_errors = 0;       // 2
  std::uint16_t number_of_collisions = 0;          // 2
  std::uint16_t number_send_aborts = 0;            // 2
  std::uint32_t number_good_sends = 0;             // 4
  std::uint32_t number_good_receives = 0;         // 4
  std::uint16_t number_retransmits = 0;            // 2
  std::uint16_t number_no_resource_conditions = 0; // 2
  std::uint16_t number_free_command_blocks = 0;    // 2
  std::uint16_t total_number_command_blocks = 0;   // 2
  std::uint16_t max_total_number_command_blocks = 0;  // 2
  std::uint16_t number_pending_sessions = 0;       // 2
  std::uint16_t max_number_pending_sessions = 0;   // 2
  std::uint16_t max_total_sessions_possible = 0;   // 2
  std::uint16_t session_data_packet_size = 0;      // 2
  friend bool operator==(const NodeStatistics&, const NodeStatistics&) = default;
};

struct NodeStatus {
  std::uint8_t num_names = 0;               // as declared
  std::vector<NodeName> names;              // the entries actually present (<= num_names)
  std::optional<NodeStatistics> statistics; // set when at least the 6-byte unit id is present
  std::size_t statistics_bytes = 0;         // bytes of the statistics block present (0..46)
  std::size_t trailing_bytes = 0;           // bytes after the 46-byte block (ignored)
};

struct NbnsResourceRecord {
  NetbiosName name;             // owner, when it is a NetBIOS name
  bool name_is_netbios = true;  // false for plain DNS owner names (redirect A record)
  std::string dns_name;         // the owner as dotted labels when !name_is_netbios
  bool name_compressed = false; // RR_NAME was (or, when building, is written as) a pointer
  std::uint16_t type = 0;
  std::uint16_t rr_class = kClassIn;
  std::uint32_t ttl = 0;
  std::uint16_t rdlength = 0;          // as declared
  std::vector<std::uint8_t> rdata;     // the RDATA bytes present (clamped)
  // Decoded RDATA, by type:
  std::vector<NbAddress> addresses;    // NB
  std::optional<NodeStatus> node_status;  // NBSTAT
  std::optional<std::uint16_t> wack_flags;  // WACK (opcode 7): the request's header flags word
  std::string nsd_name;                // NS: the name server's domain name
  std::optional<std::uint32_t> nsd_address;  // A: the name server's IPv4 address (host order)
};

struct NbnsQuestion {
  NetbiosName name;
  std::uint16_t type = static_cast<std::uint16_t>(RrType::NB);
  std::uint16_t qclass = kClassIn;
};

// Which RFC 1002 packet a message is (by header flags, counts and record types).
enum class NbnsPacketKind : std::uint8_t {
  Unknown,
  NameQueryRequest,                 // 4.2.12
  PositiveNameQueryResponse,        // 4.2.13
  NegativeNameQueryResponse,        // 4.2.14
  RedirectNameQueryResponse,        // 4.2.15
  NameRegistrationRequest,          // 4.2.2
  NameOverwriteRequest,             // 4.2.3
  NameRefreshRequest,               // 4.2.4 (opcode 8 or 9)
  PositiveNameRegistrationResponse, // 4.2.5
  NegativeNameRegistrationResponse, // 4.2.6
  EndNodeChallengeResponse,         // 4.2.7
  NameConflictDemand,               // 4.2.8
  NameReleaseRequest,               // 4.2.9
  PositiveNameReleaseResponse,      // 4.2.10
  NegativeNameReleaseResponse,      // 4.2.11
  WackResponse,                     // 4.2.16
  NodeStatusRequest,                // 4.2.17
  NodeStatusResponse,               // 4.2.18
  MultiHomedRegistrationRequest,    // Microsoft, opcode 15
};
std::string_view to_string(NbnsPacketKind k) noexcept;  // "name_query_request", …

struct NbnsMessage {
  NbnsHeader header;
  std::vector<NbnsQuestion> questions;
  std::vector<NbnsResourceRecord> answers, authority, additional;
  std::vector<Diagnostic> diagnostics;  // tolerated oddities (parse only)

  [[nodiscard]] NbnsPacketKind kind() const noexcept;
};

// Parses one NBNS message (the whole UDP payload). Errors: Truncated (header or a declared
// record cut short before any content could be kept), Malformed (bad name, impossible
// values), LimitExceeded (a count above kMaxNbnsRecords). Offsets are within `message`.
Result<NbnsMessage> parse_nbns(Bytes message, const ParseOptions& options = {});

// The summary walk: decode's hot path. It reads a message the way parse_nbns does, with the
// same bounds checks, but hands it to a visitor piece by piece instead of building vectors
// and strings. It covers only messages parse_nbns (default options) accepts without a single
// Diagnostic and whose names are all 32-letter NetBIOS names; anything else — an error, a
// tolerated oddity, an NS record, a plain DNS owner name, trailing bytes — makes walk_nbns
// stop and return false, and the caller takes parse_nbns, whose errors and diagnostics stay
// the reference. The visitor may have seen part of such a message: discard what it built.
enum class NbnsSection : std::uint8_t { Question, Answer, Authority, Additional };

struct NbnsNameRef {
  std::array<std::uint8_t, 16> raw{};  // first-level decoded, as NetbiosName::raw
  bool has_scope = false;
  Bytes message;                       // the whole message, and where the name's labels start
  std::size_t at = 0;
  // NetbiosName::scope of the same name (built only when asked for; empty when !has_scope).
  [[nodiscard]] std::string scope() const;
};

class NbnsVisitor {
 public:
  virtual ~NbnsVisitor() = default;
  virtual void on_header(const NbnsHeader& header) = 0;
  virtual void on_question(const NbnsNameRef& name, std::uint16_t type) = 0;
  // Each resource record, in message order, before its RDATA entries.
  virtual void on_record(NbnsSection section, const NbnsNameRef& owner, std::uint16_t type) = 0;
  virtual void on_address(NbnsSection section, const NbAddress& address) = 0;   // NB ADDR_ENTRY
  // An NBSTAT record: how many entries follow (all present), then each entry.
  virtual void on_node_status(NbnsSection section, std::size_t names) = 0;
  virtual void on_node_name(NbnsSection section, const NodeName& name) = 0;     // NBSTAT entry
  virtual void on_unit_id(NbnsSection section, const MacAddress& unit_id) = 0;  // NBSTAT statistics
};
[[nodiscard]] bool walk_nbns(Bytes message, NbnsVisitor& visitor);
// One name for the summary walks (NBNS, NBDS): true, with `out` set, when the name at r is a
// 32-letter NetBIOS name that read_name accepts (any scope); r moves past it. False for
// anything else, including names read_name accepts leniently.
[[nodiscard]] bool walk_netbios_name(ByteReader& r, Bytes message, NbnsNameRef& out);

// Serialises a message: header counts are taken from `header` (so tests can lie on
// purpose); record RDATA comes from `rdata` when non-empty, otherwise from the decoded
// fields by type. An RR whose `name_compressed` is set is written as a pointer to the first
// question name (0xC00C) when there is a question.
Result<std::vector<std::uint8_t>> serialize_nbns(const NbnsMessage& message);
// The RDATA for a node status (NUM_NAMES, entries, the 46-byte statistics).
std::vector<std::uint8_t> node_status_rdata(std::span<const NodeName> names, const NodeStatistics& stats);

// RFC 1002 §4.2 packet builders. Header flags are exactly those the RFC draws; `broadcast`
// sets B. Registration/refresh/release/multi-homed requests write RR_NAME as 0xC00C.
namespace build {
Result<std::vector<std::uint8_t>> name_query_request(std::uint16_t id, const NetbiosName& name, bool broadcast,
                                                     bool recursion_desired = true);
Result<std::vector<std::uint8_t>> positive_name_query_response(std::uint16_t id, const NetbiosName& name,
                                                               std::uint32_t ttl, std::span<const NbAddress> addresses,
                                                               bool recursion_available = true, bool truncated = false);
Result<std::vector<std::uint8_t>> negative_name_query_response(std::uint16_t id, const NetbiosName& name, Rcode rcode,
                                                               bool recursion_available = true);
Result<std::vector<std::uint8_t>> redirect_name_query_response(std::uint16_t id, const NetbiosName& name,
                                                               std::string_view nsd_name, std::uint32_t nsd_address,
                                                               std::uint32_t ttl);
Result<std::vector<std::uint8_t>> name_registration_request(std::uint16_t id, const NetbiosName& name,
                                                            std::uint32_t ttl, NbAddress address, bool broadcast);
Result<std::vector<std::uint8_t>> name_overwrite_request(std::uint16_t id, const NetbiosName& name, std::uint32_t ttl,
                                                         NbAddress address, bool broadcast);
// opcode 8 (RFC table) or 9 (the alternate opcode Windows uses); anything else is refused.
Result<std::vector<std::uint8_t>> name_refresh_request(std::uint16_t id, const NetbiosName& name, std::uint32_t ttl,
                                                       NbAddress address, bool broadcast, std::uint8_t opcode = 8);
Result<std::vector<std::uint8_t>> multihomed_registration_request(std::uint16_t id, const NetbiosName& name,
                                                                  std::uint32_t ttl, NbAddress address);
Result<std::vector<std::uint8_t>> positive_name_registration_response(std::uint16_t id, const NetbiosName& name,
                                                                      std::uint32_t ttl, NbAddress address);
Result<std::vector<std::uint8_t>> negative_name_registration_response(std::uint16_t id, const NetbiosName& name,
                                                                      std::uint32_t ttl, NbAddress address,
                                                                      Rcode rcode);
Result<std::vector<std::uint8_t>> end_node_challenge_registration_response(std::uint16_t id, const NetbiosName& name,
                                                                           std::uint32_t ttl, NbAddress owner);
Result<std::vector<std::uint8_t>> name_conflict_demand(std::uint16_t id, const NetbiosName& name, NodeType ont);
Result<std::vector<std::uint8_t>> name_release_request(std::uint16_t id, const NetbiosName& name, NbAddress address,
                                                       bool broadcast);
Result<std::vector<std::uint8_t>> positive_name_release_response(std::uint16_t id, const NetbiosName& name,
                                                                 NbAddress address);
Result<std::vector<std::uint8_t>> negative_name_release_response(std::uint16_t id, const NetbiosName& name,
                                                                 NbAddress address, Rcode rcode);
// `request_flags` is the flags word of the request being acknowledged; ttl = seconds to wait.
Result<std::vector<std::uint8_t>> wack_response(std::uint16_t id, const NetbiosName& name, std::uint32_t ttl,
                                                std::uint16_t request_flags);
Result<std::vector<std::uint8_t>> node_status_request(std::uint16_t id, const NetbiosName& name, bool broadcast);
Result<std::vector<std::uint8_t>> node_status_response(std::uint16_t id, const NetbiosName& name,
                                                       std::span<const NodeName> names, const NodeStatistics& stats);
}  // namespace build

}  // namespace netseen::netbios
