// Simple per-host baselines for the history database: the peers an inside host talks to
// and the ports it sends to, counted over one run with a bounded top-N per host
// (space-saving counting: a full table replaces its smallest entry).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/flat_map.hpp"
#include "core/ip_address.hpp"
#include "decode/event.hpp"

namespace netseen::report {

struct BaselineEntry {
  std::string key;          // a peer address ("192.168.1.1") or a port ("445/tcp")
  std::uint64_t events = 0;
};

struct HostBaseline {
  std::vector<BaselineEntry> peers;  // at most BaselineCollector::kTopN each, most events first
  std::vector<BaselineEntry> ports;
};

class BaselineCollector {
 public:
  static constexpr std::size_t kTopN = 16;
  static constexpr std::size_t kMaxHosts = 20'000;

  // Counts one event for its source (the caller decides which sources are tracked).
  void add(const decode::Event& e);
  // Each host's entries, most events first (ties by key).
  [[nodiscard]] std::vector<std::pair<IpAddress, HostBaseline>> sorted() const;
  [[nodiscard]] std::uint64_t hosts_dropped() const noexcept { return dropped_; }

 private:
  template <class K>
  struct Slot {
    K key{};
    std::uint64_t events = 0;
  };
  struct Counting {
    std::vector<Slot<IpAddress>> peers;
    std::vector<Slot<std::uint32_t>> ports;  // port | transport << 16 (1 tcp, 2 udp)
  };
  // Open addressing (one probe run in one array) rather than a node per host: add() runs for
  // every event from an inside host.
  FlatMap<IpAddress, Counting, IpAddressHash> hosts_;
  std::uint64_t dropped_ = 0;
};


}  // namespace netseen::report
