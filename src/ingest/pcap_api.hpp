// libpcap, loaded on first use. Only live capture (`watch`, `decode --live`) needs it —
// capture files are read by netseen's own readers — and libpcap brings nine more shared
// libraries with it (D-Bus, systemd, gcrypt, lzma, zstd, lz4, …). Linked at build time they
// were mapped and relocated by every command: 4 ms of each start on the development VM, a
// third of `netseen --version` and 3 % of analysing a 128 MB capture. Loaded with dlopen, they
// cost only the commands that capture.
#pragma once

#include <pcap/pcap.h>

#include "core/result.hpp"

namespace netseen::ingest {

// The libpcap functions netseen calls, resolved from the loaded library.
struct PcapApi {
  decltype(&::pcap_create) create;
  decltype(&::pcap_set_snaplen) set_snaplen;
  decltype(&::pcap_set_promisc) set_promisc;
  decltype(&::pcap_set_immediate_mode) set_immediate_mode;
  decltype(&::pcap_set_timeout) set_timeout;
  decltype(&::pcap_set_buffer_size) set_buffer_size;
  decltype(&::pcap_activate) activate;
  decltype(&::pcap_geterr) geterr;
  decltype(&::pcap_statustostr) statustostr;
  decltype(&::pcap_compile) compile;
  decltype(&::pcap_setfilter) setfilter;
  decltype(&::pcap_freecode) freecode;
  decltype(&::pcap_setnonblock) setnonblock;
  decltype(&::pcap_get_selectable_fd) get_selectable_fd;
  decltype(&::pcap_datalink) datalink;
  decltype(&::pcap_stats) stats;
  decltype(&::pcap_next_ex) next_ex;
  decltype(&::pcap_close) close;
  decltype(&::pcap_findalldevs) findalldevs;
  decltype(&::pcap_freealldevs) freealldevs;
};

// The library's functions (loaded once, thread-safe, never unloaded), or why it could not
// be loaded: not installed (Debian: libpcap0.8), or missing a function.
Result<const PcapApi*> pcap_api();

}  // namespace netseen::ingest
