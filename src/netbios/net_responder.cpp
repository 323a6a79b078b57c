#include "netbios/net_responder.hpp"

#include <algorithm>
#include <array>
#include <deque>

namespace netseen::netbios::net {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxSources = 4096;  // per-source buckets kept (reset when full)

}  // namespace

std::string_view to_string(Fault f) noexcept {
  switch (f) {
    case Fault::None: return "none";
    case Fault::Drop: return "drop";
    case Fault::Duplicate: return "duplicate";
    case Fault::Delay: return "delay";
    case Fault::Truncate: return "truncate";
    case Fault::WrongTxid: return "wrong-txid";
    case Fault::Negative: return "negative";
  }
  return "none";
}

bool parse_fault(std::string_view text, Fault& out) noexcept {
  for (Fault f : {Fault::None, Fault::Drop, Fault::Duplicate, Fault::Delay, Fault::Truncate, Fault::WrongTxid,
                  Fault::Negative}) {
    if (text == to_string(f)) {
      out = f;
      return true;
    }
  }
  return false;
}

Result<Responder> Responder::open(ResponderConfig config) {
  Responder r;
  r.cfg_ = std::move(config);
  r.cfg_.statistics.unit_id = r.cfg_.mac;
  for (const auto& o : r.cfg_.names) {
    NodeName nn;
    nn.raw = o.name.raw;
    nn.flags = static_cast<std::uint16_t>((o.group ? kNameFlagGroup : 0U) |
                                          (static_cast<unsigned>(r.cfg_.node_type) << 13) | kNameFlagAct);
    r.table_.push_back(nn);
  }
  UdpOptions uo;
  uo.bind = r.cfg_.bind;
  uo.buffer_bytes = r.cfg_.socket_buffer;
  NETSEEN_TRY_ASSIGN(r.sock_, UdpSocket::open(uo));
  r.global_.tokens = r.cfg_.global_rate * 2;
  r.global_.last = Clock::now();
  return r;
}

const OwnedName* Responder::find(const NetbiosName& n) const {
  for (const auto& o : cfg_.names) {
    if (o.name == n) return &o;
  }
  return nullptr;
}

bool Responder::allow(std::uint32_t source) {
  const auto now = Clock::now();
  auto refill = [&](Bucket& b, double rate) {
    b.tokens = std::min(rate * 2, b.tokens + std::chrono::duration<double>(now - b.last).count() * rate);
    b.last = now;
  };
  if (cfg_.global_rate > 0) {
    refill(global_, cfg_.global_rate);
    if (global_.tokens < 1) return false;
  }
  if (cfg_.per_source_rate > 0) {
    if (per_source_.size() >= kMaxSources && per_source_.find(source) == per_source_.end()) per_source_.clear();
    auto [it, inserted] = per_source_.try_emplace(source, Bucket{cfg_.per_source_rate * 2, now});
    if (!inserted) refill(it->second, cfg_.per_source_rate);
    if (it->second.tokens < 1) return false;
    it->second.tokens -= 1;
  }
  if (cfg_.global_rate > 0) global_.tokens -= 1;
  return true;
}

std::vector<std::vector<std::uint8_t>> Responder::respond_to(Bytes datagram, Endpoint from,
                                                             std::uint32_t local_address, QueryLog& log) {
  std::vector<std::vector<std::uint8_t>> out;
  log.from = from;
  log.to = local_address;
  log.to_port = sock_.local().port;
  log.size = datagram.size();
  ++stats_.received;
  auto parsed = parse_nbns(datagram);
  if (!parsed) {
    log.kind = "malformed";
    log.action = "malformed";
    ++stats_.malformed;
    return out;
  }
  const NbnsMessage& m = *parsed;
  log.txid = m.header.id;
  log.response = m.header.response;
  log.opcode = m.header.opcode;
  log.nm_flags = m.header.nm_flags;
  log.rcode = m.header.rcode;
  log.kind = std::string(netbios::to_string(m.kind()));
  log.broadcast = m.header.broadcast();
  if (!m.questions.empty()) {
    log.qname = m.questions.front().name;
    log.qtype = m.questions.front().type;
  } else if (!m.additional.empty() && m.additional.front().name_is_netbios) {
    log.qname = m.additional.front().name;
  }
  if (log.qname) log.name = log.qname->display();
  if (m.header.response) {
    log.action = "ignored";
    ++stats_.ignored;
    return out;
  }
  std::vector<std::uint8_t> reply;
  const auto kind = m.kind();
  if (kind == NbnsPacketKind::NodeStatusRequest) {
    const NetbiosName& q = m.questions.front().name;
    if (!q.is_wildcard() && find(q) == nullptr) {
      log.action = "not_ours";
      ++stats_.ignored;
      return out;
    }
    if (!allow(from.address)) {
      log.action = "rate_limited";
      ++stats_.rate_limited;
      return out;
    }
    if (cfg_.fault == Fault::Negative) {
      auto b = build::negative_name_query_response(m.header.id, q, Rcode::ServerFailure, false);
      if (b) reply = std::move(*b);
    } else {
      auto b = build::node_status_response(m.header.id, q, table_, cfg_.statistics);
      if (b) reply = std::move(*b);
    }
    log.action = "node_status";
  } else if (kind == NbnsPacketKind::NameQueryRequest) {
    const NetbiosName& q = m.questions.front().name;
    const OwnedName* own = find(q);
    if (own == nullptr && m.header.broadcast()) {
      log.action = "not_ours";
      ++stats_.ignored;
      return out;
    }
    if (!allow(from.address)) {
      log.action = "rate_limited";
      ++stats_.rate_limited;
      return out;
    }
    if (own == nullptr || cfg_.fault == Fault::Negative) {
      auto b = build::negative_name_query_response(m.header.id, q, Rcode::NameError, false);
      if (b) reply = std::move(*b);
      log.action = "negative";
      ++stats_.negative;
    } else {
      const std::uint32_t addr = local_address != 0 ? local_address : cfg_.bind.address;
      const std::array<NbAddress, 1> addrs{NbAddress{make_nb_flags(own->group, cfg_.node_type), addr}};
      auto b = build::positive_name_query_response(m.header.id, q, cfg_.ttl, addrs, false);
      if (b) reply = std::move(*b);
      log.action = "positive";
    }
  } else if (kind == NbnsPacketKind::NameRegistrationRequest || kind == NbnsPacketKind::NameOverwriteRequest ||
             kind == NbnsPacketKind::MultiHomedRegistrationRequest) {
    const NetbiosName& q = m.questions.front().name;
    const OwnedName* own = find(q);
    bool registering_group = false;
    NbAddress addr{};
    if (!m.additional.empty() && !m.additional.front().addresses.empty()) {
      addr = m.additional.front().addresses.front();
      registering_group = addr.group();
    }
    // RFC 1002 §5.1.1.4: defend a unique name, and a group name against a unique registration.
    if (own == nullptr || (own->group && registering_group) || !allow(from.address)) {
      log.action = own == nullptr ? "not_ours" : "ignored";
      ++stats_.ignored;
      return out;
    }
    auto b = build::negative_name_registration_response(m.header.id, q, 0, addr, Rcode::Active);
    if (b) reply = std::move(*b);
    log.action = "defended";
  } else {
    log.action = "ignored";
    ++stats_.ignored;
    return out;
  }
  if (reply.empty()) {
    log.action = "ignored";
    ++stats_.ignored;
    return out;
  }
  ++stats_.answered;
  switch (cfg_.fault) {
    case Fault::Drop:
      log.action = "fault_drop";
      return out;
    case Fault::Truncate:
      reply.resize(std::min<std::size_t>(reply.size(), 30));
      break;
    case Fault::WrongTxid:
      reply[0] = static_cast<std::uint8_t>(reply[0] ^ 0x5A);
      break;
    case Fault::Duplicate:
      out.push_back(reply);
      break;
    default:
      break;
  }
  if (cfg_.fault != Fault::None) log.action = "fault_" + std::string(to_string(cfg_.fault));
  out.push_back(std::move(reply));
  return out;
}

Result<void> Responder::run(std::chrono::milliseconds duration, const std::function<bool()>& stop,
                            const std::function<void(const QueryLog&)>& log) {
  const auto start = Clock::now();
  const auto end = start + duration;
  RecvBatch inbox(64, 2048);
  SendBatch outbox(128);
  struct Delayed {
    Clock::time_point due;
    std::vector<std::uint8_t> data;
    Endpoint to;
    std::uint32_t source;
  };
  std::deque<Delayed> delayed;
  while (true) {
    auto now = Clock::now();
    if (now >= end || (stop && stop())) break;
    while (!delayed.empty() && delayed.front().due <= now) {
      NETSEEN_TRY(sock_.send_to(delayed.front().data, delayed.front().to, delayed.front().source));
      delayed.pop_front();
    }
    // Up to 16 batches of 64 datagrams (recvmmsg), answered with one sendmmsg per batch.
    for (int k = 0; k < 16; ++k) {
      NETSEEN_TRY_ASSIGN(const std::size_t got, sock_.receive_batch(inbox));
      outbox.clear();
      for (std::size_t j = 0; j < got; ++j) {
        const Received& rx = inbox.info(j);
        QueryLog entry;
        auto replies = respond_to(inbox.data(j), rx.from, rx.local_address, entry);
        for (auto& reply : replies) {
          if (cfg_.fault == Fault::Delay) {
            if (delayed.size() < 4096) {
              delayed.push_back(Delayed{now + cfg_.fault_delay, std::move(reply), rx.from, rx.local_address});
            }
            continue;
          }
          if (outbox.add(reply, rx.from, rx.local_address).empty()) {
            // Batch full (a duplicate fault doubles the replies) or an oversized reply: send what
            // is queued, then this one on its own.
            NETSEEN_TRY(sock_.send_batch(outbox));
            outbox.clear();
            if (outbox.add(reply, rx.from, rx.local_address).empty()) {
              NETSEEN_TRY(sock_.send_to(reply, rx.from, rx.local_address));
            }
          }
        }
        if (log) log(entry);
      }
      // A full send buffer drops the rest (the client retries), never blocks the responder.
      if (outbox.size() > 0) NETSEEN_TRY(sock_.send_batch(outbox));
      if (got < inbox.capacity()) break;
    }
    // Drain ICMP errors about our own replies (a client that went away).
    for (int k = 0; k < 64; ++k) {
      NETSEEN_TRY_ASSIGN(const Received e, sock_.receive_error());
      if (e.kind == RecvKind::Nothing) break;
    }
    int wait_ms = 100;
    if (!delayed.empty()) {
      wait_ms = static_cast<int>(std::clamp<std::int64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(delayed.front().due - now).count(), 0, 100));
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - now).count();
    wait_ms = static_cast<int>(std::min<std::int64_t>(wait_ms, left));
    if (wait_ms > 0) static_cast<void>(sock_.wait(wait_ms * 1000));
  }
  return Ok{};
}

}  // namespace netseen::netbios::net
