#include "ingest/checkpoint.hpp"

#include <fmt/format.h>

namespace netseen::ingest::logs {

namespace {

// key:"value" (Log Exporter syslog) or key=value| (Splunk format).
std::string_view cp_get(std::string_view t, std::string_view key, bool pipes) {
  if (pipes) {
    std::size_t from = 0;
    while (from < t.size()) {
      const auto at = t.find(key, from);
      if (at == std::string_view::npos) return {};
      const auto end = at + key.size();
      if ((at == 0 || t[at - 1] == '|' || t[at - 1] == ' ') && end < t.size() && t[end] == '=') {
        const auto v = t.substr(end + 1);
        return v.substr(0, v.find('|'));
      }
      from = at + 1;
    }
    return {};
  }
  std::size_t from = 0;
  while (from < t.size()) {
    const auto at = t.find(key, from);
    if (at == std::string_view::npos) return {};
    const auto end = at + key.size();
    if ((at == 0 || t[at - 1] == ' ' || t[at - 1] == '[' || t[at - 1] == ';') && t.substr(end, 2) == ":\"") {
      const auto v = t.substr(end + 2);
      return v.substr(0, v.find('"'));
    }
    from = at + 1;
  }
  return {};
}

class CheckpointDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "checkpoint"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    const auto t = l.text;
    return (t.find("action:\"") != std::string_view::npos && t.find("loguid:\"") != std::string_view::npos) ||
           (t.find("|product=") != std::string_view::npos && t.find("|action=") != std::string_view::npos);
  }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    if (!claims(l)) return LineResult::NotMine;
    const std::string_view t = l.text;
    const bool pipes = t.find("|action=") != std::string_view::npos;
    auto get = [&](std::string_view k) { return cp_get(t, k, pipes); };
    const auto src = get("src");
    const auto dst = get("dst");
    if (src.empty() || dst.empty()) {
      ctx.reason = "checkpoint record without src/dst (not a packet record)";
      return LineResult::Skipped;
    }
    auto err = [&](std::string why) {
      ctx.reason = std::move(why);
      return LineResult::Error;
    };
    auto s = parse_ip(src);
    auto d = parse_ip(dst);
    if (!s || !d) return err(fmt::format("bad src/dst '{}' '{}'", src.substr(0, 48), dst.substr(0, 48)));
    ev.src = *s;
    ev.dst = *d;
    ev.ip_version = s->is_v4() ? 4 : 6;
    std::uint8_t proto = 0;
    if (const auto p = get("proto"); !p.empty() && !protocol_from_text(p, proto)) {
      return err(fmt::format("bad proto '{}'", p.substr(0, 16)));
    }
    set_protocol(ev, proto);
    if (ev.transport == decode::Transport::Tcp || ev.transport == decode::Transport::Udp) {
      const auto sp = get("s_port");
      const auto dp = get("service");
      if ((!sp.empty() && !parse_num(sp, ev.sport)) || (!dp.empty() && !parse_num(dp, ev.dport))) {
        return err("bad s_port/service");
      }
    } else if (ev.transport == decode::Transport::Icmp || ev.transport == decode::Transport::Icmpv6) {
      auto& icmp = ev.icmp.emplace();
      std::uint8_t v = 0;
      if (parse_num(get("icmp_type"), v)) icmp.type = v;
      if (parse_num(get("icmp_code"), v)) icmp.code = v;
    }
    const auto action = get("action");
    ev.action = action_from_word(action);
    if (action == "Drop" || action == "Block") ev.action = decode::Action::Drop;
    const auto dir = get("ifdir");
    ev.direction = dir == "inbound" ? decode::Direction::Inbound
                   : dir == "outbound" ? decode::Direction::Outbound
                                       : decode::Direction::Unknown;
    const auto ifname = get("ifname");
    (dir == "outbound" ? ev.out_iface : ev.in_iface).assign(ifname.data(), ifname.size());
    auto rule = get("rule_name");
    if (rule.empty()) rule = get("rule");
    ev.rule.assign(rule.data(), rule.size());
    if (pipes) {
      std::uint64_t secs = 0;
      if (parse_uint(get("time"), std::uint64_t{1} << 40, secs)) ev.ts = Timestamp::from_seconds(static_cast<std::int64_t>(secs));
    }
    return LineResult::Parsed;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_checkpoint_dialect() { return std::make_unique<CheckpointDialect>(); }

}  // namespace netseen::ingest::logs
