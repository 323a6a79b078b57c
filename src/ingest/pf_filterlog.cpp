#include "ingest/pf_filterlog.hpp"

#include <fmt/format.h>

#include <array>

namespace netseen::ingest::logs {

namespace {

constexpr std::size_t kMaxFields = 64;

struct IcmpName {
  std::string_view name;
  std::uint8_t type;
};
constexpr IcmpName kIcmpNames[] = {
    {"request", 8},      {"reply", 0},       {"unreachproto", 3}, {"unreachport", 3}, {"unreach", 3},
    {"timexceed", 11},   {"paramprob", 12},  {"redirect", 5},     {"maskreq", 17},    {"maskreply", 18},
    {"tstamp", 13},      {"tstampreply", 14}, {"sourcequench", 4}, {"routeradvert", 9}, {"routersol", 10}};

class PfDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "pf"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override { return l.hdr.tag == "filterlog"; }

  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    if (l.hdr.tag != "filterlog") return LineResult::NotMine;
    std::array<std::string_view, kMaxFields> f{};
    std::size_t n = 0;
    std::string_view s = trim(l.hdr.body);
    while (n < kMaxFields) {
      const auto comma = s.find(',');
      f[n++] = s.substr(0, comma);
      if (comma == std::string_view::npos) break;
      s.remove_prefix(comma + 1);
    }
    auto err = [&](std::string why) {
      ctx.reason = std::move(why);
      return LineResult::Error;
    };
    if (n < 9) return err(fmt::format("{} fields, at least 9 expected", n));
    // rule,subrule,anchor,tracker,iface,reason,action,dir,ipver
    ev.rule.assign(f[0].data(), f[0].size());
    if (!f[3].empty()) {
      ev.rule += '/';
      ev.rule.append(f[3]);
    }
    ev.in_iface.assign(f[4].data(), f[4].size());
    ev.action = action_from_word(f[6]);
    if (f[6] == "block") ev.action = decode::Action::Drop;
    if (f[6] == "match" || f[6] == "pass") ev.action = decode::Action::Accept;
    if (f[6] == "rdr" || f[6] == "nat" || f[6] == "binat") ev.action = decode::Action::Accept;
    ev.direction = f[7] == "in" ? decode::Direction::Inbound
                   : f[7] == "out" ? decode::Direction::Outbound
                                   : decode::Direction::Unknown;
    std::size_t i = 9;
    std::uint8_t proto = 0;
    if (f[8] == "4") {
      // tos,ecn,ttl,id,offset,flags,proto-id,proto-text,length,src,dst
      if (n < i + 11) return err("IPv4 record too short");
      std::uint16_t offset = 0;
      if (!parse_num(f[i + 2], ev.ttl) || !parse_num(f[i + 3], ev.ip_id) || !parse_num(f[i + 4], offset) ||
          !parse_num(f[i + 6], proto) || !parse_num(f[i + 8], ev.ip_len)) {
        return err("bad IPv4 numbers");
      }
      ev.has_ttl = ev.has_ip_id = ev.ip_id_from_log = true;
      ev.dont_fragment = f[i + 5].find("DF") != std::string_view::npos;
      ev.fragment = offset != 0 || f[i + 5].find("MF") != std::string_view::npos;
      ev.later_fragment = offset != 0;
      ev.ip_version = 4;
      i += 9;
    } else if (f[8] == "6") {
      // class,flowlabel,hoplimit,proto-text,proto-id,length,src,dst
      if (n < i + 8) return err("IPv6 record too short");
      if (!parse_num(f[i + 2], ev.ttl) || !parse_num(f[i + 4], proto) || !parse_num(f[i + 5], ev.ip_len)) {
        return err("bad IPv6 numbers");
      }
      ev.has_ttl = true;
      ev.ip_version = 6;
      i += 6;
    } else {
      return err(fmt::format("bad IP version '{}'", f[8].substr(0, 8)));
    }
    auto src = parse_ip(f[i]);
    auto dst = parse_ip(f[i + 1]);
    if (!src || !dst) return err("bad source or destination address");
    ev.src = *src;
    ev.dst = *dst;
    i += 2;
    set_protocol(ev, proto);
    if (ev.later_fragment) return LineResult::Parsed;
    if (ev.transport == decode::Transport::Tcp || ev.transport == decode::Transport::Udp) {
      if (n < i + 3) return err("transport fields missing");
      if (!parse_num(f[i], ev.sport) || !parse_num(f[i + 1], ev.dport) || !parse_num(f[i + 2], ev.payload_len)) {
        return err("bad ports or data length");
      }
      if (ev.transport == decode::Transport::Tcp && n > i + 3) {
        namespace tf = decode::tcpflag;
        for (const char c : f[i + 3]) {
          switch (c) {
            case 'S': ev.tcp_flags |= tf::kSyn; break;
            case 'A': ev.tcp_flags |= tf::kAck; break;
            case 'F': ev.tcp_flags |= tf::kFin; break;
            case 'R': ev.tcp_flags |= tf::kRst; break;
            case 'P': ev.tcp_flags |= tf::kPsh; break;
            case 'U': ev.tcp_flags |= tf::kUrg; break;
            case 'E': ev.tcp_flags |= tf::kEce; break;
            case 'W': ev.tcp_flags |= tf::kCwr; break;
            default: return err(fmt::format("bad TCP flags '{}'", f[i + 3].substr(0, 12)));
          }
        }
        if (n > i + 4 && !f[i + 4].empty()) {
          // "seq" or "seq:seqend"
          const auto seq = f[i + 4].substr(0, f[i + 4].find(':'));
          if (!parse_num(seq, ev.tcp_seq)) return err("bad TCP sequence");
        }
        if (n > i + 5 && !f[i + 5].empty() && !parse_num(f[i + 5], ev.tcp_ack)) return err("bad TCP ack");
        if (n > i + 6 && !f[i + 6].empty() && !parse_num(f[i + 6], ev.tcp_window)) return err("bad TCP window");
      }
    } else if (ev.transport == decode::Transport::Icmp || ev.transport == decode::Transport::Icmpv6) {
      auto& icmp = ev.icmp.emplace();
      if (n > i) {
        const auto t = f[i];
        bool known = false;
        for (const auto& k : kIcmpNames) {
          if (t == k.name) {
            icmp.type = k.type;
            known = true;
          }
        }
        if (t == "unreachport") icmp.code = 3;
        if (t == "unreachproto") icmp.code = 2;
        if ((t == "request" || t == "reply") && n > i + 2) {
          if (!parse_num(f[i + 1], icmp.id) || !parse_num(f[i + 2], icmp.seq)) return err("bad ICMP id/seq");
        }
        if (ev.transport == decode::Transport::Icmpv6 && known) {
          // pf writes the ICMPv6 names with the same words; 128/129 for echo.
          if (t == "request") icmp.type = 128;
          if (t == "reply") icmp.type = 129;
          if (t == "unreach" || t == "unreachport") icmp.type = 1;
          if (t == "timexceed") icmp.type = 3;
        }
      }
    }
    return LineResult::Parsed;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_pf_filterlog_dialect() { return std::make_unique<PfDialect>(); }

}  // namespace netseen::ingest::logs
