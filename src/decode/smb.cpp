// The fixed SMB1 (MS-CIFS 2.2.3.1) and SMB2 (MS-SMB2 2.2.1) headers at the start of a
// NetBIOS session message: command, status and the response flag, so that "SMB Tree
// Disconnect" and "SMB Echo Request" can be named. Encrypted SMB3 (0xFD 'SMB') is marked.
#include <iterator>

#include "decode/layers.hpp"

namespace netseen::decode {

const char* smb_command_name(std::uint8_t version, std::uint16_t command) noexcept {
  if (version == 2) {
    static constexpr const char* kSmb2[] = {"Negotiate", "Session Setup", "Logoff", "Tree Connect", "Tree Disconnect",
                                            "Create", "Close", "Flush", "Read", "Write", "Lock", "Ioctl", "Cancel",
                                            "Echo", "Query Directory", "Change Notify", "Query Info", "Set Info",
                                            "Oplock Break"};
    return command < std::size(kSmb2) ? kSmb2[command] : nullptr;
  }
  if (version != 1) return nullptr;
  switch (command) {
    case 0x00: return "Create Directory";
    case 0x01: return "Delete Directory";
    case 0x02: return "Open";
    case 0x03: return "Create";
    case 0x04: return "Close";
    case 0x05: return "Flush";
    case 0x06: return "Delete";
    case 0x07: return "Rename";
    case 0x08: return "Query Information";
    case 0x09: return "Set Information";
    case 0x0A: return "Read";
    case 0x0B: return "Write";
    case 0x10: return "Check Directory";
    case 0x1D: return "Read Raw";
    case 0x24: return "Locking AndX";
    case 0x25: return "Trans";
    case 0x2B: return "Echo";
    case 0x2D: return "Open AndX";
    case 0x2E: return "Read AndX";
    case 0x2F: return "Write AndX";
    case 0x32: return "Trans2";
    case 0x34: return "Find Close2";
    case 0x70: return "Tree Connect";
    case 0x71: return "Tree Disconnect";
    case 0x72: return "Negotiate Protocol";
    case 0x73: return "Session Setup AndX";
    case 0x74: return "Logoff AndX";
    case 0x75: return "Tree Connect AndX";
    case 0xA0: return "NT Trans";
    case 0xA2: return "NT Create AndX";
    case 0xA4: return "NT Cancel";
    default: return nullptr;
  }
}

}  // namespace netseen::decode

namespace netseen::decode::detail {

bool decode_smb(ByteReader r, Ctx& c) {
  auto magic = r.u32be();
  if (!magic) return false;
  Event& ev = c.ev;
  if (*magic == 0xFF534D42U) {  // \xFF S M B
    auto command = r.u8();
    auto status = r.u32le();
    auto flags = r.u8();
    if (!command || !status || !flags) {
      add_anomaly(ev, "smb_truncated");
      return false;
    }
    Smb& s = ev.smb.emplace();
    s.version = 1;
    s.command = *command;
    s.status = *status;
    s.response = (*flags & 0x80) != 0;
    ev.app = App::Smb1;
    return true;
  }
  if (*magic == 0xFE534D42U) {  // \xFE S M B
    auto length = r.u16le();
    auto credit_charge = r.u16le();
    auto status = r.u32le();
    auto command = r.u16le();
    auto credits = r.u16le();
    auto flags = r.u32le();
    if (!length || !credit_charge || !status || !command || !credits || !flags) {
      add_anomaly(ev, "smb_truncated");
      return false;
    }
    if (*length != 64) add_anomaly(ev, "smb2_bad_header_length");
    Smb& s = ev.smb.emplace();
    s.version = 2;
    s.command = *command;
    s.status = *status;
    s.response = (*flags & 0x1U) != 0;
    ev.app = App::Smb2;
    return true;
  }
  if (*magic == 0xFD534D42U) {  // SMB3 transform header: encrypted
    Smb& s = ev.smb.emplace();
    s.version = 3;
    ev.app = App::Smb2;
    return true;
  }
  return false;
}

}  // namespace netseen::decode::detail
