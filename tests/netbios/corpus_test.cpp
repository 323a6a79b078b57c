// The public corpus (../shared/corpus): every NetBIOS packet decodes, or fails with exactly
// the diagnostic it deserves, and the names agree with what tcpdump, nDPI, arkime and zeek
// publish for the same captures. The captures are read with the tiny pcap walker in
// pcap_util.hpp (src/ingest is a later layer).
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "netbios/netbios.hpp"
#include "pcap_util.hpp"

namespace netseen::netbios {
namespace {

using testing::CapturedPayload;
using testing::read_pcap_payloads;

const std::string kCorpus = std::string(NETSEEN_SOURCE_DIR) + "/../shared/corpus/";

std::optional<std::vector<CapturedPayload>> load(const std::string& rel) {
  const std::string path = kCorpus + rel;
  if (!std::filesystem::exists(path)) return std::nullopt;
  auto p = read_pcap_payloads(path);
  EXPECT_TRUE(p) << "cannot walk " << path;
  return p;
}

#define LOAD_OR_SKIP(var, rel)                                                         \
  auto var = load(rel);                                                                \
  if (!var) GTEST_SKIP() << "../shared/corpus/" << (rel) << " is absent; skipping"

std::string read_text(const std::string& rel) {
  std::ifstream in(kCorpus + rel);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string dotted(std::uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xFF, (a >> 8) & 0xFF, a & 0xFF);
}

// tcpdump's one-line NBNS summary: "QUERY; REQUEST; BROADCAST".
std::string tcpdump_summary(const NbnsMessage& m) {
  std::string op(opcode_name(m.header.opcode));
  for (auto& c : op) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt::format("{}; {}; {}", op, m.header.response ? "RESPONSE" : "REQUEST",
                     m.header.broadcast() ? "BROADCAST" : "UNICAST");
}

std::string printable(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c >= 0x20 && c < 0x7F) out += c;
  }
  return out;
}

TEST(NetbiosCorpus, TcpdumpEapon1) {
  LOAD_OR_SKIP(pkts, "tcpdump/tests/eapon1.pcap");
  // Expected per-frame summaries from tcpdump's published output.
  std::map<std::size_t, std::string> want;
  const std::regex line(R"(^\s*(\d+)\s.*NBT UDP PACKET\(137\): (.*)$)");
  std::istringstream out(read_text("tcpdump/tests/eapon1.out"));
  for (std::string l; std::getline(out, l);) {
    std::smatch m;
    if (std::regex_match(l, m, line)) want[std::stoul(m[1])] = m[2];
  }
  ASSERT_EQ(want.size(), 36U);
  std::size_t nbns = 0, nbds = 0, browser = 0;
  std::set<std::string> names;
  for (const auto& p : *pkts) {
    if (p.proto != 17) continue;
    if (p.dport == 137) {
      auto m = parse_nbns(Bytes(p.payload), ParseOptions{NameMode::Strict});
      ASSERT_TRUE(m) << "frame " << p.frame << ": " << m.error().message();
      EXPECT_TRUE(m->diagnostics.empty()) << "frame " << p.frame << ": " << m->diagnostics.front().id;
      ASSERT_EQ(want.count(p.frame), 1U) << p.frame;
      EXPECT_EQ(tcpdump_summary(*m), want[p.frame]) << "frame " << p.frame;
      for (const auto& q : m->questions) names.insert(q.name.display());
      ++nbns;
    } else if (p.dport == 138) {
      auto m = parse_nbds(Bytes(p.payload), ParseOptions{NameMode::Strict});
      ASSERT_TRUE(m) << "frame " << p.frame << ": " << m.error().message();
      EXPECT_TRUE(m->diagnostics.empty()) << "frame " << p.frame;
      auto slot = parse_mailslot(Bytes(m->user_data));
      ASSERT_TRUE(slot) << "frame " << p.frame << ": " << slot.error().message();
      EXPECT_EQ(slot->mailslot, "\\MAILSLOT\\BROWSE");
      auto b = parse_browser(Bytes(slot->data));
      ASSERT_TRUE(b) << "frame " << p.frame << ": " << b.error().message();
      EXPECT_NE(browser_opcode_name(b->opcode), "Unknown");
      ++nbds;
      ++browser;
    }
  }
  EXPECT_EQ(nbns, 36U);
  EXPECT_EQ(nbds, 17U);
  std::printf("[ corpus ] eapon1: %zu NBNS (summaries = tcpdump), %zu NBDS, %zu browser frames, names:", nbns, nbds,
              browser);
  for (const auto& n : names) std::printf(" %s", n.c_str());
  std::printf("\n");
}

TEST(NetbiosCorpus, TcpdumpNbnsValgrindNameRunsPastCapture) {
  LOAD_OR_SKIP(pkts, "tcpdump/tests/nbns-valgrind.pcap");
  ASSERT_EQ(pkts->size(), 1U);
  const auto& p = pkts->front();
  ASSERT_EQ(p.dport, 137);
  auto m = parse_nbns(Bytes(p.payload));
  // tcpdump prints "Name= [|nbt_udp137]": the question name runs off the captured bytes.
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, ErrorKind::Truncated);
  EXPECT_EQ(m.error().offset, 12U);
  EXPECT_NE(m.error().detail.find("runs past the end"), std::string::npos) << m.error().message();
  std::printf("[ corpus ] nbns-valgrind: %s\n", m.error().message().c_str());
}

TEST(NetbiosCorpus, NdpiNetbiosHostnames) {
  LOAD_OR_SKIP(pkts, "nDPI/tests/cfgs/default/pcap/netbios.pcap");
  // Every NetBIOS packet decodes.
  std::size_t nbns = 0, nbds = 0, nbss = 0, status_responses = 0;
  for (const auto& p : *pkts) {
    if (p.proto == 17 && (p.dport == 137 || p.sport == 137) && !p.payload.empty()) {
      auto m = parse_nbns(Bytes(p.payload));
      ASSERT_TRUE(m) << "frame " << p.frame << ": " << m.error().message();
      for (const auto& d : m->diagnostics) ADD_FAILURE() << "frame " << p.frame << ": " << d.id << " " << d.detail;
      if (m->kind() == NbnsPacketKind::NodeStatusResponse) {
        ++status_responses;
        ASSERT_TRUE(m->answers[0].node_status);
        EXPECT_FALSE(m->answers[0].node_status->names.empty());
        EXPECT_TRUE(m->answers[0].node_status->statistics);
      }
      ++nbns;
    } else if (p.proto == 17 && p.dport == 138) {
      auto m = parse_nbds(Bytes(p.payload));
      ASSERT_TRUE(m) << "frame " << p.frame << ": " << m.error().message();
      ++nbds;
    } else if (p.proto == 6 && p.dport == 139 && !p.payload.empty()) {
      auto h = parse_nbss_header(Bytes(p.payload), Framing::Nbss);
      ASSERT_TRUE(h) << "frame " << p.frame;
      if (h->type == 0x81) {
        auto r = parse_session_request(Bytes(p.payload).subspan(4), ParseOptions{NameMode::Strict});
        ASSERT_TRUE(r) << r.error().message();
        std::printf("[ corpus ] nDPI session request %s -> %s\n", r->calling.display().c_str(),
                    r->called.display().c_str());
      }
      ++nbss;
    }
  }
  EXPECT_GT(nbns, 250U);
  EXPECT_EQ(status_responses, 4U);
  // Flow lines: "UDP a:p -> b:q ... [Hostname/SNI: name]". nDPI names a flow after the
  // first packet's name (question, else answer, on 137; source name on 138), lower-cased.
  const std::regex flow(R"(UDP (\d+\.\d+\.\d+\.\d+):(\d+) <?-> (\d+\.\d+\.\d+\.\d+):(\d+) .*\[Hostname/SNI: ([^\]]+)\])");
  std::istringstream out(read_text("nDPI/tests/cfgs/default/result/netbios.pcap.out"));
  std::size_t checked = 0;
  for (std::string l; std::getline(out, l);) {
    std::smatch m;
    if (!std::regex_search(l, m, flow)) continue;
    const std::string src = m[1], dst = m[3], want = m[5];
    const auto sport = static_cast<std::uint16_t>(std::stoul(m[2]));
    const auto dport = static_cast<std::uint16_t>(std::stoul(m[4]));
    std::optional<std::string> got;
    for (const auto& p : *pkts) {
      if (p.proto != 17 || dotted(p.src) != src || dotted(p.dst) != dst || p.sport != sport || p.dport != dport) {
        continue;
      }
      if (dport == 137) {
        auto nm = parse_nbns(Bytes(p.payload));
        if (nm && !nm->questions.empty()) {
          got = nm->questions[0].name.base();
        } else if (nm && !nm->answers.empty()) {
          got = nm->answers[0].name.base();  // a response without the question echoed
        }
      } else {
        auto dm = parse_nbds(Bytes(p.payload));
        if (dm && dm->source_name) got = dm->source_name->base();
      }
      if (got) break;
    }
    ASSERT_TRUE(got) << l;
    std::string lower = *got;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(lower, want) << l;
    ++checked;
  }
  EXPECT_GE(checked, 13U);
  std::printf("[ corpus ] nDPI netbios.pcap: %zu NBNS (%zu node status responses), %zu NBDS, %zu NBSS, %zu flow names = nDPI\n",
              nbns, status_responses, nbds, nbss, checked);
}

TEST(NetbiosCorpus, ArkimeNbnsNames) {
  LOAD_OR_SKIP(pkts, "arkime/tests/pcap/nbns.pcap");
  std::set<std::string> ours;
  std::size_t nbns = 0, nbds = 0;
  for (const auto& p : *pkts) {
    if (p.proto != 17) continue;
    if (p.dport == 137) {
      auto m = parse_nbns(Bytes(p.payload), ParseOptions{NameMode::Strict});
      ASSERT_TRUE(m) << "frame " << p.frame << ": " << m.error().message();
      EXPECT_TRUE(m->diagnostics.empty());
      for (const auto& q : m->questions) ours.insert(printable(q.name.base()));
      ++nbns;
    } else if (p.dport == 138) {
      auto m = parse_nbds(Bytes(p.payload), ParseOptions{NameMode::Strict});
      ASSERT_TRUE(m) << "frame " << p.frame << ": " << m.error().message();
      auto slot = parse_mailslot(Bytes(m->user_data));
      ASSERT_TRUE(slot) << slot.error().message();
      ASSERT_TRUE(parse_browser(Bytes(slot->data)));
      ++nbds;
    }
  }
  // arkime's expected sessions list the question names (non-printable bytes dropped).
  std::set<std::string> theirs;
  const std::string test = read_text("arkime/tests/pcap/nbns.test");
  const std::regex block(R"("name" : \[([^\]]*)\])");
  const std::regex item("\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(test.begin(), test.end(), block); it != std::sregex_iterator(); ++it) {
    const std::string inner = (*it)[1];
    for (auto jt = std::sregex_iterator(inner.begin(), inner.end(), item); jt != std::sregex_iterator(); ++jt) {
      theirs.insert((*jt)[1]);
    }
  }
  ASSERT_FALSE(theirs.empty());
  EXPECT_EQ(ours, theirs);
  std::printf("[ corpus ] arkime nbns.pcap: %zu NBNS, %zu NBDS; %zu names = arkime\n", nbns, nbds, ours.size());
}

std::vector<std::pair<std::uint8_t, std::uint32_t>> frames_to_139(const std::vector<CapturedPayload>& pkts,
                                                                  NbssFramer& f) {
  std::vector<std::pair<std::uint8_t, std::uint32_t>> out;
  for (const auto& p : pkts) {
    if (p.proto != 6 || p.dport != 139 || p.payload.empty()) continue;
    f.feed(Bytes(p.payload));
    while (true) {
      auto r = f.next();
      EXPECT_TRUE(r) << r.error().message();
      if (!r || !*r) break;
      out.emplace_back((*r)->header.type, (*r)->header.length);
    }
  }
  return out;
}

TEST(NetbiosCorpus, ZeekSplitSessionMessage) {
  LOAD_OR_SKIP(pkts, "zeek/testing/btest/Traces/netbios/netbios-split-session-msg.pcap");
  NbssFramer f;
  const auto frames = frames_to_139(*pkts, f);
  // Zeek's baseline: netbios_session_message(is_orig=T, type 0, len 32) then (T, 0, 4).
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0], (std::pair<std::uint8_t, std::uint32_t>{0, 32}));
  EXPECT_EQ(frames[1], (std::pair<std::uint8_t, std::uint32_t>{0, 4}));
  EXPECT_EQ(f.pending_header(), nullptr);
}

TEST(NetbiosCorpus, ZeekTruncatedSessionMessage) {
  LOAD_OR_SKIP(pkts, "zeek/testing/btest/Traces/netbios/netbios-truncated-session-msg.pcap");
  NbssFramer f;
  const auto frames = frames_to_139(*pkts, f);
  // Zeek: truncated_netbios_message "(100 < 65535)". The framer holds the 65535-byte
  // message's header with 65435 bytes still missing, and produced no frame for it.
  EXPECT_TRUE(frames.empty());
  ASSERT_NE(f.pending_header(), nullptr);
  EXPECT_EQ(f.pending_header()->type, 0);
  EXPECT_EQ(f.pending_header()->length, 65535U);
  EXPECT_EQ(f.missing_payload(), 65535U - 100U);
}

}  // namespace
}  // namespace netseen::netbios
