// DNS (RFC 1035): header, first question (name and type), answer count, rcode, and the
// targets of PTR answers. Names follow compression pointers with a cap on jumps and on
// length; labels are escaped (\DDD) so hostile bytes never reach a terminal.
#include <fmt/format.h>

#include <array>
#include <cstring>
#include <string>

#include "core/limits.hpp"
#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {

constexpr std::size_t kMaxPtrTargets = 8;
constexpr std::uint16_t kPtrType = 12;

// Bytes written as they are in a dotted name; everything else is escaped \DDD.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (unsigned ch = 0x21; ch < 0x7F; ++ch) t[ch] = ch != '.' && ch != '\\';
  return t;
}();

// A dotted name is built in a fixed buffer and handed to the string once. Its size bounds
// the worst case: at most kMaxEncodedNameBytes label bytes, each escaped to 4 characters,
// and a dot per label.
constexpr std::size_t kNameBufferSize = 5 * limits::kMaxEncodedNameBytes + 8;

struct NameBuffer {
  std::array<char, kNameBufferSize> text;
  std::size_t len = 0;
  bool dot_first = false;  // the string appended to is not empty: a dot before the first label

  void append_label(const std::uint8_t* label, std::size_t n) noexcept {
    if (len != 0 || dot_first) text[len++] = '.';
    unsigned plain = 1;
    for (std::size_t i = 0; i < n; ++i) plain &= kPlain[label[i]] ? 1U : 0U;
    if (plain != 0) {  // the common case: one copy
      std::memcpy(text.data() + len, label, n);
      len += n;
      return;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint8_t ch = label[i];
      if (kPlain[ch]) {
        text[len++] = static_cast<char>(ch);
      } else {  // \DDD, three decimal digits
        text[len++] = '\\';
        text[len++] = static_cast<char>('0' + ch / 100);
        text[len++] = static_cast<char>('0' + ch / 10 % 10);
        text[len++] = static_cast<char>('0' + ch % 10);
      }
    }
  }
};

// Reads a name at msg's current position (msg moves past it) into `buf` (may be null to
// skip). The message is read through its span with an explicit bounds check before every
// access (the same checks the ByteReader calls made, without their per-byte optionals): a
// length byte, a pointer's second byte and a label's bytes must all lie inside the message.
// On failure `buf` keeps the labels read so far.
bool walk_name(ByteReader& msg, NameBuffer* buf) {
  const Bytes whole = msg.whole();
  const std::uint8_t* data = whole.data();
  const std::size_t size = whole.size();
  std::size_t pos = msg.position();
  bool jumped = false;
  std::size_t jumps = 0, total = 0;
  for (;;) {
    if (pos >= size) return false;
    const std::uint8_t len = data[pos++];
    if ((len & 0xC0) == 0xC0) {
      if (pos >= size) return false;
      const std::uint8_t lo = data[pos++];
      if (!jumped) {
        msg.seek(pos);
        jumped = true;
      }
      if (++jumps > limits::kMaxNameCompressionJumps) return false;
      const std::size_t target = (std::size_t{len & 0x3FU} << 8) | lo;
      if (target > size) return false;
      pos = target;
      continue;
    }
    if ((len & 0xC0) != 0) return false;  // extended label types are not used
    if (len == 0) break;
    if (len > size - pos) return false;
    const std::uint8_t* label = data + pos;
    pos += len;
    total += len + 1U;
    if (total > limits::kMaxEncodedNameBytes) return false;
    if (buf != nullptr) buf->append_label(label, len);
  }
  if (!jumped) msg.seek(pos);
  return true;
}

// Reads a name and appends it, dotted and escaped, to `out` (may be null to skip); the root
// alone is ".". On failure `out` still gets the labels read before it.
bool read_name(ByteReader& msg, std::string* out) {
  if (out == nullptr) return walk_name(msg, nullptr);
  NameBuffer buf;
  buf.dot_first = !out->empty();
  const bool ok = walk_name(msg, &buf);
  out->append(buf.text.data(), buf.len);
  if (ok && out->empty()) out->push_back('.');
  return ok;
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
  if (c.spare != nullptr) reuse_buffer(d.qname, c.spare->dns_qname);
  d.id = *id;
  d.response = (*flags & 0x8000) != 0;
  d.opcode = static_cast<std::uint8_t>((*flags >> 11) & 0x0F);
  d.rcode = static_cast<std::uint8_t>(*flags & 0x0F);
  d.answers = *an;
  if (!want(c, Depth::Application)) return;
  const bool all_names = want_app(c, app_part::kDnsNames);
  for (std::size_t i = 0; i < *qd && i < limits::kMaxDnsRecords; ++i) {
    // Without kDnsNames the first name is only walked; a PTR question is read again below.
    const ByteReader name_at = msg;
    std::string* name = i == 0 && all_names ? &d.qname : nullptr;
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
    if (i == 0) {
      d.qtype = *qtype;
      if (!all_names && d.qtype == kPtrType) {
        ByteReader again = name_at;
        read_name(again, &d.qname);  // walked without error just above
      }
    }
  }
  if (!all_names && d.qtype != kPtrType) return;  // no answer of it is wanted
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
    if (*type == kPtrType && d.ptr_targets.size() < kMaxPtrTargets) {
      std::string target;
      ByteReader at = msg;
      if (read_name(at, &target)) d.ptr_targets.push_back(std::move(target));
      else add_anomaly(ev, "dns_bad_name", "PTR target");
    }
    msg.seek(end);
  }
}

}  // namespace netseen::decode::detail
