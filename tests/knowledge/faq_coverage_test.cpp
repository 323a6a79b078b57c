// Every port, ICMP type/code, RPC program and NetBIOS suffix the founding firewall FAQ
// (../shared/reference/003_*.txt) talks about has an entry in the built-in knowledge base.
// The lists below were written from a reading of the FAQ; a second test cross-checks the
// FAQ's port table itself when ../shared is present.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "knowledge/kb.hpp"

namespace netseen::knowledge {
namespace {

struct P {
  std::uint16_t port;
  char proto;  // 't', 'u', or 'e' (either protocol is enough)
};

// §1.1 common probes, §1.2 source ports, §1.4 trojan table, §1.10 game ports, §1.12 remaps,
// §5.2 sscan list, §5.3 proxies.
const std::vector<P> kFaqPorts{
    {0, 'e'},     {1, 't'},     {7, 'u'},     {7, 't'},     {11, 't'},    {19, 'u'},    {19, 't'},
    {20, 't'},    {21, 't'},    {22, 't'},    {22, 'u'},    {23, 't'},    {25, 't'},    {53, 'u'},
    {53, 't'},    {67, 'u'},    {68, 'u'},    {69, 'u'},    {79, 't'},    {80, 't'},    {81, 't'},
    {88, 't'},    {98, 't'},    {109, 't'},   {110, 't'},   {111, 't'},   {111, 'u'},   {113, 't'},
    {119, 't'},   {123, 'u'},   {135, 't'},   {137, 'u'},   {138, 'u'},   {139, 't'},   {143, 't'},
    {161, 'u'},   {162, 'u'},   {177, 'u'},   {445, 't'},   {513, 'u'},   {535, 'u'},   {555, 't'},
    {600, 't'},   {635, 'u'},   {635, 't'},   {1024, 'e'},  {1025, 'e'},  {1026, 'e'},  {1027, 'e'},
    {1080, 't'},  {1114, 't'},  {1243, 't'},  {1524, 't'},  {2049, 't'},  {2766, 't'},  {3128, 't'},
    {3129, 't'},  {3130, 'u'},  {4000, 'u'},  {5632, 'u'},  {6000, 't'},  {6670, 't'},  {6711, 't'},
    {6776, 't'},  {6969, 't'},  {6970, 'u'},  {7070, 't'},  {7170, 'u'},  {7777, 'u'},  {7778, 'u'},
    {8000, 't'},  {8001, 't'},  {8080, 't'},  {8888, 't'},  {12345, 't'}, {13223, 't'}, {17027, 't'},
    {21544, 't'}, {22450, 'u'}, {23456, 't'}, {26000, 'u'}, {26900, 'u'}, {26950, 'u'}, {27015, 'u'},
    {27374, 't'}, {27500, 'u'}, {27910, 'u'}, {27961, 'u'}, {28000, 'u'}, {28008, 'u'}, {28910, 'u'},
    {30100, 't'}, {31337, 't'}, {31337, 'u'}, {31789, 'u'}, {31790, 'u'}, {32770, 't'}, {32900, 'u'},
    {33434, 'u'}, {33600, 'u'}, {41508, 'u'}, {50505, 't'}, {61000, 'e'}, {65535, 'e'},
};

TEST(FaqCoverage, EveryPortHasAnEntry) {
  const auto& kb = builtin_kb();
  for (const auto& p : kFaqPorts) {
    const auto* t = kb.port(Proto::Tcp, p.port);
    const auto* u = kb.port(Proto::Udp, p.port);
    if (p.proto == 't') {
      EXPECT_NE(t, nullptr) << p.port << "/tcp";
    } else if (p.proto == 'u') {
      EXPECT_NE(u, nullptr) << p.port << "/udp";
    } else {
      EXPECT_TRUE(t != nullptr || u != nullptr) << p.port;
    }
  }
}

TEST(FaqCoverage, TrojanTableIsTaggedTrojan) {
  const auto& kb = builtin_kb();
  for (const int port : {555, 1243, 3129, 6670, 6711, 6776, 6969, 12345, 21544, 23456, 27374, 30100, 31337, 50505}) {
    const auto* t = kb.port(Proto::Tcp, static_cast<std::uint16_t>(port));
    ASSERT_NE(t, nullptr) << port;
    EXPECT_TRUE(t->has(tag::kTrojan)) << port;
  }
  EXPECT_TRUE(kb.port(Proto::Udp, 31789)->has(tag::kTrojan));
  for (const int port : {7777, 7778, 22450, 26000, 26900, 26950, 27015, 27500, 27910, 28000, 28910}) {
    const auto* u = kb.port(Proto::Udp, static_cast<std::uint16_t>(port));
    ASSERT_NE(u, nullptr) << port;
    EXPECT_TRUE(u->has(tag::kGame)) << port;
  }
}

// §2 summary table and subsections, §8.1.
TEST(FaqCoverage, EveryIcmpTypeAndCodeHasAnEntry) {
  const auto& kb = builtin_kb();
  const std::vector<std::pair<int, int>> with_code{{3, 0}, {3, 1}, {3, 3}, {3, 4}, {11, 0}, {11, 1}};
  for (const auto& [type, code] : with_code) {
    const auto* i = kb.icmp(static_cast<std::uint8_t>(type), static_cast<std::uint8_t>(code));
    ASSERT_NE(i, nullptr) << type << "/" << code;
    ASSERT_TRUE(i->code.has_value()) << type << "/" << code << " has only a type row";
    EXPECT_EQ(*i->code, code);
  }
  for (const int type : {0, 3, 4, 5, 8, 9, 11, 12}) {
    EXPECT_NE(kb.icmp_type(static_cast<std::uint8_t>(type)), nullptr) << type;
  }
}

// §7.3.1 portmapper procedures and §7.3.2 program numbers.
TEST(FaqCoverage, EveryRpcProgramAndPortmapperProcedureHasAnEntry) {
  const auto& kb = builtin_kb();
  for (const std::uint32_t prog : {100000U, 100001U, 100002U, 100005U, 100008U, 100068U, 100083U, 100232U, 300019U,
                                   300055U, 300214U, 390109U, 200100001U}) {
    EXPECT_NE(kb.rpc(prog), nullptr) << prog;
  }
  const char* names[] = {"NULL", "SET", "UNSET", "GETPORT", "DUMP", "CALLIT"};
  for (std::uint32_t proc = 0; proc < 6; ++proc) {
    const auto* p = kb.rpc_proc(100000, proc);
    ASSERT_NE(p, nullptr) << proc;
    EXPECT_EQ(p->name, names[proc]);
  }
}

// §10.5: the node-status query for "*<00>"; the suffixes every NetBIOS tool names
// (../shared/research/protocol-anchors.md: impacket's TYPE_* constants, nbtscan, Wireshark).
TEST(FaqCoverage, EveryNetbiosSuffixHasAnEntry) {
  const auto& kb = builtin_kb();
  for (const int s : {0x00, 0x01, 0x03, 0x06, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24,
                               0x2B, 0x30, 0x31, 0x43, 0x44, 0x45, 0x46, 0x4C, 0x52, 0x6A, 0x87, 0xBE, 0xBF}) {
    EXPECT_NE(kb.nb_suffix(static_cast<std::uint8_t>(s)), nullptr) << std::hex << s;
  }
  EXPECT_NE(kb.nb_special("__MSBROWSE__", 0x01), nullptr);
}

// §3: address ranges the FAQ names.
TEST(FaqCoverage, EveryAddressRangeHasAnEntry) {
  const auto& kb = builtin_kb();
  for (const char* a : {"10.1.2.3", "192.168.1.1", "172.16.0.1", "172.31.255.1", "127.0.0.1", "192.0.2.55",
                        "169.254.3.4", "0.0.0.0", "255.255.255.255"}) {
    EXPECT_NE(kb.special_block(*IpAddress::parse(a)), nullptr) << a;
  }
  EXPECT_EQ(kb.registry_of(*IpAddress::parse("24.1.2.3")), "ARIN");  // the FAQ's cable-modem range
}

// Cross-check against the FAQ text itself: every "NNNN name" line of §1.1 (the common
// probes table) must have a port entry. Skips when ../shared is absent.
TEST(FaqCoverage, FaqPortTableLinesAllHaveEntries) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(NETSEEN_SOURCE_DIR) / ".." / "shared" / "reference";
  std::error_code ec;
  fs::path faq;
  if (fs::is_directory(dir, ec)) {
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().filename().string().rfind("003_", 0) == 0) faq = e.path();
    }
  }
  if (faq.empty()) GTEST_SKIP() << "the firewall FAQ (../shared/reference/003_*.txt) is not available";
  std::ifstream f(faq);
  std::string line;
  bool in_table = false;
  std::set<int> ports;
  const std::regex row(R"(^(\d{1,5})( ~ \d+| - \d+)? [A-Za-z-])");
  while (std::getline(f, line)) {
    if (line.rfind("1.1 What are some common incoming", 0) == 0) in_table = true;
    if (line.rfind("1.2 What do the following source ports", 0) == 0) break;
    std::smatch m;
    if (in_table && std::regex_search(line, m, row)) ports.insert(std::stoi(m[1].str()));
  }
  ASSERT_GT(ports.size(), 40U) << "the FAQ's table was not found in " << faq;
  const auto& kb = builtin_kb();
  for (const int p : ports) {
    if (p > 65535) continue;
    const auto port = static_cast<std::uint16_t>(p);
    EXPECT_TRUE(kb.port(Proto::Tcp, port) != nullptr || kb.port(Proto::Udp, port) != nullptr)
        << "FAQ §1.1 names port " << p;
  }
}

}  // namespace
}  // namespace netseen::knowledge
