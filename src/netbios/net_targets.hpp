// Target lists for the NetBIOS client commands (`netseen nbstat 10.0.0.0/24 10.0.1.5-20 @hosts.txt -`).
//
// Accepted forms (IPv4 only, NetBIOS over TCP/IP is IPv4):
//   a.b.c.d            one address
//   a.b.c.d/n          a CIDR block, network and broadcast addresses included (as nbtscan does), n in 0..32
//   a.b.c.d-e.f.g.h    an inclusive range
//   a.b.c.d-h          an inclusive range of the last octet
//   @FILE              one target (any form above) per line; '#' starts a comment, blank lines skipped
//   -                  the same from standard input (the caller passes the text)
// The result is de-duplicated in first-seen order and capped (`max_targets`): a list that would
// exceed the cap is refused with LimitExceeded before anything is allocated for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"
#include "netbios/name.hpp"

namespace netseen::netbios::net {

inline constexpr std::size_t kDefaultMaxTargets = 1U << 20;  // a /12
inline constexpr std::size_t kMaxTargetFileLines = 1U << 20;

struct TargetSet {
  std::vector<std::uint32_t> addresses;  // IPv4, host byte order, de-duplicated, first-seen order
  std::size_t duplicates = 0;            // entries dropped as already present
};

// Parses one IPv4 dotted quad strictly (four decimal octets 0..255, no leading '+', no spaces).
bool parse_ipv4(std::string_view text, std::uint32_t& out) noexcept;
std::string ipv4_to_string(std::uint32_t host_order);

// "NAME", "NAME#1d" (hex suffix, default `default_suffix`), "-" for the browse master name
// `\x01\x02__MSBROWSE__\x02<01>` when `allow_msbrowse`. Malformed on a name over 15 bytes or a bad suffix.
Result<NetbiosName> parse_name_arg(std::string_view text, std::uint8_t default_suffix, std::string_view scope = {},
                                   bool allow_msbrowse = false);

class TargetBuilder {
 public:
  explicit TargetBuilder(std::size_t max_targets = kDefaultMaxTargets) : max_(max_targets) {}
  // Adds one target expression (not @file, not '-'). Errors: Malformed (not a target),
  // LimitExceeded (the cap would be passed). `where` names the source for messages.
  Result<void> add(std::string_view expr, std::string_view where = "argument");
  // Adds every non-comment line of `text` (file or stdin content).
  Result<void> add_lines(std::string_view text, std::string_view where);
  [[nodiscard]] const TargetSet& result() const noexcept { return set_; }
  TargetSet take() noexcept { return std::move(set_); }

 private:
  Result<void> add_span(std::uint64_t first, std::uint64_t last, std::string_view expr, std::string_view where);
  std::size_t max_;
  TargetSet set_;
  std::unordered_set<std::uint32_t> seen_;
};

}  // namespace netseen::netbios::net
