#include "ingest/sonicwall.hpp"

#include <fmt/format.h>

namespace netseen::ingest::logs {

namespace {

// "10.10.24.11:63045:X16-V5[:name]"
bool endpoint(std::string_view v, IpAddress& a, std::uint16_t& port, std::string_view& iface) {
  // IPv6 addresses are not written in this form by SonicOS' default format; IPv4 only.
  const auto c1 = v.find(':');
  auto ip = parse_ip(v.substr(0, c1));
  if (!ip) return false;
  a = *ip;
  if (c1 == std::string_view::npos) return true;
  const auto rest = v.substr(c1 + 1);
  const auto c2 = rest.find(':');
  if (!parse_num(rest.substr(0, c2), port)) return false;
  if (c2 != std::string_view::npos) {
    const auto r2 = rest.substr(c2 + 1);
    iface = r2.substr(0, r2.find(':'));
  }
  return true;
}

class SonicwallDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "sonicwall"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    return l.text.find("id=firewall ") != std::string_view::npos ||
           (kv_find(l.text, "sn=").has_value() && kv_find(l.text, "fw=").has_value() &&
            kv_find(l.text, "m=").has_value());
  }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    if (!claims(l)) return LineResult::NotMine;
    const std::string_view t = l.text;
    auto get = [&](std::string_view key) { return kv_find(t, key).value_or(std::string_view{}); };
    const auto src = get("src=");
    const auto dst = get("dst=");
    if (src.empty() || dst.empty()) {
      ctx.reason = "sonicwall event without src=/dst= (not a packet record)";
      return LineResult::Skipped;
    }
    auto err = [&](std::string why) {
      ctx.reason = std::move(why);
      return LineResult::Error;
    };
    std::string_view in_if, out_if;
    if (!endpoint(src, ev.src, ev.sport, in_if) || !endpoint(dst, ev.dst, ev.dport, out_if)) {
      return err(fmt::format("bad src=/dst= '{}' '{}'", src.substr(0, 48), dst.substr(0, 48)));
    }
    ev.ip_version = 4;
    ev.in_iface.assign(in_if.data(), in_if.size());
    ev.out_iface.assign(out_if.data(), out_if.size());
    // proto=udp/dns, proto=tcp/23, proto=icmp
    const auto proto = get("proto=");
    std::uint8_t p = 0;
    if (!proto.empty() && !protocol_from_text(proto.substr(0, proto.find('/')), p)) {
      return err(fmt::format("bad proto= '{}'", proto.substr(0, 24)));
    }
    set_protocol(ev, p);
    if (ev.transport == decode::Transport::Icmp) {
      ev.icmp.emplace();
      ev.sport = ev.dport = 0;
    }
    if (const auto time = get("time="); time.size() >= 19) {
      Stamp st;
      if (parse_iso_stamp(time.substr(0, 19), st, true) != 19) return err("bad time=");
      auto ts = ctx.time->resolve(st);
      if (!ts) return err("impossible time=");
      ev.ts = *ts;
    }
    const auto fw_action = get("fw_action=");
    const auto msg = get("msg=");
    if (fw_action == "drop" || icontains(msg, "dropped") || icontains(msg, "blocked") || icontains(msg, "denied")) {
      ev.action = decode::Action::Drop;
    } else if (fw_action == "reject" || icontains(msg, "reset")) {
      ev.action = decode::Action::Reject;
    } else {
      ev.action = decode::Action::Accept;
    }
    const auto m = get("m=");
    ev.rule.assign(m.data(), m.size());
    if (const auto rule = get("rule="); !rule.empty()) {
      ev.rule += ' ';
      ev.rule.append(rule);
    }
    if (msg.find("port scan") != std::string_view::npos || msg.find("Port scan") != std::string_view::npos) {
      ev.anomalies.push_back({"sonicwall_port_scan", std::string(msg.substr(0, 200))});
    }
    return LineResult::Parsed;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_sonicwall_dialect() { return std::make_unique<SonicwallDialect>(); }

}  // namespace netseen::ingest::logs
