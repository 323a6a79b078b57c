// scan.ip_protocol — one source sending packets with many different IP protocol numbers to
// one host (nmap -sO): the target's "protocol unreachable" answers tell which protocols its
// stack speaks. Real traffic between two hosts uses a handful of protocols (TCP, UDP,
// ICMP, IGMP, and perhaps GRE, ESP, AH, OSPF, SCTP); `min_protocols` (10) distinct numbers
// from one source to one host make a scan. A pair is followed from its first packet with a
// protocol other than TCP, UDP, ICMP and ICMPv6: ordinary traffic between two hosts starts
// no state (nor costs a table lookup while no pair is followed), and the finding's time span
// and packet count are those of the scan, not of the web session that went before it; the
// four common protocols still count once a pair is followed. Window: the whole input.
// State: per followed (source, target), `max_pairs`.
#include <fmt/format.h>

#include <array>
#include <bit>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"

namespace netseen::detect {

namespace {

class ScanIpProtocol final : public Detector {
 public:
  struct Config {
    double min_protocols = 10;
    double max_pairs = 50'000;
  };
  [[nodiscard]] std::string_view id() const override { return "scan.ip_protocol"; }
  [[nodiscard]] std::string_view description() const override {
    return "one source sends many different IP protocol numbers to one host (an IP protocol scan)";
  }
  std::vector<Param> params() override {
    return {{"min_protocols", &cfg_.min_protocols, "distinct IP protocol numbers to one host that make a scan"},
            {"max_pairs", &cfg_.max_pairs, "(source, target) pairs tracked at once (memory cap)"}};
  }

  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Headers; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (e.ip_version == 0 || !e.src.valid() || !e.dst.valid() || e.dst.is_multicast()) return;
    const bool common = e.protocol == 6 || e.protocol == 17 || e.protocol == 1 || e.protocol == 58;
    if (common && pairs_.empty()) return;
    // One bit per source hash, set for every followed pair's source: most common-protocol
    // packets come from sources with no followed pair and skip the table.
    const std::uint64_t src_bit = std::uint64_t{1} << (IpAddressHash{}(e.src) & 63);
    if (common && (followed_sources_ & src_bit) == 0) return;
    record(e, ctx, common, src_bit);
  }

  // Out of line: the tests above are all most packets cost (no registers saved for them).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx, bool common, std::uint64_t src_bit) {
    const scan::PairKey key{e.src, e.dst, 0};
    auto it = pairs_.find(key);
    if (it == pairs_.end()) {
      if (common) return;
      if (static_cast<double>(pairs_.size()) >= cfg_.max_pairs) {
        ctx.count_eviction(id());
        return;
      }
      it = pairs_.emplace(key, State{}).first;
      followed_sources_ |= src_bit;
      it->second.first = e.ts;
    }
    auto& s = it->second;
    s.last = e.ts;
    s.events += e.count;
    auto& w = s.protos[e.protocol >> 6];
    const auto bit = std::uint64_t{1} << (e.protocol & 63);
    if ((w & bit) == 0) {
      w |= bit;
      s.evidence.add(e.origin);
    }
  }

  void finish(Context& ctx) override {
    for (const auto& [k, s] : pairs_) {
      int n = 0;
      for (auto w : s.protos) n += std::popcount(w);
      if (static_cast<double>(n) < cfg_.min_protocols) continue;
      auto f = scan::make_finding(id(), k.a, s.first, s.last, s.events, s.evidence);
      f.dedup_key = fmt::format("{}|{}|{}", id(), k.a.to_string(), k.b.to_string());
      f.target_count = 1;
      f.target_sample = {k.b};
      f.verdict = Verdict::Suspicious;
      f.severity = k.a.is_public() ? Severity::High : Severity::Medium;
      f.confidence = n >= 50 ? 0.95 : 0.8;
      f.title = fmt::format("{} ran an IP protocol scan of {} ({} protocols)", k.a.to_string(), k.b.to_string(), n);
      f.explanation = fmt::format(
          "{} sent packets with {} different IP protocol numbers to {}. Two hosts talking use a handful (TCP, UDP, "
          "ICMP, perhaps GRE or IPsec); trying dozens is an IP protocol scan (nmap -sO), which learns from the "
          "ICMP protocol-unreachable answers which protocols the target's stack or firewall lets through.",
          k.a.to_string(), n, k.b.to_string());
      f.advice = "Drop unused IP protocols at the border and do not send ICMP protocol-unreachable to the Internet; "
                 "block the source if it is not an authorised scanner.";
      int lo = -1, hi = -1;
      for (int p = 0; p < 256; ++p) {
        if ((s.protos[static_cast<std::size_t>(p >> 6)] >> (p & 63) & 1) != 0) {
          if (lo < 0) lo = p;
          hi = p;
        }
      }
      f.attr("protocols", static_cast<std::int64_t>(n));
      f.attr("protocol_range", fmt::format("{}-{}", lo, hi));
      ctx.emit(std::move(f));
    }
  }

 private:
  struct State {
    Timestamp first, last;
    std::uint64_t events = 0;
    std::array<std::uint64_t, 4> protos{};
    EvidenceSampler evidence;
  };
  Config cfg_;
  FlatMap<scan::PairKey, State, scan::PairKeyHash> pairs_;
  std::uint64_t followed_sources_ = 0;  // bit (hash of source) % 64 of every key in pairs_
};

}  // namespace

std::unique_ptr<Detector> make_scan_ip_protocol() { return std::make_unique<ScanIpProtocol>(); }

}  // namespace netseen::detect
