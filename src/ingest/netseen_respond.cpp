#include "ingest/netseen_respond.hpp"

#include <fmt/format.h>

#include "ingest/ulogd_json.hpp"

namespace netseen::ingest::logs {

namespace {

constexpr std::size_t kMaxScopeBytes = 255;

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 32 hex digits -> 16 raw name bytes.
bool parse_name_raw(std::string_view v, std::array<std::uint8_t, 16>& out) noexcept {
  if (v.size() != 32) return false;
  for (std::size_t i = 0; i < 16; ++i) {
    const int hi = hex_value(v[2 * i]), lo = hex_value(v[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return true;
}

// A scope id as JSON string content: letters, digits, '-', '.', and the escapes \" \\ \/.
bool parse_scope(std::string_view v, std::string& out) {
  out.clear();
  if (v.size() > kMaxScopeBytes * 2) return false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\\') {
      if (i + 1 >= v.size()) return false;
      c = v[++i];
      if (c != '"' && c != '\\' && c != '/') return false;
    }
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) return false;
    out.push_back(c);
  }
  return out.size() <= kMaxScopeBytes;
}

bool parse_bool(std::string_view v, bool& out) noexcept {
  if (v == "true") {
    out = true;
    return true;
  }
  if (v == "false") {
    out = false;
    return true;
  }
  return false;
}

class NetseenRespondDialect final : public Dialect {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "netseen-respond"; }
  [[nodiscard]] bool claims(const LogLine& l) const noexcept override {
    const auto t = trim(l.text);
    return !t.empty() && t.front() == '{' && t.find("\"netseen\"") != std::string_view::npos &&
           t.find("\"respond\"") != std::string_view::npos;
  }
  LineResult parse(const LogLine& l, decode::Event& ev, LineContext& ctx) override {
    if (!claims(l)) return LineResult::NotMine;
    bool tagged = false, has_src = false, has_dst = false, has_ts = false, has_txid = false;
    bool response = false, broadcast_field = false, has_broadcast = false;
    std::uint16_t txid = 0, qtype = 0;
    std::uint8_t opcode = 0, nm_flags = 0, rcode = 0;
    std::optional<std::array<std::uint8_t, 16>> raw;
    std::string scope;
    std::string_view kind, stamp, action;
    std::string bad_key;
    const bool ok = for_each_json_member(
        trim(l.text),
        [&](std::string_view k, std::string_view v, bool is_str) -> bool {
          bool good = true;
          if (k == "netseen") {
            tagged = is_str && v == "respond";
            good = tagged;
          } else if (k == "v") {
            unsigned version = 0;
            good = parse_num(v, version) && version == 1;
          } else if (k == "ts") {
            good = is_str;
            stamp = v;
            has_ts = true;
          } else if (k == "src" || k == "dst") {
            auto a = is_str ? parse_ip(v) : std::nullopt;
            if (!a || !a->is_v4()) {
              good = false;
            } else if (k == "src") {
              ev.src = *a;
              has_src = true;
            } else {
              ev.dst = *a;
              has_dst = true;
            }
          } else if (k == "sport") {
            good = parse_num(v, ev.sport);
          } else if (k == "dport") {
            good = parse_num(v, ev.dport);
          } else if (k == "len") {
            good = parse_num(v, ev.payload_len) && ev.payload_len <= 65507;
          } else if (k == "txid") {
            good = parse_num(v, txid);
            has_txid = true;
          } else if (k == "response") {
            good = parse_bool(v, response);
          } else if (k == "opcode") {
            good = parse_num(v, opcode) && opcode <= 15;
          } else if (k == "nm_flags") {
            good = parse_num(v, nm_flags) && nm_flags <= 0x7F;
          } else if (k == "rcode") {
            good = parse_num(v, rcode) && rcode <= 15;
          } else if (k == "kind") {
            kind = v;
          } else if (k == "action") {
            action = v;
          } else if (k == "name_raw") {
            std::array<std::uint8_t, 16> r{};
            good = is_str && parse_name_raw(v, r);
            if (good) raw = r;
          } else if (k == "scope") {
            good = is_str && parse_scope(v, scope);
          } else if (k == "qtype") {
            good = parse_num(v, qtype);
          } else if (k == "broadcast") {
            good = parse_bool(v, broadcast_field);
            has_broadcast = true;
          }
          // "name" is the display form, for people: name_raw + scope carry the same name.
          if (!good && bad_key.empty()) {
            bad_key = fmt::format("bad value for \"{}\": '{}'", k.substr(0, 32), v.substr(0, 48));
          }
          return good;
        },
        ctx.reason);
    if (!ok) {
      if (!bad_key.empty()) ctx.reason = bad_key;
      return LineResult::Error;
    }
    if (!tagged) {
      ctx.reason = "not a netseen respond record";
      return LineResult::Error;
    }
    if (!has_src || !has_dst || !has_ts) {
      ctx.reason = "no src/dst/ts";
      return LineResult::Error;
    }
    Stamp st;
    if (parse_iso_stamp(stamp, st, false) != stamp.size()) {
      ctx.reason = "bad timestamp";
      return LineResult::Error;
    }
    auto ts = ctx.time->resolve(st);
    if (!ts) {
      ctx.reason = "impossible timestamp";
      return LineResult::Error;
    }
    ev.ts = *ts;
    ev.ip_version = 4;
    set_protocol(ev, 17);
    // Received by the responder: it reached the socket (accept), and a datagram for a loopback
    // address can only have come in on the loopback interface.
    ev.direction = decode::Direction::Inbound;
    ev.action = decode::Action::Accept;
    if (ev.dst.is_loopback()) ev.in_iface = "lo";
    ev.rule = "respond";
    if (!action.empty()) {
      ev.rule += ' ';
      for (char c : action.substr(0, 32)) ev.rule.push_back(c >= 0x21 && c <= 0x7E && c != '\\' ? c : '?');
    }
    // A datagram that did not parse as NBNS ("kind":"malformed", no transaction id) stays a bare
    // UDP event: what arrived is known, what it said is not.
    if (kind == "malformed" || !has_txid) return LineResult::Parsed;
    ev.app = decode::App::Nbns;
    auto& n = ev.nbns.emplace();
    n.id = txid;
    n.response = response;
    n.opcode = opcode;
    n.nm_flags = nm_flags;
    if (has_broadcast && broadcast_field) n.nm_flags = static_cast<std::uint8_t>(n.nm_flags | 0x01);
    n.rcode = rcode;
    n.qtype = qtype;
    if (raw) {
      decode::NbName q;
      q.raw = *raw;
      q.scope = std::move(scope);
      n.question = std::move(q);
      n.qdcount = qtype != 0 ? 1 : 0;
      if (n.qdcount == 0) n.arcount = 1;  // a registration's name comes from its additional record
    }
    return LineResult::Parsed;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_netseen_respond_dialect() { return std::make_unique<NetseenRespondDialect>(); }

}  // namespace netseen::ingest::logs
