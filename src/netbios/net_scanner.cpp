#include "netbios/net_scanner.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <random>
#include <unordered_map>

namespace netseen::netbios::net {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxStrayKept = 1000;

struct Outstanding {
  std::size_t index;
  Clock::time_point deadline;
};

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

std::string_view to_string(Outcome o) noexcept {
  switch (o) {
    case Outcome::Pending: return "pending";
    case Outcome::Answered: return "answered";
    case Outcome::Refused: return "refused";
    case Outcome::Unreachable: return "unreachable";
    case Outcome::Silent: return "silent";
  }
  return "pending";
}

Result<ScanResult> scan(const std::vector<std::uint32_t>& targets, const ScanOptions& options) {
  UdpOptions uo;
  uo.bind = options.bind;
  uo.broadcast = true;  // a target may be a directed broadcast address
  uo.buffer_bytes = options.socket_buffer;
  NETSEEN_TRY_ASSIGN(UdpSocket sock, UdpSocket::open(uo));

  NETSEEN_TRY_ASSIGN(const NetbiosName star, NetbiosName::make("*", 0x00, options.scope));

  ScanResult result;
  const std::size_t n = targets.size();
  result.hosts.resize(n);
  std::unordered_map<std::uint32_t, std::size_t> by_address;
  by_address.reserve(n * 2);
  std::random_device rd;
  std::mt19937 rng((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  std::uniform_int_distribution<unsigned> id_dist(0, 0xFFFF);
  for (std::size_t i = 0; i < n; ++i) {
    result.hosts[i].address = targets[i];
    result.hosts[i].txid = static_cast<std::uint16_t>(id_dist(rng));
    by_address.emplace(targets[i], i);
  }
  // txid -> outstanding targets using it (for replies from an address that was not asked).
  std::unordered_multimap<std::uint16_t, std::size_t> by_txid;
  by_txid.reserve(std::min<std::size_t>(n, 65536) * 2);
  std::vector<Clock::time_point> first_sent(n);

  const auto start = Clock::now();
  const double rate = options.rate;
  const auto timeout = std::chrono::duration_cast<Clock::duration>(options.timeout);
  const int retries = std::max(0, options.retries);
  // Hard bound on the whole scan.
  const double bound_s = (rate > 0 ? static_cast<double>(n) * static_cast<double>(retries + 1) / rate : 0.0) +
                         static_cast<double>(retries + 1) * std::chrono::duration<double>(options.timeout).count() +
                         1.0 + static_cast<double>(n) / 20000.0;
  const auto hard_deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(bound_s));

  std::size_t next_new = 0;
  std::deque<std::size_t> resend;
  std::deque<Outstanding> outstanding;
  std::size_t unresolved = n;
  double tokens = 1.0;
  auto last_refill = start;
  auto last_progress = start;
  std::array<std::uint8_t, 2048> buf{};

  auto resolve = [&](std::size_t i, Outcome o) {
    HostResult& h = result.hosts[i];
    if (h.outcome != Outcome::Pending) return false;
    h.outcome = o;
    --unresolved;
    auto range = by_txid.equal_range(h.txid);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == i) {
        by_txid.erase(it);
        break;
      }
    }
    return true;
  };
  auto stray = [&](std::uint32_t from, std::uint16_t txid, const char* reason) {
    ++result.summary.stray;
    if (result.stray.size() < kMaxStrayKept) result.stray.push_back(StrayReply{from, txid, reason});
  };

  auto handle_datagram = [&](const Received& rx, Clock::time_point now) {
    ++result.summary.replies_received;
    const Bytes data(buf.data(), rx.size);
    auto parsed = parse_nbns(data);
    if (!parsed || !parsed->header.response) {
      ++result.summary.malformed;
      std::uint16_t id = 0;
      if (rx.size >= 2) id = static_cast<std::uint16_t>((buf[0] << 8) | buf[1]);
      stray(rx.from.address, id, parsed ? "not_a_response" : "malformed");
      return;
    }
    const NbnsMessage& m = *parsed;
    const std::uint16_t id = m.header.id;
    std::optional<std::size_t> idx;
    if (auto it = by_address.find(rx.from.address); it != by_address.end()) {
      HostResult& h = result.hosts[it->second];
      if (h.txid == id) {
        idx = it->second;
      } else if (h.outcome == Outcome::Pending && h.sends > 0) {
        ++result.summary.txid_mismatch;
      }
    }
    bool foreign = false;
    if (!idx) {
      // A reply from an address not asked (or asked with another id): attribute it by id when
      // exactly one outstanding query used that id.
      auto range = by_txid.equal_range(id);
      std::size_t count = 0;
      std::size_t which = 0;
      for (auto it = range.first; it != range.second; ++it) {
        if (result.hosts[it->second].sends > 0) {
          ++count;
          which = it->second;
        }
      }
      if (count == 1) {
        idx = which;
        foreign = true;
      }
    }
    if (!idx) {
      stray(rx.from.address, id, "unknown_txid");
      return;
    }
    HostResult& h = result.hosts[*idx];
    if (h.outcome != Outcome::Pending) {
      ++result.summary.duplicates;
      return;
    }
    if (m.header.opcode != static_cast<std::uint8_t>(Opcode::Query)) {
      stray(rx.from.address, id, "not_node_status");
      return;
    }
    h.replied_from = rx.from.address;
    h.rtt_ms = seconds_between(first_sent[*idx], now) * 1000.0;
    if (m.header.rcode != 0) {
      h.rcode = m.header.rcode;
      resolve(*idx, Outcome::Refused);
      if (foreign) ++result.summary.foreign_attributed;
      return;
    }
    const NbnsResourceRecord* rr = nullptr;
    for (const auto& a : m.answers) {
      if (a.type == static_cast<std::uint16_t>(RrType::NBSTAT) && a.node_status) {
        rr = &a;
        break;
      }
    }
    if (rr == nullptr) {
      ++result.summary.malformed;
      stray(rx.from.address, id, "not_node_status");
      return;
    }
    h.status = *rr->node_status;
    h.diagnostics = m.diagnostics;
    resolve(*idx, Outcome::Answered);
    if (foreign) ++result.summary.foreign_attributed;
  };

  auto drain = [&](Clock::time_point now) -> Result<void> {
    for (int k = 0; k < 4096; ++k) {
      NETSEEN_TRY_ASSIGN(const Received rx, sock.receive(buf));
      if (rx.kind == RecvKind::Nothing) break;
      if (rx.kind == RecvKind::IcmpError) {
        auto it = by_address.find(rx.offender.address);
        if (it != by_address.end() && rx.offender.port == options.port) {
          HostResult& h = result.hosts[it->second];
          if (h.outcome == Outcome::Pending) {
            h.icmp_type = rx.icmp_type;
            h.icmp_code = rx.icmp_code;
            h.icmp_reporter = rx.reporter;
            h.rtt_ms = seconds_between(first_sent[it->second], now) * 1000.0;
            resolve(it->second, Outcome::Unreachable);
          }
        }
        continue;
      }
      handle_datagram(rx, now);
    }
    // Errors queued without a pending socket error (second and later ICMP messages).
    for (int k = 0; k < 4096; ++k) {
      NETSEEN_TRY_ASSIGN(const Received rx, sock.receive_error());
      if (rx.kind == RecvKind::Nothing) break;
      auto it = by_address.find(rx.offender.address);
      if (it != by_address.end() && rx.offender.port == options.port) {
        HostResult& h = result.hosts[it->second];
        if (h.outcome == Outcome::Pending) {
          h.icmp_type = rx.icmp_type;
          h.icmp_code = rx.icmp_code;
          h.icmp_reporter = rx.reporter;
          resolve(it->second, Outcome::Unreachable);
        }
      }
    }
    return Ok{};
  };

  std::vector<std::uint8_t> packet;
  while (unresolved > 0) {
    auto now = Clock::now();
    if (now >= hard_deadline) break;
    // Expire: a target whose deadline passed is re-sent or declared silent.
    while (!outstanding.empty() && outstanding.front().deadline <= now) {
      const std::size_t i = outstanding.front().index;
      outstanding.pop_front();
      HostResult& h = result.hosts[i];
      if (h.outcome != Outcome::Pending) continue;
      if (h.sends <= retries) {
        resend.push_back(i);
      } else {
        resolve(i, Outcome::Silent);
      }
    }
    // Refill the token bucket (burst of at most 64 packets, or 1 ms worth).
    if (rate > 0) {
      tokens += seconds_between(last_refill, now) * rate;
      tokens = std::min(tokens, std::max(64.0, rate / 1000.0));
    } else {
      tokens = 1024;
    }
    last_refill = now;
    // Send: re-sends first (their targets have waited longest), then new targets.
    bool stalled = false;
    while (tokens >= 1.0 && (!resend.empty() || next_new < n)) {
      const bool is_resend = !resend.empty();
      const std::size_t i = is_resend ? resend.front() : next_new;
      HostResult& h = result.hosts[i];
      if (is_resend && h.outcome != Outcome::Pending) {
        resend.pop_front();
        continue;
      }
      auto built = build::node_status_request(h.txid, star, /*broadcast=*/false);
      if (!built) return built.error();
      NETSEEN_TRY_ASSIGN(const bool sent, sock.send_to(*built, Endpoint{h.address, options.port}));
      if (!sent) {
        ++result.summary.send_stalls;
        stalled = true;
        break;
      }
      if (is_resend) {
        resend.pop_front();
      } else {
        ++next_new;
        first_sent[i] = now;
        by_txid.emplace(h.txid, i);
      }
      ++h.sends;
      ++result.summary.packets_sent;
      tokens -= 1.0;
      outstanding.push_back(Outstanding{i, now + timeout});
    }
    NETSEEN_TRY(drain(now));
    if (options.progress && now - last_progress > std::chrono::milliseconds(100)) {
      last_progress = now;
      options.progress(n - unresolved, n);
    }
    if (unresolved == 0) break;
    // Sleep until the next event: a token, the next deadline, or a datagram.
    int wait_us = 100000;
    if (!resend.empty() || next_new < n) {
      wait_us = stalled ? 200 : (rate > 0 ? static_cast<int>(std::max(0.0, (1.0 - tokens) / rate * 1e6)) : 0);
    }
    if (!outstanding.empty()) {
      const auto until = std::chrono::duration_cast<std::chrono::microseconds>(outstanding.front().deadline - now);
      wait_us = std::min<int>(wait_us, static_cast<int>(std::max<std::int64_t>(0, until.count())));
    }
    if (wait_us > 0) static_cast<void>(sock.wait(std::min(wait_us, 100000)));
  }
  const auto end = Clock::now();
  for (auto& h : result.hosts) {
    if (h.outcome == Outcome::Pending) h.outcome = Outcome::Silent;
  }
  ScanSummary& s = result.summary;
  s.asked = n;
  for (const auto& h : result.hosts) {
    switch (h.outcome) {
      case Outcome::Answered: ++s.answered; break;
      case Outcome::Refused: ++s.refused; break;
      case Outcome::Unreachable: ++s.unreachable; break;
      default: ++s.silent; break;
    }
  }
  s.elapsed_s = seconds_between(start, end);
  s.send_rate = s.elapsed_s > 0 ? static_cast<double>(s.packets_sent) / s.elapsed_s : 0;
  if (options.progress) options.progress(n, n);
  return result;
}

}  // namespace netseen::netbios::net
