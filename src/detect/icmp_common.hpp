// Shared shape of the detectors that report every sender of one kind of ICMP message
// (source quench, redirect, router advertisement, parameter problem, reassembly timeout):
// one tally per sender, up to three of the original packets the messages quote, and one
// finding per sender whose wording the detector supplies.
#pragma once

#include <set>
#include <string>
#include "core/flat_map.hpp"
#include <vector>

#include "detect/scan_common.hpp"

namespace netseen::detect::icmp {

// "a:p → b:q (protocol n)" or "a → b (protocol n)": the quoted original packet's 5-tuple.
std::string quoted_tuple(const decode::Quoted& q);

// Up to three distinct quoted packets per key (taken from its first 16 messages), for at
// most 4096 keys: the "quoted" attribute of the ICMP findings.
class QuotedSamples {
 public:
  void add(const IpAddress& key, const decode::Quoted& q, std::uint64_t events_so_far);
  // Sets the "quoted" attribute when the key has samples.
  void fill(const IpAddress& key, Finding& f) const;
  [[nodiscard]] std::string first(const IpAddress& key) const;  // "" when none

 private:
  static constexpr std::size_t kMaxKeys = 4096;
  static constexpr std::size_t kPerKey = 3;
  FlatMap<IpAddress, std::set<std::string>, IpAddressHash> map_;
};

class SenderDetector : public scan::TallyDetector {
 public:
  std::vector<Param> params() override { return {{"max_sources", &max_sources_, "senders tracked at once"}}; }
  [[nodiscard]] std::uint8_t interest() const final { return interest::kIcmp; }
  // Reads only home networks and its own state; emits in finish().
  [[nodiscard]] bool parallel_safe() const final { return true; }
  [[nodiscard]] Load load() const final { return Load::Light; }
  void on_event(const decode::Event& e, Context& ctx) final;
  // Emits one finding per sender; leaves the state as it is (a later call emits the same).
  void finish(Context& ctx) final;

 protected:
  // Is this message (e.transport is Icmp or Icmpv6, e.icmp set) one the detector reports?
  [[nodiscard]] virtual bool matches(const decode::Event& e) const = 0;
  // Extra bookkeeping per matching message (a redirect's proposed gateway, …).
  virtual void observe(const decode::Event& e, const IpAddress& sender) {
    static_cast<void>(e);
    static_cast<void>(sender);
  }
  // Sets verdict, severity, title, explanation and advice. Target count, sample, evidence,
  // confidence and the "quoted" attribute are already filled.
  virtual void describe(Finding& f, const IpAddress& sender, const scan::SourceTally& t, const Context& ctx) const = 0;

  // " (original packet: a:p → b:q (protocol n))" for the first quoted packet, or "".
  [[nodiscard]] std::string quoted_text(const IpAddress& sender) const;

  static constexpr bool is_v4(const decode::Event& e, std::uint8_t type) {
    return e.transport == decode::Transport::Icmp && e.icmp->type == type;
  }
  static constexpr bool is_v6(const decode::Event& e, std::uint8_t type) {
    return e.transport == decode::Transport::Icmpv6 && e.icmp->type == type;
  }

 private:
  QuotedSamples quoted_;
};

}  // namespace netseen::detect::icmp
