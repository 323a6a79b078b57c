// The same traffic as a capture and as a netfilter log gives the same events: a generated
// pcap is read by the capture source, each decoded event is rendered as the LOG line the
// kernel would write for it, and that line read back by the log source must agree field by field.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "ingest/capture_source.hpp"
#include "ingest/input_buffer.hpp"
#include "ingest/log_source.hpp"

namespace netseen::ingest {
namespace {

using decode::Event;
using decode::Transport;

constexpr std::uint32_t kBaseTs = 1710189311;  // 2024-03-11T20:35:11Z

std::uint16_t ip_checksum(const std::vector<std::uint8_t>& b, std::size_t from, std::size_t len) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < len; i += 2) sum += static_cast<std::uint32_t>((b[from + i] << 8) | b[from + i + 1]);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// An IPv4 header + payload; returns the packet bytes.
std::vector<std::uint8_t> ipv4(std::uint8_t proto, std::uint16_t id, std::uint8_t ttl, bool df, std::uint32_t src,
                               std::uint32_t dst, const std::vector<std::uint8_t>& payload) {
  ByteWriter w;
  w.u8(0x45);
  w.u8(0);
  w.u16be(static_cast<std::uint16_t>(20 + payload.size()));
  w.u16be(id);
  w.u16be(df ? 0x4000 : 0);
  w.u8(ttl);
  w.u8(proto);
  w.u16be(0);
  w.u32be(src);
  w.u32be(dst);
  auto v = w.take();
  const auto sum = ip_checksum(v, 0, 20);
  v[10] = static_cast<std::uint8_t>(sum >> 8);
  v[11] = static_cast<std::uint8_t>(sum);
  v.insert(v.end(), payload.begin(), payload.end());
  return v;
}

std::vector<std::uint8_t> ethernet(const std::vector<std::uint8_t>& ip) {
  ByteWriter w;
  for (int b : {0x23, 0x87, 0xfc, 0xc6, 0x24, 0x58, 0x00, 0x21, 0x3f, 0x98, 0x99, 0x78}) w.u8(static_cast<std::uint8_t>(b));
  w.u16be(0x0800);
  w.bytes(Bytes(ip.data(), ip.size()));
  return w.take();
}

std::vector<std::uint8_t> make_pcap() {
  const std::uint32_t scanner = 0xC0A80A37;  // 192.168.10.55
  const std::uint32_t host = 0xC0A80A01;     // 192.168.10.1
  std::vector<std::vector<std::uint8_t>> frames;
  {  // TCP SYN with an MSS option
    ByteWriter t;
    t.u16be(56247);
    t.u16be(1025);
    t.u32be(123456789);
    t.u32be(0);
    t.u8(0x60);
    t.u8(0x02);
    t.u16be(3072);
    t.u16be(0);
    t.u16be(0);
    t.u32be(0x020405B4);
    frames.push_back(ethernet(ipv4(6, 15270, 53, false, scanner, host, t.take())));
  }
  {  // UDP 137 → 137 with a 50-byte payload
    ByteWriter u;
    u.u16be(137);
    u.u16be(137);
    u.u16be(58);
    u.u16be(0);
    u.fill(50, 0x41);
    frames.push_back(ethernet(ipv4(17, 4000, 113, true, scanner, host, u.take())));
  }
  {  // ICMP echo request
    ByteWriter i;
    i.u8(8);
    i.u8(0);
    i.u16be(0);
    i.u16be(2158);
    i.u16be(512);
    frames.push_back(ethernet(ipv4(1, 18443, 64, false, scanner, host, i.take())));
  }
  {  // ICMP port unreachable quoting a UDP traceroute probe
    ByteWriter q;
    q.u16be(35080);
    q.u16be(33434);
    q.u16be(48);
    q.u16be(0);
    auto quoted = ipv4(17, 22458, 1, false, host, scanner, q.take());
    quoted.resize(28);
    ByteWriter i;
    i.u8(3);
    i.u8(3);
    i.u16be(0);
    i.u32be(0);
    i.bytes(Bytes(quoted.data(), quoted.size()));
    frames.push_back(ethernet(ipv4(1, 63642, 254, false, 0x0A00008A, scanner, i.take())));
  }
  ByteWriter p;
  p.u32le(0xa1b2c3d4);
  p.u16le(2);
  p.u16le(4);
  p.u32le(0);
  p.u32le(0);
  p.u32le(65535);
  p.u32le(1);
  std::uint32_t n = 0;
  for (const auto& f : frames) {
    p.u32le(kBaseTs + n++);
    p.u32le(0);
    p.u32le(static_cast<std::uint32_t>(f.size()));
    p.u32le(static_cast<std::uint32_t>(f.size()));
    p.bytes(Bytes(f.data(), f.size()));
  }
  return p.take();
}

// What nf_log_syslog would print for this packet (with --log-tcp-sequence --log-tcp-options).
std::string render_log_line(const Event& e) {
  const CivilTime c = civil_from_timestamp(e.ts);
  static constexpr const char* kMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string s = fmt::format("{} {:2} {:02}:{:02}:{:02} fw kernel: DROP IN=eth0 OUT= ", kMon[c.month - 1], c.day,
                              c.hour, c.minute, c.second);
  if (e.dst_mac && e.src_mac) s += fmt::format("MAC={}:{}:08:00 ", e.dst_mac->to_string(), e.src_mac->to_string());
  s += fmt::format("SRC={} DST={} LEN={} TOS=0x00 PREC=0x00 TTL={} ID={} {}", e.src.to_string(), e.dst.to_string(),
                   e.ip_len, e.ttl, e.ip_id, e.dont_fragment ? "DF " : "");
  namespace tf = decode::tcpflag;
  switch (e.transport) {
    case Transport::Tcp: {
      s += fmt::format("PROTO=TCP SPT={} DPT={} SEQ={} ACK={} WINDOW={} RES=0x00 ", e.sport, e.dport, e.tcp_seq,
                       e.tcp_ack, e.tcp_window);
      for (auto [bit, name] : {std::pair{tf::kCwr, "CWR"}, {tf::kEce, "ECE"}, {tf::kUrg, "URG"}, {tf::kAck, "ACK"},
                               {tf::kPsh, "PSH"}, {tf::kRst, "RST"}, {tf::kSyn, "SYN"}, {tf::kFin, "FIN"}}) {
        if ((e.tcp_flags & bit) != 0) s += fmt::format("{} ", name);
      }
      s += "URGP=0 OPT (020405B4) ";
      break;
    }
    case Transport::Udp:
      s += fmt::format("PROTO=UDP SPT={} DPT={} LEN={} ", e.sport, e.dport, e.payload_len + 8);
      break;
    case Transport::Icmp:
      s += fmt::format("PROTO=ICMP TYPE={} CODE={} ", e.icmp->type, e.icmp->code);
      if (e.icmp->type == 8 || e.icmp->type == 0) s += fmt::format("ID={} SEQ={} ", e.icmp->id, e.icmp->seq);
      if (e.icmp->quoted) {
        const auto& q = *e.icmp->quoted;
        s += fmt::format("[SRC={} DST={} LEN=48 TOS=0x00 PREC=0x00 TTL={} ID={} PROTO=UDP SPT={} DPT={} LEN=28 ] ",
                         q.src.to_string(), q.dst.to_string(), q.ttl, q.ip_id, q.sport, q.dport);
      }
      break;
    default:
      s += fmt::format("PROTO={} ", e.protocol);
  }
  return s;
}

TEST(LogCaptureEquivalence, NetfilterLinesGiveTheCaptureEvents) {
  auto pcap = make_pcap();
  ASSERT_TRUE(looks_like_capture(Bytes(pcap.data(), pcap.size())));
  OpenOptions o;
  o.year = 2024;
  auto cap = make_capture_source(buffer_from_bytes(pcap), "gen.pcap", o);
  std::vector<Event> from_capture;
  Event ev;
  while (cap->next(ev)) from_capture.push_back(ev);
  ASSERT_EQ(from_capture.size(), 4u) << "capture errors: " << cap->stats().error_count;

  std::string log;
  for (const auto& e : from_capture) log += render_log_line(e) + "\n";
  std::vector<std::uint8_t> bytes(log.begin(), log.end());
  auto src = make_log_source(buffer_from_bytes(std::move(bytes)), "gen.log", o);
  std::vector<Event> from_log;
  while (src->next(ev)) from_log.push_back(ev);
  ASSERT_EQ(src->stats().error_count, 0u) << src->stats().errors[0].what << "\n" << log;
  ASSERT_EQ(from_log.size(), from_capture.size()) << log;

  for (std::size_t i = 0; i < from_log.size(); ++i) {
    const Event& c = from_capture[i];
    const Event& l = from_log[i];
    SCOPED_TRACE(render_log_line(c));
    EXPECT_EQ(l.ts, c.ts);
    EXPECT_EQ(l.src, c.src);
    EXPECT_EQ(l.dst, c.dst);
    EXPECT_EQ(l.src_mac, c.src_mac);
    EXPECT_EQ(l.dst_mac, c.dst_mac);
    EXPECT_EQ(l.ip_version, c.ip_version);
    EXPECT_EQ(l.protocol, c.protocol);
    EXPECT_EQ(l.transport, c.transport);
    EXPECT_EQ(l.ttl, c.ttl);
    EXPECT_EQ(l.ip_id, c.ip_id);
    EXPECT_EQ(l.ip_len, c.ip_len);
    EXPECT_EQ(l.dont_fragment, c.dont_fragment);
    EXPECT_EQ(l.sport, c.sport);
    EXPECT_EQ(l.dport, c.dport);
    EXPECT_EQ(l.tcp_flags, c.tcp_flags);
    EXPECT_EQ(l.tcp_seq, c.tcp_seq);
    EXPECT_EQ(l.tcp_window, c.tcp_window);
    EXPECT_EQ(l.payload_len, c.payload_len);
    EXPECT_TRUE(l.ip_id_from_log);
    ASSERT_EQ(l.icmp.has_value(), c.icmp.has_value());
    if (c.icmp) {
      EXPECT_EQ(l.icmp->type, c.icmp->type);
      EXPECT_EQ(l.icmp->code, c.icmp->code);
      EXPECT_EQ(l.icmp->id, c.icmp->id);
      EXPECT_EQ(l.icmp->seq, c.icmp->seq);
      ASSERT_EQ(l.icmp->quoted.has_value(), c.icmp->quoted.has_value());
      if (c.icmp->quoted) {
        EXPECT_EQ(l.icmp->quoted->src, c.icmp->quoted->src);
        EXPECT_EQ(l.icmp->quoted->dst, c.icmp->quoted->dst);
        EXPECT_EQ(l.icmp->quoted->protocol, c.icmp->quoted->protocol);
        EXPECT_EQ(l.icmp->quoted->sport, c.icmp->quoted->sport);
        EXPECT_EQ(l.icmp->quoted->dport, c.icmp->quoted->dport);
        EXPECT_EQ(l.icmp->quoted->ttl, c.icmp->quoted->ttl);
        EXPECT_EQ(l.icmp->quoted->ip_id, c.icmp->quoted->ip_id);
      }
    }
  }
  // And the generated values made it through both paths.
  EXPECT_EQ(from_log[0].tcp_flags, decode::tcpflag::kSyn);
  EXPECT_EQ(from_log[1].payload_len, 50u);
  ASSERT_TRUE(from_log[3].icmp && from_log[3].icmp->quoted);
  EXPECT_EQ(from_log[3].icmp->quoted->dport, 33434);
}

}  // namespace
}  // namespace netseen::ingest
