#include "ingest/log_common.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>

#include "core/bytes.hpp"
#include "decode/frame.hpp"

namespace netseen::ingest::logs {

namespace {
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }
}  // namespace

bool parse_uint_long(std::string_view s, std::uint64_t max, std::uint64_t& out) noexcept {
  if (s.size() != 20) return parse_uint(s, max, out);
  std::uint64_t v = 0;
  for (const char c : s) {
    const auto d = static_cast<unsigned>(static_cast<unsigned char>(c) - '0');
    if (d > 9 || __builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, d, &v)) return false;
  }
  if (v > max) return false;
  out = v;
  return true;
}

bool parse_hex(std::string_view s, std::uint64_t max, std::uint64_t& out) noexcept {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty() || s.size() > 16) return false;
  std::uint64_t v = 0;
  for (const char c : s) {
    const int d = hex_value(c);
    if (d < 0) return false;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  if (v > max) return false;
  out = v;
  return true;
}

std::optional<IpAddress> parse_ip(std::string_view s) noexcept {
  if (s.empty() || s.size() > 63) return std::nullopt;
  // Dotted quad: four parts of one to three digits, each ≤ 255. Anything else that has no ':'
  // is not an address; with a ':' it is tried as IPv6.
  const char* p = s.data();
  const char* const e = p + s.size();
  std::uint32_t v = 0;
  for (int part = 0; part < 4; ++part) {
    if (part != 0) {
      if (p == e || *p != '.') goto not_v4;
      ++p;
    }
    {
      unsigned d = 0;
      if (p == e || (d = static_cast<unsigned>(static_cast<unsigned char>(*p) - '0')) > 9) goto not_v4;
      unsigned val = d;
      ++p;
      if (p != e && (d = static_cast<unsigned>(static_cast<unsigned char>(*p) - '0')) <= 9) {
        val = val * 10 + d;
        ++p;
        if (p != e && (d = static_cast<unsigned>(static_cast<unsigned char>(*p) - '0')) <= 9) {
          val = val * 10 + d;
          ++p;
        }
      }
      if (val > 255) goto not_v4;
      v = (v << 8) | val;
    }
  }
  if (p == e) return IpAddress::v4(v);
not_v4:
  if (std::memchr(s.data(), ':', s.size()) != nullptr) return IpAddress::parse(s);
  return std::nullopt;
}

namespace {
constexpr std::array<std::int8_t, 256> kHexValue = [] {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int c = 0; c < 256; ++c) {
    t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(hex_value(static_cast<char>(c)));
  }
  return t;
}();
}  // namespace

bool parse_mac_prefix(std::string_view s, MacAddress& out) noexcept {
  if (s.size() < 17) return false;
  const auto* u = reinterpret_cast<const unsigned char*>(s.data());
  MacAddress m;
  for (std::size_t i = 0; i < 6; ++i) {
    const int hi = kHexValue[u[i * 3]];
    const int lo = kHexValue[u[i * 3 + 1]];
    if ((hi | lo) < 0) return false;
    if (i < 5 && u[i * 3 + 2] != ':' && u[i * 3 + 2] != '-') return false;
    m.b[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  out = m;
  return true;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool icontains(std::string_view hay, std::string_view needle) noexcept {
  if (needle.empty()) return true;
  if (hay.size() < needle.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (is_blank(s.front()) || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view Tokens::rest() const noexcept {
  std::size_t p = pos_;
  while (p < s_.size() && is_blank(s_[p])) ++p;
  return s_.substr(std::min(p, s_.size()));
}

std::optional<std::string_view> kv_find(std::string_view line, std::string_view key, char sep) noexcept {
  std::size_t from = 0;
  while (from < line.size()) {
    const std::size_t at = line.find(key, from);
    if (at == std::string_view::npos) return std::nullopt;
    if (at == 0 || line[at - 1] == sep || is_blank(line[at - 1])) {
      std::string_view v = line.substr(at + key.size());
      if (!v.empty() && v.front() == '"') {
        const std::size_t close = v.find('"', 1);
        if (close == std::string_view::npos) return v.substr(1);
        return v.substr(1, close - 1);
      }
      std::size_t end = 0;
      while (end < v.size() && v[end] != sep && !is_blank(v[end])) ++end;
      return v.substr(0, end);
    }
    from = at + 1;
  }
  return std::nullopt;
}

decode::Action action_from_word(std::string_view w) noexcept {
  using decode::Action;
  static constexpr std::string_view kDrop[] = {"deny", "drop", "denied", "block", "blocked", "dropped", "b",
                                               "drop-icmp", "discard"};
  static constexpr std::string_view kReject[] = {"reject", "rejected", "reset-both", "reset-client", "reset-server",
                                                 "reset", "rej"};
  static constexpr std::string_view kAccept[] = {"accept", "accepted", "allow", "allowed", "permit", "permitted",
                                                 "pass", "p", "est-allowed", "open", "open-inbound", "close"};
  for (auto k : kReject) {
    if (iequals(w, k)) return Action::Reject;
  }
  for (auto k : kDrop) {
    if (iequals(w, k)) return Action::Drop;
  }
  for (auto k : kAccept) {
    if (iequals(w, k)) return Action::Accept;
  }
  return Action::Unknown;
}

decode::Action action_from_prefix(std::string_view p) noexcept {
  using decode::Action;
  if (p.empty()) return Action::Unknown;
  if (icontains(p, "REJECT")) return Action::Reject;
  if (icontains(p, "DROP") || icontains(p, "BLOCK") || icontains(p, "DENY") || icontains(p, "DENIED") ||
      icontains(p, "DEFLT")) {
    return Action::Drop;
  }
  if (icontains(p, "ACCEPT") || icontains(p, "ALLOW") || icontains(p, "-ACC") || icontains(p, "PERMIT") ||
      icontains(p, "PASS")) {
    return Action::Accept;
  }
  return Action::Unknown;
}

bool protocol_from_text(std::string_view p, std::uint8_t& proto) noexcept {
  struct Name {
    std::string_view name;
    std::uint8_t num;
  };
  static constexpr Name kNames[] = {{"tcp", 6},  {"udp", 17},    {"icmp", 1},  {"icmpv6", 58}, {"ipv6-icmp", 58},
                                    {"icmp6", 58}, {"igmp", 2},  {"gre", 47},  {"esp", 50},    {"ah", 51},
                                    {"sctp", 132}, {"udplite", 136}, {"ipv6", 41}, {"ip", 0},   {"ospf", 89}};
  // Fast path for the spellings netfilter and most vendors use.
  if (p == "TCP" || p == "tcp") {
    proto = 6;
    return true;
  }
  if (p == "UDP" || p == "udp") {
    proto = 17;
    return true;
  }
  if (p == "ICMP" || p == "icmp") {
    proto = 1;
    return true;
  }
  if (!p.empty() && p[0] >= '0' && p[0] <= '9') return parse_num(p, proto);
  for (const auto& n : kNames) {
    if (iequals(p, n.name)) {
      proto = n.num;
      return true;
    }
  }
  return parse_num(p, proto);
}

decode::Transport transport_for(std::uint8_t proto, bool v6) noexcept {
  using decode::Transport;
  switch (proto) {
    case 6: return Transport::Tcp;
    case 17: return Transport::Udp;
    case 136: return Transport::Udp;
    case 1: return v6 ? Transport::Other : Transport::Icmp;
    case 58: return Transport::Icmpv6;
    default: return Transport::Other;
  }
}

void set_protocol(decode::Event& ev, std::uint8_t proto) noexcept {
  ev.protocol = proto;
  ev.transport = transport_for(proto, ev.ip_version == 6);
  if (proto == 1 && ev.ip_version == 6) ev.transport = decode::Transport::Icmp;
}

// ---- time --------------------------------------------------------------------------------

TimeZone TimeZone::fixed(std::int32_t offset_s) noexcept {
  TimeZone z;
  z.fixed_ = offset_s;
  z.initial_ = offset_s;
  return z;
}

namespace {
// "+02:00", "-0530", "+2", "UTC+02:00" → seconds east of UTC.
std::optional<std::int32_t> parse_fixed_offset(std::string_view s) noexcept {
  if (starts_with(s, "UTC") || starts_with(s, "GMT")) s.remove_prefix(3);
  if (s.empty()) return 0;
  if (s == "Z") return 0;
  if (s[0] != '+' && s[0] != '-') return std::nullopt;
  const bool neg = s[0] == '-';
  s.remove_prefix(1);
  std::uint64_t h = 0;
  std::uint64_t m = 0;
  if (const auto colon = s.find(':'); colon != std::string_view::npos) {
    if (!parse_uint(s.substr(0, colon), 23, h) || !parse_uint(s.substr(colon + 1), 59, m)) return std::nullopt;
    if (s.size() - colon - 1 != 2) return std::nullopt;
  } else if (s.size() == 4) {
    if (!parse_uint(s.substr(0, 2), 23, h) || !parse_uint(s.substr(2), 59, m)) return std::nullopt;
  } else if (s.size() <= 2) {
    if (!parse_uint(s, 23, h)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  const auto secs = static_cast<std::int32_t>(h * 3600 + m * 60);
  return neg ? -secs : secs;
}
}  // namespace

std::optional<TimeZone> TimeZone::parse(std::string_view spec) {
  if (spec.empty() || spec == "UTC" || spec == "Z" || spec == "GMT" || spec == "Etc/UTC") return TimeZone{};
  if (auto off = parse_fixed_offset(spec)) return fixed(*off);
  // An IANA name: letters, digits, '_', '-', '+', '/' only; no "..".
  if (spec.size() > 64 || spec.find("..") != std::string_view::npos || spec.front() == '/') return std::nullopt;
  for (const char c : spec) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-' ||
                    c == '+' || c == '/';
    if (!ok) return std::nullopt;
  }
  std::ifstream f("/usr/share/zoneinfo/" + std::string(spec), std::ios::binary);
  if (!f) return std::nullopt;
  std::vector<std::uint8_t> data;
  char buf[4096];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) {
    const auto got = static_cast<std::size_t>(f.gcount());
    data.insert(data.end(), reinterpret_cast<const std::uint8_t*>(buf), reinterpret_cast<const std::uint8_t*>(buf) + got);
    if (data.size() > 1024 * 1024) return std::nullopt;
  }
  return from_tzif(data);
}

std::optional<TimeZone> TimeZone::from_tzif(const std::vector<std::uint8_t>& data) {
  // RFC 8536: header, v1 data block (32-bit times), and for version ≥ 2 a second header and
  // data block with 64-bit times, which is the one used when present.
  ByteReader r(Bytes(data.data(), data.size()));
  struct Counts {
    std::uint32_t isut, isstd, leap, time, type, chars;
  };
  auto read_header = [&r](char& version, Counts& c) -> bool {
    auto magic = r.bytes(4);
    if (!magic || (*magic)[0] != 'T' || (*magic)[1] != 'Z' || (*magic)[2] != 'i' || (*magic)[3] != 'f') return false;
    auto v = r.u8();
    if (!v || !r.skip(15)) return false;
    version = static_cast<char>(*v);
    auto a = r.u32be(), b = r.u32be(), l = r.u32be(), t = r.u32be(), ty = r.u32be(), ch = r.u32be();
    if (!a || !b || !l || !t || !ty || !ch) return false;
    c = {*a, *b, *l, *t, *ty, *ch};
    return c.time <= 10000 && c.type >= 1 && c.type <= 256 && c.chars <= 10000 && c.leap <= 10000 &&
           c.isut <= 256 && c.isstd <= 256;
  };
  char version = 0;
  Counts c{};
  if (!read_header(version, c)) return std::nullopt;
  std::size_t time_size = 4;
  if (version >= '2') {
    const std::size_t v1 = std::size_t{c.time} * 5 + std::size_t{c.type} * 6 + c.chars + std::size_t{c.leap} * 8 +
                           c.isstd + c.isut;
    if (!r.skip(v1) || !read_header(version, c)) return std::nullopt;
    time_size = 8;
  }
  std::vector<std::int64_t> times;
  times.reserve(c.time);
  for (std::uint32_t i = 0; i < c.time; ++i) {
    if (time_size == 8) {
      auto t = r.u64be();
      if (!t) return std::nullopt;
      times.push_back(static_cast<std::int64_t>(*t));
    } else {
      auto t = r.u32be();
      if (!t) return std::nullopt;
      times.push_back(static_cast<std::int32_t>(*t));
    }
  }
  std::vector<std::uint8_t> idx;
  idx.reserve(c.time);
  for (std::uint32_t i = 0; i < c.time; ++i) {
    auto v = r.u8();
    if (!v || *v >= c.type) return std::nullopt;
    idx.push_back(*v);
  }
  std::vector<std::int32_t> type_off;
  for (std::uint32_t i = 0; i < c.type; ++i) {
    auto off = r.u32be();
    if (!off || !r.skip(2)) return std::nullopt;
    const auto o = static_cast<std::int32_t>(*off);
    if (o < -26 * 3600 || o > 26 * 3600) return std::nullopt;
    type_off.push_back(o);
  }
  TimeZone z;
  z.initial_ = type_off[0];
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (i > 0 && times[i] < times[i - 1]) return std::nullopt;
    z.transitions_.push_back(times[i]);
    z.offsets_.push_back(type_off[idx[i]]);
  }
  if (z.transitions_.empty()) z.fixed_ = z.initial_;
  return z;
}

std::int32_t TimeZone::offset_for_local(std::int64_t local_s) const noexcept {
  if (transitions_.empty()) return fixed_;
  auto at_utc = [this](std::int64_t utc) {
    const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc);
    if (it == transitions_.begin()) return initial_;
    return offsets_[static_cast<std::size_t>(it - transitions_.begin()) - 1];
  };
  const std::int32_t first = at_utc(local_s - initial_);
  return at_utc(local_s - first);
}

TimeContext::TimeContext(int year, std::int64_t mtime_s, TimeZone tz) noexcept
    : option_year_(year), mtime_s_(mtime_s), tz_(std::move(tz)) {}

std::optional<Timestamp> TimeContext::resolve(Stamp s) noexcept {
  if (!s.has_year) {
    if (year_ == 0) {
      if (option_year_ != 0) {
        year_ = option_year_;
      } else {
        const std::int64_t ref = mtime_s_ != 0 ? mtime_s_ : static_cast<std::int64_t>(std::time(nullptr));
        const CivilTime now = civil_from_timestamp(Timestamp::from_seconds(ref));
        year_ = now.year;
        // A stamp later than the file's modification time belongs to the year before.
        CivilTime probe = s.civil;
        probe.year = year_;
        if (probe.month == 2 && probe.day == 29) probe.day = 28;
        if (auto t = civil_to_timestamp(probe); t && t->seconds() > ref + 86400) --year_;
      }
    } else if (s.civil.month < last_month_ && last_month_ - s.civil.month >= 6) {
      ++year_;  // Dec → Jan inside one file
    }
    last_month_ = s.civil.month;
    s.civil.year = year_;
  }
  const CivilTime& c = s.civil;
  std::optional<Timestamp> t;
  if (c.day == day_day_ && c.month == day_month_ && c.year == day_year_) {
    // The date was validated when it was cached; the time of day is checked as
    // civil_to_timestamp checks it.
    if (c.hour < 0 || c.hour > 23 || c.minute < 0 || c.minute > 59 || c.second < 0 || c.second > 60 ||
        c.microsecond < 0 || c.microsecond > 999'999) {
      return std::nullopt;
    }
    const std::int64_t secs = day_number_ * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
    t = Timestamp{secs * 1'000'000 + c.microsecond};
  } else {
    t = civil_to_timestamp(c);
    if (!t) return std::nullopt;
    day_year_ = c.year;
    day_month_ = c.month;
    day_day_ = c.day;
    day_number_ = days_from_civil(c.year, c.month, c.day);
  }
  const std::int32_t off = s.has_offset ? s.offset_s : tz_.offset_for_local(t->seconds());
  t->us -= std::int64_t{off} * 1'000'000;
  return t;
}

namespace {
bool two_digits(std::string_view s, std::size_t pos, int& out) noexcept {
  if (pos + 2 > s.size() || !is_digit(s[pos]) || !is_digit(s[pos + 1])) return false;
  out = (s[pos] - '0') * 10 + (s[pos + 1] - '0');
  return true;
}
// "hh:mm:ss[.frac]" at pos; returns the end position or 0.
std::size_t parse_clock(std::string_view s, std::size_t pos, CivilTime& c) noexcept {
  if (!two_digits(s, pos, c.hour) || pos + 8 > s.size() || s[pos + 2] != ':' || !two_digits(s, pos + 3, c.minute) ||
      s[pos + 5] != ':' || !two_digits(s, pos + 6, c.second)) {
    return 0;
  }
  pos += 8;
  if (pos + 1 < s.size() && (s[pos] == '.' || s[pos] == ',') && is_digit(s[pos + 1])) {
    ++pos;
    int scale = 100000;
    std::size_t n = 0;
    c.microsecond = 0;
    while (pos < s.size() && is_digit(s[pos])) {
      if (n < 6) c.microsecond += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
  }
  return pos;
}
}  // namespace

std::size_t parse_bsd_stamp(std::string_view s, Stamp& out) noexcept {
  if (s.size() < 15) return 0;
  const int month = month_from_abbrev(s.substr(0, 3));
  if (month == 0 || s[3] != ' ') return 0;
  std::size_t pos = 4;
  if (s[pos] == ' ') ++pos;
  int day = 0;
  if (pos < s.size() && is_digit(s[pos])) {
    day = s[pos] - '0';
    ++pos;
    if (pos < s.size() && is_digit(s[pos])) {
      day = day * 10 + (s[pos] - '0');
      ++pos;
    }
  } else {
    return 0;
  }
  if (pos >= s.size() || s[pos] != ' ') return 0;
  ++pos;
  Stamp st;
  st.civil.month = month;
  st.civil.day = day;
  // Optional year: "Aug 24 2011 10:00:00"
  if (pos + 5 <= s.size() && is_digit(s[pos]) && is_digit(s[pos + 1]) && is_digit(s[pos + 2]) &&
      is_digit(s[pos + 3]) && s[pos + 4] == ' ') {
    st.civil.year = (s[pos] - '0') * 1000 + (s[pos + 1] - '0') * 100 + (s[pos + 2] - '0') * 10 + (s[pos + 3] - '0');
    st.has_year = true;
    pos += 5;
  }
  const std::size_t end = parse_clock(s, pos, st.civil);
  if (end == 0) return 0;
  out = st;
  return end;
}

std::size_t parse_iso_stamp(std::string_view s, Stamp& out, bool allow_space) noexcept {
  Stamp st;
  if (s.size() < 19) return 0;
  for (std::size_t i : {0u, 1u, 2u, 3u}) {
    if (!is_digit(s[i])) return 0;
  }
  st.civil.year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  if (s[4] != '-' || !two_digits(s, 5, st.civil.month) || s[7] != '-' || !two_digits(s, 8, st.civil.day)) return 0;
  if (!(s[10] == 'T' || (allow_space && s[10] == ' '))) return 0;
  std::size_t pos = parse_clock(s, 11, st.civil);
  if (pos == 0) return 0;
  st.has_year = true;
  if (pos < s.size() && s[pos] == 'Z') {
    st.has_offset = true;
    ++pos;
  } else if (pos + 3 <= s.size() && (s[pos] == '+' || s[pos] == '-') && is_digit(s[pos + 1])) {
    const bool neg = s[pos] == '-';
    int h = 0;
    int m = 0;
    if (!two_digits(s, pos + 1, h)) return 0;
    std::size_t mp = pos + 3;
    if (mp < s.size() && s[mp] == ':') ++mp;
    if (!two_digits(s, mp, m)) return 0;
    st.has_offset = true;
    st.offset_s = (h * 3600 + m * 60) * (neg ? -1 : 1);
    pos = mp + 2;
  }
  out = st;
  return pos;
}

// ---- syslog ----------------------------------------------------------------------------------

namespace {
// "[ 1234.567890] " at the start → consumed length (0 if not an uptime stamp).
std::size_t uptime_length(std::string_view s) noexcept {
  if (s.empty() || s[0] != '[') return 0;
  std::size_t pos = 1;
  while (pos < s.size() && s[pos] == ' ') ++pos;
  const std::size_t digits_start = pos;
  while (pos < s.size() && is_digit(s[pos])) ++pos;
  if (pos == digits_start || pos >= s.size() || s[pos] != '.') return 0;
  ++pos;
  const std::size_t frac = pos;
  while (pos < s.size() && is_digit(s[pos])) ++pos;
  if (pos == frac || pos >= s.size() || s[pos] != ']') return 0;
  ++pos;
  while (pos < s.size() && is_blank(s[pos])) ++pos;
  return pos;
}

std::size_t parse_any_stamp(std::string_view s, Stamp& st) noexcept {
  if (s.empty()) return 0;
  if (is_digit(s[0])) return parse_iso_stamp(s, st, true);
  return parse_bsd_stamp(s, st);
}

// Position of the first c in s, or s.size(). A plain loop: host names and tags are a few
// bytes long, shorter than what a memchr call costs.
std::size_t first_of(std::string_view s, char c) noexcept {
  std::size_t i = 0;
  while (i < s.size() && s[i] != c) ++i;
  return i;
}

// A syslog tag: "kernel:", "ipmon[123]:", "filterlog[5512]:", "%ASA-…" is not one.
bool tag_of(std::string_view tok, std::string_view& tag) noexcept {
  if (tok.size() < 2 || tok.back() != ':') return false;
  tok.remove_suffix(1);
  // One pass: a '=' before any '[' rules the token out; the name ends at a '['.
  std::size_t lb = 0;
  while (lb < tok.size() && tok[lb] != '[') {
    if (tok[lb] == '=') return false;
    ++lb;
  }
  if (lb != tok.size()) {
    if (tok.back() != ']') return false;
    tok = tok.substr(0, lb);
  }
  if (tok.empty() || tok[0] == '%') return false;
  tag = tok;
  return true;
}
}  // namespace

void parse_syslog(std::string_view line, SyslogHeader& h) noexcept {
  // Member by member: `h = SyslogHeader{}` built a zeroed temporary with `rep stos` and
  // copied it, 7 % of `decode --count` on netfilter lines (eight paired runs, all faster).
  h.has_stamp = false;
  h.stamp = Stamp{};
  h.host = {};
  h.tag = {};
  h.body = {};
  h.uptime = false;
  std::string_view s = line;
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  // <PRI>
  if (!s.empty() && s[0] == '<') {
    std::size_t i = 1;
    while (i < s.size() && i < 5 && is_digit(s[i])) ++i;
    if (i > 1 && i < s.size() && s[i] == '>') s.remove_prefix(i + 1);
  }
  bool rfc5424 = false;
  // RFC 5424 version "1 " before the stamp.
  if (s.size() > 2 && is_digit(s[0]) && s[1] == ' ' && s.size() > 3 && is_digit(s[2])) {
    Stamp probe;
    if (parse_iso_stamp(s.substr(2), probe, false) != 0) {
      s.remove_prefix(2);
      rfc5424 = true;
    }
  }
  Stamp st;
  std::size_t used = parse_any_stamp(s, st);
  if (used == 0) {
    // "file:Mar 17 13:39:13 …" as written by grep -H.
    const std::size_t colon = s.find(':');
    const std::size_t blank = s.find(' ');
    if (colon != std::string_view::npos && colon + 1 < s.size() && (blank == std::string_view::npos || colon < blank)) {
      used = parse_any_stamp(s.substr(colon + 1), st);
      if (used != 0) s.remove_prefix(colon + 1);
    }
  }
  if (used != 0) {
    h.has_stamp = true;
    h.stamp = st;
    s.remove_prefix(used);
    if (!s.empty() && s[0] == ':') s.remove_prefix(1);  // "Aug 24 2011 10:00:00: %ASA-…"
    Tokens t(s);
    std::string_view tok;
    std::size_t body_at = t.position();
    if (t.next(tok)) {
      std::string_view tag;
      if (tok[0] == '%' || first_of(tok, '=') != tok.size()) {
        // no host: the message starts here
      } else if (tag_of(tok, tag)) {
        h.tag = tag;  // "abc-asa1:" — a host or tag ending in ':'
        body_at = t.position();
      } else {
        h.host = tok;
        body_at = t.position();
        std::string_view tok2;
        if (rfc5424) {
          // APP-NAME PROCID MSGID, then structured data and the message stay in the body.
          if (t.next(tok2)) {
            h.tag = tok2;
            std::string_view skip;
            if (t.next(skip) && t.next(skip)) body_at = t.position();
            else body_at = s.size();
          }
        } else if (t.next(tok2) && tag_of(tok2, tag)) {
          h.tag = tag;
          body_at = t.position();
        }
      }
    }
    s = s.substr(std::min(body_at, s.size()));
  }
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  if (const std::size_t up = uptime_length(s); up != 0) {
    h.uptime = true;
    s.remove_prefix(up);
  }
  h.body = s;
}

void reset_event(decode::Event& ev) noexcept {
  // The same reset as a decoded frame's: an Event may go from one input to another when
  // several are merged, so a log line must not keep a frame's payload or ethertype.
  decode::reset_event(ev);
}

}  // namespace netseen::ingest::logs
