// Detection speed: Engine::on_event (host facts, DNS/NetBIOS correlation, every detector's
// update) on events decoded from generated frames, and the stream splitter / merger path.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "core/bytes.hpp"
#include "decode/frame.hpp"
#include "detect/engine.hpp"
#include "detect/scan_common.hpp"

namespace {

using netseen::ByteWriter;
using netseen::decode::Event;

// An Ethernet/IPv4/TCP SYN from a rotating source to a rotating port (a scan-shaped mix that
// keeps the scan detectors' per-source tables busy), or UDP 137 when `udp` is set.
std::vector<std::uint8_t> frame(std::uint32_t i, bool udp) {
  ByteWriter w;
  for (int k = 0; k < 6; ++k) w.u8(0x02);
  for (int k = 0; k < 6; ++k) w.u8(0x04);
  w.u16be(0x0800);
  const std::uint16_t l4 = udp ? 8 : 20;
  w.u8(0x45);
  w.u8(0);
  w.u16be(static_cast<std::uint16_t>(20 + l4));
  w.u16be(static_cast<std::uint16_t>(i));
  w.u16be(0);
  w.u8(64);
  w.u8(udp ? 17 : 6);
  w.u16be(0);  // checksum not verified in this benchmark
  w.u32be(0xCB007100u + (i % 200));  // 203.0.113.x: 200 sources
  w.u32be(0xC0A80100u + (i % 50));   // 192.168.1.x: 50 targets
  if (udp) {
    w.u16be(137);
    w.u16be(137);
    w.u16be(8);
    w.u16be(0);
  } else {
    w.u16be(static_cast<std::uint16_t>(40000 + i % 1000));
    w.u16be(static_cast<std::uint16_t>(1 + i % 1024));
    w.u32be(i);
    w.u32be(0);
    w.u8(0x50);
    w.u8(0x02);  // SYN
    w.u16be(1024);
    w.u16be(0);
    w.u16be(0);
  }
  return w.take();
}

std::vector<Event> make_events(std::size_t n) {
  std::vector<Event> out(n);
  netseen::decode::DecodeOptions opt;
  opt.verify_checksums = false;
  for (std::size_t i = 0; i < n; ++i) {
    const auto f = frame(static_cast<std::uint32_t>(i), i % 5 == 0);
    out[i].ts = netseen::Timestamp{static_cast<std::int64_t>(1'700'000'000'000'000 + i * 1000)};
    netseen::decode::decode_frame(1, netseen::Bytes(f.data(), f.size()), static_cast<std::uint32_t>(f.size()), opt,
                                  out[i]);
  }
  return out;
}

void BM_EngineOnEvent(benchmark::State& state) {
  const auto events = make_events(4096);
  auto engine = netseen::detect::Engine::create({});
  if (!engine) {
    state.SkipWithError("engine");
    return;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    (*engine)->on_event(events[i++ % events.size()]);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_EngineOnEvent);

void BM_ResetEvent(benchmark::State& state) {
  auto events = make_events(1);
  for (auto _ : state) {
    netseen::decode::reset_event(events[0]);
    benchmark::DoNotOptimize(events[0]);
  }
}
BENCHMARK(BM_ResetEvent);

// PortSet::add as the scan detectors use it: many sets (one per source or pair), each
// growing to `range(0)` scattered ports, the adds in random order so that each one finds
// its set's list out of the caches — the lists' cache misses, not the comparisons, are
// what an add costs there.
void BM_PortSetAddScattered(benchmark::State& state) {
  constexpr std::size_t kSets = 40'000;
  const auto per_set = static_cast<std::size_t>(state.range(0));
  std::vector<std::pair<std::uint32_t, std::uint16_t>> adds;
  std::mt19937 rng(11);
  for (std::size_t s = 0; s < kSets; ++s) {
    for (std::size_t k = 0; k < per_set; ++k) {
      adds.emplace_back(static_cast<std::uint32_t>(s), static_cast<std::uint16_t>(1024 + rng() % 64'000));
    }
  }
  std::shuffle(adds.begin(), adds.end(), rng);
  for (auto _ : state) {
    std::vector<netseen::detect::scan::PortSet> sets(kSets);
    for (const auto& [s, port] : adds) sets[s].add(port);
    benchmark::DoNotOptimize(sets.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * adds.size()));
}
BENCHMARK(BM_PortSetAddScattered)->Arg(60)->Arg(200)->Unit(benchmark::kMillisecond);

}  // namespace
