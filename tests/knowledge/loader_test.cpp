// The table loader: good files (user overrides), and one deliberately broken file per kind
// of mistake in tests/knowledge/bad/*.kb, each with its exact diagnostics in <name>.expect.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "knowledge/kb.hpp"

namespace netseen::knowledge {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string diagnostics_of(const LoadReport& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += d.to_string() + "\n";
  return out;
}

const fs::path kHere = fs::path(NETSEEN_SOURCE_DIR) / "tests" / "knowledge";

TEST(Loader, EveryBrokenFileGivesItsExactDiagnostics) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kHere / "bad")) {
    if (e.path().extension() == ".kb") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 12U);
  for (const auto& f : files) {
    auto expect_path = f;
    expect_path.replace_extension(".expect");
    ASSERT_TRUE(fs::exists(expect_path)) << expect_path;
    KnowledgeBase kb;
    LoadReport report;
    kb.load_text(f.filename().string(), slurp(f), report);
    EXPECT_FALSE(report.ok()) << f;
    EXPECT_EQ(diagnostics_of(report), slurp(expect_path)) << f;
  }
}

TEST(Loader, ValidRowsOfABrokenFileAreStillLoaded) {
  KnowledgeBase kb;
  LoadReport report;
  kb.load_text("ports_bad_rows.kb", slurp(kHere / "bad" / "ports_bad_rows.kb"), report);
  EXPECT_FALSE(report.ok());
  ASSERT_NE(kb.port(Proto::Tcp, 22), nullptr);
  EXPECT_EQ(kb.port(Proto::Tcp, 22)->service, "ssh");
  EXPECT_EQ(kb.port(Proto::Udp, 53), nullptr);  // its row had a bad tag
}

TEST(Loader, LongLinesAndNulBytesAreReported) {
  std::string text = "# netseen-kb ttl 1\ninitial | os_family | note\n";
  text += "64 | " + std::string(5000, 'x') + " | long\n";
  static constexpr char kNul[] = "128 | Win\0dows | nul\n";
  text += std::string(kNul, sizeof(kNul) - 1);
  text += "255 | gear | fine\r\n";  // CRLF is accepted
  KnowledgeBase kb;
  LoadReport report;
  kb.load_text("long.kb", text, report);
  EXPECT_EQ(diagnostics_of(report), "long.kb:3: line is longer than 4096 bytes\nlong.kb:4: NUL byte in line\n");
  EXPECT_EQ(kb.ttl(250).initial, 255);
  EXPECT_EQ(kb.ttl(250).os_family, "gear");
  EXPECT_EQ(kb.counts().ttl, 1U);
}

TEST(Loader, UserFileOverridesAndExtendsTheBuiltinTables) {
  const std::vector<std::string> extra{(kHere / "good" / "site_ports.kb").string()};
  LoadReport report;
  auto kb = KnowledgeBase::load(extra, report);
  ASSERT_TRUE(kb.has_value()) << diagnostics_of(report);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(kb->port(Proto::Tcp, 22)->service, "ssh (bastion only)");
  EXPECT_EQ(kb->port(Proto::Udp, 22)->service, builtin_kb().port(Proto::Udp, 22)->service);  // untouched
  EXPECT_EQ(kb->port(Proto::Tcp, 40000)->service, "payroll-app");
  EXPECT_EQ(kb->port(Proto::Udp, 40050)->service, "site media range");
  EXPECT_EQ(kb->port(Proto::Tcp, 40050), nullptr);
  EXPECT_EQ(kb->counts().ports, builtin_kb().counts().ports + 2);  // 22 replaced in place
  EXPECT_EQ(kb->port(Proto::Udp, 137)->service, "netbios-ns");     // the rest is still there
  EXPECT_EQ(builtin_kb().port(Proto::Tcp, 22)->service, "ssh");    // the shared copy is untouched
}

TEST(Loader, WiderRowLoadedLaterDoesNotHideANarrowerOne) {
  KnowledgeBase kb;
  LoadReport report;
  kb.load_text("a.kb",
               "# netseen-kb ports 1\nproto | port | service | tags | meaning | advice\n"
               "udp | 5000 | single | - | m | -\n",
               report);
  kb.load_text("b.kb",
               "# netseen-kb ports 1\nproto | port | service | tags | meaning | advice\n"
               "udp | 4000-6000 | range | - | m | -\n"
               "udp | 5000 | single replaced | - | m | -\n",
               report);
  EXPECT_TRUE(report.ok()) << diagnostics_of(report);
  EXPECT_EQ(kb.port(Proto::Udp, 5000)->service, "single replaced");
  EXPECT_EQ(kb.port(Proto::Udp, 4999)->service, "range");
  EXPECT_EQ(kb.port(Proto::Udp, 6001), nullptr);
}

TEST(Loader, UnreadableFileIsOneDiagnosticAndLoadFails) {
  const std::vector<std::string> extra{"/nonexistent/netseen/site.kb"};
  LoadReport report;
  auto kb = KnowledgeBase::load(extra, report);
  EXPECT_FALSE(kb.has_value());
  EXPECT_EQ(diagnostics_of(report), "/nonexistent/netseen/site.kb:0: cannot open file\n");
}

TEST(Loader, BrokenUserFileMakesLoadFailWithItsDiagnostics) {
  const std::vector<std::string> extra{(kHere / "bad" / "icmp_bad_rows.kb").string()};
  LoadReport report;
  auto kb = KnowledgeBase::load(extra, report);
  ASSERT_FALSE(kb.has_value());
  EXPECT_EQ(report.diagnostics.size(), 5U);
  EXPECT_NE(kb.error().detail.find("icmp_bad_rows.kb:3: unknown family 'v5'"), std::string::npos)
      << kb.error().detail;
}

}  // namespace
}  // namespace netseen::knowledge
