// Tiny classic-pcap writer and reader for the netbios oracle and corpus tests (the capture
// reader of src/ingest is not a dependency of this layer).
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"

namespace netseen::netbios::testing {

// Writes Ethernet/IPv4/UDP or TCP frames around payloads.
class PcapWriter {
 public:
  void udp(std::uint32_t src, std::uint32_t dst, std::uint16_t sport, std::uint16_t dport, Bytes payload) {
    ByteWriter l4;
    l4.u16be(sport);
    l4.u16be(dport);
    l4.u16be(static_cast<std::uint16_t>(8 + payload.size()));
    l4.u16be(0);  // no checksum
    l4.bytes(payload);
    frame(17, src, dst, Bytes(l4.data()));
  }
  void tcp(std::uint32_t src, std::uint32_t dst, std::uint16_t sport, std::uint16_t dport, std::uint32_t seq,
           Bytes payload) {
    ByteWriter l4;
    l4.u16be(sport);
    l4.u16be(dport);
    l4.u32be(seq);
    l4.u32be(1);        // ack
    l4.u8(0x50);        // data offset 5
    l4.u8(0x18);        // PSH ACK
    l4.u16be(0xFFFF);   // window
    l4.u16be(0);        // checksum (tshark does not verify by default)
    l4.u16be(0);
    l4.bytes(payload);
    frame(6, src, dst, Bytes(l4.data()));
  }
  bool save(const std::string& path) const {
    ByteWriter f;
    f.u32le(0xA1B2C3D4);
    f.u16le(2);
    f.u16le(4);
    f.u32le(0);
    f.u32le(0);
    f.u32le(65535);
    f.u32le(1);  // Ethernet
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      f.u32le(static_cast<std::uint32_t>(1700000000 + i));
      f.u32le(0);
      f.u32le(static_cast<std::uint32_t>(frames_[i].size()));
      f.u32le(static_cast<std::uint32_t>(frames_[i].size()));
      f.bytes(Bytes(frames_[i]));
    }
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(f.data().data()), static_cast<std::streamsize>(f.size()));
    return static_cast<bool>(out);
  }
  [[nodiscard]] std::size_t size() const noexcept { return frames_.size(); }

 private:
  void frame(std::uint8_t proto, std::uint32_t src, std::uint32_t dst, Bytes l4) {
    ByteWriter w;
    const std::uint8_t dmac[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    const std::uint8_t smac[6] = {0x02, 0, 0, 0, 0, 1};
    w.bytes(Bytes(dmac));
    w.bytes(Bytes(smac));
    w.u16be(0x0800);
    ByteWriter ip;
    ip.u8(0x45);
    ip.u8(0);
    ip.u16be(static_cast<std::uint16_t>(20 + l4.size()));
    ip.u16be(static_cast<std::uint16_t>(frames_.size()));
    ip.u16be(0);
    ip.u8(64);
    ip.u8(proto);
    ip.u16be(0);
    ip.u32be(src);
    ip.u32be(dst);
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 20; i += 2) sum += (static_cast<std::uint32_t>(ip.data()[i]) << 8) | ip.data()[i + 1];
    while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
    ip.patch_u16be(10, static_cast<std::uint16_t>(~sum & 0xFFFF));
    w.bytes(Bytes(ip.data()));
    w.bytes(l4);
    frames_.push_back(w.take());
  }
  std::vector<std::vector<std::uint8_t>> frames_;
};

// A UDP or TCP payload found in a classic pcap (Ethernet, optional 802.1Q, IPv4).
struct CapturedPayload {
  std::size_t frame = 0;  // 1-based, like tshark
  std::uint8_t proto = 0;
  std::uint32_t src = 0, dst = 0;
  std::uint16_t sport = 0, dport = 0;
  std::vector<std::uint8_t> payload;
};

// Decodes one Ethernet frame (optional 802.1Q) down to its UDP/TCP payload.
inline std::optional<CapturedPayload> frame_payload(Bytes frame_bytes, std::size_t n) {
  ByteReader f{frame_bytes};
  f.skip(12);
  auto et = f.u16be();
  if (et && *et == 0x8100) {
    f.skip(2);
    et = f.u16be();
  }
  if (!et || *et != 0x0800) return std::nullopt;
  auto vihl = f.peek_u8();
  if (!vihl) return std::nullopt;
  const std::size_t ihl = static_cast<std::size_t>(*vihl & 0x0F) * 4;
  auto ipr = f.sub_clamped(ihl);
  ipr.skip(2);
  auto total = ipr.u16be();
  ipr.skip(2);
  auto frag = ipr.u16be();
  ipr.skip(1);
  auto proto = ipr.u8();
  ipr.skip(2);
  auto src = ipr.u32be();
  auto dst = ipr.u32be();
  if (!total || !proto || !frag || !src || !dst || (*frag & 0x1FFF) != 0 || *total < ihl) return std::nullopt;
  auto l4 = f.sub_clamped(*total - ihl);
  CapturedPayload p;
  p.src = *src;
  p.dst = *dst;
  p.frame = n;
  p.proto = *proto;
  auto sp = l4.u16be();
  auto dp = l4.u16be();
  if (!sp || !dp) return std::nullopt;
  p.sport = *sp;
  p.dport = *dp;
  if (*proto == 17) {
    auto ulen = l4.u16be();
    l4.skip(2);
    if (ulen && *ulen >= 8 && *ulen - 8U < l4.remaining()) l4 = *l4.sub(*ulen - 8U);
  } else if (*proto == 6) {
    l4.skip(8);
    auto off = l4.u8();
    if (!off) return std::nullopt;
    l4.skip(7);
    const std::size_t hl = static_cast<std::size_t>(*off >> 4) * 4;
    if (hl < 20) return std::nullopt;
    l4.skip(hl - 20);
  } else {
    return std::nullopt;
  }
  const Bytes rest = l4.rest();
  p.payload.assign(rest.begin(), rest.end());
  return p;
}

// Classic pcap (little-endian, Ethernet) or pcapng (little-endian, EPBs on Ethernet).
inline std::optional<std::vector<CapturedPayload>> read_pcap_payloads(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<std::uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ByteReader r{Bytes(file)};
  auto magic = r.u32le();
  if (!magic) return std::nullopt;
  std::vector<CapturedPayload> out;
  std::size_t n = 0;
  if (*magic == 0x0A0D0D0A) {  // pcapng
    r.seek(0);
    while (r.remaining() >= 12) {
      const std::size_t start = r.position();
      const std::uint32_t type = *r.u32le();
      const std::uint32_t len = *r.u32le();
      if (len < 12 || len > r.remaining() + 8) break;
      if (type == 6) {  // Enhanced Packet Block
        r.skip(12);
        const std::uint32_t caplen = *r.u32le();
        r.skip(4);
        auto data = r.bytes(caplen);
        if (!data) break;
        ++n;
        if (auto p = frame_payload(*data, n)) out.push_back(std::move(*p));
      } else if (type == 3) {
        ++n;
      }
      r.seek(start + len);
    }
    return out;
  }
  if (*magic != 0xA1B2C3D4 && *magic != 0xA1B23C4D) return std::nullopt;
  r.skip(16);
  auto link = r.u32le();
  if (!link || *link != 1) return std::nullopt;
  while (r.remaining() >= 16) {
    r.skip(8);
    const std::uint32_t incl = *r.u32le();
    r.skip(4);
    auto rec = r.sub(incl);
    if (!rec) break;
    ++n;
    if (auto p = frame_payload(rec->whole(), n)) out.push_back(std::move(*p));
  }
  return out;
}

// Runs a command and returns its stdout (nullopt if it could not start).
inline std::optional<std::string> run_capture(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (pclose(p) != 0) return std::nullopt;
  return out;
}

}  // namespace netseen::netbios::testing
