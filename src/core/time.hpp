// Timestamps: microseconds since the Unix epoch, UTC. Captures carry them directly;
// log parsers build them from civil dates with civil_to_timestamp().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netseen {

struct Timestamp {
  std::int64_t us = 0;  // microseconds since 1970-01-01T00:00:00Z
  static constexpr Timestamp from_seconds(std::int64_t s, std::int64_t us_part = 0) noexcept {
    return Timestamp{s * 1'000'000 + us_part};
  }
  [[nodiscard]] constexpr std::int64_t seconds() const noexcept {
    return us >= 0 ? us / 1'000'000 : -((-us + 999'999) / 1'000'000);
  }
  [[nodiscard]] double as_double() const noexcept { return static_cast<double>(us) / 1e6; }
  friend constexpr auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

struct CivilTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int microsecond = 0;
};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int y, int m, int d) noexcept;
CivilTime civil_from_timestamp(Timestamp t) noexcept;
// nullopt when a field is out of range (month 13, day 31 in April, hour 24, …).
std::optional<Timestamp> civil_to_timestamp(const CivilTime& c) noexcept;

// "2004-09-14T10:00:00.000000Z" — the output contract's format.
std::string format_rfc3339(Timestamp t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" and "YYYY-MM-DD" (midnight UTC).
std::optional<Timestamp> parse_rfc3339(std::string_view text) noexcept;
// "Jan".."Dec" → 1..12, 0 otherwise.
int month_from_abbrev(std::string_view abbrev) noexcept;

}  // namespace netseen
