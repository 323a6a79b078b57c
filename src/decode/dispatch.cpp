// The dispatch tables: which decoder handles which link type, EtherType, IP protocol and
// port. Adding a protocol means adding its file and one row here.
#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "decode/frame.hpp"
#include "decode/layers.hpp"

namespace netseen::decode {

namespace detail {

namespace {

using LinkFn = const char* (*)(ByteReader, Ctx&);

const char* link_null(ByteReader r, Ctx& c) { return decode_null(r, c, false); }
const char* link_loop(ByteReader r, Ctx& c) { return decode_null(r, c, true); }

struct LinkRow {
  std::uint32_t link;
  const char* name;
  LinkFn fn;
};

constexpr std::array<LinkRow, 16> kLinkTable{{
    {linktype::kNull, "null", link_null},
    {linktype::kEthernet, "ethernet", decode_ethernet},
    {linktype::kPpp, "ppp", decode_ppp},
    {linktype::kPppHdlc, "ppp-hdlc", decode_ppp},
    {linktype::kCiscoHdlc, "cisco-hdlc", decode_chdlc},
    {linktype::kFrameRelay, "frame-relay", decode_frame_relay},
    {linktype::kRawBsd12, "raw", decode_raw},
    {linktype::kRawBsd14, "raw", decode_raw},
    {linktype::kRaw, "raw", decode_raw},
    {linktype::kLoop, "loop", link_loop},
    {linktype::kLinuxSll, "linux-sll", decode_sll},
    {linktype::kPflog, "pflog", decode_pflog},
    {linktype::kIpv4, "ipv4", decode_raw},
    {linktype::kIpv6, "ipv6", decode_raw},
    {linktype::kNflog, "nflog", decode_nflog},
    {linktype::kLinuxSll2, "linux-sll2", decode_sll2},
}};

using NetFn = void (*)(ByteReader, Ctx&);
struct EtherRow {
  std::uint16_t type;
  NetFn fn;
};
constexpr std::array<EtherRow, 9> kEtherTable{{
    {0x0800, decode_ipv4},
    {0x86DD, decode_ipv6},
    {0x0806, decode_arp},
    {0x8100, decode_vlan},  // 802.1Q
    {0x88A8, decode_vlan},  // 802.1ad (QinQ outer tag)
    {0x9100, decode_vlan},  // pre-standard QinQ
    {0x8847, decode_mpls},  // MPLS unicast
    {0x8848, decode_mpls},  // MPLS multicast
    {0x8864, decode_pppoe}, // PPPoE session
}};

struct ProtoRow {
  std::uint8_t proto;
  Transport transport;
  NetFn fn;
};
constexpr std::array<ProtoRow, 4> kProtoTable{{
    {6, Transport::Tcp, decode_tcp},
    {17, Transport::Udp, decode_udp},
    {1, Transport::Icmp, decode_icmp},
    {58, Transport::Icmpv6, decode_icmpv6},
}};

// Application protocols by well-known port. Content checks come first where a port is
// shared (an NBNS message sent to 53 is NBNS).
enum class UdpApp : std::uint8_t { Dns, Nbns, Nbds };
struct UdpRow {
  std::uint16_t port;
  UdpApp app;
};
constexpr std::array<UdpRow, 5> kUdpTable{{
    {53, UdpApp::Dns},
    {5353, UdpApp::Dns},
    {5355, UdpApp::Dns},  // LLMNR has the DNS message format
    {137, UdpApp::Nbns},
    {138, UdpApp::Nbds},
}};

enum class TcpApp : std::uint8_t { Dns, Nbss, DirectSmb };
struct TcpRow {
  std::uint16_t port;
  TcpApp app;
};
constexpr std::array<TcpRow, 3> kTcpTable{{
    {53, TcpApp::Dns},
    {139, TcpApp::Nbss},
    {445, TcpApp::DirectSmb},
}};

template <class Table, class Key>
auto find_row(const Table& t, Key k) -> const typename Table::value_type* {
  for (const auto& row : t) {
    if (row.port == k) return &row;
  }
  return nullptr;
}

void run_udp_app(UdpApp app, ByteReader r, Ctx& c) {
  switch (app) {
    case UdpApp::Dns: decode_dns(r, c); return;
    case UdpApp::Nbns: decode_nbns(r, c); return;
    case UdpApp::Nbds: decode_nbds(r, c); return;
  }
}

}  // namespace

const char* dispatch_link(std::uint32_t link, ByteReader r, Ctx& c) {
  for (const auto& row : kLinkTable) {
    if (row.link == link) return row.fn(r, c);
  }
  return "unsupported-linktype";
}

void dispatch_ethertype(std::uint16_t type, ByteReader r, Ctx& c) {
  c.ev.ethertype = type;
  if (!want(c, Depth::Network)) return;
  for (const auto& row : kEtherTable) {
    if (row.type == type) {
      row.fn(r, c);
      return;
    }
  }
  // Anything else stays an event without an IP layer (ip_version 0).
}

void dispatch_ip_protocol(std::uint8_t proto, ByteReader r, Ctx& c) {
  if (!want(c, Depth::Transport)) return;
  for (const auto& row : kProtoTable) {
    if (row.proto == proto) {
      c.ev.transport = row.transport;
      row.fn(r, c);
      return;
    }
  }
  c.ev.transport = Transport::Other;
}

void dispatch_udp_payload(ByteReader r, Ctx& c) {
  if (!want(c, Depth::Headers) || r.empty()) return;
  const Event& ev = c.ev;
  // By content first: NBNS-shaped messages are NBNS whatever the port.
  const bool nbns_port = ev.sport == 137 || ev.dport == 137;
  if (!nbns_port && looks_like_nbns(r.rest())) {
    add_anomaly(c.ev, "nbns_on_unusual_port");
    decode_nbns(r, c);
    return;
  }
  // The lower port is the service in almost every exchange; try destination, then source.
  const UdpRow* row = find_row(kUdpTable, ev.dport);
  if (row == nullptr) row = find_row(kUdpTable, ev.sport);
  if (row != nullptr) run_udp_app(row->app, r, c);
}

void dispatch_tcp_payload(ByteReader r, Ctx& c) {
  if (!want(c, Depth::Headers) || r.empty()) return;
  const Event& ev = c.ev;
  const TcpRow* row = find_row(kTcpTable, ev.dport);
  if (row == nullptr) row = find_row(kTcpTable, ev.sport);
  if (row == nullptr) return;
  switch (row->app) {
    case TcpApp::Dns: {
      // DNS over TCP: a 2-byte length, then the message (only when it starts here).
      auto len = r.u16be();
      if (!len || *len < 12) return;
      decode_dns(r.sub_clamped(*len), c);
      return;
    }
    case TcpApp::Nbss: decode_nbss(r, c, false); return;
    case TcpApp::DirectSmb: decode_nbss(r, c, true); return;
  }
}

}  // namespace detail

// Field by field: assigning a fresh Event{} costs a construction and a member-wise move per
// packet; this writes only the first three cache lines (the hot fields and the parts' flags)
// and looks at the cold strings and list without writing them when they are already empty.
// The size check makes a new Event field impossible to forget here (add it below, then
// update the size); the offset check keeps the hot fields within three lines.
static_assert(sizeof(Event) == 312, "Event changed: reset the new field in reset_event(), then update this size");
static_assert(offsetof(Event, in_iface) <= 192, "Event's hot fields no longer fit in three cache lines");
void reset_event(Event& ev) {
  ev.origin = Origin{};
  ev.ts = Timestamp{};
  ev.count = 1;
  ev.wire_len = 0;
  ev.src = IpAddress{};
  ev.dst = IpAddress{};
  ev.ip_version = 0;
  ev.protocol = 0;
  ev.ttl = 0;
  ev.has_ttl = false;
  ev.has_ip_id = false;
  ev.ip_id_from_log = false;
  ev.fragment = ev.later_fragment = ev.dont_fragment = false;
  ev.ip_id = 0;
  ev.ip_len = 0;
  ev.transport = Transport::None;
  ev.tcp_flags = 0;
  ev.sport = ev.dport = 0;
  ev.tcp_window = 0;
  ev.tcp_seq = ev.tcp_ack = 0;
  ev.payload_len = 0;
  ev.app = App::None;
  ev.action = Action::Unknown;
  ev.direction = Direction::Unknown;
  ev.vlan = 0;
  ev.ethertype = 0;
  ev.src_mac.reset();
  ev.dst_mac.reset();
  ev.icmp.reset();
  ev.dns.reset();
  ev.nbns.reset();
  ev.nbds.reset();
  ev.nbss.reset();
  ev.smb.reset();
  ev.app_payload = {};
  if (!ev.in_iface.empty()) ev.in_iface.clear();
  if (!ev.out_iface.empty()) ev.out_iface.clear();
  if (!ev.rule.empty()) ev.rule.clear();
  if (!ev.anomalies.empty()) ev.anomalies.clear();  // keeps its capacity: no allocation per packet
}

void add_anomaly(Event& ev, const char* id, std::string detail) {
  for (auto& a : ev.anomalies) {
    if (a.id == id) return;
  }
  ev.anomalies.push_back(Anomaly{id, std::move(detail)});
}

bool has_anomaly(const Event& ev, std::string_view id) noexcept {
  return std::any_of(ev.anomalies.begin(), ev.anomalies.end(), [&](const Anomaly& a) { return a.id == id; });
}

const char* linktype_name(std::uint32_t link) noexcept {
  for (const auto& row : detail::kLinkTable) {
    if (row.link == link) return row.name;
  }
  return "unknown";
}

const char* decode_frame(std::uint32_t link, Bytes frame, std::uint32_t wire_len, const DecodeOptions& options,
                         Event& ev) {
  ev.wire_len = wire_len;
  if (wire_len > frame.size()) {
    add_anomaly(ev, "snaplen_cut");
  }
  detail::Ctx c{ev, options};
  return detail::dispatch_link(link, ByteReader(frame), c);
}

const char* decode_frame(std::uint32_t link, Bytes frame, std::uint32_t wire_len, const DecodeOptions& options,
                         Event& ev, EventStorage& spare) {
  ev.wire_len = wire_len;
  if (wire_len > frame.size()) {
    add_anomaly(ev, "snaplen_cut");
  }
  detail::Ctx c{ev, options};
  c.spare = &spare;
  return detail::dispatch_link(link, ByteReader(frame), c);
}

}  // namespace netseen::decode
