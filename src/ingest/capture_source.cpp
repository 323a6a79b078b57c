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
// caller's Event (reused: no allocation per packet on the common path).
class CaptureSource final : public EventSource {
 public:
  CaptureSource(std::shared_ptr<const InputBuffer> buffer, std::string path, const OpenOptions& options,
                const decode::DecodeOptions& decode)
      : buffer_(std::move(buffer)), input_(options.input_index), decode_(decode) {
    stats_.path = std::move(path);
    const Bytes bytes = buffer_->bytes();
    stats_.bytes_total = bytes.size();
    if (bytes.size() >= 4 && bytes[0] == 0x0A && bytes[1] == 0x0D && bytes[2] == 0x0D && bytes[3] == 0x0A) {
      stats_.format = "pcapng";
      auto r = PcapngReader::open(bytes);
      if (r) pcapng_.emplace(std::move(*r));
      else stats_.add_error("offset 0", r.error().message());
    } else {
      stats_.format = "pcap";
      auto r = PcapReader::open(bytes);
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
      if (stats_.bytes_read >= released_ + kReleaseStep) {
        // Keep resident memory bounded on large files: pages already decoded are dropped.
        released_ = stats_.bytes_read - kReleaseStep / 2;
        buffer_->release_before(released_);
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
  [[nodiscard]] std::unique_ptr<EventSource> replay(const decode::DecodeOptions& decode) const override {
    OpenOptions o;
    o.input_index = input_;
    return std::make_unique<CaptureSource>(buffer_, stats_.path, o, decode);
  }

 private:
  std::shared_ptr<const InputBuffer> buffer_;
  std::uint32_t input_;
  decode::DecodeOptions decode_;
  decode::EventStorage spare_;
  static constexpr std::size_t kReleaseStep = std::size_t{16} << 20;
  std::size_t released_ = 0;
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
  return std::make_unique<CaptureSource>(std::move(buffer), std::move(path), options, decode);
}

}  // namespace netseen::ingest
