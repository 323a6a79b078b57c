#include "ingest/ulogd_json.hpp"

#include <fmt/format.h>

namespace netseen::ingest::logs {

namespace {
bool ws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// A JSON string starting at s[pos] == '"': sets out to its raw content and pos past the quote.
bool json_string(std::string_view s, std::size_t& pos, std::string_view& out) noexcept {
  if (pos >= s.size() || s[pos] != '"') return false;
  const std::size_t start = ++pos;
  while (pos < s.size()) {
    if (s[pos] == '\\') {
      pos += 2;
      continue;
    }
    if (s[pos] == '"') {
      out = s.substr(start, pos - start);
      ++pos;
      return true;
    }
    ++pos;
  }
  return false;
}
}  // namespace

bool for_each_json_member(std::string_view s, const std::function<bool(std::string_view, std::string_view, bool)>& f,
                          std::string& why) {
  std::size_t pos = 0;
  auto skip = [&] {
    while (pos < s.size() && ws(s[pos])) ++pos;
  };
  skip();
  if (pos >= s.size() || s[pos] != '{') {
    why = "not a JSON object";
    return false;
  }
  ++pos;
  skip();
  if (pos < s.size() && s[pos] == '}') return true;
  for (std::size_t members = 0; members < 1024; ++members) {
    skip();
    std::string_view key;
    if (!json_string(s, pos, key)) {
      why = fmt::format("bad JSON key at offset {}", pos);
      return false;
    }
    skip();
    if (pos >= s.size() || s[pos] != ':') {
      why = fmt::format("missing ':' at offset {}", pos);
      return false;
    }
    ++pos;
    skip();
    if (pos >= s.size()) {
      why = "truncated JSON";
      return false;
    }
    std::string_view value;
    bool is_string = false;
    if (s[pos] == '"') {
      if (!json_string(s, pos, value)) {
        why = "unterminated JSON string";
        return false;
      }
      is_string = true;
    } else if (s[pos] == '{' || s[pos] == '[') {
      why = fmt::format("nested JSON value for '{}'", key.substr(0, 32));
      return false;
    } else {
      const std::size_t start = pos;
      while (pos < s.size() && s[pos] != ',' && s[pos] != '}' && !ws(s[pos])) ++pos;
      value = s.substr(start, pos - start);
      if (value.empty()) {
        why = fmt::format("empty JSON value for '{}'", key.substr(0, 32));
        return false;
      }
    }
    if (!f(key, value, is_string)) return false;
    skip();
    if (pos >= s.size()) {
      why = "truncated JSON";
      return false;
    }
    if (s[pos] == '}') {
      ++pos;
      skip();
      if (pos != s.size()) {
        why = "text after the JSON object";
        return false;
      }
      return true;
    }
    if (s[pos] != ',') {
      why = fmt::format("expected ',' at offset {}", pos);
      return false;
    }
    ++pos;
  }
  why = "too many JSON members";
  return false;
}

namespace {

class UlogdJsonDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "ulogd-json"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    const auto t = trim(l.text);
    return !t.empty() && t.front() == '{' &&
           (t.find("\"oob.prefix\"") != std::string_view::npos || t.find("\"src_ip\"") != std::string_view::npos);
  }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    if (!claims(l)) return LineResult::NotMine;
    std::uint64_t sec = 0;
    bool has_sec = false;
    std::uint32_t usec = 0;
    std::string_view stamp;
    std::uint8_t family = 0;
    std::uint8_t flags = 0;
    std::string bad_key;
    auto num = [&](std::string_view v, auto& out) {
      if (parse_num(v, out)) return true;
      return false;
    };
    const bool ok = for_each_json_member(
        trim(l.text),
        [&](std::string_view k, std::string_view v, bool is_str) -> bool {
          namespace tf = decode::tcpflag;
          bool good = true;
          if (k == "oob.prefix") {
            const auto p = trim(v);
            ev.rule.assign(p.data(), p.size());
            ev.action = action_from_prefix(p);
          } else if (k == "oob.in") {
            ev.in_iface.assign(v.data(), v.size());
          } else if (k == "oob.out") {
            ev.out_iface.assign(v.data(), v.size());
          } else if (k == "src_ip" || k == "dest_ip") {
            auto a = parse_ip(v);
            if (!a) good = false;
            else (k == "src_ip" ? ev.src : ev.dst) = *a;
          } else if (k == "oob.family") {
            good = num(v, family);
          } else if (k == "ip.protocol") {
            std::uint8_t p = 0;
            good = num(v, p);
            ev.protocol = p;
          } else if (k == "ip.ttl" || k == "ip6.hoplimit") {
            good = num(v, ev.ttl);
            ev.has_ttl = true;
          } else if (k == "ip.totlen") {
            good = num(v, ev.ip_len);
          } else if (k == "ip6.payloadlen") {
            std::uint32_t pl = 0;
            good = num(v, pl);
            ev.ip_len = pl + 40;
          } else if (k == "ip.id") {
            good = num(v, ev.ip_id);
            ev.has_ip_id = ev.ip_id_from_log = true;
          } else if (k == "ip.fragoff") {
            std::uint16_t fo = 0;
            good = num(v, fo);
            ev.dont_fragment = (fo & 0x4000) != 0;
            ev.fragment = (fo & 0x3FFF) != 0;
            ev.later_fragment = (fo & 0x1FFF) != 0;
          } else if (k == "src_port") {
            good = num(v, ev.sport);
          } else if (k == "dest_port") {
            good = num(v, ev.dport);
          } else if (k == "tcp.seq") {
            good = num(v, ev.tcp_seq);
          } else if (k == "tcp.ackseq") {
            good = num(v, ev.tcp_ack);
          } else if (k == "tcp.window") {
            good = num(v, ev.tcp_window);
          } else if (k == "tcp.syn" || k == "tcp.ack" || k == "tcp.fin" || k == "tcp.rst" || k == "tcp.psh" ||
                     k == "tcp.urg" || k == "tcp.ece" || k == "tcp.cwr") {
            if (v == "1" || v == "true") {
              flags |= k == "tcp.syn"   ? tf::kSyn
                       : k == "tcp.ack" ? tf::kAck
                       : k == "tcp.fin" ? tf::kFin
                       : k == "tcp.rst" ? tf::kRst
                       : k == "tcp.psh" ? tf::kPsh
                       : k == "tcp.urg" ? tf::kUrg
                       : k == "tcp.ece" ? tf::kEce
                                        : tf::kCwr;
            }
          } else if (k == "udp.len") {
            std::uint32_t ul = 0;
            good = num(v, ul);
            ev.payload_len = ul >= 8 ? ul - 8 : 0;
          } else if (k == "icmp.type" || k == "icmpv6.type") {
            good = num(v, (ev.icmp ? *ev.icmp : ev.icmp.emplace()).type);
          } else if (k == "icmp.code" || k == "icmpv6.code") {
            good = num(v, (ev.icmp ? *ev.icmp : ev.icmp.emplace()).code);
          } else if (k == "icmp.echoid" || k == "icmpv6.echoid") {
            good = num(v, (ev.icmp ? *ev.icmp : ev.icmp.emplace()).id);
          } else if (k == "icmp.echoseq" || k == "icmpv6.echoseq") {
            good = num(v, (ev.icmp ? *ev.icmp : ev.icmp.emplace()).seq);
          } else if (k == "icmp.gateway") {
            if (auto a = parse_ip(v)) (ev.icmp ? *ev.icmp : ev.icmp.emplace()).gateway = *a;
          } else if (k == "icmp.fragmtu") {
            good = num(v, (ev.icmp ? *ev.icmp : ev.icmp.emplace()).mtu);
          } else if (k == "oob.time.sec") {
            good = num(v, sec) && sec < (std::uint64_t{1} << 40);
            has_sec = true;
          } else if (k == "oob.time.usec") {
            good = num(v, usec) && usec < 1'000'000;
          } else if (k == "timestamp" && is_str) {
            stamp = v;
          } else if (k == "mac.saddr.str") {
            MacAddress m;
            if (parse_mac_prefix(v, m)) ev.src_mac = m;
          } else if (k == "mac.daddr.str") {
            MacAddress m;
            if (parse_mac_prefix(v, m)) ev.dst_mac = m;
          }
          if (!good) bad_key = fmt::format("bad value for \"{}\": '{}'", k.substr(0, 32), v.substr(0, 48));
          return good;
        },
        ctx.reason);
    if (!ok) {
      if (!bad_key.empty()) ctx.reason = bad_key;
      return LineResult::Error;
    }
    if (!ev.src.valid() || !ev.dst.valid()) {
      ctx.reason = "no src_ip/dest_ip";
      return LineResult::Error;
    }
    ev.ip_version = ev.src.is_v4() ? 4 : 6;
    if (family == 10) ev.ip_version = 6;
    const std::uint8_t proto = ev.protocol;
    set_protocol(ev, proto);
    if (ev.transport == decode::Transport::Tcp) ev.tcp_flags = flags;
    if (ev.transport == decode::Transport::Icmp || ev.transport == decode::Transport::Icmpv6) {
      if (!ev.icmp) ev.icmp.emplace();
    }
    const bool has_in = !ev.in_iface.empty(), has_out = !ev.out_iface.empty();
    ev.direction = has_in && has_out ? decode::Direction::Forward
                   : has_in          ? decode::Direction::Inbound
                   : has_out         ? decode::Direction::Outbound
                                     : decode::Direction::Unknown;
    if (has_sec) {
      ev.ts = Timestamp::from_seconds(static_cast<std::int64_t>(sec), usec);
    } else if (!stamp.empty()) {
      Stamp st;
      if (parse_iso_stamp(stamp, st, true) != stamp.size()) {
        ctx.reason = "bad timestamp";
        return LineResult::Error;
      }
      auto ts = ctx.time->resolve(st);
      if (!ts) {
        ctx.reason = "impossible timestamp";
        return LineResult::Error;
      }
      ev.ts = *ts;
    }
    return LineResult::Parsed;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_ulogd_json_dialect() { return std::make_unique<UlogdJsonDialect>(); }

}  // namespace netseen::ingest::logs
