// Linux 2.2 ipchains "Packet log:" lines; the L= S= I= F= T= tail is shared with ipfwadm (2.0).
#pragma once

#include <memory>
#include <string>

#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_ipchains_dialect();

// "a.b.c.d:port" (port optional when allow_no_port). False on a bad address or port.
bool parse_addr_port(std::string_view s, IpAddress& a, std::uint16_t& port, bool& had_port) noexcept;
// One "L=…", "S=0x…", "I=…", "F=0x…", "T=…" token into the event. NotMine when the token is
// none of them; Error (with why) on a bad value.
LineResult ipchains_tail_token(std::string_view tok, decode::Event& ev, std::string& why);

}  // namespace netseen::ingest::logs
