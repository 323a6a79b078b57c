// A 48-bit MAC address (Ethernet source, NetBIOS node-status unit id).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netseen {

struct MacAddress {
  std::array<std::uint8_t, 6> b{};
  // "aa:bb:cc:dd:ee:ff" (also accepts '-' separators). nullopt if not six hex pairs.
  static std::optional<MacAddress> parse(std::string_view text) noexcept;
  [[nodiscard]] std::string to_string(char sep = ':') const;
  [[nodiscard]] bool is_zero() const noexcept { return b == std::array<std::uint8_t, 6>{}; }
  [[nodiscard]] bool is_broadcast() const noexcept;
  friend auto operator<=>(const MacAddress&, const MacAddress&) = default;
  friend bool operator==(const MacAddress&, const MacAddress&) = default;
};

}  // namespace netseen
