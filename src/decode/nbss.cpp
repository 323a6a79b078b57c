// Adapter: NetBIOS session service frames (tcp/139) and the direct-hosted SMB framing of
// tcp/445, parsed by src/netbios; a session message's SMB header is decoded by smb.cpp.
// A segment in the middle of a long session message has no header at its start: it is
// left undecoded (no anomaly), which is why only recognisable starts are reported.
#include "decode/layers.hpp"
#include "netbios/nbss.hpp"

namespace netseen::decode::detail {

void decode_nbss(ByteReader r, Ctx& c, bool direct_smb) {
  if (!want_app(c, app_part::kNbss)) return;
  Event& ev = c.ev;
  const Bytes data = r.rest();
  auto hdr = netbios::parse_nbss_header(data, direct_smb ? netbios::Framing::SmbDirect : netbios::Framing::Nbss);
  if (!hdr) return;
  ByteReader body(data.subspan(netbios::NbssFrameHeader::kWireSize));
  const auto type = hdr->type;
  if (type == 0x00) {
    // A session message: only claimed when an SMB header follows (else it may be the
    // continuation of an earlier message whose bytes happen to start with zero).
    if (!decode_smb(body.sub_clamped(hdr->length), c)) return;
    if (!direct_smb) {
      ev.nbss.emplace().type = 0x00;
    }
    return;
  }
  if (direct_smb) return;
  ev.app = App::Nbss;
  Nbss& s = ev.nbss.emplace();
  s.type = type;
  const Bytes payload = body.sub_clamped(hdr->length).rest();
  if (type == 0x81) {
    auto req = netbios::parse_session_request(payload);
    if (!req) {
      add_anomaly(ev, "nbss_bad_session_request", req.error().message());
      return;
    }
    s.called.emplace();
    s.called->raw = req->called.raw;
    s.called->scope = req->called.scope;
    s.calling.emplace();
    s.calling->raw = req->calling.raw;
    s.calling->scope = req->calling.scope;
  } else if (type == 0x83) {
    auto code = netbios::parse_negative_response(payload);
    if (code) s.error_code = *code;
    else add_anomaly(ev, "nbss_bad_negative_response", code.error().message());
  }
}

}  // namespace netseen::decode::detail
