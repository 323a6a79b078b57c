#include "netbios/name.hpp"

#include <algorithm>
#include <cctype>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "core/limits.hpp"
#include "netbios/suffixes.hpp"

namespace netseen::netbios {

namespace {

constexpr std::string_view kLayer = "nbname";

bool is_printable(std::uint8_t b) noexcept { return b >= 0x20 && b < 0x7F; }

std::uint8_t ascii_upper(std::uint8_t b) noexcept {
  return (b >= 'a' && b <= 'z') ? static_cast<std::uint8_t>(b - ('a' - 'A')) : b;
}

void append_escaped(std::string& out, std::uint8_t b) {
  if (b == '\\') {
    out += "\\\\";
  } else if (is_printable(b)) {
    out += static_cast<char>(b);
  } else {
    out += fmt::format("\\x{:02x}", b);
  }
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_upper(static_cast<std::uint8_t>(a[i])) != ascii_upper(static_cast<std::uint8_t>(b[i]))) return false;
  }
  return true;
}

// Splits a dotted scope and checks label sizes. Returns the encoded size of the scope
// labels (without the final 0x00) or an error.
Result<std::size_t> check_scope(std::string_view scope) {
  if (scope.empty()) return std::size_t{0};
  std::size_t total = 0;
  std::size_t start = 0;
  while (start <= scope.size()) {
    const std::size_t dot = scope.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? scope.size() : dot;
    const std::size_t len = end - start;
    if (len == 0) return fail(ErrorKind::Malformed, kLayer, start, "empty scope label");
    if (len > 63) return fail(ErrorKind::Malformed, kLayer, start, fmt::format("scope label of {} bytes exceeds 63", len));
    total += 1 + len;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (1 + 32 + total + 1 > limits::kMaxEncodedNameBytes) {
    return fail(ErrorKind::Malformed, kLayer, 0, "encoded name would exceed 255 bytes");
  }
  return total;
}

void flag_content(NetbiosName& n) noexcept {
  std::span<const std::uint8_t, 16> raw(n.raw);
  if (n.is_wildcard() || is_msbrowse(raw)) return;
  bool seen_nul = false;
  for (std::size_t i = 0; i < 15; ++i) {
    const std::uint8_t b = n.raw[i];
    if (b == 0) {
      seen_nul = true;
    } else if (!is_printable(b)) {
      n.anomalies |= kNameNonPrintable;
    }
  }
  if (seen_nul) n.anomalies |= kNameEmbeddedNul;
  for (char c : n.scope) {
    if (c >= 'a' && c <= 'z') {
      n.anomalies |= kNameScopeNotUpper;
      break;
    }
  }
}

// 32 letters 'A'..'P' (the caller has checked there are 32 bytes) to 16 raw bytes; false,
// with `raw` unspecified, when any byte is not such a letter.
bool decode_clean_32(const std::uint8_t* in, std::array<std::uint8_t, 16>& raw) noexcept {
#if defined(__SSE2__)
  // Both halves at once: letter - 'A' must be 0..15 in every byte (unsigned max(x, 15) == 15);
  // then in each 16-bit lane (even letter, odd letter) -> (even << 4) | odd, packed to bytes.
  const __m128i a = _mm_set1_epi8('A');
  const __m128i fifteen = _mm_set1_epi8(15);
  const __m128i v0 = _mm_sub_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in)), a);
  const __m128i v1 = _mm_sub_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16)), a);
  const __m128i ok = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(v0, fifteen), fifteen),
                                   _mm_cmpeq_epi8(_mm_max_epu8(v1, fifteen), fifteen));
  if (_mm_movemask_epi8(ok) != 0xFFFF) return false;
  const __m128i low = _mm_set1_epi16(0x00FF);
  const __m128i p0 = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(v0, low), 4), _mm_srli_epi16(v0, 8));
  const __m128i p1 = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(v1, low), 4), _mm_srli_epi16(v1, 8));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(raw.data()), _mm_packus_epi16(p0, p1));
  return true;
#else
  unsigned bad = 0;
  for (std::size_t i = 0; i < 32; ++i) bad |= static_cast<unsigned>(in[i] - 'A') >= 16U ? 1U : 0U;
  if (bad != 0) return false;
  for (std::size_t i = 0; i < 16; ++i) {
    raw[i] = static_cast<std::uint8_t>(((in[2 * i] - 'A') << 4) | (in[2 * i + 1] - 'A'));
  }
  return true;
#endif
}

}  // namespace

std::string name_anomaly_ids(std::uint32_t anomalies) {
  static constexpr std::pair<std::uint32_t, std::string_view> kIds[] = {
      {kNameLowercaseLetters, "lowercase_letters"}, {kNameBadLetters, "bad_letters"},
      {kNameBadLength, "bad_length"},               {kNameCompressed, "compressed"},
      {kNameNonPrintable, "non_printable"},         {kNameEmbeddedNul, "embedded_nul"},
      {kNameScopeNotUpper, "scope_not_upper"},
  };
  std::string out;
  for (const auto& [bit, id] : kIds) {
    if ((anomalies & bit) == 0) continue;
    if (!out.empty()) out += ',';
    out += id;
  }
  return out;
}

bool NetbiosName::is_wildcard() const noexcept {
  if (raw[0] != '*') return false;
  return std::all_of(raw.begin() + 1, raw.begin() + 15, [](std::uint8_t b) { return b == 0; });
}

std::string NetbiosName::base() const {
  if (is_wildcard()) return "*";
  std::size_t end = 15;
  while (end > 0 && raw[end - 1] == ' ') --end;
  return std::string(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(end));
}

std::string NetbiosName::display() const {
  std::string out;
  for (char c : base()) append_escaped(out, static_cast<std::uint8_t>(c));
  out += fmt::format("<{:02x}>", raw[15]);
  if (!scope.empty()) {
    out += '.';
    for (char c : scope) append_escaped(out, static_cast<std::uint8_t>(c));
  }
  return out;
}

Result<NetbiosName> NetbiosName::make(std::string_view name, std::uint8_t suffix, std::string_view scope) {
  if (name.size() > 15) {
    return fail(ErrorKind::Malformed, kLayer, 0, fmt::format("name of {} bytes exceeds 15", name.size()));
  }
  auto checked = check_scope(scope);
  if (!checked) return checked.error();
  NetbiosName n;
  if (name == "*") {
    n.raw.fill(0);
    n.raw[0] = '*';
  } else {
    n.raw.fill(' ');
    for (std::size_t i = 0; i < name.size(); ++i) n.raw[i] = ascii_upper(static_cast<std::uint8_t>(name[i]));
  }
  n.raw[15] = suffix;
  n.scope = std::string(scope);
  return n;
}

Result<NetbiosName> NetbiosName::from_raw(std::span<const std::uint8_t, 16> raw, std::string_view scope) {
  auto checked = check_scope(scope);
  if (!checked) return checked.error();
  NetbiosName n;
  std::copy(raw.begin(), raw.end(), n.raw.begin());
  n.scope = std::string(scope);
  return n;
}

bool operator==(const NetbiosName& a, const NetbiosName& b) noexcept {
  return a.raw == b.raw && iequals(a.scope, b.scope);
}

std::array<std::uint8_t, 32> encode_first_level(std::span<const std::uint8_t, 16> raw) noexcept {
  std::array<std::uint8_t, 32> out{};
  for (std::size_t i = 0; i < 16; ++i) {
    out[2 * i] = static_cast<std::uint8_t>('A' + (raw[i] >> 4));
    out[2 * i + 1] = static_cast<std::uint8_t>('A' + (raw[i] & 0x0F));
  }
  return out;
}

Result<std::array<std::uint8_t, 16>> decode_first_level(Bytes encoded, NameMode mode, std::uint32_t* anomalies,
                                                        std::size_t offset) {
  std::array<std::uint8_t, 16> raw{};
  // The common case, a clean name of 32 letters 'A'..'P' (same result as the general path).
  if (encoded.size() == 32 && decode_clean_32(encoded.data(), raw)) return raw;
  std::uint32_t found = 0;
  if (encoded.size() != 32) {
    if (mode == NameMode::Strict) {
      return fail(ErrorKind::Malformed, kLayer, offset,
                  fmt::format("first-level name is {} bytes, expected 32", encoded.size()));
    }
    found |= kNameBadLength;
  }
  raw.fill(' ');
  raw[15] = 0;
  const std::size_t pairs = std::min<std::size_t>(encoded.size() / 2, 16);
  for (std::size_t i = 0; i < pairs * 2; ++i) {
    std::uint8_t c = encoded[i];
    if (c >= 'a' && c <= 'p') {
      if (mode == NameMode::Strict) {
        return fail(ErrorKind::Malformed, kLayer, offset + i,
                    fmt::format("lower-case letter '{}' in first-level name", static_cast<char>(c)));
      }
      found |= kNameLowercaseLetters;
      c = static_cast<std::uint8_t>(c - ('a' - 'A'));
    } else if (c < 'A' || c > 'P') {
      if (mode == NameMode::Strict) {
        return fail(ErrorKind::Malformed, kLayer, offset + i,
                    fmt::format("byte 0x{:02x} outside 'A'..'P' in first-level name", c));
      }
      found |= kNameBadLetters;
    }
    const auto nibble = static_cast<std::uint8_t>((c - 'A') & 0x0F);
    if (i % 2 == 0) {
      raw[i / 2] = static_cast<std::uint8_t>(nibble << 4);
    } else {
      raw[i / 2] = static_cast<std::uint8_t>(raw[i / 2] | nibble);
    }
  }
  if (anomalies != nullptr) *anomalies |= found;
  return raw;
}

std::size_t encoded_name_size(const NetbiosName& name) noexcept {
  std::size_t n = 1 + 32 + 1;
  if (name.scope.empty()) return n;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.scope.find('.', start);
    const std::size_t end = dot == std::string::npos ? name.scope.size() : dot;
    const std::size_t len = std::min<std::size_t>(end - start, 63);
    if (len > 0) n += 1 + len;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return n;
}

void write_name(ByteWriter& w, const NetbiosName& name) {
  w.u8(0x20);
  const auto enc = encode_first_level(std::span<const std::uint8_t, 16>(name.raw));
  w.bytes(Bytes(enc));
  std::size_t start = 0;
  const std::string_view scope = name.scope;
  while (!scope.empty()) {
    const std::size_t dot = scope.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? scope.size() : dot;
    const std::size_t len = std::min<std::size_t>(end - start, 63);
    if (len > 0) {
      w.u8(static_cast<std::uint8_t>(len));
      w.bytes(scope.substr(start, len));
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  w.u8(0);
}

void write_name_pointer(ByteWriter& w, std::uint16_t offset) {
  w.u16be(static_cast<std::uint16_t>(0xC000U | (offset & 0x3FFFU)));
}

std::string Labels::dotted() const {
  std::string out;
  for (const auto& l : labels) {
    if (!out.empty()) out += '.';
    for (char c : l) append_escaped(out, static_cast<std::uint8_t>(c));
  }
  return out;
}

namespace {

// The one label walker behind read_labels, scan_name and read_name: RFC 883 pointers
// followed backwards only, at most kMaxNameCompressionJumps of them, at most
// kMaxEncodedNameBytes in all. Labels are handed to `on_label(index, bytes)` as views into
// the message (nothing is copied); r moves past the name only on success.
template <class OnLabel>
Result<NameSpan> walk_labels(ByteReader& r, OnLabel&& on_label) {
  const std::size_t base = r.offset() - r.position();
  const Bytes whole = r.whole();
  std::size_t cursor = r.position();
  std::size_t resume = 0;
  bool jumped = false;
  std::size_t jumps = 0;
  std::size_t total = 0;
  NameSpan out;
  // The usual name: 0x20, 32 letters, 0x00 (no scope, no pointer). The loop below reaches the
  // same result through the same checks; this only skips its per-label bookkeeping.
  if (whole.size() - std::min(cursor, whole.size()) >= 34 && whole[cursor] == 0x20 && whole[cursor + 33] == 0) {
    out.first = whole.subspan(cursor + 1, 32);
    on_label(std::size_t{0}, out.first);
    out.labels = 1;
    r.seek(cursor + 34);
    return out;
  }
  while (true) {
    if (cursor >= whole.size()) {
      return fail(ErrorKind::Truncated, kLayer, base + cursor, "name runs past the end of the data");
    }
    const std::uint8_t len = whole[cursor];
    const unsigned type = len & 0xC0U;
    if (type == 0xC0U) {
      if (cursor + 1 >= whole.size()) {
        return fail(ErrorKind::Truncated, kLayer, base + cursor, "label pointer cut short");
      }
      const std::size_t target = ((static_cast<std::size_t>(len) & 0x3FU) << 8) | whole[cursor + 1];
      if (!jumped) {
        resume = cursor + 2;
        jumped = true;
      }
      if (++jumps > limits::kMaxNameCompressionJumps) {
        return fail(ErrorKind::LimitExceeded, kLayer, base + cursor,
                    fmt::format("more than {} label pointers", limits::kMaxNameCompressionJumps));
      }
      if (target >= cursor) {
        return fail(ErrorKind::Malformed, kLayer, base + cursor,
                    fmt::format("label pointer to offset {} does not point backwards", target));
      }
      out.compressed = true;
      cursor = target;
      continue;
    }
    if (type != 0) {
      return fail(ErrorKind::Malformed, kLayer, base + cursor, fmt::format("reserved label type 0x{:02x}", len));
    }
    if (len == 0) {
      ++cursor;
      break;
    }
    total += 1U + len;
    if (total + 1 > limits::kMaxEncodedNameBytes) {
      return fail(ErrorKind::LimitExceeded, kLayer, base + cursor, "name longer than 255 bytes");
    }
    if (whole.size() - cursor - 1 < len) {
      return fail(ErrorKind::Truncated, kLayer, base + cursor,
                  fmt::format("label of {} bytes runs past the end of the data", static_cast<unsigned>(len)));
    }
    const Bytes label = whole.subspan(cursor + 1, len);
    if (out.labels == 0) out.first = label;
    on_label(out.labels, label);
    ++out.labels;
    cursor += 1U + len;
  }
  r.seek(jumped ? resume : cursor);
  return out;
}

void append_scope_label(std::string& scope, std::size_t index, Bytes label) {
  if (index == 0) return;  // the first label is the encoded name itself
  if (index > 1) scope += '.';
  scope.append(reinterpret_cast<const char*>(label.data()), label.size());  // raw bytes, as before
}

// The NetBIOS name a walked label sequence holds; `n.scope` already has the scope labels.
Result<NetbiosName> finish_name(const NameSpan& span, NetbiosName n, NameMode mode, std::size_t offset) {
  if (span.labels == 0) {
    return fail(ErrorKind::Malformed, kLayer, offset, "empty name (root label only)");
  }
  auto raw = decode_first_level(span.first, mode, &n.anomalies, offset);
  if (!raw) return raw.error();
  n.raw = *raw;
  if (span.compressed) n.anomalies |= kNameCompressed;
  flag_content(n);
  return n;
}

}  // namespace

Result<Labels> read_labels(ByteReader& r) {
  Labels out;
  auto span = walk_labels(r, [&out](std::size_t, Bytes label) { out.labels.emplace_back(label.begin(), label.end()); });
  if (!span) return span.error();
  out.compressed = span->compressed;
  return out;
}

Result<NameSpan> scan_name(ByteReader& r, std::string* scope) {
  if (scope == nullptr) return walk_labels(r, [](std::size_t, Bytes) {});
  return walk_labels(r, [scope](std::size_t i, Bytes label) { append_scope_label(*scope, i, label); });
}

Result<NetbiosName> name_from_labels(const Labels& labels, NameMode mode, std::size_t offset) {
  if (labels.labels.empty()) {
    return fail(ErrorKind::Malformed, kLayer, offset, "empty name (root label only)");
  }
  const std::string& first = labels.labels.front();
  NetbiosName n;
  auto raw = decode_first_level(
      Bytes(reinterpret_cast<const std::uint8_t*>(first.data()), first.size()),  // bytes of a string
      mode, &n.anomalies, offset);
  if (!raw) return raw.error();
  n.raw = *raw;
  for (std::size_t i = 1; i < labels.labels.size(); ++i) {
    if (i > 1) n.scope += '.';
    n.scope += labels.labels[i];
  }
  if (labels.compressed) n.anomalies |= kNameCompressed;
  flag_content(n);
  return n;
}

Result<NetbiosName> name_from_span(const NameSpan& span, std::string scope, NameMode mode, std::size_t offset) {
  NetbiosName n;
  n.scope = std::move(scope);
  return finish_name(span, std::move(n), mode, offset);
}

Result<NetbiosName> read_name(ByteReader& r, NameMode mode) {
  // Offset of the first label's letters (exact unless the name starts with a pointer).
  const std::size_t letters_offset = r.offset() + 1;
  NetbiosName n;
  auto span = walk_labels(r, [&n](std::size_t i, Bytes label) { append_scope_label(n.scope, i, label); });
  if (!span) return span.error();
  return finish_name(*span, std::move(n), mode, letters_offset);
}

Result<void> write_dns_name(ByteWriter& w, std::string_view dotted) {
  ByteWriter tmp;
  std::size_t start = 0;
  while (!dotted.empty()) {
    const std::size_t dot = dotted.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? dotted.size() : dot;
    const std::size_t len = end - start;
    if (len == 0 || len > 63) {
      return fail(ErrorKind::Malformed, kLayer, start, fmt::format("DNS label of {} bytes", len));
    }
    tmp.u8(static_cast<std::uint8_t>(len));
    tmp.bytes(dotted.substr(start, len));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  tmp.u8(0);
  if (tmp.size() > limits::kMaxEncodedNameBytes) {
    return fail(ErrorKind::Malformed, kLayer, 0, "DNS name longer than 255 bytes");
  }
  w.bytes(Bytes(tmp.data()));
  return Ok{};
}

}  // namespace netseen::netbios
