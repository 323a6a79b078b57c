// Adapter: NetBIOS datagrams (udp/138) parsed by src/netbios, with the browser protocol
// inside \MAILSLOT\BROWSE summarised onto Event::nbds.
#include "decode/layers.hpp"
#include "netbios/browser.hpp"
#include "netbios/nbds.hpp"

namespace netseen::decode::detail {

void decode_nbds(ByteReader r, Ctx& c) {
  Event& ev = c.ev;
  auto parsed = netbios::parse_nbds(r.rest());
  if (!parsed) {
    add_anomaly(ev, "nbds_malformed", parsed.error().message());
    auto type = r.peek_u8();
    if (!type) return;
    ev.app = App::Nbds;
    ev.nbds.emplace().msg_type = *type;
    return;
  }
  const netbios::NbdsMessage& m = *parsed;
  ev.app = App::Nbds;
  Nbds& d = ev.nbds.emplace();
  d.msg_type = m.type;
  if (m.source_name) {
    d.source_name.emplace();
    d.source_name->raw = m.source_name->raw;
    d.source_name->scope = m.source_name->scope;
  }
  if (m.destination_name) {
    d.destination_name.emplace();
    d.destination_name->raw = m.destination_name->raw;
    d.destination_name->scope = m.destination_name->scope;
  }
  for (const auto& diag : m.diagnostics) add_anomaly(ev, diag.id.c_str(), diag.detail);
  if (!m.carries_data() || m.user_data.empty() || !m.first()) return;
  auto slot = netbios::parse_mailslot(Bytes(m.user_data));
  if (!slot) return;  // user data that is not a mailslot write is legal
  d.mailslot = slot->mailslot;
  auto browser = netbios::parse_browser(Bytes(slot->data));
  if (!browser) return;
  d.browser_opcode = browser->opcode;
  d.server_name = browser->server_name;
}

}  // namespace netseen::decode::detail
