// Internal to src/decode: the per-protocol decoders and the dispatch tables that connect
// them. Every decoder takes a ByteReader over exactly the bytes its layer was given
// (clamped to what was captured) and a Ctx; it fills the Event and hands its payload on
// through a dispatch function.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <utility>

#include "core/bytes.hpp"
#include "decode/event.hpp"
#include "decode/frame.hpp"

namespace netseen::decode::detail {

struct Ctx {
  Event& ev;
  const DecodeOptions& opt;
  // The IP pseudo-header of the innermost decoded IP layer (for TCP/UDP/ICMPv6 checksums).
  const std::uint8_t* pseudo_src = nullptr;
  const std::uint8_t* pseudo_dst = nullptr;
  std::uint8_t addr_len = 0;  // 4 or 16
  bool ip_complete = false;   // the whole IP payload was captured
  std::uint32_t ip_payload_declared = 0;
  unsigned nesting = 0;       // tunnels / VLAN tags walked, capped
  EventStorage* spare = nullptr;  // buffers to reuse for the summaries (may be null)
};

// Gives a freshly emplaced, empty container the buffer kept in `spare` (if it has one):
// capacity only, the container stays empty.
template <class C>
inline void reuse_buffer(C& fresh, C& spare) {
  if (spare.capacity() <= fresh.capacity()) return;
  fresh = std::move(spare);
  fresh.clear();
}

[[nodiscard]] inline bool want(const Ctx& c, Depth d) noexcept { return c.opt.depth >= d; }
// Application depth, and this summary (app_part::) asked for.
[[nodiscard]] inline bool want_app(const Ctx& c, std::uint8_t part) noexcept {
  return c.opt.depth >= Depth::Application && (c.opt.app_parts & part) != 0;
}

// Big-endian loads for the fixed-header fast paths: the caller has taken the header's bytes
// through one checked ByteReader::bytes(n) and reads fixed offsets below n.
[[nodiscard]] inline std::uint16_t load_be16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}
[[nodiscard]] inline std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  std::uint32_t v = 0;
  std::memcpy(&v, p, 4);  // one load (g++ does not merge the byte-wise form)
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
  return v;
}

// ---- dispatch tables (dispatch.cpp) ----
// Link types: nullptr on success, a skip reason otherwise.
const char* dispatch_link(std::uint32_t link, ByteReader r, Ctx& c);
// EtherType (also used by SLL, SLL2, NFLOG/pflog address families mapped to EtherTypes).
void dispatch_ethertype(std::uint16_t type, ByteReader r, Ctx& c);
// IP protocol number, after the network layer filled addresses.
void dispatch_ip_protocol(std::uint8_t proto, ByteReader r, Ctx& c);
// Application protocols by port and by content.
void dispatch_udp_payload(ByteReader r, Ctx& c);
void dispatch_tcp_payload(ByteReader r, Ctx& c);

// ---- link layers ----
const char* decode_ethernet(ByteReader r, Ctx& c);
void decode_vlan(ByteReader r, Ctx& c);  // after an 802.1Q/802.1ad EtherType
const char* decode_sll(ByteReader r, Ctx& c);
const char* decode_sll2(ByteReader r, Ctx& c);
const char* decode_null(ByteReader r, Ctx& c, bool network_order);
const char* decode_raw(ByteReader r, Ctx& c);
const char* decode_nflog(ByteReader r, Ctx& c);
const char* decode_pflog(ByteReader r, Ctx& c);
const char* decode_ppp(ByteReader r, Ctx& c);
const char* decode_chdlc(ByteReader r, Ctx& c);
const char* decode_frame_relay(ByteReader r, Ctx& c);
void decode_mpls(ByteReader r, Ctx& c);
void decode_pppoe(ByteReader r, Ctx& c);

// ---- network / transport ----
void decode_ipv4(ByteReader r, Ctx& c);
void decode_ipv6(ByteReader r, Ctx& c);
void decode_arp(ByteReader r, Ctx& c);
void decode_udp(ByteReader r, Ctx& c);
void decode_tcp(ByteReader r, Ctx& c);
void decode_icmp(ByteReader r, Ctx& c);
void decode_icmpv6(ByteReader r, Ctx& c);

// ---- application ----
// DNS message (UDP payload, or TCP payload after its 2-byte length).
void decode_dns(ByteReader r, Ctx& c);
// True when the payload has the shape of an NBNS message (RFC 1002 §4.2: a 32-character
// first-level-encoded question name, NB or NBSTAT question), whatever the port.
[[nodiscard]] bool looks_like_nbns(Bytes payload) noexcept;
void decode_nbns(ByteReader r, Ctx& c);
// The reference path decode_nbns falls back to: parse_nbns in full, then summarise. Both
// give the same Event (tests compare them on built and mutated messages).
void decode_nbns_full(ByteReader r, Ctx& c);
void decode_nbds(ByteReader r, Ctx& c);
// The reference path of decode_nbds (parse_nbds_view), taken for anything but a clean data
// datagram; both give the same Event (tested on built and mutated datagrams).
void decode_nbds_full(ByteReader r, Ctx& c);
// NBSS framing on 139 (and the same 4-byte framing of direct-hosted SMB on 445).
void decode_nbss(ByteReader r, Ctx& c, bool direct_smb);
// The fixed SMB1 / SMB2 header at the start of a session message. False when not SMB.
bool decode_smb(ByteReader r, Ctx& c);

// ---- checksums (checksum.cpp) ----
// One's-complement sum of the bytes (odd length padded with zero), not folded.
std::uint32_t sum16(Bytes b, std::uint32_t start = 0) noexcept;
[[nodiscard]] std::uint16_t fold(std::uint32_t sum) noexcept;
// The pseudo-header sum for a transport checksum over `len` bytes of protocol `proto`.
std::uint32_t pseudo_sum(const Ctx& c, std::uint8_t proto, std::uint32_t len) noexcept;

}  // namespace netseen::decode::detail
