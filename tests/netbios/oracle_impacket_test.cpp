// Oracle test against impacket's nmb.py (Debian python3-impacket): the same bytes our
// library builds are decoded by impacket, which must agree on names, header fields, node
// status entries and flags, the MAC and all 19 statistics. Known impacket bugs are asserted
// as such (protocol-anchors.md §1.5): scoped names raise IndexError in decode_name.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "netbios/netbios.hpp"
#include "pcap_util.hpp"

namespace netseen::netbios {
namespace {

using testing::run_capture;

std::string hex_of(Bytes b) { return to_hex(b); }

TEST(NetbiosImpacketOracle, NamesHeadersNodeStatusAndStatisticsAgree) {
  const std::string script = std::string(NETSEEN_SOURCE_DIR) + "/tests/tools/nb_impacket_oracle.py";
  if (std::system("/usr/bin/python3 -c 'import impacket.nmb' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3-impacket is not installed (apt-get install python3-impacket)";
  }
  std::ostringstream in;
  std::vector<NetbiosName> names = {*NetbiosName::make("FRED", 0x20), *NetbiosName::make("HOSTA", 0x00),
                                    *NetbiosName::make("*", 0x00), *NetbiosName::make("WORKGROUP", 0x1D)};
  const std::array<std::uint8_t, 16> msb{0x01, 0x02, '_', '_', 'M', 'S', 'B', 'R', 'O', 'W', 'S', 'E', '_', '_', 0x02, 0x01};
  names.push_back(*NetbiosName::from_raw(msb));
  std::array<std::uint8_t, 16> high{};
  high.fill(' ');
  high[0] = 'C';
  high[1] = 0xC9;  // latin-1 É
  high[15] = 0x03;
  names.push_back(*NetbiosName::from_raw(high));
  for (std::size_t i = 0; i < names.size(); ++i) {
    ByteWriter w;
    write_name(w, names[i]);
    in << "n" << i << " name " << hex_of(Bytes(w.data())) << "\n";
  }
  const auto scoped = *NetbiosName::make("FRED", 0x20, "NETBIOS.COM");
  {
    ByteWriter w;
    write_name(w, scoped);
    in << "scoped name " << hex_of(Bytes(w.data())) << "\n";
    const std::string spec = "FRED|20|NETBIOS.COM";
    in << "enc_scoped encode " << hex_of(Bytes(reinterpret_cast<const std::uint8_t*>(spec.data()), spec.size()))
       << "\n";
    const std::string star = "*|00|";
    in << "enc_star encode " << hex_of(Bytes(reinterpret_cast<const std::uint8_t*>(star.data()), star.size()))
       << "\n";
  }
  std::vector<NodeName> table(4);
  for (std::size_t i = 0; i < 4; ++i) table[i].raw = names[i + 1 < names.size() ? i + 1 : 0].raw;
  table[0].flags = kNameFlagAct;
  table[1].flags = kNameFlagAct | kNameFlagPrm | (3U << 13);
  table[2].flags = kNameFlagGroup | kNameFlagAct | kNameFlagCnf;
  table[3].flags = kNameFlagGroup | kNameFlagDrg | (1U << 13);
  NodeStatistics st;
  st.unit_id.b = {0x00, 0x0c, 0x29, 0xaa, 0xbb, 0xcc};
  st.jumpers = 1;
  st.test_result = 2;
  st.version_number = 0x0303;
  st.period_of_statistics = 0x0404;
  st.number_of_crcs = 5;
  st.number_alignment_errors = 6;
  st.number_of_collisions = 7;
  st.number_send_aborts = 8;
  st.number_good_sends = 0x09090909;
  st.number_good_receives = 0x0A0A0A0A;
  st.number_retransmits = 11;
  st.number_no_resource_conditions = 12;
  st.number_free_command_blocks = 13;
  st.total_number_command_blocks = 14;
  st.max_total_number_command_blocks = 15;
  st.number_pending_sessions = 16;
  st.max_number_pending_sessions = 17;
  st.max_total_sessions_possible = 18;
  st.session_data_packet_size = 19;
  const auto status = *build::node_status_response(0x1234, *NetbiosName::make("*", 0), table, st);
  in << "status status " << hex_of(Bytes(status)) << "\n";
  const NbAddress addrs[3] = {{0x0000, 0xC0A80105}, {0x8000, 0x0A000001}, {0x6000, 0x7F000001}};
  const auto pos = *build::positive_name_query_response(0x4321, names[0], 3600, addrs);
  in << "pos posquery " << hex_of(Bytes(pos)) << "\n";

  const std::string input_path = std::string(NETSEEN_BINARY_DIR) + "/tests/netbios_impacket_input.txt";
  {
    std::ofstream f(input_path);
    f << in.str();
  }
  auto out = run_capture("/usr/bin/python3 '" + script + "' < '" + input_path + "'");
  ASSERT_TRUE(out) << "impacket oracle script failed";
  std::map<std::string, nlohmann::json> got;
  std::istringstream lines(*out);
  for (std::string l; std::getline(lines, l);) {
    auto j = nlohmann::json::parse(l, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << l;
    got[j["label"].get<std::string>()] = j;
  }
  std::size_t compared = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& j = got[fmt::format("n{}", i)];
    ASSERT_FALSE(j.contains("error")) << j.dump();
    EXPECT_EQ(j["length"], 34);
    EXPECT_EQ(j["name"], to_hex(Bytes(names[i].raw))) << names[i].display();
    EXPECT_EQ(j["scope"], "");
    compared += 3;
  }
  // impacket bug (§1.5 #1): scope decoding raises IndexError; we decode it.
  EXPECT_EQ(got["scoped"]["error"], "IndexError");
  {
    ByteWriter w;
    write_name(w, scoped);
    EXPECT_EQ(got["enc_scoped"]["encoded"], to_hex(Bytes(w.data())));
    ByteWriter s;
    write_name(s, *NetbiosName::make("*", 0));
    EXPECT_EQ(got["enc_star"]["encoded"], to_hex(Bytes(s.data())));
    compared += 2;
  }
  const auto& js = got["status"];
  ASSERT_FALSE(js.contains("error")) << js.dump();
  EXPECT_EQ(js["NAME_TRN_ID"], 0x1234);
  EXPECT_EQ(js["FLAGS"], 0x8400);
  EXPECT_EQ(js["ANCOUNT"], 1);
  EXPECT_EQ(js["rr_type"], 0x21);
  auto ours = parse_nbns(Bytes(status));
  ASSERT_TRUE(ours);
  const auto& ns = *ours->answers[0].node_status;
  ASSERT_EQ(js["entries"].size(), ns.names.size());
  for (std::size_t i = 0; i < ns.names.size(); ++i) {
    EXPECT_EQ(js["entries"][i][0], to_hex(Bytes(ns.names[i].raw).first(15)));
    EXPECT_EQ(js["entries"][i][1], ns.names[i].raw[15]);
    EXPECT_EQ(js["entries"][i][2], ns.names[i].flags);
    compared += 3;
  }
  std::string mac = ns.statistics->unit_id.to_string('-');
  for (auto& c : mac) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(js["mac"], mac);
  const auto& s = *ns.statistics;
  const auto& jst = js["stats"];
  EXPECT_EQ(jst["UNIT_ID"], to_hex(Bytes(s.unit_id.b)));
  EXPECT_EQ(jst["JUMPERS"], s.jumpers);
  EXPECT_EQ(jst["TEST_RESULT"], s.test_result);
  EXPECT_EQ(jst["VERSION_NUMBER"], s.version_number);
  EXPECT_EQ(jst["PERIOD_OF_STATISTICS"], s.period_of_statistics);
  EXPECT_EQ(jst["NUMBER_OF_CRCs"], s.number_of_crcs);
  EXPECT_EQ(jst["NUMBER_ALIGNMENT_ERRORS"], s.number_alignment_errors);
  EXPECT_EQ(jst["NUMBER_OF_COLLISIONS"], s.number_of_collisions);
  EXPECT_EQ(jst["NUMBER_SEND_ABORTS"], s.number_send_aborts);
  EXPECT_EQ(jst["NUMBER_GOOD_SENDS"], s.number_good_sends);
  EXPECT_EQ(jst["NUMBER_GOOD_RECEIVES"], s.number_good_receives);
  EXPECT_EQ(jst["NUMBER_RETRANSMITS"], s.number_retransmits);
  EXPECT_EQ(jst["NUMBER_NO_RESOURCE_CONDITIONS"], s.number_no_resource_conditions);
  EXPECT_EQ(jst["NUMBER_FREE_COMMAND_BLOCKS"], s.number_free_command_blocks);
  EXPECT_EQ(jst["TOTAL_NUMBER_COMMAND_BLOCKS"], s.total_number_command_blocks);
  EXPECT_EQ(jst["MAX_TOTAL_NUMBER_COMMAND_BLOCKS"], s.max_total_number_command_blocks);
  EXPECT_EQ(jst["NUMBER_PENDING_SESSIONS"], s.number_pending_sessions);
  EXPECT_EQ(jst["MAX_NUMBER_PENDING_SESSIONS"], s.max_number_pending_sessions);
  EXPECT_EQ(jst["MAX_TOTAL_SESSIONS_POSSIBLE"], s.max_total_sessions_possible);
  EXPECT_EQ(jst["SESSION_DATA_PACKET_SIZE"], s.session_data_packet_size);
  EXPECT_EQ(jst.size(), 20U);  // UNIT_ID + the 19 fields after it, every one compared above
  compared += 21;
  const auto& jp = got["pos"];
  ASSERT_FALSE(jp.contains("error")) << jp.dump();
  EXPECT_EQ(jp["NAME_TRN_ID"], 0x4321);
  EXPECT_EQ(jp["FLAGS"], 0x8580);
  EXPECT_EQ(jp["ttl"], 3600);
  EXPECT_EQ(jp["entries"], (std::vector<std::string>{"192.168.1.5", "10.0.0.1", "127.0.0.1"}));
  compared += 4;
  std::printf("[ oracle ] impacket agreed on %zu values\n", compared);
}

}  // namespace
}  // namespace netseen::netbios
