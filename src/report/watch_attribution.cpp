#include "report/watch_attribution.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace netseen::report {

namespace {

using Clock = std::chrono::steady_clock;

struct FlowKey {
  std::uint8_t protocol = 0;
  IpAddress local, remote;
  std::uint16_t local_port = 0, remote_port = 0;
  friend bool operator==(const FlowKey&, const FlowKey&) = default;
};
struct FlowKeyHash {
  std::size_t operator()(const FlowKey& k) const noexcept {
    const IpAddressHash h;
    std::size_t v = h(k.local) * 31u + h(k.remote);
    v = v * 131u + (std::size_t{k.local_port} << 16 | k.remote_port);
    return v * 7u + k.protocol;
  }
};

// What one lookup concluded, kept small: a pid (found) or a failure with its reason.
struct Answer {
  ingest::AttributionStatus status = ingest::AttributionStatus::Unsupported;
  int pid = 0;
  Clock::time_point at;
};

struct HostProcess {
  ingest::ProcessInfo info;
  std::uint64_t events = 0;
  bool socket_closed_seen = false;
};

struct Failure {
  std::uint64_t events = 0;
  std::string reason;
};

struct HostRecord {
  std::map<int, HostProcess> processes;  // by pid
  std::map<ingest::AttributionStatus, Failure> failures;
};

std::uint64_t frame_key(const decode::Origin& o) { return (std::uint64_t{o.input} << 48) ^ o.number; }

void drop_process_attributes(detect::Finding& f) {
  auto& a = f.attributes;
  a.erase(std::remove_if(a.begin(), a.end(), [](const auto& kv) { return kv.first.rfind("process.", 0) == 0; }),
          a.end());
}

}  // namespace

struct WatchAttribution::State {
  WatchAttributionOptions opt;
  std::unique_ptr<ingest::ProcessAttributor> attributor;
  ingest::LocalAddresses local;
  bool refresh_local = true;
  Clock::time_point local_read_at = Clock::now();
  mutable std::mutex mu;
  std::unordered_map<FlowKey, Answer, FlowKeyHash> flows;
  std::unordered_map<std::uint64_t, int> frame_answer;  // frame → pid (> 0) or -(1 + failure status)
  std::deque<std::uint64_t> frame_order;
  std::unordered_map<IpAddress, HostRecord, IpAddressHash> hosts;
  std::uint64_t flow_hits = 0;

  void remember_frame(const decode::Origin& origin, int code) {
    if (frame_answer.size() >= opt.max_frames && !frame_order.empty()) {
      frame_answer.erase(frame_order.front());
      frame_order.pop_front();
    }
    const std::uint64_t k = frame_key(origin);
    if (frame_answer.emplace(k, code).second) frame_order.push_back(k);
  }
  static int failure_code(ingest::AttributionStatus s) { return -1 - static_cast<int>(s); }

  void note(const IpAddress& host, const ingest::Attribution& a, const decode::Origin& origin) {
    auto it = hosts.find(host);
    if (it == hosts.end()) {
      if (hosts.size() >= opt.max_hosts) return;
      it = hosts.emplace(host, HostRecord{}).first;
    }
    HostRecord& h = it->second;
    if (a.found() && a.process) {
      auto p = h.processes.find(a.process->pid);
      if (p == h.processes.end()) {
        if (h.processes.size() >= opt.max_processes_per_host) return;
        p = h.processes.emplace(a.process->pid, HostProcess{*a.process, 0, false}).first;
      }
      ++p->second.events;
      p->second.socket_closed_seen = p->second.socket_closed_seen || a.socket_closed;
      remember_frame(origin, a.process->pid);
    } else {
      Failure& fl = h.failures[a.status];
      ++fl.events;
      fl.reason = a.reason;  // the latest says most about now
      remember_frame(origin, failure_code(a.status));
    }
  }

  void note_cached(const IpAddress& host, const Answer& ans, const decode::Origin& origin) {
    auto it = hosts.find(host);
    if (it == hosts.end()) return;
    if (ans.status == ingest::AttributionStatus::Found) {
      auto p = it->second.processes.find(ans.pid);
      if (p == it->second.processes.end()) return;
      ++p->second.events;
      remember_frame(origin, ans.pid);
    } else if (auto f = it->second.failures.find(ans.status); f != it->second.failures.end()) {
      ++f->second.events;
      remember_frame(origin, failure_code(ans.status));
    }
  }
};

WatchAttribution::WatchAttribution(std::unique_ptr<State> s) : s_(std::move(s)) {}
WatchAttribution::~WatchAttribution() = default;

Result<std::unique_ptr<WatchAttribution>> WatchAttribution::create(const WatchAttributionOptions& options) {
  NETSEEN_TRY_ASSIGN(auto local, ingest::LocalAddresses::current());
  NETSEEN_TRY_ASSIGN(auto w, create(options, std::move(local)));
  w->s_->refresh_local = true;
  return w;
}

Result<std::unique_ptr<WatchAttribution>> WatchAttribution::create(const WatchAttributionOptions& options,
                                                                   ingest::LocalAddresses local) {
  auto s = std::make_unique<State>();
  s->opt = options;
  NETSEEN_TRY_ASSIGN(s->attributor, ingest::ProcessAttributor::create(options.attributor));
  s->local = std::move(local);
  s->refresh_local = false;
  return std::unique_ptr<WatchAttribution>(new WatchAttribution(std::move(s)));
}

void WatchAttribution::on_event(const decode::Event& ev) {
  if (ev.transport != decode::Transport::Tcp && ev.transport != decode::Transport::Udp) {
    // Still recorded for a local sender, so that a finding about it can say why no process.
    std::lock_guard<std::mutex> lock(s_->mu);
    if (ev.ip_version != 0 && s_->local.contains(ev.src)) {
      ingest::Attribution a;
      a.status = ingest::AttributionStatus::Unsupported;
      a.reason = std::string("its traffic here is ") + decode::to_string(ev.transport) +
                 ", and only TCP and UDP sockets can be attributed";
      s_->note(ev.src, a, ev.origin);
    }
    return;
  }
  std::lock_guard<std::mutex> lock(s_->mu);
  const auto now = Clock::now();
  if (s_->refresh_local && now - s_->local_read_at > std::chrono::duration<double>(s_->opt.local_refresh_s)) {
    static_cast<void>(s_->local.refresh());
    s_->local_read_at = now;
  }
  const bool src_local = s_->local.contains(ev.src);
  if (!src_local && !s_->local.contains(ev.dst)) return;  // forwarded: nothing to attribute
  FlowKey k;
  k.protocol = ev.transport == decode::Transport::Tcp ? ingest::kIpProtoTcp : ingest::kIpProtoUdp;
  k.local = src_local ? ev.src : ev.dst;
  k.remote = src_local ? ev.dst : ev.src;
  k.local_port = src_local ? ev.sport : ev.dport;
  k.remote_port = src_local ? ev.dport : ev.sport;
  if (auto it = s_->flows.find(k); it != s_->flows.end()) {
    const auto ttl = it->second.status == ingest::AttributionStatus::Found
                         ? std::chrono::duration<double>(s_->opt.flow_ttl_s)
                         : std::chrono::duration<double>(1.0);
    if (now - it->second.at < ttl) {
      ++s_->flow_hits;
      s_->note_cached(k.local, it->second, ev.origin);
      return;
    }
  }
  const ingest::Attribution a = s_->attributor->attribute(k.protocol, k.local, k.local_port, k.remote, k.remote_port, ev.ts);
  s_->note(k.local, a, ev.origin);
  if (s_->flows.size() >= s_->opt.max_flows) s_->flows.clear();
  s_->flows[k] = Answer{a.status, a.process ? a.process->pid : 0, now};
}

void WatchAttribution::enrich(detect::Finding& f) {
  std::lock_guard<std::mutex> lock(s_->mu);
  if (!s_->local.contains(f.source)) return;
  drop_process_attributes(f);
  auto h = s_->hosts.find(f.source);
  if (h == s_->hosts.end()) {
    f.attr("process.status", std::string("unknown"));
    f.attr("process.reason", std::string("no TCP or UDP packet of this host was seen while watching, so there is "
                                         "no socket to look up"));
    return;
  }
  const HostRecord& rec = h->second;
  // Only the finding's own evidence packets decide: naming the host's busiest process for a
  // finding it did not cause would be a guess.
  std::map<int, std::size_t> votes;  // pid (> 0) or failure code → evidence packets
  for (const auto& o : f.evidence) {
    if (auto it = s_->frame_answer.find(frame_key(o)); it != s_->frame_answer.end()) ++votes[it->second];
  }
  int best_pid = 0, best_failure = 0;
  std::size_t pid_votes = 0, failure_votes = 0;
  for (const auto& [code, n] : votes) {
    if (code > 0 && n > pid_votes) {
      best_pid = code;
      pid_votes = n;
    } else if (code < 0 && n > failure_votes) {
      best_failure = code;
      failure_votes = n;
    }
  }
  const auto p = best_pid != 0 ? rec.processes.find(best_pid) : rec.processes.end();
  if (p == rec.processes.end()) {
    if (best_failure == 0) {
      f.attr("process.status", std::string("unknown"));
      f.attr("process.reason", std::string("none of this finding's evidence packets was looked up (they are not "
                                           "TCP/UDP packets seen while watching, or too old to be remembered)"));
      return;
    }
    const auto status = static_cast<ingest::AttributionStatus>(-1 - best_failure);
    const auto fl = rec.failures.find(status);
    f.attr("process.status", std::string(ingest::to_string(status)));
    f.attr("process.reason", fl != rec.failures.end() ? fl->second.reason : std::string("no lookup was made"));
    return;
  }
  const HostProcess& best = p->second;
  f.attr("process.status", std::string("found"));
  f.attr("process.pid", std::int64_t{best.info.pid});
  f.attr("process.command", best.info.command);
  f.attr("process.cmdline", best.info.cmdline);
  f.attr("process.uid", std::int64_t{best.info.uid});
  if (!best.info.user.empty()) f.attr("process.user", best.info.user);
  if (best.socket_closed_seen) f.attr("process.socket_closed", true);
  // Other processes behind the same finding's evidence (a worm that forks, say).
  std::vector<std::string> others;
  for (const auto& [code, n] : votes) {
    if (code <= 0 || code == best_pid || others.size() >= 5) continue;
    if (auto o = rec.processes.find(code); o != rec.processes.end()) {
      others.push_back(std::to_string(code) + " " + o->second.info.command);
    }
  }
  if (!others.empty()) f.attr("process.others", others);
}

std::string process_text(const detect::Finding& f) {
  std::string status, reason, command, cmdline, user;
  std::int64_t pid = 0, uid = -1;
  bool closed = false;
  for (const auto& [k, v] : f.attributes) {
    if (k.rfind("process.", 0) != 0) continue;
    const auto* s = std::get_if<std::string>(&v);
    const auto* i = std::get_if<std::int64_t>(&v);
    if (k == "process.status" && s != nullptr) status = *s;
    if (k == "process.reason" && s != nullptr) reason = *s;
    if (k == "process.command" && s != nullptr) command = *s;
    if (k == "process.cmdline" && s != nullptr) cmdline = *s;
    if (k == "process.user" && s != nullptr) user = *s;
    if (k == "process.pid" && i != nullptr) pid = *i;
    if (k == "process.uid" && i != nullptr) uid = *i;
    if (k == "process.socket_closed" && std::holds_alternative<bool>(v)) closed = std::get<bool>(v);
  }
  if (status.empty()) return {};
  if (status != "found") return "not attributed (" + status + "): " + reason;
  std::string out = "pid " + std::to_string(pid) + " " + command;
  if (!user.empty()) {
    out += ", user " + user + " (uid " + std::to_string(uid) + ")";
  } else if (uid >= 0) {
    out += ", uid " + std::to_string(uid);
  }
  if (!cmdline.empty()) out += ": " + cmdline;
  if (closed) out += " (socket closed since)";
  return out;
}

std::string WatchAttribution::mode() const { return s_->attributor->mode(); }
ingest::AttributionStats WatchAttribution::stats() const { return s_->attributor->stats(); }
std::uint64_t WatchAttribution::flow_cache_hits() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  return s_->flow_hits;
}

}  // namespace netseen::report
