// summarize_browser (decode's hot path) must fail exactly when parse_browser fails and give
// the same opcode and server name; checked on built frames of every opcode, on every
// truncation of them and on random frames.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "netbios/browser.hpp"

namespace netseen::netbios {
namespace {

void expect_same(const std::vector<std::uint8_t>& f) {
  const auto full = parse_browser(Bytes(f));
  const auto sum = summarize_browser(Bytes(f));
  ASSERT_EQ(full.has_value(), sum.has_value()) << to_hex(Bytes(f));
  if (!full) {
    EXPECT_EQ(full.error().message(), sum.error().message());
    return;
  }
  EXPECT_EQ(full->opcode, sum->opcode);
  EXPECT_EQ(full->server_name, std::string(sum->server_name.begin(), sum->server_name.end())) << to_hex(Bytes(f));
}

std::vector<std::vector<std::uint8_t>> built_frames() {
  std::vector<std::vector<std::uint8_t>> out;
  for (const int op : {1, 2, 8, 9, 10, 11, 12, 13, 14, 15}) {
    BrowserMessage m;
    m.opcode = static_cast<std::uint8_t>(op);
    m.server_name = op == 1 ? "FILESERVER01" : "MASTER";
    m.comment = "Samba server comment";
    m.backup_servers = {"B1", "B2"};
    auto f = build_browser(m);
    EXPECT_TRUE(f.has_value());
    if (f) out.push_back(*f);
  }
  return out;
}

TEST(BrowserSummary, AgreesWithParseBrowser) {
  const auto frames = built_frames();
  ASSERT_EQ(frames.size(), 10U);
  std::size_t named = 0;
  for (const auto& f : frames) {
    const auto s = summarize_browser(Bytes(f));
    ASSERT_TRUE(s.has_value());
    if (!s->server_name.empty()) ++named;
    for (std::size_t len = 0; len <= f.size(); ++len) {
      expect_same(std::vector<std::uint8_t>(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(len)));
    }
  }
  EXPECT_GE(named, 7U);  // announcements, election, announcement request, become backup, master
  std::mt19937 rng(4242);
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::uint8_t> f(rng() % 48);
    for (auto& b : f) b = static_cast<std::uint8_t>(rng() % 4 == 0 ? 0 : rng());
    if (!f.empty()) f[0] = static_cast<std::uint8_t>(rng() % 17);
    expect_same(f);
  }
}

TEST(BrowserSummary, MailslotViewMatchesParseMailslot) {
  const std::vector<std::uint8_t> frame = {1, 2, 3};
  const auto wrapped = build_mailslot("\\MAILSLOT\\BROWSE", Bytes(frame));
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    auto m = wrapped;
    if (i > 0) m[rng() % m.size()] = static_cast<std::uint8_t>(rng());
    if (i % 3 == 0) m.resize(rng() % (m.size() + 1));
    const auto full = parse_mailslot(Bytes(m));
    const auto view = parse_mailslot_view(Bytes(m));
    ASSERT_EQ(full.has_value(), view.has_value());
    if (!full) continue;
    EXPECT_EQ(full->mailslot, std::string(view->mailslot.begin(), view->mailslot.end()));
    EXPECT_EQ(full->data, std::vector<std::uint8_t>(view->data.begin(), view->data.end()));
    EXPECT_EQ(full->priority, view->priority);
  }
}

}  // namespace
}  // namespace netseen::netbios
