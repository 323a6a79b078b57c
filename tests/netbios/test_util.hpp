// Helpers shared by the netbios unit tests.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "core/bytes.hpp"

namespace netseen::netbios::testing {

inline std::vector<std::uint8_t> hex(std::string_view text) {
  auto v = from_hex(text);
  EXPECT_TRUE(v.has_value()) << "bad hex fixture: " << text;
  return v.value_or(std::vector<std::uint8_t>{});
}

inline std::string hexs(const std::vector<std::uint8_t>& v) { return to_hex(Bytes(v), " "); }

// "EGFCEFEE" + n x "CA" ... helpers for readable fixtures.
inline std::string ascii_hex(std::string_view s) {
  std::vector<std::uint8_t> v(s.begin(), s.end());
  return to_hex(Bytes(v));
}

}  // namespace netseen::netbios::testing
