// Differential fuzzing of the netfilter parser: the in-place fast path for the common fields
// against the reference path that cuts every token first (parse_netfilter_message_reference).
// The input is one message ("IN=… OUT=… SRC=…"); result, reason and every event field the
// parser sets must agree.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "ingest/netfilter.hpp"

namespace {
using netseen::decode::Event;

auto key(const Event& e) {
  return std::tie(e.rule, e.action, e.direction, e.in_iface, e.out_iface, e.src_mac, e.dst_mac, e.ip_version, e.src,
                  e.dst, e.protocol, e.ttl, e.has_ttl, e.ip_id, e.has_ip_id, e.ip_id_from_log, e.ip_len, e.fragment,
                  e.later_fragment, e.dont_fragment, e.transport, e.sport, e.dport, e.tcp_flags, e.tcp_seq, e.tcp_ack,
                  e.tcp_window, e.payload_len);
}

bool same_icmp(const Event& a, const Event& b) {
  if (a.icmp.has_value() != b.icmp.has_value()) return false;
  if (!a.icmp) return true;
  const auto& x = *a.icmp;
  const auto& y = *b.icmp;
  if (std::tie(x.type, x.code, x.id, x.seq, x.mtu, x.gateway) !=
      std::tie(y.type, y.code, y.id, y.seq, y.mtu, y.gateway)) {
    return false;
  }
  if (x.quoted.has_value() != y.quoted.has_value()) return false;
  if (!x.quoted) return true;
  const auto& p = *x.quoted;
  const auto& q = *y.quoted;
  return std::tie(p.src, p.dst, p.protocol, p.sport, p.dport, p.has_ports, p.ttl, p.ip_id, p.icmp_type_code) ==
         std::tie(q.src, q.dst, q.protocol, q.sport, q.dport, q.has_ports, q.ttl, q.ip_id, q.icmp_type_code);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netseen::ingest::logs;
  const std::string_view msg(reinterpret_cast<const char*>(data), size);
  Event fast;
  Event ref;
  std::string why_fast;
  std::string why_ref;
  const LineResult a = parse_netfilter_message(msg, fast, why_fast);
  const LineResult b = parse_netfilter_message_reference(msg, ref, why_ref);
  if (a != b || why_fast != why_ref || key(fast) != key(ref) || !same_icmp(fast, ref)) __builtin_trap();
  return 0;
}
