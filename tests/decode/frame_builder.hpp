// Test helper: builds frames and capture files byte by byte with core::ByteWriter, so the
// decoder and reader tests never depend on files from elsewhere.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.hpp"

namespace netseen::testing {

using Buf = std::vector<std::uint8_t>;
using V4 = std::array<std::uint8_t, 4>;
using V6 = std::array<std::uint8_t, 16>;

inline std::uint16_t inet_checksum(const Buf& b, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) sum += static_cast<std::uint32_t>((b[i] << 8) | b[i + 1]);
  if (b.size() % 2 != 0) sum += static_cast<std::uint32_t>(b.back() << 8);
  while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

template <std::size_t N>
std::uint32_t addr_sum(const std::array<std::uint8_t, N>& a) {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i < N; i += 2) s += static_cast<std::uint32_t>((a[i] << 8) | a[i + 1]);
  return s;
}

inline Buf concat(const Buf& a, const Buf& b) {
  Buf out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

inline Buf ethernet(std::uint16_t type, const Buf& payload,
                    std::array<std::uint8_t, 6> src = {0x00, 0x0c, 0x29, 0x01, 0x02, 0x03},
                    std::array<std::uint8_t, 6> dst = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) {
  ByteWriter w;
  w.bytes(Bytes(dst));
  w.bytes(Bytes(src));
  w.u16be(type);
  w.bytes(Bytes(payload));
  return w.take();
}

inline Buf vlan_tag(std::uint16_t vid, std::uint16_t inner_type, const Buf& payload) {
  ByteWriter w;
  w.u16be(vid);
  w.u16be(inner_type);
  w.bytes(Bytes(payload));
  return w.take();
}

struct Ip4Opts {
  std::uint8_t ttl = 64;
  std::uint16_t id = 0x1234;
  std::uint16_t frag = 0;  // flags + offset word
  bool bad_checksum = false;
  int total_len_delta = 0;
  Buf options;
};

inline Buf ipv4(V4 src, V4 dst, std::uint8_t proto, const Buf& payload, Ip4Opts o = {}) {
  ByteWriter w;
  const std::size_t hlen = 20 + o.options.size();
  w.u8(static_cast<std::uint8_t>(0x40 | (hlen / 4)));
  w.u8(0);
  w.u16be(static_cast<std::uint16_t>(static_cast<int>(hlen + payload.size()) + o.total_len_delta));
  w.u16be(o.id);
  w.u16be(o.frag);
  w.u8(o.ttl);
  w.u8(proto);
  w.u16be(0);
  w.bytes(Bytes(src));
  w.bytes(Bytes(dst));
  w.bytes(Bytes(o.options));
  Buf h = w.take();
  std::uint16_t c = inet_checksum(h);
  if (o.bad_checksum) c = static_cast<std::uint16_t>(c ^ 0x5555);
  h[10] = static_cast<std::uint8_t>(c >> 8);
  h[11] = static_cast<std::uint8_t>(c);
  return concat(h, payload);
}

inline Buf ipv6(V6 src, V6 dst, std::uint8_t next, const Buf& payload, std::uint8_t hlim = 64) {
  ByteWriter w;
  w.u32be(0x60000000);
  w.u16be(static_cast<std::uint16_t>(payload.size()));
  w.u8(next);
  w.u8(hlim);
  w.bytes(Bytes(src));
  w.bytes(Bytes(dst));
  w.bytes(Bytes(payload));
  return w.take();
}

// UDP/TCP/ICMPv6 with a correct checksum over the pseudo-header of (src, dst).
template <std::size_t N>
Buf with_checksum(Buf seg, std::size_t at, const std::array<std::uint8_t, N>& src,
                  const std::array<std::uint8_t, N>& dst, std::uint8_t proto, bool corrupt = false) {
  const std::uint32_t pseudo = addr_sum(src) + addr_sum(dst) + proto + static_cast<std::uint32_t>(seg.size());
  std::uint16_t c = inet_checksum(seg, pseudo);
  if (proto == 17 && c == 0) c = 0xFFFF;
  if (corrupt) c = static_cast<std::uint16_t>(c ^ 0x0F0F);
  seg[at] = static_cast<std::uint8_t>(c >> 8);
  seg[at + 1] = static_cast<std::uint8_t>(c);
  return seg;
}

template <std::size_t N>
Buf udp(const std::array<std::uint8_t, N>& src, const std::array<std::uint8_t, N>& dst, std::uint16_t sport,
        std::uint16_t dport, const Buf& payload, bool corrupt = false) {
  ByteWriter w;
  w.u16be(sport);
  w.u16be(dport);
  w.u16be(static_cast<std::uint16_t>(8 + payload.size()));
  w.u16be(0);
  w.bytes(Bytes(payload));
  return with_checksum(w.take(), 6, src, dst, 17, corrupt);
}

template <std::size_t N>
Buf tcp(const std::array<std::uint8_t, N>& src, const std::array<std::uint8_t, N>& dst, std::uint16_t sport,
        std::uint16_t dport, std::uint8_t flags, const Buf& payload = {}, std::uint32_t seq = 1000,
        bool corrupt = false) {
  ByteWriter w;
  w.u16be(sport);
  w.u16be(dport);
  w.u32be(seq);
  w.u32be(0);
  w.u8(0x60);  // 24-byte header: one MSS option
  w.u8(flags);
  w.u16be(8192);
  w.u16be(0);
  w.u16be(0);
  w.u8(2);
  w.u8(4);
  w.u16be(1460);
  w.bytes(Bytes(payload));
  return with_checksum(w.take(), 16, src, dst, 6, corrupt);
}

inline Buf icmp(std::uint8_t type, std::uint8_t code, std::uint32_t rest, const Buf& body) {
  ByteWriter w;
  w.u8(type);
  w.u8(code);
  w.u16be(0);
  w.u32be(rest);
  w.bytes(Bytes(body));
  Buf b = w.take();
  const std::uint16_t c = inet_checksum(b);
  b[2] = static_cast<std::uint8_t>(c >> 8);
  b[3] = static_cast<std::uint8_t>(c);
  return b;
}

inline Buf icmpv6(const V6& src, const V6& dst, std::uint8_t type, std::uint8_t code, std::uint32_t rest,
                  const Buf& body) {
  ByteWriter w;
  w.u8(type);
  w.u8(code);
  w.u16be(0);
  w.u32be(rest);
  w.bytes(Bytes(body));
  return with_checksum(w.take(), 2, src, dst, 58);
}

// A DNS query or response for one name; PTR answer when ptr_target is set.
inline Buf dns(std::uint16_t id, bool response, const std::string& qname, std::uint16_t qtype,
               std::uint8_t rcode = 0, const std::string& ptr_target = {}) {
  ByteWriter w;
  w.u16be(id);
  w.u16be(static_cast<std::uint16_t>((response ? 0x8180 : 0x0100) | rcode));
  w.u16be(1);
  w.u16be(ptr_target.empty() ? 0 : 1);
  w.u16be(0);
  w.u16be(0);
  auto name = [&w](const std::string& n) {
    std::size_t start = 0;
    while (start < n.size()) {
      std::size_t dot = n.find('.', start);
      if (dot == std::string::npos) dot = n.size();
      w.u8(static_cast<std::uint8_t>(dot - start));
      w.bytes(std::string_view(n).substr(start, dot - start));
      start = dot + 1;
    }
    w.u8(0);
  };
  name(qname);
  w.u16be(qtype);
  w.u16be(1);
  if (!ptr_target.empty()) {
    w.u16be(0xC00C);
    w.u16be(12);
    w.u16be(1);
    w.u32be(300);
    const std::size_t len_at = w.size();
    w.u16be(0);
    const std::size_t start = w.size();
    name(ptr_target);
    w.patch_u16be(len_at, static_cast<std::uint16_t>(w.size() - start));
  }
  return w.take();
}

// Capture files.
struct Rec {
  std::uint32_t sec = 1'100'000'000;
  std::uint32_t frac = 0;
  Buf data;
  std::uint32_t orig = 0;  // 0 = data.size()
};

inline Buf pcap_file(std::uint32_t link, const std::vector<Rec>& recs, bool big = false, bool nano = false,
                     std::uint32_t snaplen = 65535) {
  ByteWriter w;
  auto u32 = [&](std::uint32_t v) { big ? w.u32be(v) : w.u32le(v); };
  auto u16 = [&](std::uint16_t v) { big ? w.u16be(v) : w.u16le(v); };
  u32(nano ? 0xA1B23C4D : 0xA1B2C3D4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(snaplen);
  u32(link);
  for (const auto& r : recs) {
    u32(r.sec);
    u32(r.frac);
    u32(static_cast<std::uint32_t>(r.data.size()));
    u32(r.orig != 0 ? r.orig : static_cast<std::uint32_t>(r.data.size()));
    w.bytes(Bytes(r.data));
  }
  return w.take();
}

// pcapng (little-endian): a section header, then the given blocks.
inline Buf pcapng_block(std::uint32_t type, const Buf& body) {
  ByteWriter w;
  const std::size_t padded = (body.size() + 3) & ~std::size_t{3};
  const auto total = static_cast<std::uint32_t>(12 + padded);
  w.u32le(type);
  w.u32le(total);
  w.bytes(Bytes(body));
  w.fill(padded - body.size(), 0);
  w.u32le(total);
  return w.take();
}

inline Buf pcapng_shb() {
  ByteWriter b;
  b.u32le(0x1A2B3C4D);
  b.u16le(1);
  b.u16le(0);
  b.u64be(0xFFFFFFFFFFFFFFFFULL);
  return pcapng_block(0x0A0D0D0A, b.take());
}

// tsresol: 0 = no option (µs); else the option byte.
inline Buf pcapng_idb(std::uint16_t link, std::uint8_t tsresol = 0) {
  ByteWriter b;
  b.u16le(link);
  b.u16le(0);
  b.u32le(262144);
  if (tsresol != 0) {
    b.u16le(9);
    b.u16le(1);
    b.u8(tsresol);
    b.fill(3, 0);
    b.u16le(0);
    b.u16le(0);
  }
  return pcapng_block(1, b.take());
}

inline Buf pcapng_epb(std::uint32_t ifid, std::uint64_t ts, const Buf& data, std::uint32_t orig = 0) {
  ByteWriter b;
  b.u32le(ifid);
  b.u32le(static_cast<std::uint32_t>(ts >> 32));
  b.u32le(static_cast<std::uint32_t>(ts));
  b.u32le(static_cast<std::uint32_t>(data.size()));
  b.u32le(orig != 0 ? orig : static_cast<std::uint32_t>(data.size()));
  b.bytes(Bytes(data));
  b.fill(((data.size() + 3) & ~std::size_t{3}) - data.size(), 0);
  return pcapng_block(6, b.take());
}

}  // namespace netseen::testing
