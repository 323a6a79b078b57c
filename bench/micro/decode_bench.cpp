// Micro-benchmarks of the frame decoder and the pcap reader on frames built in memory.
#include <benchmark/benchmark.h>

#include "../../tests/decode/frame_builder.hpp"
#include "decode/frame.hpp"
#include "ingest/pcap.hpp"

namespace {

using namespace netseen::testing;  // NOLINT(google-build-using-namespace)
namespace decode = netseen::decode;

const V4 kA{192, 168, 1, 10};
const V4 kB{10, 0, 0, 53};

Buf tcp_frame(std::size_t payload) {
  return ethernet(0x0800, ipv4(kA, kB, 6, tcp(kA, kB, 50000, 443, decode::tcpflag::kAck, Buf(payload, 0x5a))));
}

void decode_one(benchmark::State& state, const Buf& f, decode::DecodeOptions opt) {
  decode::Event ev;
  for (auto _ : state) {
    decode::reset_event(ev);
    benchmark::DoNotOptimize(decode::decode_frame(decode::linktype::kEthernet, netseen::Bytes(f),
                                                  static_cast<std::uint32_t>(f.size()), opt, ev));
    benchmark::DoNotOptimize(ev.dport);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_DecodeTcp1400(benchmark::State& state) { decode_one(state, tcp_frame(1400), {}); }
void BM_DecodeTcp1400NoChecksum(benchmark::State& state) {
  decode::DecodeOptions o;
  o.verify_checksums = false;
  decode_one(state, tcp_frame(1400), o);
}
void BM_DecodeTcpSyn(benchmark::State& state) { decode_one(state, tcp_frame(0), {}); }
void BM_DecodeDnsQuery(benchmark::State& state) {
  decode_one(state, ethernet(0x0800, ipv4(kA, kB, 17, udp(kA, kB, 40000, 53, dns(1, false, "www.example.org", 1)))),
             {});
}
void BM_DecodeIcmpUnreachable(benchmark::State& state) {
  const Buf orig = ipv4(kA, kB, 17, udp(kA, kB, 33434, 161, Buf(12, 0x41)));
  decode_one(state, ethernet(0x0800, ipv4(kB, kA, 1, icmp(3, 3, 0, Buf(orig.begin(), orig.begin() + 28)))), {});
}

void BM_PcapReader(benchmark::State& state) {
  std::vector<Rec> recs;
  for (int i = 0; i < 1000; ++i) recs.push_back({1'700'000'000U, static_cast<std::uint32_t>(i), tcp_frame(i % 2 ? 1400 : 60), 0});
  const Buf file = pcap_file(1, recs);
  for (auto _ : state) {
    auto r = netseen::ingest::PcapReader::open(netseen::Bytes(file));
    netseen::ingest::InputStats st;
    netseen::ingest::CaptureRecord rec;
    std::size_t n = 0;
    while (r->next(rec, st)) n += rec.data.size();
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 1000));
}

BENCHMARK(BM_DecodeTcp1400);
BENCHMARK(BM_DecodeTcp1400NoChecksum);
BENCHMARK(BM_DecodeTcpSyn);
BENCHMARK(BM_DecodeDnsQuery);
BENCHMARK(BM_DecodeIcmpUnreachable);
BENCHMARK(BM_PcapReader);

}  // namespace
