#include "ingest/fortinet.hpp"

#include <fmt/format.h>

namespace netseen::ingest::logs {

namespace {

class FortinetDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "fortinet"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    return kv_find(l.text, "logid=").has_value() && kv_find(l.text, "type=").has_value() &&
           kv_find(l.text, "date=").has_value();
  }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    if (!claims(l)) return LineResult::NotMine;
    const std::string_view t = l.text;
    auto get = [&](std::string_view key) { return kv_find(t, key).value_or(std::string_view{}); };
    const auto type = get("type=");
    if (type != "traffic") {
      ctx.reason = fmt::format("fortinet {} log (not traffic)", type.substr(0, 16));
      return LineResult::Skipped;
    }
    auto err = [&](std::string why) {
      ctx.reason = std::move(why);
      return LineResult::Error;
    };
    // date=2019-05-10 time=11:37:47, local time of the device.
    const auto date = get("date=");
    const auto time = get("time=");
    if (date.size() != 10 || time.size() < 8) return err("bad date=/time=");
    char buf[32];
    std::copy(date.begin(), date.end(), buf);
    buf[10] = 'T';
    std::copy(time.begin(), time.begin() + 8, buf + 11);
    Stamp st;
    if (parse_iso_stamp(std::string_view(buf, 19), st, false) != 19) return err("bad date=/time=");
    auto ts = ctx.time->resolve(st);
    if (!ts) return err("impossible date");
    ev.ts = *ts;
    auto s = parse_ip(get("srcip="));
    auto d = parse_ip(get("dstip="));
    if (!s || !d) return err("bad srcip=/dstip=");
    ev.src = *s;
    ev.dst = *d;
    ev.ip_version = s->is_v4() ? 4 : 6;
    std::uint8_t proto = 0;
    if (!parse_num(get("proto="), proto)) return err("bad proto=");
    set_protocol(ev, proto);
    if (ev.transport == decode::Transport::Tcp || ev.transport == decode::Transport::Udp) {
      if (!parse_num(get("srcport="), ev.sport) || !parse_num(get("dstport="), ev.dport)) {
        return err("bad srcport=/dstport=");
      }
    } else if (ev.transport == decode::Transport::Icmp || ev.transport == decode::Transport::Icmpv6) {
      auto& icmp = ev.icmp.emplace();
      // FortiOS gives icmptype=0x08 / icmpcode=0x00 on ICMP sessions when present.
      std::uint64_t v = 0;
      if (parse_hex(get("icmptype="), 0xFF, v)) icmp.type = static_cast<std::uint8_t>(v);
      if (parse_hex(get("icmpcode="), 0xFF, v)) icmp.code = static_cast<std::uint8_t>(v);
      std::uint16_t id = 0;
      if (parse_num(get("icmpid="), id)) icmp.id = id;
    }
    const auto action = get("action=");
    ev.action = action == "deny" || action == "blocked" ? decode::Action::Drop
                : action == "reset" || action == "ip-conn" ? decode::Action::Reject
                                                           : decode::Action::Accept;
    const auto policy = get("policyid=");
    ev.rule.assign(policy.data(), policy.size());
    const auto in = get("srcintf=");
    const auto out = get("dstintf=");
    ev.in_iface.assign(in.data(), in.size());
    ev.out_iface.assign(out.data(), out.size());
    const auto sub = get("subtype=");
    ev.direction = sub == "local" ? decode::Direction::Inbound
                   : sub == "forward" ? decode::Direction::Forward
                                      : decode::Direction::Unknown;
    return LineResult::Parsed;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_fortinet_dialect() { return std::make_unique<FortinetDialect>(); }

}  // namespace netseen::ingest::logs
