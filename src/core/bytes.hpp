// ByteReader / ByteWriter: the only code in netseen that touches raw packet memory.
//
// ByteReader is a non-owning cursor over std::span<const std::uint8_t>. Every read checks
// `n <= remaining()` (a subtraction that cannot wrap) before touching memory. A failed read
// returns std::nullopt / false, moves nothing, and sets a sticky failure flag so that a
// parser may read several fields and check once. Endianness is in every method name.
// sub(n) hands a child layer exactly its declared bytes; sub_clamped(n) hands it at most
// what was captured and reports whether the declaration was cut short.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netseen {

using Bytes = std::span<const std::uint8_t>;

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(Bytes data, std::size_t base_offset = 0) noexcept
      : data_(data), base_(base_offset) {}

  // Position within this reader, and within the outermost buffer (for error messages).
  [[nodiscard]] std::size_t position() const noexcept { return pos_; }
  [[nodiscard]] std::size_t offset() const noexcept { return base_ + pos_; }
  [[nodiscard]] std::size_t size() const noexcept { return data_.size(); }
  [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
  [[nodiscard]] bool empty() const noexcept { return remaining() == 0; }
  [[nodiscard]] bool can_read(std::size_t n) const noexcept { return n <= remaining(); }
  [[nodiscard]] bool failed() const noexcept { return failed_; }
  [[nodiscard]] Bytes whole() const noexcept { return data_; }
  [[nodiscard]] Bytes rest() const noexcept { return data_.subspan(pos_); }

  std::optional<std::uint8_t> u8() noexcept;
  std::optional<std::uint16_t> u16be() noexcept;
  std::optional<std::uint16_t> u16le() noexcept;
  std::optional<std::uint32_t> u24be() noexcept;
  std::optional<std::uint32_t> u32be() noexcept;
  std::optional<std::uint32_t> u32le() noexcept;
  std::optional<std::uint64_t> u64be() noexcept;
  std::optional<std::uint64_t> u64le() noexcept;

  // Reads without moving.
  [[nodiscard]] std::optional<std::uint8_t> peek_u8(std::size_t ahead = 0) const noexcept;
  [[nodiscard]] std::optional<std::uint16_t> peek_u16be(std::size_t ahead = 0) const noexcept;

  // A view of the next n bytes (no copy).
  std::optional<Bytes> bytes(std::size_t n) noexcept;
  // Copy exactly out.size() bytes.
  bool read_into(std::span<std::uint8_t> out) noexcept;
  bool skip(std::size_t n) noexcept;
  // Jump to an absolute position inside this reader (for compression pointers).
  bool seek(std::size_t position) noexcept;

  // A child reader over exactly the next n bytes; fails if fewer remain.
  std::optional<ByteReader> sub(std::size_t n) noexcept;
  // A child reader over min(n, remaining()) bytes. `cut` is set when n > remaining().
  ByteReader sub_clamped(std::size_t n, bool* cut = nullptr) noexcept;
  // A reader over [position, position+n) of this reader's buffer, not moving this one.
  [[nodiscard]] std::optional<ByteReader> view_at(std::size_t position, std::size_t n) const noexcept;

  void set_failed() noexcept { failed_ = true; }

 private:
  Bytes data_{};
  std::size_t pos_ = 0;
  std::size_t base_ = 0;
  bool failed_ = false;
};

// The reader's methods are inline: they sit on every decoder's hot path.
namespace bytes_detail {
template <class T>
inline T load_be(const std::uint8_t* p, std::size_t n) noexcept {
  T v = 0;
  for (std::size_t i = 0; i < n; ++i) v = static_cast<T>((v << 8) | p[i]);
  return v;
}
template <class T>
inline T load_le(const std::uint8_t* p, std::size_t n) noexcept {
  T v = 0;
  for (std::size_t i = n; i > 0; --i) v = static_cast<T>((v << 8) | p[i - 1]);
  return v;
}
}  // namespace bytes_detail

#define NETSEEN_READ_(T, N, LOAD)                      \
  if (!can_read(N)) {                                  \
    failed_ = true;                                    \
    return std::nullopt;                               \
  }                                                    \
  T v = bytes_detail::LOAD<T>(data_.data() + pos_, N);               \
  pos_ += N;                                           \
  return v

inline std::optional<std::uint8_t> ByteReader::u8() noexcept { NETSEEN_READ_(std::uint8_t, 1, load_be); }
inline std::optional<std::uint16_t> ByteReader::u16be() noexcept { NETSEEN_READ_(std::uint16_t, 2, load_be); }
inline std::optional<std::uint16_t> ByteReader::u16le() noexcept { NETSEEN_READ_(std::uint16_t, 2, load_le); }
inline std::optional<std::uint32_t> ByteReader::u24be() noexcept { NETSEEN_READ_(std::uint32_t, 3, load_be); }
inline std::optional<std::uint32_t> ByteReader::u32be() noexcept { NETSEEN_READ_(std::uint32_t, 4, load_be); }
inline std::optional<std::uint32_t> ByteReader::u32le() noexcept { NETSEEN_READ_(std::uint32_t, 4, load_le); }
inline std::optional<std::uint64_t> ByteReader::u64be() noexcept { NETSEEN_READ_(std::uint64_t, 8, load_be); }
inline std::optional<std::uint64_t> ByteReader::u64le() noexcept { NETSEEN_READ_(std::uint64_t, 8, load_le); }
#undef NETSEEN_READ_

inline std::optional<std::uint8_t> ByteReader::peek_u8(std::size_t ahead) const noexcept {
  if (ahead >= remaining()) return std::nullopt;
  return data_[pos_ + ahead];
}

inline std::optional<std::uint16_t> ByteReader::peek_u16be(std::size_t ahead) const noexcept {
  if (ahead > remaining() || 2 > remaining() - ahead) return std::nullopt;
  return bytes_detail::load_be<std::uint16_t>(data_.data() + pos_ + ahead, 2);
}

inline std::optional<Bytes> ByteReader::bytes(std::size_t n) noexcept {
  if (!can_read(n)) {
    failed_ = true;
    return std::nullopt;
  }
  Bytes out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

inline bool ByteReader::read_into(std::span<std::uint8_t> out) noexcept {
  if (!can_read(out.size())) {
    failed_ = true;
    return false;
  }
  if (!out.empty()) std::memcpy(out.data(), data_.data() + pos_, out.size());
  pos_ += out.size();
  return true;
}

inline bool ByteReader::skip(std::size_t n) noexcept {
  if (!can_read(n)) {
    failed_ = true;
    return false;
  }
  pos_ += n;
  return true;
}

inline bool ByteReader::seek(std::size_t position) noexcept {
  if (position > data_.size()) {
    failed_ = true;
    return false;
  }
  pos_ = position;
  return true;
}

inline std::optional<ByteReader> ByteReader::sub(std::size_t n) noexcept {
  if (!can_read(n)) {
    failed_ = true;
    return std::nullopt;
  }
  ByteReader child(data_.subspan(pos_, n), base_ + pos_);
  pos_ += n;
  return child;
}

inline ByteReader ByteReader::sub_clamped(std::size_t n, bool* cut) noexcept {
  const std::size_t take = std::min(n, remaining());
  if (cut != nullptr) *cut = take < n;
  ByteReader child(data_.subspan(pos_, take), base_ + pos_);
  pos_ += take;
  return child;
}

inline std::optional<ByteReader> ByteReader::view_at(std::size_t position, std::size_t n) const noexcept {
  if (position > data_.size() || n > data_.size() - position) return std::nullopt;
  return ByteReader(data_.subspan(position, n), base_ + position);
}


// ByteWriter appends to a growable buffer it owns (for building packets).
class ByteWriter {
 public:
  ByteWriter() = default;
  void u8(std::uint8_t v) { buf_.push_back(v); }
  void u16be(std::uint16_t v);
  void u16le(std::uint16_t v);
  void u24be(std::uint32_t v);
  void u32be(std::uint32_t v);
  void u32le(std::uint32_t v);
  void u64be(std::uint64_t v);
  // Out of line on purpose: g++ 12 at -O3 reports false -Warray-bounds on inlined
  // vector::insert after push_back.
  void bytes(Bytes b);
  void bytes(std::string_view s);
  void fill(std::size_t n, std::uint8_t v);
  // Overwrite an already-written big-endian u16 (length fields written after the body).
  bool patch_u16be(std::size_t at, std::uint16_t v) noexcept;
  bool patch_u32be(std::size_t at, std::uint32_t v) noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return buf_.size(); }
  [[nodiscard]] const std::vector<std::uint8_t>& data() const noexcept { return buf_; }
  std::vector<std::uint8_t> take() noexcept { return std::move(buf_); }

 private:
  std::vector<std::uint8_t> buf_;
};

// Hex helpers for diagnostics and tests.
std::string to_hex(Bytes b, std::string_view sep = "");
// Parses "de ad be ef" / "deadbeef" / with newlines and '#' comments; nullopt on bad digit.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text);
// Printable ASCII kept, everything else as \xNN (and backslash doubled).
std::string escape_bytes(Bytes b);

}  // namespace netseen
