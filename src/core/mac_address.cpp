#include "core/mac_address.hpp"

namespace netseen {

std::optional<MacAddress> MacAddress::parse(std::string_view text) noexcept {
  if (text.size() != 17) return std::nullopt;
  MacAddress m;
  for (std::size_t i = 0; i < 6; ++i) {
    unsigned v = 0;
    for (std::size_t j = 0; j < 2; ++j) {
      const char c = text[i * 3 + j];
      unsigned d = 0;
      if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
      else return std::nullopt;
      v = v * 16 + d;
    }
    if (i < 5 && text[i * 3 + 2] != ':' && text[i * 3 + 2] != '-') return std::nullopt;
    m.b[i] = static_cast<std::uint8_t>(v);
  }
  return m;
}

std::string MacAddress::to_string(char sep) const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(17);
  for (std::size_t i = 0; i < 6; ++i) {
    if (i != 0) out.push_back(sep);
    out.push_back(kDigits[b[i] >> 4]);
    out.push_back(kDigits[b[i] & 0xF]);
  }
  return out;
}

bool MacAddress::is_broadcast() const noexcept {
  for (auto x : b) {
    if (x != 0xFF) return false;
  }
  return true;
}

}  // namespace netseen
