// Fuzzes the firewall-log source with dialect auto-detection: the input is a whole log file.
// Invariants checked: no crash, every event is a numbered line, and every line read is
// counted exactly once as decoded, skipped or an error.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ingest/input_buffer.hpp"
#include "ingest/log_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netseen;
  std::vector<std::uint8_t> bytes;
  if (size != 0) bytes.assign(data, data + size);
  ingest::OpenOptions o;
  o.year = 2024;
  o.tz = "+01:00";
  auto src = ingest::make_log_source(ingest::buffer_from_bytes(std::move(bytes)), "fuzz", o);
  decode::Event ev;
  std::uint64_t last = 0;
  while (src->next(ev)) {
    if (!ev.origin.is_line || ev.origin.number <= last) __builtin_trap();
    last = ev.origin.number;
  }
  const auto& s = src->stats();
  if (s.decoded + s.skipped + s.error_count != s.records) __builtin_trap();
  return 0;
}
