// Shared helpers for the NetBIOS detectors: what counts as a node-status query (decoded
// from a capture, or inferred from a firewall log that only shows ports), bounded target
// sets, and the transaction-id pattern classifier.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/flat_map.hpp"
#include "core/ip_address.hpp"
#include "core/time.hpp"
#include "decode/event.hpp"
#include "detect/context.hpp"

namespace netseen::detect {

inline constexpr std::uint16_t kNbnsPort = 137;
inline constexpr std::uint16_t kNbstatType = 0x21;
inline constexpr std::uint16_t kNbType = 0x20;
inline constexpr std::uint16_t kNmapTxid = 0x1337;

// A decoded NBNS node-status request (opcode 0, question type NBSTAT, R bit clear).
bool is_decoded_nbstat_query(const decode::Event& e) noexcept;
// A packet to udp/137 that a firewall log recorded: its NetBIOS payload is unknown.
bool is_logged_nbns_packet(const decode::Event& e) noexcept;
// Either of the two: a node-status query, or (from logs) what is most likely one.
bool is_nbstat_like(const decode::Event& e) noexcept;

// Distinct targets, exact up to `cap`, counted by region as they arrive.
class TargetSet {
 public:
  TargetSet() = default;
  explicit TargetSet(std::size_t cap) : cap_(cap) {}
  // True when the target is new.
  bool add(const IpAddress& a, Timestamp at, const Context& ctx);
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] bool saturated() const noexcept { return saturated_; }
  [[nodiscard]] const std::map<std::string, std::uint64_t>& regions() const noexcept { return regions_; }
  [[nodiscard]] std::vector<IpAddress> sample(std::size_t n) const;
  [[nodiscard]] std::uint64_t inside() const noexcept { return inside_; }
  [[nodiscard]] std::uint64_t public_count() const noexcept { return public_; }
  [[nodiscard]] bool contains(const IpAddress& a) const { return set_.count(a) != 0; }

 private:
  // The target added or found last: tries to one address come in a row (and a firewall
  // log's broadcasts all go to one), and comparing with it spares the set's two cache misses.
  IpAddress last_;
  std::size_t cap_ = 4096;
  std::uint64_t count_ = 0;
  std::uint64_t inside_ = 0;
  std::uint64_t public_ = 0;
  bool saturated_ = false;
  FlatSet<IpAddress, IpAddressHash> set_;
  std::vector<IpAddress> order_;  // first targets, for a stable sample
  std::map<std::string, std::uint64_t> regions_;
};

// Classifies a sequence of transaction ids in the order sent:
//   "constant", "step+N" (N = 1..16, or "step-N"), "time-derived", "random", "unknown" (< 4 ids).
std::string classify_txids(const std::vector<std::uint16_t>& ids, const std::vector<Timestamp>& times);

}  // namespace netseen::detect

namespace netseen::detect {

// What DNS said about the target just before a node-status query was sent to it.
enum class PtrContext : std::uint8_t {
  AfterFailedPtr,   // NXDOMAIN/SERVFAIL/empty answer shortly before
  AfterPtrTimeout,  // PTR asked, no answer, query about 14 s later (Windows' fallback delay)
  AfterAnsweredPtr, // the name was known: DNS does not explain this query
  NoDns,            // no PTR lookup seen for this pair (logs, or DNS outside the capture)
};
PtrContext ptr_context(const decode::Event& query, const Context& ctx);
const char* to_string(PtrContext c) noexcept;

}  // namespace netseen::detect
