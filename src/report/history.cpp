#include "report/history.hpp"

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>
#include <utility>

namespace netseen::report {

std::string_view to_string(HistoryStatus s) noexcept {
  switch (s) {
    case HistoryStatus::New: return "new";
    case HistoryStatus::Grown: return "grown";
    case HistoryStatus::Known: return "known";
  }
  return "known";
}

const HostHistory* HistoryMarks::host(const IpAddress& a) const {
  auto it = std::lower_bound(hosts.begin(), hosts.end(), a, [](const auto& p, const IpAddress& x) { return p.first < x; });
  return it != hosts.end() && it->first == a ? &it->second : nullptr;
}

namespace {

constexpr std::string_view kLayer = "history";
// Text read back from the file is capped: detector ids, names, baseline keys, run labels.
constexpr std::size_t kMaxTextRead = 256;
constexpr std::size_t kMaxListedHosts = 100'000;

// ---- schema ---------------------------------------------------------------------------
// Version 1: runs, hosts, NetBIOS names, findings. Version 2 adds the highest severity a
// finding ever had, the detectors' per-host observations (spread.internal across runs)
// and the peer/port baselines. A new version appends a step here; steps never change.

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  first_ts INTEGER,
  last_ts INTEGER,
  inputs TEXT NOT NULL,
  findings INTEGER NOT NULL,
  hosts INTEGER NOT NULL);
CREATE TABLE hosts(
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL UNIQUE,
  inside INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  runs INTEGER NOT NULL,
  last_run INTEGER NOT NULL);
CREATE INDEX hosts_by_age ON hosts(last_run, last_seen);
CREATE TABLE names(
  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  grp INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY(host_id, name, grp));
CREATE TABLE findings(
  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  detector TEXT NOT NULL,
  severity INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  runs INTEGER NOT NULL,
  events INTEGER NOT NULL,
  max_targets INTEGER NOT NULL,
  last_run INTEGER NOT NULL,
  PRIMARY KEY(host_id, detector));
)sql";

constexpr const char* kMigrateV1toV2 = R"sql(
ALTER TABLE findings ADD COLUMN max_severity INTEGER NOT NULL DEFAULT 0;
UPDATE findings SET max_severity = severity;
CREATE TABLE observations(
  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  detector TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  runs INTEGER NOT NULL,
  events INTEGER NOT NULL,
  PRIMARY KEY(host_id, detector));
CREATE INDEX observations_by_age ON observations(detector, last_seen);
CREATE TABLE baseline(
  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  runs INTEGER NOT NULL,
  events INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY(host_id, kind, key));
)sql";

Error db_error(sqlite3* db, std::string_view what) {
  return make_error(ErrorKind::Io, kLayer, 0,
                    fmt::format("{}: {}", what, db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

// A prepared statement. Parameters are bound by position (1-based); nothing is ever
// spliced into SQL text.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK) {
      sqlite3_finalize(st_);
      st_ = nullptr;
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(st_); }

  [[nodiscard]] bool ok() const noexcept { return st_ != nullptr; }
  Stmt& bind(int i, std::int64_t v) {
    if (st_ != nullptr) sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Stmt& bind(int i, std::uint64_t v) {
    return bind(i, static_cast<std::int64_t>(std::min<std::uint64_t>(v, INT64_MAX)));
  }
  Stmt& bind(int i, std::string_view v) {
    if (st_ != nullptr) sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind_null(int i) {
    if (st_ != nullptr) sqlite3_bind_null(st_, i);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return st_ == nullptr ? SQLITE_ERROR : sqlite3_step(st_); }
  void reset() {
    if (st_ == nullptr) return;
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  [[nodiscard]] bool is_int(int c) const { return sqlite3_column_type(st_, c) == SQLITE_INTEGER; }
  [[nodiscard]] bool is_null(int c) const { return sqlite3_column_type(st_, c) == SQLITE_NULL; }
  [[nodiscard]] std::int64_t i64(int c) const { return sqlite3_column_int64(st_, c); }
  // Counts are never negative, whatever the file says.
  [[nodiscard]] std::uint64_t count(int c) const {
    const auto v = sqlite3_column_int64(st_, c);
    return v < 0 ? 0 : static_cast<std::uint64_t>(v);
  }
  // Text capped at kMaxTextRead bytes; nullopt for a non-text column or a longer value.
  [[nodiscard]] std::optional<std::string> text(int c) const {
    if (sqlite3_column_type(st_, c) != SQLITE_TEXT) return std::nullopt;
    const auto* p = sqlite3_column_text(st_, c);
    const int n = sqlite3_column_bytes(st_, c);
    if (p == nullptr || n < 0 || static_cast<std::size_t>(n) > kMaxTextRead) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
  }
  [[nodiscard]] Error error(std::string_view what) const { return db_error(db_, what); }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

Result<void> exec(sqlite3* db, const char* sql, std::string_view what) {
  char* msg = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
  if (rc == SQLITE_OK) return Ok{};
  std::string m = msg != nullptr ? msg : sqlite3_errstr(rc);
  sqlite3_free(msg);
  return fail(ErrorKind::Io, kLayer, 0, fmt::format("{}: {}", what, m));
}

Result<std::int64_t> pragma_int(sqlite3* db, const char* sql) {
  Stmt s(db, sql);
  if (!s.ok()) return db_error(db, sql);
  const int rc = s.step();
  if (rc != SQLITE_ROW) return db_error(db, sql);
  return s.i64(0);
}

// A finished transaction or, when dropped early, a rolled-back one.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Result<void> begin() {
    NETSEEN_TRY(exec(db_, "BEGIN IMMEDIATE", "cannot start a write transaction"));
    open_ = true;
    return Ok{};
  }
  Result<void> commit() {
    NETSEEN_TRY(exec(db_, "COMMIT", "cannot commit"));
    open_ = false;
    return Ok{};
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

enum class Health { Good, Corrupt, Busy, OtherError };

// Is the file a readable SQLite database whose pages are sound?
Health check_health(sqlite3* db, std::string& detail) {
  Stmt s(db, "PRAGMA quick_check(1)");
  int rc = s.ok() ? s.step() : sqlite3_errcode(db);
  if (rc == SQLITE_ROW) {
    auto verdict = s.text(0);
    if (verdict && *verdict == "ok") return Health::Good;
    detail = verdict ? *verdict : "quick_check failed";
    return Health::Corrupt;
  }
  rc = sqlite3_errcode(db);
  detail = sqlite3_errmsg(db);
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) return Health::Corrupt;
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return Health::Busy;
  return Health::OtherError;
}

std::string utc_stamp() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  const auto c = civil_from_timestamp(Timestamp{us});
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", c.year, c.month, c.day, c.hour, c.minute, c.second);
}

// Renames the damaged file (and its WAL/shared-memory companions) aside; returns the new name.
Result<std::string> set_file_aside(const std::string& path) {
  const std::string base = path + ".corrupt-" + utc_stamp();
  std::string target = base;
  std::error_code ec;
  for (int i = 1; std::filesystem::exists(target, ec) && i < 100; ++i) target = fmt::format("{}-{}", base, i);
  if (std::rename(path.c_str(), target.c_str()) != 0) {
    return fail(ErrorKind::Io, kLayer, 0,
                fmt::format("cannot move the damaged database {} aside: {}", path, std::strerror(errno)));
  }
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string side = path + suffix;
    if (std::filesystem::exists(side, ec)) std::rename(side.c_str(), (target + suffix).c_str());
  }
  return target;
}

sqlite3* open_raw(const std::string& path, int busy_ms) {
  sqlite3* db = nullptr;
  // NOMUTEX: a HistoryDb is used by one thread at a time, so SQLite's per-call locking (1.4M
  // lock/unlock pairs recording a 200k-line log's run) buys nothing.
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, busy_ms);
  sqlite3_extended_result_codes(db, 0);
  return db;
}

detect::Severity severity_from(std::int64_t v) {
  if (v < 0) return detect::Severity::Info;
  if (v > static_cast<std::int64_t>(detect::Severity::Critical)) return detect::Severity::Critical;
  return static_cast<detect::Severity>(v);
}

Timestamp ts(const Stmt& s, int c) { return Timestamp{s.i64(c)}; }

bool valid_detector(const std::string& d) {
  if (d.empty() || d.size() > 64) return false;
  return std::all_of(d.begin(), d.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

}  // namespace

HistoryDb::HistoryDb(sqlite3* db, std::string path, const HistoryLimits& limits)
    : db_(db), path_(std::move(path)), limits_(limits) {}

HistoryDb::HistoryDb(HistoryDb&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)),
      path_(std::move(o.path_)),
      limits_(o.limits_),
      set_aside_(std::move(o.set_aside_)),
      set_aside_reason_(std::move(o.set_aside_reason_)),
      migrated_from_(o.migrated_from_),
      created_(o.created_) {}

HistoryDb& HistoryDb::operator=(HistoryDb&& o) noexcept {
  if (this != &o) {
    sqlite3_close(db_);
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
    limits_ = o.limits_;
    set_aside_ = std::move(o.set_aside_);
    set_aside_reason_ = std::move(o.set_aside_reason_);
    migrated_from_ = o.migrated_from_;
    created_ = o.created_;
  }
  return *this;
}

HistoryDb::~HistoryDb() { sqlite3_close(db_); }

Result<HistoryDb> HistoryDb::open(const std::string& path, const HistoryLimits& limits) {
  if (path.empty()) return fail(ErrorKind::Io, kLayer, 0, "no database path");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return fail(ErrorKind::Io, kLayer, 0, fmt::format("{} is a directory", path));
  }
  std::string set_aside;
  sqlite3* db = open_raw(path, limits.busy_timeout_ms);
  if (db == nullptr) return fail(ErrorKind::Io, kLayer, 0, fmt::format("cannot open {}", path));
  std::string detail;
  switch (check_health(db, detail)) {
    case Health::Good: break;
    case Health::Corrupt: {
      sqlite3_close(db);
      auto moved = set_file_aside(path);
      if (!moved) return moved.error();
      set_aside = *moved;
      db = open_raw(path, limits.busy_timeout_ms);
      if (db == nullptr) return fail(ErrorKind::Io, kLayer, 0, fmt::format("cannot create {}", path));
      break;
    }
    case Health::Busy:
    case Health::OtherError: {
      auto e = make_error(ErrorKind::Io, kLayer, 0, fmt::format("{}: {}", path, detail));
      sqlite3_close(db);
      return e;
    }
  }
  HistoryDb h(db, path, limits);
  h.set_aside_ = std::move(set_aside);
  if (!h.set_aside_.empty()) h.set_aside_reason_ = detail;
  NETSEEN_TRY(h.prepare_schema());
  return h;
}

Result<void> HistoryDb::prepare_schema() {
  NETSEEN_TRY(exec(db_, "PRAGMA foreign_keys = ON", "cannot enable foreign keys"));
  {
    // WAL lets readers go on while one writer records; it is a property of the file.
    Stmt s(db_, "PRAGMA journal_mode = WAL");
    if (s.step() != SQLITE_ROW) return s.error("cannot switch to WAL mode");
  }
  NETSEEN_TRY(exec(db_, "PRAGMA synchronous = NORMAL", "cannot set synchronous"));
  // A page cache of up to 16 MiB (SQLite's default is 2 MiB): recording a run touches every
  // host's row and baseline; with the default a database of a few MB was read from the
  // file again and again (14,800 page loads recording 15,000 hosts).
  NETSEEN_TRY(exec(db_, "PRAGMA cache_size = -16384", "cannot set the cache size"));
  NETSEEN_TRY_ASSIGN(auto version, pragma_int(db_, "PRAGMA user_version"));
  if (version == kSchemaVersion) return Ok{};
  if (version > kSchemaVersion) {
    return fail(ErrorKind::Unsupported, kLayer, 0,
                fmt::format("{} has schema version {}, newer than this netseen understands ({}); "
                            "use a newer netseen or another --db",
                            path_, version, kSchemaVersion));
  }
  Transaction tx(db_);
  NETSEEN_TRY(tx.begin());
  // Another process may have created or migrated it while we waited for the lock.
  NETSEEN_TRY_ASSIGN(version, pragma_int(db_, "PRAGMA user_version"));
  NETSEEN_TRY_ASSIGN(auto app_id, pragma_int(db_, "PRAGMA application_id"));
  if (version == 0) {
    NETSEEN_TRY_ASSIGN(auto tables, pragma_int(db_, "SELECT count(*) FROM sqlite_schema"));
    if (tables != 0 || app_id != 0) {
      return fail(ErrorKind::Unsupported, kLayer, 0,
                  fmt::format("{} is an SQLite database but not a netseen history; not touching it", path_));
    }
    NETSEEN_TRY(exec(db_, kSchemaV1, "cannot create the schema"));
    NETSEEN_TRY(exec(db_, kMigrateV1toV2, "cannot create the schema"));
    created_ = true;
  } else {
    if (app_id != kApplicationId) {
      return fail(ErrorKind::Unsupported, kLayer, 0,
                  fmt::format("{} is an SQLite database but not a netseen history; not touching it", path_));
    }
    if (version < kSchemaVersion) migrated_from_ = static_cast<int>(version);
    if (version == 1) NETSEEN_TRY(exec(db_, kMigrateV1toV2, "migration from schema 1 to 2 failed"));
  }
  NETSEEN_TRY(exec(db_, "PRAGMA application_id = 1314080836", "cannot set the application id"));
  NETSEEN_TRY(exec(db_, "PRAGMA user_version = 2", "cannot set the schema version"));
  return tx.commit();
}

Result<std::map<std::string, std::vector<detect::Observation>>> HistoryDb::prior_observations() {
  std::map<std::string, std::vector<detect::Observation>> out;
  Stmt s(db_,
         "SELECT h.address, o.detector, o.first_seen, o.last_seen, o.events FROM observations o "
         "JOIN hosts h ON h.id = o.host_id ORDER BY o.detector, o.last_seen DESC LIMIT ?1");
  if (!s.ok()) return s.error("cannot read observations");
  s.bind(1, static_cast<std::uint64_t>(limits_.max_observations * 4));
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    auto addr_text = s.text(0);
    auto detector = s.text(1);
    if (!addr_text || !detector || !valid_detector(*detector) || !s.is_int(2) || !s.is_int(3)) continue;
    auto addr = IpAddress::parse(*addr_text);
    if (!addr) continue;
    auto& v = out[*detector];
    if (v.size() >= limits_.max_observations) continue;
    v.push_back(detect::Observation{*addr, ts(s, 2), ts(s, 3), s.count(4)});
  }
  if (rc != SQLITE_DONE) return s.error("cannot read observations");
  return out;
}

Result<void> HistoryDb::compare_and_record(AnalysisResult& r, Timestamp now, const std::string& inputs_label) {
  const auto& engine = *r.engine;
  const auto& ctx = engine.context();
  Transaction tx(db_);
  NETSEEN_TRY(tx.begin());

  HistoryMarks marks;
  marks.db_path = path_;
  if (!set_aside_.empty()) {
    marks.reset_notice = fmt::format(
        "the history database was damaged ({}) and was set aside as {}; this run started a new one",
        set_aside_reason_, set_aside_);
  }
  {
    Stmt prev(db_, "SELECT max(at) FROM runs");
    if (prev.step() == SQLITE_ROW && prev.is_int(0)) marks.previous_run_at = ts(prev, 0);
  }
  const auto& es = engine.stats();
  std::int64_t run_id = 0;
  {
    Stmt s(db_, "INSERT INTO runs(at, first_ts, last_ts, inputs, findings, hosts) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    s.bind(1, now.us);
    if (es.have_ts) {
      s.bind(2, es.first_ts.us).bind(3, es.last_ts.us);
    } else {
      s.bind_null(2).bind_null(3);
    }
    s.bind(4, std::string_view(inputs_label).substr(0, kMaxTextRead))
        .bind(5, static_cast<std::uint64_t>(engine.findings().size()))
        .bind(6, static_cast<std::uint64_t>(engine.hosts().size()));
    if (s.step() != SQLITE_DONE) return s.error("cannot record the run");
    run_id = sqlite3_last_insert_rowid(db_);
  }
  marks.run = static_cast<std::uint64_t>(run_id);

  // The hosts recorded: every source of traffic and every host a finding is about.
  struct Span {
    Timestamp first, last;
  };
  std::map<IpAddress, Span> hosts;
  for (const auto& [a, h] : engine.hosts()) {
    if (h.events_as_source > 0) hosts.emplace(a, Span{h.first_seen, h.last_seen});
  }
  for (const auto& f : engine.findings()) {
    auto [it, fresh] = hosts.emplace(f.source, Span{f.first_seen, f.last_seen});
    if (!fresh) {
      it->second.first = std::min(it->second.first, f.first_seen);
      it->second.last = std::max(it->second.last, f.last_seen);
    }
  }
  for (const auto& [detector, list] : ctx.observations()) {
    for (const auto& o : list) hosts.emplace(o.host, Span{o.first, o.last});
  }

  std::map<IpAddress, std::int64_t> host_ids;
  {
    // A lookup by address, then an update by id or an insert (inside the write
    // transaction nothing changes in between). An upsert with RETURNING did the same in one
    // statement but buffered its row in a temporary table each time: 60 % of recording.
    Stmt get(db_, "SELECT id, first_seen, runs FROM hosts WHERE address = ?1");
    Stmt update(db_,
                "UPDATE hosts SET inside = ?2, first_seen = min(first_seen, ?3), last_seen = max(last_seen, ?4), "
                "runs = runs + 1, last_run = ?5 WHERE id = ?1");
    Stmt insert(db_,
                "INSERT INTO hosts(address, inside, first_seen, last_seen, runs, last_run) VALUES(?1, ?2, ?3, ?4, 1, ?5)");
    if (!get.ok() || !update.ok() || !insert.ok()) return db_error(db_, "cannot record hosts");
    for (const auto& [a, span] : hosts) {
      const std::string address = a.to_string();
      const std::int64_t inside = ctx.inside(a) ? 1 : 0;
      get.reset();
      get.bind(1, address);
      const int rc = get.step();
      HostHistory hh;
      std::int64_t id = 0;
      if (rc == SQLITE_ROW) {
        id = get.i64(0);
        hh.first_seen = std::min(ts(get, 1), span.first);
        hh.runs = get.count(2) + 1;
        update.reset();
        update.bind(1, id).bind(2, inside).bind(3, span.first.us).bind(4, span.last.us).bind(5, run_id);
        if (update.step() != SQLITE_DONE) return update.error("cannot record hosts");
      } else if (rc == SQLITE_DONE) {
        insert.reset();
        insert.bind(1, address).bind(2, inside).bind(3, span.first.us).bind(4, span.last.us).bind(5, run_id);
        if (insert.step() != SQLITE_DONE) return insert.error("cannot record hosts");
        id = sqlite3_last_insert_rowid(db_);
        hh.first_seen = span.first;
        hh.runs = 1;
      } else {
        return get.error("cannot read hosts");
      }
      hh.runs = std::max<std::uint64_t>(1, hh.runs);
      hh.is_new = hh.runs == 1;
      if (hh.is_new) ++marks.new_hosts;
      host_ids[a] = id;
      marks.hosts.emplace_back(a, hh);
    }
  }

  // Names learned this run (only the hosts that have some can grow past the cap).
  std::set<std::int64_t> named_hosts;
  {
    Stmt s(db_,
           "INSERT INTO names(host_id, name, grp, first_seen, last_seen) VALUES(?1, ?2, ?3, ?4, ?5) "
           "ON CONFLICT(host_id, name, grp) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen), "
           "last_seen = max(last_seen, excluded.last_seen)");
    for (const auto& [a, span] : hosts) {
      const auto* names = ctx.names_of(a);
      if (names == nullptr) continue;
      named_hosts.insert(host_ids[a]);
      for (const auto& n : *names) {
        s.reset();
        s.bind(1, host_ids[a]).bind(2, n.name).bind(3, static_cast<std::int64_t>(n.group ? 1 : 0));
        s.bind(4, span.first.us).bind(5, span.last.us);
        if (s.step() != SQLITE_DONE) return s.error("cannot record names");
      }
    }
  }

  // Findings: one row per host and detector. Several findings of one detector about one
  // host in a run are counted together.
  struct Group {
    detect::Severity severity = detect::Severity::Info;
    std::uint64_t targets = 0, events = 0;
    Timestamp first, last;
    FindingHistory marks;
  };
  std::map<std::pair<IpAddress, std::string>, Group> groups;
  for (const auto& f : engine.findings()) {
    auto [it, fresh] = groups.try_emplace({f.source, f.id});
    auto& g = it->second;
    if (fresh) {
      g.severity = f.severity;
      g.first = f.first_seen;
      g.last = f.last_seen;
    }
    g.severity = std::max(g.severity, f.severity);
    g.targets = std::max(g.targets, f.target_count);
    g.events += f.events;
    g.first = std::min(g.first, f.first_seen);
    g.last = std::max(g.last, f.last_seen);
  }
  // Hosts that got a findings row they did not have: only their rows can now exceed the cap.
  std::set<std::int64_t> new_finding_rows;
  {
    Stmt get(db_,
             "SELECT first_seen, runs, max_targets, max_severity FROM findings WHERE host_id = ?1 AND detector = ?2");
    Stmt put(db_,
             "INSERT INTO findings(host_id, detector, severity, max_severity, first_seen, last_seen, runs, events, "
             "max_targets, last_run) VALUES(?1, ?2, ?3, ?3, ?4, ?5, 1, ?6, ?7, ?8) "
             "ON CONFLICT(host_id, detector) DO UPDATE SET severity = excluded.severity, "
             "max_severity = max(max_severity, excluded.severity), first_seen = min(first_seen, excluded.first_seen), "
             "last_seen = max(last_seen, excluded.last_seen), runs = runs + 1, events = events + excluded.events, "
             "max_targets = max(max_targets, excluded.max_targets), last_run = excluded.last_run");
    if (!get.ok() || !put.ok()) return db_error(db_, "cannot record findings");
    for (auto& [key, g] : groups) {
      const auto id = host_ids[key.first];
      get.reset();
      get.bind(1, id).bind(2, key.second);
      const int rc = get.step();
      if (rc == SQLITE_ROW) {
        const auto before_first = ts(get, 0);
        g.marks.first_seen = std::min(before_first, g.first);
        g.marks.runs = get.count(1) + 1;
        g.marks.previous_max_targets = get.count(2);
        const auto before_sev = severity_from(get.i64(3));
        g.marks.status = (g.targets > g.marks.previous_max_targets || g.severity > before_sev) ? HistoryStatus::Grown
                                                                                               : HistoryStatus::Known;
      } else if (rc == SQLITE_DONE) {
        g.marks.status = HistoryStatus::New;
        g.marks.first_seen = g.first;
        g.marks.runs = 1;
        new_finding_rows.insert(id);
      } else {
        return get.error("cannot read findings");
      }
      put.reset();
      put.bind(1, id).bind(2, key.second).bind(3, static_cast<std::int64_t>(g.severity));
      put.bind(4, g.first.us).bind(5, g.last.us).bind(6, g.events).bind(7, g.targets).bind(8, run_id);
      if (put.step() != SQLITE_DONE) return put.error("cannot record findings");
    }
  }
  for (const auto& f : engine.findings()) marks.findings.push_back(groups[{f.source, f.id}].marks);

  // The detectors' per-host behaviour (spread.internal).
  {
    Stmt s(db_,
           "INSERT INTO observations(host_id, detector, first_seen, last_seen, runs, events) "
           "VALUES(?1, ?2, ?3, ?4, 1, ?5) ON CONFLICT(host_id, detector) DO UPDATE SET "
           "first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen), "
           "runs = runs + 1, events = events + excluded.events");
    for (const auto& [detector, list] : ctx.observations()) {
      for (const auto& o : list) {
        s.reset();
        s.bind(1, host_ids[o.host]).bind(2, detector).bind(3, o.first.us).bind(4, o.last.us).bind(5, o.events);
        if (s.step() != SQLITE_DONE) return s.error("cannot record observations");
      }
    }
  }

  // Baselines of inside hosts: usual peers and ports.
  {
    Stmt s(db_,
           "INSERT INTO baseline(host_id, kind, key, runs, events, last_seen) VALUES(?1, ?2, ?3, 1, ?4, ?5) "
           "ON CONFLICT(host_id, kind, key) DO UPDATE SET runs = runs + 1, events = events + excluded.events, "
           "last_seen = max(last_seen, excluded.last_seen)");
    Stmt rows(db_, "SELECT count(*) FROM baseline WHERE host_id = ?1 AND kind = ?2");
    Stmt trim(db_,
              "DELETE FROM baseline WHERE host_id = ?1 AND kind = ?2 AND key NOT IN (SELECT key FROM baseline "
              "WHERE host_id = ?1 AND kind = ?2 ORDER BY runs DESC, events DESC, last_seen DESC, key LIMIT ?3)");
    for (const auto& [a, b] : r.baseline.sorted()) {
      auto id = host_ids.find(a);
      if (id == host_ids.end()) continue;
      const auto last = hosts.count(a) != 0 ? hosts[a].last : Timestamp{};
      for (const auto& [kind, list] : {std::pair{"peer", &b.peers}, std::pair{"port", &b.ports}}) {
        for (const auto& e : *list) {
          s.reset();
          s.bind(1, id->second).bind(2, std::string_view(kind)).bind(3, e.key).bind(4, e.events).bind(5, last.us);
          if (s.step() != SQLITE_DONE) return s.error("cannot record baselines");
        }
        // The sorting DELETE only when the rows are over the cap (a counted index range).
        rows.reset();
        rows.bind(1, id->second).bind(2, std::string_view(kind));
        if (rows.step() != SQLITE_ROW) return rows.error("cannot count baselines");
        if (rows.count(0) <= limits_.max_baseline_per_host) continue;
        trim.reset();
        trim.bind(1, id->second).bind(2, std::string_view(kind));
        trim.bind(3, static_cast<std::uint64_t>(limits_.max_baseline_per_host));
        if (trim.step() != SQLITE_DONE) return trim.error("cannot trim baselines");
      }
    }
  }

  // Per-host caps on names and findings, for the hosts touched.
  {
    Stmt names(db_,
               "DELETE FROM names WHERE host_id = ?1 AND rowid NOT IN (SELECT rowid FROM names WHERE host_id = ?1 "
               "ORDER BY last_seen DESC, name LIMIT ?2)");
    Stmt finds(db_,
               "DELETE FROM findings WHERE host_id = ?1 AND detector NOT IN (SELECT detector FROM findings "
               "WHERE host_id = ?1 ORDER BY last_run DESC, last_seen DESC, detector LIMIT ?2)");
    // Only hosts whose rows may have grown this run: every run trims the hosts it adds rows
    // to, so the others are within the caps already.
    for (const auto id : named_hosts) {
      names.reset();
      names.bind(1, id).bind(2, static_cast<std::uint64_t>(limits_.max_names_per_host));
      if (names.step() != SQLITE_DONE) return names.error("cannot trim names");
    }
    for (const auto id : new_finding_rows) {
      finds.reset();
      finds.bind(1, id).bind(2, static_cast<std::uint64_t>(limits_.max_findings_per_host));
      if (finds.step() != SQLITE_DONE) return finds.error("cannot trim findings");
    }
  }
  NETSEEN_TRY(enforce_bounds());
  NETSEEN_TRY(tx.commit());
  r.history = std::move(marks);
  return Ok{};
}

Result<void> HistoryDb::enforce_bounds() {
  struct Cap {
    const char* count;
    const char* prune;
    std::size_t max;
  };
  const Cap caps[] = {
      {"SELECT count(*) FROM hosts",
       "DELETE FROM hosts WHERE id IN (SELECT id FROM hosts ORDER BY last_run, last_seen, id LIMIT ?1)",
       limits_.max_hosts},
      {"SELECT count(*) FROM runs", "DELETE FROM runs WHERE id IN (SELECT id FROM runs ORDER BY id LIMIT ?1)",
       limits_.max_runs},
  };
  for (const auto& c : caps) {
    NETSEEN_TRY_ASSIGN(auto n, pragma_int(db_, c.count));
    if (n <= 0 || static_cast<std::uint64_t>(n) <= c.max) continue;
    Stmt s(db_, c.prune);
    s.bind(1, static_cast<std::uint64_t>(n) - c.max);
    if (s.step() != SQLITE_DONE) return s.error("cannot prune");
  }
  // Observations: per detector, the most recent kept.
  Stmt detectors(db_, "SELECT detector, count(*) FROM observations GROUP BY detector");
  std::vector<std::pair<std::string, std::uint64_t>> over;
  while (detectors.step() == SQLITE_ROW) {
    auto d = detectors.text(0);
    if (d && detectors.count(1) > limits_.max_observations) over.emplace_back(*d, detectors.count(1));
  }
  for (const auto& [d, n] : over) {
    Stmt s(db_,
           "DELETE FROM observations WHERE rowid IN (SELECT rowid FROM observations WHERE detector = ?1 "
           "ORDER BY last_seen, rowid LIMIT ?2)");
    s.bind(1, d).bind(2, n - limits_.max_observations);
    if (s.step() != SQLITE_DONE) return s.error("cannot prune observations");
  }
  return Ok{};
}

namespace {

// Reads hosts rows (id, address, inside, first_seen, last_seen, runs); bad rows are skipped.
bool read_host_row(const Stmt& s, HostRecord& h) {
  auto addr = s.text(1);
  if (!addr || !s.is_int(3) || !s.is_int(4)) return false;
  auto a = IpAddress::parse(*addr);
  if (!a) return false;
  h.address = *a;
  h.inside = s.i64(2) != 0;
  h.first_seen = ts(s, 3);
  h.last_seen = ts(s, 4);
  h.runs = s.count(5);
  return true;
}

Result<void> read_names(sqlite3* db, std::int64_t host_id, HostRecord& h, std::uint64_t& bad) {
  Stmt s(db, "SELECT name, grp, first_seen, last_seen FROM names WHERE host_id = ?1 ORDER BY name, grp LIMIT 64");
  s.bind(1, host_id);
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    auto n = s.text(0);
    if (!n || n->size() > 64) {
      ++bad;
      continue;
    }
    h.names.push_back({*n, s.i64(1) != 0, ts(s, 2), ts(s, 3)});
  }
  if (rc != SQLITE_DONE) return s.error("cannot read names");
  return Ok{};
}

Result<void> read_findings(sqlite3* db, std::int64_t host_id, HostRecord& h, std::uint64_t& bad) {
  Stmt s(db,
         "SELECT detector, severity, max_severity, first_seen, last_seen, runs, events, max_targets FROM findings "
         "WHERE host_id = ?1 ORDER BY max_severity DESC, detector LIMIT 128");
  s.bind(1, host_id);
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    auto d = s.text(0);
    if (!d || !valid_detector(*d)) {
      ++bad;
      continue;
    }
    FindingRecord f;
    f.detector = *d;
    f.severity = severity_from(s.i64(1));
    f.max_severity = severity_from(s.i64(2));
    f.first_seen = ts(s, 3);
    f.last_seen = ts(s, 4);
    f.runs = s.count(5);
    f.events = s.count(6);
    f.max_targets = s.count(7);
    h.findings.push_back(std::move(f));
  }
  if (rc != SQLITE_DONE) return s.error("cannot read findings");
  return Ok{};
}

}  // namespace

Result<HistoryListing> HistoryDb::list() {
  HistoryListing out;
  NETSEEN_TRY_ASSIGN(auto runs, pragma_int(db_, "SELECT count(*) FROM runs"));
  out.runs_total = runs < 0 ? 0 : static_cast<std::uint64_t>(runs);
  {
    Stmt s(db_, "SELECT id, at, first_ts, last_ts, inputs, findings, hosts FROM runs ORDER BY id DESC LIMIT 10");
    while (s.step() == SQLITE_ROW) {
      RunRecord r;
      r.id = s.i64(0);
      r.at = ts(s, 1);
      if (s.is_int(2)) r.first_ts = ts(s, 2);
      if (s.is_int(3)) r.last_ts = ts(s, 3);
      auto in = s.text(4);
      if (!in) {
        ++out.bad_rows;
        continue;
      }
      r.inputs = *in;
      r.findings = s.count(5);
      r.hosts = s.count(6);
      out.recent_runs.push_back(std::move(r));
    }
  }
  NETSEEN_TRY_ASSIGN(auto nh, pragma_int(db_, "SELECT count(*) FROM hosts"));
  out.hosts_total = nh < 0 ? 0 : static_cast<std::uint64_t>(nh);
  Stmt s(db_, "SELECT id, address, inside, first_seen, last_seen, runs FROM hosts LIMIT ?1");
  s.bind(1, static_cast<std::uint64_t>(kMaxListedHosts));
  int rc = 0;
  std::vector<std::pair<std::int64_t, HostRecord>> rows;
  while ((rc = s.step()) == SQLITE_ROW) {
    HostRecord h;
    if (!read_host_row(s, h)) {
      ++out.bad_rows;
      continue;
    }
    rows.emplace_back(s.i64(0), std::move(h));
  }
  if (rc != SQLITE_DONE) return s.error("cannot read hosts");
  for (auto& [id, h] : rows) {
    NETSEEN_TRY(read_names(db_, id, h, out.bad_rows));
    NETSEEN_TRY(read_findings(db_, id, h, out.bad_rows));
    out.hosts.push_back(std::move(h));
  }
  std::sort(out.hosts.begin(), out.hosts.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
  return out;
}

Result<std::optional<HostRecord>> HistoryDb::host(const IpAddress& address) {
  Stmt s(db_, "SELECT id, address, inside, first_seen, last_seen, runs FROM hosts WHERE address = ?1");
  s.bind(1, address.to_string());
  const int rc = s.step();
  if (rc == SQLITE_DONE) return std::optional<HostRecord>{};
  if (rc != SQLITE_ROW) return s.error("cannot read hosts");
  HostRecord h;
  if (!read_host_row(s, h)) return fail(ErrorKind::Malformed, kLayer, 0, "the host's row is damaged");
  const auto id = s.i64(0);
  std::uint64_t bad = 0;
  NETSEEN_TRY(read_names(db_, id, h, bad));
  NETSEEN_TRY(read_findings(db_, id, h, bad));
  {
    Stmt o(db_,
           "SELECT detector, first_seen, last_seen, runs, events FROM observations WHERE host_id = ?1 "
           "ORDER BY detector LIMIT 64");
    o.bind(1, id);
    while (o.step() == SQLITE_ROW) {
      auto d = o.text(0);
      if (!d || !valid_detector(*d)) continue;
      h.behaviours.push_back({*d, ts(o, 1), ts(o, 2), o.count(3), o.count(4)});
    }
  }
  {
    Stmt b(db_,
           "SELECT kind, key, runs, events, last_seen FROM baseline WHERE host_id = ?1 "
           "ORDER BY kind, runs DESC, events DESC, key LIMIT 256");
    b.bind(1, id);
    while (b.step() == SQLITE_ROW) {
      auto kind = b.text(0);
      auto key = b.text(1);
      if (!kind || !key || key->size() > 64) continue;
      BaselineRecord rec{*key, b.count(2), b.count(3), ts(b, 4)};
      if (*kind == "peer" && h.peers.size() < limits_.max_baseline_per_host) h.peers.push_back(std::move(rec));
      if (*kind == "port" && h.ports.size() < limits_.max_baseline_per_host) h.ports.push_back(std::move(rec));
    }
  }
  return std::optional<HostRecord>{std::move(h)};
}

Result<bool> HistoryDb::forget(const IpAddress& address) {
  Transaction tx(db_);
  NETSEEN_TRY(tx.begin());
  Stmt s(db_, "DELETE FROM hosts WHERE address = ?1");
  s.bind(1, address.to_string());
  if (s.step() != SQLITE_DONE) return s.error("cannot forget the host");
  const bool gone = sqlite3_changes(db_) > 0;
  NETSEEN_TRY(tx.commit());
  return gone;
}

Result<std::uint64_t> HistoryDb::prune_before(Timestamp t) {
  Transaction tx(db_);
  NETSEEN_TRY(tx.begin());
  Stmt s(db_, "DELETE FROM hosts WHERE last_seen < ?1");
  s.bind(1, t.us);
  if (s.step() != SQLITE_DONE) return s.error("cannot prune");
  const auto n = static_cast<std::uint64_t>(std::max(0, sqlite3_changes(db_)));
  Stmt runs(db_, "DELETE FROM runs WHERE coalesce(last_ts, at) < ?1");
  runs.bind(1, t.us);
  if (runs.step() != SQLITE_DONE) return runs.error("cannot prune runs");
  NETSEEN_TRY(tx.commit());
  return n;
}

Result<std::string> default_history_path() {
  namespace fs = std::filesystem;
  const char* xdg = std::getenv("XDG_DATA_HOME");
  // The XDG base directory spec: a relative value is invalid and ignored.
  if (xdg != nullptr && xdg[0] == '/') return (fs::path(xdg) / "netseen" / "history.db").string();
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') {
    return (fs::path(home) / ".local" / "share" / "netseen" / "history.db").string();
  }
  return fail(ErrorKind::Io, kLayer, 0, "neither XDG_DATA_HOME nor HOME is set; give --db PATH or --no-db");
}

Result<void> ensure_history_dir(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) return Ok{};
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Ok{};
  // Create parents one by one so the folders netseen makes are private (0700).
  fs::path cur;
  for (const auto& part : dir) {
    cur /= part;
    if (fs::is_directory(cur, ec)) continue;
    if (::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) {
      return fail(ErrorKind::Io, kLayer, 0, fmt::format("cannot create {}: {}", cur.string(), std::strerror(errno)));
    }
  }
  return Ok{};
}

}  // namespace netseen::report
