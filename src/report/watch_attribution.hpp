// Process attribution for `netseen watch`: every TCP/UDP event that starts or ends on this
// machine is attributed at packet time (sockets vanish; a later lookup would find nothing),
// and findings whose source is a local address get `process.*` attributes: the process that
// sent the finding's evidence (pid, command, command line, user), or the reason none could
// be named. Plugs into WatchOptions::on_event and WatchOptions::enrich.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "decode/event.hpp"
#include "detect/finding.hpp"
#include "ingest/local_addresses.hpp"
#include "ingest/process_attribution.hpp"

namespace netseen::report {

struct WatchAttributionOptions {
  ingest::AttributionOptions attributor;
  std::size_t max_flows = 65536;        // 5-tuples whose answer is reused
  double flow_ttl_s = 5;                // … for this long (a found socket); failures for 1 s
  std::size_t max_frames = 262144;      // frame number → process, to match a finding's evidence
  std::size_t max_hosts = 4096;         // local addresses with a record of their processes
  std::size_t max_processes_per_host = 64;
  double local_refresh_s = 30;          // interface addresses are read again this often
};

// "pid 4242 nbstat-worm, user root (uid 0): /usr/bin/python3 …" for a finding with
// process.* attributes, "not attributed (socket_gone): <reason>" when none could be named,
// empty when the finding has none (its source is not local, or attribution was off).
std::string process_text(const detect::Finding& f);

class WatchAttribution {
 public:
  // Reads this machine's addresses (getifaddrs) and starts an attributor.
  static Result<std::unique_ptr<WatchAttribution>> create(const WatchAttributionOptions& options = {});
  // With a fixed set of local addresses (tests; no refresh).
  static Result<std::unique_ptr<WatchAttribution>> create(const WatchAttributionOptions& options,
                                                          ingest::LocalAddresses local);
  ~WatchAttribution();
  WatchAttribution(const WatchAttribution&) = delete;
  WatchAttribution& operator=(const WatchAttribution&) = delete;

  // Attributes the event now if one end is local (cached per 5-tuple).
  void on_event(const decode::Event& ev);
  // Adds process.* attributes to a finding whose source is local; leaves others alone.
  void enrich(detect::Finding& f);

  [[nodiscard]] std::string mode() const;
  [[nodiscard]] ingest::AttributionStats stats() const;
  [[nodiscard]] std::uint64_t flow_cache_hits() const;

 private:
  struct State;
  explicit WatchAttribution(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

}  // namespace netseen::report
