// Options shared by the commands that capture live (analyze -i, decode -i, watch) and by
// those that configure the detection engine (analyze, watch).
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "detect/engine.hpp"
#include "ingest/live_capture.hpp"

namespace netseen::cli {

struct LiveArgs {
  std::string interface;
  std::string filter;      // BPF
  double duration_s = 0;
  std::uint64_t count = 0;
  bool promiscuous = false;
  int snaplen = 262144;
  int buffer_mib = 0;
};

// -i/--interface, the BPF filter option (`filter_option`: "--filter", or "--bpf" where
// --filter means something else), --duration, the packet count (`count_option`),
// --promisc, --snaplen, --buffer-mib.
void add_live_options(CLI::App* cmd, LiveArgs& args, const char* filter_option, const char* count_option);

// Set by SIGINT / SIGTERM once install_stop_signals() has run; a second signal ends the
// program the ordinary way.
std::atomic<bool>& stop_flag();
void install_stop_signals();

// LiveOptions for the library, with the stop flag attached.
ingest::LiveOptions live_options(const LiveArgs& args);

// Exit code for a capture that could not be opened: a filter that does not compile is a
// usage error (2), the rest (permission, no such interface) means the input cannot be read (3).
int live_open_exit_code(const Error& e);

struct EngineArgs {
  std::vector<std::string> home_net;
  std::vector<std::string> set;
  std::string config;
};

// --home-net, --set, --config.
void add_engine_options(CLI::App* cmd, EngineArgs& args);
// Fills `out`; on a bad value prints "netseen <command>: …" and returns the exit code
// (otherwise 0).
int engine_options(const char* command, const EngineArgs& args, detect::EngineOptions& out);

// "a,b" and repeated options both give lists.
std::vector<std::string> split_commas(const std::vector<std::string>& in);

}  // namespace netseen::cli
