#include "ingest/source.hpp"

#include "core/limits.hpp"

namespace netseen::ingest {

void InputStats::add_error(std::string where, std::string what) {
  ++error_count;
  if (errors.size() < limits::kMaxErrorsKeptPerInput) errors.push_back({std::move(where), std::move(what)});
}

void InputStats::add_skip(const std::string& reason) {
  ++skipped;
  ++skipped_by_reason[reason];
}

void InputStats::saw_time(Timestamp t) noexcept {
  if (!have_ts) {
    first_ts = last_ts = t;
    have_ts = true;
    return;
  }
  if (t < first_ts) first_ts = t;
  if (t > last_ts) last_ts = t;
}

}  // namespace netseen::ingest
