#include "ingest/capture_source.hpp"

#include <fmt/format.h>

#include <optional>

#include "decode/frame.hpp"
#include "ingest/pcap.hpp"

namespace netseen::ingest {

bool looks_like_capture(Bytes head) noexcept {
  if (head.size() < 4) return false;
  const std::uint32_t be = (std::uint32_t{head[0]} << 24) | (std::uint32_t{head[1]} << 16) |
                           (std::uint32_t{head[2]} << 8) | head[3];
  switch (be) {
    case 0xA1B2C3D4:  // pcap, µs, big-endian writer
    case 0xD4C3B2A1:  // pcap, µs, little-endian writer
    case 0xA1B23C4D:  // pcap, ns, big-endian
    case 0x4D3CB2A1:  // pcap, ns, little-endian
    case 0x0A0D0D0A:  // pcapng section header block
      return true;
    default:
      return false;
  }
}

namespace {

// One capture file: records from the pcap or pcapng reader, each decoded into the
// caller's Event (reused: no allocation per packet on the common path). A regular file is
// read through a window of read() pieces (byte_window.hpp); other inputs are in memory.
class CaptureSource final : public EventSource {
 public:
  CaptureSource(std::shared_ptr<const InputBuffer> buffer, std::shared_ptr<const FileHandle> file, std::string path,
                const OpenOptions& options, const decode::DecodeOptions& decode)
      : buffer_(std::move(buffer)),
        file_(std::move(file)),
        input_(options.input_index),
        piece_(options.read_piece),
        decode_(decode) {
    stats_.path = std::move(path);
    ByteWindow window = file_ ? ByteWindow(file_, piece_) : ByteWindow(buffer_->bytes());
    stats_.bytes_total = window.size();
    const Bytes magic = window.at(0, 4);
    if (magic.size() == 4 && magic[0] == 0x0A && magic[1] == 0x0D && magic[2] == 0x0D && magic[3] == 0x0A) {
      stats_.format = "pcapng";
      auto r = PcapngReader::open(std::move(window));
      if (r) pcapng_.emplace(std::move(*r));
      else stats_.add_error("offset 0", r.error().message());
    } else {
      stats_.format = "pcap";
      auto r = PcapReader::open(std::move(window));
      if (r) pcap_.emplace(std::move(*r));
      else stats_.add_error("offset 0", r.error().message());
    }
  }

  bool next(decode::Event& out) override {
    CaptureRecord rec;
    for (;;) {
      bool got = false;
      if (pcap_) {
        got = pcap_->next(rec, stats_);
        stats_.bytes_read = pcap_->position();
      } else if (pcapng_) {
        got = pcapng_->next(rec, stats_);
        stats_.bytes_read = pcapng_->position();
      }
      if (!got) return false;
      ++stats_.records;
      decode::reset_event(out, spare_);  // keeps the summaries' buffers for this decode
      out.origin.input = input_;
      out.origin.number = rec.frame;
      out.ts = rec.ts;
      const char* skip = decode::decode_frame(rec.linktype, rec.data, rec.wire_len, decode_, out, spare_);
      if (skip != nullptr) {
        stats_.add_skip(skip);
        continue;
      }
      ++stats_.decoded;
      stats_.saw_time(rec.ts);
      return true;
    }
  }

  [[nodiscard]] const InputStats& stats() const override { return stats_; }

  [[nodiscard]] bool replayable() const override { return true; }
  // Another reader of the same input with a window of its own (no state shared but the file).
  [[nodiscard]] std::unique_ptr<EventSource> replay(const decode::DecodeOptions& decode) const override {
    OpenOptions o;
    o.input_index = input_;
    o.read_piece = piece_;
    return std::make_unique<CaptureSource>(buffer_, file_, stats_.path, o, decode);
  }

 private:
  std::shared_ptr<const InputBuffer> buffer_;  // in-memory inputs
  std::shared_ptr<const FileHandle> file_;     // regular files
  std::uint32_t input_;
  std::size_t piece_;
  decode::DecodeOptions decode_;
  decode::EventStorage spare_;
  std::optional<PcapReader> pcap_;
  std::optional<PcapngReader> pcapng_;
  InputStats stats_;
};

}  // namespace

std::unique_ptr<EventSource> make_capture_source(std::shared_ptr<const InputBuffer> buffer, std::string path,
                                                 const OpenOptions& options) {
  return make_capture_source(std::move(buffer), std::move(path), options, decode::DecodeOptions{});
}

std::unique_ptr<EventSource> make_capture_source(std::shared_ptr<const InputBuffer> buffer, std::string path,
                                                 const OpenOptions& options, const decode::DecodeOptions& decode) {
  return std::make_unique<CaptureSource>(std::move(buffer), nullptr, std::move(path), options, decode);
}

std::unique_ptr<EventSource> make_capture_source(std::shared_ptr<const FileHandle> file, std::string path,
                                                 const OpenOptions& options, const decode::DecodeOptions& decode) {
  return std::make_unique<CaptureSource>(nullptr, std::move(file), std::move(path), options, decode);
}

}  // namespace netseen::ingest
