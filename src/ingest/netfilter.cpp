#include "ingest/netfilter.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace netseen::ingest::logs {

namespace {

using decode::Event;
using decode::Transport;

// MAC= of an Ethernet frame: dst(6):src(6):ethertype(2); other link layers are left alone.
void take_mac_header(std::string_view val, Event& ev) noexcept {
  if (val.size() < 41 || val[17] != ':') return;
  MacAddress d;
  MacAddress s;
  if (parse_mac_prefix(val, d) && parse_mac_prefix(val.substr(18), s)) {
    ev.dst_mac = d;
    ev.src_mac = s;
  }
}

// Keys of up to 8 bytes as one integer (first byte lowest), so that a key is matched with one
// comparison instead of a chain of string compares. Codes are only compared between keys of
// the same length (a NUL byte in a key must not make "IN\0" equal "IN").
constexpr std::uint64_t code(std::string_view k) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < k.size() && i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(k[i])} << (8 * i);
  return v;
}
// `avail` bytes are readable from k.data() (k.size() ≤ avail): with 8 of them one load does it.
inline std::uint64_t code_of(std::string_view k, std::size_t avail) noexcept {
  if (k.size() > 8) return ~std::uint64_t{0};
  if (avail >= 8 && std::endian::native == std::endian::little) {
    std::uint64_t v = 0;
    std::memcpy(&v, k.data(), 8);
    return k.size() == 8 ? v : v & ((std::uint64_t{1} << (8 * k.size())) - 1);
  }
  return code(k);
}

// Position of "IN=" that starts the netfilter fields: the first one with " OUT=" after it.
// The prefix may be glued to it ("DROPIN=eth0") or end in ':' (Shorewall).
// Plain loops rather than string_view::find: "IN=" is a few bytes into the message and
// " OUT=" follows right after the interface name, closer than a memchr call pays off.
std::size_t find_in_marker(std::string_view msg) noexcept {
  const char* const p = msg.data();
  const std::size_t n = msg.size();
  std::size_t at = 0;
  for (;; ++at) {
    if (at + 3 > n) return std::string_view::npos;
    if (p[at] == 'I' && p[at + 1] == 'N' && p[at + 2] == '=') break;
  }
  // Not PHYSIN= (which follows OUT= anyway) — accept the first hit if " OUT=" comes after it.
  for (std::size_t i = at + 3; i + 5 <= n; ++i) {
    if (p[i] == ' ' && p[i + 1] == 'O' && p[i + 2] == 'U' && p[i + 3] == 'T' && p[i + 4] == '=') return at;
  }
  return std::string_view::npos;
}

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

// The four bytes at p[start] as one word, to switch on a "KEY=" prefix (the code() values
// are little-endian); false when fewer than four remain or the machine is big-endian.
inline bool key_word(const char* p, std::size_t n, std::size_t start, std::uint32_t& w) noexcept {
  if constexpr (std::endian::native != std::endian::little) return false;
  if (n - start < 4) return false;
  std::memcpy(&w, p + start, 4);
  return true;
}

// 1–9 decimal digits at p[i] that end the token: their value and the end position.
// Anything else (no digit, a tenth digit, another character) → false.
inline bool digits_at(const char* p, std::size_t n, std::size_t i, std::uint32_t& v, std::size_t& end) noexcept {
  std::uint32_t acc = 0;
  const std::size_t start = i;
  const std::size_t lim = n - i < 10 ? n : i + 10;
  while (i < lim) {
    const auto d = static_cast<unsigned>(static_cast<unsigned char>(p[i]) - '0');
    if (d > 9) break;
    acc = acc * 10 + d;
    ++i;
  }
  if (i == start || i - start > 9 || (i < n && !is_blank(p[i]))) return false;
  v = acc;
  end = i;
  return true;
}

// A dotted quad (parts of 1–3 digits, each ≤ 255) at p[i] that ends the token.
inline bool ipv4_at(const char* p, std::size_t n, std::size_t i, std::uint32_t& v, std::size_t& end) noexcept {
  std::uint32_t acc = 0;
  for (int part = 0; part < 4; ++part) {
    if (part != 0) {
      if (i >= n || p[i] != '.') return false;
      ++i;
    }
    unsigned d = 0;
    if (i >= n || (d = static_cast<unsigned>(static_cast<unsigned char>(p[i]) - '0')) > 9) return false;
    unsigned val = d;
    ++i;
    if (i < n && (d = static_cast<unsigned>(static_cast<unsigned char>(p[i]) - '0')) <= 9) {
      val = val * 10 + d;
      ++i;
      if (i < n && (d = static_cast<unsigned>(static_cast<unsigned char>(p[i]) - '0')) <= 9) {
        val = val * 10 + d;
        ++i;
      }
    }
    if (val > 255) return false;
    acc = (acc << 8) | val;
  }
  if (i < n && !is_blank(p[i])) return false;
  v = acc;
  end = i;
  return true;
}

// The token reader of this parser: splits exactly as Tokens does (runs of spaces/tabs), and
// lets the hot loop take over the position (Parser::fast_field reads fields in place).
class Scan {
 public:
  explicit Scan(std::string_view s) noexcept : p_(s.data()), n_(s.size()) {}

  bool next(std::string_view& tok) noexcept {
    if (!skip_blanks()) return false;
    const std::size_t start = pos_;
    pos_ = token_end(start);
    tok = std::string_view(p_ + start, pos_ - start);
    return true;
  }
  // Moves to the start of the next token; false at the end.
  bool skip_blanks() noexcept {
    while (pos_ < n_ && is_blank(p_[pos_])) ++pos_;
    return pos_ < n_;
  }
  [[nodiscard]] std::size_t token_end(std::size_t from) const noexcept { return token_end_at(p_, n_, from); }
  [[nodiscard]] std::size_t pos() const noexcept { return pos_; }
  void set_pos(std::size_t i) noexcept { pos_ = i; }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  [[nodiscard]] const char* data() const noexcept { return p_; }

 private:
  const char* p_;
  std::size_t n_;
  std::size_t pos_ = 0;
};

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
    const std::uint64_t k = code(key);
    switch (key.size()) {
      case 2:
        if (k == code("ID")) {
          if (!saw_proto_) return parse_num(val, q_.ip_id) || bad(why, key, val);
          return true;
        }
        break;
      case 3:
        if (k == code("SRC") || k == code("DST")) {
          auto a = parse_ip(val);
          if (!a) return bad(why, key, val);
          (k == code("SRC") ? q_.src : q_.dst) = *a;
          return true;
        }
        if (k == code("TTL")) return parse_num(val, q_.ttl) || bad(why, key, val);
        if (k == code("SPT") || k == code("DPT")) {
          std::uint16_t p = 0;
          if (!parse_num(val, p)) return bad(why, key, val);
          (k == code("SPT") ? q_.sport : q_.dport) = p;
          q_.has_ports = true;
          return true;
        }
        break;
      case 4:
        if (k == code("TYPE") || k == code("CODE")) {
          std::uint8_t v = 0;
          if (!parse_num(val, v)) return bad(why, key, val);
          if (k == code("TYPE")) q_.icmp_type_code = static_cast<std::uint16_t>((v << 8) | (q_.icmp_type_code & 0xFF));
          else q_.icmp_type_code = static_cast<std::uint16_t>((q_.icmp_type_code & 0xFF00) | v);
          return true;
        }
        break;
      case 5:
        if (k == code("PROTO")) {
          if (!protocol_from_text(val, q_.protocol)) return bad(why, key, val);
          saw_proto_ = true;
          return true;
        }
        break;
      case 8:
        if (k == code("HOPLIMIT")) return parse_num(val, q_.ttl) || bad(why, key, val);
        break;
      default:
        break;
    }
    return true;  // LEN, TOS, PREC, WINDOW, … are not kept for the quoted packet
  }

  // The common fields inside the brackets read in place at p[start] (as Parser::fast_field
  // does for the line): returns the field's end, or 0 with nothing changed when field() and
  // the bracket handling of Parser::quoted() have to decide (other keys, odd values, a
  // closing ']' at the end of the token).
  std::size_t fast(const char* p, std::size_t n, std::size_t start) {
    std::uint32_t w = 0;
    if (!key_word(p, n, start, w)) return 0;
    std::uint32_t u = 0;
    std::size_t end = 0;
    std::size_t v = start + 4;
    switch (w) {
      case code("SRC="):
      case code("DST="):
        if (!ipv4_at(p, n, v, u, end)) return 0;
        (w == code("SRC=") ? q_.src : q_.dst).set_v4(u);
        return end;
      case code("TTL="):
        if (!digits_at(p, n, v, u, end) || u > 0xFF) return 0;
        q_.ttl = static_cast<std::uint8_t>(u);
        return end;
      case code("SPT="):
      case code("DPT="):
        if (!digits_at(p, n, v, u, end) || u > 0xFFFF) return 0;
        (w == code("SPT=") ? q_.sport : q_.dport) = static_cast<std::uint16_t>(u);
        q_.has_ports = true;
        return end;
      case code("LEN="):
      case code("TOS="):
      case code("RES="):
        return skip(p, n, v);
      case code("PREC"):
      case code("URGP"):
        if (n - start < 5 || p[start + 4] != '=') return 0;
        return skip(p, n, start + 5);
      case code("WIND"):
        if (n - start < 7 || p[start + 4] != 'O' || p[start + 5] != 'W' || p[start + 6] != '=') return 0;
        return skip(p, n, start + 7);
      case code("PROT"): {
        if (n - start < 6 || p[start + 4] != 'O' || p[start + 5] != '=') return 0;
        v = start + 6;
        end = skip(p, n, v);
        std::uint8_t proto = 0;
        if (end == 0 || !protocol_from_text(std::string_view(p + v, end - v), proto)) return 0;
        q_.protocol = proto;
        saw_proto_ = true;
        return end;
      }
      default:
        break;
    }
    if ((w & 0xFFFFFFu) == code("ID=")) {
      v = start + 3;
      if (saw_proto_) return skip(p, n, v);  // the quoted transport's ID: not kept
      if (!digits_at(p, n, v, u, end) || u > 0xFFFF) return 0;
      q_.ip_id = static_cast<std::uint16_t>(u);
      return end;
    }
    return 0;
  }

 private:
  // The end of a value whose content is not kept; 0 when the token closes the brackets.
  static std::size_t skip(const char* p, std::size_t n, std::size_t v) noexcept {
    const std::size_t end = token_end_at(p, n, v);
    return end > v && p[end - 1] == ']' ? 0 : end;
  }

  decode::Quoted& q_;
  bool saw_proto_ = false;
};

// Logs repeat a handful of prefixes: each distinct one is classified once (8 kept, round robin).
class PrefixCache {
 public:
  decode::Action lookup(std::string_view prefix) {
    if (last_ < used_ && same(prefix_[last_], prefix)) return action_[last_];
    for (std::size_t i = 0; i < used_; ++i) {
      if (same(prefix_[i], prefix)) {
        last_ = i;
        return action_[i];
      }
    }
    const std::size_t slot = used_ < kSlots ? used_++ : next_++ % kSlots;
    prefix_[slot].assign(prefix.data(), prefix.size());
    action_[slot] = action_from_prefix(prefix);
    last_ = slot;
    return action_[slot];
  }

 private:
  static constexpr std::size_t kSlots = 8;
  std::string prefix_[kSlots];
  decode::Action action_[kSlots] = {};
  std::size_t used_ = 0;
  std::size_t next_ = 0;
  std::size_t last_ = 0;  // the slot that answered last (logs repeat one prefix in runs)

  // Prefixes are a few bytes: a plain loop, cheaper than a memcmp call.
  static bool same(const std::string& a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < b.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
};

class Parser {
 public:
  // fast = false: every token goes through token(), the reference the fast paths are tested against.
  Parser(Event& ev, std::string& why, PrefixCache* cache, bool fast = true) noexcept
      : ev_(ev), why_(why), cache_(cache), fast_(fast) {}

  LineResult run(std::string_view msg) {
    end_ = msg.data() + msg.size();
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

    const std::string_view fields = msg.substr(in);
    const char* const p = fields.data();
    const std::size_t n = fields.size();
    std::size_t i = 0;
    for (;;) {
      while (i < n && is_blank(p[i])) ++i;
      if (i >= n) break;
      if (const std::size_t end = fast_ ? fast_field(p, n, i) : 0; end != 0) {
        i = end < n ? end + 1 : end;  // a fast field always ends at a blank or the end
        continue;
      }
      // Everything the fast path does not take: the whole token, parsed as it always was
      // (a few tokens read more tokens: OPT groups, the quoted packet of ICMP errors).
      Scan t(fields);
      const std::size_t end = token_end_at(p, n, i);
      t.set_pos(end);
      if (!token(std::string_view(p + i, end - i), t)) return LineResult::Error;
      i = t.pos();
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

  // The common fields of a well-formed line ("SRC=10.0.0.1", "TTL=64", "TOS=0x00", …) read in
  // place at p[start]: the field is recognised by its first bytes with one switch, and the
  // value is parsed while its end is looked for, instead of cutting the token, searching it
  // for '=' and parsing the value afterwards. Returns the end of the field (a blank, or n),
  // or 0 with nothing changed when the generic path has to decide (other keys, odd values,
  // errors), so that every line still gives exactly the event and error text of token().
  // A token that starts with "SRC=" has the key SRC for token() too: its first '=' after the
  // first byte is there.
  std::size_t fast_field(const char* p, std::size_t n, std::size_t start) {
    std::uint32_t w = 0;
    if (!key_word(p, n, start, w)) return 0;
    std::uint32_t u = 0;
    std::size_t end = 0;
    std::size_t v = start + 4;  // the value after a three-letter key
    switch (w) {
      case code("SRC="):
        if (!ipv4_at(p, n, v, u, end)) return 0;
        ev_.src.set_v4(u);
        ev_.ip_version = 4;
        return end;
      case code("DST="):
        if (!ipv4_at(p, n, v, u, end)) return 0;
        ev_.dst.set_v4(u);
        return end;
      case code("LEN="):
        if (!digits_at(p, n, v, u, end) || u > 0xFFFFFF) return 0;
        if (!saw_proto_) ev_.ip_len = u;
        else udp_len_ = u;  // the second LEN= is the UDP length
        return end;
      case code("TTL="):
        if (!digits_at(p, n, v, u, end) || u > 0xFF) return 0;
        ev_.ttl = static_cast<std::uint8_t>(u);
        ev_.has_ttl = true;
        return end;
      case code("SPT="):
        if (!digits_at(p, n, v, u, end) || u > 0xFFFF) return 0;
        ev_.sport = static_cast<std::uint16_t>(u);
        return end;
      case code("DPT="):
        if (!digits_at(p, n, v, u, end) || u > 0xFFFF) return 0;
        ev_.dport = static_cast<std::uint16_t>(u);
        return end;
      case code("TOS="):
      case code("RES="):
        return token_end_at(p, n, v);
      case code("OUT="):
        end = token_end_at(p, n, v);
        ev_.out_iface.assign(p + v, end - v);
        return end;
      case code("MAC="): {
        end = token_end_at(p, n, v);
        // dst(6):src(6):ethertype(2) for Ethernet; other link layers are left alone.
        take_mac_header(std::string_view(p + v, end - v), ev_);
        return end;
      }
      case code("PREC"):
      case code("URGP"):
        if (n - start < 5 || p[start + 4] != '=') return 0;
        return token_end_at(p, n, start + 5);
      case code("PROT"): {
        if (n - start < 6 || p[start + 4] != 'O' || p[start + 5] != '=') return 0;
        v = start + 6;
        end = token_end_at(p, n, v);
        std::uint8_t proto = 0;
        if (!protocol_from_text(std::string_view(p + v, end - v), proto)) return 0;
        saw_proto_ = true;
        set_protocol(ev_, proto);
        if ((ev_.transport == Transport::Icmp || ev_.transport == Transport::Icmpv6) && !ev_.icmp) ev_.icmp.emplace();
        return end;
      }
      case code("WIND"):
        if (n - start < 7 || p[start + 4] != 'O' || p[start + 5] != 'W' || p[start + 6] != '=') return 0;
        if (!digits_at(p, n, start + 7, u, end) || u > 0xFFFF) return 0;
        ev_.tcp_window = static_cast<std::uint16_t>(u);
        return end;
      default:
        break;
    }
    // Bare words that are whole tokens: the TCP flags after PROTO=TCP, DF before it (flag()
    // does the same; anything else there goes to flag() itself).
    if (is_blank(p[start + 3])) {  // p[start + 3] exists: at least four bytes are left
      if (saw_proto_ && ev_.transport == Transport::Tcp) {
        using namespace decode::tcpflag;
        std::uint8_t bit = 0;
        switch (w & 0xFFFFFFu) {
          case code("SYN"): bit = kSyn; break;
          case code("ACK"): bit = kAck; break;
          case code("FIN"): bit = kFin; break;
          case code("RST"): bit = kRst; break;
          case code("PSH"): bit = kPsh; break;
          case code("URG"): bit = kUrg; break;
          case code("ECE"): bit = kEce; break;
          case code("CWR"): bit = kCwr; break;
          default: break;
        }
        if (bit != 0) {
          ev_.tcp_flags |= bit;
          return start + 3;
        }
      }
    }
    if ((w & 0xFFFFu) == code("DF") && is_blank(p[start + 2]) && !saw_proto_) {
      ev_.dont_fragment = true;
      return start + 2;
    }
    // Two-letter keys: IN= and the IP ID.
    v = start + 3;
    switch (w & 0xFFFFFFu) {
      case code("IN="):
        if (in_done_) return 0;  // a second IN= (prefix text): token() ignores it
        end = token_end_at(p, n, v);
        in_done_ = true;
        ev_.in_iface.assign(p + v, end - v);
        return end;
      case code("ID="):
        if (saw_proto_ || !digits_at(p, n, v, u, end) || u > 0xFFFF) return 0;
        ev_.ip_id = static_cast<std::uint16_t>(u);
        ev_.has_ip_id = true;
        ev_.ip_id_from_log = true;
        return end;
      default:
        return 0;
    }
  }

  // "OPT (0204…)" or "OPT ( )" groups: returns the number of option bytes logged.
  bool skip_opt(std::string_view first, Scan& t, std::uint32_t& bytes) {
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

  bool quoted(std::string_view first, Scan& t) {
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
      // The next token; the common fields are taken in place (QuotedParser::fast), each one
      // counted against the guard like any other token.
      for (;;) {
        if (!t.skip_blanks()) {
          why_ = "quoted packet '[' not closed";
          return false;
        }
        if (!fast_ || guard + 1 >= 128) break;  // the loop reports "too long" for it
        const std::size_t end = qp.fast(t.data(), t.size(), t.pos());
        if (end == 0) break;
        t.set_pos(end);
        ++guard;
      }
      t.next(tok);
    }
    why_ = "quoted packet too long";
    return false;
  }

  bool flag(std::string_view tok, Scan& t) {
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

  [[gnu::noinline]] bool token(std::string_view tok, Scan& t) {
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
    const std::uint64_t k = code_of(key, static_cast<std::size_t>(end_ - key.data()));
    switch (key.size()) {
      case 2:
        if (k == code("IN")) {
          if (in_done_) return true;  // a second IN= (prefix text) is ignored
          in_done_ = true;
          ev_.in_iface.assign(val.data(), val.size());
          return true;
        }
        if (k == code("ID")) {
          if (!saw_proto_) {
            if (!parse_num(val, ev_.ip_id)) return bad(why_, key, val);
            ev_.has_ip_id = true;
            ev_.ip_id_from_log = true;
            return true;
          }
          auto& icmp = ev_.icmp ? *ev_.icmp : ev_.icmp.emplace();
          return parse_num(val, icmp.id) || bad(why_, key, val);
        }
        break;  // TC and others: tolerated
      case 3:
        switch (k) {
          case code("OUT"):
            ev_.out_iface.assign(val.data(), val.size());
            return true;
          case code("MAC"):
            // dst(6):src(6):ethertype(2) for Ethernet; other link layers are left alone.
            take_mac_header(val, ev_);
            return true;
          case code("SRC"):
          case code("DST"): {
            auto a = parse_ip(val);
            if (!a) return bad(why_, key, val);
            if (k == code("SRC")) {
              ev_.src = *a;
              ev_.ip_version = a->is_v4() ? 4 : 6;
            } else {
              ev_.dst = *a;
            }
            return true;
          }
          case code("LEN"): {
            std::uint32_t v = 0;
            if (!parse_num(val, v) || v > 0xFFFFFF) return bad(why_, key, val);
            if (!saw_proto_) ev_.ip_len = v;
            else udp_len_ = v;  // the second LEN= is the UDP length
            return true;
          }
          case code("TTL"):
            if (!parse_num(val, ev_.ttl)) return bad(why_, key, val);
            ev_.has_ttl = true;
            return true;
          case code("SPT"):
          case code("DPT"): {
            std::uint16_t p = 0;
            if (!parse_num(val, p)) return bad(why_, key, val);
            (k == code("SPT") ? ev_.sport : ev_.dport) = p;
            return true;
          }
          case code("SEQ"): {
            if (ev_.transport == Transport::Tcp) return parse_num(val, ev_.tcp_seq) || bad(why_, key, val);
            auto& icmp = ev_.icmp ? *ev_.icmp : ev_.icmp.emplace();
            return parse_num(val, icmp.seq) || bad(why_, key, val);
          }
          case code("ACK"):
            return parse_num(val, ev_.tcp_ack) || bad(why_, key, val);
          case code("MTU"): {
            auto& icmp = ev_.icmp ? *ev_.icmp : ev_.icmp.emplace();
            return parse_num(val, icmp.mtu) || bad(why_, key, val);
          }
          default:
            break;  // TOS (kernel 0x00, ulogd 00), RES, SPI, UID, GID: not kept
        }
        break;
      case 4:
        if (k == code("TYPE") || k == code("CODE")) {
          auto& icmp = ev_.icmp ? *ev_.icmp : ev_.icmp.emplace();
          return parse_num(val, k == code("TYPE") ? icmp.type : icmp.code) || bad(why_, key, val);
        }
        break;  // PREC, MARK, URGP: not kept
      case 5:
        if (k == code("PROTO")) {
          std::uint8_t p = 0;
          if (!protocol_from_text(val, p)) return bad(why_, key, val);
          saw_proto_ = true;
          set_protocol(ev_, p);
          if (ev_.transport == Transport::Icmp || ev_.transport == Transport::Icmpv6) {
            if (!ev_.icmp) ev_.icmp.emplace();
          }
          return true;
        }
        break;
      case 6:
        if (k == code("WINDOW")) return parse_num(val, ev_.tcp_window) || bad(why_, key, val);
        if (k == code("MACSRC") || k == code("MACDST")) {
          MacAddress m;
          if (parse_mac_prefix(val, m)) (k == code("MACSRC") ? ev_.src_mac : ev_.dst_mac) = m;
          return true;
        }
        break;  // PHYSIN
      case 7:
        if (k == code("GATEWAY")) {
          auto a = parse_ip(val);
          if (!a) return bad(why_, key, val);
          auto& icmp = ev_.icmp ? *ev_.icmp : ev_.icmp.emplace();
          icmp.gateway = *a;
          return true;
        }
        break;  // PHYSOUT, FLOWLBL, POINTER
      case 8:
        if (k == code("HOPLIMIT")) {
          if (!parse_num(val, ev_.ttl)) return bad(why_, key, val);
          ev_.has_ttl = true;
          return true;
        }
        break;  // MACPROTO
      default:
        break;
    }
    return true;  // unknown KEY=value pairs are tolerated
  }

  Event& ev_;
  std::string& why_;
  PrefixCache* cache_;
  bool fast_;
  const char* end_ = nullptr;  // end of the message: key codes may load up to it
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

LineResult parse_netfilter_message_reference(std::string_view msg, decode::Event& ev, std::string& why) {
  Parser p(ev, why, nullptr, false);
  return p.run(msg);
}

std::unique_ptr<Dialect> make_netfilter_dialect() { return std::make_unique<NetfilterDialect>(false); }
std::unique_ptr<Dialect> make_ulogd_dialect() { return std::make_unique<NetfilterDialect>(true); }

}  // namespace netseen::ingest::logs
