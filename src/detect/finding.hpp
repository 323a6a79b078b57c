// Finding: what a detector concludes, with the evidence that leads back to the input.
// Field for field the "finding" object of the JSON Lines contract (design/product.md).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/ip_address.hpp"
#include "core/limits.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"

namespace netseen::detect {

enum class Severity : std::uint8_t { Info, Low, Medium, High, Critical };
enum class Verdict : std::uint8_t { Benign, Misconfiguration, Suspicious, Malicious };

std::string_view to_string(Severity s) noexcept;
std::string_view to_string(Verdict v) noexcept;
// "info".."critical" → Severity; false when unknown.
bool parse_severity(std::string_view text, Severity& out) noexcept;

// A detector-specific attribute value (JSON number, string, bool or list of strings).
using AttrValue = std::variant<std::int64_t, double, std::string, bool, std::vector<std::string>>;

struct Finding {
  std::string id;                 // stable detector id, e.g. "nbstat.sweep"
  Severity severity = Severity::Info;
  Verdict verdict = Verdict::Benign;
  double confidence = 0.5;        // 0.0 .. 1.0
  IpAddress source;               // the host the finding is about
  std::uint64_t target_count = 0;
  std::vector<IpAddress> target_sample;           // at most kMaxTargetSample, sorted
  std::map<std::string, std::uint64_t> regions;   // registry/region → targets
  Timestamp first_seen, last_seen;
  std::uint64_t events = 0;
  std::string title;
  std::string explanation;
  std::string advice;
  std::vector<decode::Origin> evidence;           // sampled: first and last few
  std::vector<std::pair<std::string, AttrValue>> attributes;  // in insertion order
  std::string dedup_key;          // equal keys = the same finding (id + source + scope)

  static constexpr std::size_t kMaxTargetSample = 10;
  static constexpr std::size_t kMaxEvidence = 10;

  void attr(std::string key, AttrValue v) { attributes.emplace_back(std::move(key), std::move(v)); }
};

// Keeps a bounded, deterministic evidence sample: the first half of the slots go to the
// first events seen, the rest rotate over the most recent ones. Stored inline (88 bytes, no
// allocation): detectors keep one per source or pair, created by the hundred thousand, and
// add to it on every probe. The count comes first and each origin is packed into 8 bytes, so
// that an add touches one cache line, rarely two.
class EvidenceSampler {
 public:
  // Frame and line numbers above this (2^47 − 1: years of reading at any speed) are kept as it.
  static constexpr std::uint64_t kMaxNumber = (std::uint64_t{1} << 47) - 1;

  void add(const decode::Origin& o) noexcept {
    const std::uint64_t n = seen_++;
    const std::size_t slot = n < kFirst ? static_cast<std::size_t>(n)
                                        : kFirst + static_cast<std::size_t>((n - kFirst) % kLast);
    slots_[slot] = pack(o);
  }
  [[nodiscard]] std::vector<decode::Origin> sample() const;
  [[nodiscard]] std::uint64_t seen() const noexcept { return seen_; }

  // number: bits 0–46; input: bits 47–62 (limits::kMaxInputs inputs, refused beyond); is_line: bit 63.
  static std::uint64_t pack(const decode::Origin& o) noexcept {
    return std::min(o.number, kMaxNumber) | (static_cast<std::uint64_t>(o.input & 0xFFFFu) << 47) |
           (static_cast<std::uint64_t>(o.is_line) << 63);
  }
  static decode::Origin unpack(std::uint64_t p) noexcept {
    return decode::Origin{.number = p & kMaxNumber,
                          .input = static_cast<std::uint32_t>((p >> 47) & 0xFFFFu),
                          .is_line = (p >> 63) != 0};
  }

 private:
  static constexpr std::size_t kFirst = Finding::kMaxEvidence / 2;
  static constexpr std::size_t kLast = Finding::kMaxEvidence - kFirst;
  std::uint64_t seen_ = 0;
  std::array<std::uint64_t, Finding::kMaxEvidence> slots_{};  // [0, kFirst): the first; then a ring
};
static_assert(limits::kMaxInputs <= std::size_t{1} << 16, "EvidenceSampler packs the input into 16 bits");

}  // namespace netseen::detect
