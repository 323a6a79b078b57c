// ByteWindow: the capture readers' view of their input. Either every byte is in memory (stdin,
// decompressed gzip, tests and fuzz harnesses) or a regular file is read through a window of
// read() pieces that slides forward as the reader goes.
//
// Why not a memory map: on the machines measured (docs/performance.md, seventh round) walking a
// mapped 1 GB capture cost 0.6 s of user time in memory stalls — the hardware prefetcher stops at
// every 4 KiB page and each page needs its own TLB entry — while reading the same bytes from the
// page cache into one reused 256 KiB buffer took 0.1 s; the buffer then sits in cache when the
// decoder reaches it. Memory stays bounded too: the window, not the file, is resident.
//
// at(pos, n) is the only accessor: the bytes [pos, pos + n), fewer only at the end of the input.
// What it returns stays valid until the next call to at() — a reader asks for a record's bytes
// last, and the caller uses them before it asks for the next record.
//
// Small requests (up to kProbeBytes) before the window or well beyond its end (a reader going
// on just past it slides it as usual) do not move it: they
// are read into a separate 8 KiB probe block. Resynchronising over damage looks at every few
// bytes and checks a length field megabytes ahead each time; moving the window there and back
// would re-read it for every step (a hostile file of lengths would cost its size squared).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace netseen::ingest {

// A read-only regular file, shared by the windows that read it (a capture's replays on other
// threads read it through their own windows with pread, so they never disturb each other).
class FileHandle {
 public:
  // Opens `path` read-only; Io error with the OS reason. Not for pipes (no pread).
  static Result<std::shared_ptr<const FileHandle>> open(const std::string& path);
  FileHandle(int fd, std::size_t size) noexcept : fd_(fd), size_(size) {}
  ~FileHandle();
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  [[nodiscard]] int fd() const noexcept { return fd_; }
  // The size when opened; later growth is not read (as with a map of the file).
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  int fd_;
  std::size_t size_;
};

class ByteWindow {
 public:
  // The bytes are all in memory and outlive the window.
  explicit ByteWindow(Bytes all) noexcept : data_(all.data()), len_(all.size()), size_(all.size()) {}
  // Reads `file` in pieces of `piece` bytes (grown when a single request needs more).
  explicit ByteWindow(std::shared_ptr<const FileHandle> file, std::size_t piece = kDefaultPiece);

  static constexpr std::size_t kDefaultPiece = std::size_t{256} << 10;

  [[nodiscard]] std::size_t size() const noexcept { return size_; }

  static constexpr std::size_t kProbeBytes = 64;

  [[nodiscard]] Bytes at(std::size_t pos, std::size_t n) {
    if (pos >= start_ && pos - start_ <= len_ && n <= len_ - (pos - start_)) return Bytes(data_ + (pos - start_), n);
    if (file_ && n <= kProbeBytes && (pos < start_ || pos - start_ > len_ + kProbeBytes)) return probe(pos, n);
    return slide(pos, n);
  }
  // A checked reader over exactly n bytes at pos, or nullopt when fewer exist.
  [[nodiscard]] std::optional<ByteReader> view_at(std::size_t pos, std::size_t n) {
    const Bytes b = at(pos, n);
    if (b.size() < n) return std::nullopt;
    return ByteReader(b);
  }
  // The first read error met (the input then looks cut short there); empty when none.
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  // Bytes read from the file so far (0 for in-memory inputs).
  [[nodiscard]] std::uint64_t bytes_read() const noexcept { return read_; }

 private:
  Bytes slide(std::size_t pos, std::size_t n);
  Bytes probe(std::size_t pos, std::size_t n);
  // Reads up to `want` bytes at `pos` into `into`; the count read (short at the end or on error).
  std::size_t read_at(std::uint8_t* into, std::size_t want, std::size_t pos);

  const std::uint8_t* data_ = nullptr;  // the window's first byte (input offset start_)
  std::size_t start_ = 0;
  std::size_t len_ = 0;                 // bytes of the input in the window
  std::size_t size_ = 0;                // of the whole input
  std::shared_ptr<const FileHandle> file_;  // null: everything is in memory
  std::vector<std::uint8_t> buf_;
  static constexpr std::size_t kProbeBlock = 8192;
  std::vector<std::uint8_t> probe_;  // one block, aligned to kProbeBlock / 2
  std::size_t probe_start_ = 0, probe_len_ = 0;
  std::string error_;
  std::uint64_t read_ = 0;
};

}  // namespace netseen::ingest
