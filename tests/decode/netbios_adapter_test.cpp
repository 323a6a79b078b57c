#include <gtest/gtest.h>

#include "decode/frame.hpp"
#include "frame_builder.hpp"
#include "netbios/nbds.hpp"
#include "netbios/nbns.hpp"
#include "netbios/nbss.hpp"

namespace netseen::decode {
namespace {

using namespace netseen::testing;  // NOLINT(google-build-using-namespace)

const V4 kA{192, 168, 1, 10};
const V4 kB{192, 168, 1, 20};

Event decode_udp(std::uint16_t sport, std::uint16_t dport, const Buf& payload, const DecodeOptions& opt = {}) {
  Event ev;
  const Buf f = ethernet(0x0800, ipv4(kA, kB, 17, udp(kA, kB, sport, dport, payload)));
  EXPECT_EQ(decode_frame(linktype::kEthernet, Bytes(f), static_cast<std::uint32_t>(f.size()), opt, ev), nullptr);
  return ev;
}

TEST(NetbiosAdapters, NodeStatusQueryOnPort53IsRecognisedByContent) {
  auto star = netbios::NetbiosName::make("*", 0x00);
  ASSERT_TRUE(star.has_value());
  auto q = netbios::build::node_status_request(0x1337, *star, false);
  ASSERT_TRUE(q.has_value());
  const Event ev = decode_udp(52000, 53, *q);
  EXPECT_EQ(ev.app, App::Nbns);
  ASSERT_TRUE(ev.nbns);
  EXPECT_FALSE(ev.dns);
  EXPECT_EQ(ev.nbns->id, 0x1337);
  EXPECT_EQ(ev.nbns->qtype, 0x21);
  ASSERT_TRUE(ev.nbns->question);
  EXPECT_EQ(ev.nbns->question->raw[0], '*');
  EXPECT_TRUE(has_anomaly(ev, "nbns_on_unusual_port"));
  // A real DNS query on 53 stays DNS.
  const Event d = decode_udp(52000, 53, dns(1, false, "example.com", 1));
  EXPECT_EQ(d.app, App::Dns);
}

TEST(NetbiosAdapters, RegistrationAndNodeStatusResponse) {
  auto name = netbios::NetbiosName::make("WORKSTATION1", 0x20);
  ASSERT_TRUE(name.has_value());
  const netbios::NbAddress addr{netbios::make_nb_flags(false, netbios::NodeType::H), 0xC0A8010A};
  auto reg = netbios::build::name_registration_request(0x8001, *name, 300000, addr, true);
  ASSERT_TRUE(reg.has_value());
  const Event ev = decode_udp(137, 137, *reg);
  ASSERT_TRUE(ev.nbns);
  EXPECT_EQ(ev.nbns->opcode, 5);
  EXPECT_TRUE(ev.nbns->broadcast());
  EXPECT_EQ(ev.nbns->question->suffix(), 0x20);
  ASSERT_EQ(ev.nbns->nb_addresses.size(), 1U);
  EXPECT_EQ(ev.nbns->nb_addresses[0].to_string(), "192.168.1.10");
  // The registration's NB_FLAGS reach the question name: a unique name here…
  EXPECT_TRUE(ev.nbns->question->has_flags);
  EXPECT_FALSE(ev.nbns->question->group());
  // …and a group name (the G bit) in a workgroup registration.
  auto wg = netbios::NetbiosName::make("WORKGROUP", 0x00);
  ASSERT_TRUE(wg.has_value());
  const netbios::NbAddress gaddr{netbios::make_nb_flags(true, netbios::NodeType::B), 0xC0A8010A};
  auto greg = netbios::build::name_registration_request(0x8002, *wg, 300000, gaddr, true);
  ASSERT_TRUE(greg.has_value());
  const Event g = decode_udp(137, 137, *greg);
  ASSERT_TRUE(g.nbns && g.nbns->question);
  EXPECT_TRUE(g.nbns->question->has_flags);
  EXPECT_TRUE(g.nbns->question->group());

  std::vector<netbios::NodeName> names(2);
  names[0].raw = name->raw;
  names[0].flags = netbios::kNameFlagAct;
  names[1].raw = name->raw;
  names[1].raw[15] = 0x00;
  names[1].flags = netbios::kNameFlagAct | netbios::kNameFlagGroup;
  netbios::NodeStatistics stats;
  stats.unit_id = MacAddress{{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}};
  auto star = netbios::NetbiosName::make("*", 0x00);
  auto resp = netbios::build::node_status_response(0x1337, *star, names, stats);
  ASSERT_TRUE(resp.has_value());
  const Event r = decode_udp(137, 52000, *resp);
  ASSERT_TRUE(r.nbns);
  EXPECT_TRUE(r.nbns->response);
  EXPECT_EQ(r.nbns->node_status_names.size(), 2U);
  EXPECT_TRUE(r.nbns->node_status_names[0].has_flags);
  EXPECT_FALSE(r.nbns->node_status_names[0].group());
  EXPECT_TRUE(r.nbns->node_status_names[1].group());
  ASSERT_TRUE(r.nbns->unit_id);
  EXPECT_EQ(r.nbns->unit_id->to_string(), "aa:bb:cc:dd:ee:ff");
}

TEST(NetbiosAdapters, MalformedNbnsIsAnAnomalyWithTheHeaderKept) {
  Buf junk{0x12, 0x34, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 0, 0x20, 'A', 'B'};
  const Event ev = decode_udp(137, 137, junk);
  ASSERT_TRUE(ev.nbns);
  EXPECT_EQ(ev.nbns->id, 0x1234);
  EXPECT_TRUE(has_anomaly(ev, "nbns_malformed"));
}

TEST(NetbiosAdapters, SessionRequestOn139) {
  netbios::NbssSessionRequest req;
  req.called = *netbios::NetbiosName::make("FILESERVER", 0x20);
  req.calling = *netbios::NetbiosName::make("CLIENT", 0x00);
  auto bytes = netbios::build_session_request(req);
  ASSERT_TRUE(bytes.has_value());
  Event ev;
  const Buf f = ipv4(kA, kB, 6, tcp(kA, kB, 1025, 139, tcpflag::kPsh | tcpflag::kAck, *bytes));
  ASSERT_EQ(decode_frame(linktype::kRaw, Bytes(f), static_cast<std::uint32_t>(f.size()), {}, ev), nullptr);
  EXPECT_EQ(ev.app, App::Nbss);
  ASSERT_TRUE(ev.nbss);
  EXPECT_EQ(ev.nbss->type, 0x81);
  ASSERT_TRUE(ev.nbss->called);
  EXPECT_EQ(ev.nbss->called->raw[0], 'F');
  EXPECT_EQ(ev.nbss->calling->suffix(), 0x00);

  // Without app_part::kNbss (as analyze decodes) the segment stays a TCP segment to 139.
  Event lean;
  ASSERT_EQ(decode_frame(linktype::kRaw, Bytes(f), static_cast<std::uint32_t>(f.size()),
                         DecodeOptions{.app_parts = app_part::kAll & ~app_part::kNbss}, lean),
            nullptr);
  EXPECT_FALSE(lean.nbss);
  EXPECT_EQ(lean.app, App::None);
  EXPECT_EQ(lean.transport, Transport::Tcp);
  EXPECT_EQ(lean.dport, 139);
  EXPECT_EQ(lean.payload_len, ev.payload_len);
}

TEST(NetbiosAdapters, DatagramOn138OnlyWhenAskedFor) {
  netbios::NbdsMessage m;
  m.type = 0x11;  // direct group datagram
  m.source_ip = 0xC0A8010A;
  m.source_name = *netbios::NetbiosName::make("CLIENT", 0x00);
  m.destination_name = *netbios::NetbiosName::make("WORKGROUP", 0x1D);
  m.user_data = {1, 2, 3, 4};
  auto bytes = netbios::serialize_nbds(m);
  ASSERT_TRUE(bytes.has_value());
  const Event full = decode_udp(138, 138, *bytes);
  EXPECT_EQ(full.app, App::Nbds);
  ASSERT_TRUE(full.nbds);
  EXPECT_EQ(full.nbds->msg_type, 0x11);
  ASSERT_TRUE(full.nbds->source_name);
  EXPECT_EQ(full.nbds->source_name->raw[0], 'C');
  const Event lean = decode_udp(138, 138, *bytes, DecodeOptions{.app_parts = app_part::kAll & ~app_part::kNbds});
  EXPECT_FALSE(lean.nbds);
  EXPECT_EQ(lean.app, App::None);
  EXPECT_EQ(lean.dport, 138);
}

}  // namespace
}  // namespace netseen::decode
