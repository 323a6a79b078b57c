// Engine::prefetch_main: a batch's main part asks ahead for the host table and for the
// main part's own detectors that prefetch (nbstat.reverse_lookup, nbstat.sweep), never for
// a detector split_side() moved to a side group, and the findings do not depend on it.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;

// Records which stages it was asked to prefetch; parallel-safe or not as told.
class CountingPrefetch final : public Detector {
 public:
  explicit CountingPrefetch(bool parallel, std::vector<Prefetch>& seen) : parallel_(parallel), seen_(seen) {}
  [[nodiscard]] std::string_view id() const override { return parallel_ ? "test.side_prefetch" : "test.main_prefetch"; }
  [[nodiscard]] std::string_view description() const override { return "counts prefetch calls"; }
  [[nodiscard]] bool parallel_safe() const override { return parallel_; }
  [[nodiscard]] unsigned prefetch_stages() const override { return 2; }
  void prefetch(const decode::Event& /*e*/, Prefetch stage) const override { seen_.push_back(stage); }
  void on_event(const decode::Event& /*e*/, Context& /*ctx*/) override {}
  void finish(Context& /*ctx*/) override {}

 private:
  bool parallel_;
  std::vector<Prefetch>& seen_;
};

TEST(MainPrefetch, AsksTheMainPartsDetectorsNotTheSideGroups) {
  std::vector<Detector::Prefetch> main_seen, side_seen;
  Scenario s;
  auto& engine = s.engine();
  engine.add_detector(std::make_unique<CountingPrefetch>(false, main_seen));
  engine.add_detector(std::make_unique<CountingPrefetch>(true, side_seen));
  engine.split_side(1);
  const auto e = Ev().at(1).from("10.1.2.3", 137).to("10.1.2.255", 137).udp(50).build();
  engine.prefetch_main(e, Detector::Prefetch::Tags);
  engine.prefetch_main(e, Detector::Prefetch::Entry);
  EXPECT_EQ(main_seen, (std::vector<Detector::Prefetch>{Detector::Prefetch::Tags, Detector::Prefetch::Entry}));
  EXPECT_TRUE(side_seen.empty());
  engine.split_side(0);  // back to one list: nothing is the main part's own any more
  engine.prefetch_main(e, Detector::Prefetch::Tags);
  EXPECT_EQ(main_seen.size(), 2u);
}

}  // namespace
}  // namespace netseen::detect
