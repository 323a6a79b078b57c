// Linux netfilter LOG lines (iptables/ip6tables -j LOG, nftables `log`, ufw, firewalld,
// Shorewall, SuSEfirewall2 prefixes) and ulogd2 LOGEMU, in any syslog wrapping.
#pragma once

#include <memory>
#include <string_view>

#include "decode/event.hpp"
#include "ingest/log_common.hpp"

namespace netseen::ingest::logs {

std::unique_ptr<Dialect> make_netfilter_dialect();
std::unique_ptr<Dialect> make_ulogd_dialect();  // LOGEMU text: same fields, ulogd's own wrapping

// Parses the netfilter part of a message (the text holding the prefix and "IN=… OUT=…").
// NotMine when there is no "IN=" followed by " OUT=". Exposed for tests and the benchmark.
LineResult parse_netfilter_message(std::string_view msg, decode::Event& ev, std::string& why);
// The same parse with every token cut first and then read by the generic key/value code,
// without the in-place fast path for the common fields: must give the same result, event and
// reason for every input (the differential test and fuzz harness hold the two together).
LineResult parse_netfilter_message_reference(std::string_view msg, decode::Event& ev, std::string& why);

}  // namespace netseen::ingest::logs
