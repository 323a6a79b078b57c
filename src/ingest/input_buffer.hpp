// InputBuffer: the bytes of one input held whole: owned (stdin, decompressed gzip) or, for a
// gzip file, memory-mapped while it is inflated. Regular capture and log files are not held
// whole: they are read in pieces (byte_window.hpp, log_source.hpp). Readers work on the span and never touch the file system, so fuzz
// harnesses can hand them bytes directly.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace netseen::ingest {

class InputBuffer {
 public:
  virtual ~InputBuffer() = default;
  InputBuffer() = default;
  InputBuffer(const InputBuffer&) = delete;
  InputBuffer& operator=(const InputBuffer&) = delete;
  [[nodiscard]] virtual Bytes bytes() const noexcept = 0;
};

// Maps `path` read-only ("-" reads stdin into memory). Io error with the OS reason.
Result<std::shared_ptr<const InputBuffer>> load_input(const std::string& path);
// Streams: "-" (stdin) and paths that are not regular files (pipes, FIFOs, devices).
// open_stream gives a readable fd (STDIN_FILENO for "-"; otherwise the caller closes it),
// or nullopt-like Io error; for a regular file it returns -1 (map it with load_input).
Result<int> open_stream(const std::string& path);
// Reads up to `max` bytes (fewer only at the end of the stream; max 0 = all of it). Io error
// with the OS reason.
Result<std::vector<std::uint8_t>> read_fd(int fd, std::size_t max, const std::string& what);
// Opens `path` read-only (close-on-exec) and fills `st`; Io error with the OS reason, or
// "is a directory".
Result<int> open_file(const std::string& path, struct stat& st);
// Wraps bytes the caller already has (tests, fuzzing).
std::shared_ptr<const InputBuffer> buffer_from_bytes(std::vector<std::uint8_t> bytes);
// True when the bytes start with the gzip magic 1f 8b.
bool is_gzip(Bytes b) noexcept;
// Inflates a whole gzip stream (several members allowed). Truncated/Malformed on damage;
// LimitExceeded beyond max_out bytes.
Result<std::vector<std::uint8_t>> gunzip(Bytes compressed, std::size_t max_out);

}  // namespace netseen::ingest
