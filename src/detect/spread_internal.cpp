// spread.internal — the same NetBIOS/SMB behaviour towards the Internet appearing on a
// growing number of inside hosts over hours or days: a worm spreading inside the network
// (the founding mailing-list post: four machines on the first day, eighteen a month on).
// Hosts are counted per `bucket_h` (24 h) bucket; the finding needs at least
// `min_hosts` (3) hosts, at least two buckets, and more hosts active in the last bucket
// than in the first. The source is the earliest host seen: the first place to look.
//
// Across runs: the per-host behaviour is reported to the Context (observe) so the history
// database keeps it, and the hosts earlier runs remembered (Context::prior, those active
// within `history_days` before this run) are counted with this run's. A run that by
// itself shows no growth — one day's log — still raises the finding when, counting the
// remembered hosts, at least `min_hosts` inside hosts show the behaviour, more than did
// in the first period, and this run brought at least one new host: "now on 18 machines".
#include <fmt/format.h>

#include <map>
#include <algorithm>
#include <set>

#include "detect/detectors.hpp"
#include "detect/netbios_events.hpp"

namespace netseen::detect {

namespace {

class SpreadInternal final : public Detector {
 public:
  struct Config {
    double bucket_h = 24;
    double min_hosts = 3;
    double max_hosts = 100'000;
    double history_days = 30;
  };
  [[nodiscard]] std::string_view id() const override { return "spread.internal"; }
  [[nodiscard]] std::string_view description() const override {
    return "NetBIOS/SMB to the Internet from a growing number of inside hosts over time";
  }
  std::vector<Param> params() override {
    return {{"bucket_h", &cfg_.bucket_h, "length of one time bucket in hours"},
            {"min_hosts", &cfg_.min_hosts, "inside hosts showing the behaviour before it is a spread"},
            {"max_hosts", &cfg_.max_hosts, "hosts tracked"},
            {"history_days", &cfg_.history_days,
             "days a host remembered from an earlier run still counts towards the spread"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kNetbios; }
  void on_event(const decode::Event& e, Context& ctx) override {
    const bool nb = (e.transport == decode::Transport::Udp && (e.dport == 137 || e.dport == 138)) ||
                    (e.transport == decode::Transport::Tcp && (e.dport == 139 || e.dport == 445) &&
                     ((e.tcp_flags & decode::tcpflag::kSyn) != 0 || e.tcp_flags == 0));
    if (!nb) return;
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    if (!e.dst.is_public() || !ctx.inside(e.src) || ctx.inside(e.dst)) return;
    if (!have_start_) {
      start_ = e.ts;
      have_start_ = true;
    }
    if (e.ts < start_) start_ = e.ts;  // inputs merged in time order make this rare
    const auto bucket_us = static_cast<std::int64_t>(cfg_.bucket_h * 3600e6);
    const std::int64_t b = bucket_us > 0 ? (e.ts.us - start_.us) / bucket_us : 0;
    auto& hosts = buckets_[b];
    if (static_cast<double>(first_seen_.size()) >= cfg_.max_hosts && first_seen_.count(e.src) == 0) {
      ctx.count_eviction(id());
      return;
    }
    if (hosts.size() < 100'000) hosts.insert(e.src);
    auto [it, fresh] = first_seen_.try_emplace(e.src, e.ts);
    if (!fresh && e.ts < it->second) it->second = e.ts;
    auto& span = last_seen_[e.src];
    span.second = std::max(span.second, e.ts);
    ++span.first;
    if (fresh) evidence_.add(e.origin);
    last_ = std::max(last_, e.ts);
    ++events_;
  }

  void finish(Context& ctx) override {
    for (const auto& [h, t] : first_seen_) {
      const auto& span = last_seen_[h];
      ctx.observe(id(), Observation{h, t, span.second, span.first});
    }
    collect_prior(ctx);
    if (!finish_within_run(ctx)) finish_across_runs(ctx);
  }

 private:
  // This run's hosts and the remembered ones (inside, active within history_days of this
  // run's start), each with the earliest time it showed the behaviour.
  void collect_prior(const Context& ctx) {
    all_ = first_seen_;
    remembered_ = 0;  // finish() may run more than once (Engine::snapshot)
    const auto window_us = static_cast<std::int64_t>(cfg_.history_days * 86400e6);
    for (const auto& o : ctx.prior(id())) {
      if (!ctx.inside(o.host)) continue;
      if (have_start_ && o.last.us < start_.us - window_us) continue;
      ++remembered_;
      auto [it, fresh] = all_.emplace(o.host, o.first);
      if (!fresh && o.first < it->second) it->second = o.first;
    }
  }

  // The earliest host over this run and the remembered ones.
  std::pair<IpAddress, Timestamp> earliest_host() const {
    IpAddress who;
    Timestamp earliest;
    bool any = false;
    for (const auto& [h, t] : all_) {
      if (!any || t < earliest || (t == earliest && h < who)) {
        who = h;
        earliest = t;
        any = true;
      }
    }
    return {who, earliest};
  }

  void fill_targets(Finding& f) const {
    f.target_count = all_.size();
    for (const auto& [h, t] : all_) {
      if (f.target_sample.size() == Finding::kMaxTargetSample) break;
      f.target_sample.push_back(h);
    }
  }

  static constexpr std::string_view kAdvice =
      "Treat it as an incident: compare the processes and autostart entries of the hosts in the sample, "
      "scan them with current anti-malware tools, start with the earliest host, and block outbound "
      "udp/137-138 and tcp/139,445 at the border.";

  // One run by itself shows the growth (the original rule).
  bool finish_within_run(Context& ctx) {
    if (static_cast<double>(first_seen_.size()) < cfg_.min_hosts || buckets_.size() < 2) return false;
    const auto first_n = buckets_.begin()->second.size();
    const auto last_n = buckets_.rbegin()->second.size();
    if (last_n <= first_n) return false;
    const auto [patient_zero, earliest] = earliest_host();
    Finding f;
    f.id = std::string(id());
    f.severity = Severity::High;
    f.verdict = Verdict::Suspicious;
    f.confidence = std::min(0.9, 0.5 + 0.05 * static_cast<double>(last_n - first_n));
    f.source = patient_zero;
    fill_targets(f);
    f.first_seen = std::min(start_, earliest);
    f.last_seen = last_;
    f.events = events_;
    f.evidence = evidence_.sample();
    std::vector<std::string> per_bucket;
    for (const auto& [b, hosts] : buckets_) per_bucket.push_back(fmt::format("{}:{}", b, hosts.size()));
    f.title = fmt::format("NetBIOS/SMB to the Internet spread from {} to {} inside hosts", first_n, last_n);
    f.explanation = fmt::format(
        "{} inside hosts sent NetBIOS or SMB traffic to public addresses. In the first {:.0f}-hour period {} did; "
        "in the last, {}. The same unusual behaviour appearing on more and more machines is how a worm spreading "
        "through shared folders or unpatched SMB looks. {} was the first to show it.",
        first_seen_.size(), cfg_.bucket_h, first_n, last_n, patient_zero.to_string());
    const bool wider = all_.size() > first_seen_.size() || earliest < start_;
    if (wider) {
      f.explanation += fmt::format(
          " Counting the hosts earlier runs remembered, it is now on {} inside machines, the first seen {}.",
          f.target_count, format_rfc3339(earliest).substr(0, 10));
    }
    f.advice = std::string(kAdvice);
    f.attr("hosts_per_bucket", per_bucket);
    f.attr("bucket_hours", cfg_.bucket_h);
    if (wider) f.attr("hosts_across_runs", static_cast<std::int64_t>(f.target_count));
    f.dedup_key = std::string(id());
    ctx.emit(std::move(f));
    return true;
  }

  // This run alone shows no growth (one day's log), the remembered runs with it do: at
  // least min_hosts hosts in all, more than in the first period, and some of this run's
  // hosts started after the first period.
  void finish_across_runs(Context& ctx) {
    if (remembered_ == 0 || first_seen_.empty()) return;
    const auto [patient_zero, earliest] = earliest_host();
    const auto bucket_us = std::max<std::int64_t>(1, static_cast<std::int64_t>(cfg_.bucket_h * 3600e6));
    std::size_t first_bucket = 0;
    for (const auto& [h, t] : all_) {
      if ((t.us - earliest.us) / bucket_us == 0) ++first_bucket;
    }
    std::size_t new_here = 0;  // hosts of this run that started after the first period
    for (const auto& [h, t] : first_seen_) {
      if ((all_[h].us - earliest.us) / bucket_us > 0) ++new_here;
    }
    const std::size_t total = all_.size();
    if (static_cast<double>(total) < cfg_.min_hosts || new_here == 0 || total <= first_bucket) return;
    Finding f;
    f.id = std::string(id());
    f.severity = Severity::High;
    f.verdict = Verdict::Suspicious;
    f.confidence = std::min(0.9, 0.5 + 0.05 * static_cast<double>(total - first_bucket));
    f.source = patient_zero;
    fill_targets(f);
    f.first_seen = earliest;
    f.last_seen = last_;
    f.events = events_;
    f.evidence = evidence_.sample();
    f.title = fmt::format("NetBIOS/SMB to the Internet now on {} inside hosts across runs ({} in the first period)",
                          total, first_bucket);
    f.explanation = fmt::format(
        "In this input {} inside hosts sent NetBIOS or SMB traffic to public addresses; with the hosts earlier runs "
        "remembered, the behaviour is now on {} inside machines. In the first {:.0f}-hour period, from {}, {} "
        "did; {} of this input's hosts started later. The same unusual behaviour "
        "appearing on more and more machines is how a worm spreading through shared folders or unpatched SMB "
        "looks. {} was the first to show it.",
        first_seen_.size(), total, cfg_.bucket_h, format_rfc3339(earliest).substr(0, 10), first_bucket, new_here,
        patient_zero.to_string());
    f.advice = std::string(kAdvice);
    f.attr("hosts_across_runs", static_cast<std::int64_t>(total));
    f.attr("hosts_this_run", static_cast<std::int64_t>(first_seen_.size()));
    f.attr("hosts_first_period", static_cast<std::int64_t>(first_bucket));
    f.attr("bucket_hours", cfg_.bucket_h);
    f.dedup_key = std::string(id());
    ctx.emit(std::move(f));
  }

  Config cfg_;
  bool have_start_ = false;
  Timestamp start_, last_;
  std::uint64_t events_ = 0;
  std::map<std::int64_t, std::set<IpAddress>> buckets_;
  std::map<IpAddress, Timestamp> first_seen_;
  std::map<IpAddress, std::pair<std::uint64_t, Timestamp>> last_seen_;  // events, last time
  std::map<IpAddress, Timestamp> all_;  // this run's and remembered hosts: earliest time
  std::size_t remembered_ = 0;          // remembered hosts within the window
  EvidenceSampler evidence_;
};

}  // namespace

std::unique_ptr<Detector> make_spread_internal() { return std::make_unique<SpreadInternal>(); }

}  // namespace netseen::detect
