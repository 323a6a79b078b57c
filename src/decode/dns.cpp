// DNS (RFC 1035): header, first question (name and type), answer count, rcode, and the
// targets of PTR answers. Names follow compression pointers with a cap on jumps and on
// length; labels are escaped (\DDD) so hostile bytes never reach a terminal.
#include <fmt/format.h>

#include <string>

#include "core/limits.hpp"
#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {

constexpr std::size_t kMaxPtrTargets = 8;

bool plain_label_char(std::uint8_t ch) noexcept { return ch > 0x20 && ch < 0x7F && ch != '.' && ch != '\\'; }

void append_label(std::string& out, Bytes label) {
  if (!out.empty()) out.push_back('.');
  bool plain = true;
  for (const std::uint8_t ch : label) plain = plain && plain_label_char(ch);
  if (plain) {  // the common case: one append instead of a push_back per byte
    out.append(reinterpret_cast<const char*>(label.data()), label.size());  // bytes as chars
    return;
  }
  for (const std::uint8_t ch : label) {
    if (ch > 0x20 && ch < 0x7F && ch != '.' && ch != '\\') {
      out.push_back(static_cast<char>(ch));
    } else {
      out += fmt::format("\\{:03d}", ch);
    }
  }
}

// Reads a name at msg's current position (msg moves past it). `out` may be null to skip.
bool read_name(ByteReader& msg, std::string* out) {
  ByteReader cur = msg;
  bool jumped = false;
  std::size_t jumps = 0, total = 0;
  for (;;) {
    auto len = cur.u8();
    if (!len) return false;
    if ((*len & 0xC0) == 0xC0) {
      auto lo = cur.u8();
      if (!lo) return false;
      if (!jumped) {
        msg = cur;
        jumped = true;
      }
      if (++jumps > limits::kMaxNameCompressionJumps) return false;
      const std::size_t target = (std::size_t{*len & 0x3FU} << 8) | *lo;
      if (!cur.seek(target)) return false;
      continue;
    }
    if ((*len & 0xC0) != 0) return false;  // extended label types are not used
    if (*len == 0) break;
    auto label = cur.bytes(*len);
    if (!label) return false;
    total += *len + 1U;
    if (total > limits::kMaxEncodedNameBytes) return false;
    if (out != nullptr) append_label(*out, *label);
  }
  if (!jumped) msg = cur;
  if (out != nullptr && out->empty()) out->push_back('.');
  return true;
}

}  // namespace

void decode_dns(ByteReader r, Ctx& c) {
  Event& ev = c.ev;
  ByteReader msg(r.rest());
  auto id = msg.u16be();
  auto flags = msg.u16be();
  auto qd = msg.u16be();
  auto an = msg.u16be();
  auto ns = msg.u16be();
  auto ar = msg.u16be();
  if (!id || !flags || !qd || !an || !ns || !ar) {
    add_anomaly(ev, "dns_truncated", "header");
    return;
  }
  ev.app = App::Dns;
  Dns& d = ev.dns.emplace();
  d.id = *id;
  d.response = (*flags & 0x8000) != 0;
  d.opcode = static_cast<std::uint8_t>((*flags >> 11) & 0x0F);
  d.rcode = static_cast<std::uint8_t>(*flags & 0x0F);
  d.answers = *an;
  for (std::size_t i = 0; i < *qd && i < limits::kMaxDnsRecords; ++i) {
    std::string* name = i == 0 ? &d.qname : nullptr;
    if (!read_name(msg, name)) {
      add_anomaly(ev, "dns_bad_name", "question");
      return;
    }
    auto qtype = msg.u16be();
    auto qclass = msg.u16be();
    if (!qtype || !qclass) {
      add_anomaly(ev, "dns_truncated", "question");
      return;
    }
    if (i == 0) d.qtype = *qtype;
  }
  for (std::size_t i = 0; i < *an && i < limits::kMaxDnsRecords; ++i) {
    if (!read_name(msg, nullptr)) {
      add_anomaly(ev, "dns_bad_name", "answer");
      return;
    }
    auto type = msg.u16be();
    auto cls = msg.u16be();
    auto ttl = msg.u32be();
    auto rdlen = msg.u16be();
    if (!type || !cls || !ttl || !rdlen || !msg.can_read(*rdlen)) {
      add_anomaly(ev, "dns_truncated", "answer");
      return;
    }
    const std::size_t end = msg.position() + *rdlen;
    if (*type == 12 && d.ptr_targets.size() < kMaxPtrTargets) {
      std::string target;
      ByteReader at = msg;
      if (read_name(at, &target)) d.ptr_targets.push_back(std::move(target));
      else add_anomaly(ev, "dns_bad_name", "PTR target");
    }
    msg.seek(end);
  }
}

}  // namespace netseen::decode::detail
