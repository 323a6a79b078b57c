#include "detect/dns_tracker.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

namespace netseen::detect {

std::optional<IpAddress> DnsTracker::address_from_ptr_name(std::string_view q) {
  if (!q.empty() && q.back() == '.') q.remove_suffix(1);
  auto ends_with = [&](std::string_view suffix) {
    return q.size() >= suffix.size() &&
           std::equal(suffix.rbegin(), suffix.rend(), q.rbegin(),
                      [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b + 32) : b); });
  };
  if (ends_with(".in-addr.arpa")) {
    q.remove_suffix(13);
    std::array<unsigned, 4> parts{};
    std::size_t n = 0;
    while (!q.empty()) {
      if (n == 4) return std::nullopt;
      const auto dot = q.find('.');
      const auto label = q.substr(0, dot);
      unsigned v = 0;
      auto [p, ec] = std::from_chars(label.data(), label.data() + label.size(), v);
      if (ec != std::errc{} || p != label.data() + label.size() || v > 255 || label.empty()) return std::nullopt;
      parts[n++] = v;
      if (dot == std::string_view::npos) break;
      q.remove_prefix(dot + 1);
    }
    if (n != 4) return std::nullopt;  // partial (delegation) names do not name one host
    return IpAddress::v4(static_cast<std::uint8_t>(parts[3]), static_cast<std::uint8_t>(parts[2]),
                         static_cast<std::uint8_t>(parts[1]), static_cast<std::uint8_t>(parts[0]));
  }
  if (ends_with(".ip6.arpa")) {
    q.remove_suffix(9);
    std::array<std::uint8_t, 16> b{};
    std::size_t nibbles = 0;
    for (std::size_t i = 0; i < q.size(); ++i) {
      if (i % 2 == 1) {
        if (q[i] != '.') return std::nullopt;
        continue;
      }
      const char c = q[i];
      unsigned v = 0;
      if (c >= '0' && c <= '9') v = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v = static_cast<unsigned>(c - 'A' + 10);
      else return std::nullopt;
      if (nibbles >= 32) return std::nullopt;
      const std::size_t pos = 31 - nibbles;  // first nibble is the lowest
      b[pos / 2] = static_cast<std::uint8_t>(b[pos / 2] | (pos % 2 == 0 ? v << 4 : v));
      ++nibbles;
    }
    if (nibbles != 32) return std::nullopt;
    return IpAddress::v6(b);
  }
  return std::nullopt;
}

void DnsTracker::on_event(const decode::Event& e) {
  if (!e.dns || e.dns->qtype != 12) return;  // PTR only
  if (e.ts > newest_) newest_ = e.ts;
  auto target = address_from_ptr_name(e.dns->qname);
  if (!target) return;
  const IpAddress client = e.dns->response ? e.dst : e.src;
  Key key{client, *target};
  if (!e.dns->response) {
    if (lookups_.size() >= max_ && lookups_.find(key) == lookups_.end()) {
      // Drop everything older than five minutes before the newest event; count it.
      const std::int64_t horizon = newest_.us - 300'000'000;
      for (auto it = lookups_.begin(); it != lookups_.end();) {
        if (it->second.asked.us < horizon) {
          it = lookups_.erase(it);
          ++evicted_;
        } else {
          ++it;
        }
      }
      if (lookups_.size() >= max_) {
        ++evicted_;
        return;
      }
    }
    auto& l = lookups_[key];
    l = PtrLookup{e.ts, {}, PtrOutcome::Pending, 0};
    return;
  }
  auto it = lookups_.find(key);
  if (it == lookups_.end()) return;
  it->second.settled = e.ts;
  it->second.rcode = e.dns->rcode;
  const bool answered = e.dns->rcode == 0 && !e.dns->ptr_targets.empty();
  it->second.outcome = answered ? PtrOutcome::Answered : PtrOutcome::Failed;
}

std::optional<PtrLookup> DnsTracker::ptr_lookup(const IpAddress& client, const IpAddress& target) const {
  auto it = lookups_.find(Key{client, target});
  if (it == lookups_.end()) return std::nullopt;
  return it->second;
}

}  // namespace netseen::detect
