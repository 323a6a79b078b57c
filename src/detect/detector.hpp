// The shape every detector has: an id, a description, documented parameters
// (thresholds and windows, defaults in data/detectors.conf, overridable with
// --set <id>.<key>=<value>), per-host state with a cap, on_event() and finish().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"
#include "decode/event.hpp"
#include "decode/frame.hpp"
#include "detect/finding.hpp"

namespace netseen::detect {

class Context;

// The kinds of events a detector looks at. The engine calls on_event() only for events of
// those kinds (an event with an ICMP part counts as ICMP whatever its transport), so a
// TCP-only detector costs nothing on UDP traffic. Declaring too little loses events:
// a detector states every kind its on_event() can act on.
namespace interest {
constexpr std::uint8_t kTcp = 1;
constexpr std::uint8_t kUdp = 2;
constexpr std::uint8_t kIcmp = 4;     // ICMP and ICMPv6
constexpr std::uint8_t kOtherIp = 8;  // IP with another (or no decoded) transport
constexpr std::uint8_t kNonIp = 16;   // ARP and other link-layer frames, unparsed lines
// A narrower kind inside kTcp | kUdp: TCP or UDP from or to port 137, 138, 139 or 445, or
// carrying a NetBIOS name-service message (on any port). A detector that acts only on
// NetBIOS and SMB declares this instead of kTcp | kUdp and is not called for the rest.
constexpr std::uint8_t kNetbios = 32;
constexpr std::uint8_t kIp = kTcp | kUdp | kIcmp | kOtherIp;
constexpr std::uint8_t kAll = kIp | kNonIp;
constexpr std::size_t kCombinations = 64;  // every value of(e) can take
// The kinds one event belongs to.
std::uint8_t of(const decode::Event& e) noexcept;
}  // namespace interest

// One tunable number of a detector, bound to a field of its Config struct.
struct Param {
  std::string key;   // "min_targets"
  double* value;     // the Config field (all parameters are numbers; integers are whole doubles)
  std::string doc;   // what it separates, in one sentence
};

class Detector {
 public:
  virtual ~Detector() = default;
  Detector() = default;
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  [[nodiscard]] virtual std::string_view id() const = 0;
  [[nodiscard]] virtual std::string_view description() const = 0;
  virtual std::vector<Param> params() { return {}; }
  // See `interest`: the kinds of events on_event() is called for.
  [[nodiscard]] virtual std::uint8_t interest() const { return interest::kAll; }
  virtual void on_event(const decode::Event& e, Context& ctx) = 0;
  // True when on_event() reads only the parts of the Context that never change during a run
  // (home networks, knowledge base, regions) and writes only the detector's own state and
  // count_eviction(), never emitting: such a detector may run on a thread of its own beside
  // the engine's bookkeeping (Engine::on_event_side) and still see what it would have seen.
  // Learned names, DNS correlation, findings and observations are off limits to it. Its
  // finish() may emit and count evictions but likewise reads only its own state and that
  // constant context: it may run beside other detectors' finish() (Engine::finish).
  [[nodiscard]] virtual bool parallel_safe() const { return false; }
  // For a parallel-safe detector, how much work the event stream gives it: Heavy ones update
  // their tables or run several tests on most packets (scans, traces, private addresses
  // outside); Light ones return after a test or two for nearly every packet and act on rare
  // ones (odd addresses, ICMP errors, a few services).
  // When the main part has a thread of its own, Light ones stay on it and only Heavy ones
  // go to the side threads (Engine::split_side); measured on the 1 GB capture this split is
  // faster with three threads, and sending everything to the side faster with two.
  enum class Load : std::uint8_t { Light, Heavy };
  [[nodiscard]] virtual Load load() const { return Load::Heavy; }
  // True when on_event() reads Event::anomalies of captured packets (bad IP, TCP, UDP or ICMP
  // checksums among them). Verifying checksums sums every payload byte; the analyzer asks the
  // decoder for it only when some detector says it needs it (Engine::decode_options).
  [[nodiscard]] virtual bool reads_anomalies() const { return false; }
  // The application summaries on_event() reads beyond what every analysis gets
  // (decode::app_part:: bits: all DNS names rather than only PTR lookups', NetBIOS datagrams,
  // sessions). The analyzer's decoder builds only those its detectors ask for
  // (Engine::decode_options); NBNS, the DNS header and PTR lookups are always there.
  [[nodiscard]] virtual std::uint8_t reads_app_parts() const { return 0; }
  // How deep captured frames must be decoded for on_event() to see everything it reads. A
  // side group that reads the captures again on its own thread (the threaded analyzer's
  // replay, Engine::side_decode_options) decodes only as deep as its detectors ask: the
  // scans, traces and odd-address detectors need addresses, ports, flags and ICMP
  // (Transport); telling a DNS or NBNS answer from a question needs the message header
  // (Headers). The default is everything.
  [[nodiscard]] virtual decode::Depth depth() const { return decode::Depth::Application; }
  // Batches (Engine::run_detector): a detector whose on_event() starts with a lookup in a
  // table far larger than the caches returns how many of the stages below it uses (2 or 3)
  // from prefetch_stages(), and prefetch(e, stage) is then called for events ahead of the
  // one on_event() gets next: Tags furthest ahead, then Entry, then Inside nearest. It asks
  // the cache for what that event's on_event() will read (FlatMap::prefetch_tags, then
  // prefetch_entry; Inside, with the entry itself in the cache by then, for what the entry
  // points to) and does nothing else: no state changes. The misses of consecutive events
  // then overlap instead of stalling one by one.
  enum class Prefetch : std::uint8_t { Tags, Entry, Inside };
  // Events between two stages (and from the last stage to the event's turn): far enough for
  // the lines to arrive, near enough that they are still in the cache (steps of 16 measured
  // no different). Engine::run_detector and a batch's main part both use it.
  static constexpr std::size_t kPrefetchStep = 8;
  [[nodiscard]] virtual unsigned prefetch_stages() const { return 0; }
  virtual void prefetch(const decode::Event& /*e*/, Prefetch /*stage*/) const {}
  // Emits what has accumulated. Called after the last event, and also mid-stream by
  // Engine::snapshot() (netseen watch), possibly many times: it must not change the
  // detector's state, so that the findings equal what one call at that point would give.
  virtual void finish(Context& ctx) = 0;
};

}  // namespace netseen::detect
