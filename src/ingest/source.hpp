// EventSource: one opened input (capture file, firewall log, live interface) that yields
// Events one at a time, and the counts that make "nothing is lost silently" true.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"
#include "decode/frame.hpp"

namespace netseen::ingest {

// One problem found in an input, with where it was found.
struct InputError {
  std::string where;  // "frame 17", "line 9", "offset 4096"
  std::string what;
};

struct InputStats {
  std::string path;    // as the user gave it ("-" for stdin)
  std::string format;  // "pcap", "pcapng", "netfilter", "ipchains", "pfirewall", "cisco-asa", …
  std::uint64_t records = 0;  // frames or lines read
  std::uint64_t decoded = 0;  // turned into events
  std::uint64_t skipped = 0;  // read but not firewall records / not decodable, with reasons below
  std::map<std::string, std::uint64_t> skipped_by_reason;
  std::uint64_t error_count = 0;         // all errors, including those not kept
  std::vector<InputError> errors;        // the first limits::kMaxErrorsKeptPerInput
  // Events the logging firewall reports it dropped from its own log (INFO-EVENTS-LOST): not
  // in the input at all, so not counted as records.
  std::uint64_t events_not_logged = 0;
  std::uint64_t bytes_total = 0;         // size of the input when known (progress)
  std::uint64_t bytes_read = 0;
  bool have_ts = false;
  Timestamp first_ts, last_ts;
  // Live capture only (format "live"): the kernel's counts from pcap_stats — packets that
  // passed the filter, dropped because the ring was full, dropped by the interface.
  bool live = false;
  std::uint64_t kernel_received = 0, kernel_dropped = 0, interface_dropped = 0;

  void add_error(std::string where, std::string what);
  void add_skip(const std::string& reason);
  void saw_time(Timestamp t) noexcept;
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  EventSource() = default;
  EventSource(const EventSource&) = delete;
  EventSource& operator=(const EventSource&) = delete;

  // Fills `out` with the next event and returns true; false at the end of input.
  // Records that yield no event are counted in stats() and skipped internally.
  virtual bool next(decode::Event& out) = 0;
  [[nodiscard]] virtual const InputStats& stats() const = 0;
  // True when replay() gives a second reader: captures, read again from their file (or from
  // memory for stdin). Logs are parsed once (parsing is most of their cost); a live capture is
  // gone once read.
  [[nodiscard]] virtual bool replayable() const { return false; }
  // A second, independent reader of the same input from its start, decoding captured frames
  // as `decode` says, over the bytes this source already holds (no second copy): what the
  // threaded analyzer's side groups read. It yields the events this source yields (decoded
  // to the given depth); its counts are its own. Null unless replayable().
  [[nodiscard]] virtual std::unique_ptr<EventSource> replay(const decode::DecodeOptions& /*decode*/) const {
    return nullptr;
  }
};

struct OpenOptions {
  std::uint32_t input_index = 0;  // stored in Event::origin.input
  std::string force_format;       // --log-format / empty = detect from content
  int year = 0;                   // --year for syslog stamps without one (0 = from file mtime)
  std::string tz;                 // --tz for local-time logs (empty = UTC)
  std::int64_t mtime_s = 0;       // the file's modification time (year of year-less log stamps); 0 = unknown
  decode::DecodeOptions decode;   // how deep captured frames are decoded (logs ignore it)
  std::size_t read_piece = 0;     // bytes per read() of a regular capture file; 0 = ByteWindow's default
};

// Opens a path ("-" = stdin), recognises the format from its content (never its name),
// and returns a source. ErrorKind::Io when it cannot be read at all (exit code 3).
Result<std::unique_ptr<EventSource>> open_input(const std::string& path, const OpenOptions& options);

}  // namespace netseen::ingest
