// spread.internal — the same NetBIOS/SMB behaviour towards the Internet appearing on a
// growing number of inside hosts over hours or days: a worm spreading inside the network
// (the founding mailing-list post: four machines on the first day, eighteen a month on).
// Hosts are counted per `bucket_h` (24 h) bucket; the finding needs at least
// `min_hosts` (3) hosts, at least two buckets, and more hosts active in the last bucket
// than in the first. The source is the earliest host seen: the first place to look.
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
  };
  [[nodiscard]] std::string_view id() const override { return "spread.internal"; }
  [[nodiscard]] std::string_view description() const override {
    return "NetBIOS/SMB to the Internet from a growing number of inside hosts over time";
  }
  std::vector<Param> params() override {
    return {{"bucket_h", &cfg_.bucket_h, "length of one time bucket in hours"},
            {"min_hosts", &cfg_.min_hosts, "inside hosts showing the behaviour before it is a spread"},
            {"max_hosts", &cfg_.max_hosts, "hosts tracked"}};
  }

  void on_event(const decode::Event& e, Context& ctx) override {
    const bool nb = (e.transport == decode::Transport::Udp && (e.dport == 137 || e.dport == 138)) ||
                    (e.transport == decode::Transport::Tcp && (e.dport == 139 || e.dport == 445) &&
                     ((e.tcp_flags & decode::tcpflag::kSyn) != 0 || e.tcp_flags == 0));
    if (!nb || !ctx.inside(e.src) || ctx.inside(e.dst) || !e.dst.is_public()) return;
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
    auto [it, fresh] = first_seen_.emplace(e.src, e.ts);
    if (!fresh && e.ts < it->second) it->second = e.ts;
    if (fresh) evidence_.add(e.origin);
    last_ = std::max(last_, e.ts);
    ++events_;
  }

  void finish(Context& ctx) override {
    if (static_cast<double>(first_seen_.size()) < cfg_.min_hosts || buckets_.size() < 2) return;
    const auto first_n = buckets_.begin()->second.size();
    const auto last_n = buckets_.rbegin()->second.size();
    if (last_n <= first_n) return;
    IpAddress patient_zero;
    Timestamp earliest;
    bool any = false;
    for (const auto& [h, t] : first_seen_) {
      if (!any || t < earliest || (t == earliest && h < patient_zero)) {
        patient_zero = h;
        earliest = t;
        any = true;
      }
    }
    Finding f;
    f.id = std::string(id());
    f.severity = Severity::High;
    f.verdict = Verdict::Suspicious;
    f.confidence = std::min(0.9, 0.5 + 0.05 * static_cast<double>(last_n - first_n));
    f.source = patient_zero;
    f.target_count = first_seen_.size();
    for (const auto& [h, t] : first_seen_) {
      if (f.target_sample.size() < Finding::kMaxTargetSample) f.target_sample.push_back(h);
    }
    f.first_seen = start_;
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
    f.advice = "Treat it as an incident: compare the processes and autostart entries of the hosts in the sample, "
               "scan them with current anti-malware tools, start with the earliest host, and block outbound "
               "udp/137-138 and tcp/139,445 at the border.";
    f.attr("hosts_per_bucket", per_bucket);
    f.attr("bucket_hours", cfg_.bucket_h);
    f.dedup_key = std::string(id());
    ctx.emit(std::move(f));
  }

 private:
  Config cfg_;
  bool have_start_ = false;
  Timestamp start_, last_;
  std::uint64_t events_ = 0;
  std::map<std::int64_t, std::set<IpAddress>> buckets_;
  std::map<IpAddress, Timestamp> first_seen_;
  EvidenceSampler evidence_;
};

}  // namespace

std::unique_ptr<Detector> make_spread_internal() { return std::make_unique<SpreadInternal>(); }

}  // namespace netseen::detect
