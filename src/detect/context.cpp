#include "detect/context.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace netseen::detect {

namespace {
constexpr std::size_t kMaxNamesPerHost = 32;
constexpr std::size_t kMaxNamedHosts = 100'000;
}  // namespace

Context::Context(std::vector<Cidr> home_nets) : home_nets_(std::move(home_nets)) {
  for (const auto& c : home_nets_) {
    if (!c.base().is_v4()) continue;
    const std::uint32_t mask = c.prefix() == 0 ? 0U : ~std::uint32_t{0} << (32U - c.prefix());
    const std::uint32_t base = c.base().v4_value() & mask;
    if (c.prefix() > 16) {
      home_v4_.push_back({base, mask});
      continue;
    }
    // Every /16 the net covers: 10/8 is 256 of them, 0/0 all 65,536.
    const std::uint32_t first = base >> 16, count = std::uint32_t{1} << (16U - c.prefix());
    for (std::uint32_t n = first; n < first + count; ++n) home16_[n >> 6] |= std::uint64_t{1} << (n & 63U);
  }
}

bool Context::inside(const IpAddress& a) const noexcept {
  // Asked several times per event by several detectors: for IPv4 one bit (the nets of /16
  // and shorter, the usual home nets), then a masked compare per longer net.
  if (a.is_v4()) {
    const std::uint32_t v = a.v4_value();
    if (((home16_[v >> 22] >> ((v >> 16) & 63U)) & 1U) != 0) return true;
    return std::any_of(home_v4_.begin(), home_v4_.end(), [&](const V4Net& n) { return (v & n.mask) == n.base; });
  }
  return std::any_of(home_nets_.begin(), home_nets_.end(), [&](const Cidr& c) { return c.contains(a); });
}

std::string Context::region(const IpAddress& a, Timestamp at) const {
  if (region_) return region_(a, at);
  return "unknown";
}

thread_local std::vector<Finding>* Context::emit_to_ = nullptr;

std::optional<knowledge::Country> Context::country(const IpAddress& a) const {
  if (geoip_ == nullptr) return std::nullopt;
  auto c = geoip_->country(a);
  if (!c) {
    ++geoip_errors_;
    geoip_last_error_ = c.error().detail;
    return std::nullopt;
  }
  return std::move(*c);
}

void Context::learned_name(const IpAddress& host, NetbiosNameSeen name) {
  auto it = names_.find(host);
  if (it == names_.end()) {
    if (names_.size() >= kMaxNamedHosts) {
      count_eviction("host.names");
      return;
    }
    it = names_.emplace(host, std::vector<NetbiosNameSeen>{}).first;
  }
  auto& v = it->second;
  for (const auto& n : v) {
    if (n.name == name.name && n.group == name.group) return;
  }
  if (v.size() < kMaxNamesPerHost) v.push_back(std::move(name));
}

namespace {
// "WORKSTATION7<00>": printable bytes as they are, others as \\xNN, trailing padding dropped.
std::string display_name(const decode::NbName& nm) {
  std::string s;
  for (std::size_t i = 0; i < 15; ++i) {
    const auto c = nm.raw[i];
    if (c >= 0x20 && c < 0x7F) s.push_back(static_cast<char>(c));
    else s += fmt::format("\\x{:02x}", c);
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return fmt::format("{}<{:02X}>", s, nm.raw[15]);
}
}  // namespace

void Context::learned_name(const IpAddress& host, const decode::NbName& name) {
  auto it = names_.find(host);
  if (it != names_.end()) {
    for (const auto& n : it->second) {
      if (n.has_raw && n.raw == name.raw && n.group == name.group()) return;
    }
  }
  NetbiosNameSeen seen{display_name(name), name.group(), name.raw, true};
  learned_name(host, std::move(seen));
}

void Context::observe(std::string_view detector, const Observation& o) {
  auto& v = observations_[std::string(detector)];
  if (v.size() >= kMaxObservations) {
    count_eviction("history.observations");
    return;
  }
  v.push_back(o);
}

Context::Checkpoint Context::checkpoint() const {
  Checkpoint c;
  for (const auto& [d, v] : observations_) c.observations[d] = v.size();
  c.evictions = evictions();
  return c;
}

std::atomic<std::uint64_t>& Context::eviction_counter(std::string_view detector) {
  std::lock_guard lock(evictions_mu_);
  auto it = evictions_.find(detector);
  if (it == evictions_.end()) it = evictions_.try_emplace(std::string(detector), 0).first;
  return it->second;
}

std::map<std::string, std::uint64_t, std::less<>> Context::evictions() const {
  std::map<std::string, std::uint64_t, std::less<>> out;
  std::lock_guard lock(evictions_mu_);
  for (const auto& [d, n] : evictions_) {
    if (const auto v = n.load(std::memory_order_relaxed); v != 0) out.emplace(d, v);
  }
  return out;
}

void Context::rollback(const Checkpoint& c) {
  for (auto it = observations_.begin(); it != observations_.end();) {
    const auto was = c.observations.find(it->first);
    if (was == c.observations.end()) {
      it = observations_.erase(it);
      continue;
    }
    if (it->second.size() > was->second) it->second.resize(was->second);
    ++it;
  }
  // Counters stay (detectors hold them); those the checkpoint did not know go back to 0.
  std::lock_guard lock(evictions_mu_);
  for (auto& [d, n] : evictions_) {
    const auto was = c.evictions.find(d);
    n.store(was == c.evictions.end() ? 0 : was->second, std::memory_order_relaxed);
  }
}

void Context::set_prior(std::string_view detector, std::vector<Observation> prior) {
  if (prior.size() > kMaxObservations) prior.resize(kMaxObservations);
  prior_[std::string(detector)] = std::move(prior);
}

const std::vector<Observation>& Context::prior(std::string_view detector) const {
  static const std::vector<Observation> none;
  auto it = prior_.find(detector);
  return it == prior_.end() ? none : it->second;
}

const std::vector<NetbiosNameSeen>* Context::names_of(const IpAddress& host) const {
  auto it = names_.find(host);
  return it == names_.end() ? nullptr : &it->second;
}

std::vector<Cidr> default_home_nets() {
  std::vector<Cidr> out;
  for (const char* c : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8", "fc00::/7",
                        "fe80::/10"}) {
    out.push_back(*Cidr::parse(c));
  }
  return out;
}

}  // namespace netseen::detect
