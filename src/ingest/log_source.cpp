// The firewall-log EventSource: line reader → syslog wrapper → dialect (chosen per file from
// its first lines, with a per-line fallback for mixed syslog files) → Event.
#include "ingest/log_source.hpp"

#include <fmt/format.h>

#include <array>

#include "ingest/line_reader.hpp"
#include "ingest/log_common.hpp"

namespace netseen::ingest {

namespace {

using logs::Dialect;
using logs::LineResult;
using logs::LogLine;

constexpr std::size_t kDetectLines = 200;  // lines looked at to recognise a file's dialect

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
    stats_.path = std::move(path);
    stats_.bytes_total = buffer_->bytes().size();
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
      detect();
    }
    stats_.format = primary_ != kNone ? std::string(dialects_[primary_]->name()) : std::string("log");
  }

  bool next(decode::Event& out) override {
    if (done_) return false;
    Line line;
    while (reader_.next(line)) {
      ++stats_.records;
      stats_.bytes_read = reader_.position();
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
    stats_.bytes_read = reader_.position();
    done_ = true;
    return false;
  }

  [[nodiscard]] const InputStats& stats() const override { return stats_; }

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};

  void detect() {
    LineReader probe(buffer_->bytes());
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

  std::shared_ptr<const InputBuffer> buffer_;
  LineReader reader_;
  std::uint32_t input_;
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

}  // namespace netseen::ingest
