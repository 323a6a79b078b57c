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

bool PortSet::set_bit(std::uint16_t p) {
  const std::size_t block = p >> 9;
  std::ptrdiff_t at = block_at(block);
  if (at < 0) {
    auto m = present();
    const std::size_t half = block >> 6;
    const std::uint64_t bit = std::uint64_t{1} << (block & 63);
    m[half] |= bit;
    std::memcpy(inline_.data(), m.data(), sizeof m);
    at = block_at(block);
    words_.insert(words_.begin() + at, kBlockWords, 0);
  }
  auto& w = words_[static_cast<std::size_t>(at) + ((p >> 6) & 7u)];
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
  const auto it = sparse_.begin() + static_cast<std::ptrdiff_t>(lower_bound_of(sparse_.data(), sparse_.size(), p));
  if (it != sparse_.end() && *it == p) return false;
  const bool new_block = (it == sparse_.begin() || (*(it - 1) >> 9) != (p >> 9)) &&
                         (it == sparse_.end() || (*it >> 9) != (p >> 9));
  const std::size_t blocks = inline_[0] + (new_block ? 1u : 0u);
  // Two bytes a port against 64 bytes a block: a bitmap once it is no larger.
  if (sparse_.size() + 1 > kSparseMax || 2 * (sparse_.size() + 1) >= 64 * blocks) {
    to_bitmap();
    set_bit(p);
    return true;
  }
  sparse_.insert(it, p);
  inline_[0] = static_cast<std::uint16_t>(blocks);
  return true;
}

void PortSet::to_bitmap() {
  std::vector<std::uint16_t> ports;
  ports.swap(sparse_);
  const std::size_t blocks = inline_[0];
  inline_.fill(0);  // now the (empty) block map
  words_.reserve(kBlockWords * (blocks + 1));
  for (auto q : ports) set_bit(q);
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
      sparse_.reserve(2 * kInline);
      sparse_.assign(inline_.begin(), inline_.end());
      std::sort(sparse_.begin(), sparse_.end());
      std::size_t blocks = 0;
      for (std::size_t i = 0; i < sparse_.size(); ++i) {
        if (i == 0 || (sparse_[i] >> 9) != (sparse_[i - 1] >> 9)) ++blocks;
      }
      inline_.fill(0);
      inline_[0] = static_cast<std::uint16_t>(blocks);
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
    const std::size_t at = lower_bound_of(sparse_.data(), sparse_.size(), p);
    return at < sparse_.size() && sparse_[at] == p;
  }
  if (!promoted()) {
    const auto end = inline_.begin() + count_;
    return std::find(inline_.begin(), end, p) != end;
  }
  const std::ptrdiff_t at = block_at(p >> 9);
  if (at < 0) return false;
  return (words_[static_cast<std::size_t>(at) + ((p >> 6) & 7u)] >> (p & 63) & 1u) != 0;
}

void PortSet::clear() {
  words_.clear();
  words_.shrink_to_fit();
  sparse_.clear();
  sparse_.shrink_to_fit();
  count_ = 0;
  min_ = 0xFFFF;
  max_ = 0;
}

std::vector<std::uint16_t> PortSet::sorted() const {
  if (sparse()) return sparse_;
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
      std::uint64_t w = words_[static_cast<std::size_t>(at) + i];
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
