// Balancing the threads of a threaded analysis (pipeline.cpp, logs): the parallel-safe
// detectors can run on any thread, so the pipeline measures how long each thread ("lane":
// lane 0 the engine's main part, lanes 1.. the side groups) is busy per batch and how long
// each detector takes, and now and then moves one detector from the busiest lane to the
// least busy. Where a detector runs never changes what it finds (it still sees every event
// once, in input order); only how long the run takes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace netseen::report {

struct BalanceMove {
  std::size_t detector = 0;  // index into the costs / owners given
  unsigned from = 0, to = 0;
};

// lane_busy: each lane's busy time per batch over the last window; cost: each movable
// detector's time per batch (on the lane that ran it); owner: the lane of each; movable:
// whether each may move now (a detector just moved is left where it is for a while).
// Returns the move of one detector from the busiest lane to the least busy one that
// lowers the busier of the two the most, if it lowers it by more than `min_gain` (a
// fraction of the busiest lane's time; below it the measurement's noise would move
// detectors back and forth).
std::optional<BalanceMove> choose_move(std::span<const double> lane_busy, std::span<const double> cost,
                                       std::span<const unsigned> owner, std::span<const std::uint8_t> movable,
                                       double min_gain = 0.05);

}  // namespace netseen::report
