// IPv4 and IPv6 addresses as values, CIDR prefixes, and the address classes every
// detector asks about (private, loopback, link-local, multicast, …).
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

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
  [[nodiscard]] bool is_unspecified() const noexcept;  // 0.0.0.0, ::
  [[nodiscard]] bool is_loopback() const noexcept;     // 127/8, ::1
  [[nodiscard]] bool is_private() const noexcept;      // RFC 1918, fc00::/7
  [[nodiscard]] bool is_link_local() const noexcept;   // 169.254/16, fe80::/10
  [[nodiscard]] bool is_multicast() const noexcept;    // 224/4, ff00::/8
  [[nodiscard]] bool is_limited_broadcast() const noexcept;  // 255.255.255.255
  [[nodiscard]] bool is_shared_cgn() const noexcept;   // 100.64/10
  // Globally routable unicast, roughly: none of the above and not in 0/8, 240/4, docs nets.
  [[nodiscard]] bool is_public() const noexcept;

  friend constexpr auto operator<=>(const IpAddress&, const IpAddress&) = default;
  friend constexpr bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  std::uint8_t family_ = 0;  // 0 = none, 4, 6
  std::array<std::uint8_t, 16> b_{};
};

struct IpAddressHash {
  std::size_t operator()(const IpAddress& a) const noexcept;
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
