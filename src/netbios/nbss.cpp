#include "netbios/nbss.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace netseen::netbios {

namespace {

constexpr std::string_view kLayer = "nbss";

bool known_type(std::uint8_t t) noexcept { return t == 0x00 || (t >= 0x81 && t <= 0x85); }

std::vector<std::uint8_t> frame(std::uint8_t type, Bytes payload) {
  ByteWriter w;
  w.u8(type);
  w.u8(static_cast<std::uint8_t>((payload.size() >> 16) & 0x01U));
  w.u16be(static_cast<std::uint16_t>(payload.size() & 0xFFFFU));
  w.bytes(payload);
  return w.take();
}

}  // namespace

std::string_view session_type_name(std::uint8_t type) noexcept {
  switch (type) {
    case 0x00: return "session_message";
    case 0x81: return "session_request";
    case 0x82: return "positive_session_response";
    case 0x83: return "negative_session_response";
    case 0x84: return "retarget_session_response";
    case 0x85: return "session_keep_alive";
    default: return "unknown";
  }
}

std::string_view session_error_meaning(std::uint8_t code) noexcept {
  switch (code) {
    case 0x80: return "Not listening on called name";
    case 0x81: return "Not listening for calling name";
    case 0x82: return "Called name not present";
    case 0x83: return "Called name present, but insufficient resources";
    case 0x8F: return "Unspecified error";
    default: return "Unknown error code";
  }
}

Result<NbssFrameHeader> parse_nbss_header(Bytes data, Framing framing) {
  if (data.size() < NbssFrameHeader::kWireSize) {
    return fail(ErrorKind::Truncated, kLayer, data.size(), fmt::format("header is {} bytes, needs 4", data.size()));
  }
  NbssFrameHeader h;
  h.type = data[0];
  h.flags = data[1];
  const std::uint32_t low = (static_cast<std::uint32_t>(data[2]) << 8) | data[3];
  if (framing == Framing::Nbss) {
    if (!known_type(h.type)) {
      return fail(ErrorKind::Malformed, kLayer, 0, fmt::format("unknown session packet type 0x{:02x}", h.type));
    }
    if ((h.flags & 0xFEU) != 0) {
      return fail(ErrorKind::Malformed, kLayer, 1, fmt::format("reserved flag bits set: 0x{:02x}", h.flags));
    }
    h.length = (static_cast<std::uint32_t>(h.flags & 0x01U) << 16) | low;
  } else {
    if (h.type != 0x00 && h.type != 0x85) {
      return fail(ErrorKind::Malformed, kLayer, 0,
                  fmt::format("direct-hosted SMB frame type 0x{:02x} is not 0x00", h.type));
    }
    h.length = (static_cast<std::uint32_t>(h.flags) << 16) | low;
  }
  return h;
}

Result<NbssSessionRequest> parse_session_request(Bytes payload, const ParseOptions& options) {
  ByteReader r(payload, NbssFrameHeader::kWireSize);
  NbssSessionRequest req;
  auto called = read_name(r, options.name_mode);
  if (!called) return called.error();
  req.called = std::move(*called);
  auto calling = read_name(r, options.name_mode);
  if (!calling) return calling.error();
  req.calling = std::move(*calling);
  return req;
}

Result<std::uint8_t> parse_negative_response(Bytes payload) {
  if (payload.empty()) return fail(ErrorKind::Truncated, kLayer, 4, "negative session response without error code");
  return payload[0];
}

Result<NbssRetarget> parse_retarget(Bytes payload) {
  ByteReader r(payload, NbssFrameHeader::kWireSize);
  auto ip = r.u32be();
  auto port = r.u16be();
  if (!ip || !port) return fail(ErrorKind::Truncated, kLayer, 4 + payload.size(), "retarget response needs 6 bytes");
  return NbssRetarget{*ip, *port};
}

Result<std::vector<std::uint8_t>> build_session_request(const NbssSessionRequest& request) {
  ByteWriter body;
  write_name(body, request.called);
  write_name(body, request.calling);
  return frame(0x81, Bytes(body.data()));
}

std::vector<std::uint8_t> build_positive_response() { return frame(0x82, {}); }

std::vector<std::uint8_t> build_negative_response(std::uint8_t error_code) {
  const std::uint8_t b[1] = {error_code};
  return frame(0x83, Bytes(b));
}

std::vector<std::uint8_t> build_retarget(const NbssRetarget& retarget) {
  ByteWriter body;
  body.u32be(retarget.address);
  body.u16be(retarget.port);
  return frame(0x84, Bytes(body.data()));
}

std::vector<std::uint8_t> build_keep_alive() { return frame(0x85, {}); }

Result<std::vector<std::uint8_t>> build_session_message(Bytes payload, Framing framing) {
  if (framing == Framing::Nbss) {
    if (payload.size() > kNbssMaxLength) {
      return fail(ErrorKind::LimitExceeded, kLayer, 0,
                  fmt::format("{} bytes exceed the 17-bit session length", payload.size()));
    }
    return frame(0x00, payload);
  }
  if (payload.size() > kSmbDirectMaxLength) {
    return fail(ErrorKind::LimitExceeded, kLayer, 0, fmt::format("{} bytes exceed the 24-bit length", payload.size()));
  }
  ByteWriter w;
  w.u8(0);
  w.u24be(static_cast<std::uint32_t>(payload.size()));
  w.bytes(payload);
  return w.take();
}

void NbssFramer::feed(Bytes chunk) {
  std::size_t i = 0;
  while (i < chunk.size() && !failed_) {
    if (!have_header_) {
      const std::size_t take = std::min(NbssFrameHeader::kWireSize - pending_.size(), chunk.size() - i);
      pending_.insert(pending_.end(), chunk.begin() + static_cast<std::ptrdiff_t>(i),
                      chunk.begin() + static_cast<std::ptrdiff_t>(i + take));
      i += take;
      if (pending_.size() < NbssFrameHeader::kWireSize) break;
      auto h = parse_nbss_header(Bytes(pending_), framing_);
      if (!h) {
        failed_ = true;
        error_ = h.error();
        error_.offset += consumed_;
        return;
      }
      current_ = NbssFrame{};
      current_.header = *h;
      current_.stream_offset = consumed_;
      consumed_ += NbssFrameHeader::kWireSize;
      pending_.clear();
      remaining_payload_ = h->length;
      have_header_ = true;
    } else {
      const std::size_t take = std::min(remaining_payload_, chunk.size() - i);
      const std::size_t room = max_kept_ > current_.payload.size() ? max_kept_ - current_.payload.size() : 0;
      const std::size_t keep = std::min(take, room);
      current_.payload.insert(current_.payload.end(), chunk.begin() + static_cast<std::ptrdiff_t>(i),
                              chunk.begin() + static_cast<std::ptrdiff_t>(i + keep));
      if (keep < take) current_.payload_truncated = true;
      i += take;
      remaining_payload_ -= take;
      consumed_ += take;
    }
    if (have_header_ && remaining_payload_ == 0) {
      ready_.push_back(std::move(current_));
      current_ = NbssFrame{};
      have_header_ = false;
      ++frames_;
    }
  }
}

Result<std::optional<NbssFrame>> NbssFramer::next() {
  if (ready_head_ < ready_.size()) {
    NbssFrame f = std::move(ready_[ready_head_++]);
    if (ready_head_ == ready_.size()) {
      ready_.clear();
      ready_head_ = 0;
    }
    return std::optional<NbssFrame>(std::move(f));
  }
  if (failed_) return error_;
  return std::optional<NbssFrame>();
}

void NbssFramer::resync() noexcept {
  failed_ = false;
  pending_.clear();
  have_header_ = false;
  current_ = NbssFrame{};
  remaining_payload_ = 0;
}

std::size_t NbssFramer::buffered() const noexcept { return pending_.size() + current_.payload.size(); }

}  // namespace netseen::netbios
