#include "cli/live_args.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "cli/exit_codes.hpp"

namespace netseen::cli {

namespace {
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_stop_signal(int /*sig*/) { g_stop.store(true); }
}  // namespace

std::atomic<bool>& stop_flag() { return g_stop; }

void install_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  // No SA_RESTART: a blocking wait returns at once. SA_RESETHAND: a second Ctrl-C while
  // the final report is written ends the program.
  sa.sa_flags = static_cast<int>(SA_RESETHAND);  // 0x80000000 in an int field
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void add_live_options(CLI::App* cmd, LiveArgs& a, const char* filter_option, const char* count_option) {
  cmd->add_option("-i,--interface", a.interface, "capture live from this network interface (libpcap; 'any' = all)");
  cmd->add_option(filter_option, a.filter, "BPF capture filter for -i (pcap-filter(7)), e.g. 'udp port 137'");
  cmd->add_option("--duration", a.duration_s, "with -i: stop after this many seconds (default: at Ctrl-C / SIGTERM)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option(count_option, a.count, "with -i: stop after this many packets");
  cmd->add_flag("--promisc", a.promiscuous, "with -i: promiscuous mode (see traffic not addressed to this host)");
  cmd->add_option("--snaplen", a.snaplen, "with -i: bytes kept per packet")->check(CLI::Range(64, 262144));
  cmd->add_option("--buffer-mib", a.buffer_mib, "with -i: kernel capture buffer in MiB (default: libpcap's)")
      ->check(CLI::Range(0, 4096));
}

ingest::LiveOptions live_options(const LiveArgs& a) {
  ingest::LiveOptions o;
  o.interface = a.interface;
  o.filter = a.filter;
  o.duration_s = a.duration_s;
  o.max_packets = a.count;
  o.promiscuous = a.promiscuous;
  o.snaplen = a.snaplen;
  o.buffer_mib = a.buffer_mib;
  o.stop = &g_stop;
  return o;
}

int live_open_exit_code(const Error& e) { return e.kind == ErrorKind::Malformed ? kExitUsage : kExitInput; }

std::vector<std::string> split_commas(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    std::size_t start = 0;
    while (start <= s.size()) {
      const auto comma = s.find(',', start);
      auto part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

void add_engine_options(CLI::App* cmd, EngineArgs& a) {
  cmd->add_option("--home-net", a.home_net,
                  "what counts as inside, CIDR[,CIDR…] (default RFC 1918, link-local, loopback, ULA)");
  cmd->add_option("--set", a.set, "override a detector setting, detector.key=value (repeatable)");
  cmd->add_option("--config", a.config, "detector settings file (lines 'detector.key = value')");
}

int engine_options(const char* command, const EngineArgs& a, detect::EngineOptions& out) {
  if (!a.home_net.empty()) {
    out.home_nets.clear();
    for (const auto& c : split_commas(a.home_net)) {
      auto cidr = Cidr::parse(c);
      if (!cidr) {
        fmt::print(stderr, "netseen {}: --home-net: '{}' is not an address or CIDR block\n", command, c);
        return kExitUsage;
      }
      out.home_nets.push_back(*cidr);
    }
  }
  if (!a.config.empty()) {
    std::ifstream f(a.config);
    if (!f) {
      fmt::print(stderr, "netseen {}: --config {}: cannot be read\n", command, a.config);
      return kExitInput;
    }
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto parsed = detect::parse_detector_config(text, a.config);
    if (!parsed) {
      fmt::print(stderr, "netseen {}: {}\n", command, parsed.error().detail);
      return kExitUsage;
    }
    out.overrides = *parsed;
  }
  for (const auto& kv : a.set) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) {
      fmt::print(stderr, "netseen {}: --set {}: expected detector.key=value\n", command, kv);
      return kExitUsage;
    }
    out.overrides[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return 0;
}

}  // namespace netseen::cli
