// A non-blocking IPv4 UDP socket for the NetBIOS client and responder (POSIX, Linux).
//
// - IP_PKTINFO: each datagram received says which local address it was sent to, and a reply
//   can be sent from that address (so one socket bound to 0.0.0.0 answers from every queried
//   address, and a scanner sees replies arrive for the address it asked).
// - IP_RECVERR: ICMP errors (port/host unreachable) are queued on the socket with the
//   original destination, so "nobody listens" is told apart from silence.
// Nothing here throws; failures are ErrorKind::Io with errno text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace netseen::netbios::net {

struct Endpoint {
  std::uint32_t address = 0;  // IPv4, host byte order
  std::uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct UdpOptions {
  Endpoint bind{};             // 0.0.0.0:0 = any address, ephemeral port
  bool broadcast = false;      // SO_BROADCAST
  bool reuse_address = false;  // SO_REUSEADDR
  int buffer_bytes = 0;        // SO_RCVBUF/SO_SNDBUF when > 0
};

enum class RecvKind : std::uint8_t { Datagram, IcmpError, Nothing };

struct Received {
  RecvKind kind = RecvKind::Nothing;
  std::size_t size = 0;          // bytes stored in the buffer (Datagram)
  bool truncated = false;        // the datagram was larger than the buffer
  Endpoint from{};               // sender (Datagram)
  std::uint32_t local_address = 0;  // local address it was sent to (IP_PKTINFO), 0 if unknown
  // IcmpError: the destination of the datagram that caused the error, and the ICMP type/code.
  Endpoint offender{};
  std::uint32_t reporter = 0;    // address that sent the ICMP message
  std::uint8_t icmp_type = 0, icmp_code = 0;
  int error_number = 0;          // errno carried by the error (ECONNREFUSED, EHOSTUNREACH, …)
};

// Datagrams queued for one sendmmsg(2) call. Each datagram is copied into a slot of the batch
// (at most kSlotBytes), so the caller may reuse or patch its own buffer right away.
class SendBatch {
 public:
  static constexpr std::size_t kSlotBytes = 2048;
  explicit SendBatch(std::size_t capacity = 64);
  ~SendBatch();
  SendBatch(SendBatch&&) noexcept;
  SendBatch& operator=(SendBatch&&) noexcept;
  SendBatch(const SendBatch&) = delete;
  SendBatch& operator=(const SendBatch&) = delete;

  // Copies one datagram in; returns the copy (writable, e.g. to patch an id) or an empty span
  // when the batch is full or the datagram is larger than a slot.
  std::span<std::uint8_t> add(std::span<const std::uint8_t> data, Endpoint to, std::uint32_t source = 0) noexcept;
  void clear() noexcept { size_ = 0; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] bool full() const noexcept { return size_ == capacity_; }

 private:
  friend class UdpSocket;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// Buffers for one recvmmsg(2) call: up to `capacity` datagrams of at most `slot_bytes` each.
class RecvBatch {
 public:
  explicit RecvBatch(std::size_t capacity = 64, std::size_t slot_bytes = 2048);
  ~RecvBatch();
  RecvBatch(RecvBatch&&) noexcept;
  RecvBatch& operator=(RecvBatch&&) noexcept;
  RecvBatch(const RecvBatch&) = delete;
  RecvBatch& operator=(const RecvBatch&) = delete;

  // Datagrams stored by the last receive_batch().
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::span<const std::uint8_t> data(std::size_t i) const noexcept;
  [[nodiscard]] const Received& info(std::size_t i) const noexcept { return info_[i]; }

 private:
  friend class UdpSocket;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<Received> info_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::size_t slot_ = 0;
};

class UdpSocket {
 public:
  UdpSocket() = default;
  ~UdpSocket();
  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  static Result<UdpSocket> open(const UdpOptions& options);

  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] Endpoint local() const noexcept { return local_; }

  // Sends one datagram; `source` (non-zero) picks the source address via IP_PKTINFO.
  // Returns false (no error) when the send buffer is full (EAGAIN/ENOBUFS): try again later.
  Result<bool> send_to(std::span<const std::uint8_t> data, Endpoint to, std::uint32_t source = 0) noexcept;
  // Sends the datagrams of `batch` from index `first` on with sendmmsg(2); returns how many were
  // sent, in order (fewer than asked, possibly 0, when the send buffer is full: retry the rest
  // later).
  Result<std::size_t> send_batch(const SendBatch& batch, std::size_t first = 0) noexcept;
  // Receives up to batch.capacity() datagrams with recvmmsg(2); returns how many (0 when none is
  // waiting, or when an ICMP error is pending: read it with receive_error()).
  Result<std::size_t> receive_batch(RecvBatch& batch) noexcept;
  // One datagram or one queued ICMP error; kind Nothing when there is none right now.
  Result<Received> receive(std::span<std::uint8_t> buffer) noexcept;
  // One queued ICMP error (MSG_ERRQUEUE); kind Nothing when the queue is empty.
  Result<Received> receive_error() noexcept;
  // Waits until readable or an error is queued (true) or the timeout passes (false).
  [[nodiscard]] bool wait(int timeout_us) const noexcept;

 private:
  int fd_ = -1;
  Endpoint local_{};
};

}  // namespace netseen::netbios::net
