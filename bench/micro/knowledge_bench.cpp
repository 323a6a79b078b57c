// Knowledge-base lookups are called per event by the analyzer: they must be O(1) or
// O(log n) and allocation-free. Each benchmark cycles through many keys so that caches and
// branch predictors do not see one repeated key.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "knowledge/kb.hpp"

namespace {

using namespace netseen;
using namespace netseen::knowledge;

void BM_PortLookup(benchmark::State& state) {
  const auto& kb = builtin_kb();
  std::uint32_t port = 0;
  for (auto _ : state) {
    port = (port * 2654435761U + 12345U) & 0xFFFFU;
    benchmark::DoNotOptimize(kb.port(Proto::Udp, static_cast<std::uint16_t>(port)));
  }
}
BENCHMARK(BM_PortLookup);

void BM_IcmpLookup(benchmark::State& state) {
  const auto& kb = builtin_kb();
  std::uint32_t x = 0;
  for (auto _ : state) {
    x = x * 1103515245U + 12345U;
    benchmark::DoNotOptimize(kb.icmp(static_cast<std::uint8_t>(x >> 24) % 20, static_cast<std::uint8_t>(x >> 16) % 16));
  }
}
BENCHMARK(BM_IcmpLookup);

void BM_SpecialBlockV4(benchmark::State& state) {
  const auto& kb = builtin_kb();
  std::uint32_t a = 1;
  for (auto _ : state) {
    a = a * 1664525U + 1013904223U;
    benchmark::DoNotOptimize(kb.special_block(IpAddress::v4(a)));
  }
}
BENCHMARK(BM_SpecialBlockV4);

void BM_RegistryOfWithDate(benchmark::State& state) {
  const auto& kb = builtin_kb();
  const auto at = parse_rfc3339("2004-09-14");
  std::uint32_t a = 1;
  for (auto _ : state) {
    a = a * 1664525U + 1013904223U;
    benchmark::DoNotOptimize(kb.registry_of(IpAddress::v4(a), at));
  }
}
BENCHMARK(BM_RegistryOfWithDate);

void BM_AddressFull(benchmark::State& state) {  // builds strings: for reports, not per event
  const auto& kb = builtin_kb();
  std::uint32_t a = 1;
  for (auto _ : state) {
    a = a * 1664525U + 1013904223U;
    benchmark::DoNotOptimize(kb.address(IpAddress::v4(a)));
  }
}
BENCHMARK(BM_AddressFull);

void BM_NbSuffix(benchmark::State& state) {
  const auto& kb = builtin_kb();
  std::uint32_t s = 0;
  for (auto _ : state) {
    s = (s + 37) & 0xFF;
    benchmark::DoNotOptimize(kb.nb_suffix(static_cast<std::uint8_t>(s)));
  }
}
BENCHMARK(BM_NbSuffix);

void BM_RpcLookup(benchmark::State& state) {
  const auto& kb = builtin_kb();
  const std::array<std::uint32_t, 4> progs{100005, 100000, 42, 200100001};
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(kb.rpc(progs[i++ & 3]));
}
BENCHMARK(BM_RpcLookup);

void BM_Ttl(benchmark::State& state) {
  const auto& kb = builtin_kb();
  std::uint32_t t = 0;
  for (auto _ : state) {
    t = (t + 13) & 0xFF;
    benchmark::DoNotOptimize(kb.ttl(static_cast<std::uint8_t>(t)).hops);
  }
}
BENCHMARK(BM_Ttl);

void BM_BuiltinLoad(benchmark::State& state) {  // once per process; shown for scale
  for (auto _ : state) {
    KnowledgeBase kb;
    LoadReport r;
    for (const auto& t : embedded_tables()) kb.load_text(t.name, t.text, r);
    benchmark::DoNotOptimize(kb.counts().ports);
  }
}
BENCHMARK(BM_BuiltinLoad)->Unit(benchmark::kMillisecond);

}  // namespace
