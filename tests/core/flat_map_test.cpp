#include "core/flat_map.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/big_block.hpp"
#include "core/ip_address.hpp"

namespace netseen {
namespace {

// Every key in one probe run: the worst case of linear probing and of backward-shift deletion.
struct ConstantHash {
  std::size_t operator()(std::uint32_t) const noexcept { return 42; }
};
// Only a few homes: long runs that wrap around the end of the array.
struct CoarseHash {
  std::size_t operator()(std::uint32_t k) const noexcept { return k % 3; }
};

// Counts live instances, so a leak or a double destruction shows.
struct Tracked {
  static inline int live = 0;
  std::string text;
  explicit Tracked(std::string t = {}) : text(std::move(t)) { ++live; }
  Tracked(const Tracked& o) : text(o.text) { ++live; }
  Tracked(Tracked&& o) noexcept : text(std::move(o.text)) { ++live; }
  Tracked& operator=(const Tracked&) = default;
  Tracked& operator=(Tracked&&) noexcept = default;
  ~Tracked() { --live; }
};

template <class Map>
std::map<std::uint32_t, std::string> contents(const Map& m) {
  std::map<std::uint32_t, std::string> out;
  for (const auto& [k, v] : m) out.emplace(k, v.text);
  return out;
}

// `replaced`, when given, gets how often replace_near built the new key in its victim's
// slot, and elsewhere.
template <class Hash>
void random_against_std(std::uint32_t key_space, int ops, unsigned seed, std::pair<int, int>* replaced = nullptr) {
  std::mt19937 rng(seed);  // 32-bit results
  auto next = [&rng] { return static_cast<std::uint32_t>(rng()); };
  int replaced_in_place = 0, replaced_elsewhere = 0;
  {
    FlatMap<std::uint32_t, Tracked, Hash> flat;
    std::map<std::uint32_t, std::string> ref;
    for (int n = 0; n < ops; ++n) {
      const std::uint32_t k = next() % key_space;
      switch (next() % 8) {
        case 6: {
          // replace_near drops the entry find_near chooses and builds k (absent) instead.
          if (flat.contains(k)) break;
          const std::uint32_t m = next() % 3 + 1;
          auto pred = [m](const auto& kv) { return kv.first % m == 0; };
          const auto chosen = flat.find_near(k, 4, pred);
          const bool none = chosen == flat.end();
          const std::uint32_t victim = none ? 0 : chosen->first;
          const auto at = chosen;
          const auto it = flat.replace_near(k, 4, pred, "r" + std::to_string(n));
          ASSERT_EQ(it == flat.end(), none) << "key " << k;
          if (none) break;
          ASSERT_EQ(it->first, k);
          ASSERT_EQ(it->second.text, "r" + std::to_string(n));
          (it == at ? replaced_in_place : replaced_elsewhere) += 1;
          ref.erase(victim);
          ref[k] = "r" + std::to_string(n);
          break;
        }
        case 0:
        case 1: {
          const auto [it, inserted] = flat.try_emplace(k, std::to_string(n));
          const bool ref_inserted = ref.emplace(k, std::to_string(n)).second;
          ASSERT_EQ(inserted, ref_inserted) << "key " << k;
          ASSERT_EQ(it->first, k);
          ASSERT_EQ(it->second.text, ref[k]);
          break;
        }
        case 2: flat[k].text = ref[k] = "set" + std::to_string(n); break;
        case 3: ASSERT_EQ(flat.erase(k), ref.erase(k)) << "key " << k; break;
        case 4: {
          auto it = flat.find(k);
          auto rit = ref.find(k);
          ASSERT_EQ(it == flat.end(), rit == ref.end()) << "key " << k;
          if (rit != ref.end()) {
            ASSERT_EQ(it->second.text, rit->second);
            if ((n & 1) != 0) {  // erase through the iterator too
              flat.erase(it);
              ref.erase(rit);
            }
          }
          break;
        }
        case 5: ASSERT_EQ(flat.count(k), ref.count(k)); break;
        default:
          if (n % 97 == 0) {
            const std::uint32_t m = next() % 5 + 2;
            const auto removed = flat.erase_if([m](const auto& kv) { return kv.first % m == 0; });
            std::size_t ref_removed = 0;
            for (auto it = ref.begin(); it != ref.end();) {
              if (it->first % m == 0) {
                it = ref.erase(it);
                ++ref_removed;
              } else {
                ++it;
              }
            }
            ASSERT_EQ(removed, ref_removed);
          }
      }
      ASSERT_EQ(flat.size(), ref.size());
      ASSERT_LE(flat.size() * 4, flat.capacity() * 3) << "load factor above 3/4";
      if (n % 1000 == 0) {
        ASSERT_EQ(contents(flat), ref) << "after op " << n;
      }
    }
    ASSERT_EQ(contents(flat), ref);
    // Every key that is in is found, every key that is not is not.
    for (std::uint32_t k = 0; k < key_space; ++k) ASSERT_EQ(flat.contains(k), ref.count(k) == 1) << k;
    ASSERT_EQ(static_cast<std::size_t>(Tracked::live), ref.size());
  }
  EXPECT_EQ(Tracked::live, 0) << "values leaked or destroyed twice";
  if (replaced != nullptr) *replaced = {replaced_in_place, replaced_elsewhere};
}

TEST(FlatMap, MatchesStdMapUnderRandomInsertEraseAndFind) {
  std::pair<int, int> replaced;
  random_against_std<std::hash<std::uint32_t>>(5000, 60000, 1, &replaced);
  const auto [in_place, elsewhere] = replaced;
  // Both ways of making room were taken: the victim's own slot, and erase-then-insert
  // (a free slot between the new key's home and the victim).
  EXPECT_GT(in_place, 0);
  EXPECT_GT(elsewhere, 0);
  random_against_std<std::hash<std::uint32_t>>(64, 20000, 2);  // dense: many erases of present keys
}

TEST(FlatMap, MatchesStdMapWhenEveryKeyCollides) {
  // One run from every key's home: the victim's slot is always on the new key's run.
  std::pair<int, int> replaced;
  random_against_std<ConstantHash>(300, 8000, 3, &replaced);
  EXPECT_GT(replaced.first, 0);
  random_against_std<CoarseHash>(2000, 20000, 4);
}

TEST(FlatMap, BackwardShiftKeepsRunsThatWrapAroundTheEnd) {
  // Capacity 16 (12 entries at most); homes 15 and 0 make runs that wrap past the last slot.
  struct Home {
    std::size_t operator()(std::uint32_t k) const noexcept { return k; }
  };
  FlatMap<std::uint32_t, Tracked, Home> m;
  m.reserve(12);
  ASSERT_EQ(m.capacity(), 16u);
  std::vector<std::uint32_t> keys;
  for (std::uint32_t k = 0; keys.size() < 12; ++k) keys.push_back(k * 7919u);
  for (auto k : keys) m.try_emplace(k, std::to_string(k));
  // Erase in an order that opens holes in the middle of every run, then check every rest.
  for (std::size_t i = 0; i < keys.size(); i += 2) {
    ASSERT_EQ(m.erase(keys[i]), 1u);
    for (std::size_t j = 0; j < keys.size(); ++j) {
      const bool present = j > i || j % 2 == 1;
      ASSERT_EQ(m.contains(keys[j]), present) << "key " << keys[j] << " after erasing " << keys[i];
      if (present) {
        ASSERT_EQ(m.find(keys[j])->second.text, std::to_string(keys[j]));
      }
    }
  }
  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(Tracked::live, 0);
}

TEST(FlatMap, CopyMoveAndClearKeepEveryEntryOnce) {
  {
    FlatMap<std::uint32_t, Tracked> a;
    for (std::uint32_t k = 0; k < 1000; ++k) a.try_emplace(k * 3, std::to_string(k));
    FlatMap<std::uint32_t, Tracked> b = a;  // copy
    ASSERT_EQ(contents(a), contents(b));
    EXPECT_EQ(Tracked::live, 2000);
    FlatMap<std::uint32_t, Tracked> c = std::move(a);  // move leaves a empty and usable
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(a.find(3), a.end());
    a.try_emplace(7, "seven");
    EXPECT_EQ(a.size(), 1u);
    EXPECT_EQ(contents(b), contents(c));
    b = c;  // copy-assign over a full table
    c = FlatMap<std::uint32_t, Tracked>{};
    EXPECT_TRUE(c.empty());
    EXPECT_EQ(Tracked::live, 1001);
    b.clear();
    EXPECT_EQ(Tracked::live, 1);
    b.try_emplace(1, "one");  // a cleared table takes inserts again
    EXPECT_EQ(b.find(1)->second.text, "one");
  }
  EXPECT_EQ(Tracked::live, 0);
}

TEST(FlatMap, EraseWhileIteratingVisitsEveryEntry) {
  FlatMap<std::uint32_t, int, CoarseHash> m;  // runs wrap: the hard case for erase(iterator)
  for (std::uint32_t k = 0; k < 500; ++k) m[k] = static_cast<int>(k);
  std::set<std::uint32_t> seen;
  for (auto it = m.begin(); it != m.end();) {
    seen.insert(it->first);
    if (it->first % 2 == 0) {
      it = m.erase(it);
    } else {
      ++it;
    }
  }
  EXPECT_EQ(seen.size(), 500u);  // none skipped (one may be seen twice; the set hides that)
  EXPECT_EQ(m.size(), 250u);
  for (std::uint32_t k = 0; k < 500; ++k) EXPECT_EQ(m.contains(k), k % 2 == 1) << k;
}

TEST(FlatSet, IpAddressesInsertFindAndIterate) {
  FlatSet<IpAddress, IpAddressHash> s;
  std::unordered_map<std::uint32_t, bool> ref;
  std::mt19937 rng(9);
  for (int i = 0; i < 20000; ++i) {
    const std::uint32_t v = (static_cast<std::uint32_t>(rng()) % 4096) | 0x0A000000u;
    const bool fresh = s.insert(IpAddress::v4(v)).second;
    EXPECT_EQ(fresh, ref.emplace(v, true).second);
  }
  EXPECT_EQ(s.size(), ref.size());
  std::size_t n = 0;
  for (const auto& a : s) {
    ASSERT_TRUE(a.is_v4());
    ASSERT_EQ(ref.count(a.v4_value()), 1u);
    ++n;
  }
  EXPECT_EQ(n, ref.size());
  // IPv4 and IPv6 keys with the same low bits stay distinct.
  auto six = IpAddress::parse("::a00:1");
  ASSERT_TRUE(six.has_value());
  EXPECT_FALSE(s.contains(*six));
  EXPECT_TRUE(s.insert(*six).second);
  EXPECT_TRUE(s.contains(*six));
  EXPECT_EQ(s.size(), ref.size() + 1);
}

// A present key never rehashes: a reference taken before stays valid even at the load limit,
// and inserting an entry's own key (which a rehash would move) works.
TEST(FlatMap, PresentKeyAtTheLoadLimitKeepsReferences) {
  FlatMap<std::uint32_t, Tracked> m;
  for (std::uint32_t k = 0; k < 6; ++k) m.try_emplace(k, std::to_string(k));
  ASSERT_EQ(m.capacity(), 8u);  // 6 of 8: the next new key rehashes
  auto& zero = m[0];
  m[5].text += "!";  // present: no rehash
  EXPECT_EQ(m.capacity(), 8u);
  EXPECT_EQ(&zero, &m.find(0)->second);
  const std::uint32_t& own_key = m.find(3)->first;
  m[own_key].text += "?";  // present key given by reference into the table
  m.try_emplace(m.begin()->first + 100, "new");  // absent key computed from an entry: rehash
  EXPECT_EQ(m.capacity(), 16u);
  EXPECT_EQ(m.size(), 7u);
  EXPECT_EQ(m.find(5)->second.text, "5!");
  EXPECT_EQ(m.find(3)->second.text, "3?");
  m.clear();
  EXPECT_EQ(Tracked::live, 0);
}

TEST(FlatMap, EmptyTableAllocatesNothingAndFindsNothing) {
  FlatMap<std::uint64_t, int> m;
  EXPECT_EQ(m.capacity(), 0u);
  EXPECT_EQ(m.find(0), m.end());
  EXPECT_EQ(m.erase(5), 0u);
  EXPECT_EQ(m.begin(), m.end());
  EXPECT_EQ(m.erase_if([](const auto&) { return true; }), 0u);
  m.reserve(100);
  EXPECT_GE(m.capacity() * 3 / 4, 100u);
  EXPECT_EQ(m.size(), 0u);
}


// A table past 2 MiB of slots takes its memory from big_block (mapped, 2 MiB-aligned, marked
// for huge pages): it must grow, shrink, copy and free as a small one does.
TEST(FlatMap, ATableLargerThanAHugePageBehavesAsASmallOne) {
  FlatMap<std::uint64_t, std::uint64_t> m;
  constexpr std::uint64_t kKeys = 400'000;  // 6.4 MB of 16-byte slots at the largest
  for (std::uint64_t k = 0; k < kKeys; ++k) m.try_emplace(k * 0x9E3779B97F4A7C15ULL, k);
  ASSERT_EQ(m.size(), kKeys);
  for (std::uint64_t k = 0; k < kKeys; k += 2) EXPECT_EQ(m.erase(k * 0x9E3779B97F4A7C15ULL), 1u);
  FlatMap<std::uint64_t, std::uint64_t> copy = m;
  for (std::uint64_t k = 0; k < kKeys; ++k) {
    const auto it = copy.find(k * 0x9E3779B97F4A7C15ULL);
    if (k % 2 == 0) {
      EXPECT_EQ(it, copy.end());
    } else {
      ASSERT_NE(it, copy.end());
      EXPECT_EQ(it->second, k);
    }
  }
  m = FlatMap<std::uint64_t, std::uint64_t>{};
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(copy.size(), kKeys / 2);
}

// Reads /proc/self/smaps: the VmFlags of the mapping that holds `p`.
std::string vm_flags_of(const void* p) {
  std::FILE* f = std::fopen("/proc/self/smaps", "r");
  if (f == nullptr) return {};
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  char line[512];
  bool inside = false;
  std::string flags;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && std::strchr(line, '-') != nullptr &&
        std::strncmp(line, "VmFlags", 7) != 0) {
      inside = at >= lo && at < hi;
      continue;
    }
    if (inside && std::strncmp(line, "VmFlags:", 8) == 0) {
      flags = line + 8;
      break;
    }
  }
  std::fclose(f);
  return flags;
}

TEST(BigBlock, LargeBlocksAreHugePageAlignedWholeAndMarked) {
  const std::size_t bytes = 5 * big_block::kHugePage + 17;
  auto* p = static_cast<unsigned char*>(big_block::allocate(bytes));
  ASSERT_NE(p, nullptr);
  std::memset(p, 0xA5, bytes);  // every byte writable
  EXPECT_EQ(p[bytes - 1], 0xA5);
  if (big_block::kMapsLargeBlocks) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % big_block::kHugePage, 0u);
    if (std::FILE* thp = std::fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r")) {
      std::fclose(thp);
      EXPECT_NE(vm_flags_of(p).find(" hg"), std::string::npos) << "no MADV_HUGEPAGE: " << vm_flags_of(p);
    } else {
      std::cout << "note: this kernel has no transparent huge pages; the madvise is not checked\n";
    }
  }
  big_block::release(p, bytes);
  // Below a huge page: operator new, any alignment.
  auto* small = static_cast<unsigned char*>(big_block::allocate(1000));
  std::memset(small, 1, 1000);
  big_block::release(small, 1000);
}

}  // namespace
}  // namespace netseen
