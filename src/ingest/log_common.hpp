// Shared pieces of the firewall-log parsers: allocation-free field parsing on string_view,
// the syslog wrapper (BSD, RFC 3339, <PRI>, RFC 5424, grep -H prefixes, kernel uptime stamps),
// time zones and year inference, and the Dialect interface every log format implements.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"
#include "core/mac_address.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"

namespace netseen::ingest::logs {

// ---- small parsers (no allocation, no exceptions) ----------------------------------------

// Decimal digits only, value ≤ max. Empty or any other character → false.
// Inline: every numeric field of every dialect goes through it.
bool parse_uint_long(std::string_view s, std::uint64_t max, std::uint64_t& out) noexcept;  // 20 digits
inline bool parse_uint(std::string_view s, std::uint64_t max, std::uint64_t& out) noexcept {
  if (s.empty() || s.size() >= 20) return s.size() == 20 && parse_uint_long(s, max, out);
  // Up to 19 digits cannot overflow 64 bits: no division or overflow test per digit.
  std::uint64_t v = 0;
  for (const char c : s) {
    const auto d = static_cast<unsigned>(static_cast<unsigned char>(c) - '0');
    if (d > 9) return false;
    v = v * 10 + d;
  }
  if (v > max) return false;
  out = v;
  return true;
}
template <class T>
bool parse_num(std::string_view s, T& out) noexcept {
  std::uint64_t v = 0;
  if (!parse_uint(s, static_cast<std::uint64_t>(static_cast<T>(~T{0})), v)) return false;
  out = static_cast<T>(v);
  return true;
}
// Hex with optional 0x/0X prefix, value ≤ max.
bool parse_hex(std::string_view s, std::uint64_t max, std::uint64_t& out) noexcept;
// Dotted-quad IPv4 fast path, otherwise IPv6 (IpAddress::parse).
std::optional<IpAddress> parse_ip(std::string_view s) noexcept;
// Six hex pairs separated by ':' or '-' at the start of s.
bool parse_mac_prefix(std::string_view s, MacAddress& out) noexcept;

bool iequals(std::string_view a, std::string_view b) noexcept;
// Case-insensitive substring search (ASCII).
bool icontains(std::string_view hay, std::string_view needle) noexcept;
std::string_view trim(std::string_view s) noexcept;
inline bool starts_with(std::string_view s, std::string_view p) noexcept { return s.substr(0, p.size()) == p; }
inline bool ends_with(std::string_view s, std::string_view p) noexcept {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Where the token that holds position `from` of p[0, n) ends: its first blank (space or
// tab), or n. Other control bytes stay inside the token.
inline std::size_t token_end_at(const char* p, std::size_t n, std::size_t from) noexcept {
  std::size_t i = from;
  for (;;) {
    // Eight bytes at a time, looking for any byte ≤ 0x20 (the lowest flagged byte of the
    // classic "has byte less than" test is exact), then checking it is a blank.
    while (i + 8 <= n) {
      std::uint64_t x = 0;
      std::memcpy(&x, p + i, 8);
      const std::uint64_t hit = (x - 0x2121212121212121ULL) & ~x & 0x8080808080808080ULL;
      if (hit != 0) {
        i += static_cast<std::size_t>(std::countr_zero(hit)) / 8;
        break;
      }
      i += 8;
    }
    while (i < n && static_cast<unsigned char>(p[i]) > 0x20) ++i;
    if (i >= n || p[i] == ' ' || p[i] == '\t') return i;
    ++i;  // another control byte inside the token: keep going
  }
}

// Splits on runs of spaces/tabs.
class Tokens {
 public:
  explicit Tokens(std::string_view s) noexcept : s_(s) {}
  // Inline: the hot loop of every parser (about 20 calls per netfilter line).
  bool next(std::string_view& tok) noexcept {
    const char* const p = s_.data();
    const std::size_t n = s_.size();
    std::size_t i = pos_;
    while (i < n && (p[i] == ' ' || p[i] == '\t')) ++i;
    if (i >= n) {
      pos_ = i;
      return false;
    }
    const std::size_t start = i;
    pos_ = token_end_at(p, n, i);
    tok = std::string_view(p + start, pos_ - start);
    return true;
  }
  [[nodiscard]] std::string_view rest() const noexcept;  // unconsumed text, leading blanks skipped
  [[nodiscard]] std::size_t position() const noexcept { return pos_; }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

// Finds `key` (e.g. "src=") as a whole key in a key=value line: at the start or after a blank.
// Returns the value: a "quoted" value without its quotes, else up to the next blank.
std::optional<std::string_view> kv_find(std::string_view line, std::string_view key, char sep = ' ') noexcept;

// Action words used by every dialect: deny/drop/block → Drop, reject/reset → Reject,
// accept/allow/permit/pass → Accept.
decode::Action action_from_word(std::string_view w) noexcept;
// For free-form prefixes (netfilter log prefix): looks for those words inside the text.
decode::Action action_from_prefix(std::string_view prefix) noexcept;
// "tcp"/"TCP"/"6" → 6 and the Transport; false when unknown.
bool protocol_from_text(std::string_view p, std::uint8_t& proto) noexcept;
decode::Transport transport_for(std::uint8_t proto, bool v6) noexcept;
// Sets protocol + transport on the event (58 → Icmpv6, 1 → Icmp, …).
void set_protocol(decode::Event& ev, std::uint8_t proto) noexcept;

// ---- time ----------------------------------------------------------------------------------

// --tz: "" / "UTC" / "Z" / fixed offsets ("+02:00", "-0530", "UTC+2") / IANA names read from the
// system tz database (TZif files under /usr/share/zoneinfo). Local civil seconds → UTC seconds.
class TimeZone {
 public:
  TimeZone() = default;
  // nullopt when the name is neither a fixed offset nor a readable TZif file.
  static std::optional<TimeZone> parse(std::string_view spec);
  static std::optional<TimeZone> from_tzif(const std::vector<std::uint8_t>& data);
  static TimeZone fixed(std::int32_t offset_s) noexcept;
  // UTC offset in effect at a local wall-clock time.
  [[nodiscard]] std::int32_t offset_for_local(std::int64_t local_s) const noexcept;
  [[nodiscard]] bool is_utc() const noexcept { return transitions_.empty() && fixed_ == 0; }

 private:
  std::int32_t fixed_ = 0;
  std::vector<std::int64_t> transitions_;  // UTC seconds
  std::vector<std::int32_t> offsets_;      // offset from transitions_[i] on
  std::int32_t initial_ = 0;
};

// A stamp as written in a line: possibly without year, possibly without zone.
struct Stamp {
  CivilTime civil;
  bool has_year = false;
  bool has_offset = false;  // an explicit zone (Z or ±hh:mm): not local time
  std::int32_t offset_s = 0;
};

// Turns Stamps into Timestamps: --year / file mtime for year-less stamps, Dec → Jan roll-over,
// --tz for local times. One per input (the year state follows the file's order).
class TimeContext {
 public:
  TimeContext() = default;
  TimeContext(int year, std::int64_t mtime_s, TimeZone tz) noexcept;
  std::optional<Timestamp> resolve(Stamp s) noexcept;
  [[nodiscard]] const TimeZone& tz() const noexcept { return tz_; }

 private:
  int option_year_ = 0;
  std::int64_t mtime_s_ = 0;
  TimeZone tz_;
  int year_ = 0;        // year of the previous year-less stamp
  int last_month_ = 0;  // month of the previous year-less stamp
  // The last valid civil date and its day number: log lines come in runs of one day, and
  // the date validation and day arithmetic were a tenth of a netfilter line's cost.
  int day_year_ = 0;
  int day_month_ = -1;  // no date cached yet
  int day_day_ = 0;
  std::int64_t day_number_ = 0;
};

// "Mar 11 20:35:11" / "Mar  1 20:35:11" / "Aug 24 2011 10:00:00" (+ optional .fff); consumed length.
std::size_t parse_bsd_stamp(std::string_view s, Stamp& out) noexcept;
// "2015-03-08T02:25:11.444012+02:00", "2014-05-01T08:26:51.179Z", "2021-06-22 12:19:41"
// (space separator only when allow_space); consumed length.
std::size_t parse_iso_stamp(std::string_view s, Stamp& out, bool allow_space) noexcept;

// ---- syslog wrapper ---------------------------------------------------------------------

struct SyslogHeader {
  bool has_stamp = false;
  Stamp stamp;
  std::string_view host;
  std::string_view tag;   // program name without "[pid]" and ':' ("kernel", "filterlog", …)
  std::string_view body;  // the message (kernel uptime "[ 123.456] " removed)
  bool uptime = false;    // a kernel uptime stamp was removed
};
// Always succeeds: without a recognisable header, body = the whole line.
void parse_syslog(std::string_view line, SyslogHeader& h) noexcept;

// ---- dialects -----------------------------------------------------------------------------

enum class LineResult : std::uint8_t { Parsed, NotMine, Skipped, Error };

struct LogLine {
  std::string_view text;  // the whole line
  SyslogHeader hdr;
  std::uint64_t number = 0;
};

struct LineContext {
  TimeContext* time = nullptr;
  std::string reason;  // set on Error (what broke) and Skipped (why)
  // Events the firewall itself says it did not log (Windows INFO-EVENTS-LOST rows), added up.
  std::uint64_t events_not_logged = 0;
};

class Dialect {
 public:
  virtual ~Dialect() = default;
  Dialect() = default;
  Dialect(const Dialect&) = delete;
  Dialect& operator=(const Dialect&) = delete;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  // Cheap signature test: could this line belong to the dialect? (detection, mixed files)
  [[nodiscard]] virtual bool claims(const LogLine& line) const noexcept = 0;
  // Fills ev (already reset, ts already set from the syslog header when it had one).
  virtual LineResult parse(const LogLine& line, decode::Event& ev, LineContext& ctx) = 0;
};

// Every dialect, in detection priority order; nullptr / empty for unknown names.
std::vector<std::unique_ptr<Dialect>> make_all_dialects();
std::unique_ptr<Dialect> make_dialect(std::string_view name);
std::vector<std::string_view> dialect_names();

// Clears an Event for the next log record without giving back string capacity.
void reset_event(decode::Event& ev) noexcept;

}  // namespace netseen::ingest::logs
