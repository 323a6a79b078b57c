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
  // Called once after the last event; emits what has accumulated.
  virtual void finish(Context& ctx) = 0;
};

}  // namespace netseen::detect
