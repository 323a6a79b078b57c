// Helpers for the log-parser tests: run a text through make_log_source and keep everything.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ingest/input_buffer.hpp"
#include "ingest/log_source.hpp"

namespace netseen::ingest::testing {

struct LogRun {
  std::vector<decode::Event> events;
  InputStats stats;
};

inline LogRun run_log(std::string_view text, OpenOptions options = {}) {
  if (options.year == 0) options.year = 2024;
  std::vector<std::uint8_t> bytes(text.begin(), text.end());
  auto src = make_log_source(buffer_from_bytes(std::move(bytes)), "test.log", options);
  LogRun run;
  decode::Event ev;
  while (src->next(ev)) run.events.push_back(ev);
  run.stats = src->stats();
  return run;
}

// One line that must parse into exactly one event.
inline decode::Event one_event(std::string_view line, OpenOptions options = {}) {
  LogRun r = run_log(line, options);
  if (r.events.size() != 1) {
    std::string why = "expected one event, got " + std::to_string(r.events.size());
    for (const auto& e : r.stats.errors) why += "; " + e.where + ": " + e.what;
    for (const auto& [k, v] : r.stats.skipped_by_reason) why += "; skipped: " + k;
    ADD_FAILURE() << why << "\n  line: " << line;
    return {};
  }
  return r.events.front();
}

inline IpAddress ip(std::string_view s) { return *IpAddress::parse(s); }

}  // namespace netseen::ingest::testing
