// Capture file readers over a byte span: classic pcap (both byte orders, µs and ns) and
// pcapng (several interfaces with their own link types and time resolutions; blocks other
// than packets skipped). They never touch the file system, so fuzz harnesses feed bytes
// straight in. Damage (truncated final records, snaplen-cut packets, bogus record
// lengths, garbage between records) is reported into InputStats with the frame number and
// reading continues where a plausible record can be found again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "ingest/byte_window.hpp"
#include "ingest/source.hpp"

namespace netseen::ingest {

struct CaptureRecord {
  std::uint64_t frame = 0;     // 1-based, counting packet records only
  Timestamp ts;
  std::uint32_t linktype = 0;  // LINKTYPE_* of the record's interface
  std::uint32_t wire_len = 0;  // original length on the wire
  Bytes data;                  // the captured bytes (view into the file)
  std::size_t offset = 0;      // of the record (or block) header in the file
};

class PcapReader {
 public:
  // Checks the 24-byte file header. Truncated / Malformed when this is not a pcap file.
  static Result<PcapReader> open(Bytes file) { return open(ByteWindow(file)); }
  static Result<PcapReader> open(ByteWindow file);
  // The next packet record; false at the end. Problems go into `stats` (errors). The record's
  // bytes stay valid until the next call.
  bool next(CaptureRecord& out, InputStats& stats);
  [[nodiscard]] std::size_t position() const noexcept { return pos_; }
  [[nodiscard]] std::uint32_t linktype() const noexcept { return linktype_; }
  [[nodiscard]] std::uint32_t snaplen() const noexcept { return snaplen_; }
  [[nodiscard]] bool nanosecond() const noexcept { return nano_; }
  [[nodiscard]] bool big_endian() const noexcept { return big_; }

 private:
  struct Header {
    std::uint32_t sec = 0, frac = 0, incl = 0, orig = 0;
  };
  [[nodiscard]] bool read_header(std::size_t at, Header& h) noexcept;
  [[nodiscard]] bool plausible(const Header& h) const noexcept;
  [[nodiscard]] bool plausible_at(std::size_t at, int depth) noexcept;

  ByteWindow file_{Bytes{}};
  std::size_t pos_ = 24;
  std::uint32_t linktype_ = 0;
  std::uint32_t snaplen_ = 0;
  bool nano_ = false;
  bool big_ = false;
  bool done_ = false;
  std::uint64_t frame_ = 0;
};

class PcapngReader {
 public:
  // Checks that the file starts with a section header block.
  static Result<PcapngReader> open(Bytes file) { return open(ByteWindow(file)); }
  static Result<PcapngReader> open(ByteWindow file);
  bool next(CaptureRecord& out, InputStats& stats);
  [[nodiscard]] std::size_t position() const noexcept { return pos_; }
  [[nodiscard]] std::size_t interfaces() const noexcept { return ifaces_.size(); }

 private:
  struct Interface {
    std::uint32_t linktype = 0;
    std::uint32_t snaplen = 0;
    bool binary = false;       // if_tsresol: 2^-exp instead of 10^-exp
    std::uint8_t exp = 6;      // default: microseconds
    std::int64_t offset_s = 0; // if_tsoffset
  };
  [[nodiscard]] std::uint32_t u32(std::size_t at) noexcept;
  [[nodiscard]] std::uint16_t u16(std::size_t at) noexcept;
  [[nodiscard]] Timestamp to_time(const Interface& i, std::uint32_t hi, std::uint32_t lo) const noexcept;
  bool read_shb(std::size_t at, std::size_t len, InputStats& stats);
  void read_idb(std::size_t at, std::size_t len, InputStats& stats);
  [[nodiscard]] bool plausible_block(std::size_t at) noexcept;
  bool resync(std::size_t from, InputStats& stats);

  ByteWindow file_{Bytes{}};
  std::size_t pos_ = 0;
  bool big_ = false;
  bool done_ = false;
  std::uint64_t frame_ = 0;
  std::vector<Interface> ifaces_;
};

// Maximum interfaces kept per section (hostile files may declare thousands).
inline constexpr std::size_t kMaxPcapngInterfaces = 4096;

}  // namespace netseen::ingest
