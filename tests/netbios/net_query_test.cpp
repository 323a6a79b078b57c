// netseen query's engine against scripted servers on loopback: WACK extends the wait, a
// redirect is followed (and bounded), a negative answer is reported, broadcast collects every
// answer, wrong ids are ignored.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <functional>
#include <thread>

#include "netbios/net_query.hpp"

namespace netseen::netbios::net {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t lo(std::uint8_t d) { return 0x7F000000U | (std::uint32_t{0x5B} << 8) | d; }  // 127.0.91.d

// A scripted name server: for each query received calls `script(query, socket, from)`.
struct Server {
  UdpSocket sock;
  std::atomic<bool> stop{false};
  std::thread thread;
  Server(std::uint32_t addr, std::uint16_t port,
         std::function<void(const NbnsMessage&, UdpSocket&, Endpoint)> script) {
    UdpOptions o;
    o.bind = {addr, port};
    auto s = UdpSocket::open(o);
    if (s) sock = std::move(*s);
    thread = std::thread([this, script] {
      std::array<std::uint8_t, 1024> buf{};
      const auto end = std::chrono::steady_clock::now() + 10s;
      while (!stop && std::chrono::steady_clock::now() < end) {
        if (!sock.wait(20000)) continue;
        auto rx = sock.receive(buf);
        if (!rx || rx->kind != RecvKind::Datagram) continue;
        auto m = parse_nbns(Bytes(buf.data(), rx->size));
        if (m) script(*m, sock, rx->from);
      }
    });
  }
  ~Server() {
    stop = true;
    thread.join();
  }
  [[nodiscard]] std::uint16_t port() const { return sock.local().port; }
};

QueryOptions opts(std::uint32_t addr, std::uint16_t port) {
  QueryOptions o;
  o.server = {addr, port};
  o.timeout = 200ms;
  o.retries = 1;
  return o;
}

TEST(NetQuery, WackExtendsTheWaitThenPositive) {
  const auto name = *NetbiosName::make("SLOWHOST", 0x20);
  Server srv(lo(1), 0, [&](const NbnsMessage& q, UdpSocket& s, Endpoint from) {
    EXPECT_TRUE(q.header.rd());
    EXPECT_FALSE(q.header.broadcast());
    // WACK for 1 s, then the answer after 400 ms (longer than the 200 ms timeout).
    static_cast<void>(s.send_to(*build::wack_response(q.header.id, q.questions[0].name, 1, q.header.flags_word()), from));
    std::this_thread::sleep_for(400ms);
    const std::array<NbAddress, 1> a{NbAddress{make_nb_flags(false, NodeType::H), lo(77)}};
    static_cast<void>(s.send_to(*build::positive_name_query_response(q.header.id, q.questions[0].name, 60, a), from));
  });
  auto r = query_name(name, opts(lo(1), srv.port()));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->wacks, 1);
  EXPECT_EQ(r->sends, 1);  // the WACK stopped the retransmission
  ASSERT_EQ(r->answers.size(), 1U);
  EXPECT_EQ(r->answers[0].rcode, 0);
  ASSERT_EQ(r->answers[0].addresses.size(), 1U);
  EXPECT_EQ(r->answers[0].addresses[0].address, lo(77));
  EXPECT_EQ(r->answers[0].addresses[0].ont(), NodeType::H);
}

TEST(NetQuery, RedirectFollowedToTheNamedServer) {
  const auto name = *NetbiosName::make("FARHOST", 0x00);
  Server second(lo(3), 0, [&](const NbnsMessage& q, UdpSocket& s, Endpoint from) {
    const std::array<NbAddress, 1> a{NbAddress{0, lo(88)}};
    static_cast<void>(s.send_to(*build::positive_name_query_response(q.header.id, q.questions[0].name, 60, a), from));
  });
  // The first server redirects to lo(3); the port stays the one asked (the test uses the same
  // port number on both addresses).
  Server first(lo(2), second.port(), [&](const NbnsMessage& q, UdpSocket& s, Endpoint from) {
    static_cast<void>(
        s.send_to(*build::redirect_name_query_response(q.header.id, q.questions[0].name, "ns.example", lo(3), 60), from));
  });
  auto r = query_name(name, opts(lo(2), second.port()));
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->redirects.size(), 1U);
  EXPECT_EQ(r->redirects[0], lo(3));
  ASSERT_EQ(r->answers.size(), 1U);
  EXPECT_EQ(r->answers[0].from, lo(3));
  EXPECT_EQ(r->answers[0].addresses.at(0).address, lo(88));
}

TEST(NetQuery, RedirectLoopIsBounded) {
  const auto name = *NetbiosName::make("LOOP", 0x00);
  Server srv(lo(4), 0, [&](const NbnsMessage& q, UdpSocket& s, Endpoint from) {
    static_cast<void>(
        s.send_to(*build::redirect_name_query_response(q.header.id, q.questions[0].name, "ns.example", lo(4), 60), from));
  });
  auto o = opts(lo(4), srv.port());
  o.max_redirects = 2;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = query_name(name, o);
  ASSERT_TRUE(r);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_EQ(r->redirects.size(), 3U);  // followed twice, the third is not followed
  EXPECT_TRUE(r->answers.empty());
}

TEST(NetQuery, NegativeAndWrongIdAndBroadcastCollection) {
  const auto name = *NetbiosName::make("MISSING", 0x00);
  Server srv(lo(5), 0, [&](const NbnsMessage& q, UdpSocket& s, Endpoint from) {
    // A reply with another id first (ignored), then the negative answer.
    static_cast<void>(s.send_to(
        *build::negative_name_query_response(static_cast<std::uint16_t>(q.header.id + 1), q.questions[0].name,
                                             Rcode::NameError),
        from));
    static_cast<void>(
        s.send_to(*build::negative_name_query_response(q.header.id, q.questions[0].name, Rcode::NameError), from));
  });
  auto r = query_name(name, opts(lo(5), srv.port()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ignored, 1U);
  ASSERT_EQ(r->answers.size(), 1U);
  EXPECT_EQ(r->answers[0].rcode, 3);

  // "Broadcast": B bit set, every answer collected until the timeout (two answers here).
  const auto group = *NetbiosName::make("WORKGROUP", 0x1E);
  Server b(lo(6), 0, [&](const NbnsMessage& q, UdpSocket& s, Endpoint from) {
    EXPECT_TRUE(q.header.broadcast());
    for (std::uint8_t host : {std::uint8_t{10}, std::uint8_t{11}}) {
      const std::array<NbAddress, 1> a{NbAddress{make_nb_flags(true, NodeType::B), lo(host)}};
      static_cast<void>(s.send_to(*build::positive_name_query_response(q.header.id, q.questions[0].name, 0, a), from));
    }
  });
  auto o = opts(lo(6), b.port());
  o.broadcast = true;
  auto rb = query_name(group, o);
  ASSERT_TRUE(rb);
  ASSERT_EQ(rb->answers.size(), 2U);
  EXPECT_EQ(rb->answers[1].addresses.at(0).address, lo(11));
  EXPECT_TRUE(rb->answers[0].addresses.at(0).group());
}

}  // namespace
}  // namespace netseen::netbios::net
