#include "ingest/netfilter.hpp"

#include <fmt/format.h>

namespace netseen::ingest::logs {

namespace {

using decode::Event;
using decode::Transport;

// Position of "IN=" that starts the netfilter fields: the first one with " OUT=" after it.
// The prefix may be glued to it ("DROPIN=eth0") or end in ':' (Shorewall).
std::size_t find_in_marker(std::string_view msg) noexcept {
  std::size_t at = msg.find("IN=");
  while (at != std::string_view::npos) {
    const std::size_t out = msg.find(" OUT=", at);
    if (out == std::string_view::npos) return std::string_view::npos;
    // Not PHYSIN= (which follows OUT= anyway) — accept the first hit.
    return at;
  }
  return std::string_view::npos;
}

bool bad(std::string& why, std::string_view key, std::string_view value) {
  why = fmt::format("bad {} value '{}'", key, value.substr(0, 64));
  return false;
}

// The packet inside the brackets of an ICMP error: "[SRC=… DST=… … PROTO=UDP SPT=… DPT=… LEN=… ]".
class QuotedParser {
 public:
  explicit QuotedParser(decode::Quoted& q) noexcept : q_(q) {}
  bool field(std::string_view key, std::string_view val, bool bare, std::string& why) {
    if (bare) {
      return true;  // DF, SYN, … inside the quote: not kept
    }
    if (key == "SRC" || key == "DST") {
      auto a = parse_ip(val);
      if (!a) return bad(why, key, val);
      (key == "SRC" ? q_.src : q_.dst) = *a;
      return true;
    }
    if (key == "PROTO") {
      if (!protocol_from_text(val, q_.protocol)) return bad(why, key, val);
      saw_proto_ = true;
      return true;
    }
    if (key == "TTL" || key == "HOPLIMIT") return parse_num(val, q_.ttl) || bad(why, key, val);
    if (key == "ID") {
      if (!saw_proto_) return parse_num(val, q_.ip_id) || bad(why, key, val);
      return true;
    }
    if (key == "SPT" || key == "DPT") {
      std::uint16_t p = 0;
      if (!parse_num(val, p)) return bad(why, key, val);
      (key == "SPT" ? q_.sport : q_.dport) = p;
      q_.has_ports = true;
      return true;
    }
    if (key == "TYPE" || key == "CODE") {
      std::uint8_t v = 0;
      if (!parse_num(val, v)) return bad(why, key, val);
      if (key == "TYPE") q_.icmp_type_code = static_cast<std::uint16_t>((v << 8) | (q_.icmp_type_code & 0xFF));
      else q_.icmp_type_code = static_cast<std::uint16_t>((q_.icmp_type_code & 0xFF00) | v);
      return true;
    }
    return true;  // LEN, TOS, PREC, WINDOW, … are not kept for the quoted packet
  }

 private:
  decode::Quoted& q_;
  bool saw_proto_ = false;
};

// Logs repeat a handful of prefixes: each distinct one is classified once (8 kept, round robin).
class PrefixCache {
 public:
  decode::Action lookup(std::string_view prefix) {
    for (std::size_t i = 0; i < used_; ++i) {
      if (prefix_[i] == prefix) return action_[i];
    }
    const std::size_t slot = used_ < kSlots ? used_++ : next_++ % kSlots;
    prefix_[slot].assign(prefix.data(), prefix.size());
    action_[slot] = action_from_prefix(prefix);
    return action_[slot];
  }

 private:
  static constexpr std::size_t kSlots = 8;
  std::string prefix_[kSlots];
  decode::Action action_[kSlots] = {};
  std::size_t used_ = 0;
  std::size_t next_ = 0;
};

class Parser {
 public:
  Parser(Event& ev, std::string& why, PrefixCache* cache) noexcept : ev_(ev), why_(why), cache_(cache) {}

  LineResult run(std::string_view msg) {
    const std::size_t in = find_in_marker(msg);
    if (in == std::string_view::npos) return LineResult::NotMine;
    std::string_view prefix = trim(msg.substr(0, in));
    // "kernel: [123.4] " left in the body when the header was not recognised.
    if (const auto k = prefix.rfind("kernel:"); k != std::string_view::npos) prefix = trim(prefix.substr(k + 7));
    if (!prefix.empty() && prefix.front() == '[') {
      const auto close = prefix.find(']');
      if (close != std::string_view::npos && close > 1 &&
          prefix.substr(1, close - 1).find_first_not_of(" 0123456789.") == std::string_view::npos) {
        prefix = trim(prefix.substr(close + 1));
      }
    }
    ev_.rule.assign(prefix.data(), prefix.size());
    if (cache_ != nullptr) {
      ev_.action = cache_->lookup(prefix);
    } else {
      ev_.action = action_from_prefix(prefix);
    }

    Tokens t(msg.substr(in));
    std::string_view tok;
    while (t.next(tok)) {
      if (!token(tok, t)) return LineResult::Error;
    }
    return finish();
  }

 private:
  LineResult finish() {
    if (!ev_.src.valid() || !ev_.dst.valid()) {
      why_ = "no SRC= or DST=";
      return LineResult::Error;
    }
    const bool has_in = !ev_.in_iface.empty();
    const bool has_out = !ev_.out_iface.empty();
    ev_.direction = has_in && has_out ? decode::Direction::Forward
                    : has_in          ? decode::Direction::Inbound
                    : has_out         ? decode::Direction::Outbound
                                      : decode::Direction::Unknown;
    if (ev_.transport == Transport::Udp && udp_len_ >= 8) ev_.payload_len = udp_len_ - 8;
    if (ev_.transport == Transport::Tcp && tcp_opt_len_ >= 0 && ev_.ip_len > 0) {
      const std::uint32_t ip_hdr = ev_.ip_version == 6 ? 40u : 20u + ip_opt_len_;
      const std::uint32_t hdrs = ip_hdr + 20u + static_cast<std::uint32_t>(tcp_opt_len_);
      if (ev_.ip_len >= hdrs) ev_.payload_len = ev_.ip_len - hdrs;
    }
    if ((ev_.transport == Transport::Icmp || ev_.transport == Transport::Icmpv6) && ev_.ip_len > 0 &&
        !ev_.later_fragment) {
      // As the capture decoder counts it: the ICMP message after its 4-byte type/code/checksum.
      const std::uint32_t hdrs = (ev_.ip_version == 6 ? 40u : 20u + ip_opt_len_) + 4u;
      if (ev_.ip_len >= hdrs) ev_.payload_len = ev_.ip_len - hdrs;
    }
    return LineResult::Parsed;
  }

  // "OPT (0204…)" or "OPT ( )" groups: returns the number of option bytes logged.
  bool skip_opt(std::string_view first, Tokens& t, std::uint32_t& bytes) {
    std::string_view tok = first;
    bytes = 0;
    bool started = false;
    for (int guard = 0; guard < 64; ++guard) {
      if (!started) {
        if (tok.empty() || tok.front() != '(') {
          why_ = "OPT without '('";
          return false;
        }
        started = true;
        tok.remove_prefix(1);
      }
      const bool closes = !tok.empty() && tok.back() == ')';
      if (closes) tok.remove_suffix(1);
      bytes += static_cast<std::uint32_t>(tok.size() / 2);
      if (closes) return true;
      if (!t.next(tok)) {
        why_ = "OPT ( not closed";
        return false;
      }
    }
    why_ = "OPT group too long";
    return false;
  }

  bool quoted(std::string_view first, Tokens& t) {
    // first = "[SRC=…" (or "[" alone)
    auto& icmp = ev_.icmp ? *ev_.icmp : ev_.icmp.emplace();
    decode::Quoted q;
    QuotedParser qp(q);
    std::string_view tok = first.substr(1);
    for (int guard = 0; guard < 128; ++guard) {
      bool closes = false;
      if (!tok.empty() && tok.back() == ']') {
        closes = true;
        tok.remove_suffix(1);
      }
      if (!tok.empty()) {
        if (tok.front() == '[') {
          why_ = "nested [ in quoted packet";
          return false;
        }
        const auto eq = tok.find('=');
        const bool bare = eq == std::string_view::npos;
        if (!qp.field(bare ? tok : tok.substr(0, eq), bare ? std::string_view{} : tok.substr(eq + 1), bare, why_)) {
          why_ = "quoted packet: " + why_;
          return false;
        }
      }
      if (closes) {
        if (!q.src.valid() || !q.dst.valid()) {
          why_ = "quoted packet without SRC/DST";
          return false;
        }
        icmp.quoted = q;
        return true;
      }
      if (!t.next(tok)) {
        why_ = "quoted packet '[' not closed";
        return false;
      }
    }
    why_ = "quoted packet too long";
    return false;
  }

  bool flag(std::string_view tok, Tokens& t) {
    using namespace decode::tcpflag;
    if (!saw_proto_) {
      if (tok == "DF") ev_.dont_fragment = true;
      else if (tok == "MF") ev_.fragment = true;
      else if (tok == "CE") {
      } else if (tok == "OPT") {
        std::string_view next;
        std::uint32_t n = 0;
        if (!t.next(next) || !skip_opt(next, t, n)) return false;
        ip_opt_len_ += n;
      } else if (starts_with(tok, "FRAG:")) {
        std::uint16_t off = 0;
        if (!parse_num(tok.substr(5), off)) return bad(why_, "FRAG", tok.substr(5));
        ev_.fragment = true;
        if (off != 0) ev_.later_fragment = true;
      }
      return true;  // unknown bare words are tolerated (future kernels)
    }
    if (ev_.transport == Transport::Tcp) {
      if (tok == "SYN") ev_.tcp_flags |= kSyn;
      else if (tok == "ACK") ev_.tcp_flags |= kAck;
      else if (tok == "FIN") ev_.tcp_flags |= kFin;
      else if (tok == "RST") ev_.tcp_flags |= kRst;
      else if (tok == "PSH") ev_.tcp_flags |= kPsh;
      else if (tok == "URG") ev_.tcp_flags |= kUrg;
      else if (tok == "ECE") ev_.tcp_flags |= kEce;
      else if (tok == "CWR") ev_.tcp_flags |= kCwr;
      else if (tok == "OPT") {
        std::string_view next;
        std::uint32_t n = 0;
        if (!t.next(next) || !skip_opt(next, t, n)) return false;
        tcp_opt_len_ = static_cast<std::int32_t>(n);
      }
      return true;
    }
    if (tok == "INCOMPLETE") {
      // "INCOMPLETE [65535 bytes]"
      std::string_view next;
      for (int guard = 0; guard < 4 && t.next(next); ++guard) {
        if (!next.empty() && next.back() == ']') break;
      }
      return true;
    }
    if (tok == "OPT") {
      std::string_view next;
      std::uint32_t n = 0;
      return t.next(next) && skip_opt(next, t, n);
    }
    return true;
  }

  bool token(std::string_view tok, Tokens& t) {
    if (tok.front() == '[') {
      if (ev_.transport == Transport::Icmp || ev_.transport == Transport::Icmpv6) return quoted(tok, t);
      // Anything else in brackets is skipped up to the closing bracket.
      std::string_view next = tok;
      for (int guard = 0; guard < 128; ++guard) {
        if (next.back() == ']') return true;
        if (!t.next(next)) break;
      }
      why_ = "'[' not closed";
      return false;
    }
    // Keys are at most 8 characters: look for '=' only there.
    std::size_t eq = std::string_view::npos;
    const std::size_t lim = tok.size() < 10 ? tok.size() : 10;
    for (std::size_t i = 1; i < lim; ++i) {
      if (tok[i] == '=') {
        eq = i;
        break;
      }
    }
    if (eq == std::string_view::npos) return flag(tok, t);
    const std::string_view key = tok.substr(0, eq);
    const std::string_view val = tok.substr(eq + 1);
    switch (key.size()) {
      case 2:
        if (key == "IN") {
          if (in_done_) return true;  // a second IN= (prefix text) is ignored
          in_done_ = true;
          ev_.in_iface.assign(val.data(), val.size());
          return true;
        }
        if (key == "ID") {
          if (!saw_proto_) {
            if (!parse_num(val, ev_.ip_id)) return bad(why_, key, val);
            ev_.has_ip_id = true;
            ev_.ip_id_from_log = true;
            return true;
          }
          auto& icmp = ev_.icmp ? *ev_.icmp : ev_.icmp.emplace();
          return parse_num(val, icmp.id) || bad(why_, key, val);
        }
        if (key == "TC") return true;
        break;
      case 3:
        if (key == "OUT") {
          ev_.out_iface.assign(val.data(), val.size());
          return true;
        }
        if (key == "MAC") {
          // dst(6):src(6):ethertype(2) for Ethernet; other link layers are left alone.
          if (val.size() >= 41 && val[17] == ':') {
            MacAddress d;
            MacAddress s;
            if (parse_mac_prefix(val, d) && parse_mac_prefix(val.substr(18), s)) {
              ev_.dst_mac = d;
              ev_.src_mac = s;
            }
          }
          return true;
        }
        if (key == "SRC" || key == "DST") {
          auto a = parse_ip(val);
          if (!a) return bad(why_, key, val);
          if (key == "SRC") {
            ev_.src = *a;
            ev_.ip_version = a->is_v4() ? 4 : 6;
          } else {
            ev_.dst = *a;
          }
          return true;
        }
        if (key == "LEN") {
          std::uint32_t v = 0;
          if (!parse_num(val, v) || v > 0xFFFFFF) return bad(why_, key, val);
          if (!saw_proto_) ev_.ip_len = v;
          else udp_len_ = v;  // the second LEN= is the UDP length
          return true;
        }
        if (key == "TOS") return true;  // kernel 0x00, ulogd 00
        if (key == "TTL") {
          if (!parse_num(val, ev_.ttl)) return bad(why_, key, val);
          ev_.has_ttl = true;
          return true;
        }
        if (key == "SPT" || key == "DPT") {
          std::uint16_t p = 0;
          if (!parse_num(val, p)) return bad(why_, key, val);
          (key == "SPT" ? ev_.sport : ev_.dport) = p;
          return true;
        }
        if (key == "SEQ") {
          if (ev_.transport == Transport::Tcp) return parse_num(val, ev_.tcp_seq) || bad(why_, key, val);
          auto& icmp = ev_.icmp ? *ev_.icmp : ev_.icmp.emplace();
          return parse_num(val, icmp.seq) || bad(why_, key, val);
        }
        if (key == "ACK") return parse_num(val, ev_.tcp_ack) || bad(why_, key, val);
        if (key == "RES" || key == "SPI" || key == "UID" || key == "GID" || key == "MTU") {
          if (key == "MTU") {
            auto& icmp = ev_.icmp ? *ev_.icmp : ev_.icmp.emplace();
            return parse_num(val, icmp.mtu) || bad(why_, key, val);
          }
          return true;
        }
        break;
      case 4:
        if (key == "PREC" || key == "MARK") return true;
        if (key == "TYPE" || key == "CODE") {
          auto& icmp = ev_.icmp ? *ev_.icmp : ev_.icmp.emplace();
          return parse_num(val, key == "TYPE" ? icmp.type : icmp.code) || bad(why_, key, val);
        }
        if (key == "URGP") return true;
        break;
      case 5:
        if (key == "PROTO") {
          std::uint8_t p = 0;
          if (!protocol_from_text(val, p)) return bad(why_, key, val);
          if (ev_.ip_version == 6 && p == 1) p = 1;
          saw_proto_ = true;
          set_protocol(ev_, p);
          if (ev_.transport == Transport::Icmp || ev_.transport == Transport::Icmpv6) {
            if (!ev_.icmp) ev_.icmp.emplace();
          }
          return true;
        }
        break;
      case 6:
        if (key == "WINDOW") return parse_num(val, ev_.tcp_window) || bad(why_, key, val);
        if (key == "PHYSIN") return true;
        if (key == "MACSRC" || key == "MACDST") {
          MacAddress m;
          if (parse_mac_prefix(val, m)) (key == "MACSRC" ? ev_.src_mac : ev_.dst_mac) = m;
          return true;
        }
        break;
      case 7:
        if (key == "PHYSOUT" || key == "FLOWLBL" || key == "POINTER") return true;
        if (key == "GATEWAY") {
          auto a = parse_ip(val);
          if (!a) return bad(why_, key, val);
          auto& icmp = ev_.icmp ? *ev_.icmp : ev_.icmp.emplace();
          icmp.gateway = *a;
          return true;
        }
        break;
      case 8:
        if (key == "HOPLIMIT") {
          if (!parse_num(val, ev_.ttl)) return bad(why_, key, val);
          ev_.has_ttl = true;
          return true;
        }
        if (key == "MACPROTO") return true;
        break;
      default:
        break;
    }
    return true;  // unknown KEY=value pairs are tolerated
  }

  Event& ev_;
  std::string& why_;
  PrefixCache* cache_;
  bool saw_proto_ = false;
  bool in_done_ = false;
  std::uint32_t udp_len_ = 0;
  std::uint32_t ip_opt_len_ = 0;
  std::int32_t tcp_opt_len_ = -1;  // -1: TCP options not logged
};

class NetfilterDialect final : public Dialect {
 public:
  explicit NetfilterDialect(bool ulogd) noexcept : ulogd_(ulogd) {}
  [[nodiscard]] std::string_view name() const noexcept override { return ulogd_ ? "ulogd" : "netfilter"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    const std::string_view b = l.hdr.body;
    if (find_in_marker(b) == std::string_view::npos) return false;
    if (!ulogd_) return true;
    // ulogd LOGEMU: ulogd writes its own stamp and host with no program tag, and TOS without 0x.
    return l.hdr.has_stamp && l.hdr.tag.empty() && b.find(" TOS=0x") == std::string_view::npos &&
           b.find(" TOS=") != std::string_view::npos;
  }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    Parser p(ev, ctx.reason, &cache_);
    return p.run(l.hdr.body);
  }

 private:
  bool ulogd_;
  PrefixCache cache_;
};

}  // namespace

LineResult parse_netfilter_message(std::string_view msg, decode::Event& ev, std::string& why) {
  Parser p(ev, why, nullptr);
  return p.run(msg);
}

std::unique_ptr<Dialect> make_netfilter_dialect() { return std::make_unique<NetfilterDialect>(false); }
std::unique_ptr<Dialect> make_ulogd_dialect() { return std::make_unique<NetfilterDialect>(true); }

}  // namespace netseen::ingest::logs
