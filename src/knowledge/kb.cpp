// The knowledge base: table loader (validation with `file:line: reason` diagnostics) and
// the constant-time / logarithmic lookups. See kb.hpp and docs/knowledge.md.
#include "knowledge/kb.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

namespace netseen::knowledge {

namespace {

constexpr std::size_t kMaxLineBytes = 4096;
constexpr std::size_t kMaxFileBytes = 4 * 1024 * 1024;
constexpr std::uint16_t kNone = 0xFFFF;
constexpr std::size_t kMaxRowsPerTable = 60000;  // indices are 16-bit
constexpr int kTableVersion = 1;

struct TagName {
  std::string_view name;
  std::uint32_t bit;
};
constexpr std::array<TagName, 16> kTags{{
    {"trojan", tag::kTrojan},
    {"game", tag::kGame},
    {"netbios", tag::kNetbios},
    {"rpc", tag::kRpc},
    {"remote-access", tag::kRemoteAccess},
    {"database", tag::kDatabase},
    {"mail", tag::kMail},
    {"web", tag::kWeb},
    {"proxy", tag::kProxy},
    {"infra", tag::kInfra},
    {"discovery", tag::kDiscovery},
    {"traceroute", tag::kTraceroute},
    {"source-port", tag::kSourcePort},
    {"insecure", tag::kInsecure},
    {"scan-target", tag::kScanTarget},
    {"ephemeral", tag::kEphemeral},
}};

enum class Table : std::uint8_t { Ports, Icmp, Special, Slash8, NbSuffix, Rpc, Ttl };
struct TableDef {
  Table table;
  std::string_view name;
  std::string_view columns;  // canonical column line, fields joined by " | "
};
constexpr std::array<TableDef, 7> kTables{{
    {Table::Ports, "ports", "proto | port | service | tags | meaning | advice"},
    {Table::Icmp, "icmp", "family | type | code | name | verdict | meaning | advice"},
    {Table::Special, "special", "block | name | rfc | routable | meaning"},
    {Table::Slash8, "slash8", "prefix | status | registry | since | before | holder"},
    {Table::NbSuffix, "nbsuffix", "suffix | kind | name | service | meaning"},
    {Table::Rpc, "rpc", "program | procedure | name | meaning"},
    {Table::Ttl, "ttl", "initial | os_family | note"},
}};

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto bar = line.find('|', start);
    if (bar == std::string_view::npos) {
      out.push_back(trim(line.substr(start)));
      return out;
    }
    out.push_back(trim(line.substr(start, bar - start)));
    start = bar + 1;
  }
}

// Column line in canonical form: fields trimmed, joined by " | ".
std::string canonical(std::string_view line) {
  std::string out;
  for (const auto f : split_fields(line)) {
    if (!out.empty()) out += " | ";
    out.append(f);
  }
  return out;
}

std::optional<std::uint32_t> parse_uint(std::string_view s, std::uint32_t max, int base = 10) noexcept {
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint32_t v = 0;
  const auto* end = s.data() + s.size();
  const auto r = std::from_chars(s.data(), end, v, base);
  if (r.ec != std::errc{} || r.ptr != end || v > max) return std::nullopt;
  return v;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// "-" stands for "nothing" in optional text columns.
std::string opt_text(std::string_view s) { return s == "-" ? std::string() : std::string(s); }

// "2010-01" or "2010-01-15" → the first instant of that month or day.
std::optional<Timestamp> parse_month(std::string_view s) noexcept {
  if (s.size() == 7) {
    CivilTime c;
    const auto y = parse_uint(s.substr(0, 4), 9999);
    const auto m = parse_uint(s.substr(5, 2), 12);
    if (!y || !m || s[4] != '-' || *m == 0) return std::nullopt;
    c.year = static_cast<int>(*y);
    c.month = static_cast<int>(*m);
    return civil_to_timestamp(c);
  }
  if (s.size() == 10) return parse_rfc3339(s);
  return std::nullopt;
}

std::optional<SlashEightStatus> parse_status(std::string_view s) noexcept {
  if (s == "allocated") return SlashEightStatus::Registry;
  if (s == "legacy") return SlashEightStatus::Legacy;
  if (s == "reserved") return SlashEightStatus::Reserved;
  if (s == "unallocated") return SlashEightStatus::Unallocated;
  if (s == "multicast") return SlashEightStatus::Multicast;
  if (s == "future") return SlashEightStatus::Future;
  return std::nullopt;
}

constexpr std::array<std::string_view, 6> kVerdicts{"normal", "error", "suspicious", "attack", "obsolete", "informational"};

struct Slash8Row {
  std::uint8_t first = 0, last = 0;
  SlashEightStatus status = SlashEightStatus::Unknown;
  std::string registry;
  std::optional<Timestamp> since;
  std::string since_text;
  std::optional<SlashEightStatus> before;
  std::string holder;
};

struct SpecialKey {
  std::uint8_t family = 0;
  std::uint8_t prefix = 0;
  IpAddress base;
  friend auto operator<=>(const SpecialKey&, const SpecialKey&) = default;
  friend bool operator==(const SpecialKey&, const SpecialKey&) = default;
};

}  // namespace

std::string Diagnostic::to_string() const { return file + ":" + std::to_string(line) + ": " + reason; }

std::uint32_t tag_from_name(std::string_view name) noexcept {
  for (const auto& t : kTags) {
    if (t.name == name) return t.bit;
  }
  return 0;
}

std::string tag_names(std::uint32_t tags) {
  std::string out;
  for (const auto& t : kTags) {
    if ((tags & t.bit) == 0) continue;
    if (!out.empty()) out += ',';
    out.append(t.name);
  }
  return out;
}

std::string_view to_string(Proto p) noexcept { return p == Proto::Tcp ? "tcp" : "udp"; }

std::optional<Proto> proto_of(decode::Transport t) noexcept {
  if (t == decode::Transport::Tcp) return Proto::Tcp;
  if (t == decode::Transport::Udp) return Proto::Udp;
  return std::nullopt;
}

PortRange port_range(std::uint16_t port) noexcept {
  if (port <= 1023) return PortRange::WellKnown;
  if (port <= 49151) return PortRange::Registered;
  return PortRange::Dynamic;
}

std::string_view to_string(PortRange r) noexcept {
  switch (r) {
    case PortRange::WellKnown: return "well-known";
    case PortRange::Registered: return "registered";
    case PortRange::Dynamic: return "dynamic";
  }
  return "dynamic";
}

std::string_view to_string(SlashEightStatus s) noexcept {
  switch (s) {
    case SlashEightStatus::Reserved: return "reserved";
    case SlashEightStatus::Unallocated: return "unallocated";
    case SlashEightStatus::Registry: return "allocated";
    case SlashEightStatus::Legacy: return "legacy";
    case SlashEightStatus::Multicast: return "multicast";
    case SlashEightStatus::Future: return "future";
    case SlashEightStatus::Unknown: return "unknown";
  }
  return "unknown";
}

std::string_view region_of_registry(std::string_view registry) noexcept {
  if (registry == "ARIN") return "North America and parts of the Caribbean";
  if (registry == "RIPE NCC") return "Europe, the Middle East and Central Asia";
  if (registry == "APNIC") return "Asia-Pacific";
  if (registry == "LACNIC") return "Latin America and the Caribbean";
  if (registry == "AFRINIC") return "Africa";
  return "";
}

std::string_view to_string(IpIdPattern p) noexcept {
  switch (p) {
    case IpIdPattern::Unknown: return "unknown";
    case IpIdPattern::Zero: return "zero";
    case IpIdPattern::Constant: return "constant";
    case IpIdPattern::IncrementalBe: return "incremental-be";
    case IpIdPattern::IncrementalLe: return "incremental-le";
    case IpIdPattern::Random: return "random";
  }
  return "unknown";
}

namespace {
std::uint16_t swap16(std::uint16_t v) noexcept { return static_cast<std::uint16_t>((v >> 8) | (v << 8)); }

// Steps that move forward by a plausible amount (1..kMaxStep, modulo 2^16), and their sum:
// a busy host skips IDs it used for other destinations, so steps above 1 are normal.
constexpr std::uint32_t kMaxStep = 1024;
struct Forward {
  std::size_t steps = 0;
  std::uint64_t total = 0;
};
Forward forward_steps(std::span<const std::uint16_t> ids, bool swapped) {
  Forward f;
  for (std::size_t i = 1; i < ids.size(); ++i) {
    const std::uint16_t a = swapped ? swap16(ids[i - 1]) : ids[i - 1];
    const std::uint16_t b = swapped ? swap16(ids[i]) : ids[i];
    const std::uint32_t d = static_cast<std::uint16_t>(b - a);
    if (d >= 1 && d <= kMaxStep) {
      ++f.steps;
      f.total += d;
    }
  }
  return f;
}
}  // namespace

IpIdVerdict ipid_pattern(std::span<const std::uint16_t> ids) {
  IpIdVerdict v;
  if (ids.size() < 2) {
    v.meaning = "too few IP IDs to tell a pattern (need at least 3)";
    return v;
  }
  const bool all_same = std::all_of(ids.begin(), ids.end(), [&](std::uint16_t x) { return x == ids.front(); });
  if (all_same && ids.front() == 0) {
    v.pattern = IpIdPattern::Zero;
    v.meaning =
        "every IP ID is zero: typical of Linux and other modern stacks on packets with Don't Fragment set "
        "(the ID is only needed for fragments), and of some crafted scan packets";
    return v;
  }
  if (all_same) {
    v.pattern = IpIdPattern::Constant;
    v.meaning = "the IP ID never changes: a hand-made or tool-generated packet (scanners often use a fixed ID), "
                "or a stack that does not fill the field";
    return v;
  }
  if (ids.size() < 3) {
    v.meaning = "too few IP IDs to tell a pattern (need at least 3)";
    return v;
  }
  const std::size_t steps = ids.size() - 1;
  const Forward be = forward_steps(ids, false);
  const Forward le = forward_steps(ids, true);
  // "Mostly" counting: at least 3/4 of the steps move forward by a plausible amount. When
  // both byte orders qualify (a little-endian counter read big-endian moves by 256), the
  // one with the smaller total movement is the real counter.
  const auto mostly = [&](const Forward& f) { return f.steps * 4 >= steps * 3; };
  const bool be_ok = mostly(be), le_ok = mostly(le);
  if (be_ok && (!le_ok || be.total <= le.total)) {
    v.pattern = IpIdPattern::IncrementalBe;
    v.meaning =
        "a counter read in network byte order: the sender increments the ID per packet and stores it big-endian "
        "(most Unix stacks, routers, and any stack whose counter the logger decodes the same way). Gaps show how "
        "many packets the host sent to others in between: an idle-scan zombie candidate";
  } else if (le_ok) {
    v.pattern = IpIdPattern::IncrementalLe;
    v.meaning =
        "a counter that increments in the high byte first: a little-endian host (classic Windows on Intel) "
        "writes its per-packet counter in host byte order, or a firewall log printed the field with the wrong "
        "byte order. Read byte-swapped, the values count up by one";
  } else {
    v.pattern = IpIdPattern::Random;
    v.meaning = "no counter visible: the IDs are randomised (OpenBSD, FreeBSD, recent Linux and macOS per "
                "destination) or the packets come from many different hosts behind one address";
  }
  return v;
}

// ---------------------------------------------------------------------------------------

struct KnowledgeBase::Impl {
  std::vector<PortInfo> ports;
  std::vector<std::uint16_t> port_index[2];  // [proto][port] → ports index
  std::map<std::tuple<int, std::uint16_t, std::uint16_t>, std::size_t> port_keys;

  std::vector<IcmpInfo> icmp;
  std::vector<std::uint16_t> icmp_index;     // [(v6*256 + type)*257 + code_or_256]

  std::vector<SpecialBlock> special;
  std::vector<std::pair<SpecialKey, std::size_t>> special_sorted;
  std::array<std::vector<std::uint8_t>, 2> special_prefixes;  // per family, longest first

  std::vector<Slash8Row> slash8_rows;
  std::array<std::uint16_t, 256> slash8_index{};

  std::vector<NbSuffixInfo> nb;
  std::array<std::array<std::uint16_t, 256>, 2> nb_index{};  // [group][suffix], generic names only
  std::vector<std::pair<std::pair<std::string, std::uint8_t>, std::size_t>> nb_special;  // sorted by (NAME, suffix)

  std::vector<RpcInfo> rpc;        // sorted by program after finalize()
  std::vector<RpcProcInfo> rpc_procs;

  struct TtlRow {
    std::uint8_t initial;
    std::string os, note;
  };
  std::vector<TtlRow> ttl_rows;
  std::array<std::uint16_t, 256> ttl_index{};

  Impl() {
    port_index[0].assign(65536, kNone);
    port_index[1].assign(65536, kNone);
    icmp_index.assign(2 * 256 * 257, kNone);
    slash8_index.fill(kNone);
    for (auto& a : nb_index) a.fill(kNone);
    ttl_index.fill(kNone);
  }

  void finalize();
};

void KnowledgeBase::Impl::finalize() {
  special_sorted.clear();
  for (auto& p : special_prefixes) p.clear();
  for (std::size_t i = 0; i < special.size(); ++i) {
    const auto& b = special[i].block;
    const std::uint8_t fam = b.base().is_v4() ? 0 : 1;
    special_sorted.push_back({SpecialKey{fam, static_cast<std::uint8_t>(b.prefix()), b.base()}, i});
    auto& pl = special_prefixes[fam];
    if (std::find(pl.begin(), pl.end(), static_cast<std::uint8_t>(b.prefix())) == pl.end()) {
      pl.push_back(static_cast<std::uint8_t>(b.prefix()));
    }
  }
  std::sort(special_sorted.begin(), special_sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& pl : special_prefixes) std::sort(pl.begin(), pl.end(), std::greater<>());

  std::sort(rpc.begin(), rpc.end(), [](const RpcInfo& a, const RpcInfo& b) { return a.program < b.program; });
  std::sort(rpc_procs.begin(), rpc_procs.end(), [](const RpcProcInfo& a, const RpcProcInfo& b) {
    return std::pair(a.program, a.procedure) < std::pair(b.program, b.procedure);
  });

  std::sort(nb_special.begin(), nb_special.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  // TTL: the smallest initial value at or above the observed one.
  std::sort(ttl_rows.begin(), ttl_rows.end(), [](const TtlRow& a, const TtlRow& b) { return a.initial < b.initial; });
  ttl_index.fill(kNone);
  std::size_t r = 0;
  for (unsigned t = 0; t < 256; ++t) {
    while (r < ttl_rows.size() && ttl_rows[r].initial < t) ++r;
    if (r < ttl_rows.size()) ttl_index[t] = static_cast<std::uint16_t>(r);
  }
}

KnowledgeBase::KnowledgeBase() : impl_(std::make_unique<Impl>()) {}
KnowledgeBase::~KnowledgeBase() = default;
KnowledgeBase::KnowledgeBase(KnowledgeBase&&) noexcept = default;
KnowledgeBase& KnowledgeBase::operator=(KnowledgeBase&&) noexcept = default;

namespace {

// Parses the rows of one table into the Impl. One object per load_text call.
class Loader {
 public:
  Loader(KnowledgeBase::Impl& impl, std::string_view name, LoadReport& report)
      : kb_(impl), file_(name), report_(report) {}

  void run(std::string_view text);

 private:
  void diag(std::size_t line, std::string reason) {
    report_.diagnostics.push_back(Diagnostic{file_, line, std::move(reason)});
  }
  bool header(std::string_view line);
  void row(std::size_t line, const std::vector<std::string_view>& f);
  void port_row(std::size_t line, const std::vector<std::string_view>& f);
  void icmp_row(std::size_t line, const std::vector<std::string_view>& f);
  void special_row(std::size_t line, const std::vector<std::string_view>& f);
  void slash8_row(std::size_t line, const std::vector<std::string_view>& f);
  void nb_row(std::size_t line, const std::vector<std::string_view>& f);
  void rpc_row(std::size_t line, const std::vector<std::string_view>& f);
  void ttl_row(std::size_t line, const std::vector<std::string_view>& f);
  bool required(std::size_t line, const std::vector<std::string_view>& f, std::size_t i, std::string_view what);
  bool duplicate(std::size_t line, const std::string& key);
  bool room(std::size_t line, std::size_t have);

  KnowledgeBase::Impl& kb_;
  std::string file_;
  LoadReport& report_;
  const TableDef* def_ = nullptr;
  std::vector<std::string_view> columns_;
  std::map<std::string, std::size_t> seen_;  // key → line, for duplicates inside this file
};

void Loader::run(std::string_view text) {
  if (text.size() > kMaxFileBytes) {
    diag(0, "file is larger than 4 MiB");
    return;
  }
  std::size_t lineno = 0;
  std::size_t pos = 0;
  bool have_header = false, have_columns = false;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    if (line.size() > kMaxLineBytes) {
      diag(lineno, "line is longer than 4096 bytes");
      if (!have_header) return;
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!have_header) {
      if (!header(line)) return;
      have_header = true;
      continue;
    }
    const auto t = trim(line);
    if (t.empty() || t.front() == '#') continue;
    if (!have_columns) {
      const auto c = canonical(t);
      if (c != def_->columns) {
        diag(lineno, "column line '" + c + "' does not match table '" + std::string(def_->name) + "': expected '" +
                         std::string(def_->columns) + "'");
        return;
      }
      columns_ = split_fields(def_->columns);
      have_columns = true;
      continue;
    }
    if (t.find('\0') != std::string_view::npos) {
      diag(lineno, "NUL byte in line");
      continue;
    }
    const auto fields = split_fields(t);
    if (fields.size() != columns_.size()) {
      diag(lineno, "expected " + std::to_string(columns_.size()) + " fields separated by '|', found " +
                       std::to_string(fields.size()));
      continue;
    }
    row(lineno, fields);
  }
  if (!have_header) {
    diag(1, "empty file: missing header '# netseen-kb <table> <version>'");
  } else if (!have_columns) {
    diag(lineno, "missing column line after the header");
  }
  kb_.finalize();
}

bool Loader::header(std::string_view line) {
  const auto t = trim(line);
  constexpr std::string_view kMagic = "# netseen-kb ";
  if (t.substr(0, kMagic.size()) != kMagic) {
    diag(1, "missing header '# netseen-kb <table> <version>'");
    return false;
  }
  auto rest = trim(t.substr(kMagic.size()));
  const auto sp = rest.find(' ');
  const auto name = rest.substr(0, sp);
  const auto version = sp == std::string_view::npos ? std::string_view() : trim(rest.substr(sp + 1));
  for (const auto& d : kTables) {
    if (d.name == name) def_ = &d;
  }
  if (def_ == nullptr) {
    diag(1, "unknown table '" + std::string(name) +
                "' (expected ports, icmp, special, slash8, nbsuffix, rpc or ttl)");
    return false;
  }
  const auto v = parse_uint(version, 1000);
  if (!v) {
    diag(1, "missing or bad version in header (expected '# netseen-kb " + std::string(name) + " 1')");
    return false;
  }
  if (*v != kTableVersion) {
    diag(1, "unsupported version " + std::to_string(*v) + " of table '" + std::string(name) +
                "' (this build reads version 1)");
    return false;
  }
  return true;
}

bool Loader::required(std::size_t line, const std::vector<std::string_view>& f, std::size_t i,
                      std::string_view what) {
  if (f[i].empty()) {
    diag(line, "empty field '" + std::string(what) + "'");
    return false;
  }
  return true;
}

bool Loader::duplicate(std::size_t line, const std::string& key) {
  const auto [it, inserted] = seen_.emplace(key, line);
  if (!inserted) {
    diag(line, "duplicate entry for " + key + " (first defined at line " + std::to_string(it->second) + ")");
    return true;
  }
  return false;
}

bool Loader::room(std::size_t line, std::size_t have) {
  if (have >= kMaxRowsPerTable) {
    diag(line, "too many rows in table '" + std::string(def_->name) + "' (limit 60000)");
    return false;
  }
  return true;
}

void Loader::row(std::size_t line, const std::vector<std::string_view>& f) {
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (!required(line, f, i, columns_[i])) return;
  }
  switch (def_->table) {
    case Table::Ports: port_row(line, f); break;
    case Table::Icmp: icmp_row(line, f); break;
    case Table::Special: special_row(line, f); break;
    case Table::Slash8: slash8_row(line, f); break;
    case Table::NbSuffix: nb_row(line, f); break;
    case Table::Rpc: rpc_row(line, f); break;
    case Table::Ttl: ttl_row(line, f); break;
  }
}

// "22" or "6970-7170" → [first, last]
bool parse_range(std::string_view s, std::uint32_t max, std::uint32_t& first, std::uint32_t& last) {
  const auto dash = s.find('-');
  const auto a = parse_uint(trim(s.substr(0, dash)), max);
  if (!a) return false;
  first = last = *a;
  if (dash == std::string_view::npos) return true;
  const auto b = parse_uint(trim(s.substr(dash + 1)), max);
  if (!b) return false;
  last = *b;
  return true;
}

void Loader::port_row(std::size_t line, const std::vector<std::string_view>& f) {
  const auto proto = lower(f[0]);
  if (proto != "tcp" && proto != "udp" && proto != "both") {
    diag(line, "unknown protocol '" + std::string(f[0]) + "' (expected tcp, udp or both)");
    return;
  }
  std::uint32_t first = 0, last = 0;
  if (!parse_range(f[1], 65535, first, last)) {
    diag(line, "port '" + std::string(f[1]) + "' is not a number from 0 to 65535 or a range N-M");
    return;
  }
  if (last < first) {
    diag(line, "port range " + std::string(f[1]) + " is reversed");
    return;
  }
  std::uint32_t tags = 0;
  if (f[3] != "-") {
    std::string_view rest = f[3];
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto name = trim(rest.substr(0, comma));
      const auto bit = tag_from_name(name);
      if (bit == 0) {
        diag(line, "unknown tag '" + std::string(name) + "'");
        return;
      }
      tags |= bit;
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  for (int p = 0; p < 2; ++p) {
    if ((p == 0 && proto == "udp") || (p == 1 && proto == "tcp")) continue;
    const std::string key = std::string(p == 0 ? "tcp/" : "udp/") + std::to_string(first) +
                            (first == last ? std::string() : "-" + std::to_string(last));
    if (duplicate(line, key)) return;
  }
  for (int p = 0; p < 2; ++p) {
    if ((p == 0 && proto == "udp") || (p == 1 && proto == "tcp")) continue;
    PortInfo info;
    info.first = static_cast<std::uint16_t>(first);
    info.last = static_cast<std::uint16_t>(last);
    info.proto = p == 0 ? Proto::Tcp : Proto::Udp;
    info.service = std::string(f[2]);
    info.meaning = std::string(f[4]);
    info.advice = opt_text(f[5]);
    info.tags = tags;
    const auto key = std::tuple(p, info.first, info.last);
    std::size_t idx = 0;
    if (const auto it = kb_.port_keys.find(key); it != kb_.port_keys.end()) {
      idx = it->second;  // a later file overrides the same key in place
      kb_.ports[idx] = std::move(info);
    } else {
      if (!room(line, kb_.ports.size())) return;
      idx = kb_.ports.size();
      kb_.ports.push_back(std::move(info));
      kb_.port_keys.emplace(key, idx);
    }
    // Narrower rows win over wider ones; among equal widths, the later row wins.
    auto& index = kb_.port_index[p];
    const std::uint32_t width = last - first;
    for (std::uint32_t port = first; port <= last; ++port) {
      const auto cur = index[port];
      if (cur == kNone || static_cast<std::uint32_t>(kb_.ports[cur].last - kb_.ports[cur].first) >= width) {
        index[port] = static_cast<std::uint16_t>(idx);
      }
    }
  }
}

void Loader::icmp_row(std::size_t line, const std::vector<std::string_view>& f) {
  const auto fam = lower(f[0]);
  if (fam != "v4" && fam != "v6") {
    diag(line, "unknown family '" + std::string(f[0]) + "' (expected v4 or v6)");
    return;
  }
  const auto type = parse_uint(f[1], 255);
  if (!type) {
    diag(line, "ICMP type '" + std::string(f[1]) + "' is not a number from 0 to 255");
    return;
  }
  std::optional<std::uint8_t> code;
  if (f[2] != "*") {
    const auto c = parse_uint(f[2], 255);
    if (!c) {
      diag(line, "ICMP code '" + std::string(f[2]) + "' is not '*' or a number from 0 to 255");
      return;
    }
    code = static_cast<std::uint8_t>(*c);
  }
  const auto verdict = lower(f[4]);
  if (std::find(kVerdicts.begin(), kVerdicts.end(), verdict) == kVerdicts.end()) {
    diag(line, "unknown verdict '" + std::string(f[4]) +
                   "' (expected normal, error, suspicious, attack, obsolete or informational)");
    return;
  }
  const std::string key = "icmp " + fam + " " + std::to_string(*type) + "/" + std::string(f[2]);
  if (duplicate(line, key)) return;
  const bool v6 = fam == "v6";
  const std::size_t slot = ((v6 ? 256U : 0U) + *type) * 257U + (code ? *code : 256U);
  IcmpInfo info{static_cast<std::uint8_t>(*type), code, v6, std::string(f[3]), std::string(f[5]), verdict,
                opt_text(f[6])};
  if (kb_.icmp_index[slot] != kNone) {
    kb_.icmp[kb_.icmp_index[slot]] = std::move(info);
    return;
  }
  if (!room(line, kb_.icmp.size())) return;
  kb_.icmp_index[slot] = static_cast<std::uint16_t>(kb_.icmp.size());
  kb_.icmp.push_back(std::move(info));
}

void Loader::special_row(std::size_t line, const std::vector<std::string_view>& f) {
  const auto block = Cidr::parse(f[0]);
  if (!block || f[0].find('/') == std::string_view::npos) {
    diag(line, "'" + std::string(f[0]) + "' is not an address block a.b.c.d/n or x::/n");
    return;
  }
  if (block->to_string() != lower(f[0]) && block->base().is_v4()) {
    diag(line, "block '" + std::string(f[0]) + "' has host bits set (did you mean " + block->to_string() + "?)");
    return;
  }
  const auto r = lower(f[3]);
  if (r != "yes" && r != "no") {
    diag(line, "routable must be 'yes' or 'no', not '" + std::string(f[3]) + "'");
    return;
  }
  if (duplicate(line, "block " + block->to_string())) return;
  SpecialBlock sb{*block, std::string(f[1]), std::string(f[2]), std::string(f[4]), r == "yes"};
  for (auto& existing : kb_.special) {
    if (existing.block.base() == sb.block.base() && existing.block.prefix() == sb.block.prefix()) {
      existing = std::move(sb);
      return;
    }
  }
  if (!room(line, kb_.special.size())) return;
  kb_.special.push_back(std::move(sb));
}

void Loader::slash8_row(std::size_t line, const std::vector<std::string_view>& f) {
  std::uint32_t first = 0, last = 0;
  if (!parse_range(f[0], 255, first, last) || last < first) {
    diag(line, "prefix '" + std::string(f[0]) + "' is not a first octet 0-255 or a range N-M");
    return;
  }
  const auto status = parse_status(lower(f[1]));
  if (!status) {
    diag(line, "unknown status '" + std::string(f[1]) +
                   "' (expected allocated, legacy, reserved, unallocated, multicast or future)");
    return;
  }
  Slash8Row row;
  row.first = static_cast<std::uint8_t>(first);
  row.last = static_cast<std::uint8_t>(last);
  row.status = *status;
  row.registry = opt_text(f[2]);
  if (!row.registry.empty() && region_of_registry(row.registry).empty()) {
    diag(line, "unknown registry '" + row.registry + "' (expected ARIN, RIPE NCC, APNIC, LACNIC or AFRINIC)");
    return;
  }
  if (*status == SlashEightStatus::Registry && row.registry.empty()) {
    diag(line, "status 'allocated' needs a registry");
    return;
  }
  if (f[3] != "-") {
    row.since = parse_month(f[3]);
    if (!row.since) {
      diag(line, "date '" + std::string(f[3]) + "' is not YYYY-MM or YYYY-MM-DD");
      return;
    }
    row.since_text = std::string(f[3]);
  }
  if (f[4] != "-") {
    row.before = parse_status(lower(f[4]));
    if (!row.before) {
      diag(line, "unknown earlier status '" + std::string(f[4]) + "'");
      return;
    }
    if (!row.since) {
      diag(line, "an earlier status needs the date ('since') when it ended");
      return;
    }
  }
  row.holder = opt_text(f[5]);
  for (std::uint32_t o = first; o <= last; ++o) {
    if (duplicate(line, "/8 " + std::to_string(o))) return;
  }
  if (!room(line, kb_.slash8_rows.size())) return;
  const auto idx = static_cast<std::uint16_t>(kb_.slash8_rows.size());
  kb_.slash8_rows.push_back(std::move(row));
  for (std::uint32_t o = first; o <= last; ++o) kb_.slash8_index[o] = idx;
}

void Loader::nb_row(std::size_t line, const std::vector<std::string_view>& f) {
  const auto s = parse_uint(f[0].substr(0, 2) == "0x" ? f[0].substr(2) : f[0], 255, 16);
  if (!s || f[0].size() > 4) {
    diag(line, "suffix '" + std::string(f[0]) + "' is not a hex byte 00-FF");
    return;
  }
  const auto kind = lower(f[1]);
  if (kind != "unique" && kind != "group") {
    diag(line, "kind must be 'unique' or 'group', not '" + std::string(f[1]) + "'");
    return;
  }
  const std::string name = f[2] == "*" ? std::string() : upper(f[2]);
  if (name.size() > 15) {
    diag(line, "NetBIOS name '" + std::string(f[2]) + "' is longer than 15 characters");
    return;
  }
  char hex[3];
  static constexpr char kHex[] = "0123456789ABCDEF";
  hex[0] = kHex[*s >> 4];
  hex[1] = kHex[*s & 15];
  hex[2] = '\0';
  if (duplicate(line, (name.empty() ? std::string("*") : name) + "<" + hex + "> " + kind)) return;
  NbSuffixInfo info{static_cast<std::uint8_t>(*s), kind == "group", name, std::string(f[3]), std::string(f[4])};
  if (name.empty()) {
    auto& slot = kb_.nb_index[info.group ? 1 : 0][*s];
    if (slot != kNone) {
      kb_.nb[slot] = std::move(info);
      return;
    }
    if (!room(line, kb_.nb.size())) return;
    slot = static_cast<std::uint16_t>(kb_.nb.size());
    kb_.nb.push_back(std::move(info));
    return;
  }
  const auto key = std::pair(name, info.suffix);
  for (auto& [k, idx] : kb_.nb_special) {
    if (k == key) {
      kb_.nb[idx] = std::move(info);
      return;
    }
  }
  if (!room(line, kb_.nb.size())) return;
  kb_.nb_special.push_back({key, kb_.nb.size()});
  kb_.nb.push_back(std::move(info));
}

void Loader::rpc_row(std::size_t line, const std::vector<std::string_view>& f) {
  const auto prog = parse_uint(f[0], 0xFFFFFFFFU);
  if (!prog) {
    diag(line, "RPC program '" + std::string(f[0]) + "' is not a number");
    return;
  }
  if (f[1] == "-") {
    if (duplicate(line, "rpc " + std::to_string(*prog))) return;
    RpcInfo info{*prog, std::string(f[2]), std::string(f[3])};
    for (auto& r : kb_.rpc) {
      if (r.program == *prog) {
        r = std::move(info);
        return;
      }
    }
    if (!room(line, kb_.rpc.size())) return;
    kb_.rpc.push_back(std::move(info));
    return;
  }
  const auto proc = parse_uint(f[1], 0xFFFFFFFFU);
  if (!proc) {
    diag(line, "RPC procedure '" + std::string(f[1]) + "' is not '-' or a number");
    return;
  }
  if (duplicate(line, "rpc " + std::to_string(*prog) + " procedure " + std::to_string(*proc))) return;
  RpcProcInfo info{*prog, *proc, std::string(f[2]), std::string(f[3])};
  for (auto& r : kb_.rpc_procs) {
    if (r.program == *prog && r.procedure == *proc) {
      r = std::move(info);
      return;
    }
  }
  if (!room(line, kb_.rpc_procs.size())) return;
  kb_.rpc_procs.push_back(std::move(info));
}

void Loader::ttl_row(std::size_t line, const std::vector<std::string_view>& f) {
  const auto initial = parse_uint(f[0], 255);
  if (!initial || *initial == 0) {
    diag(line, "initial TTL '" + std::string(f[0]) + "' is not a number from 1 to 255");
    return;
  }
  if (duplicate(line, "ttl " + std::to_string(*initial))) return;
  for (auto& r : kb_.ttl_rows) {
    if (r.initial == *initial) {
      r.os = std::string(f[1]);
      r.note = std::string(f[2]);
      return;
    }
  }
  kb_.ttl_rows.push_back({static_cast<std::uint8_t>(*initial), std::string(f[1]), std::string(f[2])});
}

}  // namespace

void KnowledgeBase::load_text(std::string_view name, std::string_view text, LoadReport& report) {
  Loader loader(*impl_, name, report);
  loader.run(text);
}

void KnowledgeBase::load_file(const std::string& path, LoadReport& report) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    report.diagnostics.push_back(Diagnostic{path, 0, "cannot open file"});
    return;
  }
  std::string text;
  std::array<char, 65536> buf{};
  while (f) {
    f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    text.append(buf.data(), static_cast<std::size_t>(f.gcount()));
    if (text.size() > kMaxFileBytes) {
      report.diagnostics.push_back(Diagnostic{path, 0, "file is larger than 4 MiB"});
      return;
    }
  }
  load_text(path, text, report);
}

Result<KnowledgeBase> KnowledgeBase::load(std::span<const std::string> extra_files, LoadReport& report) {
  KnowledgeBase kb;
  for (const auto& t : embedded_tables()) kb.load_text(t.name, t.text, report);
  for (const auto& path : extra_files) kb.load_file(path, report);
  if (!report.ok()) {
    return fail(ErrorKind::Malformed, "kb", report.diagnostics.front().line,
                report.diagnostics.front().to_string());
  }
  return kb;
}

const KnowledgeBase& builtin_kb() {
  static const KnowledgeBase kb = [] {
    KnowledgeBase k;
    LoadReport ignored;  // the tests prove the built-in tables load without diagnostics
    for (const auto& t : embedded_tables()) k.load_text(t.name, t.text, ignored);
    return k;
  }();
  return kb;
}

// ---- lookups -----------------------------------------------------------------------------

const PortInfo* KnowledgeBase::port(Proto proto, std::uint16_t p) const noexcept {
  const auto idx = impl_->port_index[proto == Proto::Tcp ? 0 : 1][p];
  return idx == kNone ? nullptr : &impl_->ports[idx];
}

const PortInfo* KnowledgeBase::port(decode::Transport t, std::uint16_t p) const noexcept {
  const auto proto = proto_of(t);
  return proto ? port(*proto, p) : nullptr;
}

const IcmpInfo* KnowledgeBase::icmp(std::uint8_t type, std::uint8_t code, bool v6) const noexcept {
  const std::size_t base = ((v6 ? 256U : 0U) + type) * 257U;
  auto idx = impl_->icmp_index[base + code];
  if (idx == kNone) idx = impl_->icmp_index[base + 256];
  return idx == kNone ? nullptr : &impl_->icmp[idx];
}

const IcmpInfo* KnowledgeBase::icmp_type(std::uint8_t type, bool v6) const noexcept {
  const auto idx = impl_->icmp_index[((v6 ? 256U : 0U) + type) * 257U + 256U];
  return idx == kNone ? nullptr : &impl_->icmp[idx];
}

std::vector<const IcmpInfo*> KnowledgeBase::icmp_codes(std::uint8_t type, bool v6) const {
  std::vector<const IcmpInfo*> out;
  const std::size_t base = ((v6 ? 256U : 0U) + type) * 257U;
  for (std::size_t c = 0; c < 256; ++c) {
    const auto idx = impl_->icmp_index[base + c];
    if (idx != kNone) out.push_back(&impl_->icmp[idx]);
  }
  return out;
}

const SpecialBlock* KnowledgeBase::special_block(const IpAddress& a) const noexcept {
  if (!a.valid()) return nullptr;
  const std::uint8_t fam = a.is_v4() ? 0 : 1;
  for (const auto plen : impl_->special_prefixes[fam]) {
    const SpecialKey key{fam, plen, Cidr(a, plen).base()};
    const auto it = std::lower_bound(impl_->special_sorted.begin(), impl_->special_sorted.end(), key,
                                     [](const auto& e, const SpecialKey& k) { return e.first < k; });
    if (it != impl_->special_sorted.end() && it->first == key) return &impl_->special[it->second];
  }
  return nullptr;
}

namespace {
struct Slash8At {
  SlashEightStatus status = SlashEightStatus::Unknown;
  bool before = false;  // the date falls before the current designation
};
Slash8At slash8_at(const Slash8Row& r, std::optional<Timestamp> at) noexcept {
  if (at && r.since && *at < *r.since) {
    if (r.before) return {*r.before, true};
    return {r.status, true};
  }
  return {r.status, false};
}
}  // namespace

SlashEightStatus KnowledgeBase::slash8_status(std::uint8_t first_octet, std::optional<Timestamp> at) const noexcept {
  const auto idx = impl_->slash8_index[first_octet];
  if (idx == kNone) return SlashEightStatus::Unknown;
  return slash8_at(impl_->slash8_rows[idx], at).status;
}

std::string_view KnowledgeBase::registry_of(const IpAddress& a, std::optional<Timestamp> at) const noexcept {
  if (!a.is_v4()) return "";
  const auto idx = impl_->slash8_index[a.v4_value() >> 24];
  if (idx == kNone) return "";
  const auto& r = impl_->slash8_rows[idx];
  const auto s = slash8_at(r, at);
  if (s.before && r.before) return "";  // not yet with the registry on that date
  return r.registry;
}

AddressInfo KnowledgeBase::address(const IpAddress& a, std::optional<Timestamp> at) const {
  AddressInfo info;
  info.address = a;
  info.special = special_block(a);
  if (!a.is_v4()) return info;
  const auto octet = a.v4_value() >> 24;
  const auto idx = impl_->slash8_index[octet];
  if (idx == kNone) return info;
  const auto& r = impl_->slash8_rows[idx];
  const auto s = slash8_at(r, at);
  info.status = s.status;
  info.current = r.status;
  info.holder = r.holder;
  info.allocated_on = r.since;
  info.allocated_text = r.since_text;
  info.current_registry = r.registry;
  const bool with_registry = !(s.before && r.before);
  if (with_registry) {
    info.registry = r.registry;
    info.region = std::string(region_of_registry(r.registry));
  }
  const std::string block = std::to_string(octet) + ".0.0.0/8";
  const std::string date = at ? format_rfc3339(*at).substr(0, 10) : std::string();
  std::string now;
  switch (r.status) {
    case SlashEightStatus::Registry:
      now = "allocated to " + r.registry + " (" + std::string(region_of_registry(r.registry)) + ")";
      if (!r.since_text.empty()) now += " since " + r.since_text;
      break;
    case SlashEightStatus::Legacy:
      now = "legacy space";
      if (!r.holder.empty()) now += " (" + r.holder + ")";
      now += ", assigned";
      if (!r.since_text.empty()) now += " in " + r.since_text;
      now += " before the regional registries took over";
      if (!r.registry.empty()) now += "; administered today by " + r.registry;
      break;
    case SlashEightStatus::Reserved: now = "reserved by IANA"; break;
    case SlashEightStatus::Unallocated: now = "unallocated (held by IANA)"; break;
    case SlashEightStatus::Multicast: now = "multicast space"; break;
    case SlashEightStatus::Future: now = "reserved for future use"; break;
    case SlashEightStatus::Unknown: now = "of unknown status"; break;
  }
  if (s.before && r.before) {
    info.status_note = "on " + date + " " + block + " was " + std::string(to_string(*r.before)) +
                       " at IANA: no one should have been using it then (bogon). Today it is " + now + ".";
  } else if (s.before) {
    info.status_note = block + " is " + now + "; the table does not record its status on " + date + ".";
  } else {
    info.status_note = block + " is " + now + ".";
  }
  return info;
}

const NbSuffixInfo* KnowledgeBase::nb_suffix(std::uint8_t suffix, bool group) const noexcept {
  const auto idx = impl_->nb_index[group ? 1 : 0][suffix];
  return idx == kNone ? nullptr : &impl_->nb[idx];
}

const NbSuffixInfo* KnowledgeBase::nb_suffix(std::uint8_t suffix) const noexcept {
  if (const auto* u = nb_suffix(suffix, false)) return u;
  return nb_suffix(suffix, true);
}

const NbSuffixInfo* KnowledgeBase::nb_special(std::string_view name, std::uint8_t suffix) const noexcept {
  // Names are compared upper-cased with trailing spaces dropped; control bytes kept.
  // "\x01\x02__MSBROWSE__\x02" as on the wire and "__MSBROWSE__" as typed are the same name.
  auto n = name;
  const auto pad = [](char c) { return c == ' ' || static_cast<unsigned char>(c) < 0x20; };
  while (!n.empty() && pad(n.back())) n.remove_suffix(1);
  while (!n.empty() && pad(n.front())) n.remove_prefix(1);
  if (n.size() > 15) return nullptr;
  std::array<char, 15> buf{};
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    buf[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  const std::string_view key(buf.data(), n.size());
  const auto& v = impl_->nb_special;
  const auto it = std::lower_bound(v.begin(), v.end(), std::pair(key, suffix), [](const auto& e, const auto& k) {
    const std::string_view en = e.first.first;
    return en < k.first || (en == k.first && e.first.second < k.second);
  });
  if (it == v.end() || it->first.first != key || it->first.second != suffix) return nullptr;
  return &impl_->nb[it->second];
}

const RpcInfo* KnowledgeBase::rpc(std::uint32_t program) const noexcept {
  const auto& v = impl_->rpc;
  const auto it = std::lower_bound(v.begin(), v.end(), program,
                                   [](const RpcInfo& r, std::uint32_t p) { return r.program < p; });
  return it != v.end() && it->program == program ? &*it : nullptr;
}

const RpcProcInfo* KnowledgeBase::rpc_proc(std::uint32_t program, std::uint32_t procedure) const noexcept {
  const auto& v = impl_->rpc_procs;
  const auto key = std::pair(program, procedure);
  const auto it = std::lower_bound(v.begin(), v.end(), key, [](const RpcProcInfo& r, const auto& k) {
    return std::pair(r.program, r.procedure) < k;
  });
  return it != v.end() && it->program == program && it->procedure == procedure ? &*it : nullptr;
}

TtlGuess KnowledgeBase::ttl(std::uint8_t observed) const noexcept {
  TtlGuess g;
  g.observed = observed;
  const auto idx = impl_->ttl_index[observed];
  if (idx == kNone) return g;
  const auto& r = impl_->ttl_rows[idx];
  g.initial = r.initial;
  g.hops = static_cast<std::uint8_t>(r.initial - observed);
  g.os_family = r.os;
  g.note = r.note;
  return g;
}

TableCounts KnowledgeBase::counts() const noexcept {
  TableCounts c;
  c.ports = impl_->ports.size();
  c.icmp = impl_->icmp.size();
  c.special = impl_->special.size();
  c.slash8 = 0;
  for (const auto idx : impl_->slash8_index) c.slash8 += idx == kNone ? 0 : 1;
  c.nb_suffixes = impl_->nb.size();
  c.rpc = impl_->rpc.size();
  c.rpc_procs = impl_->rpc_procs.size();
  c.ttl = impl_->ttl_rows.size();
  return c;
}

}  // namespace netseen::knowledge
