#include "netbios/nbns.hpp"

#include <functional>

#include <gtest/gtest.h>

#include "core/limits.hpp"
#include "test_util.hpp"

namespace netseen::netbios {
namespace {

using testing::ascii_hex;
using testing::hex;
using testing::hexs;

const std::string kFred00 = "20" + ascii_hex("EGFCEFEECACACACACACACACACACACAAA") + "00";
const std::string kFred20 = "20" + ascii_hex("EGFCEFEECACACACACACACACACACACACA") + "00";
const std::string kStar = "20" + ascii_hex("CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") + "00";

NetbiosName name(std::string_view n, std::uint8_t suffix, std::string_view scope = {}) {
  auto r = NetbiosName::make(n, suffix, scope);
  EXPECT_TRUE(r);
  return r.value_or(NetbiosName{});
}

NbnsMessage parse_ok(const std::vector<std::uint8_t>& bytes) {
  auto m = parse_nbns(Bytes(bytes));
  EXPECT_TRUE(m) << (m ? "" : m.error().message()) << "\n" << hexs(bytes);
  return m ? *m : NbnsMessage{};
}

// Round trip: parse(bytes) then serialize gives the same bytes.
void expect_round_trip(const std::vector<std::uint8_t>& bytes) {
  auto m = parse_nbns(Bytes(bytes));
  ASSERT_TRUE(m) << m.error().message();
  auto again = serialize_nbns(*m);
  ASSERT_TRUE(again);
  EXPECT_EQ(hexs(*again), hexs(bytes));
  // And from the decoded fields alone (RDATA rebuilt from its decoded form).
  NbnsMessage fields = *m;
  for (auto* sec : {&fields.answers, &fields.authority, &fields.additional}) {
    for (auto& rr : *sec) rr.rdata.clear();
  }
  for (auto& rr : fields.answers) {
    if (rr.node_status && !rr.node_status->statistics) rr.node_status->statistics = NodeStatistics{};
  }
  auto rebuilt = serialize_nbns(fields);
  ASSERT_TRUE(rebuilt);
  EXPECT_EQ(hexs(*rebuilt), hexs(bytes));
}

TEST(Nbns, HeaderFlagsWord) {
  auto h = NbnsHeader::from_flags_word(1, 0xAD85);  // R, opcode 5, AA TC RA? -> check each bit
  EXPECT_TRUE(h.response);
  EXPECT_EQ(h.opcode, 5);
  EXPECT_EQ(h.nm_flags, 0x58);  // AA RD RA
  EXPECT_TRUE(h.aa());
  EXPECT_FALSE(h.tc());
  EXPECT_TRUE(h.rd());
  EXPECT_TRUE(h.ra());
  EXPECT_FALSE(h.broadcast());
  EXPECT_EQ(h.rcode, 5);
  EXPECT_EQ(h.flags_word(), 0xAD85);
  for (unsigned f = 0; f <= 0xFFFF; f += 7) {
    EXPECT_EQ(NbnsHeader::from_flags_word(0, static_cast<std::uint16_t>(f)).flags_word(), f);
  }
}

TEST(Nbns, NameQueryRequestExactBytes) {
  auto b = build::name_query_request(0x1234, name("fred", 0x20), true);
  ASSERT_TRUE(b);
  EXPECT_EQ(hexs(*b), hexs(hex("1234 0110 0001 0000 0000 0000" + kFred20 + "0020 0001")));
  auto m = parse_ok(*b);
  EXPECT_EQ(m.kind(), NbnsPacketKind::NameQueryRequest);
  EXPECT_EQ(m.header.id, 0x1234);
  EXPECT_TRUE(m.header.broadcast());
  EXPECT_TRUE(m.header.rd());
  ASSERT_EQ(m.questions.size(), 1U);
  EXPECT_EQ(m.questions[0].name.display(), "FRED<20>");
  EXPECT_EQ(m.questions[0].type, 0x20);
  EXPECT_EQ(m.questions[0].qclass, 1);
  expect_round_trip(*b);
}

TEST(Nbns, RegistrationRequestUsesPointerExactBytes) {
  const NbAddress a{make_nb_flags(false, NodeType::H), 0x0A000001};
  auto b = build::name_registration_request(1, name("FRED", 0x00), 300000, a, true);
  ASSERT_TRUE(b);
  EXPECT_EQ(hexs(*b), hexs(hex("0001 2910 0001 0000 0000 0001" + kFred00 +
                               "0020 0001  c00c 0020 0001 000493e0 0006 6000 0a000001")));
  auto m = parse_ok(*b);
  EXPECT_EQ(m.kind(), NbnsPacketKind::NameRegistrationRequest);
  ASSERT_EQ(m.additional.size(), 1U);
  const auto& rr = m.additional[0];
  EXPECT_TRUE(rr.name_compressed);
  EXPECT_EQ(rr.name, name("FRED", 0));
  EXPECT_EQ(rr.ttl, 300000U);
  ASSERT_EQ(rr.addresses.size(), 1U);
  EXPECT_EQ(rr.addresses[0].ont(), NodeType::H);
  EXPECT_FALSE(rr.addresses[0].group());
  EXPECT_EQ(rr.addresses[0].address, 0x0A000001U);
  expect_round_trip(*b);
}

TEST(Nbns, NodeStatusRequestExactBytes) {
  auto b = build::node_status_request(0x1337, name("*", 0), false);
  ASSERT_TRUE(b);
  EXPECT_EQ(hexs(*b), hexs(hex("1337 0000 0001 0000 0000 0000" + kStar + "0021 0001")));
  EXPECT_EQ(parse_ok(*b).kind(), NbnsPacketKind::NodeStatusRequest);
}

NodeStatistics distinct_stats() {
  NodeStatistics s;
  s.unit_id = *MacAddress::parse("00:0c:29:aa:bb:cc");
  s.jumpers = 0x11;
  s.test_result = 0x22;
  s.version_number = 0x0303;
  s.period_of_statistics = 0x0404;
  s.number_of_crcs = 0x0505;
  s.number_alignment_errors = 0x0606;
  s.number_of_collisions = 0x0707;
  s.number_send_aborts = 0x0808;
  s.number_good_sends = 0x09090909;
  s.number_good_receives = 0x0A0A0A0A;
  s.number_retransmits = 0x0B0B;
  s.number_no_resource_conditions = 0x0C0C;
  s.number_free_command_blocks = 0x0D0D;
  s.total_number_command_blocks = 0x0E0E;
  s.max_total_number_command_blocks = 0x0F0F;
  s.number_pending_sessions = 0x1010;
  s.max_number_pending_sessions = 0x1111;
  s.max_total_sessions_possible = 0x1212;
  s.session_data_packet_size = 0x1313;
  return s;
}

std::vector<NodeName> sample_table() {
  std::vector<NodeName> t;
  NodeName a;
  a.raw = name("TESTHOST", 0x00).raw;
  a.flags = kNameFlagAct;
  NodeName g;
  g.raw = name("WORKGROUP", 0x00).raw;
  g.flags = static_cast<std::uint16_t>(kNameFlagGroup | kNameFlagAct | (2U << 13));  // M-node group
  NodeName b;
  b.raw = {0x01, 0x02, '_', '_', 'M', 'S', 'B', 'R', 'O', 'W', 'S', 'E', '_', '_', 0x02, 0x01};
  b.flags = static_cast<std::uint16_t>(kNameFlagGroup | kNameFlagAct | kNameFlagPrm | kNameFlagCnf | kNameFlagDrg |
                                       (3U << 13));
  t = {a, g, b};
  return t;
}

TEST(Nbns, NodeStatusResponseAllNineteenStatistics) {
  const auto table = sample_table();
  const auto stats = distinct_stats();
  auto b = build::node_status_response(0x1337, name("*", 0), table, stats);
  ASSERT_TRUE(b);
  // Header + RR header layout, then RDATA = 1 + 3*18 + 46 = 101 = 0x65 bytes.
  EXPECT_EQ(hexs(std::vector<std::uint8_t>(b->begin(), b->begin() + 56)),
            hexs(hex("1337 8400 0000 0001 0000 0000" + kStar + "0021 0001 00000000 0065")));
  // The statistics block exactly as RFC 1002 §4.2.18 lays it out.
  EXPECT_EQ(hexs(std::vector<std::uint8_t>(b->end() - 46, b->end())),
            hexs(hex("000c29aabbcc 11 22 0303 0404 0505 0606 0707 0808 09090909 0a0a0a0a 0b0b 0c0c 0d0d 0e0e "
                     "0f0f 1010 1111 1212 1313")));
  auto m = parse_ok(*b);
  EXPECT_TRUE(m.diagnostics.empty());
  EXPECT_EQ(m.kind(), NbnsPacketKind::NodeStatusResponse);
  ASSERT_EQ(m.answers.size(), 1U);
  ASSERT_TRUE(m.answers[0].node_status);
  const auto& ns = *m.answers[0].node_status;
  EXPECT_EQ(ns.num_names, 3);
  ASSERT_EQ(ns.names.size(), 3U);
  EXPECT_EQ(ns.names, table);
  EXPECT_EQ(ns.names[0].display(), "TESTHOST<00>");
  EXPECT_FALSE(ns.names[0].group());
  EXPECT_TRUE(ns.names[0].active());
  EXPECT_EQ(ns.names[1].ont(), NodeType::M);
  EXPECT_TRUE(ns.names[1].group());
  EXPECT_EQ(ns.names[2].display(), "\\x01\\x02__MSBROWSE__\\x02<01>");
  EXPECT_EQ(ns.names[2].ont(), NodeType::H);
  EXPECT_TRUE(ns.names[2].permanent());
  EXPECT_TRUE(ns.names[2].conflict());
  EXPECT_TRUE(ns.names[2].deregistering());
  ASSERT_TRUE(ns.statistics);
  EXPECT_EQ(*ns.statistics, stats);
  EXPECT_EQ(ns.statistics->unit_id.to_string(), "00:0c:29:aa:bb:cc");
  EXPECT_EQ(ns.statistics->max_total_number_command_blocks, 0x0F0F);
  EXPECT_EQ(ns.statistics->session_data_packet_size, 0x1313);
  EXPECT_EQ(ns.statistics_bytes, 46U);
  expect_round_trip(*b);
}

TEST(Nbns, NodeStatusWithoutStatisticsKeepsNames) {
  // nbtscan loses the whole table here; we keep the names and say what was missing.
  const auto table = sample_table();
  auto b = build::node_status_response(7, name("*", 0), table, NodeStatistics{});
  ASSERT_TRUE(b);
  std::vector<std::uint8_t> cut(b->begin(), b->end() - 46);
  cut[55] = static_cast<std::uint8_t>(1 + 3 * 18);  // fix RDLENGTH low byte
  auto m = parse_ok(cut);
  ASSERT_EQ(m.answers.size(), 1U);
  const auto& ns = *m.answers[0].node_status;
  EXPECT_EQ(ns.names.size(), 3U);
  EXPECT_FALSE(ns.statistics);
  ASSERT_EQ(m.diagnostics.size(), 1U);
  EXPECT_EQ(m.diagnostics[0].id, "nbns_statistics_missing");
  EXPECT_EQ(m.diagnostics[0].offset, cut.size());
}

TEST(Nbns, NodeStatusShortStatisticsAndTruncatedCapture) {
  const auto table = sample_table();
  auto b = build::node_status_response(7, name("*", 0), table, distinct_stats());
  ASSERT_TRUE(b);
  // Capture cut 30 bytes into the statistics: RDLENGTH says 101, 85 present.
  std::vector<std::uint8_t> cut(b->begin(), b->end() - 16);
  auto m = parse_ok(cut);
  const auto& ns = *m.answers[0].node_status;
  EXPECT_EQ(ns.names.size(), 3U);
  ASSERT_TRUE(ns.statistics);
  EXPECT_EQ(ns.statistics_bytes, 30U);
  EXPECT_EQ(ns.statistics->unit_id.to_string(), "00:0c:29:aa:bb:cc");
  EXPECT_EQ(ns.statistics->number_good_receives, 0x0A0A0A0AU);  // bytes 24..27 present
  EXPECT_EQ(ns.statistics->number_retransmits, 0x0B0BU);        // bytes 28..29 present
  EXPECT_EQ(ns.statistics->number_no_resource_conditions, 0U);   // absent
  ASSERT_EQ(m.diagnostics.size(), 2U);
  EXPECT_EQ(m.diagnostics[0].id, "nbns_rdata_truncated");
  EXPECT_EQ(m.diagnostics[0].offset, 56U);
  EXPECT_EQ(m.diagnostics[1].id, "nbns_statistics_short");
}

TEST(Nbns, NumNamesBoundedByBytesPresent) {
  auto b = build::node_status_response(7, name("*", 0), sample_table(), distinct_stats());
  ASSERT_TRUE(b);
  (*b)[56] = 200;  // NUM_NAMES claims 200 entries; RDATA holds 5 entries' worth of bytes
  auto m = parse_ok(*b);
  const auto& ns = *m.answers[0].node_status;
  EXPECT_EQ(ns.num_names, 200);
  EXPECT_EQ(ns.names.size(), (101U - 1U) / 18U);
  EXPECT_FALSE(ns.statistics);
  ASSERT_FALSE(m.diagnostics.empty());
  EXPECT_EQ(m.diagnostics[0].id, "nbns_node_status_names_truncated");
}

TEST(Nbns, NumNamesZero) {
  auto b = build::node_status_response(7, name("*", 0), {}, distinct_stats());
  ASSERT_TRUE(b);
  auto m = parse_ok(*b);
  EXPECT_TRUE(m.answers[0].node_status->names.empty());
  EXPECT_TRUE(m.answers[0].node_status->statistics);
  EXPECT_TRUE(m.diagnostics.empty());
}

TEST(Nbns, EchoedQuestionWithCompressedAnswerName) {
  // A responder that echoes the question and points RR_NAME at it (impacket/nbtscan/nmap fail here).
  const std::string rdata = "01" + ascii_hex("TESTHOST") + "2020202020202000" + "0400" + std::string(92, '0');
  auto bytes = hex("0001 8400 0001 0001 0000 0000" + kStar + "0021 0001  c00c 0021 0001 00000000 0041" + rdata);
  auto m = parse_ok(bytes);
  EXPECT_EQ(m.kind(), NbnsPacketKind::NodeStatusResponse);
  ASSERT_EQ(m.answers.size(), 1U);
  EXPECT_TRUE(m.answers[0].name_compressed);
  EXPECT_TRUE(m.answers[0].name.is_wildcard());
  ASSERT_EQ(m.answers[0].node_status->names.size(), 1U);
  EXPECT_EQ(m.answers[0].node_status->names[0].display(), "TESTHOST<00>");
  EXPECT_TRUE(m.diagnostics.empty());
  expect_round_trip(bytes);
}

TEST(Nbns, NegativeQueryResponseAsDrawnWithAncountZero) {
  // RFC 1002 §4.2.14 draws ANCOUNT 0 followed by an RR.
  auto bytes = hex("0005 8583 0000 0000 0000 0000" + kFred20 + "000a 0001 00000000 0000");
  auto m = parse_ok(bytes);
  EXPECT_EQ(m.kind(), NbnsPacketKind::NegativeNameQueryResponse);
  EXPECT_EQ(m.header.rcode, 3);
  ASSERT_EQ(m.answers.size(), 1U);
  EXPECT_EQ(m.answers[0].type, 0x000A);
  ASSERT_EQ(m.diagnostics.size(), 1U);
  EXPECT_EQ(m.diagnostics[0].id, "nbns_undeclared_record");
  EXPECT_EQ(m.diagnostics[0].offset, 12U);
}

struct BuiltCase {
  std::string label;
  std::function<Result<std::vector<std::uint8_t>>()> build;
  NbnsPacketKind kind;
  std::uint16_t flags;  // expected header flags word
  std::array<std::uint16_t, 4> counts;
};

TEST(Nbns, EveryRfc1002PacketBuildsParsesClassifiesAndRoundTrips) {
  const auto n = name("HOSTA", 0x20, "corp.example");
  const NbAddress a{make_nb_flags(false, NodeType::B), 0xC0A80105};
  const NbAddress addrs[2] = {a, {make_nb_flags(true, NodeType::P), 0xC0A80106}};
  using K = NbnsPacketKind;
  const std::vector<BuiltCase> cases = {
      {"query", [&] { return build::name_query_request(1, n, false); }, K::NameQueryRequest, 0x0100, {1, 0, 0, 0}},
      {"query_bcast", [&] { return build::name_query_request(1, n, true); }, K::NameQueryRequest, 0x0110, {1, 0, 0, 0}},
      {"pos_query", [&] { return build::positive_name_query_response(2, n, 300, addrs); },
       K::PositiveNameQueryResponse, 0x8580, {0, 1, 0, 0}},
      {"pos_query_tc", [&] { return build::positive_name_query_response(2, n, 300, addrs, false, true); },
       K::PositiveNameQueryResponse, 0x8700, {0, 1, 0, 0}},
      {"neg_query", [&] { return build::negative_name_query_response(3, n, Rcode::NameError); },
       K::NegativeNameQueryResponse, 0x8583, {0, 1, 0, 0}},
      {"redirect", [&] { return build::redirect_name_query_response(4, n, "wins.corp.example", 0x0A000002, 60); },
       K::RedirectNameQueryResponse, 0x8100, {0, 0, 1, 1}},
      {"registration", [&] { return build::name_registration_request(5, n, 300, a, true); },
       K::NameRegistrationRequest, 0x2910, {1, 0, 0, 1}},
      {"overwrite", [&] { return build::name_overwrite_request(6, n, 300, a, true); }, K::NameOverwriteRequest,
       0x2810, {1, 0, 0, 1}},
      {"refresh8", [&] { return build::name_refresh_request(7, n, 300, a, false, 8); }, K::NameRefreshRequest,
       0x4000, {1, 0, 0, 1}},
      {"refresh9", [&] { return build::name_refresh_request(7, n, 300, a, false, 9); }, K::NameRefreshRequest,
       0x4800, {1, 0, 0, 1}},
      {"multihomed", [&] { return build::multihomed_registration_request(8, n, 300, a); },
       K::MultiHomedRegistrationRequest, 0x7900, {1, 0, 0, 1}},
      {"pos_reg", [&] { return build::positive_name_registration_response(9, n, 300, a); },
       K::PositiveNameRegistrationResponse, 0xAD80, {0, 1, 0, 0}},
      {"neg_reg", [&] { return build::negative_name_registration_response(10, n, 300, a, Rcode::Active); },
       K::NegativeNameRegistrationResponse, 0xAD86, {0, 1, 0, 0}},
      {"challenge", [&] { return build::end_node_challenge_registration_response(11, n, 300, a); },
       K::EndNodeChallengeResponse, 0xAD00, {0, 1, 0, 0}},
      {"conflict", [&] { return build::name_conflict_demand(12, n, NodeType::M); }, K::NameConflictDemand, 0xAD87,
       {0, 1, 0, 0}},
      {"release", [&] { return build::name_release_request(13, n, a, true); }, K::NameReleaseRequest, 0x3010,
       {1, 0, 0, 1}},
      {"pos_release", [&] { return build::positive_name_release_response(14, n, a); },
       K::PositiveNameReleaseResponse, 0xB400, {0, 1, 0, 0}},
      {"neg_release", [&] { return build::negative_name_release_response(15, n, a, Rcode::Refused); },
       K::NegativeNameReleaseResponse, 0xB405, {0, 1, 0, 0}},
      {"wack", [&] { return build::wack_response(16, n, 10, 0x2910); }, K::WackResponse, 0xBC00, {0, 1, 0, 0}},
      {"status_req", [&] { return build::node_status_request(17, n, false); }, K::NodeStatusRequest, 0x0000,
       {1, 0, 0, 0}},
      {"status_resp", [&] { return build::node_status_response(18, n, sample_table(), distinct_stats()); },
       K::NodeStatusResponse, 0x8400, {0, 1, 0, 0}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    auto b = c.build();
    ASSERT_TRUE(b) << b.error().message();
    EXPECT_EQ(((*b)[2] << 8) | (*b)[3], c.flags);
    auto m = parse_nbns(Bytes(*b), ParseOptions{NameMode::Strict});
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_EQ(to_string(m->kind()), to_string(c.kind));
    EXPECT_EQ(m->header.qdcount, c.counts[0]);
    EXPECT_EQ(m->header.ancount, c.counts[1]);
    EXPECT_EQ(m->header.nscount, c.counts[2]);
    EXPECT_EQ(m->header.arcount, c.counts[3]);
    EXPECT_TRUE(m->diagnostics.empty()) << m->diagnostics.front().id;
    if (!m->questions.empty()) {
      EXPECT_EQ(m->questions[0].name, n);
    }
    if (!m->answers.empty() && m->answers[0].name_is_netbios) {
      EXPECT_EQ(m->answers[0].name, n);
    }
    if (!m->additional.empty() && m->additional[0].name_is_netbios) {
      EXPECT_TRUE(m->additional[0].name_compressed);  // 0xC00C as RFC 1002 asks
      EXPECT_EQ(m->additional[0].name, n);
    }
    expect_round_trip(*b);
  }
}

TEST(Nbns, DecodedFieldsOfSpecialRecords) {
  const auto n = name("HOSTA", 0x20);
  auto redirect = build::redirect_name_query_response(4, n, "wins.corp.example", 0x0A000002, 60);
  auto m = parse_ok(*redirect);
  ASSERT_EQ(m.authority.size(), 1U);
  EXPECT_EQ(m.authority[0].type, 2);
  EXPECT_EQ(m.authority[0].nsd_name, "wins.corp.example");
  ASSERT_EQ(m.additional.size(), 1U);
  EXPECT_FALSE(m.additional[0].name_is_netbios);
  EXPECT_EQ(m.additional[0].dns_name, "wins.corp.example");
  EXPECT_EQ(m.additional[0].nsd_address.value_or(0), 0x0A000002U);

  auto wack = parse_ok(*build::wack_response(16, n, 10, 0x2910));
  ASSERT_EQ(wack.answers.size(), 1U);
  EXPECT_EQ(wack.answers[0].ttl, 10U);
  EXPECT_EQ(wack.answers[0].wack_flags.value_or(0), 0x2910);

  auto conflict = parse_ok(*build::name_conflict_demand(12, n, NodeType::M));
  EXPECT_EQ(conflict.answers[0].ttl, 0U);
  ASSERT_EQ(conflict.answers[0].addresses.size(), 1U);
  EXPECT_EQ(conflict.answers[0].addresses[0].nb_flags, 0x4000);
  EXPECT_EQ(conflict.answers[0].addresses[0].address, 0U);

  const NbAddress addrs[2] = {{make_nb_flags(false, NodeType::B), 1}, {make_nb_flags(true, NodeType::H), 2}};
  auto pos = parse_ok(*build::positive_name_query_response(2, n, 300, addrs));
  ASSERT_EQ(pos.answers[0].addresses.size(), 2U);
  EXPECT_TRUE(pos.answers[0].addresses[1].group());
  EXPECT_EQ(pos.answers[0].addresses[1].ont(), NodeType::H);
  EXPECT_EQ(pos.answers[0].rdlength, 12);

  EXPECT_FALSE(build::name_refresh_request(7, n, 300, addrs[0], false, 5));
}

TEST(Nbns, MalformedAndTruncatedVariants) {
  auto good = *build::name_registration_request(1, name("FRED", 0), 300, {0, 1}, false);
  struct Bad {
    std::string label;
    std::vector<std::uint8_t> bytes;
    ErrorKind kind;
    std::size_t offset;
  };
  std::vector<Bad> bad;
  bad.push_back({"runt header", hex("0001 2910 0001"), ErrorKind::Truncated, 6});
  bad.push_back({"empty", {}, ErrorKind::Truncated, 0});
  {
    auto b = good;
    b[4] = 0;
    b[5] = 65;  // QDCOUNT above the cap
    bad.push_back({"qdcount cap", b, ErrorKind::LimitExceeded, 4});
  }
  {
    auto b = good;
    b[10] = 0x01;  // ARCOUNT 257
    bad.push_back({"arcount cap", b, ErrorKind::LimitExceeded, 10});
  }
  bad.push_back({"question name cut", std::vector<std::uint8_t>(good.begin(), good.begin() + 30), ErrorKind::Truncated, 12});
  bad.push_back({"question type cut", std::vector<std::uint8_t>(good.begin(), good.begin() + 47), ErrorKind::Truncated, 46});
  bad.push_back({"rr fixed cut", std::vector<std::uint8_t>(good.begin(), good.begin() + 58), ErrorKind::Truncated, 52});
  {
    auto b = good;
    b[13] = 'Z';  // bad first-level letter in the question
    bad.push_back({"bad letter strict", b, ErrorKind::Malformed, 13});
  }
  {
    auto b = good;
    b[51] = 0x0E;  // pointer forward to itself region (0xC00E > its own offset 50? no: points to 14, ok) -> make it 0xC032
    b[50] = 0xC0;
    b[51] = 0x32;
    bad.push_back({"forward pointer", b, ErrorKind::Malformed, 50});
  }
  {
    auto b = good;
    b[5] = 2;  // QDCOUNT 2: second question missing
    b[11] = 0;
    bad.push_back({"second question missing", std::vector<std::uint8_t>(b.begin(), b.begin() + 50),
                   ErrorKind::Truncated, 50});
  }
  for (const auto& c : bad) {
    SCOPED_TRACE(c.label);
    auto m = parse_nbns(Bytes(c.bytes), ParseOptions{NameMode::Strict});
    ASSERT_FALSE(m);
    EXPECT_EQ(to_string(m.error().kind), to_string(c.kind)) << m.error().message();
    EXPECT_EQ(m.error().offset, c.offset) << m.error().message();
    EXPECT_FALSE(m.error().message().empty());
  }
  // Lenient mode keeps the bad letter and says so.
  auto b = good;
  b[13] = 'Z';
  auto lenient = parse_nbns(Bytes(b));
  ASSERT_TRUE(lenient);
  EXPECT_NE(lenient->questions[0].name.anomalies & kNameBadLetters, 0U);
}

TEST(Nbns, EveryPrefixOfEveryPacketFailsCleanlyOrDecodes) {
  const auto n = name("HOSTA", 0x20, "corp");
  const NbAddress a{0x6000, 0x7F000001};
  std::vector<std::vector<std::uint8_t>> all = {
      *build::node_status_response(1, n, sample_table(), distinct_stats()),
      *build::redirect_name_query_response(1, n, "ns.corp", 1, 1),
      *build::name_registration_request(1, n, 1, a, true),
      *build::wack_response(1, n, 1, 0x2910),
  };
  for (const auto& full : all) {
    for (std::size_t cut = 0; cut < full.size(); ++cut) {
      std::vector<std::uint8_t> part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
      auto m = parse_nbns(Bytes(part));
      if (!m) {
        EXPECT_EQ(m.error().kind, ErrorKind::Truncated) << cut << " " << m.error().message();
        EXPECT_LE(m.error().offset, cut);
      } else {
        EXPECT_FALSE(m->diagnostics.empty()) << "a cut packet must not decode silently, cut=" << cut;
      }
    }
  }
}

TEST(Nbns, TrailingBytesAreReported) {
  auto b = *build::name_query_request(1, name("A", 0), false);
  b.push_back(0xAA);
  auto m = parse_ok(b);
  ASSERT_EQ(m.diagnostics.size(), 1U);
  EXPECT_EQ(m.diagnostics[0].id, "nbns_trailing_bytes");
  EXPECT_EQ(m.diagnostics[0].offset, b.size() - 1);
}

TEST(Nbns, NamesOfCodes) {
  EXPECT_EQ(opcode_name(9), "refresh_alt");
  EXPECT_EQ(opcode_name(15), "multihomed_registration");
  EXPECT_EQ(rcode_name(7), "CFT_ERR");
  EXPECT_EQ(rcode_name(3), "NAM_ERR");
  EXPECT_EQ(node_type_letter(NodeType::H), 'H');
}

}  // namespace
}  // namespace netseen::netbios
