#include "decode/event.hpp"

namespace netseen::decode {

const char* to_string(Transport t) noexcept {
  switch (t) {
    case Transport::None: return "none";
    case Transport::Tcp: return "tcp";
    case Transport::Udp: return "udp";
    case Transport::Icmp: return "icmp";
    case Transport::Icmpv6: return "icmpv6";
    case Transport::Other: return "other";
  }
  return "?";
}

const char* to_string(Action a) noexcept {
  switch (a) {
    case Action::Unknown: return "unknown";
    case Action::Accept: return "accept";
    case Action::Drop: return "drop";
    case Action::Reject: return "reject";
  }
  return "?";
}

const char* to_string(Direction d) noexcept {
  switch (d) {
    case Direction::Unknown: return "unknown";
    case Direction::Inbound: return "inbound";
    case Direction::Outbound: return "outbound";
    case Direction::Forward: return "forward";
  }
  return "?";
}

const char* to_string(App a) noexcept {
  switch (a) {
    case App::None: return "none";
    case App::Dns: return "dns";
    case App::Nbns: return "nbns";
    case App::Nbds: return "nbds";
    case App::Nbss: return "nbss";
    case App::Smb1: return "smb1";
    case App::Smb2: return "smb2";
    case App::Other: return "other";
  }
  return "?";
}

}  // namespace netseen::decode
