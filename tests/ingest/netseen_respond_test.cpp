// The query log of `netseen respond --format json` read back as events (lines as the responder
// writes them: node status, name query, negative, malformed).
#include <gtest/gtest.h>

#include "log_testing.hpp"

namespace netseen::ingest {
namespace {

using decode::Action;
using decode::App;
using decode::Direction;
using decode::Transport;
using testing::ip;
using testing::one_event;
using testing::run_log;

constexpr const char* kSample =
    R"({"netseen":"respond","v":1,"ts":"2026-11-30T14:42:00.548831Z","src":"127.0.0.1","sport":38747,"dst":"127.0.94.1","dport":50985,"len":50,"txid":61742,"response":false,"opcode":0,"nm_flags":0,"rcode":0,"kind":"node_status_request","name":"*<00>","name_raw":"2a000000000000000000000000000000","scope":"","qtype":33,"broadcast":false,"action":"node_status"})"
    "\n"
    R"({"netseen":"respond","v":1,"ts":"2026-11-30T14:42:00.648314Z","src":"127.0.0.1","sport":60980,"dst":"127.0.94.1","dport":50985,"len":50,"txid":58116,"response":false,"opcode":0,"nm_flags":16,"rcode":0,"kind":"name_query_request","name":"TESTHOST<00>","name_raw":"54455354484f53542020202020202000","scope":"","qtype":32,"broadcast":false,"action":"positive"})"
    "\n"
    R"({"netseen":"respond","v":1,"ts":"2026-11-30T14:42:00.660287Z","src":"192.0.2.7","sport":137,"dst":"192.0.2.1","dport":137,"len":62,"txid":3633,"response":false,"opcode":0,"nm_flags":17,"rcode":0,"kind":"name_query_request","name":"NOPE<1c>","name_raw":"4e4f504520202020202020202020201c","scope":"corp.example","qtype":32,"broadcast":true,"action":"not_ours"})"
    "\n"
    R"({"netseen":"respond","v":1,"ts":"2026-11-30T14:42:00.704483Z","src":"127.0.0.1","sport":54185,"dst":"127.0.94.1","dport":50985,"len":4,"txid":0,"response":false,"opcode":0,"nm_flags":0,"rcode":0,"kind":"malformed","name":"","qtype":0,"broadcast":false,"action":"malformed"})"
    "\n";

TEST(NetseenRespond, DetectedByContentAndEveryLineBecomesAnEvent) {
  auto r = run_log(kSample);
  EXPECT_EQ(r.stats.format, "netseen-respond");
  EXPECT_EQ(r.stats.error_count, 0u) << (r.stats.errors.empty() ? "" : r.stats.errors[0].what);
  ASSERT_EQ(r.events.size(), 4u);
}

TEST(NetseenRespond, NodeStatusQueryFieldByField) {
  auto r = run_log(kSample);
  ASSERT_EQ(r.events.size(), 4u);
  const auto& e = r.events[0];
  EXPECT_TRUE(e.origin.is_line);
  EXPECT_EQ(e.origin.number, 1u);
  EXPECT_EQ(e.ts, Timestamp::from_seconds(1796049720, 548831));
  EXPECT_EQ(e.ip_version, 4);
  EXPECT_EQ(e.transport, Transport::Udp);
  EXPECT_EQ(e.protocol, 17);
  EXPECT_EQ(e.src, ip("127.0.0.1"));
  EXPECT_EQ(e.sport, 38747);
  EXPECT_EQ(e.dst, ip("127.0.94.1"));
  EXPECT_EQ(e.dport, 50985);
  EXPECT_EQ(e.payload_len, 50u);
  EXPECT_EQ(e.direction, Direction::Inbound);
  EXPECT_EQ(e.action, Action::Accept);
  EXPECT_EQ(e.in_iface, "lo");  // a loopback destination came in on lo
  EXPECT_EQ(e.rule, "respond node_status");
  EXPECT_EQ(e.app, App::Nbns);
  ASSERT_TRUE(e.nbns);
  EXPECT_EQ(e.nbns->id, 61742);
  EXPECT_FALSE(e.nbns->response);
  EXPECT_EQ(e.nbns->opcode, 0);
  EXPECT_EQ(e.nbns->qtype, 0x21);
  EXPECT_FALSE(e.nbns->broadcast());
  ASSERT_TRUE(e.nbns->question);
  EXPECT_EQ(e.nbns->question->raw[0], '*');
  EXPECT_EQ(e.nbns->question->raw[1], 0);
  EXPECT_EQ(e.nbns->question->suffix(), 0x00);
  EXPECT_EQ(e.nbns->qdcount, 1);
}

TEST(NetseenRespond, NameQueryWithScopeFlagsAndBroadcast) {
  auto r = run_log(kSample);
  ASSERT_EQ(r.events.size(), 4u);
  const auto& q = r.events[1];
  ASSERT_TRUE(q.nbns);
  EXPECT_EQ(q.nbns->qtype, 0x20);
  EXPECT_EQ(q.nbns->nm_flags, 16);  // RD
  ASSERT_TRUE(q.nbns->question);
  EXPECT_EQ(std::string(q.nbns->question->raw.begin(), q.nbns->question->raw.begin() + 8), "TESTHOST");
  const auto& b = r.events[2];
  ASSERT_TRUE(b.nbns);
  EXPECT_TRUE(b.nbns->broadcast());
  EXPECT_EQ(b.nbns->nm_flags, 17);
  EXPECT_TRUE(b.in_iface.empty());  // not a loopback destination
  ASSERT_TRUE(b.nbns->question);
  EXPECT_EQ(b.nbns->question->suffix(), 0x1C);
  EXPECT_EQ(b.nbns->question->scope, "corp.example");
  EXPECT_EQ(b.rule, "respond not_ours");
}

TEST(NetseenRespond, MalformedDatagramIsABareUdpEvent) {
  auto r = run_log(kSample);
  ASSERT_EQ(r.events.size(), 4u);
  const auto& m = r.events[3];
  EXPECT_EQ(m.transport, Transport::Udp);
  EXPECT_EQ(m.payload_len, 4u);
  EXPECT_FALSE(m.nbns);
  EXPECT_EQ(m.app, App::None);
}

TEST(NetseenRespond, BadValuesAreErrorsNotGuesses) {
  const char* bad[] = {
      // name_raw not 32 hex digits
      R"({"netseen":"respond","v":1,"ts":"2026-11-30T14:42:00Z","src":"127.0.0.1","sport":1,"dst":"127.0.0.2","dport":137,"txid":1,"name_raw":"2a00","qtype":33})",
      // opcode out of range
      R"({"netseen":"respond","v":1,"ts":"2026-11-30T14:42:00Z","src":"127.0.0.1","sport":1,"dst":"127.0.0.2","dport":137,"txid":1,"opcode":16})",
      // unknown version
      R"({"netseen":"respond","v":2,"ts":"2026-11-30T14:42:00Z","src":"127.0.0.1","sport":1,"dst":"127.0.0.2","dport":137,"txid":1})",
      // IPv6 source (the responder is IPv4 only)
      R"({"netseen":"respond","v":1,"ts":"2026-11-30T14:42:00Z","src":"::1","sport":1,"dst":"127.0.0.2","dport":137,"txid":1})",
      // no timestamp
      R"({"netseen":"respond","v":1,"src":"127.0.0.1","sport":1,"dst":"127.0.0.2","dport":137,"txid":1})",
      // txid beyond 16 bits
      R"({"netseen":"respond","v":1,"ts":"2026-11-30T14:42:00Z","src":"127.0.0.1","sport":1,"dst":"127.0.0.2","dport":137,"txid":70000})",
      // a scope with a control escape
      R"({"netseen":"respond","v":1,"ts":"2026-11-30T14:42:00Z","src":"127.0.0.1","sport":1,"dst":"127.0.0.2","dport":137,"txid":1,"name_raw":"2a000000000000000000000000000000","scope":"a\u0001b","qtype":33})",
  };
  for (const char* line : bad) {
    OpenOptions o;
    o.force_format = "netseen-respond";
    auto r = run_log(line, o);
    EXPECT_EQ(r.events.size(), 0u) << line;
    EXPECT_EQ(r.stats.error_count, 1u) << line;
  }
}

TEST(NetseenRespond, OtherJsonIsNotClaimed) {
  // ulogd's JSON stays ulogd's.
  auto r = run_log(
      "{\"oob.prefix\": \"DROP \", \"oob.family\": 2, \"ip.protocol\": 17, \"src_port\": 5000, \"dest_port\": 137, "
      "\"src_ip\": \"10.0.0.1\", \"dest_ip\": \"10.0.0.2\", \"timestamp\": \"2026-11-22T02:59:49\"}\n");
  EXPECT_EQ(r.stats.format, "ulogd-json");
}

}  // namespace
}  // namespace netseen::ingest
