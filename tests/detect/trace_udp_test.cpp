#include <gtest/gtest.h>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;

// UNIX traceroute from 192.168.1.30 to 198.51.100.7: six hops, three probes each, the
// routers answering time-exceeded and the target port-unreachable (as tools/gen_example.py).
void add_traceroute(Scenario& r, bool with_answers) {
  const char* hops[] = {"192.168.1.1", "10.20.0.1", "172.16.5.1", "203.0.113.1", "198.51.100.1", "198.51.100.7"};
  std::uint16_t dport = 33434;
  double t = 240;
  for (int h = 0; h < 6; ++h) {
    for (int k = 0; k < 3; ++k) {
      const auto ttl = static_cast<std::uint8_t>(h + 1);
      r.add(Ev().at(t).from("192.168.1.30", 38211).to("198.51.100.7", dport).udp(32).ttl(ttl));
      if (with_answers) {
        const bool last = h == 5;
        r.add(Ev().at(t + 0.01).from(hops[h]).to("192.168.1.30").icmp(last ? 3 : 11, last ? 3 : 0)
                  .quoting("192.168.1.30", 38211, "198.51.100.7", dport).ttl(static_cast<std::uint8_t>(255 - h)));
      }
      ++dport;
      t += 0.05;
    }
  }
}

TEST(TraceUdp, UnixTracerouteIsNamedWithTargetAndHops) {
  Scenario r;
  add_traceroute(r, true);
  const auto& fs = r.finish();
  const auto* f = find(fs, "trace.udp", "192.168.1.30");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Benign);
  EXPECT_EQ(f->severity, Severity::Info);
  EXPECT_EQ(attr_str(*f, "target"), "198.51.100.7");
  EXPECT_EQ(attr_int(*f, "hops"), 6);
  EXPECT_EQ(attr_str(*f, "reached"), "true");
  EXPECT_EQ(attr_int(*f, "probes"), 18);
  EXPECT_EQ(attr_int(*f, "time_exceeded"), 15);
  EXPECT_EQ(attr_str(*f, "routers"), "10.20.0.1,172.16.5.1,192.168.1.1,198.51.100.1,203.0.113.1");
  // Never a UDP scan, whichever way it is looked at.
  EXPECT_EQ(count_id(fs, "scan.udp"), 0u);
  EXPECT_EQ(count_id(fs, "scan.vertical"), 0u);
  EXPECT_EQ(count_id(fs, "scan.horizontal"), 0u);
}

TEST(TraceUdp, HopsFromPortsWhenOnlyTheAnswersAreLogged) {
  Scenario r;
  // Only the ICMP answers (a log of inbound ICMP): the target refused port 33449 = hop 6.
  for (std::uint16_t p = 33434; p < 33449; ++p) {
    r.add(Ev().at(p - 33000).from("10.0.0.1").to("192.168.1.30").icmp(11, 0)
              .quoting("192.168.1.30", 38211, "198.51.100.7", p));
  }
  for (std::uint16_t p = 33449; p < 33452; ++p) {
    r.add(Ev().at(p - 33000).from("198.51.100.7").to("192.168.1.30").icmp(3, 3)
              .quoting("192.168.1.30", 38211, "198.51.100.7", p));
  }
  const auto& fs = r.finish();
  const auto* f = find(fs, "trace.udp", "192.168.1.30");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(attr_int(*f, "hops"), 6);
  EXPECT_EQ(count_id(fs, "scan.udp"), 0u);
}

TEST(TraceUdp, SingleDatagramToAHighPortIsNotATrace) {
  Scenario r;
  r.add(Ev().at(1).from("192.168.1.30", 5000).to("198.51.100.7", 33434).udp(10).ttl(64));
  r.add(Ev().at(2).from("192.168.1.30", 5000).to("198.51.100.7", 33434).udp(10).ttl(64));
  r.add(Ev().at(3).from("192.168.1.30", 5000).to("198.51.100.7", 33434).udp(10).ttl(64));
  EXPECT_EQ(count_id(r.finish(), "trace.udp"), 0u);
}

}  // namespace
}  // namespace netseen::detect
