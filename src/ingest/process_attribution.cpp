#include "ingest/process_attribution.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace netseen::ingest {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint8_t kAfInet = 2, kAfInet6 = 10;
constexpr std::uint8_t kTcpListen = 10;

const char* proto_name(std::uint8_t p) { return p == kIpProtoTcp ? "tcp" : "udp"; }

std::string endpoint(const IpAddress& a, std::uint16_t port) {
  return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(port) : a.to_string() + ":" + std::to_string(port);
}

// ::ffff:a.b.c.d → a.b.c.d; other addresses unchanged.
IpAddress unmapped(const IpAddress& a) {
  if (!a.is_v6()) return a;
  const auto& b = a.bytes();
  for (int i = 0; i < 10; ++i) {
    if (b[static_cast<std::size_t>(i)] != 0) return a;
  }
  if (b[10] != 0xff || b[11] != 0xff) return a;
  return IpAddress::v4(b[12], b[13], b[14], b[15]);
}

bool connected(const SockDiagRecord& r) { return r.remote_port != 0 && !r.remote.is_unspecified(); }

std::string describe_socket(const SockDiagRecord& r) {
  std::string s = std::string(proto_name(r.protocol)) + " " + endpoint(unmapped(r.local), r.local_port);
  if (connected(r)) {
    s += " -> " + endpoint(unmapped(r.remote), r.remote_port);
  } else if (r.protocol == kIpProtoTcp && r.state == kTcpListen) {
    s += " (listening)";
  } else {
    s += " (unconnected)";
  }
  return s;
}

// How well a socket fits the packet's local and remote ends; 0 = it cannot be this socket.
int match_score(const SockDiagRecord& r, std::uint8_t protocol, const IpAddress& local_ip, std::uint16_t local_port,
                const IpAddress& remote_ip, std::uint16_t remote_port) {
  if (r.protocol != protocol || r.local_port != local_port) return 0;
  int score = 0;
  const IpAddress local = unmapped(r.local);
  if (local == local_ip) {
    score += 4;
  } else if (r.local.is_unspecified()) {
    // An IPv6 wildcard socket receives IPv4 too unless IPV6_V6ONLY; an IPv4 one never IPv6.
    if (r.family == kAfInet && !local_ip.is_v4()) return 0;
    score += 1;
  } else {
    return 0;
  }
  if (connected(r)) {
    if (unmapped(r.remote) != remote_ip || r.remote_port != remote_port) return 0;
    score += 8;
  }
  if (r.inode != 0) score += 2;  // a socket still held by a file beats one being torn down
  if (r.family == kAfInet && local_ip.is_v4()) score += 1;  // the native family first
  return score;
}

struct Owner {
  std::vector<int> pids;
};

struct CachedProcess {
  ProcessInfo info;
  Clock::time_point read_at;
};

struct PortSnapshot {
  std::vector<SockDiagRecord> sockets;
  Clock::time_point fetched;
};

struct Remembered {
  SockDiagRecord rec;
  std::optional<ProcessInfo> process;
  std::vector<int> other_pids;
  Clock::time_point last_seen;
  bool closed = false;
  bool from_destroy = false;  // known only from the destroy notification
};

std::uint64_t port_key(std::uint8_t protocol, std::uint8_t family, std::uint16_t port) {
  return (std::uint64_t{protocol} << 24) | (std::uint64_t{family} << 16) | port;
}

}  // namespace

std::string_view to_string(AttributionStatus s) noexcept {
  switch (s) {
    case AttributionStatus::Found: return "found";
    case AttributionStatus::NotLocal: return "not_local";
    case AttributionStatus::SocketGone: return "socket_gone";
    case AttributionStatus::NoProcess: return "no_process";
    case AttributionStatus::NoPermission: return "no_permission";
    case AttributionStatus::Unsupported: return "unsupported";
  }
  return "unsupported";
}

std::string_view to_string(AttributionSource s) noexcept {
  switch (s) {
    case AttributionSource::None: return "none";
    case AttributionSource::Lookup: return "lookup";
    case AttributionSource::Poll: return "poll";
    case AttributionSource::DestroyEvent: return "destroy_event";
  }
  return "none";
}

struct ProcessAttributor::State {
  AttributionOptions opt;
  mutable std::mutex mu;
  std::optional<SockDiagClient> client;
  std::optional<SockDiagClient> poll_client;  // the poller's own, used without the lock
  std::string client_error;
  std::vector<SockDiagDestroyListener> listeners;
  std::string destroy_error;

  std::unordered_map<std::uint32_t, Owner> inode_owner;
  std::unordered_map<std::uint32_t, Clock::time_point> inode_miss;  // inode → last scan that missed it
  ProcScan last_miss_scan;                                          // its counts explain the miss
  std::unordered_map<int, CachedProcess> processes;
  std::unordered_map<std::uint32_t, std::string> users;
  std::unordered_map<std::uint64_t, PortSnapshot> ports;
  std::unordered_map<std::uint32_t, Remembered> remembered;  // by inode
  AttributionStats stats;
  Clock::time_point last_prune = Clock::now();

  std::thread poller;
  std::condition_variable cv;
  bool stopping = false;
  bool sweeping = false;

  // ---- helpers, all called with mu held ----

  Result<std::vector<SockDiagRecord>> query(std::uint8_t protocol, std::uint8_t family,
                                            std::optional<std::uint16_t> port) {
    if (!client) return fail(ErrorKind::Unsupported, "attribution", 0, client_error);
    std::vector<SockDiagRecord> out;
    ++stats.sock_diag_queries;
    NETSEEN_TRY(client->dump(family, protocol, port, out, opt.sock_diag));
    return out;
  }

  void drain_destroy_events() {
    if (listeners.empty()) return;
    std::vector<SockDiagRecord> gone;
    for (auto& l : listeners) {
      const std::uint64_t before = l.overruns();
      static_cast<void>(l.drain(gone, 256, opt.sock_diag));
      stats.destroy_overruns += l.overruns() - before;
    }
    const auto now = Clock::now();
    for (const auto& g : gone) {
      ++stats.destroy_events;
      ports.erase(port_key(g.protocol, g.family, g.local_port));
      if (g.inode == 0) continue;
      auto it = remembered.find(g.inode);
      if (it != remembered.end()) {
        it->second.closed = true;
        it->second.last_seen = now;
      } else if (remembered.size() < opt.max_remembered_sockets) {
        Remembered r;
        r.rec = g;
        r.last_seen = now;
        r.closed = true;
        r.from_destroy = true;
        // The owner may already be known from an earlier scan.
        if (auto o = inode_owner.find(g.inode); o != inode_owner.end() && !o->second.pids.empty()) {
          if (auto p = processes.find(o->second.pids.front()); p != processes.end()) {
            r.process = p->second.info;
            r.from_destroy = false;
          }
        }
        remembered.emplace(g.inode, std::move(r));
      }
      inode_owner.erase(g.inode);
      inode_miss.erase(g.inode);
    }
  }

  void prune(Clock::time_point now) {
    for (auto it = remembered.begin(); it != remembered.end();) {
      if (now - it->second.last_seen > opt.retention) {
        it = remembered.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = inode_miss.begin(); it != inode_miss.end();) {
      if (now - it->second > opt.min_rescan_interval) {
        it = inode_miss.erase(it);
      } else {
        ++it;
      }
    }
    if (ports.size() > opt.max_cached_ports) ports.clear();
    if (processes.size() > opt.max_cached_inodes) processes.clear();
  }

  void absorb_scan(const ProcScan& scan) {
    ++stats.proc_scans;
    if (inode_owner.size() + scan.inode_pids.size() > opt.max_cached_inodes) inode_owner.clear();
    for (const auto& [inode, pids] : scan.inode_pids) {
      if (inode_owner.size() >= opt.max_cached_inodes) break;
      inode_owner[inode].pids = pids;
    }
  }

  // The owner of an inode: from the cache, or after a scan (uid's processes first).
  // `cached` tells which. nullptr when no process could be found.
  const Owner* owner_of(std::uint32_t inode, std::uint32_t uid, bool& cached) {
    cached = false;
    if (auto it = inode_owner.find(inode); it != inode_owner.end()) {
      cached = true;
      return &it->second;
    }
    const auto now = Clock::now();
    if (auto m = inode_miss.find(inode); m != inode_miss.end() && now - m->second < opt.min_rescan_interval) {
      cached = true;
      return nullptr;
    }
    const std::unordered_set<std::uint32_t> wanted{inode};
    ProcScan scan = scan_socket_inodes(opt.proc_root, uid, wanted, opt.proc);
    absorb_scan(scan);
    if (auto it = inode_owner.find(inode); it != inode_owner.end()) return &it->second;
    // The holder may have changed uid after creating the socket (a daemon dropping root).
    scan = scan_socket_inodes(opt.proc_root, std::nullopt, wanted, opt.proc);
    absorb_scan(scan);
    if (auto it = inode_owner.find(inode); it != inode_owner.end()) return &it->second;
    inode_miss[inode] = now;
    last_miss_scan = std::move(scan);
    last_miss_scan.inode_pids.clear();
    return nullptr;
  }

  std::optional<ProcessInfo> process(int pid) {
    const auto now = Clock::now();
    if (auto it = processes.find(pid); it != processes.end() && now - it->second.read_at < opt.process_cache_ttl) {
      return it->second.info;
    }
    auto info = read_process(opt.proc_root, pid, opt.proc);
    if (!info) {
      // Exited: keep what was known before, if anything.
      if (auto it = processes.find(pid); it != processes.end()) return it->second.info;
      return std::nullopt;
    }
    processes[pid] = CachedProcess{*info, now};
    return *info;
  }

  // Fills process/other_pids from an owner's pids; false when every holder has exited.
  bool fill_process(const Owner& owner, Attribution& a) {
    for (int pid : owner.pids) {
      if (!a.process) {
        a.process = process(pid);
        if (a.process) continue;
      }
      if (a.process && pid != a.process->pid) a.other_pids.push_back(pid);
    }
    return a.process.has_value();
  }

  void remember(const SockDiagRecord& rec, const Attribution& a) {
    if (rec.inode == 0 || !a.process) return;
    if (remembered.size() >= opt.max_remembered_sockets && remembered.count(rec.inode) == 0) return;
    Remembered& r = remembered[rec.inode];
    r.rec = rec;
    r.process = a.process;
    r.other_pids = a.other_pids;
    r.last_seen = Clock::now();
    r.closed = false;
    r.from_destroy = false;
  }

  // getpwuid_r reads the password database each time (tens of µs): cached per uid.
  std::string cached_user(std::uint32_t uid) {
    if (auto it = users.find(uid); it != users.end()) return it->second;
    if (users.size() >= 4096) users.clear();
    return users.emplace(uid, user_name(uid)).first->second;
  }

  void set_owner_fields(const SockDiagRecord& rec, Attribution& a) {
    a.inode = rec.inode;
    a.uid = rec.uid;
    a.user = cached_user(rec.uid);
    a.socket = describe_socket(rec);
  }

  std::string uid_text(const Attribution& a) const {
    if (!a.uid) return "an unknown user";
    return "uid " + std::to_string(*a.uid) + (a.user.empty() ? "" : " (" + a.user + ")");
  }

  // The best matching socket among live ones: from the port cache, or asked again.
  std::optional<SockDiagRecord> find_live(std::uint8_t protocol, const IpAddress& local_ip, std::uint16_t port,
                                          const IpAddress& remote_ip, std::uint16_t remote_port, std::string& error,
                                          bool& cached) {
    const auto now = Clock::now();
    std::array<std::uint8_t, 2> families{kAfInet6, 0};
    std::size_t nfam = 1;
    if (local_ip.is_v4()) {
      families = {kAfInet, kAfInet6};  // dual-stack IPv6 sockets carry IPv4 traffic too
      nfam = 2;
    }
    auto best_in = [&](const std::vector<SockDiagRecord>& v, const SockDiagRecord*& best, int& best_score) {
      for (const auto& r : v) {
        const int s = match_score(r, protocol, local_ip, port, remote_ip, remote_port);
        if (s > best_score) {
          best_score = s;
          best = &r;
        }
      }
    };
    // First the cache: a hit that is still fresh is trusted.
    {
      const SockDiagRecord* best = nullptr;
      int score = 0;
      bool all_fresh = true;
      for (std::size_t i = 0; i < nfam; ++i) {
        auto it = ports.find(port_key(protocol, families[i], port));
        if (it == ports.end() || now - it->second.fetched > opt.port_cache_ttl) {
          all_fresh = false;
          continue;
        }
        best_in(it->second.sockets, best, score);
      }
      // A cached connected-socket match is exact; a wildcard match is only trusted when every
      // family's list is fresh (a better socket may have appeared in the other).
      if (best != nullptr && (score >= 8 || all_fresh)) {
        ++stats.port_cache_hits;
        cached = true;
        return *best;
      }
    }
    cached = false;
    const SockDiagRecord* best = nullptr;
    int score = 0;
    if (ports.size() + nfam > opt.max_cached_ports) ports.clear();
    for (std::size_t i = 0; i < nfam; ++i) {
      auto got = query(protocol, families[i], port);
      if (!got) {
        error = got.error().detail;
        continue;
      }
      auto& snap = ports[port_key(protocol, families[i], port)];
      snap.sockets = std::move(*got);
      snap.fetched = now;
    }
    for (std::size_t i = 0; i < nfam; ++i) {
      auto it = ports.find(port_key(protocol, families[i], port));
      if (it != ports.end() && it->second.fetched == now) best_in(it->second.sockets, best, score);
    }
    if (best == nullptr) return std::nullopt;
    return *best;
  }

  const Remembered* find_remembered(std::uint8_t protocol, const IpAddress& local_ip, std::uint16_t port,
                                    const IpAddress& remote_ip, std::uint16_t remote_port) const {
    const Remembered* best = nullptr;
    int score = 0;
    for (const auto& [inode, r] : remembered) {
      int s = match_score(r.rec, protocol, local_ip, port, remote_ip, remote_port);
      if (s == 0) continue;
      s = s * 4 + (r.process ? 2 : 0);  // the same socket known with its process beats a bare notice
      if (s > score || (s == score && best != nullptr && r.last_seen > best->last_seen)) {
        score = s;
        best = &r;
      }
    }
    return best;
  }

  Attribution lookup(std::uint8_t protocol, const IpAddress& local_ip_in, std::uint16_t local_port,
                     const IpAddress& remote_ip_in, std::uint16_t remote_port) {
    Attribution a;
    const IpAddress local_ip = unmapped(local_ip_in);
    const IpAddress remote_ip = unmapped(remote_ip_in);
    const std::string where = std::string(proto_name(protocol)) + " " + endpoint(local_ip, local_port);
    if (!client) {
      a.status = AttributionStatus::Unsupported;
      a.reason = "the kernel's socket table cannot be read: " + client_error;
      return a;
    }
    drain_destroy_events();
    if (const auto now = Clock::now(); now - last_prune > std::chrono::seconds(1)) {
      prune(now);
      last_prune = now;
    }
    std::string error;
    bool port_cached = false;
    auto live = find_live(protocol, local_ip, local_port, remote_ip, remote_port, error, port_cached);
    if (live && live->inode != 0) {
      set_owner_fields(*live, a);
      bool cached = false;
      const Owner* owner = owner_of(live->inode, live->uid, cached);
      a.from_cache = cached;
      if (cached && owner != nullptr) ++stats.inode_cache_hits;
      if (owner != nullptr && fill_process(*owner, a)) {
        a.status = AttributionStatus::Found;
        a.source = AttributionSource::Lookup;
        a.reason = "socket " + a.socket + " (inode " + std::to_string(a.inode) + ") is held by pid " +
                   std::to_string(a.process->pid) + " (" + a.process->command + ")";
        remember(*live, a);
        return a;
      }
      if (const Remembered* r = remembered.count(live->inode) != 0 ? &remembered.at(live->inode) : nullptr;
          r != nullptr && r->process) {
        a.status = AttributionStatus::Found;
        a.source = AttributionSource::Poll;
        a.process = r->process;
        a.other_pids = r->other_pids;
        a.reason = "socket " + a.socket + " was held by pid " + std::to_string(a.process->pid) +
                   ", which has exited or passed it on since";
        return a;
      }
      const ProcScan& s = last_miss_scan;
      if (s.denied > 0) {
        a.status = AttributionStatus::NoPermission;
        a.reason = "socket " + a.socket + " (inode " + std::to_string(a.inode) + ") belongs to " + uid_text(a) +
                   ", but the descriptor tables of " + std::to_string(s.denied) +
                   " processes could not be read: reading another user's /proc/PID/fd needs root or "
                   "CAP_SYS_PTRACE (with CAP_DAC_READ_SEARCH)";
      } else {
        a.status = AttributionStatus::NoProcess;
        a.reason = "socket " + a.socket + " (inode " + std::to_string(a.inode) + ") belongs to " + uid_text(a) +
                   ", but no process visible in " + opt.proc_root +
                   " holds it (it is being closed, or its process lives in another PID namespace)";
      }
      return a;
    }
    // No live socket, or one no file refers to any more (TCP TIME_WAIT, orphaned).
    const Remembered* r = find_remembered(protocol, local_ip, local_port, remote_ip, remote_port);
    if (r != nullptr && r->process) {
      set_owner_fields(r->rec, a);
      a.status = AttributionStatus::Found;
      a.source = AttributionSource::Poll;
      a.socket_closed = true;
      a.process = r->process;
      a.other_pids = r->other_pids;
      a.from_cache = true;
      a.reason = "socket " + a.socket + " had closed before the lookup; pid " + std::to_string(a.process->pid) +
                 " (" + a.process->command + ") held it when it was last seen";
      return a;
    }
    a.status = AttributionStatus::SocketGone;
    if (r != nullptr) {
      set_owner_fields(r->rec, a);
      a.source = AttributionSource::DestroyEvent;
      a.socket_closed = true;
      a.reason = "socket " + a.socket + " (inode " + std::to_string(a.inode) + ") of " + uid_text(a) +
                 " closed before its process could be identified (the kernel reported its destruction)";
      return a;
    }
    if (live) {
      set_owner_fields(*live, a);
      a.socket_closed = true;
      a.reason = "socket " + a.socket + " of " + uid_text(a) + " is closing: no process holds it any more";
      return a;
    }
    a.reason = "no " + where + " socket exists any more";
    if (!error.empty()) {
      a.reason += " (the socket table could not be read: " + error + ")";
    } else if (listeners.empty()) {
      a.reason += ": it closed before the lookup, and without CAP_NET_ADMIN the kernel does not report closing "
                  "sockets";
    } else {
      a.reason += ": it closed before the lookup and before the poll saw it";
    }
    return a;
  }

  // One sweep. Called with `lock` held; the socket dumps and the /proc scan run without it,
  // on the poller's own netlink socket, so that lookups at packet time are not held up.
  void sweep(std::unique_lock<std::mutex>& lock) {
    if (sweeping) return;  // the other caller's sweep is as good
    ++stats.polls;
    drain_destroy_events();
    std::unordered_set<std::uint32_t> known;
    known.reserve(inode_owner.size() + remembered.size() + inode_miss.size());
    for (const auto& kv : inode_owner) known.insert(kv.first);
    for (const auto& kv : remembered) known.insert(kv.first);
    // A socket whose owner the last scans missed is looked for again once min_rescan_interval
    // has passed (one miss under load must not hide a socket from every later poll).
    const auto started = Clock::now();
    for (const auto& kv : inode_miss) {
      if (started - kv.second < opt.min_rescan_interval) known.insert(kv.first);
    }
    SockDiagClient* c = poll_client ? &*poll_client : &*client;
    const bool own = poll_client.has_value();
    sweeping = true;
    if (own) lock.unlock();

    std::vector<SockDiagRecord> all;
    std::uint64_t queries = 0, dump_errors = 0;
    for (std::uint8_t protocol : {kIpProtoUdp, kIpProtoTcp}) {
      for (std::uint8_t family : {kAfInet, kAfInet6}) {
        ++queries;
        // A failed dump keeps the records it got; the next poll asks again.
        if (!c->dump(family, protocol, std::nullopt, all, opt.sock_diag)) ++dump_errors;
      }
    }
    std::unordered_set<std::uint32_t> live, unknown;
    for (const auto& r : all) {
      if (r.inode == 0) continue;
      live.insert(r.inode);
      if (known.count(r.inode) == 0) unknown.insert(r.inode);
    }
    ProcScan scan;
    bool scanned = false;
    std::unordered_map<int, ProcessInfo> read;
    if (!unknown.empty()) {
      scan = scan_socket_inodes(opt.proc_root, std::nullopt, unknown, opt.proc);
      scanned = true;
      for (std::uint32_t inode : unknown) {
        auto it = scan.inode_pids.find(inode);
        if (it == scan.inode_pids.end() || it->second.empty() || read.count(it->second.front()) != 0) continue;
        if (auto info = read_process(opt.proc_root, it->second.front(), opt.proc)) {
          read.emplace(info->pid, std::move(*info));
        }
      }
    }

    if (own) lock.lock();
    sweeping = false;
    const auto now = Clock::now();
    stats.sock_diag_queries += queries;
    stats.poll_dump_errors += dump_errors;
    if (scanned) absorb_scan(scan);
    for (auto& [pid, info] : read) processes[pid] = CachedProcess{std::move(info), now};
    for (const auto& r : all) {
      if (r.inode == 0) continue;
      auto it = remembered.find(r.inode);
      if (it != remembered.end()) {
        if (!it->second.from_destroy) {
          it->second.last_seen = now;
          it->second.closed = false;
        }
        continue;
      }
      // Remember every live socket whose owner is known, not only those this poll looked
      // up: a /proc scan made for another socket (a lookup, an earlier poll) caches the owner
      // of every socket it passes, and one cached between a poll's dump and the next is
      // "known" to that next poll without ever having been remembered.
      auto o = inode_owner.find(r.inode);
      if (o == inode_owner.end()) {
        if (unknown.count(r.inode) != 0) {
          inode_miss[r.inode] = now;
          ++stats.poll_misses;
        }
        continue;
      }
      Attribution a;
      if (fill_process(o->second, a)) remember(r, a);
    }
    for (auto& [inode, r] : remembered) {
      if (!r.closed && known.count(inode) != 0 && live.count(inode) == 0) {
        r.closed = true;
        r.last_seen = now;
      }
    }
    for (auto it = inode_owner.begin(); it != inode_owner.end();) {
      if (known.count(it->first) != 0 && live.count(it->first) == 0) {
        it = inode_owner.erase(it);
      } else {
        ++it;
      }
    }
    prune(now);
  }
};

ProcessAttributor::ProcessAttributor(std::unique_ptr<State> s) : s_(std::move(s)) {}

ProcessAttributor::~ProcessAttributor() {
  if (s_->poller.joinable()) {
    {
      std::lock_guard<std::mutex> lock(s_->mu);
      s_->stopping = true;
    }
    s_->cv.notify_all();
    s_->poller.join();
  }
}

Result<std::unique_ptr<ProcessAttributor>> ProcessAttributor::create(const AttributionOptions& options) {
  auto s = std::make_unique<State>();
  s->opt = options;
#ifdef __linux__
  auto client = SockDiagClient::open();
  if (client) {
    s->client.emplace(std::move(*client));
    if (options.poll_interval.count() > 0) {
      if (auto pc = SockDiagClient::open()) s->poll_client.emplace(std::move(*pc));
    }
  } else {
    s->client_error = client.error().detail;
  }
  if (options.destroy_events && s->client) {
    for (std::uint8_t p : {kIpProtoUdp, kIpProtoTcp}) {
      auto l = SockDiagDestroyListener::open(p);
      if (!l) {
        s->destroy_error = l.error().detail;
        s->listeners.clear();
        break;
      }
      s->listeners.push_back(std::move(*l));
    }
  } else if (!options.destroy_events) {
    s->destroy_error = "not requested";
  }
#else
  s->client_error = "process attribution needs Linux (sock_diag and /proc)";
#endif
  std::unique_ptr<ProcessAttributor> a(new ProcessAttributor(std::move(s)));
  if (a->s_->client && options.poll_interval.count() > 0) {
    State* st = a->s_.get();
    st->poller = std::thread([st] {
      std::unique_lock<std::mutex> lock(st->mu);
      while (!st->stopping) {
        st->sweep(lock);
        st->cv.wait_for(lock, st->opt.poll_interval, [st] { return st->stopping; });
      }
    });
  }
  return a;
}

Attribution ProcessAttributor::attribute(std::uint8_t protocol, const IpAddress& local_ip, std::uint16_t local_port,
                                         const IpAddress& remote_ip, std::uint16_t remote_port, Timestamp when) {
  static_cast<void>(when);  // answers are about the socket table now; the caller looks up at packet time
  const auto start = Clock::now();
  std::lock_guard<std::mutex> lock(s_->mu);
  Attribution a;
  if (protocol != kIpProtoTcp && protocol != kIpProtoUdp) {
    a.status = AttributionStatus::Unsupported;
    a.reason = "only TCP and UDP sockets can be attributed (IP protocol " + std::to_string(protocol) + ")";
  } else {
    a = s_->lookup(protocol, local_ip, local_port, remote_ip, remote_port);
  }
  auto& st = s_->stats;
  ++st.lookups;
  if (a.found()) ++st.found;
  const auto ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
  st.total_lookup_ns += ns;
  st.max_lookup_ns = std::max(st.max_lookup_ns, ns);
  return a;
}

Attribution ProcessAttributor::attribute(const decode::Event& ev, const LocalAddresses& local) {
  Attribution a;
  if (ev.transport != decode::Transport::Tcp && ev.transport != decode::Transport::Udp) {
    a.status = AttributionStatus::Unsupported;
    a.reason = std::string("only TCP and UDP traffic can be attributed to a socket (this is ") +
               decode::to_string(ev.transport) + ")";
    return a;
  }
  if (ev.later_fragment) {
    a.status = AttributionStatus::Unsupported;
    a.reason = "a later IP fragment carries no ports";
    return a;
  }
  const std::uint8_t proto = ev.transport == decode::Transport::Tcp ? kIpProtoTcp : kIpProtoUdp;
  if (local.contains(ev.src)) return attribute(proto, ev.src, ev.sport, ev.dst, ev.dport, ev.ts);
  if (local.contains(ev.dst)) return attribute(proto, ev.dst, ev.dport, ev.src, ev.sport, ev.ts);
  a.status = AttributionStatus::NotLocal;
  a.reason = "neither " + ev.src.to_string() + " nor " + ev.dst.to_string() +
             " is an address of this machine: the packet was forwarded for, or only seen between, other hosts, "
             "so no local process sent or receives it";
  return a;
}

void ProcessAttributor::poll() {
  std::unique_lock<std::mutex> lock(s_->mu);
  if (s_->client) s_->sweep(lock);
}

std::string ProcessAttributor::mode() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  if (!s_->client) return "unavailable: " + s_->client_error;
  std::string m = "socket lookup at packet time";
  if (s_->opt.poll_interval.count() > 0) {
    m += "; socket poll every " + std::to_string(s_->opt.poll_interval.count()) + " ms";
  }
  if (!s_->listeners.empty()) {
    m += "; kernel destroy notifications";
  } else {
    m += "; no destroy notifications (" + s_->destroy_error + ")";
  }
  return m;
}

bool ProcessAttributor::destroy_events_active() const noexcept {
  std::lock_guard<std::mutex> lock(s_->mu);
  return !s_->listeners.empty();
}

AttributionStats ProcessAttributor::stats() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  return s_->stats;
}

}  // namespace netseen::ingest
