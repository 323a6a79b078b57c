// Shared helpers for the scan, trace, flood, ICMP and address detectors: what a "probe" is
// (a packet that opens something, not one that answers), traceroute's port range, compact
// port sets, pair keys and the boilerplate of building a Finding.
#pragma once

#include <array>
#include <bit>
#include <cstring>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include "core/flat_map.hpp"
#include <vector>

#include "core/ip_address.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"
#include "detect/context.hpp"
#include "detect/detector.hpp"
#include "detect/finding.hpp"

namespace netseen::detect::scan {

// What kind of probe a packet is. None = an answer, established traffic, or not TCP/UDP.
enum class Probe : std::uint8_t { None, Syn, Fin, Xmas, Null, Ack, Maimon, SynFin, Udp };
inline constexpr std::size_t kProbeKinds = 9;

// "SYN", "FIN", "XMAS", "NULL", "ACK/window", "Maimon", "SYN+FIN", "UDP", "none".
const char* probe_name(Probe p) noexcept;
// Classifies a TCP segment by its flags (ECE/CWR ignored) or a UDP datagram by its ports:
//   SYN alone → Syn; no flags → Null; FIN alone → Fin; FIN+PSH+URG → Xmas; SYN+FIN → SynFin;
//   ACK alone without data from a non-service port to a port below 32768 → Ack (nmap -sA / -sW);
//   FIN+ACK likewise → Maimon (nmap -sM); (higher ports are clients' ephemeral ports);
//   UDP that is not an answer (from a port below 1024 to one above) and not a DNS/NBNS response → Udp.
// Inline: every scan detector asks, for every TCP and UDP event.
inline Probe classify_probe(const decode::Event& e) noexcept {
  using namespace decode::tcpflag;  // NOLINT(google-build-using-namespace)
  constexpr std::uint8_t kFlagMask = 0x3F;  // FIN..URG; ECE/CWR do not change what a probe is
  if (e.later_fragment) return Probe::None;
  if (e.transport == decode::Transport::Tcp) {
    const auto f = static_cast<std::uint8_t>(e.tcp_flags & kFlagMask);
    switch (f) {
      case kSyn: return Probe::Syn;
      case 0: return Probe::Null;
      case kFin: return Probe::Fin;
      case kFin | kPsh | kUrg: return Probe::Xmas;
      case kSyn | kFin: return Probe::SynFin;
      // A server on a high port acknowledging its clients sends the same segments to their
      // ephemeral ports (32768 and up on Linux, 49152 and up on Windows): only lower ports count.
      case kAck: return e.payload_len == 0 && e.sport >= 1024 && e.dport < 32768 ? Probe::Ack : Probe::None;
      case kFin | kAck:
        return e.payload_len == 0 && e.sport >= 1024 && e.dport < 32768 ? Probe::Maimon : Probe::None;
      default: return Probe::None;
    }
  }
  if (e.transport == decode::Transport::Udp) {
    if (e.sport < 1024 && e.dport >= 1024) return Probe::None;  // a service answering a client
    if (e.dns && e.dns->response) return Probe::None;
    if (e.nbns && e.nbns->response) return Probe::None;
    return Probe::Udp;
  }
  return Probe::None;
}
// Flag combinations no TCP stack sends on its own (FIN, XMAS, NULL, SYN+FIN).
bool impossible_flags(Probe p) noexcept;

// UNIX traceroute's default ports: 33434 upwards, one per probe (30 hops × 3 probes, plus slack).
inline constexpr std::uint16_t kTraceFirstPort = 33434;
inline constexpr std::uint16_t kTraceLastPort = 33434 + 255;
constexpr bool is_traceroute_port(std::uint16_t p) noexcept { return p >= kTraceFirstPort && p <= kTraceLastPort; }
// A UDP datagram to the traceroute range with a TTL that can still run out on the way (≤ 64
// when seen; any when no TTL is known).
inline bool is_traceroute_udp(const decode::Event& e) noexcept {
  return e.transport == decode::Transport::Udp && is_traceroute_port(e.dport) && (!e.has_ttl || e.ttl <= 64);
}

// Distinct 16-bit ports, in whichever of three forms is smallest:
//   * up to kInline ports in the object itself (no allocation: most sets stay that small);
//   * a sorted list on the heap, two bytes a port, while that is smaller than the bitmap
//     below would be and at most kSparseMax ports: scattered ports (a client's ephemeral
//     source ports, a random-port scan) touch many blocks, and 250 of them cost 500 bytes
//     here instead of 7 KiB of mostly empty blocks;
//   * a two-level bitmap: which of the 128 blocks of 512 ports are in use (128 bits, kept in
//     the object where the inline ports were), then only those blocks on the heap in block
//     order, 64 bytes — one cache line — apiece. A scan of 1-1024 costs two blocks, not an
//     8 KiB bitmap per (source, target) pair, and adding a port touches the object and one
//     line of the heap (an index on the heap cost a second cache miss per port).
class PortSet {
 public:
  PortSet() = default;
  PortSet(const PortSet& o);
  PortSet& operator=(const PortSet& o) {
    if (this != &o) {
      PortSet copy(o);
      swap(copy);
    }
    return *this;
  }
  // A moved-from set is empty (its count must not outlive the heap part it moved away).
  PortSet(PortSet&& o) noexcept
      : inline_(o.inline_), heap_(o.heap_), count_(o.count_), min_(o.min_), max_(o.max_), cap_(o.cap_), mode_(o.mode_) {
    o.heap_ = nullptr;
    o.reset_fields();
  }
  PortSet& operator=(PortSet&& o) noexcept {
    if (this != &o) {
      PortSet moved(std::move(o));
      swap(moved);
    }
    return *this;
  }
  ~PortSet() { release(); }
  void swap(PortSet& o) noexcept {
    std::swap(inline_, o.inline_);
    std::swap(heap_, o.heap_);
    std::swap(count_, o.count_);
    std::swap(min_, o.min_);
    std::swap(max_, o.max_);
    std::swap(cap_, o.cap_);
    std::swap(mode_, o.mode_);
  }

  bool add(std::uint16_t p);  // true when new
  [[nodiscard]] bool contains(std::uint16_t p) const noexcept;
  [[nodiscard]] std::uint32_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint16_t min() const noexcept { return min_; }
  [[nodiscard]] std::uint16_t max() const noexcept { return max_; }
  void clear();
  // "1000-1500" or "21-23,25,80,110" (at most `max_ranges` ranges, then ",…").
  [[nodiscard]] std::string ranges(std::size_t max_ranges = 8) const;
  [[nodiscard]] std::vector<std::uint16_t> sorted() const;
  // Asks for the line of the heap that add(p) or contains(p) will read: the bitmap word of
  // p's block, or the lines of the sorted list its search goes through (all of them up to
  // four, else the middle and the quarters); nothing while inline. A hint for batches
  // (Detector::prefetch), once the set itself is in the cache. Always inlined: see
  // FlatMap::prefetch_tags.
  [[gnu::always_inline]] void prefetch(std::uint16_t p) const noexcept {
    if (promoted()) {
      const auto m = present();
      const std::size_t block = p >> 9;
      const std::uint64_t bit = std::uint64_t{1} << (block & 63);
      const std::uint64_t word = m[block >> 6];
      if ((word & bit) == 0) return;
      const auto rank = static_cast<std::size_t>(
          block >> 6 == 0 ? std::popcount(word & (bit - 1)) : std::popcount(m[0]) + std::popcount(word & (bit - 1)));
      __builtin_prefetch(words() + rank * kBlockWords + ((p >> 6) & 7u));
    } else if (sparse()) {
      const std::uint16_t* d = list();
      const std::size_t n = count_;
      constexpr std::size_t kPerLine = 64 / sizeof(std::uint16_t);
      if (n <= 4 * kPerLine) {
        for (std::size_t i = 0; i < n; i += kPerLine) __builtin_prefetch(d + i);
        __builtin_prefetch(d + n - 1);
      } else {
        __builtin_prefetch(d + n / 2);
        __builtin_prefetch(d + n / 4);
        __builtin_prefetch(d + 3 * n / 4);
      }
    }
  }
  // What the set holds on the heap (0 while inline).
  [[nodiscard]] std::size_t heap_bytes() const noexcept {
    return promoted() ? std::size_t{cap_} * sizeof(std::uint64_t) : sparse() ? std::size_t{cap_} * sizeof(std::uint16_t) : 0;
  }

 private:
  static constexpr std::size_t kInline = 12;
  static constexpr std::size_t kSparseMax = 2048;  // 4 KiB; inserting moves half of it on average
  static constexpr std::size_t kBlocks = 128;  // of 512 ports
  static constexpr std::size_t kBlockWords = 8;
  enum Mode : std::uint8_t { kInlineMode, kSparseMode, kBitmapMode };
  [[nodiscard]] bool promoted() const noexcept { return mode_ == kBitmapMode; }
  [[nodiscard]] bool sparse() const noexcept { return mode_ == kSparseMode; }
  // The heap part: while sparse the ports in order (count_ of them), once a bitmap the
  // words of the blocks in use (kBlockWords per block of the block map, in block order).
  [[nodiscard]] std::uint16_t* list() const noexcept { return static_cast<std::uint16_t*>(heap_); }
  [[nodiscard]] std::uint64_t* words() const noexcept { return static_cast<std::uint64_t*>(heap_); }
  [[nodiscard]] std::size_t words_used() const noexcept {
    const auto m = present();
    return static_cast<std::size_t>(std::popcount(m[0]) + std::popcount(m[1])) * kBlockWords;
  }
  void reset_fields() noexcept {
    count_ = 0;
    min_ = 0xFFFF;
    max_ = 0;
    cap_ = 0;
    mode_ = kInlineMode;
  }
  void release() noexcept;
  // Moves the heap part to a block of `cap` elements of `size` bytes, keeping its first
  // `keep` bytes.
  void regrow(std::size_t cap, std::size_t size, std::size_t keep);
  bool set_bit(std::uint16_t p);
  bool add_sparse(std::uint16_t p);  // false when present
  void to_bitmap();
  // Once promoted: bit b of the 128-bit map says block b is in use; its words start at
  // words()[rank * kBlockWords], rank = the blocks in use below b. -1 when b is not in use.
  [[nodiscard]] std::array<std::uint64_t, 2> present() const noexcept {
    static_assert(sizeof(inline_) >= 2 * sizeof(std::uint64_t));
    std::array<std::uint64_t, 2> m{};
    std::memcpy(m.data(), inline_.data(), sizeof m);
    return m;
  }
  [[nodiscard]] std::ptrdiff_t block_at(std::size_t block) const noexcept;

  // The ports while inline; while sparse, [0] counts the 512-port blocks the list touches;
  // once a bitmap, the block map. 48 bytes in all: one pointer to the heap part, not two
  // vectors (the set sits in entries that every probe reads).
  std::array<std::uint16_t, kInline> inline_{};
  void* heap_ = nullptr;
  std::uint32_t count_ = 0;
  std::uint16_t min_ = 0xFFFF, max_ = 0;
  std::uint16_t cap_ = 0;  // elements the heap part has room for (ports while sparse, words once a bitmap)
  Mode mode_ = kInlineMode;
};
static_assert(sizeof(PortSet) <= 48, "PortSet sits in the hot part of detector entries");

// The source ports a key's probes came from, for a finding's `source_ports`: exact while
// they are few, their span beyond. A few ports say something — one fixed port is a tool's
// signature (masscan, nmap -g, a worm's hard-coded port), a handful are retries — while a
// stack picking a fresh ephemeral port for every connection gives hundreds of random ports
// whose full list says no more than their span and cost a heap lookup per probe (in a
// sorted list far from the entry: a cache miss each). 32 bytes, no allocation.
class PortSummary {
 public:
  static constexpr std::size_t kExact = 12;
  void add(std::uint16_t p) noexcept {
    min_ = p < min_ ? p : min_;
    max_ = p > max_ ? p : max_;
    if (more_) return;
    for (std::size_t i = 0; i < n_; ++i) {
      if (ports_[i] == p) return;
    }
    if (n_ < kExact) ports_[n_++] = p;
    else more_ = true;
  }
  // While exact, as PortSet::ranges ("40000", "1024-1030,2000,…"); beyond kExact distinct
  // ports, "1025-65201 (more than 12 ports)".
  [[nodiscard]] std::string text(std::size_t max_ranges = 4) const;
  [[nodiscard]] bool exact() const noexcept { return !more_; }

 private:
  std::array<std::uint16_t, kExact> ports_{};
  std::uint16_t min_ = 0xFFFF, max_ = 0;
  std::uint8_t n_ = 0;
  bool more_ = false;
};

// "1000-1500" or "21-23,25,80,110" from sorted distinct ports (at most `max_ranges`
// ranges, then ",…").
std::string port_ranges(const std::vector<std::uint16_t>& sorted, std::size_t max_ranges);

struct PairKey {
  IpAddress a, b;
  std::uint16_t extra = 0;  // transport, port, … as the detector needs
  friend bool operator==(const PairKey&, const PairKey&) = default;
};
struct PairKeyHash {
  std::size_t operator()(const PairKey& k) const noexcept {
    IpAddressHash h;
    return h(k.a) * 1000003u ^ (h(k.b) + 0x9e3779b97f4a7c15ULL + (static_cast<std::size_t>(k.extra) << 7));
  }
};

// The three prefetch stages of a detector keyed by (source, target) pairs
// (Detector::prefetch): the key's tags, then its entry's first HotBytes, then — the entry
// in the cache by then, and only for a probe — what `inside(state)` asks for (the line of
// a port set's heap part). Always inlined, as FlatMap::prefetch_tags.
template <std::size_t HotBytes, class Map, class Inside>
[[gnu::always_inline]] inline void prefetch_pair(const Map& pairs, const PairKey& key, Detector::Prefetch stage,
                                                 bool answer, Inside inside) {
  if (stage == Detector::Prefetch::Tags) {
    pairs.prefetch_tags(key);
  } else if (stage == Detector::Prefetch::Entry) {
    pairs.template prefetch_entry<HotBytes>(key);
  } else if (!answer) {
    const auto it = pairs.find(key);
    if (it != pairs.end()) inside(it->second);
  }
}

// The address with its last 8 bits cleared (a /24, or a /120 for IPv6): "the same subnet" for sweeps.
IpAddress subnet_of(const IpAddress& a) noexcept;

// Fills the common fields of a finding: id, source, times, events, evidence, dedup key "<id>|<source>".
Finding make_finding(std::string_view id, const IpAddress& source, Timestamp first, Timestamp last,
                     std::uint64_t events, const EvidenceSampler& evidence);

// Per-source bookkeeping most simple detectors need.
struct SourceTally {
  Timestamp first, last;
  std::uint64_t events = 0;
  EvidenceSampler evidence;
  FlatSet<IpAddress, IpAddressHash> targets;  // distinct, exact up to kMaxTargets
  bool saturated = false;
  static constexpr std::size_t kMaxTargets = 4096;
  void add(const decode::Event& e, const IpAddress& target);
  // Fills target_count and a sorted target sample into the finding.
  void fill(Finding& f) const;
};

// Base for detectors that report, per key address, the events matching a rule: keeps one
// SourceTally per key, capped at max_sources (counted as evictions beyond).
class TallyDetector : public Detector {
 protected:
  SourceTally* tally(const IpAddress& key, Context& ctx);
  double max_sources_ = 50'000;
  FlatMap<IpAddress, SourceTally, IpAddressHash> tallies_;
  EvictionCount evicted_;
};

}  // namespace netseen::detect::scan
