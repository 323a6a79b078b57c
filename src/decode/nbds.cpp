// Adapter: NetBIOS datagrams (udp/138) parsed by src/netbios, with the browser protocol
// inside \MAILSLOT\BROWSE summarised onto Event::nbds.
#include "decode/layers.hpp"
#include "netbios/browser.hpp"
#include "netbios/nbds.hpp"

namespace netseen::decode::detail {

void decode_nbds(ByteReader r, Ctx& c) {
  Event& ev = c.ev;
  netbios::NbdsMessage m;
  auto user_data = netbios::parse_nbds_view(r.rest(), m);  // names parsed, user data not copied
  if (!user_data) {
    add_anomaly(ev, "nbds_malformed", user_data.error().message());
    auto type = r.peek_u8();
    if (!type) return;
    ev.app = App::Nbds;
    ev.nbds.emplace().msg_type = *type;
    return;
  }
  ev.app = App::Nbds;
  Nbds& d = ev.nbds.emplace();
  d.msg_type = m.type;
  if (m.source_name) {
    d.source_name.emplace();
    d.source_name->raw = m.source_name->raw;
    d.source_name->scope = std::move(m.source_name->scope);
  }
  if (m.destination_name) {
    d.destination_name.emplace();
    d.destination_name->raw = m.destination_name->raw;
    d.destination_name->scope = std::move(m.destination_name->scope);
  }
  for (const auto& diag : m.diagnostics) add_anomaly(ev, diag.id.c_str(), diag.detail);
  if (!m.carries_data() || user_data->empty() || !m.first()) return;
  auto slot = netbios::parse_mailslot_view(*user_data);
  if (!slot) return;  // user data that is not a mailslot write is legal
  d.mailslot.assign(slot->mailslot.begin(), slot->mailslot.end());
  auto browser = netbios::summarize_browser(slot->data);
  if (!browser) return;
  d.browser_opcode = browser->opcode;
  d.server_name.assign(browser->server_name.begin(), browser->server_name.end());
}

}  // namespace netseen::decode::detail
