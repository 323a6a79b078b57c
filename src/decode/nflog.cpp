// Linux NFLOG (LINKTYPE_NFLOG): a 4-byte header then TLVs whose length and type are in the
// capturing host's byte order (little-endian in practice). The log prefix becomes the
// event's rule; the payload TLV holds the IP packet.
#include <string>

#include "decode/layers.hpp"

namespace netseen::decode::detail {

namespace {
constexpr std::uint16_t kTlvPayload = 9;
constexpr std::uint16_t kTlvPrefix = 10;
constexpr unsigned kMaxTlvs = 64;
}  // namespace

const char* decode_nflog(ByteReader r, Ctx& c) {
  auto family = r.u8();
  auto version = r.u8();
  auto resource = r.u16be();
  if (!family || !version || !resource) return "truncated-link";
  std::uint16_t type_for_family = 0;
  if (*family == 2) type_for_family = 0x0800;
  else if (*family == 10) type_for_family = 0x86DD;
  for (unsigned n = 0; n < kMaxTlvs && r.remaining() >= 4; ++n) {
    const std::size_t at = r.position();
    auto len = r.u16le();
    auto type = r.u16le();
    if (!len || !type || *len < 4) {
      add_anomaly(c.ev, "nflog_bad_tlv", "TLV length below 4 at offset " + std::to_string(at));
      return nullptr;
    }
    bool cut = false;
    ByteReader value = r.sub_clamped(*len - 4U, &cut);
    const std::uint16_t t = *type & 0x7FFF;  // top bit: NLA_F_NESTED
    if (t == kTlvPrefix) {
      Bytes b = value.rest();
      std::size_t n_chars = 0;
      while (n_chars < b.size() && b[n_chars] != 0) ++n_chars;
      c.ev.rule.assign(reinterpret_cast<const char*>(b.data()), n_chars);  // NOLINT: bytes as text
    } else if (t == kTlvPayload) {
      if (cut) add_anomaly(c.ev, "nflog_payload_cut");
      if (type_for_family != 0) dispatch_ethertype(type_for_family, value, c);
    }
    if (cut) return nullptr;
    const std::size_t pad = (4U - (*len & 3U)) & 3U;
    if (!r.skip(pad < r.remaining() ? pad : r.remaining())) return nullptr;
  }
  return nullptr;
}

}  // namespace netseen::decode::detail
