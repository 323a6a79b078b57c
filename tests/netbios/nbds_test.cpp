#include "netbios/nbds.hpp"

#include <gtest/gtest.h>

#include "core/limits.hpp"
#include "netbios/browser.hpp"
#include "test_util.hpp"

namespace netseen::netbios {
namespace {

using testing::ascii_hex;
using testing::hex;
using testing::hexs;

NetbiosName name(std::string_view n, std::uint8_t suffix) { return *NetbiosName::make(n, suffix); }

NbdsMessage direct_group(std::vector<std::uint8_t> data) {
  NbdsMessage m;
  m.type = 0x11;
  m.flags = kNbdsFlagFirst | (1U << 2);  // F, SNT = P
  m.dgm_id = 0xBEEF;
  m.source_ip = 0xC0A80105;
  m.source_port = 138;
  m.source_name = name("HOSTA", 0x00);
  m.destination_name = name("WORKGROUP", 0x1D);
  m.user_data = std::move(data);
  return m;
}

TEST(Nbds, DirectGroupExactBytesAndFields) {
  auto b = serialize_nbds(direct_group({0xDE, 0xAD}));
  ASSERT_TRUE(b);
  const std::string hosta00 = "20" + ascii_hex("EIEPFDFEEBCACACACACACACACACACAAA") + "00";
  const std::string wg1d = "20" + ascii_hex("FHEPFCELEHFCEPFFFACACACACACACABN") + "00";
  EXPECT_EQ(hexs(*b), hexs(hex("11 06 beef c0a80105 008a 0046 0000" + hosta00 + wg1d + "dead")));
  auto m = parse_nbds(Bytes(*b), ParseOptions{NameMode::Strict});
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(datagram_type_name(m->type), "direct_group");
  EXPECT_TRUE(m->first());
  EXPECT_FALSE(m->more());
  EXPECT_EQ(m->node_type(), SourceNodeType::P);
  EXPECT_EQ(m->dgm_id, 0xBEEF);
  EXPECT_EQ(m->source_ip, 0xC0A80105U);
  EXPECT_EQ(m->source_port, 138);
  EXPECT_EQ(m->dgm_length, 0x46);
  EXPECT_EQ(m->source_name->display(), "HOSTA<00>");
  EXPECT_EQ(m->destination_name->display(), "WORKGROUP<1d>");
  EXPECT_EQ(m->user_data, (std::vector<std::uint8_t>{0xDE, 0xAD}));
  EXPECT_TRUE(m->diagnostics.empty());
  auto again = serialize_nbds(*m);
  EXPECT_EQ(*again, *b);
}

TEST(Nbds, AllSevenTypesRoundTrip) {
  for (std::uint8_t t = 0x10; t <= 0x16; ++t) {
    SCOPED_TRACE(static_cast<int>(t));
    NbdsMessage m = direct_group({1, 2, 3});
    m.type = t;
    if (t == 0x13) {
      m.error_code = kDgmErrDestinationNameNotPresent;
    }
    auto b = serialize_nbds(m);
    ASSERT_TRUE(b);
    auto p = parse_nbds(Bytes(*b));
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_EQ(p->type, t);
    EXPECT_NE(datagram_type_name(t), "unknown");
    if (t <= 0x12) {
      EXPECT_EQ(p->user_data.size(), 3U);
      EXPECT_TRUE(p->source_name);
    } else if (t == 0x13) {
      EXPECT_EQ(b->size(), 11U);
      EXPECT_EQ(p->error_code, 0x82);
      EXPECT_EQ(datagram_error_meaning(p->error_code), "Destination name not present");
      EXPECT_FALSE(p->destination_name);
    } else {
      EXPECT_EQ(b->size(), 10U + 34U);
      EXPECT_EQ(p->destination_name->display(), "WORKGROUP<1d>");
      EXPECT_FALSE(p->source_name);
    }
    EXPECT_TRUE(p->diagnostics.empty());
    EXPECT_EQ(*serialize_nbds(*p), *b);
  }
}

TEST(Nbds, MalformedAndTruncated) {
  auto good = *serialize_nbds(direct_group({1, 2, 3}));
  struct Bad {
    std::string label;
    std::vector<std::uint8_t> bytes;
    ErrorKind kind;
    std::size_t offset;
  };
  std::vector<Bad> bad;
  bad.push_back({"runt", std::vector<std::uint8_t>(good.begin(), good.begin() + 9), ErrorKind::Truncated, 9});
  bad.push_back({"no length", std::vector<std::uint8_t>(good.begin(), good.begin() + 12), ErrorKind::Truncated, 10});
  bad.push_back({"source name cut", std::vector<std::uint8_t>(good.begin(), good.begin() + 30), ErrorKind::Truncated, 14});
  {
    auto b = good;
    b[0] = 0x20;
    bad.push_back({"unknown type", b, ErrorKind::Unsupported, 0});
  }
  {
    auto b = good;
    b[10] = 0;
    b[11] = 40;  // DGM_LENGTH shorter than the two names (68)
    bad.push_back({"length shorter than names", b, ErrorKind::Malformed, 10});
  }
  bad.push_back({"error code missing", hex("13 02 0001 0a000001 008a"), ErrorKind::Truncated, 10});
  for (const auto& c : bad) {
    SCOPED_TRACE(c.label);
    auto m = parse_nbds(Bytes(c.bytes));
    ASSERT_FALSE(m);
    EXPECT_EQ(to_string(m.error().kind), to_string(c.kind)) << m.error().message();
    EXPECT_EQ(m.error().offset, c.offset) << m.error().message();
  }
}

TEST(Nbds, DeclaredLengthBeyondCaptureIsToleratedAndReported) {
  auto b = *serialize_nbds(direct_group({1, 2, 3, 4, 5}));
  ASSERT_GT(b.size(), 3U);
  b.erase(b.end() - 3, b.end());
  auto m = parse_nbds(Bytes(b));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->user_data, (std::vector<std::uint8_t>{1, 2}));
  ASSERT_EQ(m->diagnostics.size(), 1U);
  EXPECT_EQ(m->diagnostics[0].id, "nbds_length_exceeds_data");
  auto extra = *serialize_nbds(direct_group({1}));
  extra.push_back(9);
  auto m2 = parse_nbds(Bytes(extra));
  ASSERT_TRUE(m2);
  EXPECT_EQ(m2->user_data.size(), 1U);
  EXPECT_EQ(m2->diagnostics[0].id, "nbds_trailing_bytes");
}

std::vector<NbdsMessage> fragments(const std::vector<std::uint8_t>& data, std::size_t piece, std::uint16_t id = 7) {
  std::vector<NbdsMessage> out;
  for (std::size_t off = 0; off < data.size(); off += piece) {
    NbdsMessage f = direct_group({});
    f.type = 0x12;
    f.dgm_id = id;
    f.user_data.assign(data.begin() + static_cast<std::ptrdiff_t>(off),
                       data.begin() + static_cast<std::ptrdiff_t>(std::min(off + piece, data.size())));
    f.packet_offset = static_cast<std::uint16_t>(off);
    f.flags = static_cast<std::uint8_t>((off == 0 ? kNbdsFlagFirst : 0) | (off + piece < data.size() ? kNbdsFlagMore : 0));
    out.push_back(f);
  }
  return out;
}

TEST(NbdsReassembly, JoinsFragmentsInOrder) {
  std::vector<std::uint8_t> data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  auto frags = fragments(data, 300);
  ASSERT_EQ(frags.size(), 4U);
  NbdsReassembler re;
  for (std::size_t i = 0; i + 1 < frags.size(); ++i) {
    // Each fragment survives a wire round trip first.
    auto wire = serialize_nbds(frags[i]);
    auto parsed = parse_nbds(Bytes(*wire));
    ASSERT_TRUE(parsed);
    EXPECT_FALSE(re.feed(*parsed, 100 * i));
  }
  EXPECT_EQ(re.pending(), 1U);
  auto done = re.feed(frags.back(), 400);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->user_data, data);
  EXPECT_TRUE(done->first());
  EXPECT_FALSE(done->more());
  EXPECT_EQ(done->source_name->display(), "HOSTA<00>");
  EXPECT_EQ(re.pending(), 0U);
  EXPECT_EQ(re.stats().completed, 1U);
}

TEST(NbdsReassembly, UnfragmentedPassesThrough) {
  NbdsReassembler re;
  auto m = direct_group({1});
  auto out = re.feed(m, 0);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->user_data, m.user_data);
  EXPECT_EQ(re.pending(), 0U);
}

TEST(NbdsReassembly, TimeoutDropsAndGapsAreRejected) {
  std::vector<std::uint8_t> data(900, 0x55);
  auto frags = fragments(data, 300);
  NbdsReassembler re(2000);
  EXPECT_FALSE(re.feed(frags[0], 0));
  EXPECT_FALSE(re.feed(frags[1], 2500));  // first fragment expired before this one arrived
  EXPECT_EQ(re.stats().expired, 1U);
  EXPECT_EQ(re.stats().out_of_order, 1U);
  EXPECT_EQ(re.pending(), 0U);
  // A gap (fragment 2 before fragment 1) drops the datagram.
  EXPECT_FALSE(re.feed(frags[0], 10000));
  EXPECT_FALSE(re.feed(frags[2], 10001));
  EXPECT_EQ(re.stats().overlaps, 1U);
  EXPECT_EQ(re.pending(), 0U);
}

TEST(NbdsReassembly, MemoryIsBounded) {
  NbdsReassembler re(1'000'000);
  // Far more concurrent datagrams than the cap: the oldest are evicted.
  for (std::uint16_t id = 0; id < 1000; ++id) {
    auto f = fragments(std::vector<std::uint8_t>(20, 1), 10, id);
    EXPECT_FALSE(re.feed(f[0], id));
  }
  EXPECT_EQ(re.pending(), limits::kMaxNbdsPendingDatagrams);
  EXPECT_EQ(re.stats().evicted, 1000U - limits::kMaxNbdsPendingDatagrams);
  // One datagram growing beyond the byte cap is dropped.
  NbdsReassembler big;
  std::vector<std::uint8_t> data(limits::kMaxNbdsReassemblyBytes + 500, 2);
  auto frags = fragments(data, 500, 42);
  for (const auto& f : frags) EXPECT_FALSE(big.feed(f, 0));
  EXPECT_EQ(big.stats().oversized, 1U);
  EXPECT_EQ(big.pending(), 0U);
}

// --- browser protocol -------------------------------------------------------------

BrowserMessage host_announcement() {
  BrowserMessage b;
  b.opcode = 1;
  b.update_count = 3;
  b.periodicity_ms = 720000;
  b.server_name = "HOSTA";
  b.os_major = 10;
  b.os_minor = 0;
  b.server_type = kSvTypeWorkstation | kSvTypeServer | kSvTypeNt;
  b.browser_major = 15;
  b.browser_minor = 1;
  b.signature = 0xAA55;
  b.comment = "file server";
  return b;
}

TEST(Browser, HostAnnouncementExactBytesThroughMailslotAndNbds) {
  auto frame = build_browser(host_announcement());
  ASSERT_TRUE(frame);
  EXPECT_EQ(hexs(*frame), hexs(hex("01 03 80fc0a00" + ascii_hex("HOSTA") + "0000000000000000000000 0a 00 03100000 0f 01 55aa" +
                                   ascii_hex("file server") + "00")));
  auto slot = build_mailslot("\\MAILSLOT\\BROWSE", Bytes(*frame));
  NbdsMessage dg = direct_group(slot);
  dg.type = 0x12;
  auto wire = serialize_nbds(dg);
  auto parsed = parse_nbds(Bytes(*wire));
  ASSERT_TRUE(parsed);
  auto ms = parse_mailslot(Bytes(parsed->user_data));
  ASSERT_TRUE(ms) << ms.error().message();
  EXPECT_EQ(ms->mailslot, "\\MAILSLOT\\BROWSE");
  EXPECT_EQ(ms->opcode, 1);
  EXPECT_EQ(ms->mailslot_class, 2);
  auto b = parse_browser(Bytes(ms->data));
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(browser_opcode_name(b->opcode), "HostAnnouncement");
  EXPECT_EQ(b->update_count, 3);
  EXPECT_EQ(b->periodicity_ms, 720000U);
  EXPECT_EQ(b->server_name, "HOSTA");
  EXPECT_EQ(b->os_major, 10);
  EXPECT_EQ(b->server_type, 0x1003U);
  EXPECT_EQ(b->browser_major, 15);
  EXPECT_EQ(b->browser_minor, 1);
  EXPECT_EQ(b->signature, 0xAA55);
  EXPECT_EQ(b->comment, "file server");
  EXPECT_TRUE(b->notes.empty());
}

TEST(Browser, EveryOpcodeRoundTrips) {
  std::vector<BrowserMessage> all;
  for (int op : {1, 12, 15}) {
    auto m = host_announcement();
    m.opcode = static_cast<std::uint8_t>(op);
    all.push_back(m);
  }
  BrowserMessage req;
  req.opcode = 2;
  req.server_name = "HOSTB";
  all.push_back(req);
  BrowserMessage el;
  el.opcode = 8;
  el.election_version = 1;
  el.election_criteria = 0x20011003;
  el.uptime_ms = 123456;
  el.server_name = "HOSTC";
  all.push_back(el);
  BrowserMessage gbl;
  gbl.opcode = 9;
  gbl.count = 4;
  gbl.token = 77;
  all.push_back(gbl);
  BrowserMessage gblr;
  gblr.opcode = 10;
  gblr.count = 2;
  gblr.token = 77;
  gblr.backup_servers = {"B1", "B2"};
  all.push_back(gblr);
  for (int op : {11, 13}) {
    BrowserMessage s;
    s.opcode = static_cast<std::uint8_t>(op);
    s.server_name = "MASTER";
    all.push_back(s);
  }
  BrowserMessage reset;
  reset.opcode = 14;
  reset.reset_options = 2;
  all.push_back(reset);
  for (const auto& m : all) {
    SCOPED_TRACE(static_cast<int>(m.opcode));
    auto bytes = build_browser(m);
    ASSERT_TRUE(bytes);
    auto p = parse_browser(Bytes(*bytes));
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_NE(browser_opcode_name(p->opcode), "Unknown");
    EXPECT_EQ(p->server_name, m.server_name);
    EXPECT_EQ(p->election_criteria, m.election_criteria);
    EXPECT_EQ(p->uptime_ms, m.uptime_ms);
    EXPECT_EQ(p->token, m.token);
    EXPECT_EQ(p->backup_servers, m.backup_servers);
    EXPECT_EQ(p->reset_options, m.reset_options);
    EXPECT_EQ(p->comment, m.comment);
    EXPECT_TRUE(p->notes.empty());
    EXPECT_EQ(*build_browser(*p), *bytes);
  }
}

TEST(Browser, TruncatedAndUnknown) {
  auto frame = *build_browser(host_announcement());
  for (std::size_t cut = 0; cut < 32; ++cut) {
    auto p = parse_browser(Bytes(frame.data(), cut));
    ASSERT_FALSE(p) << cut;
    EXPECT_EQ(p.error().kind, ErrorKind::Truncated);
  }
  // Comment without terminator: decoded, noted.
  auto p = parse_browser(Bytes(frame.data(), frame.size() - 1));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->comment, "file server");
  ASSERT_EQ(p->notes.size(), 1U);
  EXPECT_EQ(p->notes[0], "comment_unterminated");
  const std::uint8_t unknown[] = {0x63, 0};
  auto u = parse_browser(Bytes(unknown));
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().kind, ErrorKind::Unsupported);
}

TEST(Browser, MailslotErrors) {
  auto slot = build_mailslot("\\MAILSLOT\\BROWSE", Bytes(*build_browser(host_announcement())));
  {
    auto b = slot;
    b[0] = 0xFE;
    auto r = parse_mailslot(Bytes(b));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
    EXPECT_EQ(r.error().offset, 0U);
  }
  {
    auto b = slot;
    b[4] = 0x72;
    auto r = parse_mailslot(Bytes(b));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Unsupported);
  }
  {
    auto r = parse_mailslot(Bytes(slot.data(), slot.size() - 5));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Truncated);
  }
  {
    auto b = slot;
    b[32] = 5;  // WordCount below 14
    auto r = parse_mailslot(Bytes(b));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
    EXPECT_EQ(r.error().offset, 32U);
  }
  for (std::size_t cut = 0; cut < slot.size(); ++cut) {
    auto r = parse_mailslot(Bytes(slot.data(), cut));
    EXPECT_FALSE(r) << cut;
  }
}

}  // namespace
}  // namespace netseen::netbios
