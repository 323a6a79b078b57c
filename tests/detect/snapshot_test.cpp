// Engine::snapshot (netseen watch): the findings of a snapshot taken mid-stream equal what
// finish() emits at that point, and taking snapshots (many of them) changes nothing that
// comes after: the last snapshot and the final findings equal those of a batch run.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "detect_test_util.hpp"
#include "ingest/source.hpp"

namespace netseen::detect {
namespace {

using namespace testutil;
namespace fs = std::filesystem;

// Events read from files; the sources stay open because events may point into them.
struct Stream {
  std::vector<std::unique_ptr<ingest::EventSource>> sources;
  std::vector<decode::Event> events;
};

void read_into(Stream& s, const fs::path& p, std::uint32_t index) {
  ingest::OpenOptions oo;
  oo.input_index = index;
  oo.year = 2004;
  auto src = ingest::open_input(p.string(), oo);
  ASSERT_TRUE(src.has_value()) << p;
  decode::Event e;
  while ((*src)->next(e)) {
    s.events.push_back(e);
    e = decode::Event{};
  }
  s.sources.push_back(std::move(*src));
}

using Prior = std::map<std::string, std::vector<Observation>>;

std::unique_ptr<Engine> make_engine(const Prior& prior = {}) {
  auto r = Engine::create({});
  EXPECT_TRUE(r.has_value());
  if (!r.has_value()) return nullptr;
  for (const auto& [d, p] : prior) (*r)->context_mut().set_prior(d, p);
  return std::move(r).value();
}

// What finish() leaves in the context for the history database.
void expect_same_context(const Context& got, const Context& want) {
  EXPECT_EQ(got.evictions(), want.evictions());
  ASSERT_EQ(got.observations().size(), want.observations().size());
  for (const auto& [d, v] : want.observations()) {
    const auto it = got.observations().find(d);
    ASSERT_NE(it, got.observations().end()) << d;
    ASSERT_EQ(it->second.size(), v.size()) << d;
    for (std::size_t i = 0; i < v.size(); ++i) {
      EXPECT_EQ(it->second[i].host, v[i].host) << d;
      EXPECT_EQ(it->second[i].first, v[i].first) << d;
      EXPECT_EQ(it->second[i].last, v[i].last) << d;
      EXPECT_EQ(it->second[i].events, v[i].events) << d;
    }
  }
}

// Every field of every finding, in order.
void expect_same(const std::vector<Finding>& got, const std::vector<Finding>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto& a = got[i];
    const auto& b = want[i];
    SCOPED_TRACE(what + ": finding " + std::to_string(i) + " " + b.id + " " + b.source.to_string());
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.severity, b.severity);
    EXPECT_EQ(a.verdict, b.verdict);
    EXPECT_EQ(a.confidence, b.confidence);
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.target_count, b.target_count);
    EXPECT_EQ(a.target_sample, b.target_sample);
    EXPECT_EQ(a.regions, b.regions);
    EXPECT_EQ(a.first_seen, b.first_seen);
    EXPECT_EQ(a.last_seen, b.last_seen);
    EXPECT_EQ(a.events, b.events);
    EXPECT_EQ(a.title, b.title);
    EXPECT_EQ(a.explanation, b.explanation);
    EXPECT_EQ(a.advice, b.advice);
    ASSERT_EQ(a.evidence.size(), b.evidence.size());
    for (std::size_t k = 0; k < a.evidence.size(); ++k) {
      EXPECT_EQ(a.evidence[k].input, b.evidence[k].input);
      EXPECT_EQ(a.evidence[k].number, b.evidence[k].number);
      EXPECT_EQ(a.evidence[k].is_line, b.evidence[k].is_line);
    }
    EXPECT_EQ(a.attributes, b.attributes);
    EXPECT_EQ(a.dedup_key, b.dedup_key);
  }
}

// Feeds `events` to one engine with a snapshot every `every` events, and compares:
// the halfway snapshot with a second engine that saw only the first half and finished,
// the last snapshot and the final findings with a third engine that ran in one go.
void check(const std::vector<decode::Event>& events, std::size_t every, std::size_t min_findings,
           const Prior& prior = {}) {
  ASSERT_FALSE(events.empty());
  const std::size_t half = events.size() / 2;
  auto watched = make_engine(prior);
  auto first_half = make_engine(prior);
  auto batch = make_engine(prior);
  ASSERT_TRUE(watched && first_half && batch);
  std::vector<Finding> at_half;
  std::size_t snapshots = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i == half) at_half = watched->snapshot();
    if (i % every == 0) {
      (void)watched->snapshot();
      ++snapshots;
    }
    watched->on_event(events[i]);
    if (i < half) first_half->on_event(events[i]);
    batch->on_event(events[i]);
  }
  first_half->finish();
  batch->finish();
  expect_same(at_half, first_half->findings(), "halfway snapshot vs first half finished");
  const auto last = watched->snapshot();
  expect_same(last, batch->findings(), "last snapshot vs batch");
  watched->finish();
  expect_same(watched->findings(), batch->findings(), "finish after snapshots vs batch");
  expect_same_context(watched->context(), batch->context());
  EXPECT_GE(batch->findings().size(), min_findings) << "the scenario must exercise detectors";
  EXPECT_GT(snapshots, 2U);
}

TEST(Snapshot, BundledExampleMidStreamEqualsFinish) {
  const fs::path dir = fs::path(NETSEEN_SOURCE_DIR) / "examples";
  Stream s;
  read_into(s, dir / "office.pcap", 0);
  read_into(s, dir / "firewall.log", 1);
  check(s.events, 7, 10);
}

// The firewall-log side of nbstat.reverse_lookup builds its target sample in finish():
// repeated snapshots must not add to it.
TEST(Snapshot, LogOnlyReverseLookupRepeatedSnapshotsChangeNothing) {
  std::vector<decode::Event> events;
  std::uint64_t line = 0;
  const char* targets[] = {"81.2.69.142", "213.180.141.140", "62.1.2.3", "62.1.9.4"};
  double t = 1'100'000'000;
  for (const char* dst : targets) {
    for (int k = 0; k < 3; ++k) events.push_back(Ev().at(t + 1.5 * k).from("192.168.1.20", 137).to(dst, 137).udp(50).line(++line).build());
    t += 30;
  }
  check(events, 1, 2);
  auto e = make_engine();
  ASSERT_TRUE(e);
  for (const auto& ev : events) e->on_event(ev);
  for (int i = 0; i < 5; ++i) (void)e->snapshot();
  const auto fs = e->snapshot();
  const auto* f = find(fs, "nbstat.reverse_lookup", "192.168.1.20");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->target_sample.size(), 4U);
  std::uint64_t in_regions = 0;
  for (const auto& [r, n] : f->regions) in_regions += n;
  EXPECT_EQ(in_regions, 4U);
}

// spread.internal records observations for the history database in finish() and reads
// remembered hosts: snapshots must neither duplicate the one nor double-count the other.
TEST(Snapshot, SpreadWithRememberedHostsRecordsObservationsOnce) {
  std::vector<decode::Event> events;
  const int per_day[] = {2, 4, 7};
  for (int d = 0; d < 3; ++d) {
    for (int h = 0; h < per_day[d]; ++h) {
      const std::string src = "192.168.10." + std::to_string(20 + h);
      events.push_back(
          Ev().at(1'100'000'000 + d * 86400.0 + h * 60).from(src.c_str(), 40000).to("1.11.7.8", 139).tcp(0x02).build());
    }
  }
  Prior prior;
  prior["spread.internal"] = {Observation{ip("192.168.10.90"), Timestamp::from_seconds(1'099'990'000),
                                          Timestamp::from_seconds(1'099'995'000), 3}};
  check(events, 1, 1, prior);
  auto e = make_engine(prior);
  ASSERT_TRUE(e);
  for (const auto& ev : events) {
    e->on_event(ev);
    (void)e->snapshot();
  }
  EXPECT_TRUE(e->context().observations().empty()) << "snapshots leave no observations behind";
  e->finish();
  ASSERT_EQ(e->context().observations().count("spread.internal"), 1U);
  EXPECT_EQ(e->context().observations().at("spread.internal").size(), 7U);
}

TEST(Snapshot, PsadScanLogsMidStreamEqualsFinish) {
  const fs::path dir = fs::path(NETSEEN_SOURCE_DIR) / ".." / "shared" / "corpus" / "psad" / "test" / "scans" / "iptables";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "../shared/corpus/psad is absent";
  Stream s;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (std::size_t i = 0; i < files.size(); ++i) read_into(s, files[i], static_cast<std::uint32_t>(i));
  check(s.events, 97, 10);
}

// Detectors see only the kinds of events they declare (Detector::interest()). Declaring
// too little would lose events silently: the same inputs through an engine that hands
// every event to every detector must give the same findings, field by field. This catches
// what these inputs exercise; the scenario tests of each detector (run through the engine)
// catch the rest (e.g. scan.udp without ICMP fails ScanUdp.InferredFromPortUnreachablesAlone).
TEST(Interest, DeclaredKindsLoseNoFinding) {
  std::vector<fs::path> files = {fs::path(NETSEEN_SOURCE_DIR) / "examples" / "office.pcap",
                                 fs::path(NETSEEN_SOURCE_DIR) / "examples" / "firewall.log"};
  const fs::path corpus = fs::path(NETSEEN_SOURCE_DIR) / ".." / "shared" / "corpus";
  if (fs::is_directory(corpus)) {
    std::vector<fs::path> more;
    for (const auto& f : fs::recursive_directory_iterator(corpus)) {
      const auto ext = f.path().extension().string();
      const bool psad = f.path().string().find("/scans/iptables/") != std::string::npos;
      if (f.is_regular_file() && f.file_size() < (8U << 20) && (ext == ".pcap" || ext == ".pcapng" || psad)) {
        more.push_back(f.path());
      }
    }
    std::sort(more.begin(), more.end());
    files.insert(files.end(), more.begin(), more.end());
  } else {
    std::cout << "[ SKIPPED  ] part: ../shared/corpus is absent; only the bundled example is checked\n";
  }
  std::size_t findings = 0;
  for (std::uint32_t i = 0; i < files.size(); ++i) {
    Stream s;
    ingest::OpenOptions oo;
    oo.input_index = 0;
    oo.year = 2004;
    auto src = ingest::open_input(files[i].string(), oo);
    if (!src.has_value()) continue;  // a corpus file that is not a capture or log
    decode::Event e;
    while ((*src)->next(e)) {
      s.events.push_back(e);
      e = decode::Event{};
    }
    EngineOptions all;
    all.ignore_interest = true;
    auto masked = Engine::create({});
    auto every = Engine::create(all);
    ASSERT_TRUE(masked.has_value() && every.has_value());
    for (const auto& ev : s.events) {
      (*masked)->on_event(ev);
      (*every)->on_event(ev);
    }
    (*masked)->finish();
    (*every)->finish();
    expect_same((*masked)->findings(), (*every)->findings(), files[i].string());
    expect_same_context((*masked)->context(), (*every)->context());
    findings += (*every)->findings().size();
  }
  EXPECT_GE(findings, 10U) << "the inputs must exercise the detectors";
}


// The analyzer asks the decoder for checksum verification (a sum over every payload byte)
// exactly when some detector reads anomalies, and always for application summaries; a
// detector declared Load::Light is one that may leave the main part at all.
TEST(Interest, DecodeDepthFollowsWhatTheDetectorsRead) {
  auto eng = Engine::create({});
  ASSERT_TRUE(eng.has_value());
  bool any_reads_anomalies = false;
  for (const auto& d : (*eng)->detectors()) {
    any_reads_anomalies = any_reads_anomalies || d->reads_anomalies();
    if (d->load() == Detector::Load::Light) {
      EXPECT_TRUE(d->parallel_safe()) << d->id();
    }
  }
  const auto o = (*eng)->decode_options();
  EXPECT_EQ(o.verify_checksums, any_reads_anomalies);
  EXPECT_FALSE(o.verify_checksums) << "no detector reads checksum anomalies today";
  EXPECT_EQ(o.depth, decode::Depth::Application);
}

}  // namespace
}  // namespace netseen::detect
