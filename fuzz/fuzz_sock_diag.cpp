// Fuzzes the sock_diag reply parser (netlink messages carrying inet_diag_msg records): every
// length and count in a reply is untrusted. The first byte picks the caps, so that the limit
// paths are exercised too.
#include <cstddef>
#include <cstdint>

#include "ingest/sock_diag.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netseen;
  using namespace netseen::ingest;
  if (size < 1) return 0;
  SockDiagLimits lim;
  lim.max_records = 1u + (data[0] & 0x0fu);
  lim.max_messages = 1u + (data[0] >> 4) * 4u;
  lim.max_attributes = 1u + (data[0] & 0x07u);
  const Bytes all(data + 1, size - 1);
  SockDiagParse st;
  st.default_protocol = 17;
  const auto r = parse_sock_diag_datagram(all, st, lim);
  if (st.records.size() > lim.max_records) __builtin_trap();
  if (st.messages > lim.max_messages + 1) __builtin_trap();
  for (const auto& rec : st.records) {
    if (rec.family != 2 && rec.family != 10) __builtin_trap();
    if (rec.family == 2 && !rec.local.is_v4()) __builtin_trap();
  }
  if (r && !st.done && st.error != 0) __builtin_trap();
  // Parsing the same bytes in two datagrams' worth of state gives the same records.
  SockDiagParse again;
  again.default_protocol = 17;
  static_cast<void>(parse_sock_diag_datagram(all, again, lim));
  if (again.records.size() != st.records.size()) __builtin_trap();
  return 0;
}
