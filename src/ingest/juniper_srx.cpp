#include "ingest/juniper_srx.hpp"

#include <fmt/format.h>

namespace netseen::ingest::logs {

namespace {

// "10.0.0.1/54924->192.168.1.1/53"
bool tuple(std::string_view s, decode::Event& ev) {
  const auto arrow = s.find("->");
  if (arrow == std::string_view::npos) return false;
  auto side = [](std::string_view x, IpAddress& a, std::uint16_t& p) {
    const auto slash = x.rfind('/');
    if (slash == std::string_view::npos || !parse_num(x.substr(slash + 1), p)) return false;
    auto ip = parse_ip(x.substr(0, slash));
    if (!ip) return false;
    a = *ip;
    return true;
  };
  return side(s.substr(0, arrow), ev.src, ev.sport) && side(s.substr(arrow + 2), ev.dst, ev.dport);
}

class SrxDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "juniper-srx"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    return l.text.find("RT_FLOW_SESSION_") != std::string_view::npos;
  }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    const std::string_view text = l.text;
    const auto at = text.find("RT_FLOW_SESSION_");
    if (at == std::string_view::npos) return LineResult::NotMine;
    const std::string_view kind = text.substr(at + 16, text.substr(at + 16).find_first_of(": ["));
    if (kind == "DENY") ev.action = decode::Action::Drop;
    else if (kind == "CREATE" || kind == "CLOSE") ev.action = decode::Action::Accept;
    else {
      ctx.reason = fmt::format("juniper-srx RT_FLOW_SESSION_{} (not a packet record)", kind.substr(0, 24));
      return LineResult::Skipped;
    }
    auto err = [&](std::string why) {
      ctx.reason = std::move(why);
      return LineResult::Error;
    };
    std::uint8_t proto = 0;
    std::int32_t icmp_type = -1;
    if (const auto sd = text.find("[junos@"); sd != std::string_view::npos) {
      // Structured: key="value" pairs.
      const std::string_view body = text.substr(sd);
      auto get = [&](std::string_view key) { return kv_find(body, key).value_or(std::string_view{}); };
      auto s = parse_ip(get("source-address="));
      auto d = parse_ip(get("destination-address="));
      if (!s || !d) return err("bad source-address/destination-address");
      ev.src = *s;
      ev.dst = *d;
      if (!parse_num(get("source-port="), ev.sport) || !parse_num(get("destination-port="), ev.dport) ||
          !parse_num(get("protocol-id="), proto)) {
        return err("bad source-port/destination-port/protocol-id");
      }
      std::uint8_t it = 0;
      if (parse_num(get("icmp-type="), it)) icmp_type = it;
      const auto policy = get("policy-name=");
      ev.rule.assign(policy.data(), policy.size());
      const auto iface = get("packet-incoming-interface=");
      ev.in_iface.assign(iface.data(), iface.size());
      if (kind == "DENY" && icontains(get("reason="), "reject")) ev.action = decode::Action::Reject;
    } else {
      // Legacy text: "session denied A/p->B/p service proto(icmp) policy from to …"
      Tokens t(text.substr(at));
      std::string_view tok;
      bool have_tuple = false;
      std::size_t after_tuple = 0;
      std::string_view service;
      while (t.next(tok)) {
        if (!have_tuple) {
          if (tok.find("->") != std::string_view::npos) {
            if (!tuple(tok, ev)) return err(fmt::format("bad address tuple '{}'", tok.substr(0, 64)));
            have_tuple = true;
          }
          continue;
        }
        ++after_tuple;
        if (kind == "DENY") {
          if (after_tuple == 1) service = tok;
          if (after_tuple == 2) {
            // "17(0)"
            const auto paren = tok.find('(');
            if (!parse_num(tok.substr(0, paren), proto)) return err(fmt::format("bad protocol '{}'", tok.substr(0, 16)));
            if (paren != std::string_view::npos && tok.back() == ')') {
              std::uint8_t it = 0;
              if (parse_num(tok.substr(paren + 1, tok.size() - paren - 2), it)) icmp_type = it;
            }
          }
          if (after_tuple == 3) {
            const auto policy = tok.substr(0, tok.find('('));
            ev.rule.assign(policy.data(), policy.size());
          }
        } else if (proto == 0 && after_tuple >= 3 && tok.find("->") == std::string_view::npos) {
          std::uint8_t p = 0;
          if (parse_num(tok, p)) proto = p;
        }
      }
      if (!have_tuple) return err("no address tuple");
      if (kind == "DENY" && proto == 0 && after_tuple < 2) return err("truncated after the service");
    }
    ev.ip_version = ev.src.is_v4() ? 4 : 6;
    set_protocol(ev, proto);
    if (ev.transport == decode::Transport::Icmp || ev.transport == decode::Transport::Icmpv6) {
      auto& icmp = ev.icmp.emplace();
      if (icmp_type >= 0) icmp.type = static_cast<std::uint8_t>(icmp_type);
      ev.sport = ev.dport = 0;
    }
    return LineResult::Parsed;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_juniper_srx_dialect() { return std::make_unique<SrxDialect>(); }

}  // namespace netseen::ingest::logs
