#include "report/collectors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "netbios/nbns.hpp"

namespace netseen::report {

namespace {
// Beyond this bucket width (about 35 years per bucket) the histogram stops widening, and
// time stamps beyond ±36,000 years are clamped: hostile time stamps cannot overflow the
// arithmetic (|origin| stays below 2^62).
constexpr std::int64_t kMaxWidthUs = std::int64_t{1} << 50;
constexpr std::int64_t kMaxAbsUs = std::int64_t{1} << 60;

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

std::string display_name(const std::array<std::uint8_t, 16>& raw) {
  std::string s;
  for (std::size_t i = 0; i < 15; ++i) {
    const auto c = raw[i];
    if (c >= 0x21 && c < 0x7F) {
      s.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      s.push_back(' ');
    } else {
      s += fmt::format("\\x{:02x}", c);
    }
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return fmt::format("{}<{:02X}>", s, raw[15]);
}
}  // namespace

// ---- TimeHistogram ----------------------------------------------------------------------

void TimeHistogram::widen_right() {
  std::array<std::uint64_t, kBuckets> next{};
  for (std::size_t i = 0; i < kBuckets; ++i) next[i / 2] += counts_[i];
  counts_ = next;
  width_ *= 2;
}

void TimeHistogram::widen_left() {
  // The new range ends where the old one ended; the old buckets fill its upper half.
  std::array<std::uint64_t, kBuckets> next{};
  for (std::size_t i = 0; i < kBuckets; ++i) next[(kBuckets + i) / 2] += counts_[i];
  counts_ = next;
  origin_ -= static_cast<std::int64_t>(kBuckets) * width_;
  width_ *= 2;
}

void TimeHistogram::add(Timestamp t, std::uint64_t n) {
  constexpr auto kN = static_cast<std::int64_t>(kBuckets);
  t.us = std::clamp(t.us, -kMaxAbsUs, kMaxAbsUs);
  if (!have_) {
    have_ = true;
    origin_ = floor_div(t.us, width_) * width_;
  }
  // Compare in a way that cannot overflow: distances from the origin in bucket units.
  for (;;) {
    if (t.us < origin_) {
      if (width_ >= kMaxWidthUs || origin_ < std::numeric_limits<std::int64_t>::min() / 4 + kN * width_) break;
      widen_left();
      continue;
    }
    const auto offset = static_cast<std::uint64_t>(t.us) - static_cast<std::uint64_t>(origin_);
    if (offset / static_cast<std::uint64_t>(width_) >= kBuckets) {
      if (width_ >= kMaxWidthUs) break;
      widen_right();
      continue;
    }
    break;
  }
  std::size_t i = 0;
  if (t.us >= origin_) {
    const auto offset = static_cast<std::uint64_t>(t.us) - static_cast<std::uint64_t>(origin_);
    i = static_cast<std::size_t>(std::min<std::uint64_t>(offset / static_cast<std::uint64_t>(width_), kBuckets - 1));
  }
  counts_[i] += n;
}

// ---- PortCounts -------------------------------------------------------------------------

PortCounts::PortCounts() : tcp_(65536), udp_(65536) {}

void PortCounts::add(const decode::Event& e) {
  switch (e.transport) {
    case decode::Transport::Tcp: tcp_[e.dport] += e.count; break;
    case decode::Transport::Udp: udp_[e.dport] += e.count; break;
    case decode::Transport::Icmp:
      if (e.icmp) icmp_[e.icmp->type] += e.count;
      break;
    default: break;
  }
}

std::vector<PortCount> PortCounts::top(std::size_t n) const {
  std::vector<PortCount> all;
  auto collect = [&](decode::Transport t, const std::uint64_t* c, std::size_t size) {
    for (std::size_t p = 0; p < size; ++p) {
      if (c[p] > 0) all.push_back({t, static_cast<std::uint16_t>(p), c[p]});
    }
  };
  collect(decode::Transport::Tcp, tcp_.data(), tcp_.size());
  collect(decode::Transport::Udp, udp_.data(), udp_.size());
  collect(decode::Transport::Icmp, icmp_.data(), icmp_.size());
  auto better = [](const PortCount& a, const PortCount& b) {
    if (a.events != b.events) return a.events > b.events;
    if (a.transport != b.transport) return a.transport < b.transport;
    return a.port < b.port;
  };
  const auto keep = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(), better);
  all.resize(keep);
  return all;
}

// ---- NodeStatusLog ----------------------------------------------------------------------

void NodeStatusLog::add(const decode::Event& e) {
  if (!e.nbns || !e.nbns->response || e.nbns->qtype != 0x0021 || e.nbns->rcode != 0) return;
  auto it = tables_.find(e.src);
  if (it != tables_.end()) {
    ++it->second.answers;
    return;
  }
  if (tables_.size() >= kMaxTables) {
    ++dropped_;
    return;
  }
  NodeStatusTable t;
  t.responder = e.src;
  t.asked_by = e.dst;
  t.first_seen = e.ts;
  t.origin = e.origin;
  t.answers = 1;
  // The full answer carries each name's flags; the event summary only the names.
  bool parsed = false;
  if (!e.app_payload.empty()) {
    if (auto msg = netbios::parse_nbns(e.app_payload)) {
      for (const auto& rr : msg->answers) {
        if (!rr.node_status) continue;
        const auto& ns = *rr.node_status;
        t.declared_names = ns.num_names;
        for (const auto& nm : ns.names) {
          if (t.names.size() >= kMaxNames) break;
          NodeStatusName n;
          n.name = display_name(nm.raw);
          n.suffix = nm.raw[15];
          n.group = nm.group();
          n.active = nm.active();
          n.permanent = nm.permanent();
          n.conflict = nm.conflict();
          n.deregistering = nm.deregistering();
          n.node_type = netbios::node_type_letter(nm.ont());
          t.names.push_back(std::move(n));
        }
        if (ns.statistics) t.unit_id = ns.statistics->unit_id;
        parsed = true;
        break;
      }
    }
  }
  if (!parsed) {
    t.declared_names = static_cast<std::uint32_t>(e.nbns->node_status_names.size());
    for (const auto& nm : e.nbns->node_status_names) {
      if (t.names.size() >= kMaxNames) break;
      NodeStatusName n;
      n.name = display_name(nm.raw);
      n.suffix = nm.suffix();
      n.node_type = '?';
      t.names.push_back(std::move(n));
    }
    t.unit_id = e.nbns->unit_id;
  }
  tables_.emplace(e.src, std::move(t));
}

// ---- ReportData -------------------------------------------------------------------------

void ReportData::on_event(const decode::Event& e) {
  timeline.add(e.ts, e.count);
  ports.add(e);
  if (e.nbns) node_status.add(e);
}

}  // namespace netseen::report
