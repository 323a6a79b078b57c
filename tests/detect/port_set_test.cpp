// scan::PortSet against std::set: the inline list, promotion to the two-level bitmap, and the
// orders and ranges the findings print.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <cstdint>
#include <initializer_list>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "detect/scan_common.hpp"

namespace netseen::detect::scan {
namespace {

void check_same(const PortSet& ps, const std::set<std::uint16_t>& ref) {
  ASSERT_EQ(ps.count(), ref.size());
  const std::vector<std::uint16_t> want(ref.begin(), ref.end());
  ASSERT_EQ(ps.sorted(), want);
  if (!ref.empty()) {
    EXPECT_EQ(ps.min(), *ref.begin());
    EXPECT_EQ(ps.max(), *ref.rbegin());
  }
}

TEST(PortSet, MatchesStdSetForEveryShapeOfScan) {
  std::mt19937 rng(5);
  struct Shape {
    const char* name;
    std::uint32_t lo, hi;
    int adds;
  };
  const Shape shapes[] = {{"three ports", 20, 22, 50},       {"inline edge", 1000, 1011, 40},
                          {"1-1024", 1, 1024, 3000},         {"top ports", 1, 10000, 800},
                          {"whole range", 0, 65535, 20000},  {"ephemeral", 32768, 65535, 500},
                          {"block edges", 510, 514, 40}};
  for (const auto& sh : shapes) {
    PortSet ps;
    std::set<std::uint16_t> ref;
    for (int i = 0; i < sh.adds; ++i) {
      const auto p = static_cast<std::uint16_t>(sh.lo + static_cast<std::uint32_t>(rng()) % (sh.hi - sh.lo + 1));
      ASSERT_EQ(ps.add(p), ref.insert(p).second) << sh.name << " port " << p;
      if (i % 97 == 0) {
        const auto q = static_cast<std::uint16_t>(rng());
        ASSERT_EQ(ps.contains(q), ref.count(q) == 1) << sh.name << " contains " << q;
      }
    }
    check_same(ps, ref);
    for (std::uint32_t p = 0; p < 65536; p += 7) {
      ASSERT_EQ(ps.contains(static_cast<std::uint16_t>(p)), ref.count(static_cast<std::uint16_t>(p)) == 1) << sh.name;
    }
    ps.clear();
    EXPECT_EQ(ps.count(), 0u);
    EXPECT_FALSE(ps.contains(sh.lo == 0 ? 1 : static_cast<std::uint16_t>(sh.lo)));
    EXPECT_TRUE(ps.add(7));  // usable after clear
    EXPECT_EQ(ps.sorted(), std::vector<std::uint16_t>{7});
  }
}

TEST(PortSet, EveryPortOnceAndRangesAcrossThePromotion) {
  PortSet ps;
  for (std::uint32_t p = 65535;; --p) {  // downwards: promotion happens at the top of the range
    ASSERT_TRUE(ps.add(static_cast<std::uint16_t>(p)));
    ASSERT_FALSE(ps.add(static_cast<std::uint16_t>(p)));
    if (p == 0) break;
  }
  EXPECT_EQ(ps.count(), 65536u);
  EXPECT_EQ(ps.ranges(), "0-65535");
  EXPECT_EQ(ps.sorted().size(), 65536u);

  PortSet small;
  for (const std::uint16_t p : std::initializer_list<std::uint16_t>{25, 21, 22, 23, 80, 110}) small.add(p);
  EXPECT_EQ(small.ranges(), "21-23,25,80,110");
  PortSet big = small;  // copies keep the inline list
  for (std::uint32_t p = 1000; p < 1500; ++p) big.add(static_cast<std::uint16_t>(p));
  EXPECT_EQ(big.ranges(), "21-23,25,80,110,1000-1499");
  EXPECT_EQ(small.count(), 6u);
  EXPECT_EQ(big.count(), 506u);

  // Moving leaves the source empty and usable, whether it was promoted or not.
  PortSet moved = std::move(big);
  EXPECT_EQ(moved.count(), 506u);
  EXPECT_EQ(big.count(), 0u);  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(big.contains(1000));
  EXPECT_TRUE(big.add(1000));
  EXPECT_EQ(big.sorted(), std::vector<std::uint16_t>{1000});
  PortSet other;
  other = std::move(small);
  EXPECT_EQ(other.ranges(), "21-23,25,80,110");
  EXPECT_EQ(small.count(), 0u);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(small.add(21));
}

// The form follows the shape: scattered ports stay a sorted list (two bytes a port), dense
// ones become blocks of bits (64 bytes per 512 ports in use), whichever is smaller.
TEST(PortSet, ScatteredPortsStayAListDenseOnesBecomeBlocks) {
  std::mt19937 rng(11);
  PortSet scattered;  // 250 ephemeral source ports: spread over ~100 of the 128 blocks
  std::set<std::uint16_t> ref;
  while (ref.size() < 250) {
    const auto p = static_cast<std::uint16_t>(32768 + rng() % 32768);
    EXPECT_EQ(scattered.add(p), ref.insert(p).second);
  }
  check_same(scattered, ref);
  EXPECT_LE(scattered.heap_bytes(), 1024u) << "blocks would take about 6 KiB";
  EXPECT_GE(scattered.heap_bytes(), 500u);

  PortSet dense;  // a scan of 1-1023: two blocks
  for (std::uint16_t p = 1; p < 1024; ++p) dense.add(p);
  EXPECT_EQ(dense.count(), 1023u);
  EXPECT_LE(dense.heap_bytes(), 3 * 64u) << "a list would take 2 KiB";
  EXPECT_EQ(dense.ranges(), "1-1023");

  PortSet few;  // inline: nothing on the heap
  for (const std::uint16_t p : std::initializer_list<std::uint16_t>{80, 443, 22}) few.add(p);
  EXPECT_EQ(few.heap_bytes(), 0u);

  PortSet all;  // past the list's limit: blocks, 8 KiB for every port
  for (std::uint32_t p = 0; p < 65536; p += 2) all.add(static_cast<std::uint16_t>(p));
  EXPECT_EQ(all.count(), 32768u);
  EXPECT_LE(all.heap_bytes(), 2 * 8192u);
  PortSet moved = std::move(all);
  EXPECT_EQ(moved.count(), 32768u);
  EXPECT_EQ(all.count(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from set is empty
  EXPECT_EQ(all.heap_bytes(), 0u);
  EXPECT_TRUE(all.add(5));
  PortSet copy = scattered;  // copies keep the list
  EXPECT_EQ(copy.sorted(), scattered.sorted());
  EXPECT_TRUE(copy.add(1));
  EXPECT_FALSE(scattered.contains(1));
}

// PortSummary: exact (as PortSet::ranges) up to kExact distinct ports, then the span.
TEST(PortSummary, ExactWhileFewThenTheSpan) {
  PortSummary fixed;  // one tool, one port
  for (int i = 0; i < 100; ++i) fixed.add(40000);
  EXPECT_TRUE(fixed.exact());
  EXPECT_EQ(fixed.text(), "40000");

  PortSummary few;
  PortSet ref;
  for (const std::uint16_t p : std::initializer_list<std::uint16_t>{1030, 1024, 1025, 1026, 2000, 3000, 3001, 1025, 4000,
                                                                     5000, 6000, 7000, 8000}) {
    few.add(p);
    ref.add(p);
  }
  ASSERT_EQ(ref.count(), PortSummary::kExact);
  EXPECT_TRUE(few.exact());
  EXPECT_EQ(few.text(4), ref.ranges(4));
  EXPECT_EQ(few.text(4), "1024-1026,1030,2000,3000-3001,…");
  EXPECT_EQ(few.text(20), ref.ranges(20));

  few.add(8000);  // a repeat keeps it exact
  EXPECT_TRUE(few.exact());
  few.add(65000);  // the thirteenth distinct port
  EXPECT_FALSE(few.exact());
  few.add(5);
  EXPECT_EQ(few.text(4), "5-65000 (more than 12 ports)");

  std::mt19937 rng(3);
  PortSummary random;  // a stack's ephemeral ports
  std::uint16_t lo = 0xFFFF, hi = 0;
  for (int i = 0; i < 500; ++i) {
    const auto p = static_cast<std::uint16_t>(32768 + rng() % 28232);
    lo = std::min(lo, p);
    hi = std::max(hi, p);
    random.add(p);
  }
  EXPECT_EQ(random.text(), fmt::format("{}-{} (more than 12 ports)", lo, hi));
  EXPECT_EQ(PortSummary{}.text(), "");
}

}  // namespace
}  // namespace netseen::detect::scan
