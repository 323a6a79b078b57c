// netseen watch's library parts: which findings are reported as new or grown (dedup and
// rate limit), the --exec runner (input on stdin, bounded concurrency, timeout, failure
// counts), and the JSON line of a finding with its status.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "report/json.hpp"
#include "report/watch.hpp"
#include "report/watch_exec.hpp"

namespace netseen::report {
namespace {

namespace fs = std::filesystem;

detect::Finding finding(const char* id, const char* src, std::uint64_t targets, std::uint64_t events,
                        detect::Severity sev = detect::Severity::Medium) {
  detect::Finding f;
  f.id = id;
  f.source = *IpAddress::parse(src);
  f.target_count = targets;
  f.events = events;
  f.severity = sev;
  f.title = "t";
  f.explanation = "e";
  f.advice = "a";
  f.dedup_key = std::string(id) + "|" + src;
  return f;
}

TEST(FindingTracker, NewOnceThenQuietWhileUnchanged) {
  FindingTracker t;
  const auto f = finding("nbstat.sweep", "10.1.0.2", 20, 20);
  EXPECT_EQ(t.observe(f, 0), FindingChange::New);
  EXPECT_EQ(t.observe(f, 2), FindingChange::None);
  EXPECT_EQ(t.observe(f, 100), FindingChange::None);
  EXPECT_EQ(t.tracked(), 1U);
}

TEST(FindingTracker, KeyIsDetectorSourceAndScope) {
  FindingTracker t;
  EXPECT_EQ(t.observe(finding("nbstat.sweep", "10.1.0.2", 20, 20), 0), FindingChange::New);
  EXPECT_EQ(t.observe(finding("nbstat.sweep", "10.1.0.3", 20, 20), 0), FindingChange::New);  // other source
  EXPECT_EQ(t.observe(finding("scan.horizontal", "10.1.0.2", 20, 20), 0), FindingChange::New);  // other detector
  auto pair = finding("trace.udp", "10.1.0.2", 1, 9);
  pair.dedup_key = "trace.udp|10.1.0.2|10.9.0.1";
  EXPECT_EQ(t.observe(pair, 0), FindingChange::New);
  pair.dedup_key = "trace.udp|10.1.0.2|10.9.0.2";  // same source, another target: another finding
  EXPECT_EQ(t.observe(pair, 0), FindingChange::New);
  auto no_key = finding("addr.zero_source", "0.0.0.0", 1, 1);
  no_key.dedup_key.clear();
  EXPECT_EQ(FindingTracker::key(no_key), "addr.zero_source|0.0.0.0");
  EXPECT_EQ(t.observe(no_key, 0), FindingChange::New);
  EXPECT_EQ(t.observe(no_key, 1), FindingChange::None);
  EXPECT_EQ(t.tracked(), 6U);
}

TEST(FindingTracker, SmallGrowthIsNotReported) {
  GrowthPolicy p;
  p.min_interval_s = 0;
  FindingTracker t(p);
  EXPECT_EQ(t.observe(finding("nbstat.sweep", "10.1.0.2", 20, 20), 0), FindingChange::New);
  // +4 targets (< min_targets) and ×1.2 (< factor): not yet.
  EXPECT_EQ(t.observe(finding("nbstat.sweep", "10.1.0.2", 24, 24), 1), FindingChange::None);
  // ×1.5 and +10 targets: grown.
  EXPECT_EQ(t.observe(finding("nbstat.sweep", "10.1.0.2", 30, 30), 2), FindingChange::Grown);
  // Compared with what was reported (30), not with the last snapshot.
  EXPECT_EQ(t.observe(finding("nbstat.sweep", "10.1.0.2", 40, 40), 3), FindingChange::None);
  EXPECT_EQ(t.observe(finding("nbstat.sweep", "10.1.0.2", 45, 45), 4), FindingChange::Grown);
}

TEST(FindingTracker, EventsAloneCanGrowAFinding) {
  GrowthPolicy p;
  p.min_interval_s = 0;
  FindingTracker t(p);
  EXPECT_EQ(t.observe(finding("scan.vertical", "10.1.0.2", 1, 100), 0), FindingChange::New);
  EXPECT_EQ(t.observe(finding("scan.vertical", "10.1.0.2", 1, 140), 1), FindingChange::None);
  EXPECT_EQ(t.observe(finding("scan.vertical", "10.1.0.2", 1, 150), 2), FindingChange::Grown);
}

TEST(FindingTracker, GrowthIsRateLimitedAndCatchesUpLater) {
  GrowthPolicy p;
  p.min_interval_s = 30;
  FindingTracker t(p);
  EXPECT_EQ(t.observe(finding("scan.horizontal", "10.1.0.2", 50, 50), 0), FindingChange::New);
  // A scan that doubles every 2-second interval is reported at most once per 30 s.
  int grown = 0;
  std::uint64_t n = 50;
  for (double now = 2; now <= 60; now += 2) {
    n *= 2;
    if (t.observe(finding("scan.horizontal", "10.1.0.2", n, n), now) == FindingChange::Grown) ++grown;
  }
  EXPECT_EQ(grown, 2);  // at 30 s and at 60 s
  // A growth held back while too recent is still reported once the interval has passed.
  FindingTracker u(p);
  EXPECT_EQ(u.observe(finding("scan.horizontal", "10.1.0.9", 50, 50), 0), FindingChange::New);
  EXPECT_EQ(u.observe(finding("scan.horizontal", "10.1.0.9", 500, 500), 10), FindingChange::None);
  EXPECT_EQ(u.observe(finding("scan.horizontal", "10.1.0.9", 500, 500), 31), FindingChange::Grown);
}

TEST(FindingTracker, RiseInSeverityIsReportedAtOnce) {
  FindingTracker t;
  EXPECT_EQ(t.observe(finding("nbstat.sweep", "10.1.0.2", 20, 20, detect::Severity::Medium), 0), FindingChange::New);
  EXPECT_EQ(t.observe(finding("nbstat.sweep", "10.1.0.2", 21, 21, detect::Severity::High), 1), FindingChange::Grown);
  EXPECT_EQ(t.observe(finding("nbstat.sweep", "10.1.0.2", 21, 21, detect::Severity::High), 2), FindingChange::None);
  // A lower severity later is not news.
  EXPECT_EQ(t.observe(finding("nbstat.sweep", "10.1.0.2", 21, 21, detect::Severity::Low), 3), FindingChange::None);
}

TEST(FindingTracker, BoundedNumberOfFindings) {
  GrowthPolicy p;
  p.max_tracked = 3;
  FindingTracker t(p);
  for (int i = 0; i < 5; ++i) {
    const std::string src = "10.1.0." + std::to_string(i + 1);
    const auto ch = t.observe(finding("nbstat.sweep", src.c_str(), 20, 20), 0);
    EXPECT_EQ(ch, i < 3 ? FindingChange::New : FindingChange::None) << i;
  }
  EXPECT_EQ(t.tracked(), 3U);
  EXPECT_EQ(t.untracked(), 2U);
}

TEST(WatchLine, NamesChangeSeverityIdAndTitle) {
  auto f = finding("nbstat.sweep", "10.1.0.2", 20, 31, detect::Severity::High);
  f.title = "10.1.0.2 asked 20 hosts for their NetBIOS names";
  f.last_seen = Timestamp::from_seconds(1'800'000'000);  // 2027-01-15T08:00:00Z
  const auto line = watch_line(f, FindingChange::Grown);
  EXPECT_EQ(line.substr(0, 8), "08:00:00");
  EXPECT_NE(line.find("GROWN"), std::string::npos);
  EXPECT_NE(line.find("high"), std::string::npos);
  EXPECT_NE(line.find("nbstat.sweep"), std::string::npos);
  EXPECT_NE(line.find(f.title), std::string::npos);
  EXPECT_NE(line.find("targets 20 events 31"), std::string::npos);
}

TEST(FindingJson, StatusFieldAddedOnlyWhenGiven) {
  AnalysisResult r;
  auto f = finding("nbstat.sweep", "10.1.0.2", 20, 20);
  const auto with = nlohmann::json::parse(render_finding_json(r, f, "new"));
  EXPECT_EQ(with.at("kind"), "finding");
  EXPECT_EQ(with.at("status"), "new");
  EXPECT_EQ(with.at("id"), "nbstat.sweep");
  EXPECT_EQ(with.at("targets").at("count"), 20);
  const auto without = nlohmann::json::parse(render_finding_json(r, f));
  EXPECT_FALSE(without.contains("status"));
}

// --- --exec -------------------------------------------------------------------------

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/netseen-exec-XXXXXX";
    const char* p = mkdtemp(tmpl);
    path = p != nullptr ? fs::path(p) : fs::path();
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(CommandRunner, InputOnStdinAndEnvironment) {
  TempDir d;
  ASSERT_FALSE(d.path.empty());
  ExecOptions o;
  o.command = "cat > \"$OUT/$NETSEEN_FINDING_ID\"";
  setenv("OUT", d.path.c_str(), 1);
  {
    CommandRunner r(o);
    r.submit("{\"kind\":\"finding\"}\n", {"NETSEEN_FINDING_ID=one"});
    r.submit("second\n", {"NETSEEN_FINDING_ID=two"});
    r.finish();
    EXPECT_EQ(r.counts().started, 2U);
    EXPECT_EQ(r.counts().succeeded, 2U);
    EXPECT_EQ(r.counts().failed, 0U);
  }
  EXPECT_EQ(slurp(d.path / "one"), "{\"kind\":\"finding\"}\n");
  EXPECT_EQ(slurp(d.path / "two"), "second\n");
}

TEST(CommandRunner, FailuresAreCounted) {
  ExecOptions o;
  o.command = "read line; test \"$line\" = ok";
  CommandRunner r(o);
  r.submit("ok\n");
  r.submit("not ok\n");
  r.submit("ok\n");
  r.finish();
  EXPECT_EQ(r.counts().started, 3U);
  EXPECT_EQ(r.counts().succeeded, 2U);
  EXPECT_EQ(r.counts().failed, 1U);
  EXPECT_EQ(r.counts().timed_out, 0U);
}

TEST(CommandRunner, ConcurrencyIsBounded) {
  TempDir d;
  ASSERT_FALSE(d.path.empty());
  // Each command records itself while running; the largest number seen at once is checked.
  ExecOptions o;
  o.max_parallel = 2;
  o.command = "touch \"$OUT/run.$$\"; ls \"$OUT\" | grep -c '^run' >> \"$OUT/seen\"; sleep 0.2; rm \"$OUT/run.$$\"";
  setenv("OUT", d.path.c_str(), 1);
  CommandRunner r(o);
  for (int i = 0; i < 6; ++i) r.submit("x\n");
  EXPECT_LE(r.running(), 2U);
  EXPECT_EQ(r.running() + r.queued(), 6U);
  r.finish();
  EXPECT_EQ(r.counts().succeeded, 6U);
  std::istringstream seen(slurp(d.path / "seen"));
  int n = 0, most = 0, lines = 0;
  while (seen >> n) {
    most = std::max(most, n);
    ++lines;
  }
  EXPECT_EQ(lines, 6);
  EXPECT_LE(most, 2);
  EXPECT_GE(most, 1);
}

TEST(CommandRunner, TimeoutKillsTheWholeProcessGroup) {
  TempDir d;
  ASSERT_FALSE(d.path.empty());
  ExecOptions o;
  o.timeout = std::chrono::milliseconds(300);
  // The shell starts a child that would write a file after 2 s: it must be killed too.
  o.command = "(sleep 2; touch \"$OUT/survived\") & sleep 5";
  setenv("OUT", d.path.c_str(), 1);
  const auto t0 = std::chrono::steady_clock::now();
  {
    CommandRunner r(o);
    r.submit("x\n");
    r.finish();
    EXPECT_EQ(r.counts().timed_out, 1U);
    EXPECT_EQ(r.counts().failed, 1U);
    EXPECT_EQ(r.counts().succeeded, 0U);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(s, 2.0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2300));
  EXPECT_FALSE(fs::exists(d.path / "survived"));
}

TEST(CommandRunner, CommandThatIgnoresItsInputDoesNotHurt) {
  ExecOptions o;
  o.command = "exit 0";  // closes stdin at once; a large input must not raise SIGPIPE here
  CommandRunner r(o);
  r.submit(std::string(1 << 20, 'x'));
  r.finish();
  EXPECT_EQ(r.counts().succeeded, 1U);
}

TEST(CommandRunner, QueueIsBounded) {
  ExecOptions o;
  o.max_parallel = 1;
  o.max_queued = 2;
  o.command = "sleep 0.2";
  CommandRunner r(o);
  for (int i = 0; i < 5; ++i) r.submit("x\n");  // 1 running, 2 queued, 2 dropped
  EXPECT_EQ(r.counts().dropped, 2U);
  r.finish();
  EXPECT_EQ(r.counts().succeeded, 3U);
}

}  // namespace
}  // namespace netseen::report
