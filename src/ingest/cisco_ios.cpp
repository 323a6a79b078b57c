#include "ingest/cisco_ios.hpp"

#include <fmt/format.h>

namespace netseen::ingest::logs {

namespace {

std::size_t find_tag(std::string_view s) noexcept {
  auto at = s.find("%SEC-6-IPACCESSLOG");
  if (at == std::string_view::npos) at = s.find("%IPV6_ACL-6-ACCESSLOG");
  if (at == std::string_view::npos) at = s.find("%IPV6-6-ACCESSLOG");
  return at;
}

// "10.1.1.1(137)" or "10.1.1.1"
bool host_port(std::string_view s, IpAddress& a, std::uint16_t& port, bool& has_port) {
  has_port = false;
  if (!s.empty() && s.back() == ')') {
    const auto open = s.find('(');
    if (open == std::string_view::npos || !parse_num(s.substr(open + 1, s.size() - open - 2), port)) return false;
    has_port = true;
    s = s.substr(0, open);
  }
  auto ip = parse_ip(s);
  if (!ip) return false;
  a = *ip;
  return true;
}

class IosDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "cisco-ios"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    return find_tag(l.hdr.body) != std::string_view::npos;
  }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    const std::string_view body = l.hdr.body;
    const auto at = find_tag(body);
    if (at == std::string_view::npos) return LineResult::NotMine;
    std::string_view rest = body.substr(at + 1);
    const auto colon = rest.find(": ");
    if (colon == std::string_view::npos) {
      ctx.reason = "no ': ' after the message tag";
      return LineResult::Error;
    }
    const std::string_view tag = rest.substr(0, colon);
    const bool standard = ends_with(tag, "LOGS");  // standard ACL: source only
    Tokens t(rest.substr(colon + 2));
    std::string_view list, acl, verdict;
    if (!t.next(list) || list != "list" || !t.next(acl) || !t.next(verdict)) {
      ctx.reason = "expected 'list <acl> <permitted|denied>'";
      return LineResult::Error;
    }
    ev.action = action_from_word(verdict);
    if (ev.action == decode::Action::Unknown) {
      ctx.reason = fmt::format("unknown verdict '{}'", verdict.substr(0, 16));
      return LineResult::Error;
    }
    ev.rule.assign(acl.data(), acl.size());
    std::string_view tok;
    std::uint16_t sp = 0, dp = 0;
    bool hs = false, hd = false;
    if (!standard) {
      std::string_view p;
      if (!t.next(p)) {
        ctx.reason = "truncated before the protocol";
        return LineResult::Error;
      }
      std::uint8_t proto = 0;
      if (!protocol_from_text(p, proto)) {
        ctx.reason = fmt::format("bad protocol '{}'", p.substr(0, 16));
        return LineResult::Error;
      }
      std::string_view src;
      if (!t.next(src) || !host_port(src, ev.src, sp, hs)) {
        ctx.reason = "bad source";
        return LineResult::Error;
      }
      ev.ip_version = ev.src.is_v4() ? 4 : 6;
      if (proto == 1 && ev.ip_version == 6) proto = 58;
      set_protocol(ev, proto);
      // Optional "(FastEthernet0/0 0012.3456.789a)" or "(Vlan1)" interface group before "->".
      if (!t.next(tok)) {
        ctx.reason = "truncated before '->'";
        return LineResult::Error;
      }
      if (tok.front() == '(') {
        std::string_view iface = tok.substr(1);
        if (!iface.empty() && iface.back() == ')') iface.remove_suffix(1);
        ev.in_iface.assign(iface.data(), iface.size());
        for (int guard = 0; guard < 4 && tok.back() != ')'; ++guard) {
          if (!t.next(tok)) break;
        }
        if (!t.next(tok)) tok = {};
      }
      std::string_view dst;
      if (tok != "->" || !t.next(dst)) {
        ctx.reason = "expected '-> destination'";
        return LineResult::Error;
      }
      if (!dst.empty() && dst.back() == ',') dst.remove_suffix(1);
      if (!host_port(dst, ev.dst, dp, hd)) {
        ctx.reason = fmt::format("bad destination '{}'", dst.substr(0, 48));
        return LineResult::Error;
      }
      if (ev.transport == decode::Transport::Tcp || ev.transport == decode::Transport::Udp) {
        ev.sport = sp;
        ev.dport = dp;
      }
      if (!t.next(tok)) {
        ctx.reason = "truncated before the packet count";
        return LineResult::Error;
      }
      // ICMP: "(8/0)," type/code after the destination.
      if (tok.front() == '(') {
        std::string_view tc = tok.substr(1);
        if (!tc.empty() && tc.back() == ',') tc.remove_suffix(1);
        if (!tc.empty() && tc.back() == ')') tc.remove_suffix(1);
        const auto slash = tc.find('/');
        auto& icmp = ev.icmp.emplace();
        if (slash == std::string_view::npos || !parse_num(tc.substr(0, slash), icmp.type) ||
            !parse_num(tc.substr(slash + 1), icmp.code)) {
          ctx.reason = fmt::format("bad ICMP type/code '{}'", tok.substr(0, 16));
          return LineResult::Error;
        }
        if (!t.next(tok)) {
          ctx.reason = "truncated before the packet count";
          return LineResult::Error;
        }
      }
    } else {
      std::string_view src;
      if (!t.next(src)) {
        ctx.reason = "truncated before the source";
        return LineResult::Error;
      }
      if (!src.empty() && src.back() == ',') src.remove_suffix(1);
      if (!host_port(src, ev.src, sp, hs)) {
        ctx.reason = "bad source";
        return LineResult::Error;
      }
      ev.ip_version = ev.src.is_v4() ? 4 : 6;
      if (!t.next(tok)) {
        ctx.reason = "truncated before the packet count";
        return LineResult::Error;
      }
    }
    // "1 packet" / "12 packets"
    std::string_view unit;
    if (!parse_num(tok, ev.count) || ev.count == 0 || !t.next(unit) || !starts_with(unit, "packet")) {
      ctx.reason = fmt::format("bad packet count '{}'", tok.substr(0, 16));
      return LineResult::Error;
    }
    return LineResult::Parsed;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_cisco_ios_dialect() { return std::make_unique<IosDialect>(); }

}  // namespace netseen::ingest::logs
