// The per-sender ICMP detectors (source quench, redirect, router advertisement, parameter
// problem, reassembly timeout): verdicts that depend on where the sender is and how many
// messages it sent, ICMPv6 twins, the cap on quoted packets, and repeatable finish().
#include <gtest/gtest.h>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;

TEST(IcmpSenders, RedirectFromInsideIsAMisconfiguration) {
  Scenario r;
  auto b = Ev().at(1).from("192.168.1.1").to("192.168.1.20").icmp(5, 1);
  b.event().icmp->gateway = ip("192.168.1.254");
  r.add(b);
  const auto* f = find(r.finish(), "icmp.redirect", "192.168.1.1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Misconfiguration);
  EXPECT_EQ(f->severity, Severity::Low);
  EXPECT_NE(f->explanation.find("through 192.168.1.254"), std::string::npos) << f->explanation;
}

TEST(IcmpSenders, RedirectWithoutGatewaySaysAnotherGateway) {
  Scenario r;
  r.add(Ev().at(1).from("198.51.100.1").to("192.168.1.20").icmp(5, 0));
  const auto* f = find(r.finish(), "icmp.redirect", "198.51.100.1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::High);
  EXPECT_EQ(f->title, "198.51.100.1 sent 1 ICMP redirect");
  EXPECT_NE(f->explanation.find("through another gateway"), std::string::npos) << f->explanation;
}

TEST(IcmpSenders, Icmpv6TwinsAreCounted) {
  Scenario r;
  r.add(Ev().at(1).from("2001:db8::1").to("2001:db8::20").icmp(137, 0));  // ICMPv6 redirect
  r.add(Ev().at(2).from("2001:db8::2").to("2001:db8::20").icmp(4, 0));    // ICMPv6 parameter problem
  r.add(Ev().at(3).from("2001:db8::3").to("2001:db8::20").icmp(3, 1));    // ICMPv6 reassembly timeout
  r.add(Ev().at(4).from("2001:db8::4").to("2001:db8::20").icmp(3, 0));    // ICMPv6 hop limit: not a reassembly timeout
  r.add(Ev().at(5).from("2001:db8::5").to("2001:db8::20").icmp(9, 0));    // not an IPv4 router advertisement
  const auto& fs = r.finish();
  EXPECT_NE(find(fs, "icmp.redirect", "2001:db8::1"), nullptr);
  EXPECT_NE(find(fs, "icmp.parameter_problem", "2001:db8::2"), nullptr);
  EXPECT_NE(find(fs, "icmp.reassembly_timeout", "2001:db8::3"), nullptr);
  EXPECT_EQ(find(fs, "icmp.reassembly_timeout", "2001:db8::4"), nullptr);
  EXPECT_EQ(count_id(fs, "icmp.router_advertisement"), 0u);
  EXPECT_EQ(count_id(fs, "icmp.source_quench"), 0u);
}

TEST(IcmpSenders, ManyReassemblyTimeoutsAreSuspicious) {
  Scenario few, many;
  for (int i = 0; i < 3; ++i) few.add(Ev().at(i).from("198.51.100.7").to("192.168.1.20").icmp(11, 1));
  for (int i = 0; i < 10; ++i) many.add(Ev().at(i).from("198.51.100.7").to("192.168.1.20").icmp(11, 1));
  const auto* f = find(few.finish(), "icmp.reassembly_timeout", "198.51.100.7");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Misconfiguration);
  EXPECT_EQ(f->severity, Severity::Low);
  const auto* g = find(many.finish(), "icmp.reassembly_timeout", "198.51.100.7");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->verdict, Verdict::Suspicious);
  EXPECT_EQ(g->severity, Severity::Medium);
  EXPECT_EQ(g->events, 10u);
}

TEST(IcmpSenders, AtMostThreeQuotedPacketsPerSender) {
  Scenario r;
  for (int i = 0; i < 8; ++i) {
    r.add(Ev().at(i).from("198.51.100.9").to("192.168.1.20").icmp(4, 0)
              .quoting("192.168.1.20", static_cast<std::uint16_t>(40000 + i), "203.0.113.9", 80, 6));
  }
  const auto* f = find(r.finish(), "icmp.source_quench", "198.51.100.9");
  ASSERT_NE(f, nullptr);
  const auto* q = attr(*f, "quoted");
  ASSERT_NE(q, nullptr);
  const auto* v = std::get_if<std::vector<std::string>>(q);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->size(), 3u);
  EXPECT_EQ(v->front(), "192.168.1.20:40000 → 203.0.113.9:80 (protocol 6)");
  EXPECT_NE(f->explanation.find("(original packet: 192.168.1.20:40000"), std::string::npos) << f->explanation;
  EXPECT_NE(f->explanation.find("forgery is the likelier"), std::string::npos) << f->explanation;
}

}  // namespace
}  // namespace netseen::detect
