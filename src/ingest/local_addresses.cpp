#include "ingest/local_addresses.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace netseen::ingest {

LocalAddresses::LocalAddresses(std::vector<IpAddress> addresses) : addrs_(std::move(addresses)) {
  std::sort(addrs_.begin(), addrs_.end());
  addrs_.erase(std::unique(addrs_.begin(), addrs_.end()), addrs_.end());
}

Result<LocalAddresses> LocalAddresses::current() {
  LocalAddresses l;
  NETSEEN_TRY(l.refresh());
  return l;
}

Result<void> LocalAddresses::refresh() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    const int e = errno;
    return fail(ErrorKind::Io, "local_addresses", 0, "getifaddrs failed (errno " + std::to_string(e) + ")");
  }
  std::vector<IpAddress> found;
  for (const ifaddrs* i = list; i != nullptr && found.size() < kMaxAddresses; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    if (i->ifa_addr->sa_family == AF_INET) {
      sockaddr_in sin{};
      std::memcpy(&sin, i->ifa_addr, sizeof sin);
      found.push_back(IpAddress::v4(ntohl(sin.sin_addr.s_addr)));
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      sockaddr_in6 sin6{};
      std::memcpy(&sin6, i->ifa_addr, sizeof sin6);
      std::array<std::uint8_t, 16> b{};
      std::memcpy(b.data(), &sin6.sin6_addr, b.size());
      found.push_back(IpAddress::v6(b));
    }
  }
  ::freeifaddrs(list);
  *this = LocalAddresses(std::move(found));
  return Ok{};
}

bool LocalAddresses::contains(const IpAddress& a) const noexcept {
  if (a.is_loopback()) return true;  // all of 127/8 is this machine, not only 127.0.0.1
  return std::binary_search(addrs_.begin(), addrs_.end(), a);
}

}  // namespace netseen::ingest
