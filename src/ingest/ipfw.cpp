#include "ingest/ipfw.hpp"

#include <fmt/format.h>

namespace netseen::ingest::logs {

namespace {

// "a.b.c.d:port", "[v6]:port", or an address alone.
bool endpoint(std::string_view s, IpAddress& a, std::uint16_t& port) {
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos) return false;
    auto ip = parse_ip(s.substr(1, close - 1));
    if (!ip) return false;
    a = *ip;
    const auto rest = s.substr(close + 1);
    if (rest.empty()) return true;
    return rest.front() == ':' && parse_num(rest.substr(1), port);
  }
  const auto colon = s.rfind(':');
  if (colon != std::string_view::npos && s.find(':') == colon) {
    if (!parse_num(s.substr(colon + 1), port)) return false;
    s = s.substr(0, colon);
  }
  auto ip = parse_ip(s);
  if (!ip) return false;
  a = *ip;
  return true;
}

// "TCP", "UDP", "SCTP", "ICMP:8.0", "ICMPv6:128.0", "P:47"
bool protocol_token(std::string_view t, decode::Event& ev, bool& is_proto) {
  is_proto = true;
  auto tc = [&](std::string_view v) {
    const auto dot = v.find('.');
    auto& icmp = ev.icmp.emplace();
    return dot != std::string_view::npos && parse_num(v.substr(0, dot), icmp.type) &&
           parse_num(v.substr(dot + 1), icmp.code);
  };
  if (t == "TCP") ev.protocol = 6;
  else if (t == "UDP") ev.protocol = 17;
  else if (t == "SCTP") ev.protocol = 132;
  else if (starts_with(t, "ICMPv6:")) {
    ev.protocol = 58;
    return tc(t.substr(7));
  } else if (starts_with(t, "ICMP:")) {
    ev.protocol = 1;
    return tc(t.substr(5));
  } else if (starts_with(t, "P:")) {
    return parse_num(t.substr(2), ev.protocol);
  } else {
    is_proto = false;
  }
  return true;
}

class IpfwDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "ipfw"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override { return starts_with(l.hdr.body, "ipfw: "); }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    if (!claims(l)) return LineResult::NotMine;
    Tokens t(l.hdr.body.substr(6));
    std::string_view rule, action, tok;
    if (!t.next(rule) || !t.next(action)) {
      ctx.reason = "truncated";
      return LineResult::Error;
    }
    if (rule == "limit") {
      ctx.reason = "ipfw logging limit notice";
      return LineResult::Skipped;
    }
    std::uint32_t rn = 0;
    if (!parse_num(rule, rn)) {
      ctx.reason = fmt::format("bad rule number '{}'", rule.substr(0, 16));
      return LineResult::Error;
    }
    ev.rule.assign(rule.data(), rule.size());
    if (action == "Deny") ev.action = decode::Action::Drop;
    else if (action == "Reset" || starts_with(action, "Unreach")) ev.action = decode::Action::Reject;
    else if (action == "Accept" || action == "Divert" || action == "Tee" || action == "Forward" || action == "Nat" ||
             action == "SkipTo" || action == "Count" || action == "Queue" || action == "Pipe") {
      ev.action = action == "Count" ? decode::Action::Unknown : decode::Action::Accept;
    }
    // Skip the action's arguments up to the protocol.
    bool is_proto = false;
    for (int guard = 0; guard < 6; ++guard) {
      if (!t.next(tok)) {
        ctx.reason = "no protocol";
        return LineResult::Error;
      }
      if (!protocol_token(tok, ev, is_proto)) {
        ctx.reason = fmt::format("bad protocol '{}'", tok.substr(0, 24));
        return LineResult::Error;
      }
      if (is_proto) break;
    }
    if (!is_proto) {
      ctx.reason = "no protocol";
      return LineResult::Error;
    }
    std::string_view s, d;
    std::uint16_t sp = 0, dp = 0;
    if (!t.next(s) || !t.next(d) || !endpoint(s, ev.src, sp) || !endpoint(d, ev.dst, dp)) {
      ctx.reason = "bad source or destination";
      return LineResult::Error;
    }
    ev.ip_version = ev.src.is_v4() ? 4 : 6;
    const std::uint8_t p = ev.protocol;
    const auto icmp = ev.icmp;
    set_protocol(ev, p);
    ev.icmp = icmp;
    if (ev.transport == decode::Transport::Tcp || ev.transport == decode::Transport::Udp || p == 132) {
      ev.sport = sp;
      ev.dport = dp;
    }
    std::string_view dir, via, iface;
    if (t.next(dir)) {
      ev.direction = dir == "in" ? decode::Direction::Inbound
                     : dir == "out" ? decode::Direction::Outbound
                                    : decode::Direction::Unknown;
      if (t.next(via) && via == "via" && t.next(iface)) {
        (dir == "out" ? ev.out_iface : ev.in_iface).assign(iface.data(), iface.size());
      }
    }
    while (t.next(tok)) {
      if (tok == "(frag") ev.fragment = true;
      if (ev.fragment && tok.find('@') != std::string_view::npos) {
        const auto at = tok.find('@');
        std::string_view off = tok.substr(at + 1);
        while (!off.empty() && (off.back() == ')' || off.back() == '+')) off.remove_suffix(1);
        std::uint16_t o = 0;
        if (parse_num(off, o) && o != 0) ev.later_fragment = true;
      }
    }
    return LineResult::Parsed;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_ipfw_dialect() { return std::make_unique<IpfwDialect>(); }

}  // namespace netseen::ingest::logs
