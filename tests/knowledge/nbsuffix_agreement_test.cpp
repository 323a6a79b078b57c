// The knowledge base's NetBIOS suffix table (data/knowledge/nbsuffix.kb, what `explain`
// and the detectors say) and src/netbios/suffixes.cpp (what `decode` and `nbstat` print)
// describe the same suffixes: same values, same unique/group kind, same service names.
// Any disagreement fails here, in either direction.
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "knowledge/kb.hpp"
#include "netbios/suffixes.hpp"

namespace netseen::knowledge {
namespace {

std::string where(std::uint8_t suffix, bool group) {
  return fmt::format("<{:02X}> {}", suffix, group ? "group" : "unique");
}

// The one netbios entry described by a special-name row rather than an any-name row:
// 0x01 as a group name is only ever the browser name \x01\x02__MSBROWSE__\x02.
bool is_msbrowse_entry(const netbios::SuffixInfo& e) {
  return e.suffix == 0x01 && e.scope == netbios::NameScope::Group;
}

TEST(NbSuffixAgreement, EveryNetbiosSuffixHasTheSameKbRow) {
  const auto& kb = builtin_kb();
  std::size_t checked = 0;
  for (const auto& e : netbios::suffix_table()) {
    std::vector<bool> kinds;
    if (e.scope == netbios::NameScope::Either) kinds = {false, true};
    else kinds = {e.scope == netbios::NameScope::Group};
    bool found = false;
    for (const bool group : kinds) {
      const NbSuffixInfo* row = kb.nb_suffix(e.suffix, group);
      if (row == nullptr && is_msbrowse_entry(e)) row = kb.nb_special("__MSBROWSE__", e.suffix);
      if (row == nullptr) continue;
      found = true;
      EXPECT_EQ(row->group, group) << where(e.suffix, group);
      EXPECT_EQ(row->service, e.service) << where(e.suffix, group) << ": nbsuffix.kb and src/netbios disagree";
    }
    EXPECT_TRUE(found) << where(e.suffix, e.scope == netbios::NameScope::Group)
                       << " (" << e.service << ") is in src/netbios/suffixes.cpp but not in nbsuffix.kb";
    ++checked;
  }
  EXPECT_GE(checked, 30U);
}

TEST(NbSuffixAgreement, EveryAnyNameKbRowIsInTheNetbiosTable) {
  const auto& kb = builtin_kb();
  std::set<std::pair<unsigned, bool>> netbios_keys;
  for (const auto& e : netbios::suffix_table()) {
    if (e.scope != netbios::NameScope::Group) netbios_keys.insert({e.suffix, false});
    if (e.scope != netbios::NameScope::Unique) netbios_keys.insert({e.suffix, true});
  }
  std::size_t rows = 0;
  for (unsigned s = 0; s < 256; ++s) {
    for (const bool group : {false, true}) {
      const auto* row = kb.nb_suffix(static_cast<std::uint8_t>(s), group);
      if (row == nullptr) continue;
      ++rows;
      EXPECT_TRUE(netbios_keys.count({s, group}) == 1)
          << where(static_cast<std::uint8_t>(s), group) << " (" << row->service
          << ") is in nbsuffix.kb but not in src/netbios/suffixes.cpp";
      const auto d = netbios::describe_suffix(static_cast<std::uint8_t>(s), group);
      ASSERT_TRUE(d.has_value()) << where(static_cast<std::uint8_t>(s), group);
      EXPECT_EQ(d->service, row->service) << where(static_cast<std::uint8_t>(s), group);
    }
  }
  // Every netbios entry but the __MSBROWSE__ one is an any-name row.
  EXPECT_EQ(rows + 1, netbios::suffix_table().size());
}

TEST(NbSuffixAgreement, MsbrowseIsTheSpecialGroupNameOnBothSides) {
  const auto* row = builtin_kb().nb_special("__MSBROWSE__", 0x01);
  ASSERT_NE(row, nullptr);
  EXPECT_TRUE(row->group);
  std::array<std::uint8_t, 16> raw{0x01, 0x02, '_', '_', 'M', 'S', 'B', 'R', 'O', 'W', 'S', 'E', '_', '_', 0x02, 0x01};
  EXPECT_TRUE(netbios::is_msbrowse(raw));
  const std::string wire(reinterpret_cast<const char*>(raw.data()), 15);
  EXPECT_EQ(builtin_kb().nb_special(wire, raw[15]), row);
}

}  // namespace
}  // namespace netseen::knowledge
