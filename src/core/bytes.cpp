#include "core/bytes.hpp"

#include <algorithm>
#include <cstring>

namespace netseen {

void ByteWriter::bytes(Bytes b) {
  if (b.empty()) return;
  const std::size_t at = buf_.size();
  buf_.resize(at + b.size());
  std::memcpy(buf_.data() + at, b.data(), b.size());
}
void ByteWriter::bytes(std::string_view s) {
  if (s.empty()) return;
  const std::size_t at = buf_.size();
  buf_.resize(at + s.size());
  std::memcpy(buf_.data() + at, s.data(), s.size());
}
void ByteWriter::fill(std::size_t n, std::uint8_t v) { buf_.resize(buf_.size() + n, v); }

void ByteWriter::u16be(std::uint16_t v) {
  u8(static_cast<std::uint8_t>(v >> 8));
  u8(static_cast<std::uint8_t>(v));
}
void ByteWriter::u16le(std::uint16_t v) {
  u8(static_cast<std::uint8_t>(v));
  u8(static_cast<std::uint8_t>(v >> 8));
}
void ByteWriter::u24be(std::uint32_t v) {
  u8(static_cast<std::uint8_t>(v >> 16));
  u16be(static_cast<std::uint16_t>(v));
}
void ByteWriter::u32be(std::uint32_t v) {
  u16be(static_cast<std::uint16_t>(v >> 16));
  u16be(static_cast<std::uint16_t>(v));
}
void ByteWriter::u32le(std::uint32_t v) {
  u16le(static_cast<std::uint16_t>(v));
  u16le(static_cast<std::uint16_t>(v >> 16));
}
void ByteWriter::u64be(std::uint64_t v) {
  u32be(static_cast<std::uint32_t>(v >> 32));
  u32be(static_cast<std::uint32_t>(v));
}
bool ByteWriter::patch_u16be(std::size_t at, std::uint16_t v) noexcept {
  if (at > buf_.size() || 2 > buf_.size() - at) return false;
  buf_[at] = static_cast<std::uint8_t>(v >> 8);
  buf_[at + 1] = static_cast<std::uint8_t>(v);
  return true;
}
bool ByteWriter::patch_u32be(std::size_t at, std::uint32_t v) noexcept {
  if (at > buf_.size() || 4 > buf_.size() - at) return false;
  for (std::size_t i = 0; i < 4; ++i) buf_[at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  return true;
}

std::string to_hex(Bytes b, std::string_view sep) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * (2 + sep.size()));
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i != 0) out.append(sep);
    out.push_back(kDigits[b[i] >> 4]);
    out.push_back(kDigits[b[i] & 0x0F]);
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  int hi = -1;
  bool comment = false;
  for (char c : text) {
    if (comment) {
      if (c == '\n') comment = false;
      continue;
    }
    if (c == '#') {
      comment = true;
      continue;
    }
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ':') continue;
    else return std::nullopt;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>((hi << 4) | v));
      hi = -1;
    }
  }
  if (hi >= 0) return std::nullopt;
  return out;
}

std::string escape_bytes(Bytes b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(b.size());
  for (std::uint8_t c : b) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0x0F]);
    }
  }
  return out;
}

}  // namespace netseen
