#include "report/balance.hpp"

#include <algorithm>

namespace netseen::report {

std::optional<BalanceMove> choose_move(std::span<const double> lane_busy, std::span<const double> cost,
                                       std::span<const unsigned> owner, std::span<const std::uint8_t> movable,
                                       double min_gain) {
  if (lane_busy.size() < 2) return std::nullopt;
  unsigned hi = 0, lo = 0;
  for (unsigned l = 1; l < lane_busy.size(); ++l) {
    if (lane_busy[l] > lane_busy[hi]) hi = l;
    if (lane_busy[l] < lane_busy[lo]) lo = l;
  }
  if (hi == lo || !(lane_busy[hi] > 0)) return std::nullopt;
  // Moving cost c makes the pair's busier lane max(hi - c, lo + c); the best c is half the gap.
  std::optional<BalanceMove> best;
  double best_max = lane_busy[hi] * (1.0 - min_gain);
  const std::size_t n = std::min({cost.size(), owner.size(), movable.size()});
  for (std::size_t d = 0; d < n; ++d) {
    if (owner[d] != hi || movable[d] == 0 || !(cost[d] > 0)) continue;
    const double after = std::max(lane_busy[hi] - cost[d], lane_busy[lo] + cost[d]);
    if (after < best_max) {
      best_max = after;
      best = BalanceMove{d, hi, lo};
    }
  }
  return best;
}

}  // namespace netseen::report
