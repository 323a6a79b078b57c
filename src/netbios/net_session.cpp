#include "netbios/net_session.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "netbios/nbss.hpp"

namespace netseen::netbios::net {

namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int ms_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<std::int64_t>(0, left));
}

SessionHop one_hop(Endpoint server, const SessionOptions& o, const std::vector<std::uint8_t>& request) {
  SessionHop hop;
  hop.server = server;
  const auto deadline = Clock::now() + o.timeout;
  Fd s;
  s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s.fd < 0) {
    hop.outcome = SessionOutcome::Refused;
    hop.detail = std::strerror(errno);
    return hop;
  }
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(server.port);
  sa.sin_addr.s_addr = htonl(server.address);
  if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS) {  // NOLINT
    hop.outcome = SessionOutcome::Refused;
    hop.detail = std::strerror(errno);
    return hop;
  }
  pollfd p{s.fd, POLLOUT, 0};
  if (::poll(&p, 1, ms_left(deadline)) <= 0) {
    hop.outcome = SessionOutcome::Timeout;
    hop.detail = "connect timed out";
    return hop;
  }
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    hop.outcome = SessionOutcome::Refused;
    hop.detail = std::strerror(err);
    return hop;
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(s.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EAGAIN) {
      pollfd w{s.fd, POLLOUT, 0};
      if (::poll(&w, 1, ms_left(deadline)) <= 0) {
        hop.outcome = SessionOutcome::Timeout;
        return hop;
      }
      continue;
    }
    hop.outcome = SessionOutcome::Closed;
    hop.detail = std::strerror(errno);
    return hop;
  }
  NbssFramer framer(Framing::Nbss, 64);
  std::array<std::uint8_t, 512> buf{};
  while (true) {
    auto f = framer.next();
    if (!f) {
      hop.outcome = SessionOutcome::Unexpected;
      hop.detail = f.error().message();
      return hop;
    }
    if (*f) {
      const NbssFrame& frame = **f;
      hop.frame_type = frame.header.type;
      const Bytes payload(frame.payload.data(), frame.payload.size());
      switch (static_cast<SessionType>(frame.header.type)) {
        case SessionType::PositiveResponse:
          hop.outcome = SessionOutcome::Positive;
          return hop;
        case SessionType::NegativeResponse: {
          auto code = parse_negative_response(payload);
          hop.outcome = SessionOutcome::Negative;
          hop.error_code = code ? *code : 0;
          return hop;
        }
        case SessionType::RetargetResponse: {
          auto rt = parse_retarget(payload);
          if (!rt) {
            hop.outcome = SessionOutcome::Unexpected;
            hop.detail = rt.error().message();
            return hop;
          }
          hop.retarget = Endpoint{rt->address, rt->port};
          hop.outcome = SessionOutcome::Retarget;
          return hop;
        }
        case SessionType::KeepAlive:
          continue;
        default:
          hop.outcome = SessionOutcome::Unexpected;
          hop.detail = "unexpected frame type";
          return hop;
      }
    }
    pollfd r{s.fd, POLLIN, 0};
    if (::poll(&r, 1, ms_left(deadline)) <= 0) {
      hop.outcome = SessionOutcome::Timeout;
      hop.detail = "no response";
      return hop;
    }
    const ssize_t n = ::recv(s.fd, buf.data(), buf.size(), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      hop.outcome = SessionOutcome::Closed;
      hop.detail = n == 0 ? "connection closed" : std::strerror(errno);
      return hop;
    }
    if (n > 0) framer.feed(Bytes(buf.data(), static_cast<std::size_t>(n)));
  }
}

}  // namespace

std::string_view to_string(SessionOutcome o) noexcept {
  switch (o) {
    case SessionOutcome::Positive: return "positive";
    case SessionOutcome::Negative: return "negative";
    case SessionOutcome::Refused: return "refused";
    case SessionOutcome::Timeout: return "timeout";
    case SessionOutcome::Closed: return "closed";
    case SessionOutcome::Unexpected: return "unexpected";
    case SessionOutcome::Retarget: return "retarget";
    case SessionOutcome::TooManyRetargets: return "too_many_retargets";
  }
  return "unexpected";
}

Result<SessionResult> request_session(const SessionOptions& options) {
  NETSEEN_TRY_ASSIGN(const auto request, build_session_request(NbssSessionRequest{options.called, options.calling}));
  SessionResult out;
  Endpoint server = options.server;
  for (int hop = 0; hop <= options.max_retargets; ++hop) {
    out.hops.push_back(one_hop(server, options, request));
    const auto& h = out.hops.back();
    if (h.retarget.port == 0 && h.retarget.address == 0) break;
    if (hop == options.max_retargets) {
      out.hops.back().outcome = SessionOutcome::TooManyRetargets;
      break;
    }
    server = h.retarget;
  }
  return out;
}

}  // namespace netseen::netbios::net
