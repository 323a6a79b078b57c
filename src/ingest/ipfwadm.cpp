#include "ingest/ipfwadm.hpp"

#include <fmt/format.h>

#include "ingest/ipchains.hpp"

namespace netseen::ingest::logs {

namespace {

class IpfwadmDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "ipfwadm"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    const auto b = l.hdr.body;
    return starts_with(b, "IP fw-in ") || starts_with(b, "IP fw-out ") || starts_with(b, "IP fw-fwd ") ||
           starts_with(b, "IP acct ");
  }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    if (!claims(l)) return LineResult::NotMine;
    Tokens t(l.hdr.body.substr(3));
    std::string_view chain, action, iface, proto;
    if (!t.next(chain) || !t.next(action) || !t.next(iface) || !t.next(proto)) {
      ctx.reason = "truncated before the protocol";
      return LineResult::Error;
    }
    std::uint8_t p = 0;
    int icmp_type = -1;
    if (proto == "TCP") p = 6;
    else if (proto == "UDP") p = 17;
    else if (starts_with(proto, "ICMP")) {
      p = 1;
      std::uint8_t ty = 0;
      if (proto.size() > 5 && proto[4] == '/' && parse_num(proto.substr(5), ty)) icmp_type = ty;
    } else if (!(starts_with(proto, "PROTO=") && parse_num(proto.substr(6), p))) {
      ctx.reason = fmt::format("bad protocol '{}'", proto.substr(0, 16));
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
    if (p == 6 || p == 17) {
      ev.sport = sp;
      ev.dport = dp;
    } else if (p == 1) {
      auto& icmp = ev.icmp.emplace();
      icmp.type = static_cast<std::uint8_t>(icmp_type >= 0 ? icmp_type : sp & 0xFF);
      icmp.code = static_cast<std::uint8_t>(hd ? dp & 0xFF : 0);
    }
    if (chain == "fw-in") {
      ev.direction = decode::Direction::Inbound;
      ev.in_iface.assign(iface.data(), iface.size());
    } else if (chain == "fw-out") {
      ev.direction = decode::Direction::Outbound;
      ev.out_iface.assign(iface.data(), iface.size());
    } else {
      if (chain == "fw-fwd") ev.direction = decode::Direction::Forward;
      ev.out_iface.assign(iface.data(), iface.size());
    }
    ev.action = action == "rej" ? decode::Action::Reject
                : action == "deny" ? decode::Action::Drop
                : (action == "acc" || action == "accept") ? decode::Action::Accept
                                                        : action_from_word(action);
    ev.rule.assign(chain.data(), chain.size());
    std::string_view tok;
    while (t.next(tok)) {
      if (ipchains_tail_token(tok, ev, ctx.reason) == LineResult::Error) return LineResult::Error;
    }
    return LineResult::Parsed;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_ipfwadm_dialect() { return std::make_unique<IpfwadmDialect>(); }

}  // namespace netseen::ingest::logs
