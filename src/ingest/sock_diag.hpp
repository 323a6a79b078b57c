// The kernel's socket table through NETLINK_SOCK_DIAG (inet_diag, linux/inet_diag.h).
//
// Two halves, kept apart so that the hostile half can be tested and fuzzed without a kernel:
//  - pure functions that build a SOCK_DIAG_BY_FAMILY request and parse a reply datagram
//    (every length in a reply is untrusted: read through ByteReader, counts capped);
//  - SockDiagClient (dump the UDP or TCP sockets of one family, optionally only those bound
//    to one local port) and SockDiagDestroyListener (the SKNLGRP_*_DESTROY multicast groups:
//    one message per socket at the moment the kernel frees it; needs CAP_NET_ADMIN).
// Netlink headers are in host byte order; ports and addresses inside inet_diag_sockid are in
// network byte order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/ip_address.hpp"
#include "core/result.hpp"

namespace netseen::ingest {

inline constexpr std::uint8_t kIpProtoTcp = 6;
inline constexpr std::uint8_t kIpProtoUdp = 17;

// One socket as the kernel describes it (struct inet_diag_msg).
struct SockDiagRecord {
  std::uint8_t family = 0;     // AF_INET (2) or AF_INET6 (10)
  std::uint8_t protocol = 0;   // 6 or 17: from the request, or the INET_DIAG_PROTOCOL attribute
  std::uint8_t state = 0;      // TCP_* state numbers; UDP: 7 (CLOSE) unconnected, 1 connected
  IpAddress local, remote;     // IPv6 sockets may hold v4-mapped addresses (::ffff:a.b.c.d)
  std::uint16_t local_port = 0, remote_port = 0;
  std::uint32_t ifindex = 0;   // SO_BINDTODEVICE, 0 if none
  std::uint64_t cookie = 0;    // the kernel's socket cookie
  std::uint32_t uid = 0;       // owner (the creator's fsuid)
  std::uint32_t inode = 0;     // 0 when no file refers to the socket any more (orphaned, TIME_WAIT)
};

// Caps for one reply stream. A dump that exceeds them stops with LimitExceeded.
struct SockDiagLimits {
  std::size_t max_records = 65536;
  std::size_t max_messages = 70000;   // netlink messages of any type, DONE and errors included
  std::size_t max_attributes = 64;    // per message
};

// Accumulates the messages of one dump (several datagrams) or of one multicast datagram.
struct SockDiagParse {
  std::vector<SockDiagRecord> records;
  std::size_t messages = 0;
  bool done = false;                  // NLMSG_DONE seen
  int error = 0;                      // errno from an NLMSG_ERROR (positive), 0 if none
  std::uint8_t default_protocol = 0;  // stamped on records without INET_DIAG_PROTOCOL
  std::uint32_t seq = 0;              // when non-zero, messages of another sequence are skipped
  std::size_t stale = 0;              // messages skipped for their sequence number
};

// Parses one datagram (a sequence of netlink messages) and appends what it finds to `state`.
// Messages of unknown types are skipped by their declared length; a message that claims more
// bytes than the datagram holds, or fewer than a header, is an error. Records found before
// an error are kept in `state`.
Result<void> parse_sock_diag_datagram(Bytes datagram, SockDiagParse& state, const SockDiagLimits& limits);

// struct nlmsghdr + struct inet_diag_req_v2 (+ an INET_DIAG_REQ_BYTECODE filter selecting
// local port == `local_port` when given). `states` is a bit mask of TCP states (1 << state).
std::vector<std::uint8_t> build_sock_diag_request(std::uint8_t family, std::uint8_t protocol, std::uint32_t states,
                                                  std::optional<std::uint16_t> local_port, std::uint32_t seq);

// A NETLINK_SOCK_DIAG socket for dumps. Move-only; closes its descriptor.
class SockDiagClient {
 public:
  static Result<SockDiagClient> open();
  SockDiagClient(SockDiagClient&& o) noexcept;
  SockDiagClient& operator=(SockDiagClient&& o) noexcept;
  SockDiagClient(const SockDiagClient&) = delete;
  SockDiagClient& operator=(const SockDiagClient&) = delete;
  ~SockDiagClient();

  // All sockets of (family, protocol) in any state, or only those whose local port is
  // `local_port`. Appends to `out`.
  Result<void> dump(std::uint8_t family, std::uint8_t protocol, std::optional<std::uint16_t> local_port,
                    std::vector<SockDiagRecord>& out, const SockDiagLimits& limits);

 private:
  explicit SockDiagClient(int fd) noexcept : fd_(fd) {}
  int fd_ = -1;
  std::uint32_t seq_ = 0;
  std::vector<std::uint8_t> buf_;
};

// Destroy notifications for one protocol (IPv4 and IPv6 groups). Non-blocking.
class SockDiagDestroyListener {
 public:
  // Fails with ErrorKind::Io and an explanation when the groups cannot be joined (without
  // CAP_NET_ADMIN the kernel answers EPERM).
  static Result<SockDiagDestroyListener> open(std::uint8_t protocol);
  SockDiagDestroyListener(SockDiagDestroyListener&& o) noexcept;
  SockDiagDestroyListener& operator=(SockDiagDestroyListener&& o) noexcept;
  SockDiagDestroyListener(const SockDiagDestroyListener&) = delete;
  SockDiagDestroyListener& operator=(const SockDiagDestroyListener&) = delete;
  ~SockDiagDestroyListener();

  // Reads every notification already queued (at most `max_datagrams`), appending records.
  // Returns the number of records read. Counts queue overruns (ENOBUFS) in overruns().
  Result<std::size_t> drain(std::vector<SockDiagRecord>& out, std::size_t max_datagrams, const SockDiagLimits& limits);
  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] std::uint64_t overruns() const noexcept { return overruns_; }

 private:
  SockDiagDestroyListener(int fd, std::uint8_t protocol) noexcept : fd_(fd), protocol_(protocol) {}
  int fd_ = -1;
  std::uint8_t protocol_ = 0;
  std::uint64_t overruns_ = 0;
  std::vector<std::uint8_t> buf_;
};

}  // namespace netseen::ingest
