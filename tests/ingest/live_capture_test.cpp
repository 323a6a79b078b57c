// Live capture: the errors say what is wrong (no such interface, a filter that does not
// compile, missing capabilities), and on the loopback interface the BPF filter, the
// decoded events, the packet count and the stop flag work. Packets go to 127.0.0.1 only.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <chrono>
#include <thread>

#include "ingest/live_capture.hpp"

namespace netseen::ingest {
namespace {

using namespace std::chrono_literals;

// Capturing needs CAP_NET_RAW; tests that capture skip with the reason when it is missing.
bool can_capture(std::string& why) {
  LiveOptions o;
  o.interface = "lo";
  auto s = LiveSource::open(o);
  if (!s) why = s.error().detail;
  return s.has_value();
}

void send_udp(std::uint16_t port, int n) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(0x7F000001U);  // 127.0.0.1
  for (int i = 0; i < n; ++i) {
    const char msg[] = "netseen live capture test";
    sendto(fd, msg, sizeof msg - 1, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }
  close(fd);
}

TEST(LiveCapture, NoSuchInterfaceIsNamed) {
  LiveOptions o;
  o.interface = "nsx-nothere0";
  auto s = LiveSource::open(o);
  ASSERT_FALSE(s.has_value());
  const auto& msg = s.error().detail;
  EXPECT_EQ(s.error().kind, ErrorKind::Io);
  // Without the capability libpcap cannot tell; with it, the interface is named missing.
  std::string why;
  if (!can_capture(why)) GTEST_SKIP() << "cannot capture here: " << why;
  EXPECT_NE(msg.find("interface 'nsx-nothere0' does not exist"), std::string::npos) << msg;
  EXPECT_NE(msg.find("lo"), std::string::npos) << "lists the interfaces that exist: " << msg;
}

TEST(LiveCapture, EmptyInterfaceAndBadSnaplenAreRefused) {
  LiveOptions o;
  EXPECT_FALSE(LiveSource::open(o).has_value());
  o.interface = "lo";
  o.snaplen = 10;
  auto s = LiveSource::open(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().detail.find("snaplen"), std::string::npos);
}

TEST(LiveCapture, BadFilterIsNamedInTheMessage) {
  std::string why;
  if (!can_capture(why)) GTEST_SKIP() << "cannot capture here: " << why;
  LiveOptions o;
  o.interface = "lo";
  o.filter = "udp prot 137";
  auto s = LiveSource::open(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().kind, ErrorKind::Malformed);
  EXPECT_NE(s.error().detail.find("BPF filter 'udp prot 137' does not compile"), std::string::npos)
      << s.error().detail;
}

// Runs in a child: drops CAP_NET_RAW and CAP_NET_ADMIN from the effective set, then tries.
[[noreturn]] void open_without_capabilities() {
  __user_cap_header_struct hdr{};
  hdr.version = _LINUX_CAPABILITY_VERSION_3;
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &hdr, data) != 0) _exit(10);
  data[0].effective &= ~((1U << CAP_NET_RAW) | (1U << CAP_NET_ADMIN));
  if (syscall(SYS_capset, &hdr, data) != 0) _exit(11);
  LiveOptions o;
  o.interface = "lo";
  auto s = LiveSource::open(o);
  if (s.has_value()) _exit(12);
  std::fprintf(stderr, "%s\n", s.error().detail.c_str());
  _exit(0);
}

TEST(LiveCapture, MissingCapabilityExplainsHowToGrantIt) {
  std::string why;
  if (!can_capture(why)) GTEST_SKIP() << "cannot capture here (so cannot drop the capability either): " << why;
  EXPECT_EXIT(open_without_capabilities(), ::testing::ExitedWithCode(0),
              "permission denied.*CAP_NET_RAW.*setcap cap_net_raw,cap_net_admin=eip");
}

TEST(LiveCapture, LoopbackUdpWithFilterAndCount) {
  std::string why;
  if (!can_capture(why)) GTEST_SKIP() << "cannot capture here: " << why;
  // A port unlikely to be busy, and another one the filter must leave out.
  const std::uint16_t port = static_cast<std::uint16_t>(40000 + (getpid() % 20000));
  const std::uint16_t other = static_cast<std::uint16_t>(port + 1);
  LiveOptions o;
  o.interface = "lo";
  o.filter = "udp and dst port " + std::to_string(port);
  o.max_packets = 3;
  o.duration_s = 10;  // a bound if the packets never come
  o.input_index = 4;
  auto s = LiveSource::open(o);
  ASSERT_TRUE(s.has_value()) << s.error().detail;
  EXPECT_EQ((*s)->stats().format, "live");
  EXPECT_EQ((*s)->stats().path, "lo");
  std::thread sender([&] {
    std::this_thread::sleep_for(100ms);
    send_udp(other, 5);
    send_udp(port, 5);
  });
  decode::Event ev;
  int got = 0;
  while ((*s)->next(ev)) {
    ++got;
    EXPECT_EQ(ev.dport, port);
    EXPECT_EQ(ev.transport, decode::Transport::Udp);
    EXPECT_EQ(ev.src.to_string(), "127.0.0.1");
    EXPECT_EQ(ev.origin.input, 4U);
    EXPECT_EQ(ev.origin.number, static_cast<std::uint64_t>(got));
    EXPECT_GT(ev.ts.us, 0);
  }
  sender.join();
  EXPECT_EQ(got, 3);  // --count
  const auto& st = (*s)->stats();
  EXPECT_EQ(st.records, 3U);
  EXPECT_EQ(st.decoded, 3U);
  EXPECT_TRUE(st.live);
  EXPECT_GE(st.kernel_received, 3U);
  EXPECT_LT((*s)->elapsed_s(), 9.0) << "ended by the count, not the duration";
}

TEST(LiveCapture, StopFlagEndsAQuietCaptureQuickly) {
  std::string why;
  if (!can_capture(why)) GTEST_SKIP() << "cannot capture here: " << why;
  std::atomic<bool> stop{false};
  LiveOptions o;
  o.interface = "lo";
  o.filter = "udp port 9 and host 127.255.255.254";  // nothing matches
  o.stop = &stop;
  o.duration_s = 20;
  auto s = LiveSource::open(o);
  ASSERT_TRUE(s.has_value()) << s.error().detail;
  decode::Event ev;
  EXPECT_EQ((*s)->poll(ev, 150ms), LiveWait::Idle);
  std::chrono::steady_clock::time_point set_at;
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    set_at = std::chrono::steady_clock::now();
    stop.store(true);
  });
  EXPECT_FALSE((*s)->next(ev));
  const auto ended = std::chrono::steady_clock::now();
  stopper.join();
  EXPECT_LT(std::chrono::duration<double>(ended - set_at).count(), 0.2);
  EXPECT_EQ((*s)->poll(ev, 0ms), LiveWait::End);
}

TEST(LiveCapture, DurationEndsTheCapture) {
  std::string why;
  if (!can_capture(why)) GTEST_SKIP() << "cannot capture here: " << why;
  LiveOptions o;
  o.interface = "lo";
  o.filter = "udp port 9 and host 127.255.255.254";
  o.duration_s = 0.4;
  auto s = LiveSource::open(o);
  ASSERT_TRUE(s.has_value()) << s.error().detail;
  const auto t0 = std::chrono::steady_clock::now();
  decode::Event ev;
  EXPECT_FALSE((*s)->next(ev));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GT(took, 0.3);
  EXPECT_LT(took, 0.7);
}

}  // namespace
}  // namespace netseen::ingest
