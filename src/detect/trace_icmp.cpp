// trace.icmp — Windows tracert (and traceroute -I): ICMP echo requests to one target with
// the TTL rising 1, 2, 3, … (three per hop), answered by time-exceeded from each router and
// an echo reply from the target. Benign path diagnosis.
//
// Thresholds. Ordinary pings leave with one TTL (64, 128 or 255 minus nothing: the sender's
// default). A trace shows `min_ttls` (3) distinct TTLs of 30 or less on echo requests from
// one source to one target, or `min_routers` (2) routers answering time-exceeded for echo
// requests the source sent to the target. State: per (source, target), `max_pairs`.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

bool is_echo_request(const decode::Event& e) noexcept {
  if (!e.icmp) return false;
  return (e.transport == decode::Transport::Icmp && e.icmp->type == 8) ||
         (e.transport == decode::Transport::Icmpv6 && e.icmp->type == 128);
}

class TraceIcmp final : public Detector {
 public:
  struct Config {
    double min_ttls = 3;
    double min_routers = 2;
    double max_pairs = 20'000;
  };

  [[nodiscard]] std::string_view id() const override { return "trace.icmp"; }
  [[nodiscard]] std::string_view description() const override {
    return "Windows tracert: ICMP echo requests with rising TTL, answered by time-exceeded";
  }
  std::vector<Param> params() override {
    return {{"min_ttls", &cfg_.min_ttls, "distinct TTLs of 30 or less on echo requests to one target"},
            {"min_routers", &cfg_.min_routers, "routers answering time-exceeded for echo requests to one target"},
            {"max_pairs", &cfg_.max_pairs, "(source, target) pairs tracked at once (memory cap)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kIcmp; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Transport; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.icmp) return;
    if (is_echo_request(e)) {
      if (!e.has_ttl || e.ttl == 0 || e.ttl > 30) {
        // Only pairs already tracked count ordinary-TTL echoes (the final probes of a trace seen past the path).
        auto it = pairs_.find(scan::PairKey{e.src, e.dst, 0});
        if (it != pairs_.end()) touch(it->second, e);
        return;
      }
      auto* s = state(e.src, e.dst, ctx);
      if (s == nullptr) return;
      touch(*s, e);
      ++s->probes;
      s->ttls |= std::uint32_t{1} << (e.ttl - 1);
      return;
    }
    const bool echo_reply = (e.transport == decode::Transport::Icmp && e.icmp->type == 0) ||
                            (e.transport == decode::Transport::Icmpv6 && e.icmp->type == 129);
    if (echo_reply) {
      auto it = pairs_.find(scan::PairKey{e.dst, e.src, 0});
      if (it == pairs_.end()) return;
      touch(it->second, e);
      ++it->second.replies;
      return;
    }
    if (!e.icmp->quoted) return;
    const auto& q = *e.icmp->quoted;
    const bool v6 = e.transport == decode::Transport::Icmpv6;
    const bool exceeded = v6 ? e.icmp->type == 3 : e.icmp->type == 11;
    const bool quoted_echo = v6 ? (q.protocol == 58 && (q.icmp_type_code >> 8) == 128)
                                : (q.protocol == 1 && (q.icmp_type_code >> 8) == 8);
    if (!exceeded || !quoted_echo) return;
    auto* s = state(q.src, q.dst, ctx);
    if (s == nullptr) return;
    touch(*s, e);
    if (s->routers.size() < 64) s->routers.insert(e.src);
  }

  void finish(Context& ctx) override {
    for (const auto& [k, s] : pairs_) {
      const int distinct = std::popcount(s.ttls);
      if (static_cast<double>(distinct) < cfg_.min_ttls && static_cast<double>(s.routers.size()) < cfg_.min_routers) {
        continue;
      }
      const int max_ttl = 32 - std::countl_zero(s.ttls);
      const int hops = s.replies > 0 ? std::max(max_ttl, static_cast<int>(s.routers.size()) + 1)
                                     : std::max(max_ttl, static_cast<int>(s.routers.size()));
      auto f = scan::make_finding(id(), k.a, s.first, s.last, s.events, s.evidence);
      f.dedup_key = fmt::format("{}|{}|{}", id(), k.a.to_string(), k.b.to_string());
      f.target_count = 1;
      f.target_sample = {k.b};
      f.verdict = Verdict::Benign;
      f.severity = Severity::Info;
      f.confidence = distinct >= 3 && !s.routers.empty() ? 0.95 : 0.8;
      f.title = fmt::format("{} traced the route to {} with ICMP ({} hops{})", k.a.to_string(), k.b.to_string(),
                            hops, s.replies > 0 ? "" : ", target not reached");
      f.explanation = fmt::format(
          "{} sent {} ICMP echo requests to {} with {} distinct small TTLs (up to {}); {} routers answered "
          "time-exceeded and the target sent {} echo replies. Echo requests whose TTL grows by one each round are "
          "Windows tracert (or traceroute -I) mapping the path, not a ping flood or a sweep.",
          k.a.to_string(), s.probes, k.b.to_string(), distinct, max_ttl, s.routers.size(), s.replies);
      f.advice = "Nothing to do unless traces from this source are unexpected; a firewall that should stay "
                 "invisible drops outbound ICMP time-exceeded.";
      f.attr("target", k.b.to_string());
      f.attr("hops", static_cast<std::int64_t>(hops));
      f.attr("reached", s.replies > 0);
      f.attr("probes", static_cast<std::int64_t>(s.probes));
      f.attr("routers_answering", static_cast<std::int64_t>(s.routers.size()));
      ctx.emit(std::move(f));
    }
  }

 private:
  struct State {
    Timestamp first, last;
    std::uint64_t events = 0, probes = 0, replies = 0;
    std::uint32_t ttls = 0;  // bit t-1: an echo request with TTL t (1..30)
    FlatSet<IpAddress, IpAddressHash> routers;
    EvidenceSampler evidence;
  };

  State* state(const IpAddress& src, const IpAddress& dst, Context& ctx) {
    if (!src.valid() || !dst.valid()) return nullptr;
    const scan::PairKey key{src, dst, 0};
    auto it = pairs_.find(key);
    if (it == pairs_.end()) {
      if (static_cast<double>(pairs_.size()) >= cfg_.max_pairs) {
        ctx.count_eviction(id());
        return nullptr;
      }
      it = pairs_.emplace(key, State{}).first;
    }
    return &it->second;
  }

  static void touch(State& s, const decode::Event& e) {
    if (s.events == 0 || e.ts < s.first) s.first = e.ts;
    if (s.events == 0 || e.ts > s.last) s.last = e.ts;
    s.events += e.count;
    s.evidence.add(e.origin);
  }

  Config cfg_;
  FlatMap<scan::PairKey, State, scan::PairKeyHash> pairs_;
};

}  // namespace

std::unique_ptr<Detector> make_trace_icmp() { return std::make_unique<TraceIcmp>(); }

}  // namespace netseen::detect
