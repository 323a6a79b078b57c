// Lookups in the built-in knowledge base (data/knowledge/*.kb compiled in).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "knowledge/kb.hpp"

namespace netseen::knowledge {
namespace {

IpAddress ip(const char* s) {
  auto a = IpAddress::parse(s);
  EXPECT_TRUE(a.has_value()) << s;
  return a.value_or(IpAddress{});
}

Timestamp day(const char* s) {
  auto t = parse_rfc3339(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t.value_or(Timestamp{});
}

bool contains(const std::string& hay, const char* needle) { return hay.find(needle) != std::string::npos; }

TEST(BuiltinKb, EveryEmbeddedTableLoadsWithoutDiagnostics) {
  ASSERT_EQ(embedded_tables().size(), 7U);
  for (const auto& t : embedded_tables()) {
    KnowledgeBase kb;
    LoadReport report;
    kb.load_text(t.name, t.text, report);
    std::string all;
    for (const auto& d : report.diagnostics) all += d.to_string() + "\n";
    EXPECT_TRUE(report.ok()) << all;
  }
  const auto c = builtin_kb().counts();
  EXPECT_GT(c.ports, 150U);
  EXPECT_GT(c.icmp, 80U);
  EXPECT_GT(c.special, 40U);
  EXPECT_EQ(c.slash8, 256U);  // every first octet has a row
  EXPECT_GT(c.nb_suffixes, 25U);
  EXPECT_GT(c.rpc, 20U);
  EXPECT_EQ(c.rpc_procs, 6U);
  EXPECT_EQ(c.ttl, 4U);
}

TEST(BuiltinKb, LoadingTwiceGivesTheSameObject) {
  EXPECT_EQ(&builtin_kb(), &builtin_kb());
}

TEST(Ports, NetbiosAndTrojans) {
  const auto& kb = builtin_kb();
  const auto* ns = kb.port(Proto::Udp, 137);
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ(ns->service, "netbios-ns");
  EXPECT_TRUE(ns->has(tag::kNetbios));
  EXPECT_FALSE(ns->has(tag::kTrojan));
  const auto* bo = kb.port(Proto::Udp, 31337);
  ASSERT_NE(bo, nullptr);
  EXPECT_TRUE(contains(bo->service, "Back Orifice"));
  EXPECT_TRUE(bo->has(tag::kTrojan));
  const auto* elite = kb.port(decode::Transport::Tcp, 31337);
  ASSERT_NE(elite, nullptr);
  EXPECT_TRUE(elite->has(tag::kTrojan));
  EXPECT_NE(elite, bo);
  EXPECT_EQ(kb.port(decode::Transport::Icmp, 137), nullptr);
}

TEST(Ports, RangesAndNarrowerRowsWin) {
  const auto& kb = builtin_kb();
  const auto* tr = kb.port(Proto::Udp, 33500);
  ASSERT_NE(tr, nullptr);
  EXPECT_TRUE(tr->has(tag::kTraceroute));
  EXPECT_EQ(tr->first, 33434);
  EXPECT_EQ(tr->last, 33600);
  EXPECT_EQ(kb.port(Proto::Udp, 33601), nullptr);
  EXPECT_EQ(kb.port(Proto::Tcp, 33500), nullptr);  // traceroute is UDP only
  const auto* q2 = kb.port(Proto::Udp, 27910);
  ASSERT_NE(q2, nullptr);
  EXPECT_EQ(q2->service, "Quake 2");  // the single-port row beats the 27910-27961 range
  const auto* quake = kb.port(Proto::Udp, 27920);
  ASSERT_NE(quake, nullptr);
  EXPECT_EQ(quake->first, 27910);
  EXPECT_EQ(quake->last, 27961);
  const auto* irc = kb.port(Proto::Tcp, 6667);
  ASSERT_NE(irc, nullptr);
  EXPECT_EQ(irc->first, 6667);  // not the 6660-6669 range row
  const auto* masq = kb.port(Proto::Tcp, 65535);
  ASSERT_NE(masq, nullptr);
  EXPECT_TRUE(masq->has(tag::kSourcePort));
  EXPECT_EQ(kb.port(Proto::Tcp, 40000), nullptr);
}

TEST(Ports, Ranges) {
  EXPECT_EQ(port_range(0), PortRange::WellKnown);
  EXPECT_EQ(port_range(1023), PortRange::WellKnown);
  EXPECT_EQ(port_range(1024), PortRange::Registered);
  EXPECT_EQ(port_range(49151), PortRange::Registered);
  EXPECT_EQ(port_range(49152), PortRange::Dynamic);
  EXPECT_EQ(to_string(PortRange::Dynamic), "dynamic");
}

TEST(Tags, NamesRoundTrip) {
  EXPECT_EQ(tag_from_name("trojan"), tag::kTrojan);
  EXPECT_EQ(tag_from_name("remote-access"), tag::kRemoteAccess);
  EXPECT_EQ(tag_from_name("trojen"), 0U);
  EXPECT_EQ(tag_names(tag::kTrojan | tag::kGame), "trojan,game");
  EXPECT_EQ(tag_names(0), "");
}

TEST(Icmp, CodesFallBackToTheirType) {
  const auto& kb = builtin_kb();
  const auto* fn = kb.icmp(3, 4);
  ASSERT_NE(fn, nullptr);
  EXPECT_TRUE(contains(fn->name, "fragmentation needed"));
  EXPECT_TRUE(contains(fn->advice, "allow"));
  ASSERT_TRUE(fn->code.has_value());
  EXPECT_EQ(*fn->code, 4);
  const auto* odd = kb.icmp(3, 200);
  ASSERT_NE(odd, nullptr);
  EXPECT_FALSE(odd->code.has_value());
  EXPECT_EQ(odd->name, "destination unreachable");
  EXPECT_EQ(kb.icmp(3, 200), kb.icmp_type(3));
  EXPECT_EQ(kb.icmp(200, 0), nullptr);
  const auto* sq = kb.icmp(4, 0);
  ASSERT_NE(sq, nullptr);
  EXPECT_TRUE(contains(sq->advice, "Discard"));
  const auto* ra6 = kb.icmp(134, 0, true);
  ASSERT_NE(ra6, nullptr);
  EXPECT_EQ(ra6->name, "router advertisement");
  EXPECT_TRUE(ra6->v6);
  EXPECT_EQ(kb.icmp(134, 0, false), nullptr);  // no such ICMPv4 type
  EXPECT_EQ(kb.icmp(12, 0)->verdict, "suspicious");
  EXPECT_EQ(kb.icmp(5, 1)->verdict, "attack");
  EXPECT_EQ(kb.icmp_codes(3).size(), 16U);
  EXPECT_TRUE(kb.icmp_codes(8).empty());
}

TEST(Address, OneSlashEightHistory) {
  const auto& kb = builtin_kb();
  const auto then = kb.address(ip("1.11.68.22"), day("2004-09-14"));
  ASSERT_TRUE(then.status.has_value());
  EXPECT_EQ(*then.status, SlashEightStatus::Reserved);
  EXPECT_EQ(then.registry, "");
  EXPECT_TRUE(contains(then.status_note, "2004-09-14")) << then.status_note;
  EXPECT_TRUE(contains(then.status_note, "APNIC")) << then.status_note;
  EXPECT_EQ(then.allocated_text, "2010-01");
  const auto now = kb.address(ip("1.11.68.22"));
  EXPECT_EQ(*now.status, SlashEightStatus::Registry);
  EXPECT_EQ(now.registry, "APNIC");
  EXPECT_EQ(now.region, "Asia-Pacific");
  EXPECT_EQ(kb.registry_of(ip("1.11.68.22"), day("2010-02-01")), "APNIC");
  EXPECT_EQ(kb.registry_of(ip("1.11.68.22"), day("2009-12-31")), "");
  EXPECT_EQ(kb.slash8_status(1, day("2009-12-31")), SlashEightStatus::Reserved);
  EXPECT_EQ(kb.slash8_status(1, day("2010-01-01")), SlashEightStatus::Registry);
}

TEST(Address, RegistriesAndLegacy) {
  const auto& kb = builtin_kb();
  EXPECT_EQ(kb.registry_of(ip("41.1.2.3")), "AFRINIC");
  EXPECT_EQ(kb.registry_of(ip("200.1.2.3")), "LACNIC");
  EXPECT_EQ(kb.registry_of(ip("80.1.2.3")), "RIPE NCC");
  EXPECT_EQ(kb.registry_of(ip("24.1.2.3")), "ARIN");
  EXPECT_EQ(kb.registry_of(ip("2001:db8::1")), "");
  EXPECT_EQ(kb.slash8_status(17), SlashEightStatus::Legacy);
  EXPECT_EQ(kb.slash8_status(230), SlashEightStatus::Multicast);
  EXPECT_EQ(kb.slash8_status(250), SlashEightStatus::Future);
  EXPECT_EQ(kb.slash8_status(10), SlashEightStatus::Reserved);
  // 58/8 went to APNIC in 2004-04: unallocated before.
  EXPECT_EQ(kb.slash8_status(58, day("2004-03-31")), SlashEightStatus::Unallocated);
  EXPECT_EQ(kb.slash8_status(58, day("2004-09-14")), SlashEightStatus::Registry);
  for (unsigned o = 0; o < 256; ++o) {
    EXPECT_NE(kb.slash8_status(static_cast<std::uint8_t>(o)), SlashEightStatus::Unknown) << o;
  }
}

TEST(Address, SpecialBlocksMostSpecificWins) {
  const auto& kb = builtin_kb();
  const auto* ll = kb.special_block(ip("169.254.3.4"));
  ASSERT_NE(ll, nullptr);
  EXPECT_EQ(ll->name, "Link Local");
  EXPECT_EQ(ll->rfc, "RFC 3927");
  EXPECT_EQ(kb.special_block(ip("172.31.255.255"))->rfc, "RFC 1918");
  EXPECT_EQ(kb.special_block(ip("172.32.0.1")), nullptr);
  EXPECT_EQ(kb.special_block(ip("192.0.0.9"))->rfc, "RFC 7723");    // /32
  EXPECT_EQ(kb.special_block(ip("192.0.0.5"))->rfc, "RFC 7335");    // /29
  EXPECT_EQ(kb.special_block(ip("192.0.0.100"))->rfc, "RFC 6890");  // /24
  EXPECT_EQ(kb.special_block(ip("0.0.0.0"))->name, "This host on this network");
  EXPECT_EQ(kb.special_block(ip("0.1.2.3"))->name, "This network");
  EXPECT_EQ(kb.special_block(ip("224.0.0.251"))->name, "mDNS");
  EXPECT_EQ(kb.special_block(ip("230.1.1.1"))->name, "Multicast");
  EXPECT_EQ(kb.special_block(ip("255.255.255.255"))->name, "Limited Broadcast");
  EXPECT_EQ(kb.special_block(ip("100.64.1.1"))->rfc, "RFC 6598");
  EXPECT_EQ(kb.special_block(ip("100.128.1.1")), nullptr);
  EXPECT_EQ(kb.special_block(ip("8.8.8.8")), nullptr);
  EXPECT_EQ(kb.special_block(ip("fe80::1"))->rfc, "RFC 4291");
  EXPECT_EQ(kb.special_block(ip("2001:db8::1"))->rfc, "RFC 3849");
  EXPECT_EQ(kb.special_block(ip("2001:0:1::1"))->name, "Teredo");  // /32 beats the /23
  EXPECT_EQ(kb.special_block(ip("::1"))->name, "Loopback");
  EXPECT_EQ(kb.special_block(IpAddress{}), nullptr);
  const auto info = kb.address(ip("169.254.3.4"));
  ASSERT_NE(info.special, nullptr);
  EXPECT_FALSE(info.special->routable);
}

TEST(NetbiosSuffixes, UniqueGroupAndSpecialNames) {
  const auto& kb = builtin_kb();
  const auto* dc = kb.nb_suffix(0x1C, true);
  ASSERT_NE(dc, nullptr);
  EXPECT_EQ(dc->service, "Domain Controllers");
  EXPECT_EQ(kb.nb_suffix(0x1C, false), nullptr);
  EXPECT_EQ(kb.nb_suffix(0x1C), dc);
  EXPECT_EQ(kb.nb_suffix(0x20)->service, "File Server Service");
  EXPECT_EQ(kb.nb_suffix(0x00, false)->service, "Workstation Service");
  EXPECT_EQ(kb.nb_suffix(0x00, true)->service, "Domain/Workgroup Name");
  const auto* mb = kb.nb_special("__MSBROWSE__", 0x01);
  ASSERT_NE(mb, nullptr);
  EXPECT_EQ(mb->service, "Master Browser (__MSBROWSE__)");
  EXPECT_TRUE(mb->group);
  EXPECT_EQ(kb.nb_special("\x01\x02__MSBROWSE__\x02", 0x01), mb);
  EXPECT_EQ(kb.nb_special("__msbrowse__", 0x01), mb);
  EXPECT_EQ(kb.nb_special("__MSBROWSE__", 0x00), nullptr);
  EXPECT_EQ(kb.nb_special("HOST", 0x20), nullptr);
  EXPECT_EQ(kb.nb_special("INet~Services", 0x1C)->service, "IIS");
}

TEST(Rpc, ProgramsAndPortmapperProcedures) {
  const auto& kb = builtin_kb();
  const auto* m = kb.rpc(100005);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->name, "mountd");
  EXPECT_EQ(kb.rpc(200100001)->name, "netinfobind");
  EXPECT_EQ(kb.rpc(42), nullptr);
  EXPECT_EQ(kb.rpc_proc(100000, 4)->name, "DUMP");
  EXPECT_EQ(kb.rpc_proc(100000, 3)->name, "GETPORT");
  EXPECT_EQ(kb.rpc_proc(100000, 6), nullptr);
  EXPECT_EQ(kb.rpc_proc(100005, 0), nullptr);
}

TEST(Ttl, InitialHopsAndFamily) {
  const auto& kb = builtin_kb();
  const auto w = kb.ttl(113);
  EXPECT_EQ(w.initial, 128);
  EXPECT_EQ(w.hops, 15);
  EXPECT_EQ(w.os_family, "Windows");
  const auto faq = kb.ttl(112);  // the FAQ's example: Windows, 16 hops
  EXPECT_EQ(faq.hops, 16);
  const auto u = kb.ttl(51);  // the FAQ's example: not Windows, 13 hops
  EXPECT_EQ(u.initial, 64);
  EXPECT_EQ(u.hops, 13);
  EXPECT_EQ(kb.ttl(64).hops, 0);
  EXPECT_EQ(kb.ttl(65).initial, 128);
  EXPECT_EQ(kb.ttl(250).initial, 255);
  EXPECT_EQ(kb.ttl(255).hops, 0);
  EXPECT_EQ(kb.ttl(0).initial, 32);
  EXPECT_EQ(kb.ttl(0).hops, 32);
}

TEST(IpId, Patterns) {
  const std::array<std::uint16_t, 3> le{0xFD01, 0xFE01, 0xFF01};
  EXPECT_EQ(ipid_pattern(le).pattern, IpIdPattern::IncrementalLe);
  const std::array<std::uint16_t, 5> be{0x01FD, 0x01FE, 0x01FF, 0x0200, 0x0201};
  EXPECT_EQ(ipid_pattern(be).pattern, IpIdPattern::IncrementalBe);
  // The FAQ's table: the Wintel column continues across the byte carry.
  const std::array<std::uint16_t, 5> le_carry{0xFD01, 0xFE01, 0xFF01, 0x0002, 0x0102};
  EXPECT_EQ(ipid_pattern(le_carry).pattern, IpIdPattern::IncrementalLe);
  // The same counter logged in decimal by a big-endian reader: 64769, 65025, 65281, 2, 258.
  const std::array<std::uint16_t, 5> dec{64769, 65025, 65281, 2, 258};
  EXPECT_EQ(ipid_pattern(dec).pattern, IpIdPattern::IncrementalLe);
  const std::array<std::uint16_t, 4> zero{0, 0, 0, 0};
  EXPECT_EQ(ipid_pattern(zero).pattern, IpIdPattern::Zero);
  const std::array<std::uint16_t, 3> same{4660, 4660, 4660};
  EXPECT_EQ(ipid_pattern(same).pattern, IpIdPattern::Constant);
  const std::array<std::uint16_t, 6> rnd{0x9a21, 0x1f03, 0xc4e7, 0x5b10, 0x0e9d, 0x77aa};
  EXPECT_EQ(ipid_pattern(rnd).pattern, IpIdPattern::Random);
  const std::array<std::uint16_t, 1> one{5};
  EXPECT_EQ(ipid_pattern(one).pattern, IpIdPattern::Unknown);
  const std::array<std::uint16_t, 2> two{5, 6};
  EXPECT_EQ(ipid_pattern(two).pattern, IpIdPattern::Unknown);
  EXPECT_EQ(to_string(IpIdPattern::IncrementalLe), "incremental-le");
}

}  // namespace
}  // namespace netseen::knowledge
