#include "ingest/pfirewall.hpp"

#include <fmt/format.h>

#include <array>

namespace netseen::ingest::logs {

namespace {

enum class Col : std::uint8_t {
  Unknown, Date, Time, Action, Protocol, SrcIp, DstIp, SrcPort, DstPort, Size, TcpFlags, TcpSyn, TcpAck, TcpWin,
  IcmpType, IcmpCode, Info, Path, Pid
};

Col column_from_name(std::string_view n) noexcept {
  struct Entry {
    std::string_view name;
    Col col;
  };
  static constexpr Entry kCols[] = {
      {"date", Col::Date},         {"time", Col::Time},         {"action", Col::Action},
      {"protocol", Col::Protocol}, {"src-ip", Col::SrcIp},      {"dst-ip", Col::DstIp},
      {"src-port", Col::SrcPort},  {"dst-port", Col::DstPort},  {"size", Col::Size},
      {"tcpflags", Col::TcpFlags}, {"tcpsyn", Col::TcpSyn},     {"tcpack", Col::TcpAck},
      {"tcpwin", Col::TcpWin},     {"icmptype", Col::IcmpType}, {"icmpcode", Col::IcmpCode},
      {"info", Col::Info},         {"path", Col::Path},         {"pid", Col::Pid}};
  for (const auto& e : kCols) {
    if (iequals(n, e.name)) return e.col;
  }
  return Col::Unknown;
}

constexpr std::size_t kMaxCols = 32;
constexpr std::string_view kDefaultFields =
    "date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode "
    "info path";

bool is_action(std::string_view a) noexcept {
  return a == "DROP" || a == "ALLOW" || a == "OPEN" || a == "OPEN-INBOUND" || a == "CLOSE" ||
         a == "INFO-EVENTS-LOST";
}

class PfirewallDialect final : public Dialect {
 public:
  PfirewallDialect() { set_fields(kDefaultFields); }
  [[nodiscard]] std::string_view name() const noexcept override { return "pfirewall"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    const std::string_view t = l.text;
    if (starts_with(t, "#Software: Microsoft Windows Firewall") || starts_with(t, "#Fields: date time action")) {
      return true;
    }
    // "2005-11-20 11:43:41 DROP TCP …"
    Stamp st;
    if (t.size() < 21 || parse_iso_stamp(t, st, true) != 19 || t[19] != ' ') return false;
    const std::string_view rest = t.substr(20);
    return is_action(rest.substr(0, rest.find(' ')));
  }

  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    std::string_view t = trim(l.text);
    if (!t.empty() && t.front() == '#') {
      if (starts_with(t, "#Fields:")) {
        if (!set_fields(t.substr(8))) {
          ctx.reason = "#Fields: header without date/time/action/src-ip/dst-ip";
          set_fields(kDefaultFields);
          return LineResult::Error;
        }
      }
      ctx.reason = "pfirewall header";
      return LineResult::Skipped;
    }
    std::array<std::string_view, kMaxCols> v{};
    std::size_t n = 0;
    Tokens tok(t);
    std::string_view f;
    while (tok.next(f)) {
      if (n == kMaxCols) {
        ctx.reason = "too many columns";
        return LineResult::Error;
      }
      v[n++] = f;
    }
    if (n != ncols_) {
      // Tolerate the trailing pid of newer Windows versions under an old header.
      if (!(n == ncols_ + 1 && !has_pid_)) {
        if (n > 2 && !is_action(n > action_col_ ? v[action_col_] : std::string_view{})) return LineResult::NotMine;
        ctx.reason = fmt::format("{} columns, the #Fields: header declares {}", n, ncols_);
        return LineResult::Error;
      }
    }
    auto get = [&](Col c) -> std::string_view {
      for (std::size_t i = 0; i < ncols_; ++i) {
        if (cols_[i] == c) return v[i] == "-" ? std::string_view{} : v[i];
      }
      return {};
    };
    const std::string_view action = get(Col::Action);
    if (!is_action(action)) {
      if (action.empty()) return LineResult::NotMine;
      ctx.reason = fmt::format("unknown action '{}'", action.substr(0, 32));
      return LineResult::Error;
    }
    // Date and time: local time of the logging machine.
    const std::string_view date = get(Col::Date);
    const std::string_view time = get(Col::Time);
    if (date.size() != 10 || time.size() < 8) {
      ctx.reason = "bad date/time";
      return LineResult::Error;
    }
    char buf[32];
    const std::size_t blen = std::min<std::size_t>(time.size(), 15);
    std::copy(date.begin(), date.end(), buf);
    buf[10] = 'T';
    std::copy(time.begin(), time.begin() + static_cast<std::ptrdiff_t>(blen), buf + 11);
    Stamp st;
    const std::string_view joined(buf, 11 + blen);
    if (parse_iso_stamp(joined, st, false) != joined.size()) {
      ctx.reason = fmt::format("bad date/time '{} {}'", date, time.substr(0, 16));
      return LineResult::Error;
    }
    st.has_offset = false;
    auto ts = ctx.time->resolve(st);
    if (!ts) {
      ctx.reason = "impossible date";
      return LineResult::Error;
    }
    ev.ts = *ts;
    if (action == "INFO-EVENTS-LOST") {
      // The info column carries how many events were lost; a row without a number still says some were.
      std::uint64_t lost = 0;
      const std::string_view info = get(Col::Info);
      if (!parse_num(info, lost)) lost = 0;
      ctx.events_not_logged += lost;
      ctx.reason = "INFO-EVENTS-LOST row (events the firewall did not log)";
      return LineResult::Skipped;
    }
    ev.action = action == "DROP" ? decode::Action::Drop : decode::Action::Accept;
    ev.rule.assign(action.data(), action.size());
    auto src = parse_ip(get(Col::SrcIp));
    auto dst = parse_ip(get(Col::DstIp));
    if (!src || !dst) {
      ctx.reason = fmt::format("bad address '{}' / '{}'", get(Col::SrcIp).substr(0, 48), get(Col::DstIp).substr(0, 48));
      return LineResult::Error;
    }
    ev.src = *src;
    ev.dst = *dst;
    ev.ip_version = src->is_v4() ? 4 : 6;
    std::uint8_t proto = 0;
    const std::string_view ptext = get(Col::Protocol);
    if (!ptext.empty() && !protocol_from_text(ptext, proto)) {
      ctx.reason = fmt::format("bad protocol '{}'", ptext.substr(0, 16));
      return LineResult::Error;
    }
    if (proto == 1 && ev.ip_version == 6) proto = 58;  // Windows writes ICMP for ICMPv6 too
    set_protocol(ev, proto);
    auto num = [&](Col c, auto& out, const char* what) -> bool {
      const std::string_view s = get(c);
      if (s.empty()) return true;
      if (parse_num(s, out)) return true;
      ctx.reason = fmt::format("bad {} '{}'", what, s.substr(0, 24));
      return false;
    };
    if (!num(Col::SrcPort, ev.sport, "src-port") || !num(Col::DstPort, ev.dport, "dst-port") ||
        !num(Col::Size, ev.ip_len, "size") || !num(Col::TcpSyn, ev.tcp_seq, "tcpsyn") ||
        !num(Col::TcpAck, ev.tcp_ack, "tcpack") || !num(Col::TcpWin, ev.tcp_window, "tcpwin")) {
      return LineResult::Error;
    }
    for (const char c : get(Col::TcpFlags)) {
      namespace tf = decode::tcpflag;
      switch (c) {
        case 'S': ev.tcp_flags |= tf::kSyn; break;
        case 'A': ev.tcp_flags |= tf::kAck; break;
        case 'F': ev.tcp_flags |= tf::kFin; break;
        case 'R': ev.tcp_flags |= tf::kRst; break;
        case 'P': ev.tcp_flags |= tf::kPsh; break;
        case 'U': ev.tcp_flags |= tf::kUrg; break;
        default:
          ctx.reason = fmt::format("bad tcpflags '{}'", get(Col::TcpFlags).substr(0, 16));
          return LineResult::Error;
      }
    }
    if (!get(Col::IcmpType).empty() || ev.transport == decode::Transport::Icmp ||
        ev.transport == decode::Transport::Icmpv6) {
      auto& icmp = ev.icmp.emplace();
      if (!num(Col::IcmpType, icmp.type, "icmptype") || !num(Col::IcmpCode, icmp.code, "icmpcode")) {
        return LineResult::Error;
      }
    }
    const std::string_view path = get(Col::Path);
    ev.direction = path == "RECEIVE" ? decode::Direction::Inbound
                   : path == "SEND"  ? decode::Direction::Outbound
                   : path == "FORWARD" ? decode::Direction::Forward
                                       : decode::Direction::Unknown;
    return LineResult::Parsed;
  }

 private:
  bool set_fields(std::string_view spec) {
    ncols_ = 0;
    has_pid_ = false;
    bool date = false, time = false, action = false, src = false, dst = false;
    Tokens t(spec);
    std::string_view name;
    while (t.next(name) && ncols_ < kMaxCols) {
      const Col c = column_from_name(name);
      if (c == Col::Date) date = true;
      if (c == Col::Time) time = true;
      if (c == Col::Action) {
        action = true;
        action_col_ = ncols_;
      }
      if (c == Col::SrcIp) src = true;
      if (c == Col::DstIp) dst = true;
      if (c == Col::Pid) has_pid_ = true;
      cols_[ncols_++] = c;
    }
    return date && time && action && src && dst;
  }

  std::array<Col, kMaxCols> cols_{};
  std::size_t ncols_ = 0;
  std::size_t action_col_ = 2;
  bool has_pid_ = false;
};

}  // namespace

std::unique_ptr<Dialect> make_pfirewall_dialect() { return std::make_unique<PfirewallDialect>(); }

}  // namespace netseen::ingest::logs
