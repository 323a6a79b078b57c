// Process attribution (Linux): which program on this machine owns the socket behind a packet.
//
// The local machine's socket table is an input like a capture file: the kernel describes its
// UDP and TCP sockets through NETLINK_SOCK_DIAG (sock_diag.hpp: addresses, ports, state, owner
// uid, inode), and /proc/<pid>/fd tells which processes hold which socket inode (proc_fd.hpp).
// A lookup happens at packet time, because sockets vanish:
//   1. is the packet's source or destination an address of this machine? If not, the
//      traffic was forwarded for (or only seen between) other hosts: `not_local`;
//   2. the kernel's sockets on that local port (cached for a short time per port) are matched
//      against the 4-tuple: connected socket > bound address > wildcard address;
//   3. the socket inode is mapped to pids through a cache filled by /proc scans (a scan runs
//      only for an unknown inode, first over the processes of the socket's uid, and a miss is
//      not rescanned before `min_rescan_interval`);
//   4. sockets that have closed before the lookup are answered from memory when possible:
//      a background poll (`poll_interval`) records the owner of every new socket, and the
//      kernel's destroy notifications (CAP_NET_ADMIN) say when a socket closed and whose it was.
// What cannot be known is reported with its reason, never guessed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"
#include "ingest/local_addresses.hpp"
#include "ingest/proc_fd.hpp"
#include "ingest/sock_diag.hpp"

namespace netseen::ingest {

enum class AttributionStatus : std::uint8_t {
  Found,         // the process is named (possibly from memory of a socket closed since)
  NotLocal,      // neither end is an address of this machine: forwarded or foreign traffic
  SocketGone,    // no socket matches any more and none was remembered with its process
  NoProcess,     // the socket exists but no process visible here holds it
  NoPermission,  // the socket exists but the processes that may hold it cannot be inspected
  Unsupported,   // not Linux, not TCP/UDP, or the kernel interface is unavailable
};
std::string_view to_string(AttributionStatus s) noexcept;

// How the answer was obtained.
enum class AttributionSource : std::uint8_t {
  None,
  Lookup,       // live socket table + /proc at lookup time
  Poll,         // remembered by the background poll, socket closed since
  DestroyEvent, // the kernel's destroy notification (owner uid and inode only)
};
std::string_view to_string(AttributionSource s) noexcept;

struct Attribution {
  AttributionStatus status = AttributionStatus::Unsupported;
  AttributionSource source = AttributionSource::None;
  std::string reason;                  // one human sentence, always set
  std::optional<ProcessInfo> process;  // the first process holding the socket
  std::vector<int> other_pids;         // further holders (a socket shared after fork)
  std::uint32_t inode = 0;
  std::optional<std::uint32_t> uid;    // the socket's owner, known even when the process is not
  std::string user;
  std::string socket;                  // "udp 10.0.0.1:137 (unconnected)" — the matched socket
  bool socket_closed = false;          // the socket had closed by the time of the lookup
  bool from_cache = false;             // answered without a /proc scan

  [[nodiscard]] bool found() const noexcept { return status == AttributionStatus::Found; }
};

struct AttributionOptions {
  bool destroy_events = true;                               // join the destroy groups if permitted
  std::chrono::milliseconds poll_interval{250};             // background sweep; 0 = no thread
  std::chrono::milliseconds min_rescan_interval{50};        // per unknown inode
  std::chrono::milliseconds port_cache_ttl{500};            // a per-port socket list is reused this long
  std::chrono::milliseconds process_cache_ttl{2000};        // comm/cmdline re-read after this
  std::chrono::seconds retention{120};                      // closed sockets remembered this long
  std::size_t max_cached_inodes = 65536;
  std::size_t max_remembered_sockets = 16384;
  std::size_t max_cached_ports = 4096;
  SockDiagLimits sock_diag;
  ProcScanLimits proc;
  std::string proc_root = "/proc";
};

struct AttributionStats {
  std::uint64_t lookups = 0;
  std::uint64_t found = 0;
  std::uint64_t inode_cache_hits = 0;    // the inode's owner was known without scanning
  std::uint64_t port_cache_hits = 0;     // the socket list for the port was reused
  std::uint64_t sock_diag_queries = 0;
  std::uint64_t proc_scans = 0;
  std::uint64_t polls = 0;
  std::uint64_t poll_dump_errors = 0;     // socket-table dumps of a poll that failed or stopped early
  std::uint64_t poll_misses = 0;         // sockets a poll saw whose owner its /proc scan did not find
  std::uint64_t destroy_events = 0;
  std::uint64_t destroy_overruns = 0;
  std::uint64_t total_lookup_ns = 0;
  std::uint64_t max_lookup_ns = 0;
};

class ProcessAttributor {
 public:
  // Never fails for lack of privilege: what is missing shows in mode() and in each answer.
  static Result<std::unique_ptr<ProcessAttributor>> create(const AttributionOptions& options = {});
  ~ProcessAttributor();
  ProcessAttributor(const ProcessAttributor&) = delete;
  ProcessAttributor& operator=(const ProcessAttributor&) = delete;

  // The socket with local end (local_ip, local_port) and, when connected, the given remote end.
  // `protocol` is the IP protocol number (6 TCP, 17 UDP). `when` is the packet's time.
  Attribution attribute(std::uint8_t protocol, const IpAddress& local_ip, std::uint16_t local_port,
                        const IpAddress& remote_ip, std::uint16_t remote_port, Timestamp when);
  // The local end of an event: its source when that is an address of this machine (the
  // sender), otherwise its destination (the receiver); not_local when neither is.
  Attribution attribute(const decode::Event& ev, const LocalAddresses& local);

  // One sweep now: drains destroy notifications, records the owner of every new socket.
  // The background thread calls it every poll_interval.
  void poll();

  // "lookup at packet time + poll every 250 ms + kernel destroy notifications" and what is
  // missing ("destroy notifications unavailable: … needs CAP_NET_ADMIN").
  [[nodiscard]] std::string mode() const;
  [[nodiscard]] bool destroy_events_active() const noexcept;
  [[nodiscard]] AttributionStats stats() const;

 private:
  struct State;
  explicit ProcessAttributor(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

}  // namespace netseen::ingest
