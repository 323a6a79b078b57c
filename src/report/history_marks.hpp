// What the history database says about one analysis (report/history.hpp fills it in, the
// renderers show it). Plain data: no SQLite here.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/ip_address.hpp"
#include "core/time.hpp"

namespace netseen::report {

enum class HistoryStatus : std::uint8_t {
  New,    // this host never had a finding from this detector before
  Grown,  // it had: now more targets, or a higher severity, than ever before
  Known,  // it had, and this is no larger
};
std::string_view to_string(HistoryStatus s) noexcept;

struct FindingHistory {
  HistoryStatus status = HistoryStatus::New;
  Timestamp first_seen;         // earliest time remembered (this finding's own when new)
  std::uint64_t runs = 1;       // runs that raised it, this one included
  std::uint64_t previous_max_targets = 0;
};

struct HostHistory {
  bool is_new = true;           // not in the database before this run
  Timestamp first_seen;         // earliest remembered (or this run's)
  std::uint64_t runs = 1;       // runs that saw it, this one included
};

struct HistoryMarks {
  std::string db_path;
  std::uint64_t run = 0;                      // this run's number in the database
  std::optional<Timestamp> previous_run_at;   // wall-clock time of the run before, if any
  // Set when the database file was unreadable and replaced: where the old one went.
  std::string reset_notice;
  // Parallel to engine->findings().
  std::vector<FindingHistory> findings;
  // Every host the JSON/text reports mention that sent traffic or has a finding.
  std::vector<std::pair<IpAddress, HostHistory>> hosts;  // sorted by address
  std::size_t new_hosts = 0;

  [[nodiscard]] const HostHistory* host(const IpAddress& a) const;
};

}  // namespace netseen::report
