#include "ingest/cisco_asa.hpp"

#include <fmt/format.h>

namespace netseen::ingest::logs {

namespace {

using decode::Action;
using decode::Direction;
using decode::Event;

// Finds "%ASA-", "%PIX-" or "%FWSM-": position of '%' or npos.
std::size_t find_tag(std::string_view s) noexcept {
  for (std::size_t at = s.find('%'); at != std::string_view::npos; at = s.find('%', at + 1)) {
    const auto r = s.substr(at + 1);
    if (starts_with(r, "ASA-") || starts_with(r, "PIX-") || starts_with(r, "FWSM-")) return at;
  }
  return std::string_view::npos;
}

enum class Outcome : std::uint8_t { Ok, Bad, Named };

// "outside:10.1.1.1/80", "10.1.1.1/80", "outside:10.1.1.1", "outside/10.1.1.1(80)", "10.1.1.1(80)".
Outcome endpoint(std::string_view s, Event& ev, bool source, std::string_view* iface) {
  std::string_view name;
  std::uint16_t port = 0;
  bool has_port = false;
  if (!s.empty() && s.back() == ')') {
    const auto open = s.rfind('(');
    if (open == std::string_view::npos || !parse_num(s.substr(open + 1, s.size() - open - 2), port)) return Outcome::Bad;
    has_port = true;
    s = s.substr(0, open);
  }
  // Interface: before ':' (IPv4 form) or before '/' when the port is in parentheses.
  if (has_port) {
    if (const auto slash = s.find('/'); slash != std::string_view::npos) {
      name = s.substr(0, slash);
      s = s.substr(slash + 1);
    }
  } else {
    if (const auto slash = s.rfind('/'); slash != std::string_view::npos) {
      if (!parse_num(s.substr(slash + 1), port)) return Outcome::Bad;
      has_port = true;
      s = s.substr(0, slash);
    }
    // IPv4: "if:a.b.c.d"; IPv6 addresses contain ':' themselves: the interface is the part
    // before the first ':' only when the rest parses as an address.
    if (const auto colon = s.find(':'); colon != std::string_view::npos && !parse_ip(s)) {
      name = s.substr(0, colon);
      s = s.substr(colon + 1);
    }
  }
  auto a = parse_ip(s);
  if (!a) return s.empty() ? Outcome::Bad : Outcome::Named;
  (source ? ev.src : ev.dst) = *a;
  if (has_port) (source ? ev.sport : ev.dport) = port;
  if (iface != nullptr) *iface = name;
  return Outcome::Ok;
}

void tcp_flags_from_words(std::string_view words, Event& ev) {
  Tokens t(words);
  std::string_view w;
  namespace tf = decode::tcpflag;
  while (t.next(w)) {
    if (w == "SYN") ev.tcp_flags |= tf::kSyn;
    else if (w == "ACK") ev.tcp_flags |= tf::kAck;
    else if (w == "FIN") ev.tcp_flags |= tf::kFin;
    else if (w == "RST") ev.tcp_flags |= tf::kRst;
    else if (w == "PSH") ev.tcp_flags |= tf::kPsh;
    else if (w == "URG") ev.tcp_flags |= tf::kUrg;
    else if (w == "on" || w == "in") break;
  }
}

// Text between `after` and the next blank (or end).
std::string_view word_after(std::string_view s, std::string_view after) noexcept {
  const auto at = s.find(after);
  if (at == std::string_view::npos) return {};
  auto r = s.substr(at + after.size());
  return r.substr(0, r.find(' '));
}

// "(type 8, code 0)" anywhere in s.
bool icmp_type_code(std::string_view s, Event& ev) {
  const auto at = s.find("(type ");
  if (at == std::string_view::npos) return false;
  auto r = s.substr(at + 6);
  const auto comma = r.find(',');
  if (comma == std::string_view::npos) return false;
  auto& icmp = ev.icmp ? *ev.icmp : ev.icmp.emplace();
  if (!parse_num(trim(r.substr(0, comma)), icmp.type)) return false;
  r = r.substr(comma + 1);
  r = trim(r);
  if (!starts_with(r, "code ")) return false;
  r = r.substr(5);
  return parse_num(r.substr(0, r.find(')')), icmp.code);
}

class AsaDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "cisco-asa"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    return find_tag(l.hdr.body) != std::string_view::npos;
  }

  LineResult parse(const LogLine& l, Event& ev, LineContext& ctx) override {
    const std::string_view body = l.hdr.body;
    const std::size_t at = find_tag(body);
    if (at == std::string_view::npos) return LineResult::NotMine;
    // %ASA-4-106023: message
    std::string_view rest = body.substr(at + 1);
    const auto dash1 = rest.find('-');
    const auto colon = rest.find(": ");
    if (dash1 == std::string_view::npos || colon == std::string_view::npos || colon < dash1) {
      ctx.reason = "no message id";
      return LineResult::Error;
    }
    const std::string_view code = rest.substr(dash1 + 1, colon - dash1 - 1);  // "4-106023"
    const auto dash2 = code.find('-');
    std::uint32_t id = 0;
    if (dash2 == std::string_view::npos || !parse_num(code.substr(dash2 + 1), id)) {
      ctx.reason = fmt::format("bad message id '{}'", code.substr(0, 16));
      return LineResult::Error;
    }
    msg_ = trim(rest.substr(colon + 2));
    ev_ = &ev;
    ctx_ = &ctx;
    ev.rule = fmt::format("{}", id);
    Tokens t(msg_);
    switch (id) {
      case 106001: return m106001();
      case 106006:
      case 106007: return m106006(id);
      case 106014: return m106014();
      case 106015: return m106015();
      case 106021: return m106021();
      case 106023: return m106023();
      case 106100: return m106100();
      case 313001: return m313001();
      case 710003: return m710003();
      case 733100: return m733100();
      case 302013:
      case 302015:
      case 302017: return built(id);
      case 302014:
      case 302016:
      case 302018: return teardown(id);
      case 302020:
      case 302021: return icmp_conn(id);
      default:
        ctx.reason = fmt::format("cisco-asa message {} (not a packet record)", id);
        return LineResult::Skipped;
    }
  }

 private:
  LineResult fail(std::string why) {
    ctx_->reason = std::move(why);
    return LineResult::Error;
  }
  LineResult finish(Outcome a, Outcome b) {
    if (a == Outcome::Named || b == Outcome::Named) {
      ctx_->reason = "cisco-asa host given by name (no address)";
      return LineResult::Skipped;
    }
    if (a != Outcome::Ok || b != Outcome::Ok) return fail(fmt::format("bad address in '{}'", msg_.substr(0, 120)));
    ev_->ip_version = ev_->src.is_v4() ? 4 : 6;
    return LineResult::Parsed;
  }
  bool proto(std::string_view p) {
    std::uint8_t n = 0;
    if (!protocol_from_text(p, n)) return false;
    ev_->ip_version = 4;
    set_protocol(*ev_, n);
    return true;
  }
  void iface_in(std::string_view s) { ev_->in_iface.assign(s.data(), s.size()); }

  // Inbound TCP connection denied from A/p to B/p flags F on interface I
  LineResult m106001() {
    Tokens t(msg_);
    std::string_view w[8];
    for (auto& x : w) {
      if (!t.next(x)) return fail("truncated 106001");
    }
    if (w[0] != "Inbound" && w[0] != "Outbound") return fail("106001: expected Inbound/Outbound");
    if (!proto(w[1])) return fail("106001: bad protocol");
    ev_->action = Action::Drop;
    ev_->direction = w[0] == "Inbound" ? Direction::Inbound : Direction::Outbound;
    if (w[4] != "from" || w[6] != "to") return fail("106001: unexpected layout");
    const auto r = finish(endpoint(w[5], *ev_, true, nullptr), endpoint(w[7], *ev_, false, nullptr));
    if (const auto f = msg_.find(" flags "); f != std::string_view::npos) tcp_flags_from_words(msg_.substr(f + 7), *ev_);
    iface_in(word_after(msg_, "on interface "));
    return r;
  }
  // Deny inbound UDP from A/p to B/p on interface I | due to DNS …
  LineResult m106006(std::uint32_t id) {
    Tokens t(msg_);
    std::string_view w[7];
    for (auto& x : w) {
      if (!t.next(x)) return fail(fmt::format("truncated {}", id));
    }
    if (w[0] != "Deny" || w[3] != "from" || w[5] != "to") return fail(fmt::format("{}: unexpected layout", id));
    if (!proto(w[2])) return fail(fmt::format("{}: bad protocol", id));
    ev_->action = Action::Drop;
    ev_->direction = w[1] == "inbound" ? Direction::Inbound : w[1] == "outbound" ? Direction::Outbound : Direction::Unknown;
    iface_in(word_after(msg_, "on interface "));
    return finish(endpoint(w[4], *ev_, true, nullptr), endpoint(w[6], *ev_, false, nullptr));
  }
  // Deny inbound icmp src fw111:10.10.10.10 dst fw111:10.10.10.11(type 8, code 0)  (space optional)
  LineResult m106014() {
    Tokens t(msg_);
    std::string_view w[5];
    for (auto& x : w) {
      if (!t.next(x)) return fail("truncated 106014");
    }
    if (w[0] != "Deny" || w[3] != "src") return fail("106014: unexpected layout");
    std::string_view dst;
    if (!t.next(dst) || dst != "dst" || !t.next(dst)) return fail("106014: no dst");
    // The destination may carry "(type" glued to it.
    if (const auto p = dst.find('('); p != std::string_view::npos) dst = dst.substr(0, p);
    proto(w[2]);
    if (ev_->protocol != 1 && ev_->protocol != 58) return fail("106014: not icmp");
    ev_->action = Action::Drop;
    ev_->direction = w[1] == "inbound" ? Direction::Inbound : Direction::Outbound;
    std::string_view in_if;
    const auto r = finish(endpoint(w[4], *ev_, true, &in_if), endpoint(dst, *ev_, false, nullptr));
    iface_in(in_if);
    if (r == LineResult::Parsed && !icmp_type_code(msg_, *ev_)) return fail("106014: no (type N, code M)");
    if (ev_->dst.is_v6()) set_protocol(*ev_, 58);
    return r;
  }
  // Deny TCP (no connection) from A/p to B/p flags RST  on interface I
  LineResult m106015() {
    const auto from = msg_.find(" from ");
    if (!starts_with(msg_, "Deny ") || from == std::string_view::npos) return fail("106015: unexpected layout");
    Tokens t(msg_.substr(from + 6));
    std::string_view a, to, b;
    if (!t.next(a) || !t.next(to) || to != "to" || !t.next(b)) return fail("106015: unexpected layout");
    proto(msg_.substr(5, msg_.find(' ', 5) - 5));
    ev_->action = Action::Drop;
    const auto r = finish(endpoint(a, *ev_, true, nullptr), endpoint(b, *ev_, false, nullptr));
    if (const auto f = msg_.find(" flags "); f != std::string_view::npos) tcp_flags_from_words(msg_.substr(f + 7), *ev_);
    iface_in(word_after(msg_, "on interface "));
    return r;
  }
  // Deny TCP reverse path check from A to B on interface I
  LineResult m106021() {
    const auto from = msg_.find(" from ");
    if (!starts_with(msg_, "Deny ") || from == std::string_view::npos) return fail("106021: unexpected layout");
    Tokens t(msg_.substr(from + 6));
    std::string_view a, to, b;
    if (!t.next(a) || !t.next(to) || to != "to" || !t.next(b)) return fail("106021: unexpected layout");
    proto(msg_.substr(5, msg_.find(' ', 5) - 5));
    ev_->action = Action::Drop;
    ev_->anomalies.push_back({"asa_reverse_path_check", "spoofed source (reverse path check failed)"});
    iface_in(word_after(msg_, "on interface "));
    return finish(endpoint(a, *ev_, true, nullptr), endpoint(b, *ev_, false, nullptr));
  }
  // Deny tcp src outside:A/p dst inside:B/p [(type N, code M)] by access-group "ACL" [...]
  LineResult m106023() {
    Tokens t(msg_);
    std::string_view deny, p, src, a, dst, b;
    if (!t.next(deny) || deny != "Deny" || !t.next(p)) return fail("106023: unexpected layout");
    if (p == "protocol") {
      if (!t.next(p)) return fail("106023: truncated");
    }
    if (!t.next(src) || src != "src" || !t.next(a) || !t.next(dst) || dst != "dst" || !t.next(b)) {
      return fail("106023: unexpected layout");
    }
    if (const auto paren = b.find('('); paren != std::string_view::npos) b = b.substr(0, paren);
    if (!proto(p)) return fail(fmt::format("106023: bad protocol '{}'", p.substr(0, 16)));
    ev_->action = Action::Drop;
    std::string_view in_if, out_if;
    const auto r = finish(endpoint(a, *ev_, true, &in_if), endpoint(b, *ev_, false, &out_if));
    if (r != LineResult::Parsed) return r;
    if (!ev_->src.is_v4()) set_protocol(*ev_, ev_->protocol == 1 ? std::uint8_t{58} : ev_->protocol);
    iface_in(in_if);
    ev_->out_iface.assign(out_if.data(), out_if.size());
    if (ev_->transport == decode::Transport::Icmp || ev_->transport == decode::Transport::Icmpv6) {
      icmp_type_code(msg_, *ev_);
      ev_->sport = ev_->dport = 0;
    }
    if (const auto acl = word_after(msg_, "access-group "); !acl.empty()) {
      ev_->rule.append(" ");
      ev_->rule.append(acl);
    }
    return r;
  }
  // access-list ACL permitted|denied|est-allowed proto if/A(p) -> if/B(p) hit-cnt N (first hit|N-second interval)
  LineResult m106100() {
    Tokens t(msg_);
    std::string_view al, acl, verdict, p, a, arrow, b, hc, n;
    if (!t.next(al) || al != "access-list" || !t.next(acl) || !t.next(verdict) || !t.next(p) || !t.next(a) ||
        !t.next(arrow) || arrow != "->" || !t.next(b)) {
      return fail("106100: unexpected layout");
    }
    if (!proto(p)) return fail(fmt::format("106100: bad protocol '{}'", p.substr(0, 16)));
    ev_->action = action_from_word(verdict);
    std::string_view in_if, out_if;
    const auto r = finish(endpoint(a, *ev_, true, &in_if), endpoint(b, *ev_, false, &out_if));
    if (r != LineResult::Parsed) return r;
    iface_in(in_if);
    ev_->out_iface.assign(out_if.data(), out_if.size());
    if (ev_->transport == decode::Transport::Icmp || ev_->transport == decode::Transport::Icmpv6) {
      // ICMP: source port 0, destination "port" = ICMP type.
      auto& icmp = ev_->icmp.emplace();
      icmp.type = static_cast<std::uint8_t>(ev_->dport & 0xFF);
      ev_->sport = ev_->dport = 0;
    }
    if (t.next(hc) && hc == "hit-cnt") {
      if (!t.next(n) || !parse_num(n, ev_->count) || ev_->count == 0) return fail("106100: bad hit-cnt");
    }
    ev_->rule.append(" ");
    ev_->rule.append(acl);
    return r;
  }
  // Denied ICMP type=3, code=3 from 10.2.3.5 on interface Outside
  LineResult m313001() {
    const auto ty = word_after(msg_, "type=");
    const auto co = word_after(msg_, "code=");
    const auto from = word_after(msg_, " from ");
    auto& icmp = ev_->icmp.emplace();
    if (!parse_num(ty.substr(0, ty.find(',')), icmp.type) || !parse_num(co.substr(0, co.find(',')), icmp.code)) {
      return fail("313001: bad type/code");
    }
    proto("icmp");
    ev_->action = Action::Drop;
    iface_in(word_after(msg_, "on interface "));
    auto a = parse_ip(from);
    if (!a) return fail("313001: bad source");
    ev_->src = *a;
    ev_->ip_version = a->is_v4() ? 4 : 6;
    ev_->direction = Direction::Inbound;
    // The destination is the ASA's own interface address, which the message does not give.
    return LineResult::Parsed;
  }
  // TCP access denied by ACL from A/p to outside:B/p
  LineResult m710003() {
    const auto from = msg_.find(" from ");
    if (from == std::string_view::npos) return fail("710003: unexpected layout");
    Tokens t(msg_.substr(from + 6));
    std::string_view a, to, b;
    if (!t.next(a) || !t.next(to) || to != "to" || !t.next(b)) return fail("710003: unexpected layout");
    if (!proto(msg_.substr(0, msg_.find(' ')))) return fail("710003: bad protocol");
    ev_->action = Action::Drop;
    ev_->direction = Direction::Inbound;
    std::string_view to_if;
    const auto r = finish(endpoint(a, *ev_, true, nullptr), endpoint(b, *ev_, false, &to_if));
    iface_in(to_if);
    return r;
  }
  // [192.168.2.2] drop rate-1 exceeded. …; Cumulative total count is 9063   ([ Scanning] … has no host)
  LineResult m733100() {
    if (msg_.empty() || msg_[0] != '[') return fail("733100: unexpected layout");
    const auto close = msg_.find(']');
    if (close == std::string_view::npos) return fail("733100: unexpected layout");
    auto a = parse_ip(trim(msg_.substr(1, close - 1)));
    if (!a) {
      ctx_->reason = "cisco-asa 733100 threat-detection rate for a category, no host";
      return LineResult::Skipped;
    }
    ev_->src = *a;
    ev_->ip_version = a->is_v4() ? 4 : 6;
    ev_->action = Action::Drop;
    ev_->anomalies.push_back({"asa_threat_detection", std::string(trim(msg_.substr(close + 1)).substr(0, 200))});
    return LineResult::Parsed;
  }
  // Built inbound TCP connection 123 for outside:A/p (A'/p') to inside:B/p (B'/p') [(user)]
  LineResult built(std::uint32_t id) {
    Tokens t(msg_);
    std::string_view w[6];
    for (auto& x : w) {
      if (!t.next(x)) return fail(fmt::format("truncated {}", id));
    }
    if (w[0] != "Built" || w[5] != "for") return fail(fmt::format("{}: unexpected layout", id));
    std::string_view a, b, tok;
    if (!t.next(a)) return fail(fmt::format("{}: no address", id));
    while (t.next(tok) && tok != "to") {
    }
    if (tok != "to" || !t.next(b)) return fail(fmt::format("{}: no 'to'", id));
    if (!proto(w[2])) return fail(fmt::format("{}: bad protocol", id));
    const bool inbound = w[1] == "inbound";
    ev_->action = Action::Accept;
    ev_->direction = inbound ? Direction::Inbound : Direction::Outbound;
    std::string_view a_if, b_if;
    // "for" is the foreign side: the initiator of inbound connections, the responder of outbound ones.
    const auto r = inbound ? finish(endpoint(a, *ev_, true, &a_if), endpoint(b, *ev_, false, &b_if))
                           : finish(endpoint(b, *ev_, true, &b_if), endpoint(a, *ev_, false, &a_if));
    iface_in(inbound ? a_if : b_if);
    ev_->rule = fmt::format("{} built", id);
    return r;
  }
  // Teardown TCP connection 123 for outside:A/p to inside:B/p duration 0:00:30 bytes 0 TCP FINs
  LineResult teardown(std::uint32_t id) {
    Tokens t(msg_);
    std::string_view w[4];
    for (auto& x : w) {
      if (!t.next(x)) return fail(fmt::format("truncated {}", id));
    }
    if (w[0] != "Teardown") return fail(fmt::format("{}: unexpected layout", id));
    std::string_view tok, a, b;
    while (t.next(tok) && tok != "for") {
    }
    if (tok != "for" || !t.next(a) || !t.next(tok) || tok != "to" || !t.next(b)) {
      return fail(fmt::format("{}: unexpected layout", id));
    }
    if (!proto(w[1])) return fail(fmt::format("{}: bad protocol", id));
    ev_->action = Action::Accept;
    std::string_view a_if;
    const auto r = finish(endpoint(a, *ev_, true, &a_if), endpoint(b, *ev_, false, nullptr));
    iface_in(a_if);
    ev_->rule = fmt::format("{} teardown", id);
    return r;
  }
  // Built inbound ICMP connection for faddr A/id gaddr G/0 laddr L/0 | Teardown ICMP connection for faddr …
  LineResult icmp_conn(std::uint32_t id) {
    const auto fa = word_after(msg_, "faddr ");
    const auto la = word_after(msg_, "laddr ");
    if (fa.empty() || la.empty()) return fail(fmt::format("{}: no faddr/laddr", id));
    const bool outbound = msg_.find("Built outbound") != std::string_view::npos;
    proto("icmp");
    ev_->action = Action::Accept;
    ev_->direction = id == 302020 ? (outbound ? Direction::Outbound : Direction::Inbound) : Direction::Unknown;
    const auto r = outbound ? finish(endpoint(la, *ev_, true, nullptr), endpoint(fa, *ev_, false, nullptr))
                            : finish(endpoint(fa, *ev_, true, nullptr), endpoint(la, *ev_, false, nullptr));
    if (r != LineResult::Parsed) return r;
    auto& icmp = ev_->icmp.emplace();
    icmp.id = outbound ? ev_->dport : ev_->sport;  // faddr/<id>
    ev_->sport = ev_->dport = 0;
    if (ev_->src.is_v6()) set_protocol(*ev_, 58);
    ev_->rule = fmt::format("{} {}", id, id == 302020 ? "built" : "teardown");
    return r;
  }

  std::string_view msg_;
  Event* ev_ = nullptr;
  LineContext* ctx_ = nullptr;
};

}  // namespace

std::unique_ptr<Dialect> make_cisco_asa_dialect() { return std::make_unique<AsaDialect>(); }

}  // namespace netseen::ingest::logs
