// The optional --geoip country database (knowledge::GeoIp over libmaxminddb), on MaxMind
// DB files that tools/gen_mmdb.py writes (documentation networks only), and on broken and
// hostile files: every one gives a clear error or no country, never a crash or a wrong one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "knowledge/geoip.hpp"

namespace netseen::knowledge {
namespace {

namespace fs = std::filesystem;

IpAddress ip(const char* s) {
  auto a = IpAddress::parse(s);
  EXPECT_TRUE(a.has_value()) << s;
  return a.value_or(IpAddress{});
}

class GeoIpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "SKIP: /usr/bin/python3 is needed to write the test database";
    dir_ = fs::temp_directory_path() / ("netseen-geoip-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  // Runs tools/gen_mmdb.py with `args`; returns the path written.
  std::string gen(const std::string& name, const std::string& args = "") {
    const auto out = (dir_ / name).string();
    const std::string cmd = std::string("/usr/bin/python3 ") + NETSEEN_SOURCE_DIR + "/tools/gen_mmdb.py " + out + " " + args;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return out;
  }
  // Writes a database of the given networks through gen_mmdb.build() (a Python literal list).
  std::string gen_custom(const std::string& name, const std::string& networks) {
    const auto out = (dir_ / name).string();
    const auto script = (dir_ / (name + ".py")).string();
    std::ofstream(script) << "import sys\nsys.path.insert(0, '" << NETSEEN_SOURCE_DIR << "/tools')\n"
                          << "import gen_mmdb\nopen('" << out << "', 'wb').write(gen_mmdb.build(" << networks << "))\n";
    EXPECT_EQ(std::system(("/usr/bin/python3 " + script).c_str()), 0);
    return out;
  }
  std::string write(const std::string& name, const std::string& bytes) {
    const auto out = (dir_ / name).string();
    std::ofstream(out, std::ios::binary) << bytes;
    return out;
  }
  static std::string read(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }
  fs::path dir_;
};

TEST_F(GeoIpTest, CountriesOfTheTestNetworks) {
  auto g = GeoIp::open(gen("test.mmdb"));
  ASSERT_TRUE(g.has_value()) << g.error().detail;
  EXPECT_EQ(g->ip_version(), 6U);
  EXPECT_EQ(g->database_type(), "netseen-Test-Country");
  EXPECT_EQ(g->build_epoch(), 1700000000U);

  auto nl = g->country(ip("192.0.2.7"));
  ASSERT_TRUE(nl.has_value()) << nl.error().detail;
  ASSERT_TRUE(nl->has_value());
  EXPECT_EQ((*nl)->code, "NL");
  EXPECT_EQ((*nl)->name, "Netherlands");
  EXPECT_FALSE((*nl)->registered_only);

  EXPECT_EQ(g->country(ip("198.51.100.5")).value()->code, "JP");
  // 198.51.100.128/25 (KR) lies inside 198.51.100.0/24 (JP): the longest match wins.
  EXPECT_EQ(g->country(ip("198.51.100.200")).value()->code, "KR");
  EXPECT_EQ(g->country(ip("198.51.100.127")).value()->code, "JP");
  EXPECT_EQ(g->country(ip("2001:db8::1")).value()->name, "Brazil");
  EXPECT_EQ(g->country(ip("2001:db8:ffff:ffff::1")).value()->code, "BR");

  // Only the registered country: reported as such.
  auto au = g->country(ip("203.0.113.9"));
  ASSERT_TRUE(au.has_value() && au->has_value());
  EXPECT_EQ((*au)->code, "AU");
  EXPECT_EQ((*au)->name, "Australia");
  EXPECT_TRUE((*au)->registered_only);

  for (const char* none : {"192.0.3.1", "8.8.8.8", "0.0.0.0", "255.255.255.255", "::1", "2001:db9::1", "fe80::1"}) {
    auto c = g->country(ip(none));
    ASSERT_TRUE(c.has_value()) << none << ": " << c.error().detail;
    EXPECT_FALSE(c->has_value()) << none;
  }
}

TEST_F(GeoIpTest, EveryRecordSizeAndAnIpv4OnlyDatabase) {
  for (const char* rs : {"24", "28", "32"}) {
    auto g = GeoIp::open(gen(std::string("v4-") + rs + ".mmdb", std::string("--ip-version 4 --record-size ") + rs));
    ASSERT_TRUE(g.has_value()) << rs << ": " << g.error().detail;
    EXPECT_EQ(g->ip_version(), 4U);
    EXPECT_EQ(g->country(ip("192.0.2.1")).value()->code, "NL") << rs;
    EXPECT_EQ(g->country(ip("198.51.100.255")).value()->code, "KR") << rs;
    // An IPv6 address in an IPv4-only database: no country, not an error.
    auto v6 = g->country(ip("2001:db8::1"));
    ASSERT_TRUE(v6.has_value()) << rs;
    EXPECT_FALSE(v6->has_value()) << rs;

    auto g6 = GeoIp::open(gen(std::string("v6-") + rs + ".mmdb", std::string("--record-size ") + rs));
    ASSERT_TRUE(g6.has_value()) << rs << ": " << g6.error().detail;
    EXPECT_EQ(g6->country(ip("2001:db8::2")).value()->code, "BR") << rs;
    EXPECT_EQ(g6->country(ip("192.0.2.255")).value()->code, "NL") << rs;
  }
}

TEST_F(GeoIpTest, MissingFileDirectoryAndNonDatabasesAreClearErrors) {
  const auto missing = (dir_ / "nope.mmdb").string();
  auto m = GeoIp::open(missing);
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().kind, ErrorKind::Io);
  EXPECT_NE(m.error().detail.find(missing), std::string::npos) << m.error().detail;
  EXPECT_NE(m.error().detail.find("cannot open"), std::string::npos) << m.error().detail;

  auto d = GeoIp::open(dir_.string());
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().kind, ErrorKind::Io);
  EXPECT_NE(d.error().detail.find("not a regular file"), std::string::npos) << d.error().detail;

  const std::string text = "192.0.2.0/24,NL,Netherlands\n";  // a CSV, not a MaxMind DB
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"empty.mmdb", ""}, {"csv.mmdb", text}, {"marker-only.mmdb", "\xab\xcd\xefMaxMind.com"}}) {
    auto g = GeoIp::open(write(name, bytes));
    ASSERT_FALSE(g.has_value()) << name;
    EXPECT_EQ(g.error().kind, ErrorKind::Malformed) << name;
    EXPECT_NE(g.error().detail.find("not a valid MaxMind DB"), std::string::npos) << g.error().detail;
  }
}

TEST_F(GeoIpTest, TruncatedDatabasesAreRejectedOrGiveNoWrongCountry) {
  const auto good = read(gen("test.mmdb"));
  ASSERT_GT(good.size(), 100U);
  for (std::size_t keep = 0; keep < good.size(); keep += 97) {
    auto g = GeoIp::open(write("cut.mmdb", good.substr(0, keep)));
    if (!g) {
      EXPECT_EQ(g.error().kind, ErrorKind::Malformed) << keep;
      continue;
    }
    // The metadata survived; every lookup must still stay inside the file.
    for (const char* a : {"192.0.2.7", "198.51.100.200", "2001:db8::1", "8.8.8.8"}) {
      auto c = g->country(ip(a));
      if (c && c->has_value()) {
        EXPECT_EQ((*c)->code.size(), 2U);
      }
    }
  }
}

TEST_F(GeoIpTest, BitFlippedDatabasesNeverCrashOrReturnGarbage) {
  const auto good = read(gen("test.mmdb"));
  std::mt19937 rng(1234);
  std::uniform_int_distribution<std::size_t> pos(0, good.size() - 1);
  std::uniform_int_distribution<int> bit(0, 7);
  int opened = 0;
  for (int round = 0; round < 300; ++round) {
    std::string bad = good;
    for (int k = 0; k < 1 + round % 4; ++k) bad[pos(rng)] ^= static_cast<char>(1 << bit(rng));
    auto g = GeoIp::open(write("flip.mmdb", bad));
    if (!g) continue;
    ++opened;
    for (const char* a : {"192.0.2.7", "198.51.100.5", "198.51.100.200", "203.0.113.9", "2001:db8::1", "8.8.8.8"}) {
      auto c = g->country(ip(a));
      if (!c || !c->has_value()) continue;
      const auto& code = (*c)->code;
      ASSERT_EQ(code.size(), 2U);
      EXPECT_TRUE(code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z') << code;
      for (const char ch : (*c)->name) EXPECT_FALSE(static_cast<unsigned char>(ch) < 0x20) << "control byte in name";
    }
  }
  EXPECT_GT(opened, 0);  // most flips leave the metadata intact: the lookups above did run
}

TEST_F(GeoIpTest, HostileStringsAreRefused) {
  // A code that is not two letters is an error; a name with an escape sequence, invalid
  // UTF-8 or of absurd length is dropped while the code stays.
  auto g = GeoIp::open(gen_custom("hostile.mmdb", R"([
      ('192.0.2.0/25', {'country': {'iso_code': 'N1', 'names': {'en': 'Nowhere'}}}),
      ('192.0.2.128/25', {'country': {'iso_code': 'nl', 'names': {'en': 'Nether\x1b[31mlands'}}}),
      ('198.51.100.0/24', {'country': {'iso_code': 'JP', 'names': {'en': 'J' * 300}}}),
      ('203.0.113.0/24', {'country': {'iso_code': 'AU', 'names': {'en': 7}}}),
      ('2001:db8::/32', {'country': 'BR'}),
  ])"));
  ASSERT_TRUE(g.has_value()) << g.error().detail;
  auto bad_code = g->country(ip("192.0.2.1"));
  ASSERT_FALSE(bad_code.has_value());
  EXPECT_EQ(bad_code.error().kind, ErrorKind::Malformed);
  EXPECT_NE(bad_code.error().detail.find("two letters"), std::string::npos);

  auto esc = g->country(ip("192.0.2.200"));
  ASSERT_TRUE(esc.has_value() && esc->has_value());
  EXPECT_EQ((*esc)->code, "NL");  // upper-cased
  EXPECT_EQ((*esc)->name, "");

  EXPECT_EQ(g->country(ip("198.51.100.1")).value()->name, "");
  EXPECT_EQ(g->country(ip("198.51.100.1")).value()->code, "JP");
  EXPECT_EQ(g->country(ip("203.0.113.1")).value()->name, "");  // a number where a string belongs
  // "country" is a string, not a map: no country.
  auto odd = g->country(ip("2001:db8::1"));
  ASSERT_TRUE(odd.has_value());
  EXPECT_FALSE(odd->has_value());
}

}  // namespace
}  // namespace netseen::knowledge
