#include "core/time.hpp"

#include <fmt/format.h>

namespace netseen {

std::int64_t days_from_civil(int y, int m, int d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<std::int64_t>(y - era * 400);
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime civil_from_timestamp(Timestamp t) noexcept {
  std::int64_t secs = t.seconds();
  const std::int64_t micros = t.us - secs * 1'000'000;
  std::int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  std::int64_t rem = secs - days * 86400;
  CivilTime c;
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>((rem % 3600) / 60);
  c.second = static_cast<int>(rem % 60);
  c.microsecond = static_cast<int>(micros);
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = static_cast<int>(yoe + era * 400 + (c.month <= 2 ? 1 : 0));
  return c;
}

namespace {
bool leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) noexcept {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}
}  // namespace

std::optional<Timestamp> civil_to_timestamp(const CivilTime& c) noexcept {
  if (c.year < 1900 || c.year > 9999 || c.month < 1 || c.month > 12 || c.day < 1 ||
      c.day > days_in_month(c.year, c.month) || c.hour < 0 || c.hour > 23 || c.minute < 0 || c.minute > 59 ||
      c.second < 0 || c.second > 60 || c.microsecond < 0 || c.microsecond > 999'999) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(c.year, c.month, c.day);
  const std::int64_t secs = days * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
  return Timestamp{secs * 1'000'000 + c.microsecond};
}

std::string format_rfc3339(Timestamp t) {
  const CivilTime c = civil_from_timestamp(t);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", c.year, c.month, c.day, c.hour, c.minute, c.second,
                     c.microsecond);
}

namespace {
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos > s.size() || n > s.size() - pos) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}
}  // namespace

std::optional<Timestamp> parse_rfc3339(std::string_view s) noexcept {
  CivilTime c;
  if (!digits(s, 0, 4, c.year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, c.month) || s[7] != '-' ||
      !digits(s, 8, 2, c.day)) {
    return std::nullopt;
  }
  if (s.size() == 10) return civil_to_timestamp(c);
  if (s.size() < 19 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, c.hour) || s[13] != ':' ||
      !digits(s, 14, 2, c.minute) || s[16] != ':' || !digits(s, 17, 2, c.second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int scale = 100000;
    std::size_t n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) c.microsecond += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (pos == s.size()) {
    // no zone: taken as UTC
  } else if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0;
    int om = 0;
    const bool neg = s[pos] == '-';
    if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
    std::size_t mpos = pos + 3;
    if (mpos < s.size() && s[mpos] == ':') ++mpos;
    if (!digits(s, mpos, 2, om)) return std::nullopt;
    pos = mpos + 2;
    offset_s = (oh * 3600 + om * 60) * (neg ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  auto t = civil_to_timestamp(c);
  if (!t) return std::nullopt;
  t->us -= offset_s * 1'000'000;
  return t;
}

int month_from_abbrev(std::string_view a) noexcept {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (a == kMonths[i]) return i + 1;
  }
  return 0;
}

}  // namespace netseen
