// watch's process attribution: events are attributed at packet time, findings about a local
// source get process.* attributes from their own evidence packets, and nothing is guessed.
#include "report/watch_attribution.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace netseen::report {
namespace {

const IpAddress kLo = *IpAddress::parse("127.0.0.1");

std::string my_comm() {
  std::ifstream f("/proc/self/comm");
  std::string s;
  std::getline(f, s);
  return s;
}

const detect::AttrValue* attr(const detect::Finding& f, const std::string& key) {
  for (const auto& [k, v] : f.attributes) {
    if (k == key) return &v;
  }
  return nullptr;
}
std::string attr_text(const detect::Finding& f, const std::string& key) {
  const auto* v = attr(f, key);
  if (v == nullptr) return "<missing>";
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(v)) return std::to_string(*i);
  return "<other>";
}

struct UdpSocket {
  int fd = -1;
  std::uint16_t port = 0;
  UdpSocket() {
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0) return;
    socklen_t len = sizeof sin;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
    port = ntohs(sin.sin_port);
  }
  ~UdpSocket() {
    if (fd >= 0) ::close(fd);
  }
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
};

decode::Event udp_event(std::uint64_t frame, const IpAddress& src, std::uint16_t sport, const IpAddress& dst,
                        std::uint16_t dport) {
  decode::Event ev;
  ev.origin.number = frame;
  ev.ip_version = 4;
  ev.transport = decode::Transport::Udp;
  ev.protocol = 17;
  ev.src = src;
  ev.dst = dst;
  ev.sport = sport;
  ev.dport = dport;
  return ev;
}

std::unique_ptr<WatchAttribution> make() {
  WatchAttributionOptions o;
  o.attributor.poll_interval = std::chrono::milliseconds(0);
  o.attributor.destroy_events = false;
  auto w = WatchAttribution::create(o, ingest::LocalAddresses({kLo}));
  if (!w) return nullptr;
  return std::move(*w);
}

TEST(WatchAttribution, FindingAboutALocalSenderNamesItsProcess) {
  UdpSocket s;
  ASSERT_NE(s.port, 0);
  auto w = make();
  ASSERT_NE(w, nullptr);
  for (std::uint64_t i = 1; i <= 30; ++i) {
    w->on_event(udp_event(i, kLo, s.port, IpAddress::v4(192, 0, 2, static_cast<std::uint8_t>(i)), 137));
  }
  detect::Finding f;
  f.id = "nbstat.sweep";
  f.source = kLo;
  f.evidence = {decode::Origin{.number = 1}, decode::Origin{.number = 30}};
  f.attr("process.status", std::string("stale"));  // an earlier enrichment is replaced
  w->enrich(f);
  EXPECT_EQ(attr_text(f, "process.status"), "found");
  EXPECT_EQ(attr_text(f, "process.pid"), std::to_string(::getpid()));
  EXPECT_EQ(attr_text(f, "process.command"), my_comm());
  EXPECT_NE(attr_text(f, "process.cmdline").find("report_tests"), std::string::npos);
  EXPECT_EQ(attr_text(f, "process.uid"), std::to_string(::getuid()));
  std::size_t statuses = 0;
  for (const auto& [k, v] : f.attributes) statuses += k == "process.status" ? 1 : 0;
  EXPECT_EQ(statuses, 1u);
  // 30 packets of one socket: one /proc scan at most, the rest from the caches.
  EXPECT_LE(w->stats().proc_scans, 2u);
  EXPECT_EQ(w->stats().found, w->stats().lookups);
}

TEST(WatchAttribution, RepeatedFlowIsAnsweredFromTheFlowCache) {
  UdpSocket s;
  ASSERT_NE(s.port, 0);
  auto w = make();
  ASSERT_NE(w, nullptr);
  for (std::uint64_t i = 1; i <= 10; ++i) w->on_event(udp_event(i, kLo, s.port, IpAddress::v4(192, 0, 2, 1), 137));
  EXPECT_EQ(w->stats().lookups, 1u);
  EXPECT_EQ(w->flow_cache_hits(), 9u);
}

TEST(WatchAttribution, ForeignSourceIsLeftAlone) {
  auto w = make();
  ASSERT_NE(w, nullptr);
  w->on_event(udp_event(1, IpAddress::v4(192, 0, 2, 7), 1234, IpAddress::v4(198, 51, 100, 1), 137));
  EXPECT_EQ(w->stats().lookups, 0u);  // forwarded traffic is not looked up
  detect::Finding f;
  f.source = IpAddress::v4(192, 0, 2, 7);
  f.evidence = {decode::Origin{.number = 1}};
  w->enrich(f);
  EXPECT_TRUE(f.attributes.empty());
}

TEST(WatchAttribution, ClosedSocketGivesTheReasonNotAGuess) {
  std::uint16_t port = 0;
  {
    UdpSocket s;
    port = s.port;
  }
  UdpSocket other;  // a live socket of the same host must not be blamed
  auto w = make();
  ASSERT_NE(w, nullptr);
  w->on_event(udp_event(1, kLo, other.port, IpAddress::v4(192, 0, 2, 1), 53));
  w->on_event(udp_event(2, kLo, port, IpAddress::v4(192, 0, 2, 2), 137));
  detect::Finding f;
  f.source = kLo;
  f.evidence = {decode::Origin{.number = 2}};
  w->enrich(f);
  EXPECT_EQ(attr_text(f, "process.status"), "socket_gone");
  EXPECT_NE(attr_text(f, "process.reason").find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << attr_text(f, "process.reason");
  EXPECT_EQ(attr(f, "process.pid"), nullptr);
}

TEST(WatchAttribution, IcmpFromALocalSourceSaysWhy) {
  auto w = make();
  ASSERT_NE(w, nullptr);
  decode::Event ev;
  ev.origin.number = 5;
  ev.ip_version = 4;
  ev.transport = decode::Transport::Icmp;
  ev.src = kLo;
  ev.dst = IpAddress::v4(192, 0, 2, 1);
  w->on_event(ev);
  detect::Finding f;
  f.source = kLo;
  f.evidence = {decode::Origin{.number = 5}};
  w->enrich(f);
  EXPECT_EQ(attr_text(f, "process.status"), "unsupported");
  EXPECT_NE(attr_text(f, "process.reason").find("only TCP and UDP"), std::string::npos);
  // A local finding with no evidence seen at all.
  detect::Finding g;
  g.source = kLo;
  g.evidence = {decode::Origin{.number = 999}};
  w->enrich(g);
  EXPECT_EQ(attr_text(g, "process.status"), "unknown");
}

}  // namespace
}  // namespace netseen::report

namespace netseen::report {
namespace {

TEST(ProcessText, FoundFailedAndAbsent) {
  detect::Finding f;
  EXPECT_EQ(process_text(f), "");
  f.attr("process.status", std::string("found"));
  f.attr("process.pid", std::int64_t{4242});
  f.attr("process.command", std::string("nbstat-worm"));
  f.attr("process.cmdline", std::string("/usr/bin/python3 w.py"));
  f.attr("process.uid", std::int64_t{0});
  f.attr("process.user", std::string("root"));
  EXPECT_EQ(process_text(f), "pid 4242 nbstat-worm, user root (uid 0): /usr/bin/python3 w.py");
  detect::Finding g;
  g.attr("process.status", std::string("not_local"));
  g.attr("process.reason", std::string("forwarded"));
  EXPECT_EQ(process_text(g), "not attributed (not_local): forwarded");
}

}  // namespace
}  // namespace netseen::report
