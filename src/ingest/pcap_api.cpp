#include "ingest/pcap_api.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <string>

namespace netseen::ingest {

namespace {

struct Loaded {
  PcapApi api{};
  std::string error;  // empty when loaded
};

template <class F>
bool resolve(void* lib, const char* name, F& slot, std::string& error) {
  void* p = ::dlsym(lib, name);
  if (p == nullptr) {
    error = fmt::format("libpcap has no {}", name);
    return false;
  }
  slot = reinterpret_cast<F>(p);  // NOLINT: dlsym hands functions over as void*
  return true;
}

Loaded load() {
  Loaded out;
  // The Debian runtime package's name first (libpcap0.8 ships libpcap.so.0.8 → .so.1.x),
  // then upstream's soname, then the development link.
  void* lib = nullptr;
  std::string why;
  for (const char* name : {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"}) {
    lib = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib != nullptr) break;
    if (why.empty()) {
      const char* e = ::dlerror();
      why = e != nullptr ? e : name;
    }
  }
  if (lib == nullptr) {
    out.error = fmt::format("live capture needs libpcap, which could not be loaded ({}); on Debian: apt install libpcap0.8",
                            why);
    return out;
  }
  auto& a = out.api;
  auto& e = out.error;
  const bool ok = resolve(lib, "pcap_create", a.create, e) && resolve(lib, "pcap_set_snaplen", a.set_snaplen, e) &&
                  resolve(lib, "pcap_set_promisc", a.set_promisc, e) &&
                  resolve(lib, "pcap_set_immediate_mode", a.set_immediate_mode, e) &&
                  resolve(lib, "pcap_set_timeout", a.set_timeout, e) &&
                  resolve(lib, "pcap_set_buffer_size", a.set_buffer_size, e) &&
                  resolve(lib, "pcap_activate", a.activate, e) && resolve(lib, "pcap_geterr", a.geterr, e) &&
                  resolve(lib, "pcap_statustostr", a.statustostr, e) && resolve(lib, "pcap_compile", a.compile, e) &&
                  resolve(lib, "pcap_setfilter", a.setfilter, e) && resolve(lib, "pcap_freecode", a.freecode, e) &&
                  resolve(lib, "pcap_setnonblock", a.setnonblock, e) &&
                  resolve(lib, "pcap_get_selectable_fd", a.get_selectable_fd, e) &&
                  resolve(lib, "pcap_datalink", a.datalink, e) && resolve(lib, "pcap_stats", a.stats, e) &&
                  resolve(lib, "pcap_next_ex", a.next_ex, e) && resolve(lib, "pcap_close", a.close, e) &&
                  resolve(lib, "pcap_findalldevs", a.findalldevs, e) &&
                  resolve(lib, "pcap_freealldevs", a.freealldevs, e);
  if (!ok) e = fmt::format("live capture needs libpcap 1.5 or later: {}", e);
  return out;  // the library stays loaded for the rest of the run
}

}  // namespace

Result<const PcapApi*> pcap_api() {
  static const Loaded loaded = load();
  if (!loaded.error.empty()) return fail(ErrorKind::Io, "live", 0, loaded.error);
  return &loaded.api;
}

}  // namespace netseen::ingest
