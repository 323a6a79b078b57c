// The browser protocol ([MS-BRWS]) carried in NBDS datagrams: the user data is an SMB1
// TRANSACTION (command 0x25) "mailslot write" to `\MAILSLOT\BROWSE` (or `\MAILSLOT\LANMAN`),
// whose data is one browser frame. Decoded to the level tcpdump's smb printer shows.
//
//   SMB header (32) | WordCount=17 | 17 words (…, ParamCount, ParamOffset, DataCount,
//   DataOffset, SetupCount, …, Setup[SetupCount]) | ByteCount | mailslot name \0 | … data
//
// Browser frame: opcode(1) then per opcode, little-endian:
//   1 HostAnnouncement, 12 DomainAnnouncement, 15 LocalMasterAnnouncement:
//     UpdateCount(1) Periodicity(4) ServerName(16, NUL padded) OSMajor(1) OSMinor(1)
//     ServerType(4) BrowserMajor(1) BrowserMinor(1) Signature(2) Comment(\0-terminated)
//   2 AnnouncementRequest: Unused(1) ResponseName(\0)
//   8 RequestElection: Version(1) Criteria(4) Uptime(4) Reserved(4) ServerName(\0)
//   9 GetBackupListRequest: RequestedCount(1) Token(4)
//   10 GetBackupListResponse: BackupServerCount(1) Token(4) names(\0 each)
//   11 BecomeBackup: BrowserToPromote(\0)      13 MasterAnnouncement: MasterBrowserServerName(\0)
//   14 ResetStateRequest: Options(1)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace netseen::netbios {

struct MailslotMessage {
  std::uint8_t smb_command = 0;    // 0x25
  std::uint16_t opcode = 0;        // Setup[0]: 1 = mailslot write
  std::uint16_t priority = 0;      // Setup[1]
  std::uint16_t mailslot_class = 0;  // Setup[2]: 1 reliable, 2 unreliable/broadcast
  std::string mailslot;            // "\MAILSLOT\BROWSE"
  std::vector<std::uint8_t> data;  // the transaction data (browser frame)
};

// Parses the SMB TRANSACTION mailslot wrapper in NBDS user data. Errors: Truncated,
// Malformed (not \xFFSMB, WordCount < 14, data outside the message), Unsupported (an SMB
// command other than 0x25).
Result<MailslotMessage> parse_mailslot(Bytes user_data);
// parse_mailslot without copies: the mailslot name (up to its NUL, within ByteCount) and the
// transaction data as views into `user_data`. Same checks and errors.
struct MailslotView {
  std::uint8_t smb_command = 0;
  std::uint16_t opcode = 0, priority = 0, mailslot_class = 0;
  Bytes mailslot;
  Bytes data;
};
Result<MailslotView> parse_mailslot_view(Bytes user_data);
// Builds the wrapper around `data` (tests, responders).
std::vector<std::uint8_t> build_mailslot(std::string_view mailslot, Bytes data);

enum class BrowserOpcode : std::uint8_t {
  HostAnnouncement = 1,
  AnnouncementRequest = 2,
  RequestElection = 8,
  GetBackupListRequest = 9,
  GetBackupListResponse = 10,
  BecomeBackup = 11,
  DomainAnnouncement = 12,
  MasterAnnouncement = 13,
  ResetStateRequest = 14,
  LocalMasterAnnouncement = 15,
};
std::string_view browser_opcode_name(std::uint8_t opcode) noexcept;  // "HostAnnouncement", …

// Server type bits (SV_TYPE_*) most often seen.
inline constexpr std::uint32_t kSvTypeWorkstation = 0x00000001;
inline constexpr std::uint32_t kSvTypeServer = 0x00000002;
inline constexpr std::uint32_t kSvTypeDomainController = 0x00000008;
inline constexpr std::uint32_t kSvTypeBackupDomainController = 0x00000010;
inline constexpr std::uint32_t kSvTypeMasterBrowser = 0x00040000;
inline constexpr std::uint32_t kSvTypeDomainMaster = 0x00080000;
inline constexpr std::uint32_t kSvTypeNt = 0x00001000;
inline constexpr std::uint32_t kSvTypeDomainEnum = 0x80000000;

struct BrowserMessage {
  std::uint8_t opcode = 0;
  // Announcements (1, 12, 15):
  std::uint8_t update_count = 0;
  std::uint32_t periodicity_ms = 0;
  std::string server_name;       // NUL padding removed (also: election/backup/master name)
  std::uint8_t os_major = 0, os_minor = 0;
  std::uint32_t server_type = 0;
  std::uint8_t browser_major = 0, browser_minor = 0;
  std::uint16_t signature = 0;
  std::string comment;           // DomainAnnouncement: the master browser's name
  // RequestElection (8):
  std::uint8_t election_version = 0;
  std::uint32_t election_criteria = 0;
  std::uint32_t uptime_ms = 0;
  // GetBackupList (9, 10):
  std::uint8_t count = 0;
  std::uint32_t token = 0;
  std::vector<std::string> backup_servers;
  // ResetState (14):
  std::uint8_t reset_options = 0;
  std::vector<std::string> notes;  // tolerated oddities ("comment_unterminated", …)
};

// Parses one browser frame. Errors: Truncated (fixed part cut short), Unsupported (unknown
// opcode). Strings are bounded by the frame; a missing terminator is tolerated and noted.
Result<BrowserMessage> parse_browser(Bytes frame);
// What decode keeps of a browser frame, without building a BrowserMessage: the opcode and
// the server name parse_browser would give (a view into `frame`). Fails exactly when
// parse_browser fails (tested against it on random frames).
struct BrowserSummary {
  std::uint8_t opcode = 0;
  Bytes server_name;
};
Result<BrowserSummary> summarize_browser(Bytes frame);
// Builds a browser frame for the opcodes above.
Result<std::vector<std::uint8_t>> build_browser(const BrowserMessage& message);

}  // namespace netseen::netbios
