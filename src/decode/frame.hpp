// Whole-frame decoding: one captured frame (any supported link type) into one Event.
//
// decode_frame() walks the layers through the dispatch tables in dispatch.cpp; each
// protocol lives in its own file and gets exactly its declared bytes. Damage found on the
// way (bad checksums, lengths that disagree with what was captured, truncated headers)
// becomes a named Anomaly on the event; the frame is still an event. Only a frame whose
// link header cannot be read at all, or whose link type netseen does not know, is
// reported as skipped (with a static reason string).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "decode/event.hpp"

namespace netseen::decode {

// Link-layer header types (LINKTYPE_* as in pcap/pcapng files).
namespace linktype {
inline constexpr std::uint32_t kNull = 0;        // BSD loopback, AF in host byte order
inline constexpr std::uint32_t kEthernet = 1;
inline constexpr std::uint32_t kPpp = 9;
inline constexpr std::uint32_t kRawBsd12 = 12;   // DLT_RAW on most BSDs
inline constexpr std::uint32_t kRawBsd14 = 14;   // DLT_RAW on OpenBSD
inline constexpr std::uint32_t kPppHdlc = 50;
inline constexpr std::uint32_t kRaw = 101;
inline constexpr std::uint32_t kCiscoHdlc = 104;
inline constexpr std::uint32_t kFrameRelay = 107;
inline constexpr std::uint32_t kLoop = 108;      // OpenBSD loopback, AF in network byte order
inline constexpr std::uint32_t kLinuxSll = 113;
inline constexpr std::uint32_t kPflog = 117;
inline constexpr std::uint32_t kIpv4 = 228;
inline constexpr std::uint32_t kIpv6 = 229;
inline constexpr std::uint32_t kNflog = 239;
inline constexpr std::uint32_t kLinuxSll2 = 276;
}  // namespace linktype

// How far to decode: the analyzer pays only for what its detectors need.
enum class Depth : std::uint8_t {
  Link,         // MAC addresses, VLAN, link metadata (pflog/NFLOG action and rule)
  Network,      // + IP addresses, TTL, ID, fragments
  Transport,    // + ports, TCP flags, ICMP type/code and quoted packet
  Headers,      // + the 12-byte header of DNS and NBNS messages (id, flags, counts), nothing after it
  Application,  // + DNS names and records, NetBIOS name, datagram and session services, SMB header
};

namespace app_part {
constexpr std::uint8_t kDnsNames = 1;  // every DNS name (not only a PTR lookup's)
constexpr std::uint8_t kNbds = 2;      // NetBIOS datagrams: names, mailslot, browser
constexpr std::uint8_t kNbss = 4;      // NetBIOS sessions and SMB headers
constexpr std::uint8_t kAll = kDnsNames | kNbds | kNbss;
}  // namespace app_part

struct DecodeOptions {
  Depth depth = Depth::Application;
  bool verify_checksums = true;  // IPv4 header, TCP, UDP, ICMP, ICMPv6 (anomaly when wrong)
  // Which application summaries Application depth builds (app_part::). `decode` prints
  // them all; `analyze` asks only for what its detectors read (Engine::decode_options).
  // Without kDnsNames a DNS message keeps its header, qtype and answer count, and only a
  // PTR lookup (qtype 12) its question name and PTR answers: other names are walked (a bad
  // one is still an anomaly) but not copied, other answers not read. Without kNbds /
  // kNbss the udp/138 datagrams and tcp/139, 445 sessions are left as at Headers depth.
  std::uint8_t app_parts = app_part::kAll;
};

// Resets an Event to its default state, keeping the capacity of its anomaly list so that a
// reused Event costs no allocation per packet.
void reset_event(Event& ev);

// Heap buffers carried from one packet's Event to the next: the DNS name, the NBNS address
// and node-status lists and the NBDS mailslot name, which reset_event would otherwise free
// every packet (and the next packet allocate again). A reader that decodes packet after
// packet keeps one and passes it to both calls below; the Events are exactly those of the
// calls without it (only capacity moves, never content).
struct EventStorage {
  std::string dns_qname;
  std::vector<IpAddress> nb_addresses;
  std::vector<NbName> node_status_names;
  std::string mailslot;
};
// reset_event, first moving those buffers into `spare` for the next decode to reuse (inline:
// it runs for every packet, and most packets have none of these summaries).
inline void reset_event(Event& ev, EventStorage& spare) {
  auto keep = [](auto& spare_buffer, auto& used) {
    if (used.capacity() > spare_buffer.capacity()) spare_buffer = std::move(used);
  };
  if (ev.dns) keep(spare.dns_qname, ev.dns->qname);
  if (ev.nbns) {
    keep(spare.nb_addresses, ev.nbns->nb_addresses);
    keep(spare.node_status_names, ev.nbns->node_status_names);
  }
  if (ev.nbds) keep(spare.mailslot, ev.nbds->mailslot);
  reset_event(ev);
}

// Decodes `frame` (the captured bytes; `wire_len` is the length on the wire) of link type
// `link` into `ev`, which the caller has reset and given its origin and time stamp.
// Returns nullptr when the frame became an event, otherwise the reason it was skipped
// ("unsupported-linktype", "truncated-link").
const char* decode_frame(std::uint32_t link, Bytes frame, std::uint32_t wire_len, const DecodeOptions& options,
                         Event& ev);
// The same, reusing the buffers kept in `spare` (see EventStorage).
const char* decode_frame(std::uint32_t link, Bytes frame, std::uint32_t wire_len, const DecodeOptions& options,
                         Event& ev, EventStorage& spare);

// Name of a link type for diagnostics ("ethernet", "linux-sll", …, "linktype-147").
const char* linktype_name(std::uint32_t link) noexcept;

// "Tree Disconnect", "Echo", "Negotiate", … ("command 0x42" style names are left to callers:
// nullptr when unknown). version 1 = SMB1 command byte, 2 = SMB2 command.
const char* smb_command_name(std::uint8_t version, std::uint16_t command) noexcept;

// Adds an anomaly without duplicates.
void add_anomaly(Event& ev, const char* id, std::string detail = {});
[[nodiscard]] bool has_anomaly(const Event& ev, std::string_view id) noexcept;

}  // namespace netseen::decode
