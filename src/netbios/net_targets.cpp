#include "netbios/net_targets.hpp"

#include <array>
#include <charconv>

namespace netseen::netbios::net {

namespace {

constexpr std::string_view kLayer = "targets";

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool parse_uint(std::string_view s, unsigned max, unsigned& out) noexcept {
  if (s.empty() || s.size() > 3) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v > max) return false;
  out = v;
  return true;
}

}  // namespace

bool parse_ipv4(std::string_view text, std::uint32_t& out) noexcept {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const auto dot = text.find('.');
    if ((i < 3) != (dot != std::string_view::npos)) return false;
    const auto part = i < 3 ? text.substr(0, dot) : text;
    unsigned octet = 0;
    if (!parse_uint(part, 255, octet)) return false;
    v = (v << 8) | octet;
    if (i < 3) text.remove_prefix(dot + 1);
  }
  out = v;
  return true;
}

std::string ipv4_to_string(std::uint32_t a) {
  return std::to_string(a >> 24) + '.' + std::to_string((a >> 16) & 0xFF) + '.' + std::to_string((a >> 8) & 0xFF) +
         '.' + std::to_string(a & 0xFF);
}

Result<NetbiosName> parse_name_arg(std::string_view text, std::uint8_t default_suffix, std::string_view scope,
                                   bool allow_msbrowse) {
  if (allow_msbrowse && (text == "-" || text == "__MSBROWSE__")) {
    std::array<std::uint8_t, 16> raw{0x01, 0x02, '_', '_', 'M', 'S', 'B', 'R', 'O', 'W', 'S', 'E', '_', '_', 0x02, 0x01};
    return NetbiosName::from_raw(raw, scope);
  }
  std::uint8_t suffix = default_suffix;
  std::string_view base = text;
  if (const auto hash = text.rfind('#'); hash != std::string_view::npos) {
    const auto hex = text.substr(hash + 1);
    unsigned v = 0;
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (hex.empty() || hex.size() > 2 || ec != std::errc{} || p != hex.data() + hex.size()) {
      return fail(ErrorKind::Malformed, kLayer, hash + 1,
                  "'" + std::string(text) + "': the suffix after '#' must be one or two hex digits");
    }
    suffix = static_cast<std::uint8_t>(v);
    base = text.substr(0, hash);
  }
  if (base.empty()) return fail(ErrorKind::Malformed, kLayer, 0, "empty NetBIOS name");
  auto n = NetbiosName::make(base, suffix, scope);
  if (!n) {
    return fail(ErrorKind::Malformed, kLayer, 0,
                "'" + std::string(base) + "' is not a NetBIOS name (at most 15 bytes): " + n.error().detail);
  }
  return n;
}

Result<void> TargetBuilder::add_span(std::uint64_t first, std::uint64_t last, std::string_view expr,
                                     std::string_view where) {
  if (last < first) {
    return fail(ErrorKind::Malformed, kLayer, 0,
                std::string(where) + ": '" + std::string(expr) + "': range ends before it starts");
  }
  const std::uint64_t count = last - first + 1;
  if (count > max_) {
    return fail(ErrorKind::LimitExceeded, kLayer, 0,
                std::string(where) + ": '" + std::string(expr) + "' is " + std::to_string(count) +
                    " addresses, more than the limit of " + std::to_string(max_));
  }
  for (std::uint64_t a = first; a <= last; ++a) {
    const auto addr = static_cast<std::uint32_t>(a);
    if (!seen_.insert(addr).second) {
      ++set_.duplicates;
      continue;
    }
    if (set_.addresses.size() >= max_) {
      return fail(ErrorKind::LimitExceeded, kLayer, 0,
                  std::string(where) + ": more than " + std::to_string(max_) + " targets");
    }
    set_.addresses.push_back(addr);
  }
  return Ok{};
}

Result<void> TargetBuilder::add(std::string_view raw, std::string_view where) {
  const auto expr = trim(raw);
  auto bad = [&](std::string_view why) {
    return fail(ErrorKind::Malformed, kLayer, 0,
                std::string(where) + ": '" + std::string(expr) + "' is not a target (" + std::string(why) + ")");
  };
  if (expr.empty()) return bad("empty");
  if (const auto slash = expr.find('/'); slash != std::string_view::npos) {
    std::uint32_t base = 0;
    unsigned prefix = 0;
    if (!parse_ipv4(expr.substr(0, slash), base)) return bad("bad address before '/'");
    if (!parse_uint(expr.substr(slash + 1), 32, prefix)) return bad("prefix must be 0..32");
    const std::uint64_t size = std::uint64_t{1} << (32 - prefix);
    const std::uint64_t first = std::uint64_t{base} & ~(size - 1);
    return add_span(first, first + size - 1, expr, where);
  }
  if (const auto dash = expr.find('-'); dash != std::string_view::npos) {
    std::uint32_t first = 0;
    if (!parse_ipv4(expr.substr(0, dash), first)) return bad("bad first address of the range");
    const auto tail = expr.substr(dash + 1);
    std::uint32_t last = 0;
    if (tail.find('.') != std::string_view::npos) {
      if (!parse_ipv4(tail, last)) return bad("bad last address of the range");
    } else {
      unsigned octet = 0;
      if (!parse_uint(tail, 255, octet)) return bad("range end must be an address or an octet 0..255");
      last = (first & 0xFFFFFF00U) | octet;
    }
    return add_span(first, last, expr, where);
  }
  std::uint32_t one = 0;
  if (!parse_ipv4(expr, one)) return bad("expected a.b.c.d, a.b.c.d/n, a.b.c.d-e.f.g.h or a.b.c.d-h");
  return add_span(one, one, expr, where);
}

Result<void> TargetBuilder::add_lines(std::string_view text, std::string_view where) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    if (++line_no > kMaxTargetFileLines) {
      return fail(ErrorKind::LimitExceeded, kLayer, line_no, std::string(where) + ": too many lines");
    }
    const auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    const std::string here = std::string(where) + ":" + std::to_string(line_no);
    auto r = add(line, here);
    if (!r) {
      Error e = r.error();
      e.offset = line_no;
      return e;
    }
  }
  return Ok{};
}

}  // namespace netseen::netbios::net
