// Event: the one normalised record that every packet and every firewall-log line becomes.
//
// Captures fill it through the decoders in this folder; log parsers (src/ingest) fill the
// same fields from text. Detectors see only Events, never raw bytes. An Event is a value
// that lives for one step of the pipeline: it owns nothing large and may point
// (`payload`) into the input buffer, valid only until the next record is read.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/ip_address.hpp"
#include "core/mac_address.hpp"
#include "core/time.hpp"
#include "decode/part.hpp"

namespace netseen::decode {

// Where an event came from: which input, and which frame (captures) or line (logs).
// 16 bytes, the number first; initialise by name: {.number = n, .input = i}.
struct Origin {
  std::uint64_t number = 0;  // frame number or line number, 1-based
  std::uint32_t input = 0;   // index into the run's list of inputs
  bool is_line = false;      // true for log lines
};

enum class Transport : std::uint8_t { None, Tcp, Udp, Icmp, Icmpv6, Other };
enum class Action : std::uint8_t { Unknown, Accept, Drop, Reject };  // from logs and pflog
enum class Direction : std::uint8_t { Unknown, Inbound, Outbound, Forward };

// Application protocol recognised on top of the transport.
enum class App : std::uint8_t { None, Dns, Nbns, Nbds, Nbss, Smb1, Smb2, Other };

const char* to_string(Transport t) noexcept;
const char* to_string(Action a) noexcept;
const char* to_string(Direction d) noexcept;
const char* to_string(App a) noexcept;

// TCP flag bits as on the wire (byte 13 of the header), plus ECE/CWR.
namespace tcpflag {
inline constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20,
                              kEce = 0x40, kCwr = 0x80;
}

// The original packet quoted inside an ICMP error (or in a netfilter log's brackets).
struct Quoted {
  IpAddress src, dst;
  std::uint8_t protocol = 0;   // IP protocol number
  std::uint16_t sport = 0, dport = 0;
  bool has_ports = false;      // the first 8 bytes of the transport header were present
  std::uint8_t ttl = 0;
  std::uint16_t ip_id = 0;
  std::uint16_t icmp_type_code = 0;  // when the quoted packet is itself ICMP: type<<8|code
};

struct Icmp {
  std::uint8_t type = 0, code = 0;
  std::uint16_t id = 0, seq = 0;      // echo / timestamp
  std::uint16_t mtu = 0;              // 3/4 next-hop MTU
  IpAddress gateway;                  // redirect
  std::optional<Quoted> quoted;
};

struct Dns {
  std::uint16_t id = 0;
  bool response = false;
  std::uint8_t opcode = 0, rcode = 0;
  std::uint16_t qtype = 0;
  std::string qname;                  // first question, dotted, escaped
  std::uint16_t answers = 0;
  std::vector<std::string> ptr_targets;  // PTR answers (bounded)
};

// The NetBIOS name as 16 raw bytes (15 visible + suffix) after first-level decoding.
struct NbName {
  std::array<std::uint8_t, 16> raw{};
  std::string scope;                  // dotted scope id, usually empty
  // The flags that came with the name, when the message carried them: NAME_FLAGS of a
  // node-status entry, or the NB_FLAGS of the address record that registers or answers
  // for it. Bit 0x8000 is G (group name), bits 13-14 the owner node type.
  std::uint16_t flags = 0;
  bool has_flags = false;
  [[nodiscard]] bool group() const noexcept { return (flags & 0x8000) != 0; }
  [[nodiscard]] std::uint8_t suffix() const noexcept { return raw[15]; }
};

// Name service summary: enough for every detector; the full message is in src/netbios.
struct Nbns {
  std::uint16_t id = 0;
  bool response = false;
  std::uint8_t opcode = 0;            // RFC 1002: 0 query, 5 registration, 6 release, 7 WACK, 8/9 refresh, 15 multi-homed
  std::uint8_t nm_flags = 0;          // AA TC RD RA 0 0 B, as the 7 bits on the wire
  std::uint8_t rcode = 0;
  std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  std::optional<NbName> question;
  std::uint16_t qtype = 0;            // 0x0020 NB, 0x0021 NBSTAT
  std::vector<IpAddress> nb_addresses;        // from NB answers / additional records
  std::vector<NbName> node_status_names;      // from NBSTAT answers (bounded)
  std::optional<MacAddress> unit_id;          // NBSTAT statistics unit id
  [[nodiscard]] bool broadcast() const noexcept { return (nm_flags & 0x01) != 0; }
};

struct Nbds {
  std::uint8_t msg_type = 0;          // 0x10..0x16
  std::optional<NbName> source_name, destination_name;
  std::string mailslot;               // "\MAILSLOT\BROWSE" when the payload is SMB trans
  std::uint8_t browser_opcode = 0;    // browser protocol command, 0 if none
  std::string server_name;            // from host announcements
};

struct Nbss {
  std::uint8_t type = 0;              // 0x00 message, 0x81 request, 0x82 positive, 0x83 negative, 0x84 retarget, 0x85 keep-alive
  std::optional<NbName> called, calling;
  std::uint8_t error_code = 0;
};

struct Smb {
  std::uint8_t version = 0;           // 1 or 2
  std::uint16_t command = 0;
  std::uint32_t status = 0;
  bool response = false;
};

// A named oddity found while decoding: the packet still decoded.
struct Anomaly {
  std::string id;                     // stable snake_case id, e.g. "ip_bad_checksum"
  std::string detail;
};

// Field order is part of the design: what nearly every packet sets and nearly every detector
// reads comes first and fits in three cache lines (checked by a static_assert in
// dispatch.cpp), the protocol parts are pointers (Part<T>), and what only some log
// dialects fill (interface and rule names) and the anomaly list come last. In the threaded
// pipeline an Event is written on one core and read on others; each line it touches crosses
// between them.
struct Event {
  // Record
  Origin origin;
  Timestamp ts;
  std::uint32_t count = 1;            // aggregated log records (ASA hit-cnt, IOS "N packets")
  std::uint32_t wire_len = 0;         // frame length on the wire (0 for logs)

  // Network
  IpAddress src, dst;
  std::uint8_t ip_version = 0;        // 0 = no IP layer (ARP, …)
  std::uint8_t protocol = 0;          // IP protocol number
  std::uint8_t ttl = 0;               // TTL / hop limit
  bool has_ttl = false;
  bool has_ip_id = false;
  bool ip_id_from_log = false;        // logged as a decimal by a firewall (byte-order question)
  bool fragment = false;              // MF set or offset != 0
  bool later_fragment = false;        // offset != 0: no transport header here
  bool dont_fragment = false;
  std::uint16_t ip_id = 0;
  std::uint32_t ip_len = 0;           // total length as declared

  // Transport
  Transport transport = Transport::None;
  std::uint8_t tcp_flags = 0;
  std::uint16_t sport = 0, dport = 0;
  std::uint16_t tcp_window = 0;
  std::uint32_t tcp_seq = 0, tcp_ack = 0;
  std::uint32_t payload_len = 0;      // application bytes declared by the transport

  // Application
  App app = App::None;
  // Firewall context (logs, pflog)
  Action action = Action::Unknown;
  Direction direction = Direction::Unknown;

  // Link
  std::uint16_t vlan = 0;
  std::uint16_t ethertype = 0;        // network-layer protocol as an EtherType (0x0800, 0x86dd, 0x0806, …); 0 unknown
  std::optional<MacAddress> src_mac, dst_mac;

  // Protocol parts (see part.hpp)
  Part<Icmp> icmp;
  Part<Dns> dns;
  Part<Nbns> nbns;
  Part<Nbds> nbds;
  Part<Nbss> nbss;
  Part<Smb> smb;
  // The application bytes captured (UDP payload, TCP segment data), a view into the input
  // valid until its source reads the next record (a file reader's window slides, libpcap
  // reuses its buffer); lets a renderer re-parse in full detail. The merger and the threaded
  // pipeline (report/pipeline.cpp) keep it valid until the event has been used.
  std::span<const std::uint8_t> app_payload;

  // Cold: only some log dialects and pflog name interfaces and rules; anomalies are rare.
  std::string in_iface, out_iface;
  std::string rule;                   // rule number / name / log prefix
  std::vector<Anomaly> anomalies;
};

}  // namespace netseen::decode
