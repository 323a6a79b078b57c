// Scenario tests of the icmp.* detectors, each with a benign twin that must not fire.
#include <gtest/gtest.h>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;

TEST(IcmpStaleDns, PortUnreachableQuotingAReplyFrom53) {
  Scenario r;
  r.add(Ev().at(1).from("192.168.1.20").to("192.168.1.1").icmp(3, 3).quoting("192.168.1.1", 53, "192.168.1.20", 53111));
  r.add(Ev().at(2).from("192.168.1.20").to("192.168.1.1").icmp(3, 3).quoting("192.168.1.1", 53, "192.168.1.20", 53112));
  const auto& fs = r.finish();
  const auto* f = find(fs, "icmp.stale_dns", "192.168.1.20");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Benign);
  EXPECT_EQ(f->events, 2u);
  EXPECT_EQ(f->target_sample.at(0), ip("192.168.1.1"));
  // The same ICMP quoting a packet *to* port 53 is not a stale reply.
  Scenario twin;
  twin.add(Ev().at(1).from("192.168.1.1").to("192.168.1.20").icmp(3, 3).quoting("192.168.1.20", 53111, "192.168.1.1", 53));
  EXPECT_EQ(count_id(twin.finish(), "icmp.stale_dns"), 0u);
}

TEST(IcmpNetbiosUnreachable, QuotedQueryToPort137) {
  Scenario r;
  r.add(Ev().at(1).from("192.168.1.9").to("192.168.1.20").icmp(3, 3).quoting("192.168.1.20", 137, "192.168.1.9", 137));
  const auto& fs = r.finish();
  const auto* f = find(fs, "icmp.netbios_unreachable", "192.168.1.20");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->target_sample.at(0), ip("192.168.1.9"));
  EXPECT_EQ(attr_int(*f, "port_unreachable"), 1);
  Scenario twin;
  twin.add(Ev().at(1).from("192.168.1.9").to("192.168.1.20").icmp(3, 3).quoting("192.168.1.20", 5000, "192.168.1.9", 138));
  EXPECT_EQ(count_id(twin.finish(), "icmp.netbios_unreachable"), 0u);
}

TEST(IcmpFragNeeded, DroppedFragNeededIsAMisconfiguration) {
  Scenario r;
  auto b = Ev().at(1).from("203.0.113.1").to("192.168.1.20").icmp(3, 4).quoting("192.168.1.20", 443, "198.51.100.5", 50000, 6).drop();
  b.event().icmp->mtu = 1400;
  r.add(b);
  const auto* f = find(r.finish(), "icmp.frag_needed", "203.0.113.1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Misconfiguration);
  EXPECT_EQ(attr_str(*f, "mtus"), "1400");
  EXPECT_EQ(attr_int(*f, "dropped"), 1);
  Scenario twin;  // port unreachable (3/3) is not frag-needed
  twin.add(Ev().at(1).from("203.0.113.1").to("192.168.1.20").icmp(3, 3).quoting("192.168.1.20", 443, "198.51.100.5", 50000, 6));
  EXPECT_EQ(count_id(twin.finish(), "icmp.frag_needed"), 0u);
}

TEST(IcmpMessages, EachTypeHasItsFinding) {
  struct Case {
    std::uint8_t type, code;
    const char* id;
  };
  const Case cases[] = {{4, 0, "icmp.source_quench"},      {5, 1, "icmp.redirect"},
                        {9, 0, "icmp.router_advertisement"}, {12, 0, "icmp.parameter_problem"},
                        {11, 1, "icmp.reassembly_timeout"}};
  for (const auto& c : cases) {
    Scenario r;
    r.add(Ev().at(1).from("198.51.100.1").to("192.168.1.20").icmp(c.type, c.code)
              .quoting("192.168.1.20", 40000, "203.0.113.9", 80, 6));
    const auto& fs = r.finish();
    const auto* f = find(fs, c.id, "198.51.100.1");
    ASSERT_NE(f, nullptr) << c.id;
    EXPECT_EQ(attr_str(*f, "quoted"), "192.168.1.20:40000 → 203.0.113.9:80 (protocol 6)") << c.id;
    // Exactly one of the five fires for each message.
    std::size_t n = 0;
    for (const auto& x : cases) n += count_id(fs, x.id);
    EXPECT_EQ(n, 1u) << c.id;
  }
  // Time exceeded in transit (11/0) is a traceroute answer, not a reassembly timeout.
  Scenario twin;
  twin.add(Ev().at(1).from("198.51.100.1").to("192.168.1.20").icmp(11, 0).quoting("192.168.1.20", 40000, "203.0.113.9", 80, 6));
  EXPECT_EQ(count_id(twin.finish(), "icmp.reassembly_timeout"), 0u);
}

TEST(IcmpRedirect, OutsideRedirectIsSuspiciousAndNamesTheGateway) {
  Scenario r;
  auto b = Ev().at(1).from("198.51.100.1").to("192.168.1.20").icmp(5, 1);
  b.event().icmp->gateway = ip("198.51.100.66");
  r.add(b);
  const auto* f = find(r.finish(), "icmp.redirect", "198.51.100.1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Suspicious);
  EXPECT_NE(f->title.find("198.51.100.66"), std::string::npos) << f->title;
}

TEST(IcmpUnsolicitedEchoReply, RepliesWithoutRequests) {
  Scenario r;
  for (int i = 0; i < 20; ++i) {
    const auto src = fmt::format("203.0.113.{}", 10 + i);
    auto b = Ev().at(i).from(src.c_str()).to("192.168.1.20").icmp(0, 0);
    b.event().icmp->id = 77;
    r.add(b);
  }
  const auto* f = find(r.finish(), "icmp.unsolicited_echo_reply", "192.168.1.20");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->target_count, 20u);
  EXPECT_EQ(f->severity, Severity::Medium);

  Scenario twin;  // ordinary pings: every reply matches a request
  for (int i = 0; i < 20; ++i) {
    auto q = Ev().at(i).from("192.168.1.20").to("203.0.113.10").icmp(8, 0);
    q.event().icmp->id = 5;
    twin.add(q);
    auto a = Ev().at(i + 0.01).from("203.0.113.10").to("192.168.1.20").icmp(0, 0);
    a.event().icmp->id = 5;
    twin.add(a);
  }
  EXPECT_EQ(count_id(twin.finish(), "icmp.unsolicited_echo_reply"), 0u);
}

}  // namespace
}  // namespace netseen::detect
