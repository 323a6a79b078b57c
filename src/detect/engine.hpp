// The detection engine: feeds every Event to every detector, keeps per-host facts with
// bounded memory, and collects findings.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/ip_address.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"

namespace netseen::detect {

// Facts gathered about one address as a side product of the event stream.
struct HostFacts {
  IpAddress address;
  std::uint64_t events_as_source = 0;
  std::uint64_t events_as_destination = 0;
  std::uint64_t bytes_as_source = 0;
  Timestamp first_seen, last_seen;
};

struct EngineStats {
  std::uint64_t events = 0;
  std::map<std::string, std::uint64_t> by_protocol;  // "udp/137", "tcp", "icmp", …
  std::map<std::string, std::uint64_t> by_action;    // accept / drop / reject (logs)
  bool have_ts = false;
  Timestamp first_ts, last_ts;
  std::uint64_t hosts_evicted = 0;
};

class Engine {
 public:
  explicit Engine(std::size_t max_hosts = 1'000'000) : max_hosts_(max_hosts) {}
  void on_event(const decode::Event& e);
  void finish();

  [[nodiscard]] const EngineStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const std::unordered_map<IpAddress, HostFacts, IpAddressHash>& hosts() const noexcept {
    return hosts_;
  }

 private:
  HostFacts* host(const IpAddress& a, Timestamp ts);

  std::size_t max_hosts_;
  EngineStats stats_;
  std::unordered_map<IpAddress, HostFacts, IpAddressHash> hosts_;
};

}  // namespace netseen::detect
