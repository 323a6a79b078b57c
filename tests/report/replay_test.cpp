// The threaded analyzer's capture path (report/pipeline.cpp, run_replayed): side groups read
// the capture again through EventSource::replay(), decoded only as deep as their detectors
// declare (Detector::depth). These tests drive the same engine calls without threads and
// show that the declared depths lose nothing, and that a shallower depth would.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "../decode/frame_builder.hpp"
#include "decode/frame.hpp"
#include "detect/engine.hpp"
#include "ingest/capture_source.hpp"
#include "ingest/input_buffer.hpp"
#include "ingest/source.hpp"

namespace netseen {
namespace {

namespace fs = std::filesystem;

using testing::Buf;
using testing::Rec;
using testing::V4;

// An old-style DNS server (10.0.0.53) that talks to its peers from port 53: 60 resolvers
// ask it from port 53 and it answers each, 53 -> 53, within a few seconds. Only the DNS
// header's QR bit tells its answers from a sweep of UDP probes to port 53 on 60 hosts.
Buf dns_server_capture() {
  std::vector<Rec> recs;
  const V4 server{10, 0, 0, 53};
  std::uint32_t usec = 0;
  for (std::uint8_t i = 1; i <= 60; ++i) {
    const V4 client{10, 0, 1, i};
    const std::string name = "host" + std::to_string(i) + ".example.org";
    auto q = testing::dns(static_cast<std::uint16_t>(0x100 + i), false, name, 1);
    auto a = testing::dns(static_cast<std::uint16_t>(0x100 + i), true, name, 1);
    auto frame = [](const V4& s, const V4& d, const Buf& msg) {
      return testing::ethernet(0x0800, testing::ipv4(s, d, 17, testing::udp(s, d, 53, 53, msg)));
    };
    recs.push_back({.sec = 1'100'000'000, .frac = usec, .data = frame(client, server, q)});
    usec += 20'000;
    recs.push_back({.sec = 1'100'000'000, .frac = usec, .data = frame(server, client, a)});
    usec += 20'000;
  }
  return testing::pcap_file(1, recs);
}

std::unique_ptr<ingest::EventSource> open_bytes(const Buf& bytes, const decode::DecodeOptions& decode) {
  return ingest::make_capture_source(ingest::buffer_from_bytes(bytes), "dns.pcap", ingest::OpenOptions{}, decode);
}

std::vector<std::string> keys(const std::vector<detect::Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.dedup_key + " events=" + std::to_string(f.events));
  return out;
}

// One engine as `analyze --threads 1` runs it.
std::vector<std::string> single(const Buf& bytes) {
  auto eng = detect::Engine::create({});
  EXPECT_TRUE(eng.has_value());
  auto src = open_bytes(bytes, (*eng)->decode_options());
  decode::Event ev;
  while (src->next(ev)) (*eng)->on_event(ev);
  (*eng)->finish();
  return keys((*eng)->findings());
}

// As run_replayed does on two threads, one after the other: the main part on the source,
// the side group on its replay, decoded as `side` says (the engine's own choice if unset).
std::vector<std::string> replayed(const Buf& bytes, std::optional<decode::DecodeOptions> side = std::nullopt) {
  auto eng = detect::Engine::create({});
  EXPECT_TRUE(eng.has_value());
  auto src = open_bytes(bytes, (*eng)->decode_options());
  (*eng)->split_side(1, true);
  EXPECT_TRUE(src->replayable());
  auto again = src->replay(side.value_or((*eng)->side_decode_options(0)));
  EXPECT_NE(again, nullptr);
  if (again == nullptr) return {};
  decode::Event ev;
  while (src->next(ev)) (*eng)->on_event_main(ev);
  std::uint64_t side_events = 0;
  while (again->next(ev)) {
    (*eng)->on_event_side(ev, 0);
    ++side_events;
  }
  EXPECT_EQ(side_events, src->stats().decoded);
  (*eng)->split_side(0);
  (*eng)->finish();
  return keys((*eng)->findings());
}

TEST(Replay, SideGroupsDecodeOnlyAsDeepAsTheirDetectorsAsk) {
  auto eng = detect::Engine::create({});
  ASSERT_TRUE(eng.has_value());
  (*eng)->split_side(2, true);
  for (unsigned g = 0; g < 2; ++g) {
    const auto o = (*eng)->side_decode_options(g);
    EXPECT_LT(o.depth, decode::Depth::Application) << "group " << g << ": the scans need no names";
    EXPECT_GE(o.depth, decode::Depth::Headers) << "group " << g << ": the scans tell answers by the DNS/NBNS header";
    EXPECT_FALSE(o.verify_checksums);
  }
  EXPECT_EQ((*eng)->decode_options().depth, decode::Depth::Application) << "the main part decodes everything";
}

TEST(Replay, DeclaredDepthsGiveTheSingleThreadedFindings) {
  const Buf bytes = dns_server_capture();
  const auto one = single(bytes);
  EXPECT_EQ(replayed(bytes), one);
  for (const auto& k : one) EXPECT_EQ(k.find("scan."), std::string::npos) << "a DNS server answering is no scan: " << k;
}

// The test above can fail: decoded without the DNS header, the server's answers look like
// UDP probes of port 53 on 60 hosts, and the side group reports a horizontal scan.
TEST(Replay, ADepthBelowTheDeclaredOneChangesTheFindings) {
  const Buf bytes = dns_server_capture();
  const auto shallow = replayed(bytes, decode::DecodeOptions{.depth = decode::Depth::Transport, .verify_checksums = false});
  EXPECT_NE(shallow, single(bytes));
  bool scan = false;
  for (const auto& k : shallow) scan = scan || k.find("scan.") != std::string::npos;
  EXPECT_TRUE(scan) << "no scan finding from the answers read as probes";
}

// Per detector, so that one group member's deeper need cannot hide another's too shallow
// declaration: each parallel-safe detector alone, fed the events decoded to its own
// depth(), reports what it reports when fed fully decoded events.
// The generated capture, the bundled example and every corpus capture under 2 MB.
std::vector<std::pair<std::string, Buf>> test_captures() {
  std::vector<std::pair<std::string, Buf>> inputs = {{"dns server", dns_server_capture()}};
  std::vector<fs::path> files = {fs::path(NETSEEN_SOURCE_DIR) / "examples" / "office.pcap"};
  const fs::path corpus = fs::path(NETSEEN_SOURCE_DIR) / ".." / "shared" / "corpus";
  if (fs::is_directory(corpus)) {
    std::vector<fs::path> more;
    for (const auto& f : fs::recursive_directory_iterator(corpus)) {
      const auto ext = f.path().extension().string();
      if (f.is_regular_file() && f.file_size() < (2U << 20) && (ext == ".pcap" || ext == ".pcapng")) more.push_back(f.path());
    }
    std::sort(more.begin(), more.end());
    files.insert(files.end(), more.begin(), more.end());
  } else {
    std::cout << "[ SKIPPED  ] part: ../shared/corpus is absent; the generated capture and the bundled example only\n";
  }
  for (const auto& f : files) {
    auto b = ingest::load_input(f.string());
    EXPECT_TRUE(b.has_value()) << f;
    if (!b.has_value()) continue;
    const auto bytes = (*b)->bytes();
    if (!ingest::looks_like_capture(bytes)) continue;
    inputs.emplace_back(f.filename().string(), Buf(bytes.begin(), bytes.end()));
  }
  return inputs;
}

TEST(Replay, EachParallelSafeDetectorAtItsOwnDepthLosesNothing) {
  const auto inputs = test_captures();
  auto probe = detect::Engine::create({});
  ASSERT_TRUE(probe.has_value());
  std::size_t checked = 0;
  for (std::size_t i = 0; i < (*probe)->detectors().size(); ++i) {
    const auto& d = *(*probe)->detectors()[i];
    if (!d.parallel_safe()) continue;
    ++checked;
    for (const auto& [label, bytes] : inputs) {
      auto run = [&](decode::Depth depth) {
        auto eng = detect::Engine::create({});
        EXPECT_TRUE(eng.has_value());
        auto& det = *(*eng)->detectors()[i];
        auto src = open_bytes(bytes, decode::DecodeOptions{.depth = depth, .verify_checksums = false});
        decode::Event ev;
        while (src->next(ev)) {
          if ((det.interest() & detect::interest::of(ev)) != 0) det.on_event(ev, (*eng)->context_mut());
        }
        det.finish((*eng)->context_mut());
        return keys((*eng)->context().findings());
      };
      EXPECT_EQ(run(d.depth()), run(decode::Depth::Application)) << d.id() << " on " << label;
    }
  }
  EXPECT_GE(checked, 20U);
}

// The main part decodes what its detectors read (Engine::decode_options: DNS names only of
// PTR lookups, no NetBIOS datagrams or sessions, no checksums): the whole engine gives the
// findings of a full decode.
TEST(Replay, TheEnginesDecodeOptionsGiveTheFindingsOfAFullDecode) {
  const auto inputs = test_captures();
  auto probe = detect::Engine::create({});
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ((*probe)->decode_options().app_parts, 0) << "no detector reads other DNS names, NBDS or NBSS";
  std::size_t with_reverse_lookups = 0;
  for (const auto& [label, bytes] : inputs) {
    auto run = [&](const decode::DecodeOptions& o) {
      auto eng = detect::Engine::create({});
      EXPECT_TRUE(eng.has_value());
      auto src = open_bytes(bytes, o);
      decode::Event ev;
      while (src->next(ev)) (*eng)->on_event(ev);
      (*eng)->finish();
      return keys((*eng)->findings());
    };
    const auto lean = run((*probe)->decode_options());
    EXPECT_EQ(lean, run(decode::DecodeOptions{})) << label;
    for (const auto& k : lean) with_reverse_lookups += k.find("nbstat.reverse_lookup") != std::string::npos ? 1 : 0;
  }
  // Those findings rest on the PTR lookups' names, so the comparison covers them.
  EXPECT_GT(with_reverse_lookups, 0U);
}

// A replay is an independent reader: same frames, same origins, whatever the first reader did.
TEST(Replay, YieldsTheSameEventsAsTheSource) {
  const Buf bytes = dns_server_capture();
  auto src = open_bytes(bytes, decode::DecodeOptions{});
  decode::Event first;
  ASSERT_TRUE(src->next(first));
  auto again = src->replay(decode::DecodeOptions{.depth = decode::Depth::Headers, .verify_checksums = false});
  ASSERT_NE(again, nullptr);
  decode::Event a, b;
  ASSERT_TRUE(again->next(b));
  EXPECT_EQ(b.origin.number, first.origin.number);
  EXPECT_EQ(b.src, first.src);
  ASSERT_TRUE(b.dns);
  EXPECT_FALSE(b.dns->response);
  EXPECT_TRUE(b.dns->qname.empty()) << "Headers depth reads no names";
  std::size_t n = 1;
  while (src->next(a)) {
    ASSERT_TRUE(again->next(b));
    ++n;
    EXPECT_EQ(a.origin.number, b.origin.number);
    EXPECT_EQ(a.ts, b.ts);
    EXPECT_EQ(a.sport, b.sport);
    ASSERT_EQ(static_cast<bool>(a.dns), static_cast<bool>(b.dns));
    if (a.dns) {
      EXPECT_EQ(a.dns->response, b.dns->response);
      EXPECT_EQ(a.dns->id, b.dns->id);
    }
  }
  EXPECT_FALSE(again->next(b));
  EXPECT_EQ(n, 120U);
  EXPECT_EQ(again->stats().decoded, 120U);
}

}  // namespace
}  // namespace netseen
