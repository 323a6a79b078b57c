// Writes small seed corpora for the NetBIOS fuzz harnesses, built with the library itself.
// Build: g++ -std=c++20 -Isrc tests/tools/nb_seed_gen.cpp <build>/src/netbios/libnetseen_netbios.a
//        <build>/src/core/libnetseen_core.a -lfmt -o nb_seed_gen && ./nb_seed_gen fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "netbios/netbios.hpp"

namespace fs = std::filesystem;
using namespace netseen;
using namespace netseen::netbios;

namespace {
void put(const fs::path& dir, const std::string& name, const std::vector<std::uint8_t>& b) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(b.data()),
                                                     static_cast<std::streamsize>(b.size()));
}
std::vector<std::uint8_t> with_prefix(std::uint8_t p, std::vector<std::uint8_t> b) {
  b.insert(b.begin(), p);
  return b;
}
}  // namespace

int main(int argc, char** argv) {
  const fs::path root = argc > 1 ? argv[1] : "fuzz/corpus";
  const auto n = *NetbiosName::make("HOSTA", 0x20, "corp.example");
  const auto star = *NetbiosName::make("*", 0);
  const NbAddress a{0x6000, 0xC0A80105};
  const NbAddress two[2] = {a, {0x8000, 0xC0A80106}};
  NodeName e1{}, e2{};
  e1.raw = n.raw;
  e1.flags = 0x0400;
  e2.raw = NetbiosName::make("WORKGROUP", 0)->raw;
  e2.flags = 0x8400;
  const NodeName tbl[2] = {e1, e2};
  NodeStatistics st;
  st.unit_id.b = {0, 0x0c, 0x29, 0xaa, 0xbb, 0xcc};
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> nbns = {
      {"query", *build::name_query_request(1, n, true)},
      {"pos_query", *build::positive_name_query_response(2, n, 300, two)},
      {"neg_query", *build::negative_name_query_response(3, n, Rcode::NameError)},
      {"redirect", *build::redirect_name_query_response(4, n, "wins.corp", 0x0A000002, 60)},
      {"registration", *build::name_registration_request(5, n, 300, a, true)},
      {"refresh9", *build::name_refresh_request(7, n, 300, a, false, 9)},
      {"multihomed", *build::multihomed_registration_request(8, n, 300, a)},
      {"conflict", *build::name_conflict_demand(12, n, NodeType::M)},
      {"release", *build::name_release_request(13, n, a, true)},
      {"wack", *build::wack_response(16, n, 10, 0x2910)},
      {"status_req", *build::node_status_request(17, star, false)},
      {"status_resp", *build::node_status_response(18, star, tbl, st)},
  };
  for (const auto& [name, bytes] : nbns) {
    put(root / "nbns", name, bytes);
    // Names: the first byte picks the start offset; 12 = just after the NBNS header.
    put(root / "nbname", name, with_prefix(12, bytes));
  }
  NbdsMessage dg;
  dg.type = 0x12;
  dg.dgm_id = 9;
  dg.source_ip = 0xC0A80105;
  dg.source_name = *NetbiosName::make("HOSTA", 0);
  dg.destination_name = *NetbiosName::make("WORKGROUP", 0x1D);
  BrowserMessage host;
  host.opcode = 1;
  host.update_count = 1;
  host.periodicity_ms = 720000;
  host.server_name = "HOSTA";
  host.os_major = 10;
  host.server_type = 0x1003;
  host.browser_major = 15;
  host.browser_minor = 1;
  host.signature = 0xAA55;
  host.comment = "c";
  BrowserMessage elect;
  elect.opcode = 8;
  elect.election_criteria = 0x20011003;
  elect.server_name = "HOSTB";
  BrowserMessage backup;
  backup.opcode = 10;
  backup.backup_servers = {"B1", "B2"};
  for (const auto& [label, msg] : std::vector<std::pair<std::string, BrowserMessage>>{
           {"host", host}, {"election", elect}, {"backup", backup}}) {
    auto frame = *build_browser(msg);
    auto slot = build_mailslot("\\MAILSLOT\\BROWSE", Bytes(frame));
    put(root / "nbbrowser", label, frame);
    put(root / "nbbrowser", label + "_mailslot", slot);
    dg.user_data = slot;
    put(root / "nbds", label, *serialize_nbds(dg));
  }
  for (std::uint8_t t : {0x13, 0x14, 0x16}) {
    NbdsMessage q = dg;
    q.type = t;
    q.error_code = 0x82;
    put(root / "nbds", "type" + std::to_string(t), *serialize_nbds(q));
  }
  // Fragments as a length-prefixed sequence (fuzz_nbds's second mode).
  {
    std::vector<std::uint8_t> seq;
    for (int i = 0; i < 3; ++i) {
      NbdsMessage f = dg;
      f.user_data.assign(20, static_cast<std::uint8_t>(i));
      f.packet_offset = static_cast<std::uint16_t>(20 * i);
      f.flags = static_cast<std::uint8_t>((i == 0 ? 2 : 0) | (i < 2 ? 1 : 0));
      auto b = *serialize_nbds(f);
      seq.push_back(static_cast<std::uint8_t>(b.size() >> 8));
      seq.push_back(static_cast<std::uint8_t>(b.size()));
      seq.push_back(1);
      seq.insert(seq.end(), b.begin(), b.end());
    }
    put(root / "nbds", "fragments", seq);
  }
  // NBSS: a conversation in chunks of up to 63 bytes, alternating directions.
  {
    auto req = *build_session_request({*NetbiosName::make("SERVER", 0x20), *NetbiosName::make("CLIENT", 0)});
    std::vector<std::uint8_t> smb(100, 0x42);
    auto msg = *build_session_message(Bytes(smb));
    std::vector<std::vector<std::uint8_t>> dirs[2] = {{req, msg, build_keep_alive()},
                                                      {build_positive_response(), build_negative_response(0x82),
                                                       build_retarget({0x7F000001, 139})}};
    std::vector<std::uint8_t> conv{0x00};
    for (int d = 0; d < 2; ++d) {
      for (const auto& pdu : dirs[d]) {
        for (std::size_t off = 0; off < pdu.size(); off += 63) {
          const std::size_t len = std::min<std::size_t>(63, pdu.size() - off);
          conv.push_back(static_cast<std::uint8_t>((d ? 0x80 : 0) | len));
          conv.insert(conv.end(), pdu.begin() + static_cast<std::ptrdiff_t>(off),
                      pdu.begin() + static_cast<std::ptrdiff_t>(off + len));
        }
      }
    }
    put(root / "nbss_stream", "conversation_139", conv);
    std::vector<std::uint8_t> direct{0x40, 0x3F};
    auto d445 = *build_session_message(Bytes(smb).first(59), Framing::SmbDirect);
    direct.insert(direct.end(), d445.begin(), d445.end());
    put(root / "nbss_stream", "direct_445", direct);
  }
  std::puts("seeds written");
  return 0;
}
