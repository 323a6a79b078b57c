// Micro-benchmarks for the NetBIOS library: node-status response parsing (a 10-name table
// with statistics), name encode/decode, NBNS query parsing and NBSS framing.
#include <benchmark/benchmark.h>

#include <vector>

#include "netbios/netbios.hpp"

namespace {

using namespace netseen;
using namespace netseen::netbios;

std::vector<std::uint8_t> node_status_fixture(std::size_t names) {
  std::vector<NodeName> table(names);
  for (std::size_t i = 0; i < names; ++i) {
    table[i].raw = NetbiosName::make("HOST" + std::to_string(i), static_cast<std::uint8_t>(i))->raw;
    table[i].flags = kNameFlagAct;
  }
  NodeStatistics st;
  st.unit_id.b = {0, 0x0c, 0x29, 0xaa, 0xbb, 0xcc};
  return *build::node_status_response(0x1337, *NetbiosName::make("*", 0), table, st);
}

void BM_ParseNodeStatusResponse(benchmark::State& state) {
  const auto bytes = node_status_fixture(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto m = parse_nbns(Bytes(bytes));
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_ParseNodeStatusResponse)->Arg(1)->Arg(10)->Arg(64);

void BM_BuildNodeStatusResponse(benchmark::State& state) {
  std::vector<NodeName> table(10);
  NodeStatistics st;
  const auto star = *NetbiosName::make("*", 0);
  for (auto _ : state) {
    auto b = build::node_status_response(1, star, table, st);
    benchmark::DoNotOptimize(b);
  }
}
BENCHMARK(BM_BuildNodeStatusResponse);

void BM_NameEncode(benchmark::State& state) {
  const auto n = *NetbiosName::make("WORKSTATION01", 0x20, "corp.example");
  for (auto _ : state) {
    ByteWriter w;
    write_name(w, n);
    benchmark::DoNotOptimize(w.data().data());
  }
}
BENCHMARK(BM_NameEncode);

void BM_NameDecode(benchmark::State& state) {
  ByteWriter w;
  write_name(w, *NetbiosName::make("WORKSTATION01", 0x20, "corp.example"));
  const auto bytes = w.take();
  for (auto _ : state) {
    ByteReader r{Bytes(bytes)};
    auto n = read_name(r, NameMode::Strict);
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_NameDecode);

void BM_FirstLevelOnly(benchmark::State& state) {
  const auto raw = NetbiosName::make("WORKSTATION01", 0x20)->raw;
  const auto enc = encode_first_level(std::span<const std::uint8_t, 16>(raw));
  for (auto _ : state) {
    auto e = encode_first_level(std::span<const std::uint8_t, 16>(raw));
    benchmark::DoNotOptimize(e);
    auto d = decode_first_level(Bytes(enc), NameMode::Strict, nullptr);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_FirstLevelOnly);

void BM_ParseNameQuery(benchmark::State& state) {
  const auto bytes = *build::name_query_request(1, *NetbiosName::make("FILESRV", 0x20), true);
  for (auto _ : state) {
    auto m = parse_nbns(Bytes(bytes));
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_ParseNameQuery);

void BM_NbssFramer(benchmark::State& state) {
  std::vector<std::uint8_t> stream;
  std::vector<std::uint8_t> smb(1400, 0x42);
  for (int i = 0; i < 64; ++i) {
    auto m = *build_session_message(Bytes(smb));
    stream.insert(stream.end(), m.begin(), m.end());
  }
  for (auto _ : state) {
    NbssFramer f;
    for (std::size_t off = 0; off < stream.size(); off += 1460) {
      f.feed(Bytes(stream).subspan(off, std::min<std::size_t>(1460, stream.size() - off)));
      while (true) {
        auto r = f.next();
        if (!r || !*r) break;
        benchmark::DoNotOptimize(r);
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_NbssFramer);

}  // namespace
