#include "ingest/paloalto.hpp"

#include <fmt/format.h>

#include <array>

namespace netseen::ingest::logs {

namespace {

constexpr std::size_t kFields = 40;

// Splits CSV with "quoted, fields"; returns the number of fields (≤ kFields).
std::size_t split_csv(std::string_view s, std::array<std::string_view, kFields>& f) {
  std::size_t n = 0;
  std::size_t pos = 0;
  while (n < kFields && pos <= s.size()) {
    if (pos < s.size() && s[pos] == '"') {
      const auto close = s.find('"', pos + 1);
      if (close == std::string_view::npos) {
        f[n++] = s.substr(pos + 1);
        return n;
      }
      f[n++] = s.substr(pos + 1, close - pos - 1);
      pos = close + 1;
      if (pos < s.size() && s[pos] == ',') ++pos;
      else return n;
      continue;
    }
    const auto comma = s.find(',', pos);
    f[n++] = s.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (comma == std::string_view::npos) return n;
    pos = comma + 1;
  }
  return n;
}

// "2017/07/13 20:39:44"
bool pan_time(std::string_view s, Stamp& st) {
  if (s.size() != 19 || s[4] != '/' || s[7] != '/') return false;
  char buf[19];
  std::copy(s.begin(), s.end(), buf);
  buf[4] = buf[7] = '-';
  buf[10] = 'T';
  return parse_iso_stamp(std::string_view(buf, 19), st, false) == 19;
}

class PanDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "paloalto"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override { return start(l.text) != std::string_view::npos; }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    const auto at = start(l.text);
    if (at == std::string_view::npos) return LineResult::NotMine;
    std::array<std::string_view, kFields> f{};
    const std::size_t n = split_csv(l.text.substr(at), f);
    if (f[3] != "TRAFFIC") {
      ctx.reason = fmt::format("paloalto {} log (not traffic)", f[3].substr(0, 16));
      return LineResult::Skipped;
    }
    auto err = [&](std::string why) {
      ctx.reason = std::move(why);
      return LineResult::Error;
    };
    if (n < 31) return err(fmt::format("{} fields, at least 31 expected", n));
    Stamp st;
    if (!pan_time(f[6], st) && !pan_time(f[1], st)) return err("bad generated/receive time");
    auto ts = ctx.time->resolve(st);
    if (!ts) return err("impossible time");
    ev.ts = *ts;
    auto s = parse_ip(f[7]);
    auto d = parse_ip(f[8]);
    if (!s || !d) return err("bad source/destination address");
    ev.src = *s;
    ev.dst = *d;
    ev.ip_version = s->is_v4() ? 4 : 6;
    ev.rule.assign(f[11].data(), f[11].size());
    ev.in_iface.assign(f[18].data(), f[18].size());
    ev.out_iface.assign(f[19].data(), f[19].size());
    if (!f[23].empty() && (!parse_num(f[23], ev.count) || ev.count == 0)) return err("bad repeat count");
    std::uint8_t proto = 0;
    if (!protocol_from_text(f[29], proto)) return err(fmt::format("bad protocol '{}'", f[29].substr(0, 16)));
    set_protocol(ev, proto == 1 && ev.ip_version == 6 ? std::uint8_t{58} : proto);
    if (!parse_num(f[24], ev.sport) || !parse_num(f[25], ev.dport)) return err("bad ports");
    if (ev.transport == decode::Transport::Icmp || ev.transport == decode::Transport::Icmpv6) {
      ev.icmp.emplace();
      ev.sport = ev.dport = 0;
    }
    const auto action = f[30];
    ev.action = action_from_word(action);
    if (action == "drop-icmp" || action == "drop" || action == "deny") ev.action = decode::Action::Drop;
    if (starts_with(action, "reset")) ev.action = decode::Action::Reject;
    return LineResult::Parsed;
  }

 private:
  // Start of the CSV record: the field before "<receive time>,<serial>,TRAFFIC|THREAT|…".
  static std::size_t start(std::string_view text) noexcept {
    for (std::string_view type : {",TRAFFIC,", ",THREAT,", ",SYSTEM,", ",CONFIG,"}) {
      const auto at = text.find(type);
      if (at == std::string_view::npos || at < 22) continue;
      // Back over the serial and the receive time ("YYYY/MM/DD hh:mm:ss").
      const auto serial = text.rfind(',', at - 1);
      if (serial == std::string_view::npos || serial < 20) continue;
      const auto recv = text.rfind(',', serial - 1);
      if (recv == std::string_view::npos || serial - recv != 20 || text[recv + 5] != '/') continue;
      std::size_t begin = recv;
      while (begin > 0 && text[begin - 1] != ' ' && text[begin - 1] != '\t') --begin;
      return begin;
    }
    return std::string_view::npos;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_paloalto_dialect() { return std::make_unique<PanDialect>(); }

}  // namespace netseen::ingest::logs
