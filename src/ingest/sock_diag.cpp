#include "ingest/sock_diag.hpp"

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#ifdef __linux__
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace netseen::ingest {

namespace {

constexpr std::string_view kLayer = "sock_diag";

// Wire constants (stable kernel ABI; checked against the headers below when they exist).
constexpr std::uint16_t kNlmsgError = 2;
constexpr std::uint16_t kNlmsgDone = 3;
constexpr std::uint16_t kSockDiagByFamily = 20;
constexpr std::size_t kNlmsgHdrLen = 16;
constexpr std::size_t kInetDiagMsgLen = 72;
constexpr std::size_t kInetDiagReqV2Len = 56;
constexpr std::uint16_t kNlmFRequest = 0x01;
constexpr std::uint16_t kNlmFDump = 0x300;  // NLM_F_ROOT | NLM_F_MATCH
constexpr std::uint16_t kInetDiagReqBytecode = 1;
constexpr std::uint16_t kInetDiagProtocol = 10;  // a response attribute
constexpr std::uint8_t kBcSGe = 2, kBcSLe = 3;
constexpr std::uint8_t kAfInet = 2, kAfInet6 = 10;

#ifdef __linux__
static_assert(NLMSG_ERROR == kNlmsgError && NLMSG_DONE == kNlmsgDone);
static_assert(SOCK_DIAG_BY_FAMILY == kSockDiagByFamily);
static_assert(sizeof(struct nlmsghdr) == kNlmsgHdrLen);
static_assert(sizeof(struct inet_diag_msg) == kInetDiagMsgLen);
static_assert(sizeof(struct inet_diag_req_v2) == kInetDiagReqV2Len);
static_assert(NLM_F_REQUEST == kNlmFRequest && NLM_F_DUMP == kNlmFDump);
static_assert(INET_DIAG_REQ_BYTECODE == kInetDiagReqBytecode && INET_DIAG_PROTOCOL == kInetDiagProtocol);
static_assert(INET_DIAG_BC_S_GE == kBcSGe && INET_DIAG_BC_S_LE == kBcSLe);
static_assert(AF_INET == kAfInet && AF_INET6 == kAfInet6);
#endif

constexpr std::size_t align4(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }

// Host byte order, as netlink wants it.
std::optional<std::uint16_t> host16(ByteReader& r) {
  return std::endian::native == std::endian::little ? r.u16le() : r.u16be();
}
std::optional<std::uint32_t> host32(ByteReader& r) {
  return std::endian::native == std::endian::little ? r.u32le() : r.u32be();
}
void put16(ByteWriter& w, std::uint16_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    w.u16le(v);
  } else {
    w.u16be(v);
  }
}
void put32(ByteWriter& w, std::uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    w.u32le(v);
  } else {
    w.u32be(v);
  }
}

IpAddress read_address(std::uint8_t family, const std::array<std::uint8_t, 16>& raw) {
  if (family == kAfInet) return IpAddress::v4(raw[0], raw[1], raw[2], raw[3]);
  return IpAddress::v6(raw);
}

// struct inet_diag_msg followed by rtattr attributes.
Result<void> parse_inet_diag_msg(ByteReader body, std::size_t base, SockDiagParse& state,
                                 const SockDiagLimits& limits) {
  if (!body.can_read(kInetDiagMsgLen)) {
    return fail(ErrorKind::Truncated, kLayer, base,
                "inet_diag_msg needs " + std::to_string(kInetDiagMsgLen) + " bytes, message has " +
                    std::to_string(body.remaining()));
  }
  SockDiagRecord rec;
  rec.family = *body.u8();
  rec.state = *body.u8();
  body.skip(2);  // timer, retrans
  rec.local_port = *body.u16be();
  rec.remote_port = *body.u16be();
  std::array<std::uint8_t, 16> src{}, dst{};
  body.read_into(src);
  body.read_into(dst);
  rec.ifindex = *host32(body);
  const std::uint32_t c0 = *host32(body), c1 = *host32(body);
  rec.cookie = (std::uint64_t{c1} << 32) | c0;
  body.skip(12);  // expires, rqueue, wqueue
  rec.uid = *host32(body);
  rec.inode = *host32(body);
  if (rec.family != kAfInet && rec.family != kAfInet6) {
    return fail(ErrorKind::Malformed, kLayer, base, "address family " + std::to_string(rec.family) + " is not inet");
  }
  rec.local = read_address(rec.family, src);
  rec.remote = read_address(rec.family, dst);
  rec.protocol = state.default_protocol;
  // Attributes: struct rtattr { u16 len; u16 type; } + payload, each padded to 4.
  std::size_t attrs = 0;
  while (body.remaining() >= 4) {
    const std::size_t at = base + kInetDiagMsgLen + body.position();
    if (++attrs > limits.max_attributes) {
      return fail(ErrorKind::LimitExceeded, kLayer, at, "more than " + std::to_string(limits.max_attributes) +
                                                            " attributes in one message");
    }
    const std::uint16_t len = *host16(body);
    const std::uint16_t type = *host16(body);
    if (len < 4 || len - 4u > body.remaining()) {
      return fail(ErrorKind::Malformed, kLayer, at, "attribute length " + std::to_string(len) + " does not fit");
    }
    auto payload = body.sub(len - 4u);
    if ((type & 0x3fffu) == kInetDiagProtocol && payload && payload->size() >= 1) {
      const std::uint8_t p = *payload->u8();
      if (p != 0) rec.protocol = p;
    }
    body.skip(std::min<std::size_t>(align4(len) - len, body.remaining()));
  }
  if (state.records.size() >= limits.max_records) {
    return fail(ErrorKind::LimitExceeded, kLayer, base, "more than " + std::to_string(limits.max_records) + " sockets");
  }
  state.records.push_back(rec);
  return Ok{};
}

}  // namespace

Result<void> parse_sock_diag_datagram(Bytes datagram, SockDiagParse& state, const SockDiagLimits& limits) {
  ByteReader r(datagram);
  while (!r.empty() && !state.done) {
    const std::size_t at = r.position();
    if (!r.can_read(kNlmsgHdrLen)) {
      return fail(ErrorKind::Truncated, kLayer, at, std::to_string(r.remaining()) + " bytes left, a header needs 16");
    }
    if (++state.messages > limits.max_messages) {
      return fail(ErrorKind::LimitExceeded, kLayer, at, "more than " + std::to_string(limits.max_messages) +
                                                            " netlink messages");
    }
    const std::uint32_t len = *host32(r);
    const std::uint16_t type = *host16(r);
    r.skip(2);  // flags
    const std::uint32_t seq = *host32(r);
    r.skip(4);  // port id
    if (len < kNlmsgHdrLen) {
      return fail(ErrorKind::Malformed, kLayer, at, "message length " + std::to_string(len) + " is below the header size");
    }
    auto body = r.sub(len - kNlmsgHdrLen);
    if (!body) {
      return fail(ErrorKind::Truncated, kLayer, at, "message declares " + std::to_string(len) + " bytes, " +
                                                        std::to_string(r.remaining() + kNlmsgHdrLen) + " remain");
    }
    // The next message starts at the aligned length; a final message may omit its padding.
    r.skip(std::min<std::size_t>(align4(len) - len, r.remaining()));
    if (state.seq != 0 && seq != state.seq) {
      ++state.stale;  // left over from an earlier, abandoned dump
      continue;
    }
    switch (type) {
      case kNlmsgDone:
        state.done = true;
        break;
      case kNlmsgError: {
        auto code = host32(*body);
        if (!code) return fail(ErrorKind::Truncated, kLayer, at, "NLMSG_ERROR without an error code");
        const auto err = static_cast<std::int32_t>(*code);
        // 0 is an acknowledgement; a negative errno is a refusal. INT_MIN cannot be negated.
        if (err < 0 && err > -4096) {
          state.error = -err;
          state.done = true;
        } else if (err != 0) {
          return fail(ErrorKind::Malformed, kLayer, at, "NLMSG_ERROR code " + std::to_string(err) + " is not an errno");
        }
        break;
      }
      case kSockDiagByFamily:
        NETSEEN_TRY(parse_inet_diag_msg(*body, at + kNlmsgHdrLen, state, limits));
        break;
      default:
        break;  // NLMSG_NOOP, NLMSG_OVERRUN, future types: skipped by length
    }
  }
  return Ok{};
}

std::vector<std::uint8_t> build_sock_diag_request(std::uint8_t family, std::uint8_t protocol, std::uint32_t states,
                                                  std::optional<std::uint16_t> local_port, std::uint32_t seq) {
  // The filter: "sport >= P" then "sport <= P"; a failed test jumps past the end (reject).
  constexpr std::uint16_t kProgLen = 16;
  const std::size_t attr_len = local_port ? 4u + kProgLen : 0u;
  const std::size_t total = kNlmsgHdrLen + kInetDiagReqV2Len + attr_len;
  ByteWriter w;
  put32(w, static_cast<std::uint32_t>(total));
  put16(w, kSockDiagByFamily);
  put16(w, static_cast<std::uint16_t>(kNlmFRequest | kNlmFDump));
  put32(w, seq);
  put32(w, 0);  // to the kernel
  // inet_diag_req_v2
  w.u8(family);
  w.u8(protocol);
  w.u8(0);  // idiag_ext: no extensions wanted
  w.u8(0);  // pad
  put32(w, states);
  w.fill(48, 0);  // inet_diag_sockid: unused in a dump
  if (local_port) {
    put16(w, static_cast<std::uint16_t>(4u + kProgLen));
    put16(w, kInetDiagReqBytecode);
    // struct inet_diag_bc_op { u8 code; u8 yes; u16 no; } followed by one carrying the port.
    w.u8(kBcSGe);
    w.u8(8);
    put16(w, kProgLen + 4);  // fail: jump past the end
    w.u8(0);
    w.u8(0);
    put16(w, *local_port);
    w.u8(kBcSLe);
    w.u8(8);
    put16(w, 8 + 4);
    w.u8(0);
    w.u8(0);
    put16(w, *local_port);
  }
  return w.take();
}

#ifdef __linux__

namespace {
std::string errno_text(int e) {
  std::array<char, 128> buf{};
  // GNU strerror_r returns the message (maybe not in buf).
  const char* s = strerror_r(e, buf.data(), buf.size());
  return s != nullptr ? std::string(s) : std::string("errno ") + std::to_string(e);
}
constexpr std::size_t kRecvBuffer = 64 * 1024;
}  // namespace

Result<SockDiagClient> SockDiagClient::open() {
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) {
    const int e = errno;
    return fail(ErrorKind::Io, kLayer, 0, "cannot open a NETLINK_SOCK_DIAG socket: " + errno_text(e));
  }
  timeval tv{};
  tv.tv_sec = 1;  // a dump never takes this long; bounds a kernel that does not answer
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return SockDiagClient(fd);
}

SockDiagClient::SockDiagClient(SockDiagClient&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), seq_(o.seq_), buf_(std::move(o.buf_)) {}
SockDiagClient& SockDiagClient::operator=(SockDiagClient&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    seq_ = o.seq_;
    buf_ = std::move(o.buf_);
  }
  return *this;
}
SockDiagClient::~SockDiagClient() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> SockDiagClient::dump(std::uint8_t family, std::uint8_t protocol, std::optional<std::uint16_t> local_port,
                                  std::vector<SockDiagRecord>& out, const SockDiagLimits& limits) {
  if (fd_ < 0) return fail(ErrorKind::Io, kLayer, 0, "socket closed");
  if (++seq_ == 0) seq_ = 1;  // 0 means "any" to the parser
  const std::uint32_t seq = seq_;
  const auto req = build_sock_diag_request(family, protocol, ~0u, local_port, seq);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  const ssize_t sent = ::sendto(fd_, req.data(), req.size(), 0, reinterpret_cast<const sockaddr*>(&kernel),
                                sizeof kernel);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
  if (sent < 0 || static_cast<std::size_t>(sent) != req.size()) {
    const int e = errno;
    return fail(ErrorKind::Io, kLayer, 0, "sock_diag request not sent: " + errno_text(e));
  }
  buf_.resize(kRecvBuffer);
  SockDiagParse state;
  state.default_protocol = protocol;
  state.seq = seq;
  state.records.swap(out);
  const std::size_t before = state.records.size();
  SockDiagLimits lim = limits;
  lim.max_records = before + limits.max_records;
  // Each datagram holds at least one message, so max_messages also bounds the loop.
  for (std::size_t datagrams = 0; !state.done; ++datagrams) {
    if (datagrams > limits.max_messages) {
      state.records.swap(out);
      return fail(ErrorKind::LimitExceeded, kLayer, 0, "sock_diag dump did not end");
    }
    const ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), 0);
    if (n < 0) {
      const int e = errno;
      if (e == EINTR) continue;
      state.records.swap(out);
      return fail(ErrorKind::Io, kLayer, 0, "sock_diag reply not received: " + errno_text(e));
    }
    if (n == 0) break;
    auto parsed = parse_sock_diag_datagram(Bytes(buf_.data(), static_cast<std::size_t>(n)), state, lim);
    if (!parsed) {
      // Throw away the rest of this dump now; its sequence number keeps any straggler out
      // of the next one.
      for (int i = 0; i < 4096 && ::recv(fd_, buf_.data(), buf_.size(), MSG_DONTWAIT) > 0; ++i) {
      }
      state.records.swap(out);
      return parsed.error();
    }
  }
  state.records.swap(out);
  if (state.error != 0) {
    // ENOENT: no handler for this protocol (module not loaded): an empty table.
    if (state.error == ENOENT) return Ok{};
    return fail(ErrorKind::Io, kLayer, 0, "the kernel refused the sock_diag dump: " + errno_text(state.error));
  }
  return Ok{};
}

Result<SockDiagDestroyListener> SockDiagDestroyListener::open(std::uint8_t protocol) {
  if (protocol != kIpProtoTcp && protocol != kIpProtoUdp) {
    return fail(ErrorKind::Unsupported, kLayer, 0, "destroy notifications exist for TCP and UDP only");
  }
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_SOCK_DIAG);
  if (fd < 0) {
    const int e = errno;
    return fail(ErrorKind::Io, kLayer, 0, "cannot open a NETLINK_SOCK_DIAG socket: " + errno_text(e));
  }
  const std::array<int, 2> groups = protocol == kIpProtoTcp
                                        ? std::array<int, 2>{SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY}
                                        : std::array<int, 2>{SKNLGRP_INET_UDP_DESTROY, SKNLGRP_INET6_UDP_DESTROY};
  for (int g : groups) {
    if (::setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) != 0) {
      const int e = errno;
      ::close(fd);
      std::string why = "cannot join the sock_diag destroy group " + std::to_string(g) + ": " + errno_text(e);
      if (e == EPERM || e == EACCES) why += " (needs CAP_NET_ADMIN)";
      return fail(ErrorKind::Io, kLayer, 0, std::move(why));
    }
  }
  int size = 1 << 20;  // room for bursts between drains
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  return SockDiagDestroyListener(fd, protocol);
}

SockDiagDestroyListener::SockDiagDestroyListener(SockDiagDestroyListener&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), protocol_(o.protocol_), overruns_(o.overruns_), buf_(std::move(o.buf_)) {}
SockDiagDestroyListener& SockDiagDestroyListener::operator=(SockDiagDestroyListener&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    protocol_ = o.protocol_;
    overruns_ = o.overruns_;
    buf_ = std::move(o.buf_);
  }
  return *this;
}
SockDiagDestroyListener::~SockDiagDestroyListener() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::size_t> SockDiagDestroyListener::drain(std::vector<SockDiagRecord>& out, std::size_t max_datagrams,
                                                   const SockDiagLimits& limits) {
  if (fd_ < 0) return fail(ErrorKind::Io, kLayer, 0, "socket closed");
  buf_.resize(kRecvBuffer);
  std::size_t got = 0;
  for (std::size_t i = 0; i < max_datagrams; ++i) {
    const ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), MSG_DONTWAIT);
    if (n < 0) {
      const int e = errno;
      if (e == EINTR) continue;
      if (e == ENOBUFS) {  // the kernel dropped notifications: count and go on
        ++overruns_;
        continue;
      }
      if (e == EAGAIN) break;  // EWOULDBLOCK is the same value on Linux
      return fail(ErrorKind::Io, kLayer, 0, "destroy notifications not received: " + errno_text(e));
    }
    SockDiagParse state;
    state.default_protocol = protocol_;
    // A malformed notification is dropped; the ones before it in the datagram are kept.
    static_cast<void>(parse_sock_diag_datagram(Bytes(buf_.data(), static_cast<std::size_t>(n)), state, limits));
    got += state.records.size();
    out.insert(out.end(), state.records.begin(), state.records.end());
  }
  return got;
}

#else  // not Linux

Result<SockDiagClient> SockDiagClient::open() {
  return fail(ErrorKind::Unsupported, kLayer, 0, "sock_diag exists on Linux only");
}
SockDiagClient::SockDiagClient(SockDiagClient&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
SockDiagClient& SockDiagClient::operator=(SockDiagClient&& o) noexcept {
  fd_ = std::exchange(o.fd_, -1);
  return *this;
}
SockDiagClient::~SockDiagClient() = default;
Result<void> SockDiagClient::dump(std::uint8_t, std::uint8_t, std::optional<std::uint16_t>,
                                  std::vector<SockDiagRecord>&, const SockDiagLimits&) {
  return fail(ErrorKind::Unsupported, kLayer, 0, "sock_diag exists on Linux only");
}
Result<SockDiagDestroyListener> SockDiagDestroyListener::open(std::uint8_t) {
  return fail(ErrorKind::Unsupported, kLayer, 0, "sock_diag exists on Linux only");
}
SockDiagDestroyListener::SockDiagDestroyListener(SockDiagDestroyListener&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)) {}
SockDiagDestroyListener& SockDiagDestroyListener::operator=(SockDiagDestroyListener&& o) noexcept {
  fd_ = std::exchange(o.fd_, -1);
  return *this;
}
SockDiagDestroyListener::~SockDiagDestroyListener() = default;
Result<std::size_t> SockDiagDestroyListener::drain(std::vector<SockDiagRecord>&, std::size_t, const SockDiagLimits&) {
  return fail(ErrorKind::Unsupported, kLayer, 0, "sock_diag exists on Linux only");
}

#endif

}  // namespace netseen::ingest
