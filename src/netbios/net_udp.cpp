#include "netbios/net_udp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>
#include <string>
#include <utility>

namespace netseen::netbios::net {

namespace {

constexpr std::string_view kLayer = "udp";

Error io_error(const char* what, int err) {
  return make_error(ErrorKind::Io, kLayer, 0, std::string(what) + ": " + std::strerror(err));
}

sockaddr_in to_sockaddr(Endpoint e) noexcept {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(e.port);
  sa.sin_addr.s_addr = htonl(e.address);
  return sa;
}

Endpoint from_sockaddr(const sockaddr_in& sa) noexcept {
  return Endpoint{ntohl(sa.sin_addr.s_addr), ntohs(sa.sin_port)};
}

bool set_int(int fd, int level, int opt, int value) noexcept {
  return setsockopt(fd, level, opt, &value, sizeof value) == 0;
}

constexpr std::size_t kControlBytes = CMSG_SPACE(sizeof(in_pktinfo)) + 64;

void fill_pktinfo_source(msghdr& msg, unsigned char* control, std::size_t control_size, std::uint32_t source) noexcept {
  msg.msg_control = control;
  msg.msg_controllen = control_size;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
  in_pktinfo info{};
  info.ipi_spec_dst.s_addr = htonl(source);
  std::memcpy(CMSG_DATA(c), &info, sizeof info);
  msg.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
}

std::uint32_t pktinfo_destination(msghdr& msg) noexcept {
  std::uint32_t local = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo))) {
      in_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      local = ntohl(info.ipi_addr.s_addr);
    }
  }
  return local;
}

struct ControlBlock {
  alignas(cmsghdr) unsigned char bytes[kControlBytes];
};

}  // namespace

// ---- SendBatch / RecvBatch -------------------------------------------------------------------

struct SendBatch::Impl {
  std::vector<std::uint8_t> slots;
  std::vector<std::size_t> lengths;
  std::vector<Endpoint> to;
  std::vector<std::uint32_t> source;
  std::vector<mmsghdr> hdrs;
  std::vector<iovec> iovs;
  std::vector<sockaddr_in> addrs;
  std::vector<ControlBlock> controls;
};

SendBatch::SendBatch(std::size_t capacity) : impl_(std::make_unique<Impl>()), capacity_(capacity == 0 ? 1 : capacity) {
  impl_->slots.resize(capacity_ * kSlotBytes);
  impl_->lengths.resize(capacity_);
  impl_->to.resize(capacity_);
  impl_->source.resize(capacity_);
  impl_->hdrs.resize(capacity_);
  impl_->iovs.resize(capacity_);
  impl_->addrs.resize(capacity_);
  impl_->controls.resize(capacity_);
}
SendBatch::~SendBatch() = default;
SendBatch::SendBatch(SendBatch&&) noexcept = default;
SendBatch& SendBatch::operator=(SendBatch&&) noexcept = default;

std::span<std::uint8_t> SendBatch::add(std::span<const std::uint8_t> data, Endpoint to, std::uint32_t source) noexcept {
  if (size_ >= capacity_ || data.size() > kSlotBytes) return {};
  std::uint8_t* slot = impl_->slots.data() + size_ * kSlotBytes;
  if (!data.empty()) std::memcpy(slot, data.data(), data.size());
  impl_->lengths[size_] = data.size();
  impl_->to[size_] = to;
  impl_->source[size_] = source;
  ++size_;
  return {slot, data.size()};
}

struct RecvBatch::Impl {
  std::vector<std::uint8_t> slots;
  std::vector<mmsghdr> hdrs;
  std::vector<iovec> iovs;
  std::vector<sockaddr_in> addrs;
  std::vector<ControlBlock> controls;
};

RecvBatch::RecvBatch(std::size_t capacity, std::size_t slot_bytes)
    : impl_(std::make_unique<Impl>()), capacity_(capacity == 0 ? 1 : capacity), slot_(slot_bytes == 0 ? 1 : slot_bytes) {
  impl_->slots.resize(capacity_ * slot_);
  impl_->hdrs.resize(capacity_);
  impl_->iovs.resize(capacity_);
  impl_->addrs.resize(capacity_);
  impl_->controls.resize(capacity_);
  info_.resize(capacity_);
}
RecvBatch::~RecvBatch() = default;
RecvBatch::RecvBatch(RecvBatch&&) noexcept = default;
RecvBatch& RecvBatch::operator=(RecvBatch&&) noexcept = default;

std::span<const std::uint8_t> RecvBatch::data(std::size_t i) const noexcept {
  return {impl_->slots.data() + i * slot_, info_[i].size};
}

Result<std::size_t> UdpSocket::send_batch(const SendBatch& batch, std::size_t first) noexcept {
  if (first >= batch.size()) return std::size_t{0};
  SendBatch::Impl& b = *batch.impl_;
  const std::size_t count = batch.size() - first;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t i = first + k;
    b.addrs[k] = to_sockaddr(b.to[i]);
    b.iovs[k] = iovec{b.slots.data() + i * SendBatch::kSlotBytes, b.lengths[i]};
    msghdr& msg = b.hdrs[k].msg_hdr;
    msg = msghdr{};
    msg.msg_name = &b.addrs[k];
    msg.msg_namelen = sizeof(sockaddr_in);
    msg.msg_iov = &b.iovs[k];
    msg.msg_iovlen = 1;
    if (b.source[i] != 0) fill_pktinfo_source(msg, b.controls[k].bytes, kControlBytes, b.source[i]);
    b.hdrs[k].msg_len = 0;
  }
  for (int attempt = 0; attempt < 4; ++attempt) {
    const int n = ::sendmmsg(fd_, b.hdrs.data(), static_cast<unsigned>(count), MSG_DONTWAIT);
    if (n >= 0) return static_cast<std::size_t>(n);
    const int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == ENOBUFS) return std::size_t{0};
    // A pending ICMP error of this unconnected socket is reported on the next send: retry.
    if (err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH) continue;
    return io_error("sendmmsg", err);
  }
  return std::size_t{0};
}

Result<std::size_t> UdpSocket::receive_batch(RecvBatch& batch) noexcept {
  RecvBatch::Impl& b = *batch.impl_;
  batch.size_ = 0;
  for (std::size_t k = 0; k < batch.capacity_; ++k) {
    b.iovs[k] = iovec{b.slots.data() + k * batch.slot_, batch.slot_};
    msghdr& msg = b.hdrs[k].msg_hdr;
    msg = msghdr{};
    msg.msg_name = &b.addrs[k];
    msg.msg_namelen = sizeof(sockaddr_in);
    msg.msg_iov = &b.iovs[k];
    msg.msg_iovlen = 1;
    msg.msg_control = b.controls[k].bytes;
    msg.msg_controllen = kControlBytes;
    b.hdrs[k].msg_len = 0;
  }
  for (int attempt = 0; attempt < 4; ++attempt) {
    const int n = ::recvmmsg(fd_, b.hdrs.data(), static_cast<unsigned>(batch.capacity_), MSG_DONTWAIT, nullptr);
    if (n < 0) {
      const int err = errno;
      if (err == EAGAIN) return std::size_t{0};
      // EINTR; or an ICMP error reported once (IP_RECVERR: the details wait in the error queue,
      // the datagrams behind it are still to be read).
      if (err == EINTR || err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH || err == EHOSTDOWN) {
        continue;
      }
      return io_error("recvmmsg", err);
    }
    const auto got = static_cast<std::size_t>(n);
    for (std::size_t k = 0; k < got; ++k) {
      Received& r = batch.info_[k];
      r = Received{};
      r.kind = RecvKind::Datagram;
      r.size = std::min<std::size_t>(b.hdrs[k].msg_len, batch.slot_);
      r.truncated = (b.hdrs[k].msg_hdr.msg_flags & MSG_TRUNC) != 0;
      r.from = from_sockaddr(b.addrs[k]);
      r.local_address = pktinfo_destination(b.hdrs[k].msg_hdr);
    }
    batch.size_ = got;
    return got;
  }
  return std::size_t{0};
}

// ---- UdpSocket -------------------------------------------------------------------------------

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)), local_(other.local_) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    local_ = other.local_;
  }
  return *this;
}

Result<UdpSocket> UdpSocket::open(const UdpOptions& options) {
  UdpSocket s;
  s.fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s.fd_ < 0) return io_error("socket", errno);
  if (!set_int(s.fd_, IPPROTO_IP, IP_PKTINFO, 1)) return io_error("setsockopt IP_PKTINFO", errno);
  if (!set_int(s.fd_, IPPROTO_IP, IP_RECVERR, 1)) return io_error("setsockopt IP_RECVERR", errno);
  if (options.broadcast && !set_int(s.fd_, SOL_SOCKET, SO_BROADCAST, 1)) {
    return io_error("setsockopt SO_BROADCAST", errno);
  }
  if (options.reuse_address && !set_int(s.fd_, SOL_SOCKET, SO_REUSEADDR, 1)) {
    return io_error("setsockopt SO_REUSEADDR", errno);
  }
  if (options.buffer_bytes > 0) {
    // Best effort: the kernel caps these at net.core.[rw]mem_max.
    static_cast<void>(set_int(s.fd_, SOL_SOCKET, SO_RCVBUF, options.buffer_bytes));
    static_cast<void>(set_int(s.fd_, SOL_SOCKET, SO_SNDBUF, options.buffer_bytes));
  }
  const sockaddr_in sa = to_sockaddr(options.bind);
  if (::bind(s.fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {  // NOLINT
    const int err = errno;
    return make_error(ErrorKind::Io, kLayer, 0,
                      "bind " + std::to_string(options.bind.address >> 24) + "." +
                          std::to_string((options.bind.address >> 16) & 0xFF) + "." +
                          std::to_string((options.bind.address >> 8) & 0xFF) + "." +
                          std::to_string(options.bind.address & 0xFF) + ":" + std::to_string(options.bind.port) +
                          ": " + std::strerror(err));
  }
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  if (::getsockname(s.fd_, reinterpret_cast<sockaddr*>(&bound), &len) == 0) s.local_ = from_sockaddr(bound);  // NOLINT
  return s;
}

Result<bool> UdpSocket::send_to(std::span<const std::uint8_t> data, Endpoint to, std::uint32_t source) noexcept {
  sockaddr_in sa = to_sockaddr(to);
  iovec iov{const_cast<std::uint8_t*>(data.data()), data.size()};  // NOLINT: sendmsg does not write
  msghdr msg{};
  msg.msg_name = &sa;
  msg.msg_namelen = sizeof sa;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(in_pktinfo))]{};
  if (source != 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_spec_dst.s_addr = htonl(source);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
  }
  for (int attempt = 0; attempt < 4; ++attempt) {
    const ssize_t n = ::sendmsg(fd_, &msg, MSG_DONTWAIT);
    if (n >= 0) return true;
    const int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == ENOBUFS) return false;
    // A queued ICMP error may surface on the next send of an unconnected socket with
    // IP_RECVERR: it is read from the error queue, so retry the send once more.
    if (err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH) continue;
    return io_error("sendmsg", err);
  }
  return false;
}

Result<Received> UdpSocket::receive_error() noexcept {
  Received out;
  sockaddr_in original{};
  std::uint8_t dummy[512];
  iovec iov{dummy, sizeof dummy};
  alignas(cmsghdr) unsigned char control[512];
  msghdr msg{};
  msg.msg_name = &original;
  msg.msg_namelen = sizeof original;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  const ssize_t n = ::recvmsg(fd_, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
  if (n < 0) {
    const int err = errno;
    if (err == EAGAIN || err == EINTR) return out;
    return io_error("recvmsg(MSG_ERRQUEUE)", err);
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR) continue;
    sock_extended_err ee{};
    if (c->cmsg_len < CMSG_LEN(sizeof ee)) continue;
    std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
    out.kind = RecvKind::IcmpError;
    out.error_number = static_cast<int>(ee.ee_errno);
    out.icmp_type = ee.ee_type;
    out.icmp_code = ee.ee_code;
    out.offender = from_sockaddr(original);
    if (c->cmsg_len >= CMSG_LEN(sizeof ee + sizeof(sockaddr_in))) {
      sockaddr_in rep{};
      std::memcpy(&rep, CMSG_DATA(c) + sizeof ee, sizeof rep);
      out.reporter = ntohl(rep.sin_addr.s_addr);
    }
    if (ee.ee_origin != SO_EE_ORIGIN_ICMP) out.icmp_type = 0;
  }
  if (out.kind == RecvKind::Nothing) out.kind = RecvKind::IcmpError;  // an error without detail
  return out;
}

Result<Received> UdpSocket::receive(std::span<std::uint8_t> buffer) noexcept {
  Received out;
  sockaddr_in from{};
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(in_pktinfo)) + 64];
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  for (int attempt = 0; attempt < 4; ++attempt) {
    const ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT);
    if (n < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN) return out;
      // With IP_RECVERR an ICMP error is reported here once; the details are in the queue.
      if (err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH || err == EHOSTDOWN) {
        return receive_error();
      }
      return io_error("recvmsg", err);
    }
    out.kind = RecvKind::Datagram;
    out.size = static_cast<std::size_t>(n);
    out.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
    out.from = from_sockaddr(from);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo))) {
        in_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        out.local_address = ntohl(info.ipi_addr.s_addr);
      }
    }
    return out;
  }
  return out;
}

bool UdpSocket::wait(int timeout_us) const noexcept {
  pollfd p{fd_, POLLIN, 0};
  timespec ts{};
  if (timeout_us > 0) {
    ts.tv_sec = timeout_us / 1000000;
    ts.tv_nsec = static_cast<long>(timeout_us % 1000000) * 1000;
  }
  const int r = ::ppoll(&p, 1, &ts, nullptr);
  return r > 0;
}

}  // namespace netseen::netbios::net
