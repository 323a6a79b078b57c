// Classic pcap (the libpcap file format): a 24-byte header whose magic gives the byte
// order and the time-stamp resolution, then 16-byte record headers each followed by the
// captured bytes.
#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "core/limits.hpp"
#include "ingest/pcap.hpp"

namespace netseen::ingest {

namespace {
constexpr std::size_t kFileHeader = 24;
constexpr std::size_t kRecordHeader = 16;
// A resynchronisation accepts a record only when the one after it is plausible too.
constexpr int kResyncLookahead = 2;
}  // namespace

Result<PcapReader> PcapReader::open(ByteWindow file) {
  ByteReader r(file.at(0, kFileHeader));
  auto magic = r.u32be();
  if (!magic) return fail(ErrorKind::Truncated, "pcap", 0, "file shorter than a pcap magic number");
  PcapReader p;
  p.file_ = std::move(file);
  switch (*magic) {
    case 0xA1B2C3D4: p.big_ = true; break;
    case 0xD4C3B2A1: p.big_ = false; break;
    case 0xA1B23C4D: p.big_ = true; p.nano_ = true; break;
    case 0x4D3CB2A1: p.big_ = false; p.nano_ = true; break;
    default: return fail(ErrorKind::Malformed, "pcap", 0, fmt::format("not a pcap magic number: 0x{:08x}", *magic));
  }
  auto vmaj = p.big_ ? r.u16be() : r.u16le();
  auto vmin = p.big_ ? r.u16be() : r.u16le();
  r.skip(8);  // thiszone, sigfigs
  auto snap = p.big_ ? r.u32be() : r.u32le();
  auto link = p.big_ ? r.u32be() : r.u32le();
  if (!vmaj || !vmin || !snap || !link) {
    return fail(ErrorKind::Truncated, "pcap", r.offset(), "file header shorter than 24 bytes");
  }
  p.snaplen_ = *snap;
  // The upper 6 bits of the link-type field may carry FCS information (LINKTYPE_ to 16 bits).
  p.linktype_ = *link & 0x03FFFFFFU;
  p.pos_ = kFileHeader;
  return p;
}

bool PcapReader::read_header(std::size_t at, Header& h) noexcept {
  // One bounds check for the 16 bytes, then four fixed-offset loads in the file's byte order.
  auto v = file_.view_at(at, kRecordHeader);
  if (!v) return false;
  const std::uint8_t* p = v->whole().data();
  const bool swap = big_ == (std::endian::native == std::endian::little);
  auto load = [swap](const std::uint8_t* q) {
    std::uint32_t x = 0;
    std::memcpy(&x, q, 4);
    return swap ? __builtin_bswap32(x) : x;
  };
  h.sec = load(p);
  h.frac = load(p + 4);
  h.incl = load(p + 8);
  h.orig = load(p + 12);
  return true;
}

bool PcapReader::plausible(const Header& h) const noexcept {
  const std::uint32_t frac_limit = nano_ ? 1'000'000'000U : 1'000'000U;
  return h.frac < frac_limit && h.incl <= limits::kMaxPcapRecordBytes && h.orig <= 16U * limits::kMaxPcapRecordBytes &&
         h.incl <= h.orig && (h.orig != 0);
}

bool PcapReader::plausible_at(std::size_t at, int depth) noexcept {
  if (at == file_.size()) return true;  // exactly the end of the file
  Header h;
  if (!read_header(at, h) || !plausible(h)) return false;
  const std::size_t end = at + kRecordHeader + h.incl;
  if (end > file_.size()) return false;
  return depth <= 0 || plausible_at(end, depth - 1);
}

bool PcapReader::next(CaptureRecord& out, InputStats& stats) {
  while (!done_) {
    // The window shrinks the size when the file can no longer be read (shorter than at open).
    const std::size_t remaining = pos_ < file_.size() ? file_.size() - pos_ : 0;
    if (remaining == 0) {
      if (!file_.error().empty()) stats.add_error(fmt::format("offset {}", file_.size()), file_.error());
      done_ = true;
      return false;
    }
    const std::uint64_t frame = frame_ + 1;
    Header h;
    if (remaining < kRecordHeader || !read_header(pos_, h)) {
      stats.add_error(fmt::format("frame {}", frame),
                      fmt::format("truncated record header: {} bytes at the end of the file (offset {})", remaining,
                                  pos_));
      done_ = true;
      return false;
    }
    if (h.incl > limits::kMaxPcapRecordBytes) {
      // A bogus length: look for the next plausible record instead of giving up.
      const std::size_t bad = pos_;
      std::size_t at = pos_ + 1;
      while (at + kRecordHeader <= file_.size() && !plausible_at(at, kResyncLookahead)) ++at;
      if (at + kRecordHeader > file_.size()) {
        stats.add_error(fmt::format("frame {}", frame),
                        fmt::format("bogus record length {} at offset {}; no further record found", h.incl, bad));
        done_ = true;
        return false;
      }
      stats.add_error(fmt::format("frame {}", frame),
                      fmt::format("bogus record length {} at offset {}; skipped {} bytes to the next record", h.incl,
                                  bad, at - bad));
      pos_ = at;
      continue;
    }
    ++frame_;
    out.frame = frame_;
    out.offset = pos_;
    out.linktype = linktype_;
    out.wire_len = h.orig;
    const std::int64_t us_part = nano_ ? h.frac / 1000 : h.frac;
    out.ts = Timestamp::from_seconds(h.sec, us_part);
    const std::size_t body = pos_ + kRecordHeader;
    const std::size_t avail = file_.size() - body;
    if (h.incl > avail) {
      stats.add_error(fmt::format("frame {}", frame_),
                      fmt::format("truncated record: {} bytes declared, {} present", h.incl, avail));
      out.data = file_.at(body, avail);
      if (out.wire_len < avail) out.wire_len = static_cast<std::uint32_t>(avail);
      pos_ = file_.size();
      done_ = true;
      return true;
    }
    out.data = file_.at(body, h.incl);
    if (h.incl > h.orig) {
      stats.add_error(fmt::format("frame {}", frame_),
                      fmt::format("captured length {} exceeds the wire length {}", h.incl, h.orig));
      out.wire_len = h.incl;
    }
    if (snaplen_ != 0 && h.incl > snaplen_ && h.incl > 65535) {
      stats.add_error(fmt::format("frame {}", frame_),
                      fmt::format("captured length {} exceeds the file's snaplen {}", h.incl, snaplen_));
    }
    pos_ = body + h.incl;
    return true;
  }
  return false;
}

}  // namespace netseen::ingest
