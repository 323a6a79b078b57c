#include "netbios/browser.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace netseen::netbios {

namespace {

constexpr std::string_view kSmbLayer = "mailslot";
constexpr std::string_view kLayer = "browser";
constexpr std::size_t kSmbHeader = 32;
constexpr std::size_t kServerNameField = 16;
constexpr std::size_t kMaxBackupNames = 255;

// Reads a NUL-terminated string bounded by the reader; notes a missing terminator.
std::string read_cstring(ByteReader& r, std::vector<std::string>& notes, std::string_view what) {
  const Bytes rest = r.rest();
  const auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
  std::string s(rest.begin(), nul);
  if (nul == rest.end()) {
    notes.push_back(fmt::format("{}_unterminated", what));
    r.skip(rest.size());
  } else {
    r.skip(s.size() + 1);
  }
  return s;
}

void write_cstring(ByteWriter& w, std::string_view s) {
  w.bytes(s);
  w.u8(0);
}

bool is_announcement(std::uint8_t op) noexcept { return op == 1 || op == 12 || op == 15; }

}  // namespace

Result<MailslotMessage> parse_mailslot(Bytes user_data) {
  auto v = parse_mailslot_view(user_data);
  if (!v) return v.error();
  MailslotMessage m;
  m.smb_command = v->smb_command;
  m.opcode = v->opcode;
  m.priority = v->priority;
  m.mailslot_class = v->mailslot_class;
  m.mailslot.assign(v->mailslot.begin(), v->mailslot.end());
  m.data.assign(v->data.begin(), v->data.end());
  return m;
}

Result<MailslotView> parse_mailslot_view(Bytes user_data) {
  ByteReader r(user_data);
  MailslotView m;
  auto magic = r.bytes(4);
  if (!magic) return fail(ErrorKind::Truncated, kSmbLayer, 0, "SMB header cut short");
  static constexpr std::uint8_t kMagic[4] = {0xFF, 'S', 'M', 'B'};
  if (!std::equal(magic->begin(), magic->end(), std::begin(kMagic))) {
    return fail(ErrorKind::Malformed, kSmbLayer, 0, "user data is not an SMB1 message");
  }
  if (user_data.size() < kSmbHeader + 1) return fail(ErrorKind::Truncated, kSmbLayer, user_data.size(), "SMB header cut short");
  m.smb_command = user_data[4];
  if (m.smb_command != 0x25) {
    return fail(ErrorKind::Unsupported, kSmbLayer, 4, fmt::format("SMB command 0x{:02x} is not TRANSACTION", m.smb_command));
  }
  r.seek(kSmbHeader);
  const std::uint8_t wc = *r.u8();
  if (wc < 14) return fail(ErrorKind::Malformed, kSmbLayer, kSmbHeader, fmt::format("WordCount {} < 14", wc));
  auto words = r.bytes(static_cast<std::size_t>(wc) * 2);
  if (!words) return fail(ErrorKind::Truncated, kSmbLayer, kSmbHeader + 1, "parameter words cut short");
  // Parameter word i (little-endian); every index read below is < wc, inside `words`.
  auto word = [w = *words](std::size_t i) {
    return static_cast<std::uint16_t>(w[2 * i] | (static_cast<unsigned>(w[2 * i + 1]) << 8));
  };
  const std::uint16_t data_count = word(11);
  const std::uint16_t data_offset = word(12);
  const std::size_t setup_count = word(13) & 0xFFU;
  if (14 + setup_count > wc) {
    return fail(ErrorKind::Malformed, kSmbLayer, kSmbHeader + 1 + 26,
                fmt::format("SetupCount {} does not fit WordCount {}", setup_count, wc));
  }
  if (setup_count > 0) m.opcode = word(14);
  if (setup_count > 1) m.priority = word(15);
  if (setup_count > 2) m.mailslot_class = word(16);
  auto byte_count = r.u16le();
  if (!byte_count) return fail(ErrorKind::Truncated, kSmbLayer, r.offset(), "ByteCount cut short");
  const Bytes bytes = r.sub_clamped(*byte_count).rest();
  const auto nul = std::find(bytes.begin(), bytes.end(), std::uint8_t{0});  // unterminated: all of it
  m.mailslot = bytes.first(static_cast<std::size_t>(nul - bytes.begin()));
  if (data_offset > user_data.size()) {
    return fail(ErrorKind::Malformed, kSmbLayer, kSmbHeader + 1 + 24,
                fmt::format("DataOffset {} beyond the {} bytes of the message", data_offset, user_data.size()));
  }
  if (static_cast<std::size_t>(data_offset) + data_count > user_data.size()) {
    return fail(ErrorKind::Truncated, kSmbLayer, user_data.size(),
                fmt::format("transaction data ({} bytes at {}) runs past the message", data_count, data_offset));
  }
  m.data = user_data.subspan(data_offset, data_count);
  return m;
}

std::vector<std::uint8_t> build_mailslot(std::string_view mailslot, Bytes data) {
  ByteWriter w;
  w.u8(0xFF);
  w.bytes(std::string_view("SMB"));
  w.u8(0x25);
  w.fill(kSmbHeader - 5, 0);
  w.u8(17);  // WordCount: 14 + 3 setup words
  const std::size_t data_offset = kSmbHeader + 1 + 34 + 2 + mailslot.size() + 1;
  const auto dsize = static_cast<std::uint16_t>(std::min<std::size_t>(data.size(), 0xFFFF));
  w.u16le(0);          // TotalParameterCount
  w.u16le(dsize);      // TotalDataCount
  w.u16le(0);          // MaxParameterCount
  w.u16le(0);          // MaxDataCount
  w.u16le(0);          // MaxSetupCount + Reserved1
  w.u16le(0);          // Flags
  w.u32le(0);          // Timeout
  w.u16le(0);          // Reserved2
  w.u16le(0);          // ParameterCount
  w.u16le(static_cast<std::uint16_t>(data_offset));  // ParameterOffset
  w.u16le(dsize);      // DataCount
  w.u16le(static_cast<std::uint16_t>(data_offset));  // DataOffset
  w.u16le(3);          // SetupCount + Reserved3
  w.u16le(1);          // Setup[0]: mailslot write
  w.u16le(1);          // Setup[1]: priority
  w.u16le(2);          // Setup[2]: class 2 (unreliable, broadcast)
  w.u16le(static_cast<std::uint16_t>(std::min<std::size_t>(mailslot.size() + 1 + dsize, 0xFFFF)));
  write_cstring(w, mailslot);
  w.bytes(data.first(dsize));
  return w.take();
}

std::string_view browser_opcode_name(std::uint8_t opcode) noexcept {
  switch (opcode) {
    case 1: return "HostAnnouncement";
    case 2: return "AnnouncementRequest";
    case 8: return "RequestElection";
    case 9: return "GetBackupListRequest";
    case 10: return "GetBackupListResponse";
    case 11: return "BecomeBackup";
    case 12: return "DomainAnnouncement";
    case 13: return "MasterAnnouncement";
    case 14: return "ResetStateRequest";
    case 15: return "LocalMasterAnnouncement";
    default: return "Unknown";
  }
}

Result<BrowserMessage> parse_browser(Bytes frame) {
  ByteReader r(frame);
  BrowserMessage m;
  auto op = r.u8();
  if (!op) return fail(ErrorKind::Truncated, kLayer, 0, "empty browser frame");
  m.opcode = *op;
  auto short_frame = [&](std::size_t need) {
    return fail(ErrorKind::Truncated, kLayer, frame.size(),
                fmt::format("{} needs {} bytes, frame has {}", browser_opcode_name(m.opcode), need, frame.size()));
  };
  if (is_announcement(m.opcode)) {
    if (!r.can_read(31)) return short_frame(32);
    m.update_count = *r.u8();
    m.periodicity_ms = *r.u32le();
    const Bytes name = *r.bytes(kServerNameField);
    const auto nul = std::find(name.begin(), name.end(), std::uint8_t{0});
    m.server_name.assign(name.begin(), nul);
    m.os_major = *r.u8();
    m.os_minor = *r.u8();
    m.server_type = *r.u32le();
    m.browser_major = *r.u8();
    m.browser_minor = *r.u8();
    m.signature = *r.u16le();
    m.comment = read_cstring(r, m.notes, "comment");
    return m;
  }
  switch (m.opcode) {
    case 2:
      if (!r.can_read(1)) return short_frame(2);
      r.skip(1);
      m.server_name = read_cstring(r, m.notes, "response_name");
      return m;
    case 8:
      if (!r.can_read(13)) return short_frame(14);
      m.election_version = *r.u8();
      m.election_criteria = *r.u32le();
      m.uptime_ms = *r.u32le();
      r.skip(4);
      m.server_name = read_cstring(r, m.notes, "server_name");
      return m;
    case 9:
      if (!r.can_read(5)) return short_frame(6);
      m.count = *r.u8();
      m.token = *r.u32le();
      return m;
    case 10:
      if (!r.can_read(5)) return short_frame(6);
      m.count = *r.u8();
      m.token = *r.u32le();
      for (std::size_t i = 0; i < m.count && i < kMaxBackupNames && !r.empty(); ++i) {
        m.backup_servers.push_back(read_cstring(r, m.notes, "backup_server"));
      }
      if (m.backup_servers.size() < m.count) m.notes.emplace_back("backup_list_short");
      return m;
    case 11:
    case 13:
      m.server_name = read_cstring(r, m.notes, "server_name");
      return m;
    case 14:
      if (!r.can_read(1)) return short_frame(2);
      m.reset_options = *r.u8();
      return m;
    default:
      return fail(ErrorKind::Unsupported, kLayer, 0, fmt::format("unknown browser opcode {}", m.opcode));
  }
}

Result<BrowserSummary> summarize_browser(Bytes frame) {
  // The same length checks as parse_browser, reading only what names the server.
  if (frame.empty()) return fail(ErrorKind::Truncated, kLayer, 0, "empty browser frame");
  BrowserSummary s;
  s.opcode = frame[0];
  auto need = [&](std::size_t n) -> Result<BrowserSummary> {
    return fail(ErrorKind::Truncated, kLayer, frame.size(),
                fmt::format("{} needs {} bytes, frame has {}", browser_opcode_name(s.opcode), n, frame.size()));
  };
  // A NUL-terminated string from `at` (all of the rest when unterminated).
  auto cstring = [&frame](std::size_t at) {
    const Bytes rest = frame.subspan(std::min(at, frame.size()));
    const auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
    return rest.first(static_cast<std::size_t>(nul - rest.begin()));
  };
  if (is_announcement(s.opcode)) {
    if (frame.size() < 32) return need(32);
    const Bytes name = frame.subspan(6, kServerNameField);
    const auto nul = std::find(name.begin(), name.end(), std::uint8_t{0});
    s.server_name = name.first(static_cast<std::size_t>(nul - name.begin()));
    return s;
  }
  switch (s.opcode) {
    case 2:
      if (frame.size() < 2) return need(2);
      s.server_name = cstring(2);
      return s;
    case 8:
      if (frame.size() < 14) return need(14);
      s.server_name = cstring(14);
      return s;
    case 9:
    case 10:
      if (frame.size() < 6) return need(6);
      return s;
    case 11:
    case 13:
      s.server_name = cstring(1);
      return s;
    case 14:
      if (frame.size() < 2) return need(2);
      return s;
    default:
      return fail(ErrorKind::Unsupported, kLayer, 0, fmt::format("unknown browser opcode {}", s.opcode));
  }
}

Result<std::vector<std::uint8_t>> build_browser(const BrowserMessage& m) {
  ByteWriter w;
  w.u8(m.opcode);
  if (is_announcement(m.opcode)) {
    if (m.server_name.size() > kServerNameField) {
      return fail(ErrorKind::Malformed, kLayer, 6, "server name longer than 16 bytes");
    }
    w.u8(m.update_count);
    w.u32le(m.periodicity_ms);
    w.bytes(m.server_name);
    w.fill(kServerNameField - m.server_name.size(), 0);
    w.u8(m.os_major);
    w.u8(m.os_minor);
    w.u32le(m.server_type);
    w.u8(m.browser_major);
    w.u8(m.browser_minor);
    w.u16le(m.signature);
    write_cstring(w, m.comment);
    return w.take();
  }
  switch (m.opcode) {
    case 2:
      w.u8(0);
      write_cstring(w, m.server_name);
      break;
    case 8:
      w.u8(m.election_version);
      w.u32le(m.election_criteria);
      w.u32le(m.uptime_ms);
      w.u32le(0);
      write_cstring(w, m.server_name);
      break;
    case 9:
      w.u8(m.count);
      w.u32le(m.token);
      break;
    case 10:
      w.u8(static_cast<std::uint8_t>(std::min<std::size_t>(m.backup_servers.size(), kMaxBackupNames)));
      w.u32le(m.token);
      for (std::size_t i = 0; i < m.backup_servers.size() && i < kMaxBackupNames; ++i) {
        write_cstring(w, m.backup_servers[i]);
      }
      break;
    case 11:
    case 13:
      write_cstring(w, m.server_name);
      break;
    case 14:
      w.u8(m.reset_options);
      break;
    default:
      return fail(ErrorKind::Unsupported, kLayer, 0, fmt::format("unknown browser opcode {}", m.opcode));
  }
  return w.take();
}

}  // namespace netseen::netbios
