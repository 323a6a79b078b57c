#include "detect/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <system_error>
#include <iterator>
#include <thread>
#include <charconv>
#include <cmath>

#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {
constexpr std::array<int, 4> kInitialTtls = {32, 64, 128, 255};

std::size_t ttl_bucket(std::uint8_t ttl) noexcept {
  for (std::size_t i = 0; i < kInitialTtls.size(); ++i) {
    if (ttl <= kInitialTtls[i]) return i;
  }
  return 3;
}

// Report order: severity (highest first), then source, then id, then start, then the
// deduplication key (one source's findings of one id on several ports or targets): a total
// order, so the report does not depend on the order detectors keep their state in.
void sort_findings(std::vector<Finding>& f) {
  std::stable_sort(f.begin(), f.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.source != b.source) return a.source < b.source;
    if (a.id != b.id) return a.id < b.id;
    if (a.first_seen != b.first_seen) return a.first_seen < b.first_seen;
    return a.dedup_key < b.dedup_key;
  });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
}  // namespace

std::uint8_t interest::of(const decode::Event& e) noexcept {
  std::uint8_t k = 0;
  switch (e.transport) {
    case decode::Transport::Tcp: k = interest::kTcp; break;
    case decode::Transport::Udp: k = interest::kUdp; break;
    case decode::Transport::Icmp:
    case decode::Transport::Icmpv6: k = interest::kIcmp; break;
    case decode::Transport::None:
    case decode::Transport::Other: k = e.ip_version != 0 ? interest::kOtherIp : interest::kNonIp; break;
  }
  if (e.icmp) k |= interest::kIcmp;
  if ((k & (interest::kTcp | interest::kUdp)) != 0) {
    auto nb = [](std::uint16_t p) { return p == 137 || p == 138 || p == 139 || p == 445; };
    if (nb(e.sport) || nb(e.dport) || e.nbns) k |= interest::kNetbios;
  }
  return k;
}

knowledge::TtlGuess guess_ttl(const HostFacts& h, const knowledge::KnowledgeBase* kb) {
  std::size_t best = 4;
  for (std::size_t i = 0; i < 4; ++i) {
    if (h.ttl_bucket_count[i] > 0 && (best == 4 || h.ttl_bucket_count[i] > h.ttl_bucket_count[best])) best = i;
  }
  if (best == 4) return {};
  return (kb != nullptr ? *kb : knowledge::builtin_kb()).ttl(h.ttl_bucket_max[best]);
}

TtlConsistency ttl_consistency(const HostFacts& h) {
  TtlConsistency c;
  const auto& st = h.stack_ttls;
  std::uint64_t total = 0;
  for (auto n : st.count) total += n;
  if (total == 0) return c;
  std::size_t best = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto n = st.count[i];
    if (n > st.count[best]) best = i;
    if (n >= 2 && n * 20 >= total) c.initials.push_back(kInitialTtls[i]);
  }
  c.hops_min = kInitialTtls[best] - st.max[best];
  c.hops_max = kInitialTtls[best] - st.min[best];
  c.several_initials = c.initials.size() > 1;
  c.hop_jump = st.count[best] >= 2 && c.hops_max - c.hops_min > 2;
  c.inconsistent = c.several_initials || c.hop_jump;
  return c;
}

std::string TtlConsistency::summary() const {
  std::string out;
  if (several_initials) {
    out = "initial TTLs ";
    for (std::size_t i = 0; i < initials.size(); ++i) {
      out += fmt::format("{}{}", i == 0 ? "" : (i + 1 == initials.size() ? " and " : ", "), initials[i]);
    }
  }
  if (hop_jump) out += fmt::format("{}hop distance {}-{}", out.empty() ? "" : "; ", hops_min, hops_max);
  return out;
}

std::string ipid_pattern(const HostFacts& h) {
  return std::string(knowledge::to_string(knowledge::ipid_pattern(h.ip_ids).pattern));
}

Engine::Engine(const EngineOptions& options)
    : max_hosts_(options.max_hosts), ctx_(options.home_nets), detectors_(make_all_detectors()) {
  ignore_interest_ = options.ignore_interest;
  for (std::size_t kinds = 0; kinds < by_interest_.size(); ++kinds) {
    for (auto& d : detectors_) {
      if (ignore_interest_ || (d->interest() & kinds) != 0) by_interest_[kinds].push_back(d.get());
    }
  }
  const knowledge::KnowledgeBase* kb = options.kb != nullptr ? options.kb : &knowledge::builtin_kb();
  ctx_.set_kb(kb);
  ctx_.set_geoip(options.geoip);
  const Context* ctx = &ctx_;
  // Region of an address on a date: special-purpose blocks by name, the home networks as
  // "inside", otherwise the registry that held the /8 then, or its IANA status.
  ctx_.set_region_lookup([kb, ctx](const IpAddress& a, Timestamp at) -> std::string {
    if (ctx->inside(a)) return "inside";
    if (const auto* sp = kb->special_block(a)) return sp->name;
    const auto reg = kb->registry_of(a, at);
    if (!reg.empty()) return std::string(reg);
    if (a.is_v4()) {
      return std::string(knowledge::to_string(kb->slash8_status(static_cast<std::uint8_t>(a.v4_value() >> 24), at)));
    }
    return "unknown";
  });
  // Spoofed and decoy packets give themselves away by TTLs that disagree: say so on the
  // findings where a forged source matters (scans, impossible addresses).
  ctx_.set_enricher([this](Finding& f) {
    if (f.id.rfind("scan.", 0) != 0 && f.id.rfind("addr.", 0) != 0) return;
    auto it = hosts_.find(f.source);
    if (it == hosts_.end()) return;
    const auto c = ttl_consistency(it->second);
    if (!c.inconsistent) return;
    const auto what = c.summary();
    f.attr("ttl_inconsistent", true);
    f.attr("ttl_evidence", what);
    f.explanation += fmt::format(
        " The TTLs of {}'s packets disagree ({}): packets crafted with other or random TTLs — spoofed sources, "
        "decoys — or several machines behind one address.",
        f.source.to_string(), what);
  });
}

Result<std::map<std::string, std::string>> parse_detector_config(std::string_view text, std::string_view name) {
  std::map<std::string, std::string> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      return fail(ErrorKind::Malformed, "config", line_no,
                  fmt::format("{}:{}: expected 'detector.key = value'", name, line_no));
    }
    out[std::string(trim(line.substr(0, eq)))] = std::string(trim(line.substr(eq + 1)));
  }
  return out;
}

Result<std::unique_ptr<Engine>> Engine::create(const EngineOptions& options) {
  std::unique_ptr<Engine> e(new Engine(options));
  NETSEEN_TRY_ASSIGN(auto defaults, parse_detector_config(builtin_detector_defaults(), "data/detectors.conf"));
  for (const auto& [k, v] : options.overrides) defaults[k] = v;
  // Index every parameter of every detector.
  std::map<std::string, double*> slots;
  for (auto& d : e->detectors_) {
    for (auto& p : d->params()) slots[fmt::format("{}.{}", d->id(), p.key)] = p.value;
  }
  for (const auto& [key, text] : defaults) {
    auto it = slots.find(key);
    if (it == slots.end()) return fail(ErrorKind::Malformed, "config", 0, fmt::format("unknown setting '{}'", key));
    double v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || !std::isfinite(v)) {
      return fail(ErrorKind::Malformed, "config", 0, fmt::format("setting '{}': '{}' is not a number", key, text));
    }
    *it->second = v;
  }
  return e;
}

HostFacts* Engine::host(const IpAddress& a, Timestamp ts) {
  if (!a.valid()) return nullptr;
  const auto& cached = host_cache_[host_cache_slot(a)];
  HostFacts* h = cached.generation == host_generation_ && cached.address == a ? cached.facts : host_lookup(a, ts);
  if (h == nullptr) return nullptr;
  if (ts < h->first_seen) h->first_seen = ts;
  if (ts > h->last_seen) h->last_seen = ts;
  return h;
}

// Out of line: the table lookup and the insert are the cache's misses.
HostFacts* Engine::host_lookup(const IpAddress& a, Timestamp ts) {
  auto it = hosts_.find(a);
  if (it == hosts_.end()) {
    if (hosts_.size() >= max_hosts_) {
      ++stats_.hosts_evicted;
      host_evictions_.add(ctx_, "host.facts");
      return nullptr;
    }
    it = hosts_.emplace(a, HostFacts{}).first;
    ++host_generation_;  // the insert may have moved every entry
    it->second.address = a;
    it->second.first_seen = ts;
    it->second.last_seen = ts;
  }
  host_cache_[host_cache_slot(a)] = HostCacheEntry{a, host_generation_, &it->second};
  return &it->second;
}

void Engine::learn_names(const decode::Event& e) {
  if (!e.nbns) return;
  const auto& n = *e.nbns;
  // Registrations / refreshes (opcode 5, 8, 9, 15) name their sender.
  if (!n.response && (n.opcode == 5 || n.opcode == 8 || n.opcode == 9 || n.opcode == 15) && n.question) {
    ctx_.learned_name(e.src, *n.question);
  }
  // A node-status answer lists the responder's own names.
  if (n.response && n.qtype == 0x21) {
    for (const auto& nm : n.node_status_names) ctx_.learned_name(e.src, nm);
  }
}

void Engine::split_side(unsigned groups, bool light_on_main) {
  side_.assign(groups, {});
  side_decode_.assign(groups, decode::DecodeOptions{.depth = decode::Depth::Link, .verify_checksums = false,
                                                    .app_parts = 0});
  for (auto& list : main_by_interest_) list.clear();
  main_prefetchers_.clear();
  if (groups == 0) return;
  // Parallel-safe detectors go round the groups in registry order; the rest stay on main.
  std::vector<int> group_of(detectors_.size(), -1);
  unsigned next = 0;
  for (std::size_t i = 0; i < detectors_.size(); ++i) {
    if (!detectors_[i]->parallel_safe()) continue;
    if (light_on_main && detectors_[i]->load() == Detector::Load::Light) continue;
    group_of[i] = static_cast<int>(next);
    auto& o = side_decode_[next];
    o.depth = std::max(o.depth, detectors_[i]->depth());
    o.verify_checksums = o.verify_checksums || detectors_[i]->reads_anomalies();
    o.app_parts = static_cast<std::uint8_t>(o.app_parts | detectors_[i]->reads_app_parts());
    next = (next + 1) % groups;
  }
  for (std::size_t kinds = 0; kinds < by_interest_.size(); ++kinds) {
    for (std::size_t i = 0; i < detectors_.size(); ++i) {
      Detector* d = detectors_[i].get();
      if (!ignore_interest_ && (d->interest() & kinds) == 0) continue;
      if (group_of[i] < 0) main_by_interest_[kinds].push_back(d);
      else side_[static_cast<std::size_t>(group_of[i])][kinds].push_back(d);
    }
  }
  for (std::size_t i = 0; i < detectors_.size(); ++i) {
    if (group_of[i] < 0 && detectors_[i]->prefetch_stages() >= 2) main_prefetchers_.push_back(detectors_[i].get());
  }
}

std::vector<Detector*> Engine::parallel_detectors() const {
  std::vector<Detector*> out;
  for (const auto& d : detectors_) {
    if (d->parallel_safe()) out.push_back(d.get());
  }
  return out;
}

void Engine::run_detector(Detector& d, std::span<const decode::Event> events, std::span<const std::uint8_t> kinds) {
  const std::uint8_t want = ignore_interest_ ? interest::kAll | interest::kNetbios : d.interest();
  const std::size_t n = std::min(events.size(), kinds.size());
  const unsigned stages = d.prefetch_stages();
  if (stages == 0) {
    for (std::size_t i = 0; i < n; ++i) {
      if ((want & kinds[i]) != 0) d.on_event(events[i], ctx_);
    }
    return;
  }
  // Each stage far enough ahead of the next for its lines to arrive, the last near enough
  // that they are still in the cache when the event's turn comes.
  using P = Detector::Prefetch;
  constexpr std::size_t kStep = Detector::kPrefetchStep;
  const auto ahead = [&](std::size_t i, P stage) {
    if (i < n && (want & kinds[i]) != 0) d.prefetch(events[i], stage);
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (stages == 3) {
      ahead(i + 3 * kStep, P::Tags);
      ahead(i + 2 * kStep, P::Entry);
      ahead(i + kStep, P::Inside);
    } else {
      ahead(i + 2 * kStep, P::Tags);
      ahead(i + kStep, P::Entry);
    }
    if ((want & kinds[i]) != 0) d.on_event(events[i], ctx_);
  }
}

void Engine::add_detector(std::unique_ptr<Detector> d) {
  for (std::size_t kinds = 0; kinds < by_interest_.size(); ++kinds) {
    if (ignore_interest_ || (d->interest() & kinds) != 0) by_interest_[kinds].push_back(d.get());
  }
  detectors_.push_back(std::move(d));
}

void Engine::on_event(const decode::Event& e) {
  bookkeeping(e);
  for (auto* d : by_interest_[interest::of(e)]) d->on_event(e, ctx_);
}

void Engine::prefetch_main(const decode::Event& e, Detector::Prefetch stage) const noexcept {
  if (stage == Detector::Prefetch::Tags) {
    hosts_.prefetch_tags(e.src);
    hosts_.prefetch_tags(e.dst);
  } else {
    // bookkeeping() writes the source's counts, times and TTLs (the first 150 bytes); of
    // the destination only one count.
    hosts_.prefetch_entry<160>(e.src);
    hosts_.prefetch_entry<64>(e.dst);
  }
  for (const auto* d : main_prefetchers_) d->prefetch(e, stage);
}

void Engine::on_event_main(const decode::Event& e) {
  if (side_.empty()) {
    on_event(e);
    return;
  }
  bookkeeping(e);
  for (auto* d : main_by_interest_[interest::of(e)]) d->on_event(e, ctx_);
}

void Engine::on_event_side(const decode::Event& e, unsigned group) {
  if (group >= side_.size()) return;
  for (auto* d : side_[group][interest::of(e)]) d->on_event(e, ctx_);
}

void Engine::bookkeeping(const decode::Event& e) {
  stats_.events += e.count;
  if (!stats_.have_ts) {
    stats_.first_ts = stats_.last_ts = e.ts;
    stats_.have_ts = true;
  } else {
    if (e.ts < stats_.first_ts) stats_.first_ts = e.ts;
    if (e.ts > stats_.last_ts) stats_.last_ts = e.ts;
  }
  if (e.transport != decode::Transport::None) by_transport_[static_cast<std::size_t>(e.transport) % 6].add(e.count);
  else if (e.ip_version != 0) by_ip_proto_[e.protocol].add(e.count);
  else non_ip_.add(e.count);
  if (e.action != decode::Action::Unknown) by_action_[static_cast<std::size_t>(e.action) % 4].add(e.count);
  if (auto* h = host(e.src, e.ts)) {
    h->events_as_source += e.count;
    h->bytes_as_source += e.wire_len != 0 ? e.wire_len : e.ip_len;
    if (e.has_ttl) {
      const auto b = ttl_bucket(e.ttl);
      ++h->ttl_bucket_count[b];
      if (e.ttl > h->ttl_bucket_max[b]) h->ttl_bucket_max[b] = e.ttl;
      if (e.transport == decode::Transport::Tcp ||
          (e.transport == decode::Transport::Udp && !scan::is_traceroute_udp(e))) {
        auto& st = h->stack_ttls;
        if (st.count[b]++ == 0 || e.ttl < st.min[b]) st.min[b] = e.ttl;
        if (e.ttl > st.max[b]) st.max[b] = e.ttl;
      }
    }
    if (e.has_ip_id && h->ip_ids.size() < HostFacts::kMaxIpIds) {
      h->ip_ids.push_back(e.ip_id);
      h->ip_ids_from_log = h->ip_ids_from_log || e.ip_id_from_log;
    }
  }
  if (auto* h = host(e.dst, e.ts)) h->events_as_destination += e.count;
  ctx_.dns_mut().on_event(e);
  learn_names(e);
}

const EngineStats& Engine::stats() const {
  auto& p = stats_.by_protocol;
  p.clear();
  for (std::size_t t = 1; t < by_transport_.size(); ++t) {
    if (by_transport_[t].seen) p[decode::to_string(static_cast<decode::Transport>(t))] += by_transport_[t].n;
  }
  for (std::size_t n = 0; n < by_ip_proto_.size(); ++n) {
    if (by_ip_proto_[n].seen) p[fmt::format("ip-proto-{}", n)] += by_ip_proto_[n].n;
  }
  if (non_ip_.seen) p["non-ip"] += non_ip_.n;
  stats_.by_action.clear();
  for (std::size_t a = 1; a < by_action_.size(); ++a) {
    if (by_action_[a].seen) stats_.by_action[decode::to_string(static_cast<decode::Action>(a))] += by_action_[a].n;
  }
  return stats_;
}

decode::DecodeOptions Engine::decode_options() const {
  decode::DecodeOptions o;
  o.depth = decode::Depth::Application;
  o.verify_checksums = std::any_of(detectors_.begin(), detectors_.end(),
                                   [](const std::unique_ptr<Detector>& d) { return d->reads_anomalies(); });
  // The engine's own bookkeeping reads NBNS (learned names) and PTR lookups (DnsTracker),
  // which every decode at Application depth builds.
  o.app_parts = 0;
  for (const auto& d : detectors_) o.app_parts = static_cast<std::uint8_t>(o.app_parts | d->reads_app_parts());
  return o;
}

decode::DecodeOptions Engine::side_decode_options(unsigned group) const {
  return group < side_decode_.size() ? side_decode_[group] : decode_options();
}

void Engine::finish(unsigned threads) {
  if (threads < 2) {
    for (auto& d : detectors_) d->finish(ctx_);
    sort_findings(ctx_.findings_mut());
    return;
  }
  // The calling thread finishes the detectors that are not parallel-safe, in registry order
  // and straight into the findings (one may read what another emitted before it:
  // netbios.outbound_internet looks for nbstat.reverse_lookup), then joins the helper in
  // taking parallel-safe ones in registry order, each into a list of its own.
  std::vector<std::vector<Finding>> emitted(detectors_.size());
  std::vector<std::size_t> safe;
  for (std::size_t i = 0; i < detectors_.size(); ++i) {
    if (detectors_[i]->parallel_safe()) safe.push_back(i);
  }
  std::atomic<std::size_t> next{0};
  const auto take_safe = [&] {
    for (std::size_t k = next.fetch_add(1); k < safe.size(); k = next.fetch_add(1)) {
      const std::size_t i = safe[k];
      const Context::EmitTo to(emitted[i]);
      detectors_[i]->finish(ctx_);
    }
  };
  // What a finish() throws (out of memory) reaches the caller as on one thread, after the
  // helper has stopped; without a helper (no thread to be had) one thread does it all.
  std::exception_ptr helper_failed;
  std::thread helper;
  try {
    helper = std::thread([&] {
      try {
        take_safe();
      } catch (...) {
        helper_failed = std::current_exception();
      }
    });
  } catch (const std::system_error&) {
  }
  try {
    for (std::size_t i = 0; i < detectors_.size(); ++i) {
      if (!detectors_[i]->parallel_safe()) detectors_[i]->finish(ctx_);
    }
    take_safe();
  } catch (...) {
    if (helper.joinable()) helper.join();
    throw;
  }
  if (helper.joinable()) helper.join();
  if (helper_failed) std::rethrow_exception(helper_failed);
  auto& f = ctx_.findings_mut();
  for (auto& list : emitted) std::move(list.begin(), list.end(), std::back_inserter(f));
  sort_findings(f);
}

std::vector<Finding> Engine::snapshot() {
  // Detectors emit into the context; what they emit here is taken out again, so a later
  // snapshot() or finish() starts from the same findings as this one did.
  const auto mark = ctx_.checkpoint();
  auto& f = ctx_.findings_mut();
  const auto before = static_cast<std::ptrdiff_t>(f.size());
  for (auto& d : detectors_) d->finish(ctx_);
  ctx_.rollback(mark);
  std::vector<Finding> out(f.begin(), f.begin() + before);
  out.insert(out.end(), std::make_move_iterator(f.begin() + before), std::make_move_iterator(f.end()));
  f.erase(f.begin() + before, f.end());
  sort_findings(out);
  return out;
}

}  // namespace netseen::detect
