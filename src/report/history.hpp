// Memory across runs: an embedded SQLite database that keeps, per host, when it was first
// and last seen, the NetBIOS names it was learned under, every finding with its time span
// and run count, the per-host behaviour detectors track across runs (spread.internal), and
// simple baselines (usual peers and ports). `analyze` compares each run with it to mark
// findings new / grown / known, then records the run. docs/history.md has the schema, the
// migration policy, the bounds and how a corrupt file is handled.
//
// Every statement is prepared with bound parameters; nothing read back from the file is
// trusted (lengths capped, addresses re-parsed, counts clamped, bad rows skipped).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ip_address.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "detect/finding.hpp"
#include "report/pipeline.hpp"

struct sqlite3;

namespace netseen::report {

// Caps that keep the database small whatever it is fed (docs/history.md).
struct HistoryLimits {
  std::size_t max_hosts = 50'000;          // least recently seen hosts are pruned first
  std::size_t max_names_per_host = 32;     // most recently seen kept
  std::size_t max_findings_per_host = 64;  // most recently seen kept
  std::size_t max_baseline_per_host = 32;  // peers and ports each: most runs, then events
  std::size_t max_observations = 100'000;  // per detector, most recent kept
  std::size_t max_runs = 1'000;            // run log, newest kept
  int busy_timeout_ms = 30'000;            // how long a writer waits for another
};

struct NameRecord {
  std::string name;
  bool group = false;
  Timestamp first_seen, last_seen;
};

struct FindingRecord {
  std::string detector;
  detect::Severity severity = detect::Severity::Info;      // the latest run's
  detect::Severity max_severity = detect::Severity::Info;  // the highest ever
  Timestamp first_seen, last_seen;
  std::uint64_t runs = 0, events = 0, max_targets = 0;
};

struct BaselineRecord {
  std::string key;  // peer address or "445/tcp"
  std::uint64_t runs = 0, events = 0;
  Timestamp last_seen;
};

struct ObservationRecord {
  std::string detector;
  Timestamp first_seen, last_seen;
  std::uint64_t runs = 0, events = 0;
};

struct HostRecord {
  IpAddress address;
  bool inside = false;
  Timestamp first_seen, last_seen;
  std::uint64_t runs = 0;
  std::vector<NameRecord> names;
  std::vector<FindingRecord> findings;
  // Filled only for a detailed listing of one host:
  std::vector<ObservationRecord> behaviours;
  std::vector<BaselineRecord> peers, ports;
};

struct RunRecord {
  std::int64_t id = 0;
  Timestamp at;  // wall clock, when the run was recorded
  std::optional<Timestamp> first_ts, last_ts;  // the data's own time span
  std::string inputs;
  std::uint64_t findings = 0, hosts = 0;
};

struct HistoryListing {
  std::uint64_t runs_total = 0;
  std::vector<RunRecord> recent_runs;  // newest first, at most 10
  std::uint64_t hosts_total = 0;
  std::vector<HostRecord> hosts;       // by address
  std::uint64_t bad_rows = 0;          // rows that failed validation and were skipped
};

class HistoryDb {
 public:
  static constexpr int kSchemaVersion = 2;
  static constexpr std::int32_t kApplicationId = 0x4E534844;  // "NSHD"

  // Opens (creating when absent, migrating older schemas) the database at `path`. A file
  // that is not a database, or fails PRAGMA quick_check, is renamed aside to
  // `<path>.corrupt-<UTC time>` and a fresh one created; set_aside() then names it.
  // Fails (and changes nothing) for a schema newer than this build, or a SQLite file that
  // is not a netseen history.
  static Result<HistoryDb> open(const std::string& path, const HistoryLimits& limits = {});

  HistoryDb(HistoryDb&& other) noexcept;
  HistoryDb& operator=(HistoryDb&& other) noexcept;
  HistoryDb(const HistoryDb&) = delete;
  HistoryDb& operator=(const HistoryDb&) = delete;
  ~HistoryDb();

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const std::string& set_aside() const noexcept { return set_aside_; }
  [[nodiscard]] const std::string& set_aside_reason() const noexcept { return set_aside_reason_; }
  [[nodiscard]] int migrated_from() const noexcept { return migrated_from_; }  // 0: none
  [[nodiscard]] bool created() const noexcept { return created_; }

  // What earlier runs remembered per detector (the detectors' Observations).
  Result<std::map<std::string, std::vector<detect::Observation>>> prior_observations();

  // In one write transaction: compares the analysis with what is remembered, fills
  // result.history (marks parallel to the engine's findings), and records the run.
  // `now` is the wall-clock time written to the run log.
  Result<void> compare_and_record(AnalysisResult& result, Timestamp now, const std::string& inputs_label);

  // For `netseen history`: every host (summary), or one host with its full detail.
  Result<HistoryListing> list();
  Result<std::optional<HostRecord>> host(const IpAddress& address);
  // Forgets one host (and everything about it); false when it was not remembered.
  Result<bool> forget(const IpAddress& address);
  // Forgets hosts last seen before `t`; returns how many.
  Result<std::uint64_t> prune_before(Timestamp t);

 private:
  HistoryDb(sqlite3* db, std::string path, const HistoryLimits& limits);
  Result<void> prepare_schema();
  Result<void> enforce_bounds();

  sqlite3* db_ = nullptr;
  std::string path_;
  HistoryLimits limits_;
  std::string set_aside_;
  std::string set_aside_reason_;
  int migrated_from_ = 0;
  bool created_ = false;
};

// The default location: $XDG_DATA_HOME/netseen/history.db, else
// $HOME/.local/share/netseen/history.db. Io error when neither variable is usable.
Result<std::string> default_history_path();
// Creates the folder that will hold `path` (mode 0700 for folders it creates).
Result<void> ensure_history_dir(const std::string& path);

}  // namespace netseen::report
