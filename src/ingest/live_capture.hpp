// Live capture from a network interface through libpcap, as an EventSource.
//
// Frames go through the same decode path as capture files (decode::decode_frame with the
// interface's link type). The handle is non-blocking and waited on with poll(), so a stop
// flag (set by the caller's signal handler), a duration or a packet count ends the
// capture within about 100 ms even when no traffic arrives. What the kernel counted
// (pcap_stats: received, dropped for lack of buffer, dropped by the interface) goes into
// InputStats. Opening fails with a message that says what to do: the missing capability
// and how to grant it, the interface that does not exist (and which ones do), the BPF
// filter that does not compile.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "decode/frame.hpp"
#include "ingest/source.hpp"

namespace netseen::ingest {

struct LiveOptions {
  std::string interface;           // "eth0", "any", …
  std::string filter;              // BPF expression (pcap-filter(7)); empty = every packet
  int snaplen = 262144;            // bytes kept per packet
  bool promiscuous = false;
  int buffer_mib = 0;              // kernel ring size; 0 = libpcap's default
  std::uint64_t max_packets = 0;   // stop after this many frames; 0 = no limit
  double duration_s = 0;           // stop after this long; 0 = no limit
  const std::atomic<bool>* stop = nullptr;  // the capture ends soon after this becomes true
  std::uint32_t input_index = 0;   // stored in Event::origin.input
  decode::DecodeOptions decode;
};

enum class LiveWait : std::uint8_t {
  Event,  // `out` holds the next event
  Idle,   // nothing arrived within the wait (time for periodic work)
  End,    // stopped (flag, duration, count) or the interface failed (an error in stats())
};

class LiveSource final : public EventSource {
 public:
  // Opens and activates the capture. Io errors with a plain explanation: permission
  // (CAP_NET_RAW / CAP_NET_ADMIN), no such interface, interface down; Malformed for a
  // filter that does not compile (naming the filter).
  static Result<std::unique_ptr<LiveSource>> open(const LiveOptions& options);
  ~LiveSource() override;
  LiveSource(const LiveSource&) = delete;
  LiveSource& operator=(const LiveSource&) = delete;

  // Waits at most `max_wait` for the next event.
  LiveWait poll(decode::Event& out, std::chrono::milliseconds max_wait);
  // Blocks until the next event (true) or the end of the capture (false).
  bool next(decode::Event& out) override;
  [[nodiscard]] const InputStats& stats() const override { return stats_; }
  // Reads the kernel's counters into stats() (done by poll() at the end and once a second).
  void refresh_kernel_stats();
  // The link type frames are decoded as (LINKTYPE_*).
  [[nodiscard]] std::uint32_t linktype() const noexcept { return linktype_; }
  // Time since the capture started.
  [[nodiscard]] double elapsed_s() const noexcept;

 private:
  struct Handle;
  explicit LiveSource(const LiveOptions& options);

  LiveOptions options_;
  std::unique_ptr<Handle> handle_;
  std::uint32_t linktype_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_stats_;
  bool ended_ = false;
  InputStats stats_;
};

// The interfaces libpcap can capture on, comma-separated ("eth0, lo, any"), for messages.
std::string list_capture_interfaces();

}  // namespace netseen::ingest
