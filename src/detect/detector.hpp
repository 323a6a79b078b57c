// The shape every detector has: an id, a description, documented parameters
// (thresholds and windows, defaults in data/detectors.conf, overridable with
// --set <id>.<key>=<value>), per-host state with a cap, on_event() and finish().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"
#include "decode/event.hpp"
#include "detect/finding.hpp"

namespace netseen::detect {

class Context;

// One tunable number of a detector, bound to a field of its Config struct.
struct Param {
  std::string key;   // "min_targets"
  double* value;     // the Config field (all parameters are numbers; integers are whole doubles)
  std::string doc;   // what it separates, in one sentence
};

class Detector {
 public:
  virtual ~Detector() = default;
  Detector() = default;
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  [[nodiscard]] virtual std::string_view id() const = 0;
  [[nodiscard]] virtual std::string_view description() const = 0;
  virtual std::vector<Param> params() { return {}; }
  virtual void on_event(const decode::Event& e, Context& ctx) = 0;
  // Emits what has accumulated. Called after the last event, and also mid-stream by
  // Engine::snapshot() (netseen watch), possibly many times: it must not change the
  // detector's state, so that the findings equal what one call at that point would give.
  virtual void finish(Context& ctx) = 0;
};

}  // namespace netseen::detect
