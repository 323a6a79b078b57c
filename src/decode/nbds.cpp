// Adapter: NetBIOS datagrams (udp/138) summarised onto Event::nbds, with the browser
// protocol inside \MAILSLOT\BROWSE. A clean data datagram goes through
// netbios::summarize_nbds (names as raw bytes, nothing copied); anything else through
// netbios::parse_nbds_view, whose errors and diagnostics are the reference.
#include "decode/layers.hpp"
#include "netbios/browser.hpp"
#include "netbios/nbds.hpp"

namespace netseen::decode::detail {

namespace {

NbName to_nb_name(const netbios::NbnsNameRef& n) {
  NbName out;
  out.raw = n.raw;
  if (n.has_scope) out.scope = n.scope();
  return out;
}

// The mailslot and browser fields of a first (or only) fragment's user data.
void summarise_user_data(Bytes user_data, Nbds& d) {
  auto slot = netbios::parse_mailslot_view(user_data);
  if (!slot) return;  // user data that is not a mailslot write is legal
  d.mailslot.assign(slot->mailslot.begin(), slot->mailslot.end());
  auto browser = netbios::summarize_browser(slot->data);
  if (!browser) return;
  d.browser_opcode = browser->opcode;
  d.server_name.assign(browser->server_name.begin(), browser->server_name.end());
}

}  // namespace

void decode_nbds(ByteReader r, Ctx& c) {
  if (!want_app(c, app_part::kNbds)) return;
  Event& ev = c.ev;
  netbios::NbdsSummary s;
  if (netbios::summarize_nbds(r.rest(), s)) {  // the common datagram, without building names
    ev.app = App::Nbds;
    Nbds& d = ev.nbds.emplace();
    if (c.spare != nullptr) reuse_buffer(d.mailslot, c.spare->mailslot);
    d.msg_type = s.type;
    d.source_name = to_nb_name(s.source_name);
    d.destination_name = to_nb_name(s.destination_name);
    if (!s.user_data.empty() && (s.flags & netbios::kNbdsFlagFirst) != 0) summarise_user_data(s.user_data, d);
    return;
  }
  decode_nbds_full(r, c);  // anything else: the full parser's errors and diagnostics
}

void decode_nbds_full(ByteReader r, Ctx& c) {
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
  summarise_user_data(*user_data, d);
}

}  // namespace netseen::decode::detail
