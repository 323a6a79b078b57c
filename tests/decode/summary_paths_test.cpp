// The allocation-free summary paths (netbios::walk_nbns behind decode_nbns) must give exactly
// the Event the full parser gives: compared field by field on every kind of built message and
// on thousands of mutations of them (byte changes, truncations, appended bytes).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "decode/layers.hpp"
#include "frame_builder.hpp"
#include "netbios/browser.hpp"
#include "netbios/nbds.hpp"
#include "netbios/nbns.hpp"

namespace netseen::decode {
namespace {

using Msg = std::vector<std::uint8_t>;

std::string describe(const NbName& n) {
  return to_hex(Bytes(n.raw)) + "/" + n.scope + "/" + std::to_string(n.flags) + "/" + (n.has_flags ? "f" : "-");
}

// Every field of the Event decode_nbns writes, as one comparable string.
std::string describe(const Event& ev) {
  std::string s = std::string(to_string(ev.app)) + ";";
  if (ev.nbns) {
    const Nbns& n = *ev.nbns;
    s += "id=" + std::to_string(n.id) + " r=" + std::to_string(n.response) + " op=" + std::to_string(n.opcode) +
         " nm=" + std::to_string(n.nm_flags) + " rc=" + std::to_string(n.rcode) + " c=" + std::to_string(n.qdcount) +
         "," + std::to_string(n.ancount) + "," + std::to_string(n.nscount) + "," + std::to_string(n.arcount);
    s += " q=" + (n.question ? describe(*n.question) : std::string("none")) + " qt=" + std::to_string(n.qtype);
    s += " addrs=";
    for (const auto& a : n.nb_addresses) s += a.to_string() + ",";
    s += " names=";
    for (const auto& nn : n.node_status_names) s += describe(nn) + ",";
    s += " unit=" + (n.unit_id ? n.unit_id->to_string() : std::string("none"));
  } else {
    s += "no-nbns";
  }
  if (ev.dns) {
    s += " dns id=" + std::to_string(ev.dns->id) + " q=" + ev.dns->qname + " qt=" + std::to_string(ev.dns->qtype) +
         " an=" + std::to_string(ev.dns->answers) + " ptr=";
    for (const auto& t : ev.dns->ptr_targets) s += t + ",";
  }
  if (ev.nbds) {
    const Nbds& d = *ev.nbds;
    s += " nbds type=" + std::to_string(d.msg_type) + " src=" + (d.source_name ? describe(*d.source_name) : "none") +
         " dst=" + (d.destination_name ? describe(*d.destination_name) : "none") + " slot=" + d.mailslot +
         " op=" + std::to_string(d.browser_opcode) + " server=" + d.server_name;
  }
  s += " anomalies=";
  for (const auto& a : ev.anomalies) s += a.id + ":" + a.detail + "|";
  return s;
}

std::string run(const Msg& m, bool full) {
  Event ev;
  const DecodeOptions opt;
  detail::Ctx c{ev, opt};
  if (full) detail::decode_nbns_full(ByteReader(Bytes(m)), c);
  else detail::decode_nbns(ByteReader(Bytes(m)), c);
  return describe(ev);
}

std::string run_nbds(const Msg& m, bool full) {
  Event ev;
  const DecodeOptions opt;
  detail::Ctx c{ev, opt};
  if (full) detail::decode_nbds_full(ByteReader(Bytes(m)), c);
  else detail::decode_nbds(ByteReader(Bytes(m)), c);
  return describe(ev);
}

std::vector<Msg> built_datagrams() {
  using namespace netbios;  // NOLINT(google-build-using-namespace)
  std::vector<Msg> out;
  BrowserMessage host;
  host.opcode = 1;
  host.server_name = "FILESERVER01";
  host.comment = "files";
  BrowserMessage election;
  election.opcode = 8;
  election.server_name = "MASTERBROWSERNAME";
  const std::vector<std::uint8_t> frames[] = {*build_browser(host), *build_browser(election), {0x42, 1, 2}};
  const NetbiosName names[] = {*NetbiosName::make("WORKSTATION1", 0x00), *NetbiosName::make("WORKGROUP", 0x1d),
                               *NetbiosName::make("HOST", 0x20, "corp.example")};
  for (const std::uint8_t type : {std::uint8_t{0x10}, std::uint8_t{0x11}, std::uint8_t{0x12}}) {
    for (std::size_t i = 0; i < 3; ++i) {
      NbdsMessage m;
      m.type = type;
      m.flags = static_cast<std::uint8_t>(i == 2 ? kNbdsFlagMore : kNbdsFlagFirst);  // a later fragment too
      m.dgm_id = static_cast<std::uint16_t>(0x100 + i);
      m.source_ip = 0xC0A80105;
      m.source_name = names[i];
      m.destination_name = names[(i + 1) % 3];
      m.user_data = build_mailslot(i == 1 ? "\\MAILSLOT\\LANMAN" : "\\MAILSLOT\\BROWSE", Bytes(frames[i]));
      auto b = serialize_nbds(m);
      if (b) out.push_back(std::move(*b));
      m.user_data.clear();
      b = serialize_nbds(m);
      if (b) out.push_back(std::move(*b));
    }
  }
  NbdsMessage q;
  q.type = 0x14;
  q.destination_name = names[0];
  if (auto b = serialize_nbds(q)) out.push_back(std::move(*b));
  NbdsMessage e;
  e.type = 0x13;
  e.error_code = 0x82;
  if (auto b = serialize_nbds(e)) out.push_back(std::move(*b));
  return out;
}

TEST(SummaryPaths, DatagramsMatchTheFullParser) {
  std::mt19937 rng(138);
  std::size_t checked = 0, fast = 0;
  const auto dgrams = built_datagrams();
  ASSERT_EQ(dgrams.size(), 20U);
  for (const auto& base : dgrams) {
    netbios::NbdsSummary s;
    if (netbios::summarize_nbds(Bytes(base), s)) ++fast;
    ASSERT_EQ(run_nbds(base, false), run_nbds(base, true)) << to_hex(Bytes(base));
    for (std::size_t len = 0; len <= base.size() + 2; ++len) {
      Msg m(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(std::min(len, base.size())));
      while (m.size() < len) m.push_back(static_cast<std::uint8_t>(rng()));
      ASSERT_EQ(run_nbds(m, false), run_nbds(m, true)) << to_hex(Bytes(m));
      ++checked;
    }
    for (std::size_t at = 0; at < base.size(); ++at) {
      for (const std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0x20}, std::uint8_t{0x61}, std::uint8_t{0xc0},
                                   std::uint8_t{0xff}, static_cast<std::uint8_t>(rng())}) {
        Msg m = base;
        m[at] = v;
        ASSERT_EQ(run_nbds(m, false), run_nbds(m, true)) << to_hex(Bytes(m));
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 5000U);
  EXPECT_EQ(fast, 18U);  // every data datagram takes the summary path; query and error do not
}

struct Walked final : netbios::NbnsVisitor {
  void on_header(const netbios::NbnsHeader&) override {}
  void on_question(const netbios::NbnsNameRef&, std::uint16_t) override {}
  void on_record(netbios::NbnsSection, const netbios::NbnsNameRef&, std::uint16_t) override {}
  void on_address(netbios::NbnsSection, const netbios::NbAddress&) override {}
  void on_node_status(netbios::NbnsSection, std::size_t) override {}
  void on_node_name(netbios::NbnsSection, const netbios::NodeName&) override {}
  void on_unit_id(netbios::NbnsSection, const MacAddress&) override {}
};

std::vector<Msg> built_messages() {
  using namespace netbios;  // NOLINT(google-build-using-namespace)
  std::vector<Msg> out;
  auto add = [&out](Result<std::vector<std::uint8_t>> r) {
    ASSERT_TRUE(r.has_value());
    out.push_back(std::move(*r));
  };
  const NetbiosName host = *NetbiosName::make("WORKSTATION1", 0x20);
  const NetbiosName scoped = *NetbiosName::make("FILESRV", 0x20, "corp.example");
  const NetbiosName group = *NetbiosName::make("WORKGROUP", 0x1e);
  const NetbiosName star = *NetbiosName::make("*", 0x00);
  const NbAddress a1{make_nb_flags(false, NodeType::H), 0xC0A8010A};
  const NbAddress a2{make_nb_flags(true, NodeType::B), 0x0A000001};
  const std::vector<NbAddress> many(40, a1);  // more than the 32 kept on the event
  for (const NetbiosName* n : {&host, &scoped, &group, &star}) {
    add(build::name_query_request(0x1001, *n, true));
    add(build::positive_name_query_response(0x1002, *n, 300, std::vector<NbAddress>{a1, a2}));
    add(build::positive_name_query_response(0x1003, *n, 300, many));
    add(build::negative_name_query_response(0x1004, *n, Rcode::NameError));
    add(build::redirect_name_query_response(0x1005, *n, "wins.corp.example", 0x0A000002, 60));
    add(build::name_registration_request(0x1006, *n, 300000, a2, true));
    add(build::name_overwrite_request(0x1007, *n, 300000, a1, false));
    add(build::name_refresh_request(0x1008, *n, 300000, a1, false, 9));
    add(build::multihomed_registration_request(0x1009, *n, 300000, a1));
    add(build::positive_name_registration_response(0x100a, *n, 300000, a1));
    add(build::negative_name_registration_response(0x100b, *n, 300000, a1, Rcode::Active));
    add(build::end_node_challenge_registration_response(0x100c, *n, 300000, a1));
    add(build::name_conflict_demand(0x100d, *n, NodeType::H));
    add(build::name_release_request(0x100e, *n, a1, true));
    add(build::positive_name_release_response(0x100f, *n, a1));
    add(build::negative_name_release_response(0x1010, *n, a1, Rcode::Refused));
    add(build::wack_response(0x1011, *n, 2, 0x2910));
    add(build::node_status_request(0x1337, *n, false));
    std::vector<NodeName> names(3);
    for (std::size_t i = 0; i < names.size(); ++i) {
      names[i].raw = host.raw;
      names[i].raw[15] = static_cast<std::uint8_t>(i);
      names[i].flags = static_cast<std::uint16_t>(kNameFlagAct | (i == 1 ? kNameFlagGroup : 0));
    }
    NodeStatistics st;
    st.unit_id = MacAddress{{0x00, 0x0c, 0x29, 0x01, 0x02, 0x03}};
    add(build::node_status_response(0x1337, *n, names, st));
    add(build::node_status_response(0x1338, *n, {}, st));
  }
  // Hand-made combinations the builders never produce: records in every section, for the
  // question name and for others, flags that differ between answer and additional, NBSTAT
  // outside the answer section, several questions.
  auto nb = [](const NetbiosName& n, std::vector<NbAddress> addrs) {
    NbnsResourceRecord rr;
    rr.name = n;
    rr.type = static_cast<std::uint16_t>(RrType::NB);
    rr.addresses = std::move(addrs);
    return rr;
  };
  for (int variant = 0; variant < 4; ++variant) {
    NbnsMessage m;
    m.header.id = static_cast<std::uint16_t>(0x2000 + variant);
    m.header.response = variant % 2 == 0;
    if (variant < 2) m.questions.push_back(NbnsQuestion{host, static_cast<std::uint16_t>(RrType::NB), kClassIn});
    if (variant == 3) m.questions.push_back(NbnsQuestion{group, static_cast<std::uint16_t>(RrType::NBSTAT), kClassIn});
    m.answers.push_back(nb(group, {a2}));
    m.answers.push_back(nb(host, {a1, a2}));
    m.authority.push_back(nb(host, {a2}));
    m.additional.push_back(nb(scoped, {a1}));
    m.additional.push_back(nb(host, {a2, a1}));
    m.additional.push_back(nb(host, {}));
    NbnsResourceRecord ns;
    ns.name = host;
    ns.type = static_cast<std::uint16_t>(RrType::NBSTAT);
    NodeName entry;
    entry.raw = scoped.raw;
    NodeStatistics st;
    st.unit_id = MacAddress{{0x02, 0, 0, 0, 0, static_cast<std::uint8_t>(variant)}};
    ns.rdata = node_status_rdata(std::vector<NodeName>(3, entry), st);
    m.additional.push_back(ns);
    m.header.qdcount = static_cast<std::uint16_t>(m.questions.size());
    m.header.ancount = static_cast<std::uint16_t>(m.answers.size());
    m.header.nscount = static_cast<std::uint16_t>(m.authority.size());
    m.header.arcount = static_cast<std::uint16_t>(m.additional.size());
    add(serialize_nbns(m));
  }
  return out;
}

TEST(SummaryPaths, CleanBuiltMessagesTakeTheWalkAndMatchTheFullParser) {
  std::size_t walked = 0;
  const auto msgs = built_messages();
  ASSERT_GT(msgs.size(), 60U);
  for (const auto& m : msgs) {
    Walked w;
    if (netbios::walk_nbns(Bytes(m), w)) ++walked;
    EXPECT_EQ(run(m, false), run(m, true)) << to_hex(Bytes(m));
  }
  // Redirects (NS record, DNS owner) are the full parser's; nearly everything else is walked.
  EXPECT_GE(walked, msgs.size() - 8);
}

TEST(SummaryPaths, MutatedMessagesMatchTheFullParser) {
  std::mt19937 rng(20261130);
  std::size_t checked = 0, walked = 0;
  for (const auto& base : built_messages()) {
    // Every truncation, plus a few bytes appended.
    for (std::size_t len = 0; len <= base.size() + 3; ++len) {
      Msg m(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(std::min(len, base.size())));
      while (m.size() < len) m.push_back(static_cast<std::uint8_t>(rng()));
      ASSERT_EQ(run(m, false), run(m, true)) << to_hex(Bytes(m));
      ++checked;
    }
    // Single-byte changes at every position (interesting values and random ones).
    for (std::size_t at = 0; at < base.size(); ++at) {
      for (const std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0x01}, std::uint8_t{0x20}, std::uint8_t{0x3f},
                                   std::uint8_t{0xc0}, std::uint8_t{0xff}, static_cast<std::uint8_t>(rng())}) {
        Msg m = base;
        m[at] = v;
        ASSERT_EQ(run(m, false), run(m, true)) << to_hex(Bytes(m));
        Walked w;
        if (netbios::walk_nbns(Bytes(m), w)) ++walked;
        ++checked;
      }
    }
    // Several random changes at once.
    for (int k = 0; k < 50; ++k) {
      Msg m = base;
      for (int j = 0; j < 4; ++j) m[rng() % m.size()] = static_cast<std::uint8_t>(rng());
      ASSERT_EQ(run(m, false), run(m, true)) << to_hex(Bytes(m));
      ++checked;
    }
  }
  EXPECT_GT(checked, 10000U);
  EXPECT_GT(walked, 1000U);  // the comparison covered the walk, not only the fallback
}

// A reader reuses one Event and one EventStorage packet after packet: every Event must be
// the one a fresh Event gives, whatever came before (buffers move, content never does).
TEST(SummaryPaths, ReusedEventAndStorageGiveTheEventsOfFreshOnes) {
  using namespace netseen::testing;  // NOLINT(google-build-using-namespace)
  const V4 a{192, 168, 1, 10};
  const V4 b{192, 168, 1, 20};
  std::vector<Buf> frames;
  auto udp_frame = [&](std::uint16_t sport, std::uint16_t dport, const Buf& payload) {
    return ethernet(0x0800, ipv4(a, b, 17, udp(a, b, sport, dport, payload)));
  };
  frames.push_back(udp_frame(40000, 53, dns(1, false, "a-rather-long-host-name.example.org", 1)));
  frames.push_back(udp_frame(40000, 53, dns(2, false, "short", 1)));
  frames.push_back(udp_frame(53, 40000, dns(3, true, "4.3.2.1.in-addr.arpa", 12, 0, "printer.example.org")));
  for (const auto& m : built_messages()) frames.push_back(udp_frame(137, 137, m));
  for (const auto& d : built_datagrams()) frames.push_back(udp_frame(138, 138, d));
  frames.push_back(udp_frame(5000, 6000, Buf(40, 0x41)));
  std::mt19937 rng(99);
  std::vector<std::size_t> order;
  for (int round = 0; round < 4; ++round) {
    for (std::size_t i = 0; i < frames.size(); ++i) order.push_back(round == 0 ? i : rng() % frames.size());
  }
  Event reused;
  EventStorage spare;
  std::size_t compared = 0;
  for (const std::size_t i : order) {
    const Buf& f = frames[i];
    const auto len = static_cast<std::uint32_t>(f.size());
    Event fresh;
    ASSERT_EQ(decode_frame(linktype::kEthernet, Bytes(f), len, {}, fresh), nullptr);
    reset_event(reused, spare);
    ASSERT_EQ(decode_frame(linktype::kEthernet, Bytes(f), len, {}, reused, spare), nullptr);
    ASSERT_EQ(describe(reused), describe(fresh)) << "frame " << i;
    ++compared;
  }
  EXPECT_GT(compared, 300U);
  // The buffers really travel: after the run the spare holds some of them.
  EXPECT_TRUE(spare.dns_qname.capacity() > 15 || (reused.dns && reused.dns->qname.capacity() > 15));
}

}  // namespace
}  // namespace netseen::decode
