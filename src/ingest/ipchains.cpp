#include "ingest/ipchains.hpp"

#include <fmt/format.h>

namespace netseen::ingest::logs {

bool parse_addr_port(std::string_view s, IpAddress& a, std::uint16_t& port, bool& had_port) noexcept {
  const auto colon = s.rfind(':');
  had_port = false;
  if (colon != std::string_view::npos && s.find(':') == colon) {
    if (!parse_num(s.substr(colon + 1), port)) return false;
    had_port = true;
    s = s.substr(0, colon);
  }
  auto ip = parse_ip(s);
  if (!ip) return false;
  a = *ip;
  return true;
}

LineResult ipchains_tail_token(std::string_view tok, decode::Event& ev, std::string& why) {
  if (tok.size() < 2 || tok[1] != '=') return LineResult::NotMine;
  const std::string_view v = tok.substr(2);
  std::uint64_t x = 0;
  switch (tok[0]) {
    case 'L':
      if (!parse_uint(v, 0xFFFFFF, x)) break;
      ev.ip_len = static_cast<std::uint32_t>(x);
      return LineResult::Parsed;
    case 'S':
      if (!parse_hex(v, 0xFF, x)) break;
      return LineResult::Parsed;
    case 'I':
      if (!parse_uint(v, 0xFFFF, x)) break;
      ev.ip_id = static_cast<std::uint16_t>(x);
      ev.has_ip_id = true;
      ev.ip_id_from_log = true;
      return LineResult::Parsed;
    case 'F':
      if (!parse_hex(v, 0xFFFF, x)) break;
      ev.dont_fragment = (x & 0x4000) != 0;
      ev.fragment = (x & 0x2000) != 0 || (x & 0x1FFF) != 0;
      ev.later_fragment = (x & 0x1FFF) != 0;
      return LineResult::Parsed;
    case 'T':
      if (!parse_uint(v, 0xFF, x)) break;
      ev.ttl = static_cast<std::uint8_t>(x);
      ev.has_ttl = true;
      return LineResult::Parsed;
    case 'O':
      if (!parse_hex(v, ~std::uint64_t{0}, x)) break;
      return LineResult::Parsed;
    default:
      return LineResult::NotMine;
  }
  why = fmt::format("bad {} value '{}'", tok.substr(0, 1), v.substr(0, 24));
  return LineResult::Error;
}

namespace {

// Ports of an ipchains/ipfwadm line: ICMP carries type and code in the port slots; 65535 = none.
void apply_ports(decode::Event& ev, std::uint16_t sp, std::uint16_t dp) {
  if (ev.transport == decode::Transport::Icmp) {
    auto& icmp = ev.icmp.emplace();
    icmp.type = static_cast<std::uint8_t>(sp & 0xFF);
    icmp.code = static_cast<std::uint8_t>(dp & 0xFF);
    return;
  }
  if (ev.transport == decode::Transport::Tcp || ev.transport == decode::Transport::Udp) {
    ev.sport = sp;
    ev.dport = dp;
  }
}

class IpchainsDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "ipchains"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    return starts_with(l.hdr.body, "Packet log: ") || (!pending_.empty() && is_continuation(l.text));
  }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    std::string_view body = l.hdr.body;
    if (!pending_.empty() && is_continuation(l.text)) {
      // A line that mail or a terminal wrapped after "PROTO=n": joined with its continuation.
      pending_ += ' ';
      pending_.append(trim(l.text));
      joined_.swap(pending_);
      pending_.clear();
      body = joined_;
      ev.ts = pending_ts_;
    } else {
      pending_.clear();
    }
    if (!starts_with(body, "Packet log: ")) return LineResult::NotMine;
    if (const auto pr = body.find(" PROTO="); pr != std::string_view::npos &&
                                              body.find(' ', pr + 1) == std::string_view::npos &&
                                              body.size() < 256) {
      pending_.assign(body.data(), body.size());
      pending_ts_ = ev.ts;
      ctx.reason = "ipchains line wrapped after PROTO= (joined with the next line)";
      return LineResult::Skipped;
    }
    Tokens t(body.substr(12));
    std::string_view chain, target, iface, proto;
    if (!t.next(chain) || !t.next(target) || !t.next(iface)) {
      ctx.reason = "truncated before the interface";
      return LineResult::Error;
    }
    if (target == "REDIRECT") {
      std::uint16_t port = 0;
      if (parse_num(iface, port) && !t.next(iface)) {
        ctx.reason = "truncated after REDIRECT";
        return LineResult::Error;
      }
    }
    if (!t.next(proto) || !starts_with(proto, "PROTO=")) {
      ctx.reason = "no PROTO=";
      return LineResult::Error;
    }
    std::uint8_t p = 0;
    if (!parse_num(proto.substr(6), p)) {
      ctx.reason = fmt::format("bad PROTO value '{}'", proto.substr(6, 16));
      return LineResult::Error;
    }
    std::string_view s, d;
    std::uint16_t sp = 0, dp = 0;
    bool hs = false, hd = false;
    if (!t.next(s) || !t.next(d) || !parse_addr_port(s, ev.src, sp, hs) || !parse_addr_port(d, ev.dst, dp, hd)) {
      ctx.reason = "bad or missing source/destination";
      return LineResult::Error;
    }
    ev.ip_version = 4;
    set_protocol(ev, p);
    apply_ports(ev, sp, dp);
    if (chain == "input") {
      ev.direction = decode::Direction::Inbound;
      ev.in_iface.assign(iface.data(), iface.size());
    } else if (chain == "output") {
      ev.direction = decode::Direction::Outbound;
      ev.out_iface.assign(iface.data(), iface.size());
    } else if (chain == "forward") {
      ev.direction = decode::Direction::Forward;
      ev.out_iface.assign(iface.data(), iface.size());
    } else {
      ev.in_iface.assign(iface.data(), iface.size());
    }
    ev.action = action_from_word(target == "DENY" ? std::string_view("deny") : target);
    if (target == "MASQ" || target == "REDIRECT") ev.action = decode::Action::Accept;
    ev.rule.assign(chain.data(), chain.size());
    std::string_view tok;
    while (t.next(tok)) {
      const LineResult r = ipchains_tail_token(tok, ev, ctx.reason);
      if (r == LineResult::Error) return r;
      if (r == LineResult::Parsed) continue;
      if (tok == "SYN") {
        ev.tcp_flags |= decode::tcpflag::kSyn;
      } else if (starts_with(tok, "(#") && ends_with(tok, ")")) {
        ev.rule += ' ';
        ev.rule.append(tok.substr(1, tok.size() - 2));
      }
    }
    return LineResult::Parsed;
  }

 private:
  // "172.30.3.56:4425 1.11.68.22:445 L=40 …"
  static bool is_continuation(std::string_view text) noexcept {
    text = trim(text);
    return !text.empty() && text[0] >= '0' && text[0] <= '9' && text.find(" L=") != std::string_view::npos &&
           text.find(" T=") != std::string_view::npos && text.size() < 256;
  }
  std::string pending_;
  std::string joined_;
  Timestamp pending_ts_;
};

}  // namespace

std::unique_ptr<Dialect> make_ipchains_dialect() { return std::make_unique<IpchainsDialect>(); }

}  // namespace netseen::ingest::logs
