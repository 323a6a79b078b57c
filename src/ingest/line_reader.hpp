// LineReader: splits a byte buffer into lines without copying. LF or CRLF (a lone CR too)
// end a line; lines longer than the cap are cut and flagged (the rest up to the next newline
// is skipped); leading NUL bytes (what a crash leaves in a syslog file) are dropped and NULs
// inside a line can be asked for (has_nul) so a parser can refuse it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/bytes.hpp"
#include "core/limits.hpp"

namespace netseen::ingest {

struct Line {
  std::string_view text;     // without the line terminator
  std::uint64_t number = 0;  // 1-based
  std::size_t offset = 0;    // byte offset of the line start in the buffer
  bool cut = false;          // longer than the cap: text holds the first max_len bytes
  // A NUL byte remains inside text. Looked for on demand: scanning every line for it cost
  // as much as finding its end.
  [[nodiscard]] bool has_nul() const noexcept {
    return !text.empty() && std::memchr(text.data(), 0, text.size()) != nullptr;
  }
};

class LineReader {
 public:
  explicit LineReader(Bytes data, std::size_t max_len = limits::kMaxLogLineBytes) noexcept
      : data_(data), max_len_(max_len == 0 ? 1 : max_len) {}
  // Continues with the next piece of a stream: numbering goes on from the lines already read.
  void continue_with(Bytes data) noexcept {
    data_ = data;
    pos_ = 0;
  }
  // False at the end of the buffer. A final line without a newline is still a line.
  bool next(Line& out) noexcept;
  [[nodiscard]] std::size_t position() const noexcept { return pos_; }

 private:
  Bytes data_;
  std::size_t max_len_;
  std::size_t pos_ = 0;
  std::uint64_t number_ = 0;
};

}  // namespace netseen::ingest
