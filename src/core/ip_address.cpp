#include "core/ip_address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace netseen {

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) noexcept {
  IpAddress a;
  a.family_ = 6;
  a.b_ = bytes;
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) noexcept {
  if (text.empty() || text.size() > 63) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (char* pct = std::strchr(buf, '%')) *pct = '\0';
  std::array<std::uint8_t, 16> raw{};
  if (std::strchr(buf, ':') == nullptr) {
    // inet_pton accepts only dotted quads with exactly four decimal parts.
    if (inet_pton(AF_INET, buf, raw.data()) == 1) {
      return v4(raw[0], raw[1], raw[2], raw[3]);
    }
    return std::nullopt;
  }
  if (inet_pton(AF_INET6, buf, raw.data()) == 1) return v6(raw);
  return std::nullopt;
}


std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4()) {
    // Dotted quad by hand: inet_ntop formats each octet with sprintf (about 1,800
    // instructions an address), and reports print tens of thousands of them.
    char* p = buf;
    for (std::size_t i = 12; i < 16; ++i) {
      const unsigned o = b_[i];
      if (o >= 100) *p++ = static_cast<char>('0' + o / 100);
      if (o >= 10) *p++ = static_cast<char>('0' + o / 10 % 10);
      *p++ = static_cast<char>('0' + o % 10);
      if (i != 15) *p++ = '.';
    }
    return std::string(buf, static_cast<std::size_t>(p - buf));
  }
  if (is_v6()) {
    inet_ntop(AF_INET6, b_.data(), buf, sizeof buf);
  } else {
    return "-";
  }
  return buf;
}

namespace {
bool in4(std::uint32_t v, std::uint32_t net, unsigned prefix) noexcept {
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (v & mask) == net;
}
}  // namespace

bool IpAddress::is_public() const noexcept {
  if (!valid() || is_unspecified() || is_loopback() || is_private() || is_link_local() || is_multicast() ||
      is_limited_broadcast() || is_shared_cgn()) {
    return false;
  }
  if (is_v4()) {
    const auto v = v4_value();
    return !(in4(v, 0x00000000, 8) || in4(v, 0xF0000000, 4) || in4(v, 0xC0000200, 24) ||  // 0/8, 240/4, TEST-NET-1
             in4(v, 0xC6336400, 24) || in4(v, 0xCB007100, 24) ||                            // TEST-NET-2, -3
             in4(v, 0xC6120000, 15) || in4(v, 0xC0000000, 24));                             // benchmarking, IETF
  }
  // IPv6: 2000::/3 is global unicast; documentation 2001:db8::/32 excluded.
  if ((b_[0] & 0xE0) != 0x20) return false;
  return !(b_[0] == 0x20 && b_[1] == 0x01 && b_[2] == 0x0D && b_[3] == 0xB8);
}

Cidr::Cidr(IpAddress base, unsigned prefix) noexcept {
  const unsigned max = base.is_v4() ? 32U : 128U;
  prefix_ = prefix > max ? max : prefix;
  auto raw = base.bytes();
  const unsigned skip = base.is_v4() ? 96U : 0U;
  for (unsigned bit = skip + prefix_; bit < 128; ++bit) {
    raw[bit / 8] = static_cast<std::uint8_t>(raw[bit / 8] & ~(0x80U >> (bit % 8)));
  }
  if (base.is_v4()) {
    base_ = IpAddress::v4(raw[12], raw[13], raw[14], raw[15]);
  } else {
    base_ = IpAddress::v6(raw);
  }
}

std::optional<Cidr> Cidr::parse(std::string_view text) noexcept {
  const auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  const unsigned max = addr->is_v4() ? 32U : 128U;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      prefix = prefix * 10 + static_cast<unsigned>(c - '0');
    }
    if (prefix > max) return std::nullopt;
  }
  return Cidr(*addr, prefix);
}

bool Cidr::contains(const IpAddress& a) const noexcept {
  if (a.is_v4() != base_.is_v4() || !a.valid()) return false;
  if (a.is_v4()) {
    // One masked compare (a /0 matches everything; shifting by 32 is not defined).
    if (prefix_ == 0) return true;
    const std::uint32_t mask = ~std::uint32_t{0} << (32U - prefix_);
    return (a.v4_value() & mask) == (base_.v4_value() & mask);
  }
  // Whole bytes first, then the bits of the last partial byte.
  const auto& x = a.bytes();
  const auto& y = base_.bytes();
  const unsigned whole = prefix_ / 8;
  for (unsigned i = 0; i < whole; ++i) {
    if (x[i] != y[i]) return false;
  }
  const unsigned rest = prefix_ % 8;
  if (rest == 0) return true;
  const auto m = static_cast<std::uint8_t>(0xFFU << (8U - rest));
  return (x[whole] & m) == (y[whole] & m);
}

std::string Cidr::to_string() const { return base_.to_string() + "/" + std::to_string(prefix_); }

}  // namespace netseen
