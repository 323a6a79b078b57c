#include "ingest/ipfilter.hpp"

#include <fmt/format.h>

namespace netseen::ingest::logs {

namespace {

enum class Ep : std::uint8_t { Ok, Bad, Named };

// "1.2.3.4,1025", "host[1.2.3.4],netbios-ssn", "1.2.3.4"
Ep endpoint(std::string_view s, IpAddress& a, std::uint16_t& port) {
  std::string_view addr = s;
  std::string_view svc;
  if (const auto comma = s.rfind(','); comma != std::string_view::npos) {
    addr = s.substr(0, comma);
    svc = s.substr(comma + 1);
  }
  if (const auto lb = addr.find('['); lb != std::string_view::npos && addr.back() == ']') {
    addr = addr.substr(lb + 1, addr.size() - lb - 2);
  }
  auto ip = parse_ip(addr);
  if (!ip) return Ep::Bad;
  a = *ip;
  if (!svc.empty() && !parse_num(svc, port)) return Ep::Named;
  return Ep::Ok;
}

class IpfilterDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "ipfilter"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override { return l.hdr.tag == "ipmon"; }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    if (!claims(l)) return LineResult::NotMine;
    auto err = [&](std::string why) {
      ctx.reason = std::move(why);
      return LineResult::Error;
    };
    Tokens t(l.hdr.body);
    std::string_view tok;
    if (!t.next(tok)) return err("empty ipmon line");
    if (tok.find('/') != std::string_view::npos && !t.next(tok)) return err("truncated after the date");  // dd/mm/yyyy
    // tok = hh:mm:ss.uuuuuu (the syslog stamp already gives the date and second)
    if (!t.next(tok)) return err("truncated after the time");
    if (tok.size() >= 2 && tok.back() == 'x') {
      if (!parse_num(tok.substr(0, tok.size() - 1), ev.count) || ev.count == 0) return err("bad repeat count");
      if (!t.next(tok)) return err("truncated after the repeat count");
    }
    ev.in_iface.assign(tok.data(), tok.size());
    std::string_view rule, act;
    if (!t.next(rule) || rule.empty() || rule.front() != '@' || !t.next(act)) return err("expected '@group:rule action'");
    ev.rule.assign(rule.substr(1).data(), rule.size() - 1);
    ev.action = (act == "b" || act == "B") ? decode::Action::Drop
                : (act == "p" || act == "P") ? decode::Action::Accept
                                            : decode::Action::Unknown;
    std::string_view s, arrow, d, pr, proto;
    std::uint16_t sp = 0, dp = 0;
    if (!t.next(s) || !t.next(arrow) || arrow != "->" || !t.next(d)) return err("expected 'src -> dst'");
    const Ep a = endpoint(s, ev.src, sp);
    const Ep b = endpoint(d, ev.dst, dp);
    if (a == Ep::Bad || b == Ep::Bad) return err("bad source or destination");
    if (a == Ep::Named || b == Ep::Named) {
      ctx.reason = "ipfilter port given by service name";
      return LineResult::Skipped;
    }
    ev.ip_version = ev.src.is_v4() ? 4 : 6;
    if (!t.next(pr) || pr != "PR" || !t.next(proto)) return err("expected 'PR <protocol>'");
    std::uint8_t p = 0;
    if (!protocol_from_text(proto, p)) return err(fmt::format("bad protocol '{}'", proto.substr(0, 16)));
    set_protocol(ev, p);
    if (ev.transport == decode::Transport::Tcp || ev.transport == decode::Transport::Udp) {
      ev.sport = sp;
      ev.dport = dp;
    }
    while (t.next(tok)) {
      namespace tf = decode::tcpflag;
      if (tok == "len") {
        std::string_view hl, tot;
        if (!t.next(hl) || !t.next(tot) || !parse_num(tot, ev.ip_len)) return err("bad 'len <hl> <total>'");
      } else if (tok.size() > 1 && tok[0] == '-' && ev.transport == decode::Transport::Tcp) {
        for (const char c : tok.substr(1)) {
          if (c == 'S') ev.tcp_flags |= tf::kSyn;
          else if (c == 'A') ev.tcp_flags |= tf::kAck;
          else if (c == 'F') ev.tcp_flags |= tf::kFin;
          else if (c == 'R') ev.tcp_flags |= tf::kRst;
          else if (c == 'P') ev.tcp_flags |= tf::kPsh;
          else if (c == 'U') ev.tcp_flags |= tf::kUrg;
        }
      } else if ((tok == "icmp" || tok == "icmpv6") && !ev.icmp) {
        std::string_view tc;
        if (!t.next(tc)) return err("icmp without type/code");
        const auto slash = tc.find('/');
        auto& icmp = ev.icmp.emplace();
        if (slash == std::string_view::npos || !parse_num(tc.substr(0, slash), icmp.type)) {
          // Names such as echo/0 or unreach/port are left as type 0 unless known.
          const auto name = tc.substr(0, slash);
          if (name == "echo") icmp.type = 8;
          else if (name == "echorep") icmp.type = 0;
          else if (name == "unreach") icmp.type = 3;
          else if (name == "timxceed") icmp.type = 11;
          else return err(fmt::format("bad icmp type '{}'", tc.substr(0, 16)));
        }
        if (slash != std::string_view::npos) {
          const auto code = tc.substr(slash + 1);
          if (!parse_num(code, icmp.code)) {
            if (code == "port") icmp.code = 3;
            else if (code == "host") icmp.code = 1;
            else if (code == "net") icmp.code = 0;
            else if (code == "proto") icmp.code = 2;
          }
        }
      } else if (tok == "IN") {
        ev.direction = decode::Direction::Inbound;
      } else if (tok == "OUT") {
        ev.direction = decode::Direction::Outbound;
        ev.out_iface.swap(ev.in_iface);
      }
    }
    return LineResult::Parsed;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_ipfilter_dialect() { return std::make_unique<IpfilterDialect>(); }

}  // namespace netseen::ingest::logs
