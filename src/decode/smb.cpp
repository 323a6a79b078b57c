// The fixed SMB1 (MS-CIFS 2.2.3.1) and SMB2 (MS-SMB2 2.2.1) headers at the start of a
// NetBIOS session message: command, status and the response flag, so that "SMB Tree
// Disconnect" and "SMB Echo Request" can be named. Encrypted SMB3 (0xFD 'SMB') is marked.
#include "decode/layers.hpp"

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
