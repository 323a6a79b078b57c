// pcapng: a sequence of blocks (type, total length, body, total length again). Section
// header blocks set the byte order and reset the interface list; interface description
// blocks give each interface its link type and time resolution; enhanced, simple and
// obsolete packet blocks carry frames. Everything else is skipped.
#include <fmt/format.h>

#include "core/limits.hpp"
#include "ingest/pcap.hpp"

namespace netseen::ingest {

namespace {
constexpr std::uint32_t kShb = 0x0A0D0D0A;
constexpr std::uint32_t kIdb = 1;
constexpr std::uint32_t kOpb = 2;
constexpr std::uint32_t kSpb = 3;
constexpr std::uint32_t kEpb = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint16_t kOptEnd = 0;
constexpr std::uint16_t kOptTsresol = 9;
constexpr std::uint16_t kOptTsoffset = 14;
constexpr unsigned kMaxOptions = 256;

std::uint64_t pow10(unsigned e) noexcept {
  std::uint64_t v = 1;
  for (unsigned i = 0; i < e; ++i) v *= 10;
  return v;
}
}  // namespace

Result<PcapngReader> PcapngReader::open(ByteWindow file) {
  ByteReader r(file.at(0, 12));
  auto type = r.u32be();
  if (!type) return fail(ErrorKind::Truncated, "pcapng", 0, "file shorter than a block type");
  if (*type != kShb) return fail(ErrorKind::Malformed, "pcapng", 0, "does not start with a section header block");
  r.skip(4);
  auto bom = r.u32be();
  if (!bom) return fail(ErrorKind::Truncated, "pcapng", 8, "section header block cut short");
  if (*bom != kByteOrderMagic && *bom != 0x4D3C2B1A) {
    return fail(ErrorKind::Malformed, "pcapng", 8, fmt::format("bad byte-order magic 0x{:08x}", *bom));
  }
  PcapngReader p;
  p.big_ = *bom == kByteOrderMagic;
  p.file_ = std::move(file);
  return p;
}

std::uint32_t PcapngReader::u32(std::size_t at) noexcept {
  auto v = file_.view_at(at, 4);
  if (!v) return 0;
  return (big_ ? v->u32be() : v->u32le()).value_or(0);
}

std::uint16_t PcapngReader::u16(std::size_t at) noexcept {
  auto v = file_.view_at(at, 2);
  if (!v) return 0;
  return (big_ ? v->u16be() : v->u16le()).value_or(0);
}

Timestamp PcapngReader::to_time(const Interface& i, std::uint32_t hi, std::uint32_t lo) const noexcept {
  const std::uint64_t ts = (std::uint64_t{hi} << 32) | lo;
  std::uint64_t us = 0;
  if (i.binary) {
    if (i.exp >= 64) return Timestamp{i.offset_s * 1'000'000};
    const std::uint64_t secs = ts >> i.exp;
    const std::uint64_t frac = ts - (secs << i.exp);
    const double part = static_cast<double>(frac) / static_cast<double>(std::uint64_t{1} << i.exp);
    us = secs * 1'000'000U + static_cast<std::uint64_t>(part * 1e6);
  } else if (i.exp <= 6) {
    us = ts * pow10(6U - i.exp);
  } else if (i.exp - 6U <= 19U) {
    us = ts / pow10(i.exp - 6U);
  }
  return Timestamp{static_cast<std::int64_t>(us) + i.offset_s * 1'000'000};
}

bool PcapngReader::read_shb(std::size_t at, std::size_t len, InputStats& stats) {
  if (len < 28) {
    stats.add_error(fmt::format("offset {}", at), "section header block shorter than 28 bytes");
    return false;
  }
  auto v = file_.view_at(at + 8, 4);
  const std::uint32_t bom = v ? v->u32be().value_or(0) : 0;
  if (bom == kByteOrderMagic) big_ = true;
  else if (bom == 0x4D3C2B1A) big_ = false;
  else {
    stats.add_error(fmt::format("offset {}", at), fmt::format("bad byte-order magic 0x{:08x}", bom));
    return false;
  }
  const std::uint16_t major = u16(at + 12);
  if (major != 1) stats.add_error(fmt::format("offset {}", at), fmt::format("pcapng major version {}", major));
  ifaces_.clear();
  return true;
}

void PcapngReader::read_idb(std::size_t at, std::size_t len, InputStats& stats) {
  if (len < 20) {
    stats.add_error(fmt::format("offset {}", at), "interface description block shorter than 20 bytes");
    return;
  }
  if (ifaces_.size() >= kMaxPcapngInterfaces) {
    stats.add_error(fmt::format("offset {}", at), "too many interfaces in one section; ignored");
    return;
  }
  Interface i;
  i.linktype = u16(at + 8);
  i.snaplen = u32(at + 12);
  // Options: code, length, value padded to 4, up to the trailing length field.
  std::size_t o = at + 16;
  const std::size_t end = at + len - 4;
  for (unsigned n = 0; n < kMaxOptions && o + 4 <= end; ++n) {
    const std::uint16_t code = u16(o);
    const std::uint16_t olen = u16(o + 2);
    if (code == kOptEnd) break;
    if (o + 4 + olen > end) {
      stats.add_error(fmt::format("offset {}", o), "interface option runs past its block");
      break;
    }
    if (code == kOptTsresol && olen >= 1) {
      const Bytes b = file_.at(o + 4, 1);
      const std::uint8_t v = b.empty() ? 0 : b[0];
      i.binary = (v & 0x80) != 0;
      i.exp = v & 0x7F;
    } else if (code == kOptTsoffset && olen >= 8) {
      auto r = file_.view_at(o + 4, 8);
      const std::uint64_t raw = r ? (big_ ? r->u64be() : r->u64le()).value_or(0) : 0;
      i.offset_s = static_cast<std::int64_t>(raw);
      if (i.offset_s > (std::int64_t{1} << 40) || i.offset_s < -(std::int64_t{1} << 40)) i.offset_s = 0;
    }
    o += 4 + ((std::size_t{olen} + 3U) & ~std::size_t{3});
  }
  ifaces_.push_back(i);
}

bool PcapngReader::plausible_block(std::size_t at) noexcept {
  if (at + 12 > file_.size()) return false;
  const std::uint32_t type = u32(at);
  const std::uint32_t len = u32(at + 4);
  if (type != kShb && type != kIdb && type != kEpb && type != kSpb && type != kOpb && type != 5 && type != 4) {
    return false;
  }
  if (len < 12 || (len & 3U) != 0 || len > limits::kMaxPcapngBlockBytes || at + len > file_.size()) return false;
  return u32(at + len - 4) == len;
}

bool PcapngReader::resync(std::size_t from, InputStats& stats) {
  std::size_t at = from + 4;
  while (at + 12 <= file_.size() && !plausible_block(at)) at += 4;
  if (at + 12 > file_.size()) {
    stats.add_error(fmt::format("offset {}", from), "damaged block; no further block found");
    done_ = true;
    return false;
  }
  stats.add_error(fmt::format("offset {}", from), fmt::format("damaged block; skipped {} bytes", at - from));
  pos_ = at;
  return true;
}

bool PcapngReader::next(CaptureRecord& out, InputStats& stats) {
  while (!done_) {
    // The window shrinks the size when the file can no longer be read (shorter than at open).
    const std::size_t remaining = pos_ < file_.size() ? file_.size() - pos_ : 0;
    if (remaining == 0) {
      if (!file_.error().empty()) stats.add_error(fmt::format("offset {}", file_.size()), file_.error());
      done_ = true;
      return false;
    }
    if (remaining < 12) {
      stats.add_error(fmt::format("offset {}", pos_), fmt::format("{} stray bytes at the end of the file", remaining));
      done_ = true;
      return false;
    }
    const std::size_t at = pos_;
    std::uint32_t type = u32(at);
    if (type == kShb) {
      // The byte order of the new section decides how its length is read.
      auto v = file_.view_at(at + 8, 4);
      const std::uint32_t bom = v ? v->u32be().value_or(0) : 0;
      if (bom == kByteOrderMagic) big_ = true;
      else if (bom == 0x4D3C2B1A) big_ = false;
    }
    const std::uint32_t len = u32(at + 4);
    if (len < 12 || (len & 3U) != 0 || len > limits::kMaxPcapngBlockBytes) {
      stats.add_error(fmt::format("frame {}", frame_ + 1),
                      fmt::format("bogus block length {} at offset {}", len, at));
      if (!resync(at, stats)) return false;
      continue;
    }
    if (len > remaining) {
      const bool packet = type == kEpb || type == kSpb || type == kOpb;
      stats.add_error(packet ? fmt::format("frame {}", frame_ + 1) : fmt::format("offset {}", at),
                      fmt::format("truncated block: {} bytes declared, {} present", len, remaining));
      done_ = true;
      return false;
    }
    if (u32(at + len - 4) != len) {
      stats.add_error(fmt::format("offset {}", at), "block's trailing length differs from its leading length");
    }
    pos_ = at + len;
    switch (type) {
      case kShb:
        if (!read_shb(at, len, stats)) {
          done_ = true;
          return false;
        }
        continue;
      case kIdb: read_idb(at, len, stats); continue;
      case kEpb:
      case kOpb:
      case kSpb: break;
      default: continue;  // statistics, name resolution, decryption secrets, custom, …
    }
    const std::uint64_t frame = ++frame_;
    std::uint32_t ifid = 0, hi = 0, lo = 0, caplen = 0, origlen = 0;
    std::size_t data_at = 0;
    if (type == kSpb) {
      if (len < 16) {
        stats.add_error(fmt::format("frame {}", frame), "simple packet block shorter than 16 bytes");
        ++stats.records;
        stats.add_skip("damaged-record");
        continue;
      }
      origlen = u32(at + 8);
      data_at = at + 12;
      const std::size_t room = len - 16;
      caplen = origlen < room ? origlen : static_cast<std::uint32_t>(room);
    } else {
      if (len < 32) {
        stats.add_error(fmt::format("frame {}", frame), "packet block shorter than 32 bytes");
        ++stats.records;
        stats.add_skip("damaged-record");
        continue;
      }
      ifid = type == kEpb ? u32(at + 8) : u16(at + 8);
      hi = u32(at + 12);
      lo = u32(at + 16);
      caplen = u32(at + 20);
      origlen = u32(at + 24);
      data_at = at + 28;
      const std::size_t room = len - 32;
      if (caplen > room) {
        stats.add_error(fmt::format("frame {}", frame),
                        fmt::format("captured length {} exceeds its block ({} bytes)", caplen, room));
        caplen = static_cast<std::uint32_t>(room);
      }
    }
    if (ifid >= ifaces_.size()) {
      stats.add_error(fmt::format("frame {}", frame), fmt::format("packet on undeclared interface {}", ifid));
      ++stats.records;
      stats.add_skip("undeclared-interface");
      continue;
    }
    const Interface& i = ifaces_[ifid];
    out.frame = frame;
    out.offset = at;
    out.linktype = i.linktype;
    out.wire_len = origlen < caplen ? caplen : origlen;
    out.ts = type == kSpb ? Timestamp{} : to_time(i, hi, lo);
    out.data = file_.at(data_at, caplen);
    return true;
  }
  return false;
}

}  // namespace netseen::ingest
