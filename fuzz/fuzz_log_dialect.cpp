// Fuzzes one log dialect at a time (forced, as with --log-format). The input's first line
// names the dialect ("netfilter\n…", so seeds stay valid when dialects are added); if it is
// not a known name, the first byte chooses one and the rest is the log text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/input_buffer.hpp"
#include "ingest/log_common.hpp"
#include "ingest/log_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netseen;
  if (size == 0) return 0;
  static const auto names = ingest::logs::dialect_names();
  ingest::OpenOptions o;
  o.year = 2024;
  std::size_t skip = 1;
  o.force_format = std::string(names[data[0] % names.size()]);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto nl = text.find('\n'); nl != std::string_view::npos && nl < 32) {
    for (auto n : names) {
      if (text.substr(0, nl) == n) {
        o.force_format = std::string(n);
        skip = nl + 1;
      }
    }
  }
  std::vector<std::uint8_t> bytes(data + skip, data + size);
  auto src = ingest::make_log_source(ingest::buffer_from_bytes(std::move(bytes)), "fuzz", o);
  decode::Event ev;
  while (src->next(ev)) {
    if (!ev.origin.is_line) __builtin_trap();
  }
  const auto& s = src->stats();
  if (s.decoded + s.skipped + s.error_count != s.records) __builtin_trap();
  return 0;
}
