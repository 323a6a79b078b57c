#include "detect/scan_common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace netseen::detect::scan {

const char* probe_name(Probe p) noexcept {
  switch (p) {
    case Probe::Syn: return "SYN";
    case Probe::Fin: return "FIN";
    case Probe::Xmas: return "XMAS";
    case Probe::Null: return "NULL";
    case Probe::Ack: return "ACK/window";
    case Probe::Maimon: return "Maimon";
    case Probe::SynFin: return "SYN+FIN";
    case Probe::Udp: return "UDP";
    case Probe::None: break;
  }
  return "none";
}

bool impossible_flags(Probe p) noexcept {
  return p == Probe::Fin || p == Probe::Xmas || p == Probe::Null || p == Probe::SynFin;
}

std::ptrdiff_t PortSet::block_at(std::size_t block) const noexcept {
  const auto m = present();
  const std::size_t half = block >> 6;
  const std::uint64_t bit = std::uint64_t{1} << (block & 63);
  if ((m[half] & bit) == 0) return -1;
  const int rank = half == 0 ? std::popcount(m[0] & (bit - 1)) : std::popcount(m[0]) + std::popcount(m[1] & (bit - 1));
  return static_cast<std::ptrdiff_t>(static_cast<std::size_t>(rank) * kBlockWords);
}

PortSet::PortSet(const PortSet& o)
    : inline_(o.inline_), count_(o.count_), min_(o.min_), max_(o.max_), cap_(o.cap_), mode_(o.mode_) {
  if (o.heap_ != nullptr) {
    heap_ = ::operator new(o.heap_bytes());
    std::memcpy(heap_, o.heap_, o.heap_bytes());
  }
}

void PortSet::release() noexcept {
  ::operator delete(heap_);
  heap_ = nullptr;
}

void PortSet::regrow(std::size_t cap, std::size_t size, std::size_t keep) {
  void* block = ::operator new(cap * size);
  if (keep != 0) std::memcpy(block, heap_, keep);
  ::operator delete(heap_);
  heap_ = block;
  cap_ = static_cast<std::uint16_t>(cap);
}

bool PortSet::set_bit(std::uint16_t p) {
  const std::size_t block = p >> 9;
  std::ptrdiff_t at = block_at(block);
  if (at < 0) {
    const std::size_t used = words_used();
    if (used + kBlockWords > cap_) {
      regrow(std::min(kBlocks * kBlockWords, std::max(used + kBlockWords, 2 * std::size_t{cap_})), sizeof(std::uint64_t),
             used * sizeof(std::uint64_t));
    }
    auto m = present();
    m[block >> 6] |= std::uint64_t{1} << (block & 63);
    std::memcpy(inline_.data(), m.data(), sizeof m);
    at = block_at(block);
    std::uint64_t* w = words() + at;
    std::memmove(w + kBlockWords, w, (used - static_cast<std::size_t>(at)) * sizeof(std::uint64_t));
    std::fill(w, w + kBlockWords, std::uint64_t{0});
  }
  auto& w = words()[static_cast<std::size_t>(at) + ((p >> 6) & 7u)];
  const auto bit = std::uint64_t{1} << (p & 63);
  if ((w & bit) != 0) return false;
  w |= bit;
  return true;
}

namespace {
// Where `p` goes in a sorted list: std::lower_bound without the branch on each comparison
// (a conditional move instead) — with scattered ports that branch is a coin toss. Counting
// through short lists instead (independent loads, vector compares) was no faster in
// BM_PortSetAddScattered (bench/micro/detect_bench.cpp).
std::size_t lower_bound_of(const std::uint16_t* data, std::size_t n, std::uint16_t p) noexcept {
  if (n == 0) return 0;
  const std::uint16_t* base = data;
  while (n > 1) {
    const std::size_t half = n / 2;
    base = base[half] < p ? base + half : base;
    n -= half;
  }
  return static_cast<std::size_t>(base - data) + (*base < p ? 1u : 0u);
}
}  // namespace

bool PortSet::add_sparse(std::uint16_t p) {
  const std::size_t n = count_;  // while sparse every port is in the list
  std::uint16_t* l = list();
  const std::size_t at = lower_bound_of(l, n, p);
  if (at < n && l[at] == p) return false;
  const bool new_block = (at == 0 || (l[at - 1] >> 9) != (p >> 9)) && (at == n || (l[at] >> 9) != (p >> 9));
  const std::size_t blocks = inline_[0] + (new_block ? 1u : 0u);
  // Two bytes a port against 64 bytes a block: a bitmap once it is no larger.
  if (n + 1 > kSparseMax || 2 * (n + 1) >= 64 * blocks) {
    to_bitmap();
    set_bit(p);
    return true;
  }
  if (n + 1 > cap_) {
    regrow(std::min(kSparseMax, 2 * std::size_t{cap_}), sizeof(std::uint16_t), n * sizeof(std::uint16_t));
    l = list();
  }
  std::memmove(l + at + 1, l + at, (n - at) * sizeof(std::uint16_t));
  l[at] = p;
  inline_[0] = static_cast<std::uint16_t>(blocks);
  return true;
}

void PortSet::to_bitmap() {
  void* ports = heap_;
  const std::size_t n = count_;
  const std::size_t blocks = inline_[0];
  heap_ = nullptr;
  inline_.fill(0);  // now the (empty) block map
  mode_ = kBitmapMode;
  try {
    regrow(kBlockWords * (blocks + 1), sizeof(std::uint64_t), 0);
    for (std::size_t i = 0; i < n; ++i) set_bit(static_cast<const std::uint16_t*>(ports)[i]);
  } catch (...) {
    ::operator delete(ports);
    throw;
  }
  ::operator delete(ports);
}

bool PortSet::add(std::uint16_t p) {
  if (promoted()) {
    if (!set_bit(p)) return false;
  } else if (sparse()) {
    if (!add_sparse(p)) return false;
  } else {
    const auto end = inline_.begin() + count_;
    if (std::find(inline_.begin(), end, p) != end) return false;
    if (count_ < kInline) {
      inline_[count_] = p;
    } else {
      regrow(2 * kInline, sizeof(std::uint16_t), 0);
      std::uint16_t* l = list();
      std::copy(inline_.begin(), inline_.end(), l);
      std::sort(l, l + kInline);
      std::size_t blocks = 0;
      for (std::size_t i = 0; i < kInline; ++i) {
        if (i == 0 || (l[i] >> 9) != (l[i - 1] >> 9)) ++blocks;
      }
      inline_.fill(0);
      inline_[0] = static_cast<std::uint16_t>(blocks);
      mode_ = kSparseMode;
      add_sparse(p);
    }
  }
  ++count_;
  min_ = std::min(min_, p);
  max_ = std::max(max_, p);
  return true;
}

bool PortSet::contains(std::uint16_t p) const noexcept {
  if (sparse()) {
    const std::size_t at = lower_bound_of(list(), count_, p);
    return at < count_ && list()[at] == p;
  }
  if (!promoted()) {
    const auto end = inline_.begin() + count_;
    return std::find(inline_.begin(), end, p) != end;
  }
  const std::ptrdiff_t at = block_at(p >> 9);
  if (at < 0) return false;
  return (words()[static_cast<std::size_t>(at) + ((p >> 6) & 7u)] >> (p & 63) & 1u) != 0;
}

void PortSet::clear() {
  release();
  reset_fields();
}

std::vector<std::uint16_t> PortSet::sorted() const {
  if (sparse()) return std::vector<std::uint16_t>(list(), list() + count_);
  std::vector<std::uint16_t> v;
  v.reserve(count_);
  if (!promoted()) {
    v.assign(inline_.begin(), inline_.begin() + count_);
    std::sort(v.begin(), v.end());
    return v;
  }
  for (std::size_t block = 0; block < kBlocks; ++block) {
    const std::ptrdiff_t at = block_at(block);
    if (at < 0) continue;
    for (std::size_t i = 0; i < kBlockWords; ++i) {
      std::uint64_t w = words()[static_cast<std::size_t>(at) + i];
      while (w != 0) {
        const int b = std::countr_zero(w);
        v.push_back(static_cast<std::uint16_t>(block * 512 + i * 64 + static_cast<std::size_t>(b)));
        w &= w - 1;
      }
    }
  }
  return v;
}

std::string port_ranges(const std::vector<std::uint16_t>& v, std::size_t max_ranges) {
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (n == max_ranges) {
      out += ",…";
      break;
    }
    if (!out.empty()) out += ',';
    out += j == i ? fmt::format("{}", v[i]) : fmt::format("{}-{}", v[i], v[j]);
    ++n;
    i = j + 1;
  }
  return out;
}

std::string PortSet::ranges(std::size_t max_ranges) const { return port_ranges(sorted(), max_ranges); }

std::string PortSummary::text(std::size_t max_ranges) const {
  if (more_) return fmt::format("{}-{} (more than {} ports)", min_, max_, kExact);
  std::vector<std::uint16_t> v(ports_.begin(), ports_.begin() + n_);
  std::sort(v.begin(), v.end());
  return port_ranges(v, max_ranges);
}

IpAddress subnet_of(const IpAddress& a) noexcept {
  if (a.is_v4()) return IpAddress::v4(a.v4_value() & 0xFFFFFF00u);
  if (a.is_v6()) {
    auto b = a.bytes();
    b[15] = 0;
    return IpAddress::v6(b);
  }
  return a;
}

Finding make_finding(std::string_view id, const IpAddress& source, Timestamp first, Timestamp last,
                     std::uint64_t events, const EvidenceSampler& evidence) {
  Finding f;
  f.id = std::string(id);
  f.source = source;
  f.first_seen = first;
  f.last_seen = last;
  f.events = events;
  f.evidence = evidence.sample();
  f.dedup_key = fmt::format("{}|{}", id, source.to_string());
  return f;
}

void SourceTally::add(const decode::Event& e, const IpAddress& target) {
  if (events == 0 || e.ts < first) first = e.ts;
  if (events == 0 || e.ts > last) last = e.ts;
  events += e.count;
  evidence.add(e.origin);
  if (!target.valid()) return;
  if (targets.size() < kMaxTargets) {
    targets.insert(target);
  } else if (targets.count(target) == 0) {
    saturated = true;
  }
}

void SourceTally::fill(Finding& f) const {
  f.target_count = targets.size();
  std::vector<IpAddress> v(targets.begin(), targets.end());
  std::sort(v.begin(), v.end());
  if (v.size() > Finding::kMaxTargetSample) v.resize(Finding::kMaxTargetSample);
  f.target_sample = std::move(v);
  if (saturated) f.attr("targets_approximate", true);
}

SourceTally* TallyDetector::tally(const IpAddress& key, Context& ctx) {
  auto it = tallies_.find(key);
  if (it == tallies_.end()) {
    if (static_cast<double>(tallies_.size()) >= max_sources_) {
      evicted_.add(ctx, id());
      return nullptr;
    }
    it = tallies_.emplace(key, SourceTally{}).first;
  }
  return &it->second;
}

}  // namespace netseen::detect::scan
