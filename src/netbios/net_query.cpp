#include "netbios/net_query.hpp"

#include <algorithm>
#include <array>
#include <random>

namespace netseen::netbios::net {

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

Result<QueryResult> query_name(const NetbiosName& name, const QueryOptions& options) {
  UdpOptions uo;
  uo.broadcast = options.broadcast;
  NETSEEN_TRY_ASSIGN(UdpSocket sock, UdpSocket::open(uo));
  std::random_device rd;
  std::uniform_int_distribution<unsigned> dist(0, 0xFFFF);
  QueryResult out;
  const auto start = Clock::now();
  Endpoint server = options.server;
  const auto wack_cap = start + options.max_wack_wait + options.timeout * (options.retries + 1) * (options.max_redirects + 1);
  std::array<std::uint8_t, 2048> buf{};
  for (int hop = 0; hop <= options.max_redirects; ++hop) {
    const auto id = static_cast<std::uint16_t>(dist(rd));
    NETSEEN_TRY_ASSIGN(const auto packet, build::name_query_request(id, name, options.broadcast,
                                                                    options.broadcast || options.recursion_desired));
    bool redirected = false;
    bool done = false;
    for (int attempt = 0; attempt <= options.retries && !done && !redirected; ++attempt) {
      NETSEEN_TRY(sock.send_to(packet, server));
      ++out.sends;
      auto deadline = Clock::now() + options.timeout;
      while (!done && !redirected) {
        const auto now = Clock::now();
        if (now >= deadline) break;
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now).count();
        if (!sock.wait(static_cast<int>(std::min<std::int64_t>(left, 100000)))) continue;
        for (int k = 0; k < 256; ++k) {
          NETSEEN_TRY_ASSIGN(const Received rx, sock.receive(buf));
          if (rx.kind == RecvKind::Nothing) break;
          if (rx.kind != RecvKind::Datagram) continue;
          auto m = parse_nbns(Bytes(buf.data(), rx.size));
          if (!m || !m->header.response || m->header.id != id) {
            ++out.ignored;
            continue;
          }
          const auto kind = m->kind();
          if (kind == NbnsPacketKind::WackResponse) {
            ++out.wacks;
            std::uint32_t ttl = m->answers.empty() ? 0 : m->answers.front().ttl;
            auto extended = Clock::now() + std::chrono::seconds(std::min<std::uint32_t>(ttl, 60));
            deadline = std::min(std::max(deadline, extended), wack_cap);
            continue;
          }
          if (kind == NbnsPacketKind::RedirectNameQueryResponse) {
            std::optional<std::uint32_t> next;
            for (const auto& rr : m->additional) {
              if (rr.nsd_address) next = rr.nsd_address;
            }
            if (next && !options.broadcast) {
              out.redirects.push_back(*next);
              server.address = *next;
              redirected = true;
              break;
            }
            ++out.ignored;
            continue;
          }
          QueryAnswer a;
          a.from = rx.from.address;
          a.rcode = m->header.rcode;
          a.authoritative = m->header.aa();
          for (const auto& rr : m->answers) {
            if (rr.type == static_cast<std::uint16_t>(RrType::NB)) {
              a.addresses.insert(a.addresses.end(), rr.addresses.begin(), rr.addresses.end());
              a.ttl = rr.ttl;
            }
          }
          out.answers.push_back(std::move(a));
          if (!options.broadcast) {
            done = true;
            break;
          }
        }
      }
      if (options.broadcast && !out.answers.empty()) done = true;  // one round of collecting
    }
    if (!redirected) break;
  }
  out.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return out;
}

}  // namespace netseen::netbios::net
