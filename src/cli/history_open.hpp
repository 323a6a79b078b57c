// Which history database a command uses, and opening it with every warning on stderr:
// --no-db, then --db PATH, then $NETSEEN_DB ("off" disables), then the user's data
// directory ($XDG_DATA_HOME/netseen/history.db or ~/.local/share/netseen/history.db).
#pragma once

#include <optional>
#include <string>

#include "report/history.hpp"

namespace netseen::cli {

struct HistoryChoice {
  std::string db;       // --db
  bool no_db = false;   // --no-db
};

// nullopt when history is off for this run (a warning explains why when it is not on
// purpose). `default_allowed` = false: only an explicit --db or $NETSEEN_DB turns it on
// (analyze of the bundled example does not fill the user's database with example hosts).
std::optional<report::HistoryDb> open_history(const char* command, const HistoryChoice& choice, bool default_allowed,
                                              bool quiet);

}  // namespace netseen::cli
