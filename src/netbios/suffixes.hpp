// The 16th byte of a NetBIOS name: which service registered it, and whether that service
// registers it as a unique or a group name. Sources: Microsoft KB 163409 "NetBIOS suffixes
// (16th character of the NetBIOS name)", Wireshark packet-netbios.c nb_name_type_vals,
// nbtscan's services table. Several suffixes mean different things as unique and as group
// names (0x00: workstation vs. domain/workgroup name; 0x1C: IIS vs. domain controllers).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace netseen::netbios {

enum class NameScope : std::uint8_t { Unique, Group, Either };
std::string_view to_string(NameScope s) noexcept;

struct SuffixInfo {
  std::uint8_t suffix = 0;
  NameScope scope = NameScope::Either;  // how the service registers the name
  std::string_view service;             // "Workstation Service", "Domain Controllers", …
  std::string_view short_id;            // stable id: "workstation", "domain_controllers", …
};

// The whole table (sorted by suffix, then Unique before Group).
std::span<const SuffixInfo> suffix_table() noexcept;

// The best description of `suffix` registered as a group (`group` true) or unique name.
// Prefers the entry whose scope matches, then an Either entry, then the other scope.
// nullopt for suffixes nobody documents.
std::optional<SuffixInfo> describe_suffix(std::uint8_t suffix, bool group) noexcept;

// The special browser name `\x01\x02__MSBROWSE__\x02` (with suffix 0x01, a group name).
bool is_msbrowse(std::span<const std::uint8_t, 16> raw) noexcept;

}  // namespace netseen::netbios
