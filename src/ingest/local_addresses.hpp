// The addresses of this machine (getifaddrs), to tell traffic that starts or ends here from
// traffic merely seen on the wire or forwarded for another host.
#pragma once

#include <cstddef>
#include <vector>

#include "core/ip_address.hpp"
#include "core/result.hpp"

namespace netseen::ingest {

class LocalAddresses {
 public:
  LocalAddresses() = default;
  explicit LocalAddresses(std::vector<IpAddress> addresses);
  // The interface addresses of the current network namespace (at most kMaxAddresses).
  static Result<LocalAddresses> current();
  // Reads them again (interfaces come and go; DHCP renews).
  Result<void> refresh();

  [[nodiscard]] bool contains(const IpAddress& a) const noexcept;
  [[nodiscard]] const std::vector<IpAddress>& addresses() const noexcept { return addrs_; }

  static constexpr std::size_t kMaxAddresses = 4096;

 private:
  std::vector<IpAddress> addrs_;  // sorted, unique
};

}  // namespace netseen::ingest
