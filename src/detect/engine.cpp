#include "detect/engine.hpp"

#include <fmt/format.h>

namespace netseen::detect {

HostFacts* Engine::host(const IpAddress& a, Timestamp ts) {
  if (!a.valid()) return nullptr;
  auto it = hosts_.find(a);
  if (it == hosts_.end()) {
    if (hosts_.size() >= max_hosts_) {
      ++stats_.hosts_evicted;
      return nullptr;
    }
    it = hosts_.emplace(a, HostFacts{}).first;
    it->second.address = a;
    it->second.first_seen = ts;
  }
  if (ts < it->second.first_seen) it->second.first_seen = ts;
  if (ts > it->second.last_seen) it->second.last_seen = ts;
  return &it->second;
}

void Engine::on_event(const decode::Event& e) {
  stats_.events += e.count;
  if (!stats_.have_ts) {
    stats_.first_ts = stats_.last_ts = e.ts;
    stats_.have_ts = true;
  } else {
    if (e.ts < stats_.first_ts) stats_.first_ts = e.ts;
    if (e.ts > stats_.last_ts) stats_.last_ts = e.ts;
  }
  std::string proto = decode::to_string(e.transport);
  if (e.transport == decode::Transport::None && e.ip_version != 0) proto = fmt::format("ip-proto-{}", e.protocol);
  if (e.transport == decode::Transport::None && e.ip_version == 0) proto = "non-ip";
  stats_.by_protocol[proto] += e.count;
  if (e.action != decode::Action::Unknown) stats_.by_action[decode::to_string(e.action)] += e.count;
  if (auto* h = host(e.src, e.ts)) {
    h->events_as_source += e.count;
    h->bytes_as_source += e.wire_len != 0 ? e.wire_len : e.ip_len;
  }
  if (auto* h = host(e.dst, e.ts)) h->events_as_destination += e.count;
}

void Engine::finish() {}

}  // namespace netseen::detect
