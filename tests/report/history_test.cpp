// The history database: create, record, reopen; new / grown / known marks; spread.internal
// across runs; migration from a version-1 file written here as netseen 1 wrote it;
// corruption set aside and reported; concurrent writers; bounds and pruning; hostile
// contents read back.
#include "report/history.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "../detect/detect_test_util.hpp"
#include "report/json.hpp"
#include "report/text.hpp"

namespace netseen::report {
namespace {

namespace fs = std::filesystem;
using detect::testutil::Ev;
using detect::testutil::ip;

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kT0 = 1'700'000'000;  // 2023-11-14

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "netseen-history-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  [[nodiscard]] std::string file(const char* name) const { return (path_ / name).string(); }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// One analysis of hand-made events, as run_analysis would produce it.
AnalysisResult analyse(const std::vector<decode::Event>& events,
                       const std::map<std::string, std::vector<detect::Observation>>& prior = {}) {
  AnalysisResult r;
  auto engine = detect::Engine::create({});
  EXPECT_TRUE(engine.has_value());
  r.engine = std::move(*engine);
  for (const auto& [d, p] : prior) r.engine->context_mut().set_prior(d, p);
  std::uint64_t frame = 0;
  for (auto e : events) {
    e.origin.number = ++frame;
    r.engine->on_event(e);
    if (r.engine->context().inside(e.src)) r.baseline.add(e);
  }
  r.engine->finish();
  return r;
}

// 192.168.10.20 opens SMB to `targets` public addresses on day `day`.
std::vector<decode::Event> smb_out(int targets, std::int64_t day = 0, const char* src = "192.168.10.20") {
  std::vector<decode::Event> v;
  for (int i = 0; i < targets; ++i) {
    const std::string dst = "1.11.5." + std::to_string(10 + i);
    v.push_back(Ev().at(static_cast<double>(kT0 + day * kDay + i)).from(src, 40000).to(dst.c_str(), 445)
                    .tcp(decode::tcpflag::kSyn).ttl(128).build());
  }
  return v;
}

const FindingHistory* mark_of(const AnalysisResult& r, std::string_view id, const char* source) {
  const auto& fs = r.engine->findings();
  for (std::size_t i = 0; i < fs.size(); ++i) {
    if (fs[i].id == id && fs[i].source == ip(source)) {
      return r.history && i < r.history->findings.size() ? &r.history->findings[i] : nullptr;
    }
  }
  return nullptr;
}

Result<void> record(HistoryDb& db, AnalysisResult& r, std::int64_t at = kT0 + 100 * kDay) {
  return db.compare_and_record(r, Timestamp::from_seconds(at), "test");
}

TEST(History, CreatesRecordsAndReopens) {
  TempDir dir;
  const auto path = dir.file("h.db");
  {
    auto db = HistoryDb::open(path);
    ASSERT_TRUE(db.has_value()) << db.error().detail;
    EXPECT_TRUE(db->created());
    EXPECT_TRUE(db->set_aside().empty());
    auto r = analyse(smb_out(2));
    // Names the engine learned (from registrations and node-status answers) are kept.
    r.engine->context_mut().learned_name(ip("192.168.10.20"), {"WORKSTATION7<00>", false});
    r.engine->context_mut().learned_name(ip("192.168.10.20"), {"OFFICE<1E>", true});
    ASSERT_TRUE(record(*db, r).has_value());
    ASSERT_TRUE(r.history.has_value());
    EXPECT_EQ(r.history->run, 1U);
    EXPECT_FALSE(r.history->previous_run_at.has_value());
  }
  auto db = HistoryDb::open(path);
  ASSERT_TRUE(db.has_value()) << db.error().detail;
  EXPECT_FALSE(db->created());
  auto h = db->host(ip("192.168.10.20"));
  ASSERT_TRUE(h.has_value());
  ASSERT_TRUE(h->has_value());
  const auto& rec = **h;
  EXPECT_TRUE(rec.inside);
  EXPECT_EQ(rec.runs, 1U);
  EXPECT_EQ(rec.first_seen, Timestamp::from_seconds(kT0));
  EXPECT_EQ(rec.last_seen, Timestamp::from_seconds(kT0 + 1));
  ASSERT_EQ(rec.names.size(), 2U);
  EXPECT_EQ(rec.names[0].name, "OFFICE<1E>");
  EXPECT_TRUE(rec.names[0].group);
  EXPECT_EQ(rec.names[1].name, "WORKSTATION7<00>");
  EXPECT_FALSE(rec.names[1].group);
  ASSERT_EQ(rec.findings.size(), 1U);
  EXPECT_EQ(rec.findings[0].detector, "netbios.outbound_internet");
  EXPECT_EQ(rec.findings[0].max_targets, 2U);
  // Baselines: both peers, one port.
  EXPECT_EQ(rec.peers.size(), 2U);
  ASSERT_EQ(rec.ports.size(), 1U);
  EXPECT_EQ(rec.ports[0].key, "445/tcp");
  EXPECT_EQ(rec.ports[0].events, 2U);
  // SQLite's own view: WAL and the schema version.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), HistoryDb::kSchemaVersion);
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST(History, MarksNewThenKnownThenGrown) {
  TempDir dir;
  auto db = HistoryDb::open(dir.file("h.db"));
  ASSERT_TRUE(db.has_value());
  auto r1 = analyse(smb_out(1));
  ASSERT_TRUE(record(*db, r1, kT0 + 1).has_value());
  const auto* m1 = mark_of(r1, "netbios.outbound_internet", "192.168.10.20");
  ASSERT_NE(m1, nullptr);
  EXPECT_EQ(m1->status, HistoryStatus::New);
  EXPECT_EQ(m1->runs, 1U);
  EXPECT_TRUE(r1.history->host(ip("192.168.10.20"))->is_new);

  auto r2 = analyse(smb_out(1, 1));  // the same, a day later
  ASSERT_TRUE(record(*db, r2, kT0 + 2).has_value());
  const auto* m2 = mark_of(r2, "netbios.outbound_internet", "192.168.10.20");
  ASSERT_NE(m2, nullptr);
  EXPECT_EQ(m2->status, HistoryStatus::Known);
  EXPECT_EQ(m2->runs, 2U);
  EXPECT_EQ(m2->first_seen, Timestamp::from_seconds(kT0));  // the span reaches back
  EXPECT_FALSE(r2.history->host(ip("192.168.10.20"))->is_new);
  EXPECT_EQ(r2.history->run, 2U);
  ASSERT_TRUE(r2.history->previous_run_at.has_value());
  EXPECT_EQ(*r2.history->previous_run_at, Timestamp::from_seconds(kT0 + 1));

  auto r3 = analyse(smb_out(4, 2));  // more targets than ever
  ASSERT_TRUE(record(*db, r3, kT0 + 3).has_value());
  const auto* m3 = mark_of(r3, "netbios.outbound_internet", "192.168.10.20");
  ASSERT_NE(m3, nullptr);
  EXPECT_EQ(m3->status, HistoryStatus::Grown);
  EXPECT_EQ(m3->previous_max_targets, 1U);

  // A second host appears: new host, new finding; the first stays known.
  auto both = smb_out(4, 3);
  auto other = smb_out(1, 3, "192.168.10.99");
  both.insert(both.end(), other.begin(), other.end());
  auto r4 = analyse(both);
  ASSERT_TRUE(record(*db, r4, kT0 + 4).has_value());
  EXPECT_EQ(mark_of(r4, "netbios.outbound_internet", "192.168.10.20")->status, HistoryStatus::Known);
  EXPECT_EQ(mark_of(r4, "netbios.outbound_internet", "192.168.10.99")->status, HistoryStatus::New);
  EXPECT_TRUE(r4.history->host(ip("192.168.10.99"))->is_new);

  // The renderers show the marks.
  const auto text = render_text(r4, {});
  EXPECT_NE(text.find("[new]"), std::string::npos) << text;
  EXPECT_NE(text.find("[known since 2023-11-14, 4 runs]"), std::string::npos) << text;
  EXPECT_NE(text.find("[new host]"), std::string::npos) << text;
  EXPECT_NE(text.find("History: run 4"), std::string::npos) << text;
  const auto json = render_json(r4, {});
  EXPECT_NE(json.find(R"("history":{"status":"known","first_seen":"2023-11-14T22:13:20.000000Z","runs":4})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("findings":{"new":1,"grown":0,"known":1})"), std::string::npos) << json;
}

// The founding story: four machines on the first day, eighteen a month on, each day's log
// analysed by itself. No single run shows growth; the history does.
TEST(History, SpreadInternalAcrossRuns) {
  TempDir dir;
  auto db = HistoryDb::open(dir.file("h.db"));
  ASSERT_TRUE(db.has_value());
  auto day_log = [](std::int64_t day, int hosts) {
    std::vector<decode::Event> v;
    for (int h = 0; h < hosts; ++h) {
      const std::string src = "192.168.10." + std::to_string(20 + h);
      v.push_back(Ev().at(static_cast<double>(kT0 + day * kDay + h * 60)).from(src.c_str(), 1025)
                      .to("1.11.7.8", 139).tcp(decode::tcpflag::kSyn).build());
    }
    return v;
  };
  auto r1 = analyse(day_log(0, 4));
  EXPECT_EQ(detect::testutil::count_id(r1.engine->findings(), "spread.internal"), 0U);
  ASSERT_TRUE(record(*db, r1).has_value());

  auto prior = db->prior_observations();
  ASSERT_TRUE(prior.has_value());
  ASSERT_EQ((*prior)["spread.internal"].size(), 4U);
  auto r2 = analyse(day_log(20, 18), *prior);
  const auto* f = detect::testutil::find(r2.engine->findings(), "spread.internal");
  ASSERT_NE(f, nullptr) << "the cross-run spread was not raised";
  EXPECT_EQ(f->source, ip("192.168.10.20"));
  EXPECT_EQ(f->target_count, 18U);
  EXPECT_EQ(detect::testutil::attr_int(*f, "hosts_across_runs"), 18);
  EXPECT_EQ(detect::testutil::attr_int(*f, "hosts_first_period"), 4);
  EXPECT_NE(f->title.find("now on 18 inside hosts"), std::string::npos) << f->title;
  EXPECT_EQ(f->first_seen, Timestamp::from_seconds(kT0));
  ASSERT_TRUE(record(*db, r2).has_value());
  EXPECT_EQ(mark_of(r2, "spread.internal", "192.168.10.20")->status, HistoryStatus::New);

  // The same day again: still raised (deterministic for a re-run), now known.
  auto r3 = analyse(day_log(20, 18), *db->prior_observations());
  ASSERT_NE(detect::testutil::find(r3.engine->findings(), "spread.internal"), nullptr);
  ASSERT_TRUE(record(*db, r3).has_value());
  EXPECT_EQ(mark_of(r3, "spread.internal", "192.168.10.20")->status, HistoryStatus::Known);

  // The benign twin: the same four hosts every day are no spread.
  TempDir dir2;
  auto db2 = HistoryDb::open(dir2.file("h.db"));
  ASSERT_TRUE(db2.has_value());
  for (std::int64_t d = 0; d < 3; ++d) {
    auto r = analyse(day_log(d, 4), *db2->prior_observations());
    EXPECT_EQ(detect::testutil::count_id(r.engine->findings(), "spread.internal"), 0U) << "day " << d;
    ASSERT_TRUE(record(*db2, r).has_value());
  }
  // Hosts remembered beyond history_days do not count.
  auto late = analyse(day_log(200, 18), *db->prior_observations());
  EXPECT_EQ(detect::testutil::count_id(late.engine->findings(), "spread.internal"), 0U);
}

// What netseen with schema 1 wrote: the v1 tables, as they were.
void write_v1(const std::string& path) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  const char* sql = R"sql(
CREATE TABLE runs(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, first_ts INTEGER, last_ts INTEGER,
  inputs TEXT NOT NULL, findings INTEGER NOT NULL, hosts INTEGER NOT NULL);
CREATE TABLE hosts(id INTEGER PRIMARY KEY, address TEXT NOT NULL UNIQUE, inside INTEGER NOT NULL,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, runs INTEGER NOT NULL, last_run INTEGER NOT NULL);
CREATE INDEX hosts_by_age ON hosts(last_run, last_seen);
CREATE TABLE names(host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE, name TEXT NOT NULL,
  grp INTEGER NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, PRIMARY KEY(host_id, name, grp));
CREATE TABLE findings(host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE, detector TEXT NOT NULL,
  severity INTEGER NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, runs INTEGER NOT NULL,
  events INTEGER NOT NULL, max_targets INTEGER NOT NULL, last_run INTEGER NOT NULL, PRIMARY KEY(host_id, detector));
INSERT INTO runs VALUES(1, 1600000000000000, 1600000000000000, 1600000100000000, 'old.pcap', 1, 1);
INSERT INTO hosts VALUES(1, '192.168.10.20', 1, 1600000000000000, 1600000100000000, 3, 1);
INSERT INTO names VALUES(1, 'OLDPC<00>', 0, 1600000000000000, 1600000100000000);
INSERT INTO findings VALUES(1, 'netbios.outbound_internet', 2, 1600000000000000, 1600000100000000, 3, 9, 1, 1);
PRAGMA application_id = 1314080836;
PRAGMA user_version = 1;
)sql";
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(raw, sql, nullptr, nullptr, &err), SQLITE_OK) << (err != nullptr ? err : "");
  sqlite3_close(raw);
}

TEST(History, MigratesAVersion1File) {
  TempDir dir;
  const auto path = dir.file("v1.db");
  write_v1(path);
  auto db = HistoryDb::open(path);
  ASSERT_TRUE(db.has_value()) << db.error().detail;
  EXPECT_EQ(db->migrated_from(), 1);
  EXPECT_FALSE(db->created());
  auto h = db->host(ip("192.168.10.20"));
  ASSERT_TRUE(h.has_value() && h->has_value());
  EXPECT_EQ((*h)->runs, 3U);
  ASSERT_EQ((*h)->names.size(), 1U);
  EXPECT_EQ((*h)->names[0].name, "OLDPC<00>");
  ASSERT_EQ((*h)->findings.size(), 1U);
  EXPECT_EQ((*h)->findings[0].max_severity, detect::Severity::Medium);  // filled from v1's severity
  // The remembered finding is known to the next run, and its span reaches back to 2020.
  auto r = analyse(smb_out(1));
  ASSERT_TRUE(record(*db, r).has_value());
  const auto* m = mark_of(r, "netbios.outbound_internet", "192.168.10.20");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->status, HistoryStatus::Known);
  EXPECT_EQ(m->runs, 4U);
  EXPECT_EQ(m->first_seen, Timestamp::from_seconds(1'600'000'000));
  // Reopening does not migrate again.
  auto again = HistoryDb::open(path);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->migrated_from(), 0);
}

TEST(History, RefusesNewerSchemaAndForeignDatabases) {
  TempDir dir;
  const auto newer = dir.file("newer.db");
  const auto foreign = dir.file("foreign.db");
  for (const auto& [path, sql] : {std::pair{newer, "PRAGMA application_id = 1314080836; PRAGMA user_version = 9;"},
                                  std::pair{foreign, "CREATE TABLE customers(name TEXT);"}}) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  auto a = HistoryDb::open(newer);
  ASSERT_FALSE(a.has_value());
  EXPECT_NE(a.error().detail.find("newer"), std::string::npos) << a.error().detail;
  auto b = HistoryDb::open(foreign);
  ASSERT_FALSE(b.has_value());
  EXPECT_NE(b.error().detail.find("not a netseen history"), std::string::npos) << b.error().detail;
  EXPECT_TRUE(fs::exists(foreign));  // left alone, not set aside
}

std::vector<fs::path> set_aside_files(const TempDir& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    if (e.path().filename().string().find(".corrupt-") != std::string::npos) out.push_back(e.path());
  }
  return out;
}

TEST(History, GarbageFileIsSetAsideAndReported) {
  TempDir dir;
  const auto path = dir.file("h.db");
  const std::string garbage(8192, 'x');
  std::ofstream(path, std::ios::binary) << "this is not an SQLite database at all " << garbage;
  auto db = HistoryDb::open(path);
  ASSERT_TRUE(db.has_value()) << db.error().detail;
  ASSERT_FALSE(db->set_aside().empty());
  EXPECT_NE(db->set_aside().find("h.db.corrupt-"), std::string::npos) << db->set_aside();
  EXPECT_TRUE(fs::exists(db->set_aside()));  // never silently lost
  EXPECT_EQ(fs::file_size(db->set_aside()), 38U + garbage.size());
  EXPECT_TRUE(db->created());
  auto r = analyse(smb_out(1));
  ASSERT_TRUE(record(*db, r).has_value());
  EXPECT_NE(r.history->reset_notice.find(db->set_aside()), std::string::npos);
  EXPECT_NE(render_text(r, {}).find("set aside as"), std::string::npos);
  EXPECT_NE(render_json(r, {}).find(R"("reset":"the history database was damaged)"), std::string::npos);
  EXPECT_EQ(set_aside_files(dir).size(), 1U);
}

TEST(History, DamagedPagesAreSetAside) {
  TempDir dir;
  const auto path = dir.file("h.db");
  {
    auto db = HistoryDb::open(path);
    ASSERT_TRUE(db.has_value());
    std::vector<decode::Event> many;
    for (int h = 0; h < 200; ++h) {
      auto v = smb_out(3, 0, ("10.0." + std::to_string(h / 200) + "." + std::to_string(h % 200 + 1)).c_str());
      many.insert(many.end(), v.begin(), v.end());
    }
    auto r = analyse(many);
    ASSERT_TRUE(record(*db, r).has_value());
  }
  // Fold the WAL into the file, then overwrite pages past the header with noise.
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  const auto size = fs::file_size(path);
  ASSERT_GT(size, 3 * 4096U);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 + 100);
    for (std::size_t i = 0; i + 4096 + 200 < size; ++i) f.put(static_cast<char>((i * 37 + 11) & 0xFF));
  }
  auto db = HistoryDb::open(path);
  ASSERT_TRUE(db.has_value()) << db.error().detail;
  EXPECT_FALSE(db->set_aside().empty()) << "damaged pages went unnoticed";
  EXPECT_FALSE(db->set_aside_reason().empty());
  EXPECT_EQ(set_aside_files(dir).size(), 1U);
}

// Two processes record into one database at once: every run lands, none is lost.
TEST(History, ConcurrentWritersAllLand) {
  TempDir dir;
  const auto path = dir.file("h.db");
  ASSERT_TRUE(HistoryDb::open(path).has_value());
  constexpr int kWriters = 2;
  constexpr int kRunsEach = 15;
  std::vector<pid_t> kids;
  for (int w = 0; w < kWriters; ++w) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int failures = 0;
      for (int i = 0; i < kRunsEach; ++i) {
        auto db = HistoryDb::open(path);
        if (!db) {
          ++failures;
          continue;
        }
        auto r = analyse(smb_out(1 + i % 3, i, w == 0 ? "192.168.10.20" : "192.168.10.21"));
        if (!record(*db, r, kT0 + i).has_value()) ++failures;
      }
      _exit(failures == 0 ? 0 : 1);
    }
    kids.push_back(pid);
  }
  // Meanwhile this process reads.
  for (int i = 0; i < 10; ++i) {
    auto db = HistoryDb::open(path);
    ASSERT_TRUE(db.has_value()) << db.error().detail;
    EXPECT_TRUE(db->list().has_value());
  }
  for (auto pid : kids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed";
  }
  auto db = HistoryDb::open(path);
  ASSERT_TRUE(db.has_value());
  auto l = db->list();
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->runs_total, static_cast<std::uint64_t>(kWriters * kRunsEach));
  for (const char* h : {"192.168.10.20", "192.168.10.21"}) {
    auto rec = db->host(ip(h));
    ASSERT_TRUE(rec.has_value() && rec->has_value());
    EXPECT_EQ((*rec)->runs, static_cast<std::uint64_t>(kRunsEach)) << h;
  }
}

TEST(History, BoundsPruneTheOldest) {
  TempDir dir;
  HistoryLimits lim;
  lim.max_hosts = 5;
  lim.max_runs = 3;
  lim.max_baseline_per_host = 4;
  auto db = HistoryDb::open(dir.file("h.db"), lim);
  ASSERT_TRUE(db.has_value());
  // Run 1: hosts .1-.4, each to 10 peers. Run 2..4: hosts .5-.7.
  std::vector<decode::Event> first;
  for (int h = 1; h <= 4; ++h) {
    auto v = smb_out(10, 0, ("192.168.20." + std::to_string(h)).c_str());
    first.insert(first.end(), v.begin(), v.end());
  }
  auto r1 = analyse(first);
  ASSERT_TRUE(record(*db, r1, kT0).has_value());
  for (int run = 0; run < 3; ++run) {
    std::vector<decode::Event> later;
    for (int h = 5; h <= 7; ++h) {
      auto v = smb_out(1, 1 + run, ("192.168.20." + std::to_string(h)).c_str());
      later.insert(later.end(), v.begin(), v.end());
    }
    auto r = analyse(later);
    ASSERT_TRUE(record(*db, r, kT0 + 1 + run).has_value());
  }
  auto l = db->list();
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->hosts_total, 5U);
  EXPECT_EQ(l->runs_total, 3U);
  // The newest hosts stay, two of the oldest went.
  for (int h = 5; h <= 7; ++h) {
    auto rec = db->host(ip(("192.168.20." + std::to_string(h)).c_str()));
    ASSERT_TRUE(rec.has_value());
    EXPECT_TRUE(rec->has_value()) << h;
  }
  auto old = db->host(ip("192.168.20.3"));
  ASSERT_TRUE(old.has_value() && old->has_value());
  EXPECT_EQ((*old)->peers.size(), 4U);  // baseline capped
  EXPECT_FALSE(db->host(ip("192.168.20.1"))->has_value());
  // Forget and prune.
  auto gone = db->forget(ip("192.168.20.3"));
  ASSERT_TRUE(gone.has_value());
  EXPECT_TRUE(*gone);
  EXPECT_FALSE(*db->forget(ip("192.168.20.3")));
  auto pruned = db->prune_before(Timestamp::from_seconds(kT0 + 2 * kDay));
  ASSERT_TRUE(pruned.has_value());
  EXPECT_EQ(*pruned, 1U);  // .4 (day 0); .5-.7 were last seen on day 3
  EXPECT_EQ(db->list()->hosts_total, 3U);
}

// The per-host caps on names and findings hold over runs, although each run trims only the
// hosts it added rows to (the others were trimmed when they last grew).
TEST(History, PerHostCapsHoldAcrossRuns) {
  TempDir dir;
  HistoryLimits lim;
  lim.max_findings_per_host = 2;
  lim.max_names_per_host = 2;
  auto db = HistoryDb::open(dir.file("h.db"), lim);
  ASSERT_TRUE(db.has_value());
  const char* host = "192.168.30.9";
  auto run = [&](std::vector<std::string> ids, std::vector<std::string> names, std::int64_t day) {
    auto r = analyse(smb_out(1, day, host));
    for (const auto& id : ids) {
      detect::Finding f;
      f.id = id;
      f.source = ip(host);
      f.first_seen = f.last_seen = Timestamp::from_seconds(kT0 + day * kDay);
      f.dedup_key = id + "|" + host;
      r.engine->context_mut().emit(std::move(f));
    }
    for (const auto& n : names) r.engine->context_mut().learned_name(ip(host), detect::NetbiosNameSeen{n, false, {}, false});
    EXPECT_TRUE(record(*db, r, kT0 + day * kDay + 100).has_value());
    auto rec = db->host(ip(host));
    EXPECT_TRUE(rec.has_value() && rec->has_value());
    return rec.has_value() && rec->has_value() ? **rec : HostRecord{};
  };
  auto h = run({"test.one", "test.two", "test.three"}, {"ALPHA", "BRAVO", "CHARLIE"}, 0);
  EXPECT_EQ(h.findings.size(), 2U);
  EXPECT_EQ(h.names.size(), 2U);
  h = run({"test.one"}, {}, 1);  // nothing new for this host
  EXPECT_EQ(h.findings.size(), 2U);
  EXPECT_EQ(h.names.size(), 2U);
  h = run({"test.four"}, {"DELTA"}, 2);  // one more of each: still capped, the newest kept
  EXPECT_EQ(h.findings.size(), 2U);
  EXPECT_EQ(h.names.size(), 2U);
  bool four = false, delta = false;
  for (const auto& f : h.findings) four = four || f.detector == "test.four";
  for (const auto& n : h.names) delta = delta || n.name == "DELTA";
  EXPECT_TRUE(four);
  EXPECT_TRUE(delta);
}

// Whatever the file holds is untrusted: overlong text, bad addresses, odd types.
TEST(History, HostileRowsAreSkipped) {
  TempDir dir;
  const auto path = dir.file("h.db");
  {
    auto db = HistoryDb::open(path);
    ASSERT_TRUE(db.has_value());
    auto r = analyse(smb_out(1));
    ASSERT_TRUE(record(*db, r).has_value());
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  const std::string big(100'000, 'A');
  const std::string sql =
      "INSERT INTO hosts(address, inside, first_seen, last_seen, runs, last_run) VALUES('not-an-address', 1, 0, 0, "
      "1, 1);"
      "INSERT INTO hosts(address, inside, first_seen, last_seen, runs, last_run) VALUES('10.9.9.9', 1, 'x', 0, -5, "
      "1);"
      "INSERT INTO names VALUES(1, '" + big + "', 0, 0, 0);"
      "INSERT INTO findings(host_id, detector, severity, max_severity, first_seen, last_seen, runs, events, "
      "max_targets, last_run) VALUES(1, 'DROP TABLE; --', 99, 99, 0, 0, -1, -1, -1, 1);"
      "INSERT INTO observations VALUES(1, '" + big + "', 0, 0, 1, 1);";
  ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto db = HistoryDb::open(path);
  ASSERT_TRUE(db.has_value());
  auto l = db->list();
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->hosts.size(), 1U);
  EXPECT_GE(l->bad_rows, 4U);
  ASSERT_EQ(l->hosts[0].findings.size(), 1U);  // only the real one
  EXPECT_TRUE(l->hosts[0].names.empty());
  auto prior = db->prior_observations();
  ASSERT_TRUE(prior.has_value());
  ASSERT_EQ(prior->size(), 1U);  // the real spread.internal observation only
  EXPECT_EQ(prior->begin()->first, "spread.internal");
  EXPECT_EQ(prior->begin()->second.size(), 1U);
  // The real finding is still known to the next run.
  auto r = analyse(smb_out(1));
  ASSERT_TRUE(record(*db, r).has_value());
  EXPECT_EQ(mark_of(r, "netbios.outbound_internet", "192.168.10.20")->status, HistoryStatus::Known);
}

TEST(History, DefaultPathFollowsXdg) {
  const char* old_xdg = std::getenv("XDG_DATA_HOME");
  const std::string saved = old_xdg != nullptr ? old_xdg : "";
  setenv("XDG_DATA_HOME", "/tmp/xdg-test", 1);
  EXPECT_EQ(*default_history_path(), "/tmp/xdg-test/netseen/history.db");
  setenv("XDG_DATA_HOME", "relative/ignored", 1);
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') {
    EXPECT_EQ(*default_history_path(), std::string(home) + "/.local/share/netseen/history.db");
  }
  if (old_xdg != nullptr) {
    setenv("XDG_DATA_HOME", saved.c_str(), 1);
  } else {
    unsetenv("XDG_DATA_HOME");
  }
  TempDir dir;
  const auto nested = (dir.path() / "a" / "b" / "history.db").string();
  ASSERT_TRUE(ensure_history_dir(nested).has_value());
  EXPECT_TRUE(fs::is_directory(dir.path() / "a" / "b"));
  EXPECT_EQ(fs::status(dir.path() / "a").permissions() & fs::perms::all, fs::perms::owner_all);
}

}  // namespace
}  // namespace netseen::report
