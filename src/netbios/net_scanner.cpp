#include "netbios/net_scanner.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <random>
#include <vector>

namespace netseen::netbios::net {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxStrayKept = 1000;
constexpr std::size_t kBatch = 64;  // datagrams per sendmmsg/recvmmsg call
constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);

// Target address -> index, open addressing with linear probing, sized once (no allocation per
// target). The targets are de-duplicated by the caller; a repeated address keeps its first index.
class AddressIndex {
 public:
  explicit AddressIndex(std::size_t n) {
    std::size_t cap = 16;
    while (cap < n * 2) cap <<= 1;
    mask_ = cap - 1;
    keys_.resize(cap);
    values_.assign(cap, kNoIndex);
  }
  void insert(std::uint32_t address, std::size_t index) {
    for (std::size_t s = slot(address);; s = (s + 1) & mask_) {
      if (values_[s] == kNoIndex) {
        keys_[s] = address;
        values_[s] = index;
        return;
      }
      if (keys_[s] == address) return;
    }
  }
  [[nodiscard]] std::size_t find(std::uint32_t address) const noexcept {
    for (std::size_t s = slot(address);; s = (s + 1) & mask_) {
      if (values_[s] == kNoIndex) return kNoIndex;
      if (keys_[s] == address) return values_[s];
    }
  }

 private:
  [[nodiscard]] std::size_t slot(std::uint32_t a) const noexcept {
    return static_cast<std::size_t>((a * 0x9E3779B1U) ^ (a >> 15)) & mask_;
  }
  std::size_t mask_ = 0;
  std::vector<std::uint32_t> keys_;
  std::vector<std::size_t> values_;
};

struct Outstanding {
  std::size_t index;
  Clock::time_point deadline;
};

struct Recent {
  std::size_t index;
  Clock::time_point sent;
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
  // Every query is the same bytes but for the transaction id (the first two): built once.
  NETSEEN_TRY_ASSIGN(const std::vector<std::uint8_t> request, build::node_status_request(0, star, /*broadcast=*/false));
  if (request.size() < 2 || request.size() > SendBatch::kSlotBytes) {
    return make_error(ErrorKind::LimitExceeded, "scanner", 0, "node status request does not fit a send slot");
  }

  ScanResult result;
  const std::size_t n = targets.size();
  result.hosts.resize(n);
  AddressIndex by_address(n);
  std::random_device rd;
  std::mt19937 rng((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  std::uniform_int_distribution<unsigned> id_dist(0, 0xFFFF);
  for (std::size_t i = 0; i < n; ++i) {
    result.hosts[i].address = targets[i];
    result.hosts[i].txid = static_cast<std::uint16_t>(id_dist(rng));
    by_address.insert(targets[i], i);
  }
  // Targets by transaction id (for replies from an address that was not asked): one chain per
  // id through `txid_next`, linked when a target is first sent; resolved targets stay linked
  // and are skipped (only pending ones count).
  std::vector<std::size_t> txid_head(65536, kNoIndex);
  std::vector<std::size_t> txid_next(n, kNoIndex);
  std::vector<Clock::time_point> first_sent(n);

  const auto start = Clock::now();
  const double rate = options.rate;
  const auto timeout = std::chrono::duration_cast<Clock::duration>(options.timeout);
  const int retries = std::max(0, options.retries);
  // Hard bound on the whole scan.
  const double bound_s = (rate > 0 ? static_cast<double>(n) * static_cast<double>(retries + 1) / rate : 0.0) +
                         static_cast<double>(retries + 1) * std::chrono::duration<double>(options.timeout).count() +
                         // slack for a loaded machine: a target must never be declared silent
                         // because the scan ran out of time before it was even asked
                         5.0 + static_cast<double>(n) / 2000.0 +
                         // the in-flight window, when every target is silent
                         (options.max_in_flight > 0
                              ? static_cast<double>(n) * static_cast<double>(retries + 1) *
                                    std::max(std::chrono::duration<double>(options.in_flight_horizon).count(),
                                             std::chrono::duration<double>(options.timeout).count()) /
                                    static_cast<double>(options.max_in_flight)
                              : 0.0);
  const auto hard_deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(bound_s));

  std::size_t next_new = 0;
  std::deque<std::size_t> resend;
  std::deque<Outstanding> outstanding;
  // Flow control: queries sent less than `in_flight_horizon` ago and not yet answered. When they
  // reach `max_in_flight`, sending waits for answers (or for the oldest to age out): a receiver
  // slower than the sender (a loaded peer, its socket buffer) is not flooded into losing
  // queries. Silent targets age out, so an empty network is still swept at up to
  // max_in_flight / horizon queries per second.
  const std::size_t max_in_flight = options.max_in_flight == 0 ? kNoIndex : options.max_in_flight;
  const auto base_horizon = std::chrono::duration_cast<Clock::duration>(options.in_flight_horizon);
  // The horizon grows with the smoothed round-trip time of first answers (4 x SRTT, at most
  // the timeout): a peer that answers late is waited for, not flooded.
  auto horizon = base_horizon;
  double srtt_s = 0;
  std::deque<Recent> recent;
  std::vector<std::uint8_t> in_flight_flag(n, 0);
  std::size_t in_flight = 0;
  std::size_t unresolved = n;
  double tokens = 1.0;
  auto last_refill = start;
  auto last_progress = start;
  SendBatch batch(kBatch);
  std::array<std::size_t, kBatch> batch_index{};
  std::array<bool, kBatch> batch_resend{};
  RecvBatch inbox(kBatch, 2048);

  auto resolve = [&](std::size_t i, Outcome o) {
    HostResult& h = result.hosts[i];
    if (h.outcome != Outcome::Pending) return false;
    h.outcome = o;
    --unresolved;
    if (in_flight_flag[i] != 0) {
      in_flight_flag[i] = 0;
      --in_flight;
    }
    return true;
  };
  auto stray = [&](std::uint32_t from, std::uint16_t txid, const char* reason) {
    ++result.summary.stray;
    if (result.stray.size() < kMaxStrayKept) result.stray.push_back(StrayReply{from, txid, reason});
  };

  auto handle_datagram = [&](Bytes data, const Received& rx, Clock::time_point now) {
    ++result.summary.replies_received;
    auto parsed = parse_nbns(data);
    if (!parsed || !parsed->header.response) {
      ++result.summary.malformed;
      std::uint16_t id = 0;
      if (data.size() >= 2) id = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
      stray(rx.from.address, id, parsed ? "not_a_response" : "malformed");
      return;
    }
    NbnsMessage& m = *parsed;
    const std::uint16_t id = m.header.id;
    std::optional<std::size_t> idx;
    if (const std::size_t at = by_address.find(rx.from.address); at != kNoIndex) {
      HostResult& h = result.hosts[at];
      if (h.txid == id) {
        idx = at;
      } else if (h.outcome == Outcome::Pending && h.sends > 0) {
        ++result.summary.txid_mismatch;
      }
    }
    bool foreign = false;
    if (!idx) {
      // A reply from an address not asked (or asked with another id): attribute it by id when
      // exactly one outstanding query used that id.
      std::size_t count = 0;
      std::size_t which = 0;
      for (std::size_t j = txid_head[id]; j != kNoIndex; j = txid_next[j]) {
        if (result.hosts[j].outcome == Outcome::Pending && result.hosts[j].sends > 0) {
          ++count;
          which = j;
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
    if (h.sends == 1) {  // Karn: only unambiguous samples
      const double sample = std::max(0.0, h.rtt_ms / 1000.0);
      srtt_s = srtt_s == 0 ? sample : 0.875 * srtt_s + 0.125 * sample;
      horizon = std::clamp(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(4 * srtt_s)),
                           base_horizon, std::max(base_horizon, timeout));
    }
    if (m.header.rcode != 0) {
      h.rcode = m.header.rcode;
      resolve(*idx, Outcome::Refused);
      if (foreign) ++result.summary.foreign_attributed;
      return;
    }
    NbnsResourceRecord* rr = nullptr;
    for (auto& a : m.answers) {
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
    h.status = std::move(*rr->node_status);
    h.diagnostics = std::move(m.diagnostics);
    resolve(*idx, Outcome::Answered);
    if (foreign) ++result.summary.foreign_attributed;
  };

  auto icmp_error = [&](const Received& rx, Clock::time_point now) {
    const std::size_t at = by_address.find(rx.offender.address);
    if (at == kNoIndex || rx.offender.port != options.port) return;
    HostResult& h = result.hosts[at];
    if (h.outcome != Outcome::Pending) return;
    h.icmp_type = rx.icmp_type;
    h.icmp_code = rx.icmp_code;
    h.icmp_reporter = rx.reporter;
    h.rtt_ms = seconds_between(first_sent[at], now) * 1000.0;
    resolve(at, Outcome::Unreachable);
  };

  auto drain = [&](Clock::time_point now) -> Result<void> {
    // At most 64 batches (4096 datagrams) per turn, so sending goes on under a flood.
    for (int k = 0; k < 64; ++k) {
      NETSEEN_TRY_ASSIGN(const std::size_t got, sock.receive_batch(inbox));
      for (std::size_t j = 0; j < got; ++j) handle_datagram(inbox.data(j), inbox.info(j), now);
      if (got < inbox.capacity()) break;
    }
    // ICMP errors (IP_RECVERR) wait in the error queue.
    for (int k = 0; k < 4096; ++k) {
      NETSEEN_TRY_ASSIGN(const Received rx, sock.receive_error());
      if (rx.kind == RecvKind::Nothing) break;
      icmp_error(rx, now);
    }
    return Ok{};
  };

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
    while (!recent.empty() && recent.front().sent + horizon <= now) {
      const std::size_t i = recent.front().index;
      recent.pop_front();
      if (in_flight_flag[i] != 0) {
        in_flight_flag[i] = 0;
        --in_flight;
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
    // Send in batches (one sendmmsg each): re-sends first (their targets have waited longest),
    // then new targets.
    bool stalled = false;
    while (tokens >= 1.0 && in_flight < max_in_flight && (!resend.empty() || next_new < n)) {
      batch.clear();
      std::size_t next = next_new;
      while (!batch.full() && static_cast<double>(batch.size()) + 1.0 <= tokens &&
             in_flight + batch.size() < max_in_flight && (!resend.empty() || next < n)) {
        const bool is_resend = !resend.empty();
        const std::size_t i = is_resend ? resend.front() : next;
        if (is_resend) {
          resend.pop_front();
          if (result.hosts[i].outcome != Outcome::Pending) continue;
        } else {
          ++next;
        }
        const HostResult& h = result.hosts[i];
        auto copy = batch.add(request, Endpoint{h.address, options.port});
        copy[0] = static_cast<std::uint8_t>(h.txid >> 8);
        copy[1] = static_cast<std::uint8_t>(h.txid & 0xFF);
        batch_index[batch.size() - 1] = i;
        batch_resend[batch.size() - 1] = is_resend;
      }
      if (batch.size() == 0) break;
      NETSEEN_TRY_ASSIGN(const std::size_t sent, sock.send_batch(batch));
      for (std::size_t k = 0; k < sent; ++k) {
        const std::size_t i = batch_index[k];
        HostResult& h = result.hosts[i];
        if (!batch_resend[k]) {
          next_new = i + 1;
          first_sent[i] = now;
          txid_next[i] = txid_head[h.txid];
          txid_head[h.txid] = i;
        }
        ++h.sends;
        ++result.summary.packets_sent;
        tokens -= 1.0;
        outstanding.push_back(Outstanding{i, now + timeout});
        if (in_flight_flag[i] == 0) {
          in_flight_flag[i] = 1;
          ++in_flight;
        }
        recent.push_back(Recent{i, now});
      }
      if (sent < batch.size()) {
        // The send buffer is full: what was not sent goes back, in order, for the next turn.
        for (std::size_t k = batch.size(); k-- > sent;) {
          if (batch_resend[k]) resend.push_front(batch_index[k]);
        }
        ++result.summary.send_stalls;
        stalled = true;
        break;
      }
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
      // Paced: wake when a batch's worth of tokens is there (1 ms of the rate, 1 to 64 packets),
      // so high rates do not cost a system call per packet and low rates stay evenly spaced.
      const double want = std::clamp(rate / 1000.0, 1.0, static_cast<double>(kBatch));
      wait_us = stalled ? 200 : (rate > 0 ? static_cast<int>(std::max(0.0, (want - tokens) / rate * 1e6)) : 0);
      if (in_flight >= max_in_flight && !recent.empty()) {
        // Window full: until an answer arrives (poll wakes up) or the oldest query ages out.
        const auto until = std::chrono::duration_cast<std::chrono::microseconds>(recent.front().sent + horizon - now);
        wait_us = std::max(wait_us, static_cast<int>(std::clamp<std::int64_t>(until.count(), 1, 100000)));
      }
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
