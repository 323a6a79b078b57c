// An optional country database in the MaxMind DB format (GeoLite2-Country, DB-IP country
// lite, …), read through libmaxminddb. netseen never needs one: `--geoip FILE` adds the
// country of an address next to the registry and region the knowledge base gives.
//
// The file is untrusted input. libmaxminddb validates the metadata when it opens the file
// and bounds-checks every search-tree record and data-section offset on lookup (a corrupt
// database yields an error, not a wild read); netseen does no parsing of its own. On top
// of that, open() accepts only a regular file, and country() accepts only a two-letter
// code and a short name without control characters (a name could otherwise carry terminal
// escape sequences into a report).
//
// A GeoIp is immutable after open() and lookups are safe from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/ip_address.hpp"
#include "core/result.hpp"

namespace netseen::knowledge {

struct Country {
  std::string code;  // ISO 3166-1 alpha-2, upper case: "DE"
  std::string name;  // English name when the database has one: "Germany"; may be empty
  // True when the database gives no country for the address itself, only the country
  // where its block is registered ("registered_country").
  bool registered_only = false;
};

class GeoIp {
 public:
  // Opens a MaxMind DB file. Errors (Io for a missing or unreadable file, Malformed for a
  // file that is not a valid MaxMind DB) carry a sentence naming the file.
  static Result<GeoIp> open(const std::string& path);

  GeoIp(GeoIp&&) noexcept;
  GeoIp& operator=(GeoIp&&) noexcept;
  GeoIp(const GeoIp&) = delete;
  GeoIp& operator=(const GeoIp&) = delete;
  ~GeoIp();

  // The country of an address; nullopt when the database has none for it (not in the
  // database, an IPv6 address in an IPv4-only database, or a record without a country).
  // An error when the database turns out to be corrupt where this lookup went.
  [[nodiscard]] Result<std::optional<Country>> country(const IpAddress& a) const;

  [[nodiscard]] const std::string& path() const noexcept;
  [[nodiscard]] std::string database_type() const;  // metadata "database_type"
  [[nodiscard]] unsigned ip_version() const noexcept;  // 4 or 6
  [[nodiscard]] std::uint64_t build_epoch() const noexcept;  // seconds since 1970

 private:
  struct Impl;
  explicit GeoIp(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace netseen::knowledge
