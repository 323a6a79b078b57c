// What the HTML report draws that the engine does not keep: events over time, the
// destination ports, the NetBIOS node-status tables seen on the wire. Every collector has
// a fixed size or a cap, so memory is bounded whatever the input size:
//   TimeHistogram   kBuckets counters; the bucket width doubles when the span outgrows it
//   PortCounts      one counter per TCP and UDP port (2 × 65536) and per ICMP type
//   NodeStatusLog   at most kMaxTables responders, kMaxNames names each
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ip_address.hpp"
#include "core/mac_address.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"

namespace netseen::report {

class TimeHistogram {
 public:
  static constexpr std::size_t kBuckets = 96;  // even: two buckets merge into one
  static constexpr std::int64_t kInitialWidthUs = 10'000;

  void add(Timestamp t, std::uint64_t n);
  [[nodiscard]] bool empty() const noexcept { return !have_; }
  // Start of bucket 0, and the width of every bucket, in microseconds.
  [[nodiscard]] std::int64_t origin_us() const noexcept { return origin_; }
  [[nodiscard]] std::int64_t width_us() const noexcept { return width_; }
  [[nodiscard]] const std::array<std::uint64_t, kBuckets>& counts() const noexcept { return counts_; }

 private:
  void widen_right();
  void widen_left();
  bool have_ = false;
  std::int64_t origin_ = 0;
  std::int64_t width_ = kInitialWidthUs;
  std::array<std::uint64_t, kBuckets> counts_{};
};

struct PortCount {
  decode::Transport transport = decode::Transport::None;  // Tcp, Udp, Icmp (port = ICMP type)
  std::uint16_t port = 0;
  std::uint64_t events = 0;
};

class PortCounts {
 public:
  PortCounts();
  void add(const decode::Event& e);
  // The n busiest destination ports (ICMP types count as "ports" of ICMP), most events
  // first, ties by transport then port.
  [[nodiscard]] std::vector<PortCount> top(std::size_t n) const;

 private:
  std::vector<std::uint64_t> tcp_, udp_;  // 65536 each
  std::array<std::uint64_t, 256> icmp_{};
};

// One node-status answer as read from the wire (RFC 1002 §4.2.18).
struct NodeStatusName {
  std::string name;      // display form, escaped: "WORKSTATION7<00>"
  std::uint8_t suffix = 0;
  bool group = false;
  bool active = false, permanent = false, conflict = false, deregistering = false;
  char node_type = 'B';  // B P M H
};

struct NodeStatusTable {
  IpAddress responder;
  IpAddress asked_by;    // the destination of the answer
  Timestamp first_seen;
  decode::Origin origin;  // where the first answer is in the input
  std::uint64_t answers = 0;
  std::uint32_t declared_names = 0;
  std::vector<NodeStatusName> names;  // at most kMaxNames
  std::optional<MacAddress> unit_id;
};

class NodeStatusLog {
 public:
  static constexpr std::size_t kMaxTables = 200;
  static constexpr std::size_t kMaxNames = 64;
  void add(const decode::Event& e);
  // By responder address.
  [[nodiscard]] const std::map<IpAddress, NodeStatusTable>& tables() const noexcept { return tables_; }
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_; }  // answers from responders over the cap

 private:
  std::map<IpAddress, NodeStatusTable> tables_;
  std::uint64_t dropped_ = 0;
};

struct ReportData {
  TimeHistogram timeline;
  PortCounts ports;
  NodeStatusLog node_status;
  void on_event(const decode::Event& e);
};

}  // namespace netseen::report
