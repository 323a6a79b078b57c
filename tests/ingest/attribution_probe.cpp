// Test-only program: captures live on one interface (libpcap), decodes each frame and asks
// the process attributor who owns the local end of every TCP/UDP packet, at packet time.
// Prints one line per distinct local endpoint and answer, then the attributor's figures.
// Used by tests/scripts/attribution_netns.sh inside a network namespace the script creates.
//
//   attribution_probe IFACE [--filter BPF] [--packets N] [--seconds S] [--ready FILE]
#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "decode/frame.hpp"
#include "ingest/local_addresses.hpp"
#include "ingest/process_attribution.hpp"

namespace {

using netseen::ingest::Attribution;

std::string line_for(const netseen::decode::Event& ev, const Attribution& a) {
  std::string s = std::string(netseen::decode::to_string(ev.transport)) + " " + ev.src.to_string() + ":" +
                  std::to_string(ev.sport) + " -> " + ev.dst.to_string() + ":" + std::to_string(ev.dport) +
                  "  status=" + std::string(netseen::ingest::to_string(a.status));
  if (a.process) {
    s += " pid=" + std::to_string(a.process->pid) + " uid=" + std::to_string(a.process->uid) + " user=" +
         a.process->user + " command=" + a.process->command + " cmdline=\"" + a.process->cmdline + "\"";
  }
  s += " source=" + std::string(netseen::ingest::to_string(a.source));
  s += "\n    reason: " + a.reason;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s IFACE [--filter BPF] [--packets N] [--seconds S] [--ready FILE]\n", argv[0]);
    return 2;
  }
  const std::string iface = argv[1];
  std::string filter = "tcp or udp";
  long max_packets = 1000;
  long seconds = 10;
  std::string ready;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string_view k = argv[i];
    if (k == "--filter") {
      filter = argv[i + 1];
    } else if (k == "--packets") {
      max_packets = std::strtol(argv[i + 1], nullptr, 10);
    } else if (k == "--seconds") {
      seconds = std::strtol(argv[i + 1], nullptr, 10);
    } else if (k == "--ready") {
      ready = argv[i + 1];
    }
  }
  std::array<char, PCAP_ERRBUF_SIZE> err{};
  pcap_t* p = pcap_create(iface.c_str(), err.data());
  if (p == nullptr) {
    std::fprintf(stderr, "pcap: %s\n", err.data());
    return 3;
  }
  pcap_set_snaplen(p, 512);
  pcap_set_timeout(p, 100);
  pcap_set_immediate_mode(p, 1);
  if (pcap_activate(p) < 0) {
    std::fprintf(stderr, "pcap: %s\n", pcap_geterr(p));
    return 3;
  }
  bpf_program prog{};
  if (pcap_compile(p, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(p, &prog) != 0) {
    std::fprintf(stderr, "filter: %s\n", pcap_geterr(p));
    return 2;
  }
  pcap_freecode(&prog);
  const auto link = static_cast<std::uint32_t>(pcap_datalink(p));

  auto attr = netseen::ingest::ProcessAttributor::create();
  auto local = netseen::ingest::LocalAddresses::current();
  if (!attr || !local) {
    std::fprintf(stderr, "attributor: cannot start\n");
    return 3;
  }
  std::printf("mode: %s\n", (*attr)->mode().c_str());
  std::fflush(stdout);
  if (!ready.empty()) {
    if (FILE* f = std::fopen(ready.c_str(), "w")) std::fclose(f);
  }

  std::map<std::tuple<std::string, std::uint16_t, std::string>, std::size_t> seen;  // local end, status → count
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  long packets = 0;
  std::vector<double> latencies;  // ns per lookup
  netseen::decode::Event ev;
  netseen::decode::DecodeOptions opts;
  opts.depth = netseen::decode::Depth::Transport;
  while (packets < max_packets && std::chrono::steady_clock::now() < deadline) {
    pcap_pkthdr* h = nullptr;
    const std::uint8_t* data = nullptr;
    const int rc = pcap_next_ex(p, &h, &data);
    if (rc == 0) continue;
    if (rc < 0) break;
    netseen::decode::reset_event(ev);
    ev.ts = netseen::Timestamp::from_seconds(h->ts.tv_sec, h->ts.tv_usec);
    if (netseen::decode::decode_frame(link, netseen::Bytes(data, h->caplen), h->len, opts, ev) != nullptr) continue;
    if (ev.transport != netseen::decode::Transport::Udp && ev.transport != netseen::decode::Transport::Tcp) continue;
    ++packets;
    const auto t0 = std::chrono::steady_clock::now();
    const Attribution a = (*attr)->attribute(ev, *local);
    latencies.push_back(static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count()));
    const bool src_local = local->contains(ev.src);
    auto key = std::make_tuple(src_local ? ev.src.to_string() : ev.dst.to_string(), src_local ? ev.sport : ev.dport,
                               std::string(netseen::ingest::to_string(a.status)));
    if (seen[key]++ == 0) {
      std::printf("%s\n", line_for(ev, a).c_str());
      std::fflush(stdout);
    }
  }
  pcap_close(p);
  if (!latencies.empty()) {
    const double first = latencies.front();
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double q) { return latencies[static_cast<std::size_t>(q * static_cast<double>(latencies.size() - 1))] / 1e3; };
    std::printf("latency_us first=%.1f p50=%.1f p90=%.1f p99=%.1f max=%.1f\n", first / 1e3, pct(0.5), pct(0.9),
                pct(0.99), latencies.back() / 1e3);
  }
  const auto st = (*attr)->stats();
  const double mean_us = st.lookups != 0 ? static_cast<double>(st.total_lookup_ns) / static_cast<double>(st.lookups) / 1e3 : 0.0;
  const std::uint64_t hits = st.inode_cache_hits;
  std::printf("packets=%ld lookups=%llu found=%llu inode_cache_hits=%llu port_cache_hits=%llu sock_diag_queries=%llu "
              "proc_scans=%llu mean_lookup_us=%.1f max_lookup_us=%.1f\n",
              packets, static_cast<unsigned long long>(st.lookups), static_cast<unsigned long long>(st.found),
              static_cast<unsigned long long>(hits), static_cast<unsigned long long>(st.port_cache_hits),
              static_cast<unsigned long long>(st.sock_diag_queries), static_cast<unsigned long long>(st.proc_scans),
              mean_us, static_cast<double>(st.max_lookup_ns) / 1e3);
  return 0;
}
