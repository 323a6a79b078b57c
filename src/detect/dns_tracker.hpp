// Correlation across protocols: which reverse (PTR) lookups did a host make, and how did
// they end? nbstat.reverse_lookup asks this just before a node-status query.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "core/ip_address.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"

namespace netseen::detect {

enum class PtrOutcome : std::uint8_t { Pending, Answered, Failed };

struct PtrLookup {
  Timestamp asked;
  Timestamp settled;            // when the answer came (Answered/Failed)
  PtrOutcome outcome = PtrOutcome::Pending;
  std::uint8_t rcode = 0;
};

class DnsTracker {
 public:
  explicit DnsTracker(std::size_t max_entries = 200'000) : max_(max_entries) {}
  void on_event(const decode::Event& e);
  // The latest PTR lookup `client` made for `target` no later than `at`, if remembered.
  [[nodiscard]] std::optional<PtrLookup> ptr_lookup(const IpAddress& client, const IpAddress& target) const;
  [[nodiscard]] std::uint64_t evicted() const noexcept { return evicted_; }

  // "4.3.2.1.in-addr.arpa" → 1.2.3.4; IPv6 ip6.arpa nibble names too.
  static std::optional<IpAddress> address_from_ptr_name(std::string_view qname);

 private:
  struct Key {
    IpAddress client, target;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      IpAddressHash h;
      return h(k.client) * 31 + h(k.target);
    }
  };
  std::size_t max_;
  std::uint64_t evicted_ = 0;
  std::unordered_map<Key, PtrLookup, KeyHash> lookups_;
  // DNS id + client → target for matching answers to questions without a name in them.
  Timestamp newest_;
};

}  // namespace netseen::detect
