// The firewall-log EventSource: line reader → syslog wrapper → dialect (chosen per file from
// its first lines, with a per-line fallback for mixed syslog files) → Event.
#include "ingest/log_source.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "ingest/line_reader.hpp"
#include "ingest/log_common.hpp"

namespace netseen::ingest {

namespace {

using logs::Dialect;
using logs::LineResult;
using logs::LogLine;

constexpr std::size_t kDetectLines = 200;  // lines looked at to recognise a file's dialect
// Streams are read in pieces of this size (a piece always ends at a line end when one is in it).
constexpr std::size_t kStreamChunk = std::size_t{1} << 20;

// Where a piece of a stream may end: after its last LF; without one, after its last CR that
// is not the final byte (a CRLF may be split there); 0 when there is no usable line end.
std::size_t last_line_end(const std::vector<std::uint8_t>& b, std::size_t n) noexcept {
  for (std::size_t i = n; i > 0; --i) {
    if (b[i - 1] == '\n') return i;
  }
  for (std::size_t i = n - (n > 0 ? 1 : 0); i > 0; --i) {
    if (b[i - 1] == '\r') return i;
  }
  return 0;
}

bool is_blank_line(std::string_view s) noexcept {
  for (const char c : s) {
    if (c != ' ' && c != '\t') return false;
  }
  return true;
}

class LogSource final : public EventSource {
 public:
  LogSource(std::shared_ptr<const InputBuffer> buffer, std::string path, const OpenOptions& options)
      : buffer_(std::move(buffer)), reader_(buffer_->bytes()), input_(options.input_index) {
    stats_.bytes_total = buffer_->bytes().size();
    init(std::move(path), options, buffer_->bytes());
  }

  LogSource(int fd, bool owns_fd, std::vector<std::uint8_t> head, std::string path, const OpenOptions& options)
      : reader_(Bytes{}), input_(options.input_index), fd_(fd), owns_fd_(owns_fd), chunk_(std::move(head)) {
    filled_ = chunk_.size();
    chunk_.resize(std::max(kStreamChunk, filled_));
    refill();
    init(std::move(path), options, Bytes(chunk_.data(), filled_));
  }

  ~LogSource() override {
    if (owns_fd_ && fd_ >= 0) ::close(fd_);
  }
  LogSource(const LogSource&) = delete;
  LogSource& operator=(const LogSource&) = delete;

  void init(std::string path, const OpenOptions& options, Bytes detect_on) {
    stats_.path = std::move(path);
    auto tz = logs::TimeZone::parse(options.tz);
    if (!tz) {
      stats_.add_error("options", fmt::format("unknown time zone '{}' (use UTC, +hh:mm or an IANA name); using UTC",
                                              options.tz));
    }
    ctx_.time = &time_;
    time_ = logs::TimeContext(options.year, options.mtime_s, tz ? *tz : logs::TimeZone{});
    dialects_ = logs::make_all_dialects();
    if (!options.force_format.empty()) {
      forced_ = true;
      for (std::size_t i = 0; i < dialects_.size(); ++i) {
        if (logs::iequals(dialects_[i]->name(), options.force_format)) primary_ = i;
      }
      if (primary_ == kNone) {
        stats_.format = options.force_format;
        std::string known;
        for (auto n : logs::dialect_names()) known += fmt::format("{}{}", known.empty() ? "" : ", ", n);
        stats_.add_error("options", fmt::format("unknown log format '{}' (known: {})", options.force_format, known));
        done_ = true;
        return;
      }
    } else {
      detect(detect_on);
    }
    stats_.format = primary_ != kNone ? std::string(dialects_[primary_]->name()) : std::string("log");
  }

  bool next(decode::Event& out) override {
    if (done_) return false;
    Line line;
    while (next_line(line)) {
      ++stats_.records;
      stats_.bytes_read = base_ + reader_.position();
      if (line.cut) {
        stats_.add_error(fmt::format("line {}", line.number),
                         fmt::format("longer than {} bytes; not parsed", limits::kMaxLogLineBytes));
        continue;
      }
      std::string_view text = line.text;
      if (is_blank_line(text)) {
        stats_.add_skip("empty line");
        continue;
      }
      // journalctl -o export: one FIELD=value per line, entries separated by blank lines.
      if (journal_export_) {
        if (logs::starts_with(text, "__REALTIME_TIMESTAMP=")) {
          std::uint64_t us = 0;
          if (logs::parse_uint(text.substr(21), ~std::uint64_t{0} >> 1, us)) journal_ts_ = static_cast<std::int64_t>(us);
          stats_.add_skip("journal field");
          continue;
        }
        if (!logs::starts_with(text, "MESSAGE=")) {
          stats_.add_skip("journal field");
          continue;
        }
        text.remove_prefix(8);
      }
      logs::reset_event(out);
      LogLine ll;
      ll.text = text;
      ll.number = line.number;
      logs::parse_syslog(text, ll.hdr);
      out.origin.input = input_;
      out.origin.number = line.number;
      out.origin.is_line = true;
      if (ll.hdr.has_stamp) {
        auto ts = time_.resolve(ll.hdr.stamp);
        if (!ts) {
          stats_.add_error(fmt::format("line {}", line.number), "impossible date in the syslog stamp");
          continue;
        }
        out.ts = *ts;
      } else if (journal_export_ && journal_ts_ != 0) {
        out.ts = Timestamp{journal_ts_};
      }
      ctx_.reason.clear();
      LineResult r = LineResult::NotMine;
      std::size_t used = kNone;
      if (primary_ != kNone) {
        r = dialects_[primary_]->parse(ll, out, ctx_);
        used = primary_;
      }
      if (r == LineResult::NotMine && !forced_) {
        for (std::size_t i = 0; i < dialects_.size(); ++i) {
          if (i == primary_ || !dialects_[i]->claims(ll)) continue;
          ctx_.reason.clear();
          r = dialects_[i]->parse(ll, out, ctx_);
          used = i;
          if (r != LineResult::NotMine) break;
        }
      }
      stats_.events_not_logged = ctx_.events_not_logged;
      switch (r) {
        case LineResult::Parsed:
          ++stats_.decoded;
          if (out.ts.us != 0) stats_.saw_time(out.ts);
          return true;
        case LineResult::Skipped:
          stats_.add_skip(ctx_.reason.empty() ? std::string("not a firewall record") : ctx_.reason);
          break;
        case LineResult::Error:
          stats_.add_error(fmt::format("line {}", line.number),
                           fmt::format("{}: {}", dialects_[used]->name(), ctx_.reason));
          break;
        case LineResult::NotMine:
          stats_.add_skip(forced_ ? fmt::format("not a {} record", dialects_[primary_]->name())
                                  : std::string("not a firewall record"));
          break;
      }
    }
    stats_.bytes_read = base_ + reader_.position();
    done_ = true;
    return false;
  }

  [[nodiscard]] const InputStats& stats() const override { return stats_; }
  // A regular file read as a stream: its size, for progress and the summary.
  void set_size(std::uint64_t size) noexcept { stats_.bytes_total = size; }

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};

  bool next_line(Line& line) {
    for (;;) {
      if (reader_.next(line)) return true;
      if (fd_ < 0 || !refill()) return false;
    }
  }

  // Streams: keeps the bytes after the last complete line, reads more, and points the line
  // reader at the complete lines now in the piece. False at the end of the stream.
  bool refill() {
    drop_front(region_);
    region_ = 0;
    reader_.continue_with(Bytes{});  // what it held is dropped: base_ now counts it
    std::size_t end = 0;
    for (;;) {
      read_more();
      if (skip_to_line_end_) {
        // The rest of a line longer than a whole piece: already reported as cut.
        std::size_t i = 0;
        while (i < filled_ && chunk_[i] != '\n' && chunk_[i] != '\r') ++i;
        if (i < filled_ || eof_) skip_to_line_end_ = false;
        drop_front(i);
      }
      if (filled_ == 0) {
        if (eof_) return false;
        continue;
      }
      end = eof_ ? filled_ : last_line_end(chunk_, filled_);
      if (end != 0) break;
      if (filled_ == chunk_.size()) {
        // No line end in a full piece: the line is longer than the cap; hand what there is
        // (the reader cuts and flags it) and drop the rest of the line when it comes.
        end = filled_;
        skip_to_line_end_ = true;
        break;
      }
    }
    region_ = end;
    reader_.continue_with(Bytes(chunk_.data(), end));
    return true;
  }

  void drop_front(std::size_t n) {
    if (n == 0) return;
    std::memmove(chunk_.data(), chunk_.data() + n, filled_ - n);
    filled_ -= n;
    base_ += n;
  }

  // Reads until the piece is at least half full and holds a line end, is full, or the stream ends.
  void read_more() {
    while (!eof_ && filled_ < chunk_.size()) {
      const ssize_t n = ::read(fd_, chunk_.data() + filled_, chunk_.size() - filled_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        stats_.add_error(fmt::format("offset {}", base_ + filled_), fmt::format("read: {}", std::strerror(errno)));
        eof_ = true;
        break;
      }
      if (n == 0) {
        eof_ = true;
        break;
      }
      filled_ += static_cast<std::size_t>(n);
      if (filled_ >= chunk_.size() / 2 && last_line_end(chunk_, filled_) != 0) break;
    }
  }

  void detect(Bytes bytes) {
    LineReader probe(bytes);
    Line line;
    std::vector<std::size_t> votes(dialects_.size(), 0);
    std::size_t seen = 0;
    while (seen < kDetectLines && probe.next(line)) {
      if (line.cut || is_blank_line(line.text)) continue;
      ++seen;
      std::string_view text = line.text;
      if (seen == 1 && (logs::starts_with(text, "__CURSOR=") || logs::starts_with(text, "__REALTIME_TIMESTAMP="))) {
        journal_export_ = true;
      }
      if (journal_export_) {
        if (!logs::starts_with(text, "MESSAGE=")) continue;
        text.remove_prefix(8);
      }
      LogLine ll;
      ll.text = text;
      logs::parse_syslog(text, ll.hdr);
      for (std::size_t i = 0; i < dialects_.size(); ++i) {
        if (dialects_[i]->claims(ll)) {
          ++votes[i];
          break;  // the first (most specific) dialect that claims a line gets its vote
        }
      }
    }
    std::size_t best = 0;
    for (std::size_t i = 0; i < votes.size(); ++i) {
      if (votes[i] > best) {
        best = votes[i];
        primary_ = i;
      }
    }
  }

  std::shared_ptr<const InputBuffer> buffer_;  // null for streams
  LineReader reader_;
  std::uint32_t input_;
  // Streams only.
  int fd_ = -1;
  bool owns_fd_ = false;
  std::vector<std::uint8_t> chunk_;
  std::size_t filled_ = 0;   // bytes of chunk_ holding data
  std::size_t region_ = 0;   // bytes of chunk_ handed to reader_
  std::size_t base_ = 0;     // stream offset of chunk_[0]
  bool eof_ = false;
  bool skip_to_line_end_ = false;
  InputStats stats_;
  logs::TimeContext time_;
  logs::LineContext ctx_;
  std::vector<std::unique_ptr<Dialect>> dialects_;
  std::size_t primary_ = kNone;
  bool forced_ = false;
  bool done_ = false;
  bool journal_export_ = false;
  std::int64_t journal_ts_ = 0;
};

}  // namespace

std::unique_ptr<EventSource> make_log_source(std::shared_ptr<const InputBuffer> buffer, std::string path,
                                             const OpenOptions& options) {
  return std::make_unique<LogSource>(std::move(buffer), std::move(path), options);
}

std::unique_ptr<EventSource> make_stream_log_source(int fd, bool owns_fd, std::vector<std::uint8_t> head,
                                                    std::string path, const OpenOptions& options, std::uint64_t size) {
  auto src = std::make_unique<LogSource>(fd, owns_fd, std::move(head), std::move(path), options);
  src->set_size(size);
  return src;
}

}  // namespace netseen::ingest
