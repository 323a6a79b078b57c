// Firewall-log parsing speed: netfilter lines through the whole log source (line reader,
// syslog wrapper, dialect, Event), and the netfilter message parser alone.
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "ingest/input_buffer.hpp"
#include "ingest/log_source.hpp"
#include "ingest/netfilter.hpp"

namespace {

std::string make_log(std::size_t lines) {
  std::string out;
  out.reserve(lines * 260);
  for (std::size_t i = 0; i < lines; ++i) {
    const unsigned a = static_cast<unsigned>(i * 2654435761u);
    const unsigned sec = static_cast<unsigned>(i / 1000);
    switch (i % 4) {
      case 0:
        out += fmt::format(
            "Mar 11 {:02}:{:02}:{:02} fw kernel: [463490.251762] DROP IN=eth1 OUT= "
            "MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=198.{}.{}.{} DST=192.168.10.1 LEN=44 TOS=0x00 "
            "PREC=0x00 TTL={} ID={} PROTO=TCP SPT={} DPT={} WINDOW=3072 RES=0x00 SYN URGP=0\n",
            (sec / 3600) % 24, (sec / 60) % 60, sec % 60, (a >> 8) & 255, (a >> 16) & 255, a & 255, 32 + a % 96,
            a % 65536, 1024 + a % 60000, a % 1024);
        break;
      case 1:
        out += fmt::format(
            "Mar 11 {:02}:{:02}:{:02} fw kernel: DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:08:00 "
            "SRC=10.{}.{}.{} DST=10.0.0.255 LEN=78 TOS=0x00 PREC=0x00 TTL=128 ID={} PROTO=UDP SPT=137 DPT=137 "
            "LEN=58\n",
            (sec / 3600) % 24, (sec / 60) % 60, sec % 60, (a >> 8) & 255, (a >> 16) & 255, a & 255, a % 65536);
        break;
      case 2:
        out += fmt::format(
            "Mar 11 {:02}:{:02}:{:02} fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.{}.{} DST=192.0.2.10 LEN=60 "
            "TOS=0x00 PREC=0x00 TTL=50 ID={} DF PROTO=TCP SPT={} DPT=445 WINDOW=7300 RES=0x00 SYN URGP=0\n",
            (sec / 3600) % 24, (sec / 60) % 60, sec % 60, (a >> 16) & 255, a & 255, a % 65536, 1024 + a % 60000);
        break;
      default:
        out += fmt::format(
            "Mar 11 {:02}:{:02}:{:02} fw kernel: ICMP IN=eth0 OUT= SRC=10.0.{}.{} DST=192.168.1.103 LEN=96 "
            "TOS=0x00 PREC=0xC0 TTL=254 ID={} PROTO=ICMP TYPE=3 CODE=3 [SRC=192.168.1.103 DST=10.0.0.138 LEN=68 "
            "TOS=0x00 PREC=0x00 TTL=0 ID=22458 PROTO=UDP SPT=35080 DPT={} LEN=48 ]\n",
            (sec / 3600) % 24, (sec / 60) % 60, sec % 60, (a >> 16) & 255, a & 255, a % 65536, 33434 + a % 30);
        break;
    }
  }
  return out;
}

void BM_LogSourceNetfilter(benchmark::State& state) {
  const std::string text = make_log(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> bytes(text.begin(), text.end());
  auto buffer = netseen::ingest::buffer_from_bytes(std::move(bytes));
  netseen::ingest::OpenOptions o;
  o.year = 2024;
  std::uint64_t events = 0;
  for (auto _ : state) {
    auto src = netseen::ingest::make_log_source(buffer, "bench", o);
    netseen::decode::Event ev;
    while (src->next(ev)) ++events;
    if (src->stats().error_count != 0) state.SkipWithError("parse errors");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.SetBytesProcessed(static_cast<std::int64_t>(text.size()) * state.iterations());
  state.counters["lines/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LogSourceNetfilter)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// The netfilter message parser alone on one line: the in-place fast path (what the log source
// uses) against the reference path that cuts every token and reads it generically; arg 0 is a
// TCP SYN line, arg 1 an ICMP port unreachable with its quoted packet.
const char* const kMessages[] = {
    "DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 "
    "TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4)",
    "ICMP IN=eth0 OUT= SRC=10.0.1.2 DST=192.168.1.103 LEN=96 TOS=0x00 PREC=0xC0 TTL=254 ID=4 PROTO=ICMP TYPE=3 CODE=3 "
    "[SRC=192.168.1.103 DST=10.0.1.2 LEN=68 TOS=0x00 PREC=0x00 TTL=0 ID=22458 PROTO=UDP SPT=35080 DPT=33434 LEN=48 ]",
};

template <netseen::ingest::logs::LineResult (*Parse)(std::string_view, netseen::decode::Event&, std::string&)>
void BM_NetfilterMessage(benchmark::State& state) {
  const std::string line = kMessages[state.range(0)];
  netseen::decode::Event ev;
  std::string why;
  for (auto _ : state) {
    netseen::ingest::logs::reset_event(ev);
    auto r = Parse(line, ev, why);
    if (r != netseen::ingest::logs::LineResult::Parsed) state.SkipWithError("not parsed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_NetfilterMessageOnly(benchmark::State& state) {
  BM_NetfilterMessage<&netseen::ingest::logs::parse_netfilter_message>(state);
}
void BM_NetfilterMessageReference(benchmark::State& state) {
  BM_NetfilterMessage<&netseen::ingest::logs::parse_netfilter_message_reference>(state);
}
BENCHMARK(BM_NetfilterMessageOnly)->Arg(0)->Arg(1);
BENCHMARK(BM_NetfilterMessageReference)->Arg(0)->Arg(1);

}  // namespace
