// netseen's side of the log benchmark: opens a log (format detected from content), reads
// every event, prints counts and the rate. Built by bench/logs/run.sh against the libraries.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "ingest/source.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <log> [year]\n", argv[0]);
    return 2;
  }
  netseen::ingest::OpenOptions o;
  o.year = argc > 2 ? std::atoi(argv[2]) : 2024;
  const auto t0 = std::chrono::steady_clock::now();
  auto src = netseen::ingest::open_input(argv[1], o);
  if (!src) {
    std::fprintf(stderr, "%s\n", src.error().message().c_str());
    return 3;
  }
  netseen::decode::Event ev;
  std::uint64_t events = 0;
  std::uint64_t syn = 0;
  while ((*src)->next(ev)) {
    ++events;
    if ((ev.tcp_flags & netseen::decode::tcpflag::kSyn) != 0) ++syn;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto& s = (*src)->stats();
  std::printf("format=%s records=%llu events=%llu skipped=%llu errors=%llu syn=%llu seconds=%.3f lines_per_s=%.0f\n",
              s.format.c_str(), static_cast<unsigned long long>(s.records), static_cast<unsigned long long>(events),
              static_cast<unsigned long long>(s.skipped), static_cast<unsigned long long>(s.error_count),
              static_cast<unsigned long long>(syn), secs, static_cast<double>(s.records) / secs);
  return 0;
}
