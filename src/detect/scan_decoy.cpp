// scan.decoy — the same probes from many sources at once: a decoy scan (nmap -D). One
// machine sends every probe several times, once with its own address and once with each
// decoy address, back to back; the target sees N "scanners" probing the same port set at
// the same moments. The founding FAQ (1.3) says how to find the real one: the decoys are
// spoofed, so they never hold a conversation (the real scanner connects, completes
// handshakes, comes back for the open ports), and the TTLs and IP ids of the spoofed
// packets come from one machine's stack, not from N different hosts.
//
// Grouping. Per (target, transport), the sources that probed at least `min_ports`
// distinct ports (probe = a packet that opens something, as for scan.vertical). Sources
// whose port sets overlap by at least `min_overlap` (Jaccard) with the group's leader
// (the source with the most ports) and that started within `max_start_gap_s` of it form
// a group; `min_sources` members make a decoy scan. Many clients of one server never
// qualify: a client touches one or two service ports (web 80/443), not `min_ports` (5),
// and clients complete their handshakes — a group in which more than
// `max_talking_fraction` (0.5) of the members held a conversation is not spoofed and is
// dropped, as is one whose probed ports mostly answered (`max_answered_fraction`), which
// is a set of monitoring agents checking the same services.
//
// Evidence for "one machine".
// - TTL: real hosts far apart on the Internet arrive with different TTLs (other initial
//   TTLs, other hop distances), and each host's TTL is steady packet after packet. Decoy
//   copies either share one TTL (same stack, same path: within one across sources),
//   or — nmap's default — every packet carries a random TTL, so each "source" jitters
//   over the same range. Either pattern across the group is recorded.
// - IP id: nmap gives all copies of one probe the same IP id; a plain raw-socket tool
//   takes them from one counter. Consecutive probes from different members whose ids are
//   equal or step by at most `max_ipid_step` mean one sender.
// Pointing at the real scanner (score per member, highest unique score wins):
//   +3 it held a conversation (completed a handshake the target answered, or sent data);
//   +2 its TTL behaviour differs from the group's (another TTL — initial TTL or hop
//      distance — while the others agree, or a steady TTL while the others jitter: old nmap
//      randomised only the decoys' TTLs);
//   +1 its IP ids stay outside the sequence the others share.
// Confidence in the pointing grows with the winning score and its margin; without a
// unique winner the finding says it cannot tell. State: one entry per (source, target,
// transport) pair, capped at `max_pairs` (when full, a new pair replaces a nearby one-port
// pair, counted as evicted); each keeps at most 32 IP id samples and 8
// distinct TTL values.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include "core/flat_map.hpp"

#include "detect/detectors.hpp"
#include "detect/scan_common.hpp"
#include "knowledge/kb.hpp"

namespace netseen::detect {

namespace {

using scan::PairKey;
using scan::PairKeyHash;
using scan::Probe;

constexpr std::size_t kMaxIdSamples = 32;
constexpr std::size_t kVictimLook = 8;  // pairs looked at for one to replace when full
constexpr std::size_t kMaxTtlValues = 8;

class ScanDecoy final : public Detector {
 public:
  struct Config {
    double min_ports = 5;
    double min_sources = 3;
    double min_overlap = 0.6;
    double max_start_gap_s = 600;
    double max_talking_fraction = 0.5;
    double max_answered_fraction = 0.5;
    double max_ipid_step = 16;
    double max_pairs = 50'000;
    double max_candidates = 512;
  };

  [[nodiscard]] std::string_view id() const override { return "scan.decoy"; }
  [[nodiscard]] std::string_view description() const override {
    return "the same probes from many sources at once (a decoy scan); TTL and IP id point at the real scanner";
  }
  std::vector<Param> params() override {
    return {{"min_ports", &cfg_.min_ports, "distinct ports a source must probe on the target to be a group member"},
            {"min_sources", &cfg_.min_sources, "sources probing the same ports at once before it is a decoy scan"},
            {"min_overlap", &cfg_.min_overlap, "Jaccard overlap of a member's port set with the leader's (0..1)"},
            {"max_start_gap_s", &cfg_.max_start_gap_s, "seconds between the leader's first probe and a member's"},
            {"max_talking_fraction", &cfg_.max_talking_fraction,
             "share of members that held a conversation above which the group is real clients, not decoys"},
            {"max_answered_fraction", &cfg_.max_answered_fraction,
             "share of probed ports that answered above which the group is service checks, not a scan"},
            {"max_ipid_step", &cfg_.max_ipid_step,
             "largest IP id step between consecutive probes of different sources that still reads as one counter"},
            {"max_pairs", &cfg_.max_pairs,
             "(source, target) pairs tracked at once (memory cap; when full, a new one replaces a one-port pair)"},
            {"max_candidates", &cfg_.max_candidates,
             "sources per target compared with each other at the end, those with the most ports first (the "
             "comparison is quadratic; the rest are counted as evictions)"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kTcp | interest::kUdp; }
  [[nodiscard]] bool parallel_safe() const override { return true; }
  [[nodiscard]] decode::Depth depth() const override { return decode::Depth::Headers; }
  [[nodiscard]] unsigned prefetch_stages() const override { return 3; }
  void prefetch(const decode::Event& e, Prefetch stage) const override {
    if (e.transport != decode::Transport::Tcp && e.transport != decode::Transport::Udp) return;
    const bool answer = e.transport == decode::Transport::Tcp && (e.tcp_flags & 0x12) == 0x12;
    const PairKey key = answer ? PairKey{e.dst, e.src, static_cast<std::uint16_t>(e.transport)}
                               : PairKey{e.src, e.dst, static_cast<std::uint16_t>(e.transport)};
    // A probe writes its entry's first 272 bytes (times, TTLs, ports, ID samples, evidence),
    // then (the entry in the cache by then) its port set's line for the port and the next
    // IP id sample's.
    scan::prefetch_pair<272>(pairs_, key, stage, answer, [&](const State& s) __attribute__((always_inline)) {
      s.ports.prefetch(e.dport);
      if (s.ids.size() < kMaxIdSamples) __builtin_prefetch(s.ids.data() + s.ids.size());
    });
  }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.src.valid() || !e.dst.valid()) return;
    const bool tcp = e.transport == decode::Transport::Tcp;
    if (!tcp && e.transport != decode::Transport::Udp) return;
    if (tcp && (e.tcp_flags & 0x12) == 0x12) {  // SYN+ACK: the target answered a probe
      if (auto* s = find(e.dst, e.src, e.transport)) s->answered.add(e.sport);
      return;
    }
    if (tcp && (e.tcp_flags & decode::tcpflag::kAck) != 0 && (e.tcp_flags & decode::tcpflag::kRst) == 0) {
      // The rest of a conversation: the ACK that completes an answered handshake, or data.
      if (auto* s = find(e.src, e.dst, e.transport)) {
        if (e.payload_len > 0 || s->answered.contains(e.dport)) {
          ++s->talk;
          s->talk_evidence.add(e.origin);
          return;
        }
      }
    }
    const Probe p = scan::classify_probe(e);
    if (p == Probe::None) return;
    if (!tcp && (scan::is_traceroute_udp(e) || e.dport == 137)) return;
    if (e.dst.is_multicast() || e.dst.is_limited_broadcast()) return;
    const PairKey key{e.src, e.dst, static_cast<std::uint16_t>(e.transport)};
    auto it = pairs_.find(key);
    if (it == pairs_.end()) {
      if (static_cast<double>(pairs_.size()) >= cfg_.max_pairs) {
        // Full: as in scan.vertical, a nearby pair that has seen one port (a sweep's) makes
        // room; one port is far from a candidate's min_ports. Pairs with more stay.
        evicted_.add(ctx, id());
        it = pairs_.replace_near(key, kVictimLook, [](const auto& kv) { return kv.second.ports.count() <= 1; });
        if (it == pairs_.end()) return;
      } else {
        it = pairs_.emplace(key, State{}).first;
      }
      it->second.first = e.ts;
    }
    auto& s = it->second;
    s.last = e.ts;
    s.events += e.count;
    s.evidence.add(e.origin);
    s.ports.add(e.dport);
    if (e.has_ttl) s.add_ttl(e.ttl);
    if (e.has_ip_id && s.ids.size() < kMaxIdSamples) s.ids.push_back({e.ts, e.ip_id});
  }

  void finish(Context& ctx) override {
    // Candidates per (target, transport), deterministic order.
    std::map<std::pair<IpAddress, std::uint16_t>, std::vector<Member>> by_target;
    for (const auto& [k, s] : pairs_) {
      if (static_cast<double>(s.ports.count()) < cfg_.min_ports) continue;
      by_target[{k.b, k.extra}].push_back(Member{k.a, &s, {}});
    }
    const auto max_candidates = static_cast<std::size_t>(std::max(3.0, cfg_.max_candidates));
    for (auto& [tk, cands] : by_target) {
      if (static_cast<double>(cands.size()) < cfg_.min_sources) continue;
      std::sort(cands.begin(), cands.end(), [](const Member& x, const Member& y) {
        if (x.s->ports.count() != y.s->ports.count()) return x.s->ports.count() > y.s->ports.count();
        return x.src < y.src;
      });
      // A busy server probed by thousands of unrelated scanners must not make this
      // quadratic: only the sources with the most ports are compared (counted beyond).
      if (cands.size() > max_candidates) {
        ctx.count_eviction(id(), cands.size() - max_candidates);
        cands.resize(max_candidates);
      }
      for (auto& c : cands) c.ports = PortBits(c.s->ports.sorted());
      std::vector<bool> used(cands.size(), false);
      for (std::size_t i = 0; i < cands.size(); ++i) {
        if (used[i]) continue;
        std::vector<Member> group{cands[i]};
        used[i] = true;
        const double leader_n = static_cast<double>(cands[i].ports.n);
        for (std::size_t j = i + 1; j < cands.size(); ++j) {
          // Sorted by size: the overlap of a smaller set is at most its size over the
          // leader's, so once that falls below the threshold no later candidate can join.
          if (static_cast<double>(cands[j].ports.n) < cfg_.min_overlap * leader_n) break;
          if (used[j]) continue;
          if (std::abs(static_cast<double>(cands[j].s->first.us - cands[i].s->first.us)) > cfg_.max_start_gap_s * 1e6) {
            continue;
          }
          if (jaccard(cands[i].ports, cands[j].ports) < cfg_.min_overlap) continue;
          group.push_back(cands[j]);
          used[j] = true;
        }
        if (static_cast<double>(group.size()) >= cfg_.min_sources) report(ctx, tk.first, tk.second, group);
      }
    }
  }

 private:
  struct IdSample {
    Timestamp ts;
    std::uint16_t id;
  };
  // One (source, target, transport) pair. Every probe writes the fields up to `evidence`;
  // they come first so that, with the key, they share the entry's first cache lines (the
  // table is far larger than the caches, and each line touched is a miss). The TTLs are
  // kept inline for the same reason. An answer or a conversation touches the rest.
  struct State {
    Timestamp first, last;
    std::uint64_t events = 0;
    std::uint8_t n_ttls = 0;
    std::array<std::uint8_t, kMaxTtlValues> ttl_value{};  // distinct TTLs seen …
    std::array<std::uint32_t, kMaxTtlValues> ttl_count{};  // … and how often
    scan::PortSet ports;
    std::vector<IdSample> ids;
    EvidenceSampler evidence;
    scan::PortSet answered;  // probed ports the target answered with SYN+ACK
    std::uint64_t talk = 0;  // packets of a conversation (handshake completions, data)
    EvidenceSampler talk_evidence;

    void add_ttl(std::uint8_t t) {
      for (std::size_t i = 0; i < n_ttls; ++i) {
        if (ttl_value[i] == t) {
          ++ttl_count[i];
          return;
        }
      }
      if (n_ttls < kMaxTtlValues) {
        ttl_value[n_ttls] = t;
        ttl_count[n_ttls] = 1;
        ++n_ttls;
      }
    }
    [[nodiscard]] bool has_ttl() const noexcept { return n_ttls != 0; }
    [[nodiscard]] std::uint8_t modal_ttl() const noexcept {
      std::uint8_t best = 0;
      std::uint32_t n = 0;
      for (std::size_t i = 0; i < n_ttls; ++i) {
        const auto v = ttl_value[i];
        const auto c = ttl_count[i];
        if (c > n || (c == n && v > best)) best = v, n = c;
      }
      return best;
    }
    [[nodiscard]] int ttl_spread() const noexcept {
      if (n_ttls == 0) return 0;
      int lo = 255, hi = 0;
      for (std::size_t i = 0; i < n_ttls; ++i) lo = std::min<int>(lo, ttl_value[i]), hi = std::max<int>(hi, ttl_value[i]);
      return hi - lo;
    }
  };
  // A candidate's ports as bits, over the 64-port words from its lowest port to its highest:
  // the group search compares hundreds of candidates pairwise, and an AND with a popcount
  // per word is several times faster than merging two sorted lists port by port.
  struct PortBits {
    PortBits() = default;
    explicit PortBits(const std::vector<std::uint16_t>& sorted) : n(sorted.size()) {
      if (sorted.empty()) return;
      first_word = sorted.front() >> 6;
      words.assign((sorted.back() >> 6) - first_word + 1u, 0);
      for (auto p : sorted) words[(p >> 6) - first_word] |= std::uint64_t{1} << (p & 63);
    }
    std::size_t n = 0;
    std::size_t first_word = 0;
    std::vector<std::uint64_t> words;
  };

  struct Member {
    IpAddress src;
    const State* s;
    PortBits ports;  // filled for the candidates compared
  };

  State* find(const IpAddress& src, const IpAddress& dst, decode::Transport t) {
    auto it = pairs_.find(PairKey{src, dst, static_cast<std::uint16_t>(t)});
    return it == pairs_.end() ? nullptr : &it->second;
  }

  // Overlap of two port sets: |A ∩ B| / |A ∪ B|.
  static double jaccard(const PortBits& a, const PortBits& b) {
    const std::size_t lo = std::max(a.first_word, b.first_word);
    const std::size_t hi = std::min(a.first_word + a.words.size(), b.first_word + b.words.size());
    std::size_t both = 0;
    for (std::size_t w = lo; w < hi; ++w) {
      both += static_cast<std::size_t>(std::popcount(a.words[w - a.first_word] & b.words[w - b.first_word]));
    }
    const std::size_t uni = a.n + b.n - both;
    return uni == 0 ? 0.0 : static_cast<double>(both) / static_cast<double>(uni);
  }

  static int hops_of(const Context& ctx, std::uint8_t ttl) { return ctx.kb().ttl(ttl).hops; }

  void report(Context& ctx, const IpAddress& target, std::uint16_t transport, std::vector<Member>& group) {
    const auto n = group.size();
    // Real clients hold conversations; spoofed sources cannot.
    std::size_t talking = 0;
    for (const auto& m : group) talking += m.s->talk > 0 ? 1 : 0;
    if (static_cast<double>(talking) > cfg_.max_talking_fraction * static_cast<double>(n)) return;
    const State& lead = *group.front().s;
    const double answered = static_cast<double>(lead.answered.count()) / static_cast<double>(lead.ports.count());
    if (answered > cfg_.max_answered_fraction) return;

    std::sort(group.begin(), group.end(), [](const Member& x, const Member& y) { return x.src < y.src; });

    // --- TTL: agreement on one TTL (same initial TTL and hop distance), or per-packet jitter
    // over one range.
    std::map<int, std::size_t> ttl_votes;
    std::size_t with_ttl = 0, jittering = 0;
    for (const auto& m : group) {
      if (!m.s->has_ttl()) continue;
      ++with_ttl;
      ++ttl_votes[m.s->modal_ttl()];
      jittering += m.s->ttl_spread() >= 3 ? 1 : 0;
    }
    int modal_ttl = -1;
    std::size_t modal_votes = 0;
    for (const auto& [t, v] : ttl_votes) {
      if (v > modal_votes) modal_ttl = t, modal_votes = v;
    }
    const int modal_hops = modal_ttl >= 0 ? hops_of(ctx, static_cast<std::uint8_t>(modal_ttl)) : -1;
    std::size_t agree = 0;  // steady TTL within one of the modal TTL: same stack, same distance
    for (const auto& m : group) {
      if (m.s->has_ttl() && m.s->ttl_spread() < 3 && std::abs(int{m.s->modal_ttl()} - modal_ttl) <= 1) ++agree;
    }
    const bool ttl_agree = with_ttl >= 3 && agree + 1 >= with_ttl && agree >= 3;
    const bool ttl_jitter = with_ttl >= 3 && jittering + 1 >= with_ttl && jittering >= 2;

    // --- IP id: consecutive probes of different members linked by one counter.
    struct Tagged {
      Timestamp ts;
      std::uint16_t id;
      std::size_t who;
    };
    std::vector<Tagged> all;
    for (std::size_t i = 0; i < n; ++i) {
      for (const auto& x : group[i].s->ids) all.push_back({x.ts, x.id, i});
    }
    std::stable_sort(all.begin(), all.end(), [](const Tagged& a, const Tagged& b) {
      if (a.ts != b.ts) return a.ts < b.ts;
      return a.who < b.who;
    });
    std::size_t cross = 0, linked = 0, same_id = 0;
    std::vector<std::size_t> m_cross(n, 0), m_linked(n, 0);
    for (std::size_t k = 1; k < all.size(); ++k) {
      if (all[k].who == all[k - 1].who) continue;
      ++cross;
      const auto step = static_cast<std::uint16_t>(all[k].id - all[k - 1].id);
      const bool link = static_cast<double>(step) <= cfg_.max_ipid_step;
      linked += link ? 1 : 0;
      same_id += step == 0 ? 1 : 0;
      for (auto w : {all[k].who, all[k - 1].who}) {
        ++m_cross[w];
        m_linked[w] += link ? 1 : 0;
      }
    }
    const bool ipid_shared = cross >= 4 && static_cast<double>(linked) >= 0.7 * static_cast<double>(cross);

    // --- Score each member as the real scanner.
    std::vector<int> score(n, 0);
    std::vector<std::vector<std::string>> why(n);
    for (std::size_t i = 0; i < n; ++i) {
      const State& s = *group[i].s;
      if (s.talk > 0) {
        score[i] += 3;
        why[i].push_back(fmt::format("it held a conversation with the target ({} packets after the target answered, "
                                     "or carrying data) — a spoofed decoy never receives the answers",
                                     s.talk));
      }
      if (s.has_ttl()) {
        const int t = s.modal_ttl();
        if (ttl_agree || (modal_votes >= 3 && modal_votes + 1 >= with_ttl)) {
          if (std::abs(t - modal_ttl) > 1) {
            const auto g = ctx.kb().ttl(static_cast<std::uint8_t>(t));
            score[i] += 2;
            why[i].push_back(fmt::format("its packets arrive with TTL {} (initial {}, {} hops away) while the others "
                                         "agree on TTL {}",
                                         t, g.initial, g.hops, modal_ttl));
          }
        } else if (jittering >= 2 && jittering + 1 >= with_ttl && s.ttl_spread() < 3) {
          score[i] += 2;
          why[i].push_back(fmt::format(
              "its TTL is steady ({}) while the others' TTLs change from packet to packet (randomised decoys)",
              s.modal_ttl()));
        }
      }
      if (ipid_shared && m_cross[i] >= 2 && m_linked[i] * 2 < m_cross[i]) {
        score[i] += 1;
        why[i].push_back("its IP ids do not follow the counter the other sources share");
      }
    }
    std::size_t best = 0;
    for (std::size_t i = 1; i < n; ++i) {
      if (score[i] > score[best]) best = i;
    }
    int second = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (i != best) second = std::max(second, score[i]);
    }
    const bool pointed = score[best] > 0 && score[best] > second;
    double real_conf = 0;
    if (pointed) {
      real_conf = score[best] >= 5 ? 0.95 : score[best] >= 3 ? 0.85 : score[best] == 2 ? 0.7 : 0.5;
      if (second > 0) real_conf -= 0.15;
    }

    // --- The finding: about the real scanner when one stands out, else the leader.
    const auto& about = pointed ? group[best] : group.front();
    Timestamp first = about.s->first, last = about.s->last;
    std::uint64_t events = 0;
    std::vector<std::string> sources;
    for (const auto& m : group) {
      first = std::min(first, m.s->first);
      last = std::max(last, m.s->last);
      events += m.s->events;
      sources.push_back(m.src.to_string());
    }
    auto f = scan::make_finding(id(), about.src, first, last, events, about.s->evidence);
    f.dedup_key = fmt::format("{}|{}|{}", id(), target.to_string(), transport);
    f.target_count = 1;
    f.target_sample = {target};
    const char* proto = decode::to_string(static_cast<decode::Transport>(transport));
    std::vector<std::string> signs;
    if (ttl_agree) {
      signs.push_back(fmt::format("{} of {} sources arrive with the same steady TTL ({}, {} hops from an initial "
                                  "{}), which distinct hosts scattered over the Internet rarely do",
                                  agree, with_ttl, modal_ttl, modal_hops,
                                  ctx.kb().ttl(static_cast<std::uint8_t>(modal_ttl)).initial));
    } else if (ttl_jitter) {
      signs.push_back(fmt::format("{} of {} sources change their TTL from packet to packet over the same range, "
                                  "as a scanner that randomises the TTL of crafted packets does",
                                  jittering, with_ttl));
    }
    if (ipid_shared) {
      signs.push_back(same_id * 2 >= linked
                          ? fmt::format("copies of each probe from different sources carry the same IP id "
                                        "({} of {} consecutive pairs), as nmap -D sends them",
                                        same_id, cross)
                          : fmt::format("the IP ids of different sources continue one counter ({} of {} consecutive "
                                        "pairs step by at most {})",
                                        linked, cross, static_cast<int>(cfg_.max_ipid_step)));
    }
    f.verdict = Verdict::Suspicious;
    f.severity = Severity::High;
    f.confidence = std::min(0.95, 0.6 + (ttl_agree || ttl_jitter ? 0.15 : 0.0) + (ipid_shared ? 0.15 : 0.0));
    f.title = pointed ? fmt::format("decoy scan of {}: {} sources probed the same {} {} ports; the real scanner is "
                                    "likely {}",
                                    target.to_string(), n, lead.ports.count(), proto, about.src.to_string())
                      : fmt::format("decoy scan of {}: {} sources probed the same {} {} ports at once",
                                    target.to_string(), n, lead.ports.count(), proto);
    std::string expl = fmt::format(
        "{} sources ({}) probed the same {} {} ports of {} ({}) within {:.1f} minutes. Independent scanners do not "
        "start together on the same port list; one machine sending each probe once with its own address and once "
        "with each decoy address (nmap -D) does.",
        n, fmt::join(sources, ", "), lead.ports.count(), proto, target.to_string(), lead.ports.ranges(4),
        static_cast<double>(last.us - first.us) / 60e6);
    if (!signs.empty()) expl += fmt::format(" One sender: {}.", fmt::join(signs, "; "));
    if (pointed) {
      expl += fmt::format(" {} is most likely the real scanner (confidence {:.2f}): {}.", about.src.to_string(),
                          real_conf, fmt::join(why[best], "; "));
    } else {
      expl += " Nothing singles out the real scanner: no source held a conversation and the TTLs and IP ids treat all "
              "sources alike.";
    }
    f.explanation = std::move(expl);
    f.advice = pointed ? fmt::format("Treat {} as the scanner (block or report it); the other addresses are decoys "
                                     "and most likely innocent — do not block them blindly. Check the ports that "
                                     "answered.",
                                     about.src.to_string())
                       : "Do not block every source: all but one are decoys. Look further back in your logs for the "
                         "source that connected to this host before or after the scan, and check the ports that "
                         "answered.";
    f.attr("transport", std::string(proto));
    f.attr("target", target.to_string());
    f.attr("ports", lead.ports.ranges(8));
    f.attr("port_count", static_cast<std::int64_t>(lead.ports.count()));
    f.attr("source_count", static_cast<std::int64_t>(n));
    f.attr("sources", sources);
    f.attr("real_scanner", pointed ? about.src.to_string() : std::string("unknown"));
    f.attr("real_scanner_confidence", real_conf);
    if (pointed) f.attr("real_scanner_evidence", why[best]);
    f.attr("ttl_pattern", std::string(ttl_agree ? "same-hops" : ttl_jitter ? "randomised" : "mixed"));
    if (modal_ttl >= 0) {
      f.attr("modal_ttl", static_cast<std::int64_t>(modal_ttl));
      f.attr("modal_hops", static_cast<std::int64_t>(modal_hops));
    }
    f.attr("ipid_shared", ipid_shared);
    f.attr("ipid_linked_pairs", fmt::format("{}/{}", linked, cross));
    ctx.emit(std::move(f));
  }

  Config cfg_;
  FlatMap<PairKey, State, PairKeyHash> pairs_;
  EvictionCount evicted_;
};

}  // namespace

std::unique_ptr<Detector> make_scan_decoy() { return std::make_unique<ScanDecoy>(); }

}  // namespace netseen::detect
