#include <gtest/gtest.h>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;

TEST(TraceIcmp, WindowsTracertIsNamed) {
  Scenario r;
  const char* hops[] = {"192.168.1.1", "10.1.0.1", "203.0.113.1", "198.51.100.9"};
  double t = 0;
  for (int h = 0; h < 4; ++h) {
    for (int k = 0; k < 3; ++k) {
      r.add(Ev().at(t).from("192.168.1.44").to("198.51.100.9").icmp(8, 0).ttl(static_cast<std::uint8_t>(h + 1)));
      if (h < 3) {
        r.add(Ev().at(t + 0.01).from(hops[h]).to("192.168.1.44").icmp(11, 0).quoting_echo("192.168.1.44", "198.51.100.9"));
      } else {
        r.add(Ev().at(t + 0.01).from("198.51.100.9").to("192.168.1.44").icmp(0, 0).ttl(60));
      }
      t += 1;
    }
  }
  const auto& fs = r.finish();
  const auto* f = find(fs, "trace.icmp", "192.168.1.44");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->verdict, Verdict::Benign);
  EXPECT_EQ(attr_str(*f, "target"), "198.51.100.9");
  EXPECT_EQ(attr_int(*f, "hops"), 4);
  EXPECT_EQ(attr_str(*f, "reached"), "true");
  EXPECT_EQ(attr_int(*f, "routers_answering"), 3);
}

TEST(TraceIcmp, OrdinaryPingsAreNotATrace) {
  Scenario r;
  for (int i = 0; i < 50; ++i) {
    r.add(Ev().at(i).from("192.168.1.44").to("198.51.100.9").icmp(8, 0).ttl(128));
    r.add(Ev().at(i + 0.02).from("198.51.100.9").to("192.168.1.44").icmp(0, 0).ttl(52));
  }
  EXPECT_EQ(count_id(r.finish(), "trace.icmp"), 0u);
}

}  // namespace
}  // namespace netseen::detect
