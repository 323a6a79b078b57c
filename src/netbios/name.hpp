// NetBIOS names (RFC 1001 §14, RFC 1002 §4.1).
//
// A NetBIOS name is 16 raw bytes: 15 visible bytes (space padded; the wildcard `*` is NUL
// padded) and a suffix byte that says which service owns the name. On the wire it is
// "first-level" encoded into 32 letters 'A'..'P' (one letter per nibble), then "second-level"
// encoded as a DNS-style label sequence: 0x20 <32 letters> [scope labels] 0x00. Compressed
// names (RFC 883 label pointers, 0b11xxxxxx) are followed on decode, loop-safe and bounded by
// limits::kMaxNameCompressionJumps; the encoder emits a pointer where RFC 1002 asks for one.
//
//   +------+--------------------------------+-----+-----------+-----+
//   | 0x20 |  32 x 'A'..'P' (16 raw bytes)  | len | scope ... | 0x00|
//   +------+--------------------------------+-----+-----------+-----+
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace netseen::netbios {

// Oddities a lenient decode accepted (bit set in NetbiosName::anomalies).
enum NameAnomaly : std::uint32_t {
  kNameLowercaseLetters = 1U << 0,  // 'a'..'p' used instead of 'A'..'P'
  kNameBadLetters = 1U << 1,        // a letter outside 'A'..'P' (nibble taken as (c - 'A') & 0x0F)
  kNameBadLength = 1U << 2,         // first label is not 32 bytes (raw bytes kept, padded)
  kNameCompressed = 1U << 3,        // a label pointer was followed (legal; informational)
  kNameNonPrintable = 1U << 4,      // the 15 visible bytes hold control or 8-bit bytes
  kNameEmbeddedNul = 1U << 5,       // a NUL before the padding of a non-wildcard name
  kNameScopeNotUpper = 1U << 6,     // scope labels in mixed/lower case (legal; informational)
};
// "lowercase_letters,bad_letters" (stable ids, empty when none).
std::string name_anomaly_ids(std::uint32_t anomalies);

// Strict: the first label must be exactly 32 letters 'A'..'P' (else Malformed).
// Lenient: accept lower case, other letters and other lengths, and report them as anomalies.
enum class NameMode : std::uint8_t { Strict, Lenient };

struct NetbiosName {
  std::array<std::uint8_t, 16> raw{};  // 15 visible bytes + suffix, exactly as decoded
  std::string scope;                   // dotted scope id ("corp.example"), empty if none
  std::uint32_t anomalies = 0;         // NameAnomaly bits found while decoding

  [[nodiscard]] std::uint8_t suffix() const noexcept { return raw[15]; }
  // The 15 visible bytes with trailing spaces (and the NULs of `*`) removed, not escaped.
  [[nodiscard]] std::string base() const;
  // Escaped for humans: `\x01\x02__MSBROWSE__\x02<01>`, `HOST<20>.corp.example`, `*<00>`.
  // Non-printable bytes and backslash are written \xNN / \\; the raw bytes stay in `raw`.
  [[nodiscard]] std::string display() const;
  [[nodiscard]] bool is_wildcard() const noexcept;

  // Builds a name: upper-cases ASCII, pads with spaces to 15 bytes, `*` is padded with NULs.
  // Fails (Malformed) if `name` is longer than 15 bytes or the scope has a label > 63 bytes,
  // an empty label, or the encoded name would exceed 255 bytes.
  static Result<NetbiosName> make(std::string_view name, std::uint8_t suffix, std::string_view scope = {});
  // Takes 16 raw bytes as they are (no case change, no padding).
  static Result<NetbiosName> from_raw(std::span<const std::uint8_t, 16> raw, std::string_view scope = {});

  // Equality compares raw bytes and scope (case-insensitively, as RFC 1002 §4.1 says
  // name comparison is), not anomalies.
  friend bool operator==(const NetbiosName& a, const NetbiosName& b) noexcept;
};

// First level: 16 raw bytes -> 32 letters 'A'..'P'.
std::array<std::uint8_t, 32> encode_first_level(std::span<const std::uint8_t, 16> raw) noexcept;
// First level decode of `encoded` (normally 32 letters). `offset` is where they start in the
// message (for errors). In Lenient mode a length other than 32 is padded/cut to 16 bytes.
Result<std::array<std::uint8_t, 16>> decode_first_level(Bytes encoded, NameMode mode, std::uint32_t* anomalies,
                                                        std::size_t offset = 0);

// Second level: appends 0x20 <32 letters> <scope labels> 0x00. The name is assumed valid
// (built by NetbiosName::make/from_raw); oversized scope labels are cut to 63 bytes.
void write_name(ByteWriter& w, const NetbiosName& name);
// Number of bytes write_name() appends.
std::size_t encoded_name_size(const NetbiosName& name) noexcept;
// Appends a label pointer 0xC000 | offset (offset < 0x4000).
void write_name_pointer(ByteWriter& w, std::uint16_t offset);

// A label sequence as it appears on the wire, pointers resolved. Used by read_name and for
// RR owner names that are plain DNS names (redirect A records).
struct Labels {
  std::vector<std::string> labels;  // raw label bytes
  bool compressed = false;
  [[nodiscard]] std::string dotted() const;  // labels joined by '.', escaped
};
// Reads a label sequence at r.position(); `r.whole()` must be the complete message so that
// pointers (offsets from its start) can be followed. Moves r past the name (past the first
// pointer if compressed). Errors: Truncated (name runs past the data), Malformed (reserved
// label types 0x40/0x80, pointer forward into itself), LimitExceeded (more than
// kMaxNameCompressionJumps pointers or more than kMaxEncodedNameBytes bytes).
Result<Labels> read_labels(ByteReader& r);
// Where a name's labels are, without copying them: the first label (normally the 32
// letters; a view into the message), how many labels there are and whether a pointer was
// followed. Same checks, errors and movement of r as read_labels. When `scope` is not null
// the labels after the first are appended to it joined by '.', as NetbiosName::scope holds
// them (raw bytes, not escaped).
struct NameSpan {
  Bytes first;
  std::size_t labels = 0;
  bool compressed = false;
};
Result<NameSpan> scan_name(ByteReader& r, std::string* scope = nullptr);
// The NetBIOS name of a scanned span (`scope` as scan_name built it): exactly what
// name_from_labels gives for the same labels.
Result<NetbiosName> name_from_span(const NameSpan& span, std::string scope, NameMode mode, std::size_t offset);
// read_labels + first-level decode of the first label, the rest becomes the scope.
Result<NetbiosName> read_name(ByteReader& r, NameMode mode = NameMode::Strict);
// The NetBIOS name a label sequence holds (first label first-level decoded, the rest the
// scope); `offset` is where the first label's letters start (for errors).
Result<NetbiosName> name_from_labels(const Labels& labels, NameMode mode, std::size_t offset);
// Appends a plain DNS name ("wins.corp.example") as labels + 0x00; Malformed on an empty
// or over-long label or a name over 255 bytes.
Result<void> write_dns_name(ByteWriter& w, std::string_view dotted);

}  // namespace netseen::netbios
