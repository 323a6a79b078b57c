#include "ingest/line_reader.hpp"

#include <cstring>

namespace netseen::ingest {

bool LineReader::next(Line& out) noexcept {
  if (pos_ >= data_.size()) return false;
  const std::size_t start = pos_;
  const std::size_t size = data_.size();
  const auto* base = data_.data();
  // Find the end of the line (LF or CR).
  std::size_t end = start;
  const void* lf = std::memchr(base + start, '\n', size - start);
  const std::size_t lf_at = lf != nullptr ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(lf) - base) : size;
  const void* cr = std::memchr(base + start, '\r', lf_at - start);
  end = cr != nullptr ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(cr) - base) : lf_at;
  // Next line starts after "\r\n", "\n" or a lone "\r".
  std::size_t next = end;
  if (next < size && base[next] == '\r') ++next;
  if (next < size && base[next] == '\n') ++next;
  pos_ = next;
  ++number_;

  std::size_t text_start = start;
  while (text_start < end && base[text_start] == 0) ++text_start;
  std::size_t len = end - text_start;
  out.cut = false;
  if (len > max_len_) {
    len = max_len_;
    out.cut = true;
  }
  out.text = std::string_view(reinterpret_cast<const char*>(base + text_start), len);
  out.number = number_;
  out.offset = start;
  return true;
}

}  // namespace netseen::ingest
