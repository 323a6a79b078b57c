#include <gtest/gtest.h>

#include "decode/frame.hpp"
#include "frame_builder.hpp"

namespace netseen::decode {
namespace {

using namespace netseen::testing;  // NOLINT(google-build-using-namespace)

const V4 kA{192, 168, 1, 10};
const V4 kB{10, 0, 0, 53};

Event decode(std::uint32_t link, const Buf& frame, DecodeOptions opt = {}, std::uint32_t wire = 0) {
  Event ev;
  const char* skip = decode_frame(link, Bytes(frame), wire != 0 ? wire : static_cast<std::uint32_t>(frame.size()),
                                  opt, ev);
  EXPECT_EQ(skip, nullptr) << skip;
  return ev;
}

TEST(DecodeFrame, EthernetIpv4UdpDnsQuery) {
  const Buf f = ethernet(0x0800, ipv4(kA, kB, 17, udp(kA, kB, 40000, 53, dns(0xBEEF, false, "www.example.org", 1))));
  const Event ev = decode(linktype::kEthernet, f);
  ASSERT_TRUE(ev.src_mac);
  EXPECT_EQ(ev.src_mac->to_string(), "00:0c:29:01:02:03");
  EXPECT_TRUE(ev.dst_mac->is_broadcast());
  EXPECT_EQ(ev.ethertype, 0x0800);
  EXPECT_EQ(ev.ip_version, 4);
  EXPECT_EQ(ev.src.to_string(), "192.168.1.10");
  EXPECT_EQ(ev.dst.to_string(), "10.0.0.53");
  EXPECT_EQ(ev.protocol, 17);
  EXPECT_EQ(ev.ttl, 64);
  EXPECT_EQ(ev.ip_id, 0x1234);
  EXPECT_EQ(ev.transport, Transport::Udp);
  EXPECT_EQ(ev.sport, 40000);
  EXPECT_EQ(ev.dport, 53);
  EXPECT_EQ(ev.app, App::Dns);
  ASSERT_TRUE(ev.dns);
  EXPECT_EQ(ev.dns->id, 0xBEEF);
  EXPECT_FALSE(ev.dns->response);
  EXPECT_EQ(ev.dns->qname, "www.example.org");
  EXPECT_EQ(ev.dns->qtype, 1);
  EXPECT_TRUE(ev.anomalies.empty()) << ev.anomalies.front().id;
}

TEST(DecodeFrame, DnsPtrResponseWithCompressionAndNxdomain) {
  const Buf f = ethernet(
      0x0800, ipv4(kB, kA, 17, udp(kB, kA, 53, 40000, dns(7, true, "10.1.168.192.in-addr.arpa", 12, 0, "host.lan"))));
  const Event ev = decode(linktype::kEthernet, f);
  ASSERT_TRUE(ev.dns);
  EXPECT_TRUE(ev.dns->response);
  EXPECT_EQ(ev.dns->answers, 1);
  ASSERT_EQ(ev.dns->ptr_targets.size(), 1U);
  EXPECT_EQ(ev.dns->ptr_targets[0], "host.lan");
  const Buf nx = ethernet(0x0800, ipv4(kB, kA, 17, udp(kB, kA, 53, 40000, dns(8, true, "nope.example", 1, 3))));
  EXPECT_EQ(decode(linktype::kEthernet, nx).dns->rcode, 3);
}

// analyze decodes DNS without app_part::kDnsNames: PTR lookups keep their question name and
// answers, other messages keep every header field and qtype but no names; a bad name is
// still an anomaly.
TEST(DecodeFrame, DnsNamesOffKeepsWhatReverseLookupsNeed) {
  const DecodeOptions lean{.app_parts = 0};
  auto frame = [](const Buf& msg) { return ethernet(0x0800, ipv4(kB, kA, 17, udp(kB, kA, 53, 40000, msg))); };

  const Event a = decode(linktype::kEthernet, frame(dns(0xBEEF, true, "www.example.org", 1, 0, "x.example")), lean);
  ASSERT_TRUE(a.dns);
  EXPECT_EQ(a.dns->id, 0xBEEF);
  EXPECT_TRUE(a.dns->response);
  EXPECT_EQ(a.dns->qtype, 1);
  EXPECT_EQ(a.dns->answers, 1);
  EXPECT_TRUE(a.dns->qname.empty());
  EXPECT_TRUE(a.dns->ptr_targets.empty()) << "the answers of an A query are not read";
  EXPECT_TRUE(a.anomalies.empty());

  const Buf ptr = frame(dns(7, true, "10.1.168.192.in-addr.arpa", 12, 0, "host.lan"));
  const Event p = decode(linktype::kEthernet, ptr, lean);
  const Event full = decode(linktype::kEthernet, ptr);
  ASSERT_TRUE(p.dns && full.dns);
  EXPECT_EQ(p.dns->qname, "10.1.168.192.in-addr.arpa");
  EXPECT_EQ(p.dns->qname, full.dns->qname);
  EXPECT_EQ(p.dns->ptr_targets, full.dns->ptr_targets);
  EXPECT_EQ(p.dns->rcode, full.dns->rcode);

  Buf loop = dns(1, false, "a", 1);
  loop[12] = 0xC0;  // the question name points at itself
  loop[13] = 12;
  EXPECT_TRUE(has_anomaly(decode(linktype::kEthernet, frame(loop), lean), "dns_bad_name"));
}

TEST(DecodeFrame, DnsCompressionLoopIsAnAnomalyNotAHang) {
  Buf msg = dns(1, true, "a", 1);
  // Question name replaced by a pointer to itself.
  msg[12] = 0xC0;
  msg[13] = 12;
  const Buf f = ethernet(0x0800, ipv4(kB, kA, 17, udp(kB, kA, 53, 1000, msg)));
  const Event ev = decode(linktype::kEthernet, f);
  EXPECT_TRUE(has_anomaly(ev, "dns_bad_name"));
}

TEST(DecodeFrame, QinQTagsKeepOuterVlanAndReachIp) {
  const Buf ip = ipv4(kA, kB, 6, tcp(kA, kB, 1025, 139, tcpflag::kSyn));
  const Buf inner = vlan_tag(20, 0x0800, ip);
  const Buf outer = vlan_tag(0x2000 | 10, 0x8100, inner);  // PCP bits set: id stays 10
  const Event ev = decode(linktype::kEthernet, ethernet(0x88A8, outer));
  EXPECT_EQ(ev.vlan, 10);
  EXPECT_EQ(ev.ip_version, 4);
  EXPECT_EQ(ev.transport, Transport::Tcp);
  EXPECT_EQ(ev.tcp_flags, tcpflag::kSyn);
  EXPECT_EQ(ev.dport, 139);
  EXPECT_EQ(ev.tcp_seq, 1000U);
  EXPECT_TRUE(ev.anomalies.empty());
}

TEST(DecodeFrame, BadChecksumsAreAnomaliesNeverDrops) {
  Ip4Opts o;
  o.bad_checksum = true;
  const Buf f = ethernet(0x0800, ipv4(kA, kB, 17, udp(kA, kB, 1, 2, Buf{1, 2, 3}, true), o));
  const Event ev = decode(linktype::kEthernet, f);
  EXPECT_TRUE(has_anomaly(ev, "ip_bad_checksum"));
  EXPECT_TRUE(has_anomaly(ev, "udp_bad_checksum"));
  EXPECT_EQ(ev.dport, 2);
  const Buf t = ethernet(0x0800, ipv4(kA, kB, 6, tcp(kA, kB, 5, 80, tcpflag::kAck, Buf{9, 9}, 1, true)));
  EXPECT_TRUE(has_anomaly(decode(linktype::kEthernet, t), "tcp_bad_checksum"));
  DecodeOptions quiet;
  quiet.verify_checksums = false;
  EXPECT_TRUE(decode(linktype::kEthernet, t, quiet).anomalies.empty());
}

TEST(DecodeFrame, IcmpPortUnreachableQuotesTheOriginalFiveTuple) {
  Ip4Opts probe;
  probe.ttl = 1;
  probe.id = 0x4242;
  const Buf orig = ipv4(kA, kB, 17, udp(kA, kB, 33434, 161, Buf(12, 0x41)), probe);
  const Buf quoted(orig.begin(), orig.begin() + 28);  // header + first 8 bytes
  const Buf f = ethernet(0x0800, ipv4(kB, kA, 1, icmp(3, 3, 0, quoted)));
  const Event ev = decode(linktype::kEthernet, f);
  EXPECT_EQ(ev.transport, Transport::Icmp);
  ASSERT_TRUE(ev.icmp);
  EXPECT_EQ(ev.icmp->type, 3);
  EXPECT_EQ(ev.icmp->code, 3);
  ASSERT_TRUE(ev.icmp->quoted);
  const Quoted& q = *ev.icmp->quoted;
  EXPECT_EQ(q.src.to_string(), "192.168.1.10");
  EXPECT_EQ(q.dst.to_string(), "10.0.0.53");
  EXPECT_EQ(q.protocol, 17);
  EXPECT_TRUE(q.has_ports);
  EXPECT_EQ(q.sport, 33434);
  EXPECT_EQ(q.dport, 161);
  EXPECT_EQ(q.ttl, 1);
  EXPECT_EQ(q.ip_id, 0x4242);
  EXPECT_TRUE(ev.anomalies.empty()) << ev.anomalies.front().id;
}

TEST(DecodeFrame, IcmpErrorWithoutContextAndTruncatedQuote) {
  const Event none = decode(linktype::kRaw, ipv4(kB, kA, 1, icmp(11, 0, 0, {})));
  ASSERT_TRUE(none.icmp);
  EXPECT_FALSE(none.icmp->quoted);
  EXPECT_TRUE(has_anomaly(none, "icmp_no_quote"));
  const Buf orig = ipv4(kA, kB, 6, tcp(kA, kB, 1, 2, 0));
  const Event cut = decode(linktype::kRaw, ipv4(kB, kA, 1, icmp(3, 1, 0, Buf(orig.begin(), orig.begin() + 12))));
  EXPECT_TRUE(has_anomaly(cut, "icmp_quote_truncated"));
  // Header complete but only 2 bytes of the transport: no ports.
  const Event half = decode(linktype::kRaw, ipv4(kB, kA, 1, icmp(3, 1, 0, Buf(orig.begin(), orig.begin() + 22))));
  ASSERT_TRUE(half.icmp->quoted);
  EXPECT_FALSE(half.icmp->quoted->has_ports);
  EXPECT_EQ(half.icmp->quoted->protocol, 6);
}

TEST(DecodeFrame, IcmpEchoIdentifiers) {
  const Event ev = decode(linktype::kRaw, ipv4(kA, kB, 1, icmp(8, 0, 0x13370002, Buf(8, 0))));
  EXPECT_EQ(ev.icmp->id, 0x1337);
  EXPECT_EQ(ev.icmp->seq, 2);
  EXPECT_FALSE(ev.icmp->quoted);
}

TEST(DecodeFrame, Ipv6ExtensionHeadersIcmpv6AndQuotedPacket) {
  V6 a{0x20, 0x01, 0x0d, 0xb8};
  a[15] = 1;
  V6 b{0x20, 0x01, 0x0d, 0xb8};
  b[15] = 2;
  // Hop-by-hop (8 bytes) then UDP.
  Buf hbh{17, 0, 1, 4, 0, 0, 0, 0};
  const Buf pkt = ipv6(a, b, 0, concat(hbh, udp(a, b, 5353, 5353, dns(0, false, "x.local", 28))));
  const Event ev = decode(linktype::kRaw, pkt);
  EXPECT_EQ(ev.ip_version, 6);
  EXPECT_EQ(ev.protocol, 17);
  EXPECT_EQ(ev.sport, 5353);
  EXPECT_EQ(ev.src.to_string(), "2001:db8::1");
  ASSERT_TRUE(ev.dns);
  EXPECT_EQ(ev.dns->qname, "x.local");
  EXPECT_TRUE(ev.anomalies.empty()) << ev.anomalies.front().id;

  const Buf orig = ipv6(a, b, 6, tcp(a, b, 4444, 22, tcpflag::kSyn));
  const Buf err = ipv6(b, a, 58, icmpv6(b, a, 1, 4, 0, Buf(orig.begin(), orig.begin() + 48)));
  const Event e2 = decode(linktype::kRaw, err);
  EXPECT_EQ(e2.transport, Transport::Icmpv6);
  ASSERT_TRUE(e2.icmp && e2.icmp->quoted);
  EXPECT_EQ(e2.icmp->quoted->protocol, 6);
  EXPECT_EQ(e2.icmp->quoted->sport, 4444);
  EXPECT_EQ(e2.icmp->quoted->dport, 22);
  EXPECT_TRUE(e2.anomalies.empty()) << e2.anomalies.front().id;
}

TEST(DecodeFrame, FragmentsFirstDecodedLaterFlagged) {
  Ip4Opts first;
  first.frag = 0x2000;  // MF
  const Event f1 = decode(linktype::kRaw, ipv4(kA, kB, 17, udp(kA, kB, 1000, 2000, Buf(40, 1)), first));
  EXPECT_TRUE(f1.fragment);
  EXPECT_FALSE(f1.later_fragment);
  EXPECT_EQ(f1.dport, 2000);
  Ip4Opts later;
  later.frag = 6;  // offset 48 bytes
  const Event f2 = decode(linktype::kRaw, ipv4(kA, kB, 17, Buf(20, 7), later));
  EXPECT_TRUE(f2.fragment);
  EXPECT_TRUE(f2.later_fragment);
  EXPECT_EQ(f2.transport, Transport::None);
  EXPECT_EQ(f2.dport, 0);
}

TEST(DecodeFrame, LengthMismatchesAreNamed) {
  Ip4Opts o;
  o.total_len_delta = 100;  // claims 100 bytes that are not on the wire
  const Event ev = decode(linktype::kRaw, ipv4(kA, kB, 17, udp(kA, kB, 1, 2, Buf(4, 0)), o));
  EXPECT_TRUE(has_anomaly(ev, "ip_length_exceeds_capture"));
  EXPECT_EQ(ev.dport, 2);
  // The same packet cut by a snaplen is just snaplen_cut.
  const Buf whole = ipv4(kA, kB, 17, udp(kA, kB, 1, 2, Buf(64, 0)));
  const Buf cut(whole.begin(), whole.begin() + 30);
  const Event c = decode(linktype::kRaw, cut, {}, static_cast<std::uint32_t>(whole.size()));
  EXPECT_TRUE(has_anomaly(c, "snaplen_cut"));
  EXPECT_FALSE(has_anomaly(c, "ip_length_exceeds_capture"));
  EXPECT_FALSE(has_anomaly(c, "udp_bad_checksum"));  // not verifiable, not wrong
  EXPECT_EQ(c.payload_len, 64U);
}

TEST(DecodeFrame, LinkTypesSllSll2NullLoopRaw) {
  const Buf ip = ipv4(kA, kB, 17, udp(kA, kB, 137, 137, Buf(4, 0)));
  ByteWriter sll;
  sll.u16be(4);  // outgoing
  sll.u16be(1);
  sll.u16be(6);
  sll.bytes(Bytes(Buf{0, 1, 2, 3, 4, 5, 0, 0}));
  sll.u16be(0x0800);
  sll.bytes(Bytes(ip));
  const Event e1 = decode(linktype::kLinuxSll, sll.take());
  EXPECT_EQ(e1.src_mac->to_string(), "00:01:02:03:04:05");
  EXPECT_EQ(e1.direction, Direction::Outbound);
  EXPECT_EQ(e1.dport, 137);

  ByteWriter sll2;
  sll2.u16be(0x0800);
  sll2.u16be(0);
  sll2.u32be(3);
  sll2.u16be(1);
  sll2.u8(0);
  sll2.u8(6);
  sll2.bytes(Bytes(Buf{6, 5, 4, 3, 2, 1, 0, 0}));
  sll2.bytes(Bytes(ip));
  const Event e2 = decode(linktype::kLinuxSll2, sll2.take());
  EXPECT_EQ(e2.src_mac->to_string(), "06:05:04:03:02:01");
  EXPECT_EQ(e2.src.to_string(), "192.168.1.10");

  const Event e3 = decode(linktype::kNull, concat(Buf{2, 0, 0, 0}, ip));  // little-endian AF_INET
  EXPECT_EQ(e3.ip_version, 4);
  const Event e3b = decode(linktype::kNull, concat(Buf{0, 0, 0, 2}, ip));  // big-endian writer
  EXPECT_EQ(e3b.ip_version, 4);
  const Event e4 = decode(linktype::kLoop, concat(Buf{0, 0, 0, 2}, ip));
  EXPECT_EQ(e4.ip_version, 4);
  EXPECT_EQ(decode(linktype::kIpv4, ip).dport, 137);
}

TEST(DecodeFrame, PflogCarriesActionRuleAndDirection) {
  ByteWriter w;
  w.u8(61);  // header length, padded to 64
  w.u8(2);   // AF_INET
  w.u8(1);   // PF_DROP
  w.u8(0);
  std::string ifname = "em0";
  ifname.resize(16, '\0');
  w.bytes(ifname);
  w.fill(16, 0);    // ruleset
  w.u32be(42);      // rule number
  w.u32be(0xFFFFFFFF);
  w.fill(16, 0);    // uid, pid, rule_uid, rule_pid
  w.u8(1);          // PF_IN
  w.fill(3, 0);
  w.bytes(Bytes(ipv4(kA, kB, 6, tcp(kA, kB, 5555, 23, tcpflag::kSyn))));
  const Event ev = decode(linktype::kPflog, w.take());
  EXPECT_EQ(ev.action, Action::Drop);
  EXPECT_EQ(ev.rule, "42");
  EXPECT_EQ(ev.direction, Direction::Inbound);
  EXPECT_EQ(ev.in_iface, "em0");
  EXPECT_EQ(ev.dport, 23);
}

TEST(DecodeFrame, NflogPrefixAndPayload) {
  const Buf ip = ipv4(kA, kB, 17, udp(kA, kB, 68, 67, Buf(4, 0)));
  ByteWriter w;
  w.u8(2);
  w.u8(0);
  w.u16be(0);
  const std::string prefix = "DROP-IN";
  w.u16le(static_cast<std::uint16_t>(4 + prefix.size() + 1));
  w.u16le(10);
  w.bytes(prefix);
  w.u8(0);
  w.fill((4 - ((prefix.size() + 1) % 4)) % 4, 0);
  w.u16le(static_cast<std::uint16_t>(4 + ip.size()));
  w.u16le(9);
  w.bytes(Bytes(ip));
  const Event ev = decode(linktype::kNflog, w.take());
  EXPECT_EQ(ev.rule, "DROP-IN");
  EXPECT_EQ(ev.dport, 67);
}

TEST(DecodeFrame, ArpIsAnEventWithoutIpAndUnknownLinkIsSkipped) {
  const Event arp = decode(linktype::kEthernet, ethernet(0x0806, Buf(28, 0)));
  EXPECT_EQ(arp.ip_version, 0);
  EXPECT_EQ(arp.ethertype, 0x0806);
  Event ev;
  EXPECT_STREQ(decode_frame(147, Bytes(Buf{1, 2, 3}), 3, {}, ev), "unsupported-linktype");
  EXPECT_STREQ(decode_frame(linktype::kEthernet, Bytes(Buf{1, 2, 3}), 3, {}, ev), "truncated-link");
}

TEST(DecodeFrame, DepthStopsWhereAsked) {
  const Buf f = ethernet(0x0800, ipv4(kA, kB, 17, udp(kA, kB, 40000, 53, dns(1, false, "a.b", 1))));
  DecodeOptions o;
  o.depth = Depth::Network;
  const Event n = decode(linktype::kEthernet, f, o);
  EXPECT_EQ(n.ip_version, 4);
  EXPECT_EQ(n.dport, 0);
  o.depth = Depth::Transport;
  const Event t = decode(linktype::kEthernet, f, o);
  EXPECT_EQ(t.dport, 53);
  EXPECT_FALSE(t.dns);
  o.depth = Depth::Link;
  EXPECT_EQ(decode(linktype::kEthernet, f, o).ip_version, 0);
}

TEST(DecodeFrame, SmbHeadersOn445And139) {
  ByteWriter smb2;
  smb2.u32be(0);  // direct-hosted framing: type 0, 24-bit length
  smb2.u32be(0xFE534D42);
  smb2.u16le(64);
  smb2.u16le(0);
  smb2.u32le(0);
  smb2.u16le(13);  // ECHO
  smb2.u16le(1);
  smb2.u32le(0);
  smb2.fill(44, 0);
  Buf body = smb2.take();
  body[3] = static_cast<std::uint8_t>(body.size() - 4);
  const Event ev = decode(linktype::kRaw, ipv4(kA, kB, 6, tcp(kA, kB, 50000, 445, tcpflag::kPsh | tcpflag::kAck, body)));
  ASSERT_TRUE(ev.smb);
  EXPECT_EQ(ev.app, App::Smb2);
  EXPECT_EQ(ev.smb->version, 2);
  EXPECT_EQ(ev.smb->command, 13);
  EXPECT_FALSE(ev.smb->response);

  ByteWriter smb1;
  smb1.u32be(0);
  smb1.u32be(0xFF534D42);
  smb1.u8(0x71);  // Tree Disconnect
  smb1.u32le(0);
  smb1.u8(0x80);  // reply
  smb1.fill(26, 0);
  Buf b1 = smb1.take();
  b1[3] = static_cast<std::uint8_t>(b1.size() - 4);
  const Event e1 = decode(linktype::kRaw, ipv4(kB, kA, 6, tcp(kB, kA, 139, 1025, tcpflag::kAck, b1)));
  ASSERT_TRUE(e1.smb);
  EXPECT_EQ(e1.app, App::Smb1);
  EXPECT_EQ(e1.smb->command, 0x71);
  EXPECT_TRUE(e1.smb->response);
}

TEST(DecodeFrame, PppMplsPppoeAndFrameRelay) {
  const Buf ip = ipv4(kA, kB, 17, udp(kA, kB, 42315, 33435, Buf(12, 0)));
  // PPP with address/control, MPLS unicast, two labels (bottom of stack on the second).
  const Buf mpls = concat(Buf{0xff, 0x03, 0x02, 0x81, 0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40}, ip);
  const Event e1 = decode(linktype::kPpp, mpls);
  EXPECT_EQ(e1.ip_version, 4);
  EXPECT_EQ(e1.dport, 33435);
  // PPPoE session inside Ethernet.
  ByteWriter pppoe;
  pppoe.u8(0x11);
  pppoe.u8(0);
  pppoe.u16be(0x1234);
  pppoe.u16be(static_cast<std::uint16_t>(ip.size() + 2));
  pppoe.u16be(0x0021);
  pppoe.bytes(Bytes(ip));
  const Event e2 = decode(linktype::kEthernet, ethernet(0x8864, pppoe.take()));
  EXPECT_EQ(e2.src.to_string(), "192.168.1.10");
  EXPECT_EQ(e2.sport, 42315);
  // Frame Relay, RFC 2427 NLPID and Cisco encapsulation.
  EXPECT_EQ(decode(linktype::kFrameRelay, concat(Buf{0x18, 0x61, 0x03, 0xCC}, ip)).dport, 33435);
  EXPECT_EQ(decode(linktype::kFrameRelay, concat(Buf{0x18, 0x61, 0x08, 0x00}, ip)).dport, 33435);
}

TEST(DecodeFrame, ResetKeepsNothingButCapacity) {
  Event ev;
  ev.dns.emplace().qname = "x";
  ev.anomalies.push_back({"a", "b"});
  ev.rule = "r";
  reset_event(ev);
  EXPECT_FALSE(ev.dns);
  EXPECT_TRUE(ev.anomalies.empty());
  EXPECT_GE(ev.anomalies.capacity(), 1U);
  EXPECT_TRUE(ev.rule.empty());
}

// DNS names are escaped for terminals: printable bytes as they are, '.', '\\', space, control
// and 8-bit bytes as \DDD; the root alone is "."; a name cut short keeps the labels read
// before the damage (with a dns_bad_name anomaly); PTR targets follow compression pointers.
TEST(DecodeFrame, DnsNamesAreEscapedAndBounded) {
  auto run = [](const Buf& payload) {
    Event ev;
    const Buf f = ipv4(kA, kB, 17, udp(kA, kB, 40000, 53, payload));
    EXPECT_EQ(decode_frame(linktype::kRaw, Bytes(f), static_cast<std::uint32_t>(f.size()), {}, ev), nullptr);
    return ev;
  };
  const Buf header{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  auto with = [&header](const Buf& name_and_rest) {
    Buf b = header;
    b.insert(b.end(), name_and_rest.begin(), name_and_rest.end());
    return b;
  };
  {
    const Event ev = run(with({4, 'a', '.', 0x5c, ' ', 3, 0x00, 0xff, 'z', 0, 0, 1, 0, 1}));
    ASSERT_TRUE(ev.dns);
    EXPECT_EQ(ev.dns->qname, "a\\046\\092\\032.\\000\\255z");
    EXPECT_TRUE(ev.anomalies.empty());
  }
  {
    const Event ev = run(with({0, 0, 1, 0, 1}));
    ASSERT_TRUE(ev.dns);
    EXPECT_EQ(ev.dns->qname, ".");
  }
  {
    const Event ev = run(with({3, 'w', 'w', 'w', 7, 'e', 'x', 'a'}));  // second label cut by the end
    ASSERT_TRUE(ev.dns);
    EXPECT_EQ(ev.dns->qname, "www");
    EXPECT_TRUE(has_anomaly(ev, "dns_bad_name"));
  }
  {
    Buf b = with({3, 'w', 'w', 'w', 0xC0, 12, 0, 1, 0, 1});  // a pointer back to itself: loops until the cap
    const Event ev = run(b);
    ASSERT_TRUE(ev.dns);
    EXPECT_TRUE(has_anomaly(ev, "dns_bad_name"));
    EXPECT_EQ(ev.dns->qname.substr(0, 8), "www.www.");
  }
  {
    const Event ev = run(dns(7, true, "4.3.2.1.in-addr.arpa", 12, 0, "host.example"));
    ASSERT_TRUE(ev.dns);
    EXPECT_EQ(ev.dns->qname, "4.3.2.1.in-addr.arpa");
    ASSERT_EQ(ev.dns->ptr_targets.size(), 1U);
    EXPECT_EQ(ev.dns->ptr_targets[0], "host.example");
  }
}

}  // namespace
}  // namespace netseen::decode
