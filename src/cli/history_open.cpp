#include "cli/history_open.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

namespace netseen::cli {

std::optional<report::HistoryDb> open_history(const char* command, const HistoryChoice& choice, bool default_allowed,
                                              bool quiet) {
  if (choice.no_db) return std::nullopt;
  std::string path = choice.db;
  if (path.empty()) {
    const char* env = std::getenv("NETSEEN_DB");
    if (env != nullptr && std::string(env) == "off") return std::nullopt;
    if (env != nullptr && env[0] != '\0') path = env;
  }
  if (path.empty()) {
    if (!default_allowed) return std::nullopt;
    auto p = report::default_history_path();
    if (!p) {
      fmt::print(stderr, "netseen {}: history off for this run: {}\n", command, p.error().detail);
      return std::nullopt;
    }
    path = *p;
  }
  if (auto dir = report::ensure_history_dir(path); !dir) {
    fmt::print(stderr, "netseen {}: history off for this run: {}\n", command, dir.error().detail);
    return std::nullopt;
  }
  auto db = report::HistoryDb::open(path);
  if (!db) {
    fmt::print(stderr, "netseen {}: history off for this run: {}\n", command, db.error().detail);
    return std::nullopt;
  }
  if (!db->set_aside().empty()) {
    // Never silent, even with --quiet: remembered data was lost from view.
    fmt::print(stderr,
               "netseen {}: warning: the history database {} was damaged ({}); it was moved to {} and a new one "
               "was started\n",
               command, path, db->set_aside_reason(), db->set_aside());
  }
  if (db->migrated_from() != 0 && !quiet) {
    fmt::print(stderr, "netseen {}: history database {} upgraded from schema {} to {}\n", command, path,
               db->migrated_from(), report::HistoryDb::kSchemaVersion);
  }
  return std::move(*db);
}

}  // namespace netseen::cli
