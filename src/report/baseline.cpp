#include "report/baseline.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace netseen::report {

namespace {

template <class Table, class K>
void count(Table& table, const K& key, std::uint64_t n) {
  for (auto& e : table) {
    if (e.key == key) {
      e.events += n;
      return;
    }
  }
  if (table.size() < BaselineCollector::kTopN) {
    table.push_back({key, n});
    return;
  }
  // Space-saving: the newcomer takes the smallest slot and inherits its count.
  auto smallest = std::min_element(table.begin(), table.end(),
                                   [](const auto& a, const auto& b) { return a.events < b.events; });
  smallest->key = key;
  smallest->events += n;
}

void sort_entries(std::vector<BaselineEntry>& v) {
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    if (a.events != b.events) return a.events > b.events;
    return a.key < b.key;
  });
}

}  // namespace

void BaselineCollector::add(const decode::Event& e) {
  if (e.ip_version == 0) return;
  auto it = hosts_.find(e.src);
  if (it == hosts_.end()) {
    if (hosts_.size() >= kMaxHosts) {
      ++dropped_;
      return;
    }
    it = hosts_.emplace(e.src, Counting{}).first;
  }
  const std::uint64_t n = e.count == 0 ? 1 : e.count;
  count(it->second.peers, e.dst, n);
  if (e.later_fragment) return;
  if (e.transport == decode::Transport::Tcp) count(it->second.ports, e.dport | (1U << 16), n);
  if (e.transport == decode::Transport::Udp) count(it->second.ports, e.dport | (2U << 16), n);
}

std::vector<std::pair<IpAddress, HostBaseline>> BaselineCollector::sorted() const {
  std::vector<std::pair<IpAddress, HostBaseline>> out;
  out.reserve(hosts_.size());
  for (const auto& [a, c] : hosts_) {
    HostBaseline b;
    for (const auto& p : c.peers) b.peers.push_back({p.key.to_string(), p.events});
    for (const auto& p : c.ports) {
      b.ports.push_back({fmt::format("{}/{}", p.key & 0xFFFFU, (p.key >> 16) == 1 ? "tcp" : "udp"), p.events});
    }
    sort_entries(b.peers);
    sort_entries(b.ports);
    out.emplace_back(a, std::move(b));
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  return out;
}

}  // namespace netseen::report
