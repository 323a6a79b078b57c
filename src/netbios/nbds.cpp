#include "netbios/nbds.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/limits.hpp"

namespace netseen::netbios {

namespace {

constexpr std::string_view kLayer = "nbds";
constexpr std::size_t kFixedHeader = 10;
constexpr std::size_t kDataHeader = 14;

}  // namespace

std::string_view datagram_type_name(std::uint8_t type) noexcept {
  switch (type) {
    case 0x10: return "direct_unique";
    case 0x11: return "direct_group";
    case 0x12: return "broadcast";
    case 0x13: return "error";
    case 0x14: return "query_request";
    case 0x15: return "positive_query_response";
    case 0x16: return "negative_query_response";
    default: return "unknown";
  }
}

std::string_view datagram_error_meaning(std::uint8_t code) noexcept {
  switch (code) {
    case kDgmErrDestinationNameNotPresent: return "Destination name not present";
    case kDgmErrInvalidSourceNameFormat: return "Invalid source name format";
    case kDgmErrInvalidDestinationNameFormat: return "Invalid destination name format";
    default: return "Unknown error code";
  }
}

Result<NbdsMessage> parse_nbds(Bytes message, const ParseOptions& options) {
  NbdsMessage m;
  auto user_data = parse_nbds_view(message, m, options);
  if (!user_data) return user_data.error();
  m.user_data.assign(user_data->begin(), user_data->end());
  return m;
}

Result<Bytes> parse_nbds_view(Bytes message, NbdsMessage& m, const ParseOptions& options) {
  Bytes user_data;
  ByteReader r(message);
  if (message.size() < kFixedHeader) {
    return fail(ErrorKind::Truncated, kLayer, message.size(),
                fmt::format("header is {} bytes, needs 10", message.size()));
  }
  m.type = *r.u8();
  m.flags = *r.u8();
  m.dgm_id = *r.u16be();
  m.source_ip = *r.u32be();
  m.source_port = *r.u16be();
  if ((m.flags & 0xF0U) != 0) {
    m.diagnostics.push_back({"nbds_reserved_flags", 1, fmt::format("reserved flag bits set: 0x{:02x}", m.flags)});
  }
  switch (m.type) {
    case 0x10:
    case 0x11:
    case 0x12: {
      auto len = r.u16be();
      auto off = r.u16be();
      if (!len || !off) return fail(ErrorKind::Truncated, kLayer, kFixedHeader, "DGM_LENGTH/PACKET_OFFSET cut short");
      m.dgm_length = *len;
      m.packet_offset = *off;
      const std::size_t present = message.size() - kDataHeader;
      std::size_t body_end = message.size();
      if (m.dgm_length > present) {
        m.diagnostics.push_back({"nbds_length_exceeds_data", 10,
                                 fmt::format("DGM_LENGTH {} but {} bytes present", m.dgm_length, present)});
      } else if (m.dgm_length < present) {
        body_end = kDataHeader + m.dgm_length;
        m.diagnostics.push_back({"nbds_trailing_bytes", body_end,
                                 fmt::format("{} bytes after DGM_LENGTH", present - m.dgm_length)});
      }
      auto src = read_name(r, options.name_mode);
      if (!src) return src.error();
      m.source_name = std::move(*src);
      auto dst = read_name(r, options.name_mode);
      if (!dst) return dst.error();
      m.destination_name = std::move(*dst);
      if (r.position() > body_end) {
        return fail(ErrorKind::Malformed, kLayer, 10,
                    fmt::format("DGM_LENGTH {} is shorter than the two names ({} bytes)", m.dgm_length,
                                r.position() - kDataHeader));
      }
      user_data = message.subspan(r.position(), body_end - r.position());
      break;
    }
    case 0x13: {
      auto code = r.u8();
      if (!code) return fail(ErrorKind::Truncated, kLayer, kFixedHeader, "ERROR_CODE missing");
      m.error_code = *code;
      if (m.error_code < 0x82 || m.error_code > 0x84) {
        m.diagnostics.push_back({"nbds_unknown_error_code", kFixedHeader,
                                 fmt::format("error code 0x{:02x} is not defined by RFC 1002", m.error_code)});
      }
      break;
    }
    case 0x14:
    case 0x15:
    case 0x16: {
      auto dst = read_name(r, options.name_mode);
      if (!dst) return dst.error();
      m.destination_name = std::move(*dst);
      break;
    }
    default:
      return fail(ErrorKind::Unsupported, kLayer, 0, fmt::format("unknown datagram type 0x{:02x}", m.type));
  }
  if (!m.carries_data() && !r.empty()) {
    m.diagnostics.push_back({"nbds_trailing_bytes", r.offset(), fmt::format("{} bytes after the message", r.remaining())});
  }
  return user_data;
}

bool summarize_nbds(Bytes message, NbdsSummary& out) {
  // The conditions under which parse_nbds_view reports nothing, for the three data types.
  if (message.size() < kDataHeader) return false;
  out.type = message[0];
  out.flags = message[1];
  if (out.type < 0x10 || out.type > 0x12 || (out.flags & 0xF0U) != 0) return false;
  const std::size_t dgm_length = (static_cast<std::size_t>(message[10]) << 8) | message[11];
  if (dgm_length != message.size() - kDataHeader) return false;  // longer or shorter: a diagnostic
  ByteReader r(message);
  r.skip(kDataHeader);
  if (!walk_netbios_name(r, message, out.source_name)) return false;
  if (!walk_netbios_name(r, message, out.destination_name)) return false;
  out.user_data = r.rest();
  return true;
}

Result<std::vector<std::uint8_t>> serialize_nbds(const NbdsMessage& m) {
  ByteWriter w;
  w.u8(m.type);
  w.u8(m.flags);
  w.u16be(m.dgm_id);
  w.u32be(m.source_ip);
  w.u16be(m.source_port);
  if (m.carries_data()) {
    if (!m.source_name || !m.destination_name) {
      return fail(ErrorKind::Malformed, kLayer, kFixedHeader, "data datagrams need source and destination names");
    }
    const std::size_t len =
        encoded_name_size(*m.source_name) + encoded_name_size(*m.destination_name) + m.user_data.size();
    if (len > 0xFFFF) return fail(ErrorKind::LimitExceeded, kLayer, kFixedHeader, "DGM_LENGTH exceeds 65535");
    w.u16be(static_cast<std::uint16_t>(len));
    w.u16be(m.packet_offset);
    write_name(w, *m.source_name);
    write_name(w, *m.destination_name);
    w.bytes(Bytes(m.user_data));
  } else if (m.type == static_cast<std::uint8_t>(DatagramType::Error)) {
    w.u8(m.error_code);
  } else if (m.type >= 0x14 && m.type <= 0x16) {
    if (!m.destination_name) return fail(ErrorKind::Malformed, kLayer, kFixedHeader, "query needs a destination name");
    write_name(w, *m.destination_name);
  } else {
    return fail(ErrorKind::Unsupported, kLayer, 0, fmt::format("unknown datagram type 0x{:02x}", m.type));
  }
  return w.take();
}

std::optional<NbdsMessage> NbdsReassembler::feed(const NbdsMessage& fragment, std::uint64_t now_ms) {
  expire(now_ms);
  if (!fragment.carries_data()) return fragment;
  if (fragment.first() && !fragment.more()) return fragment;
  const Key key{fragment.source_ip, fragment.source_port, fragment.dgm_id};
  if (fragment.first()) {
    if (pending_.count(key) != 0) {
      ++stats_.overlaps;  // a new first fragment replaces an unfinished datagram
      pending_.erase(key);
    }
    if (fragment.user_data.size() > limits::kMaxNbdsReassemblyBytes) {
      ++stats_.oversized;
      return std::nullopt;
    }
    if (pending_.size() >= limits::kMaxNbdsPendingDatagrams) {
      auto oldest = std::min_element(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) {
        return a.second.last_seen_ms < b.second.last_seen_ms;
      });
      pending_.erase(oldest);
      ++stats_.evicted;
    }
    Pending p;
    p.first = fragment;
    p.have_first = true;
    p.first_seen_ms = now_ms;
    p.last_seen_ms = now_ms;
    pending_.emplace(key, std::move(p));
    return std::nullopt;
  }
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    ++stats_.out_of_order;  // a continuation without its first fragment
    return std::nullopt;
  }
  Pending& p = it->second;
  const std::size_t expected = static_cast<std::size_t>(p.first.packet_offset) + p.first.user_data.size();
  if (fragment.packet_offset != expected) {
    ++stats_.overlaps;  // gap or overlap: the datagram cannot be rebuilt faithfully
    pending_.erase(it);
    return std::nullopt;
  }
  if (p.first.user_data.size() + fragment.user_data.size() > limits::kMaxNbdsReassemblyBytes) {
    ++stats_.oversized;
    pending_.erase(it);
    return std::nullopt;
  }
  p.first.user_data.insert(p.first.user_data.end(), fragment.user_data.begin(), fragment.user_data.end());
  p.last_seen_ms = now_ms;
  if (fragment.more()) return std::nullopt;
  NbdsMessage done = std::move(p.first);
  pending_.erase(it);
  done.flags = static_cast<std::uint8_t>((done.flags & ~kNbdsFlagMore) | kNbdsFlagFirst);
  const std::size_t len = (done.source_name ? encoded_name_size(*done.source_name) : 0) +
                          (done.destination_name ? encoded_name_size(*done.destination_name) : 0) +
                          done.user_data.size();
  done.dgm_length = static_cast<std::uint16_t>(std::min<std::size_t>(len, 0xFFFF));
  ++stats_.completed;
  return done;
}

void NbdsReassembler::expire(std::uint64_t now_ms) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now_ms >= it->second.last_seen_ms && now_ms - it->second.last_seen_ms > timeout_ms_) {
      it = pending_.erase(it);
      ++stats_.expired;
    } else {
      ++it;
    }
  }
}

}  // namespace netseen::netbios
