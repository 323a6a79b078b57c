// Engine::finish(threads): with two threads the parallel-safe detectors' finish() runs on a
// helper as well, each detector's findings collected apart; the findings must be those of
// one thread, in the same order, and none may be lost on the way.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "detect_test_util.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;

// Scans by several sources (scan.vertical, scan.tcp_flags, scan.horizontal, scan.decoy),
// a traceroute (trace.udp) and NetBIOS to the Internet (detectors that stay on the calling
// thread), with events emitted mid-stream as well.
void feed(Scenario& s) {
  double t = 1'100'000'000;
  for (int src = 1; src <= 4; ++src) {
    const std::string from = "203.0.113." + std::to_string(src);
    for (std::uint16_t port = 20; port < 60; ++port) {
      s.add(Ev().at(t += 0.01).from(from.c_str(), 40000).to("192.168.1.10", port).tcp(decode::tcpflag::kSyn).ttl(
          static_cast<std::uint8_t>(40 + src)));
    }
  }
  for (int host = 1; host <= 40; ++host) {
    const std::string to = "192.168.2." + std::to_string(host);
    s.add(Ev().at(t += 0.01).from("198.51.100.7", 50000).to(to.c_str(), 445).tcp(decode::tcpflag::kSyn).ttl(50));
  }
  for (int hop = 1; hop <= 12; ++hop) {
    s.add(Ev().at(t += 0.05).from("192.168.1.20", 35000).to("198.51.100.99", static_cast<std::uint16_t>(33434 + hop)).udp(32).ttl(
        static_cast<std::uint8_t>(hop)));
  }
  for (int i = 0; i < 5; ++i) {
    s.add(Ev().at(t += 1).from("192.168.1.30", 137).to("198.51.100.50", 137).udp(50));
  }
}

std::vector<std::string> lines_of(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) {
    out.push_back(f.id + " " + f.source.to_string() + " " + f.title + " | " + f.explanation + " | " +
                  std::to_string(f.events) + " " + std::to_string(f.target_count));
  }
  return out;
}

TEST(FinishThreads, TwoThreadsGiveTheFindingsOfOneInTheSameOrder) {
  Scenario one, two;
  feed(one);
  feed(two);
  one.engine().finish(1);
  two.engine().finish(2);
  const auto a = lines_of(one.findings());
  const auto b = lines_of(two.findings());
  std::set<std::string> ids;
  for (const auto& f : one.findings()) ids.insert(f.id);
  // Enough detectors took part for the helper to have had work of its own.
  EXPECT_TRUE(ids.count("scan.vertical") != 0 && ids.count("scan.horizontal") != 0 && ids.count("scan.tcp_flags") != 0)
      << ::testing::PrintToString(ids);
  EXPECT_GE(ids.size(), 4u) << ::testing::PrintToString(ids);
  EXPECT_EQ(a, b);
}

// Emitting through an EmitTo goes to its list only while it lives, and nested ones restore
// the one before.
TEST(FinishThreads, EmitToRedirectsThisThreadsFindingsWhileItLives) {
  Scenario s;
  auto& ctx = s.engine().context_mut();
  const auto before = ctx.findings().size();
  std::vector<Finding> outer, inner;
  {
    const Context::EmitTo a(outer);
    Finding f;
    f.id = "test.outer";
    ctx.emit(f);
    {
      const Context::EmitTo b(inner);
      f.id = "test.inner";
      ctx.emit(f);
    }
    f.id = "test.outer2";
    ctx.emit(f);
  }
  Finding g;
  g.id = "test.direct";
  ctx.emit(g);
  ASSERT_EQ(outer.size(), 2u);
  EXPECT_EQ(outer[0].id, "test.outer");
  EXPECT_EQ(outer[1].id, "test.outer2");
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(inner[0].id, "test.inner");
  ASSERT_EQ(ctx.findings().size(), before + 1);
  EXPECT_EQ(ctx.findings().back().id, "test.direct");
}

// A parallel-safe detector whose finish() fails (as out of memory would).
class FailingFinish final : public Detector {
 public:
  [[nodiscard]] std::string_view id() const override { return "test.failing_finish"; }
  [[nodiscard]] std::string_view description() const override { return "throws in finish()"; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  void on_event(const decode::Event& /*e*/, Context& /*ctx*/) override {}
  void finish(Context& /*ctx*/) override { throw std::runtime_error("finish failed"); }
};

// Whichever thread runs it, the failure reaches the caller (not std::terminate), after the
// helper has stopped.
TEST(FinishThreads, AFailingFinishReachesTheCaller) {
  for (const unsigned threads : {1u, 2u}) {
    Scenario s;
    feed(s);
    s.engine().add_detector(std::make_unique<FailingFinish>());
    EXPECT_THROW(s.engine().finish(threads), std::runtime_error) << threads << " threads";
  }
}

}  // namespace
}  // namespace netseen::detect
