// IPv4 and IPv6 addresses as values, CIDR prefixes, and the address classes every
// detector asks about (private, loopback, link-local, multicast, …).
#pragma once

#include <array>
#include <bit>
#include <cstring>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace netseen {

class IpAddress {
 public:
  constexpr IpAddress() = default;
  static constexpr IpAddress v4(std::uint32_t host_order) noexcept {
    IpAddress a;
    a.family_ = 4;
    a.b_[12] = static_cast<std::uint8_t>(host_order >> 24);
    a.b_[13] = static_cast<std::uint8_t>(host_order >> 16);
    a.b_[14] = static_cast<std::uint8_t>(host_order >> 8);
    a.b_[15] = static_cast<std::uint8_t>(host_order);
    return a;
  }
  static constexpr IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept {
    return v4((std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d);
  }
  static IpAddress v6(const std::array<std::uint8_t, 16>& bytes) noexcept;
  // Sets this to the IPv4 address in the 4 bytes at `network_order` (as on the wire): what
  // v4(load_be32(p)) gives, without turning the bytes into a number and back.
  void assign_v4(const std::uint8_t* network_order) noexcept {
    family_ = 4;
    b_ = {};
    std::memcpy(b_.data() + 12, network_order, 4);
  }
  // Sets this to v4(host_order) in place: two word stores (and the family byte) instead of
  // building the value aside and copying it, whose 16-byte load of just-written bytes stalls
  // (the store cannot be forwarded to it); the log parsers set two addresses per line.
  void set_v4(std::uint32_t host_order) noexcept {
    family_ = 4;
    if constexpr (std::endian::native == std::endian::little) {
      const std::uint64_t lo = 0;
      const std::uint64_t hi = std::uint64_t{__builtin_bswap32(host_order)} << 32;
      std::memcpy(b_.data(), &lo, 8);
      std::memcpy(b_.data() + 8, &hi, 8);
    } else {
      *this = v4(host_order);
    }
  }
  // "10.0.0.1", "::1", "fe80::1%eth0" (zone dropped). nullopt when not an address.
  static std::optional<IpAddress> parse(std::string_view text) noexcept;

  [[nodiscard]] bool valid() const noexcept { return family_ != 0; }
  [[nodiscard]] bool is_v4() const noexcept { return family_ == 4; }
  [[nodiscard]] bool is_v6() const noexcept { return family_ == 6; }
  [[nodiscard]] std::uint32_t v4_value() const noexcept {  // host order; 0 for v6
    if (!is_v4()) return 0;
    return (std::uint32_t{b_[12]} << 24) | (std::uint32_t{b_[13]} << 16) | (std::uint32_t{b_[14]} << 8) | b_[15];
  }
  [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const noexcept { return b_; }
  [[nodiscard]] std::string to_string() const;

  // Address classes (RFC 6890 and friends).
  // Inline: detectors ask these of every event's addresses.
  [[nodiscard]] bool is_unspecified() const noexcept {  // 0.0.0.0, ::
    if (is_v4()) return v4_value() == 0;
    return is_v6() && (word(0) | word(1)) == 0;
  }
  [[nodiscard]] bool is_loopback() const noexcept {  // 127/8, ::1
    if (is_v4()) return (v4_value() >> 24) == 127;
    if (!is_v6()) return false;
    std::array<std::uint8_t, 16> one{};
    one[15] = 1;
    return b_ == one;
  }
  [[nodiscard]] bool is_private() const noexcept {  // RFC 1918, fc00::/7
    if (is_v4()) {
      const auto v = v4_value();
      return (v >> 24) == 10 || (v >> 20) == 0xAC1 || (v >> 16) == 0xC0A8;
    }
    return is_v6() && (b_[0] & 0xFE) == 0xFC;
  }
  [[nodiscard]] bool is_link_local() const noexcept {  // 169.254/16, fe80::/10
    if (is_v4()) return (v4_value() >> 16) == 0xA9FE;
    return is_v6() && b_[0] == 0xFE && (b_[1] & 0xC0) == 0x80;
  }
  [[nodiscard]] bool is_multicast() const noexcept {  // 224/4, ff00::/8
    if (is_v4()) return (v4_value() >> 28) == 0xE;
    return is_v6() && b_[0] == 0xFF;
  }
  [[nodiscard]] bool is_limited_broadcast() const noexcept { return is_v4() && v4_value() == 0xFFFFFFFF; }
  [[nodiscard]] bool is_shared_cgn() const noexcept { return is_v4() && (v4_value() >> 22) == (0x64400000U >> 22); }  // 100.64/10
  // Globally routable unicast, roughly: none of the above and not in 0/8, 240/4, docs nets.
  [[nodiscard]] bool is_public() const noexcept;

  friend constexpr auto operator<=>(const IpAddress&, const IpAddress&) = default;
  // Two 8-byte compares instead of a 16-byte memcmp call: this runs on every hash lookup.
  friend constexpr bool operator==(const IpAddress& x, const IpAddress& y) noexcept {
    if (x.family_ != y.family_) return false;
    if (std::is_constant_evaluated()) return x.b_ == y.b_;
    return ((x.word(0) ^ y.word(0)) | (x.word(1) ^ y.word(1))) == 0;
  }
  // The address bytes as two machine words (for hashing and comparing; not an order).
  [[nodiscard]] std::uint64_t word(std::size_t i) const noexcept {
    std::uint64_t w = 0;
    std::memcpy(&w, b_.data() + 8 * i, sizeof w);
    return w;
  }

 private:
  std::uint8_t family_ = 0;  // 0 = none, 4, 6
  std::array<std::uint8_t, 16> b_{};
};

// Inline: it runs on every lookup of every per-host and per-pair table. Multiply-xorshift
// over the two words and the family (a strong mix in all 64 bits, as the tables reduce the
// hash modulo a prime).
struct IpAddressHash {
  std::size_t operator()(const IpAddress& a) const noexcept {
    std::uint64_t h = a.word(0) * 0x9E3779B97F4A7C15ULL;
    h ^= a.word(1) + (a.is_v6() ? 0x6000000000000000ULL : 0x4000000000000000ULL);
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
    h *= 0x94D049BB133111EBULL;
    h ^= h >> 29;
    return static_cast<std::size_t>(h);
  }
};

// A CIDR prefix: 10.0.0.0/8, fe80::/10. Host bits are cleared on parse.
class Cidr {
 public:
  Cidr() = default;
  Cidr(IpAddress base, unsigned prefix) noexcept;
  static std::optional<Cidr> parse(std::string_view text) noexcept;  // "a.b.c.d/n" or a bare address
  [[nodiscard]] bool contains(const IpAddress& a) const noexcept;
  [[nodiscard]] const IpAddress& base() const noexcept { return base_; }
  [[nodiscard]] unsigned prefix() const noexcept { return prefix_; }
  [[nodiscard]] std::string to_string() const;

 private:
  IpAddress base_;
  unsigned prefix_ = 0;
};

}  // namespace netseen
