#include "ingest/live_capture.hpp"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <filesystem>

#include "ingest/pcap_api.hpp"

namespace netseen::ingest {

struct LiveSource::Handle {
  const PcapApi* api = nullptr;
  pcap_t* pcap = nullptr;
  int fd = -1;
  // pcap_stats counters are 32 bits on Linux and wrap; they are summed as deltas.
  std::uint32_t last_recv = 0, last_drop = 0, last_ifdrop = 0;

  Handle() = default;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (pcap != nullptr) api->close(pcap);
  }
};

namespace {

constexpr auto kMaxPollSlice = std::chrono::milliseconds(100);  // the stop flag is seen this often

std::string self_path() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/path/to/netseen") : p.string();
}

std::string permission_message(const std::string& iface, const char* detail, bool promisc) {
  return fmt::format(
      "cannot capture on '{}': permission denied ({}). Capturing packets needs the CAP_NET_RAW capability{}: run "
      "netseen as root, or grant the capabilities to the binary once with\n"
      "    sudo setcap cap_net_raw,cap_net_admin=eip {}\n"
      "(inside a container, the container must have NET_RAW and NET_ADMIN too)",
      iface, detail, promisc ? " and CAP_NET_ADMIN for promiscuous mode" : " (and CAP_NET_ADMIN for some interfaces)",
      self_path());
}

// LINKTYPE_* for a DLT_* value: the same numbers except DLT_RAW, whose value differs
// between systems (decode knows 12 and 14 as raw IP too).
std::uint32_t to_linktype(int dlt) {
  if (dlt == DLT_RAW) return decode::linktype::kRaw;
  return static_cast<std::uint32_t>(dlt);
}

}  // namespace

std::string list_capture_interfaces() {
  auto api = pcap_api();
  if (!api) return {};
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* all = nullptr;
  if ((*api)->findalldevs(&all, err) != 0) return {};
  std::string out;
  for (pcap_if_t* d = all; d != nullptr; d = d->next) {
    if (d->name == nullptr) continue;
    if (!out.empty()) out += ", ";
    out += d->name;
  }
  (*api)->freealldevs(all);
  return out;
}

LiveSource::LiveSource(const LiveOptions& options)
    : options_(options), handle_(std::make_unique<Handle>()), start_(std::chrono::steady_clock::now()),
      last_stats_(start_) {
  stats_.path = options.interface;
  stats_.format = "live";
  stats_.live = true;
}

LiveSource::~LiveSource() = default;

Result<std::unique_ptr<LiveSource>> LiveSource::open(const LiveOptions& options) {
  const std::string& iface = options.interface;
  if (iface.empty()) return fail(ErrorKind::Io, "live", 0, "no interface given");
  if (options.snaplen < 64 || options.snaplen > 262144) {
    return fail(ErrorKind::Malformed, "live", 0, fmt::format("snaplen {} is outside 64..262144", options.snaplen));
  }
  NETSEEN_TRY_ASSIGN(const PcapApi* api, pcap_api());
  std::unique_ptr<LiveSource> src(new LiveSource(options));
  src->handle_->api = api;
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = api->create(iface.c_str(), err);
  if (p == nullptr) return fail(ErrorKind::Io, "live", 0, fmt::format("cannot capture on '{}': {}", iface, err));
  src->handle_->pcap = p;
  api->set_snaplen(p, options.snaplen);
  api->set_promisc(p, options.promiscuous ? 1 : 0);
  api->set_immediate_mode(p, 1);  // deliver each packet as it arrives (watch is interactive)
  api->set_timeout(p, static_cast<int>(kMaxPollSlice.count()));
  if (options.buffer_mib > 0) api->set_buffer_size(p, options.buffer_mib << 20);
  const int rc = api->activate(p);
  if (rc < 0) {
    const std::string detail = rc == PCAP_ERROR ? std::string(api->geterr(p)) : std::string(api->statustostr(rc));
    switch (rc) {
      case PCAP_ERROR_NO_SUCH_DEVICE: {
        const auto known = list_capture_interfaces();
        return fail(ErrorKind::Io, "live", 0,
                    fmt::format("interface '{}' does not exist{}", iface,
                                known.empty() ? std::string() : fmt::format(" (interfaces here: {})", known)));
      }
      case PCAP_ERROR_PERM_DENIED:
        return fail(ErrorKind::Io, "live", 0, permission_message(iface, api->geterr(p), false));
      case PCAP_ERROR_PROMISC_PERM_DENIED:
        return fail(ErrorKind::Io, "live", 0, permission_message(iface, api->geterr(p), true));
      case PCAP_ERROR_IFACE_NOT_UP:
        return fail(ErrorKind::Io, "live", 0,
                    fmt::format("interface '{}' is down (bring it up: ip link set {} up)", iface, iface));
      default:
        // libpcap reports some permission problems as a plain error with EPERM's text.
        if (detail.find("not permitted") != std::string::npos || detail.find("ermission denied") != std::string::npos) {
          return fail(ErrorKind::Io, "live", 0, permission_message(iface, detail.c_str(), options.promiscuous));
        }
        return fail(ErrorKind::Io, "live", 0, fmt::format("cannot capture on '{}': {}", iface, detail));
    }
  }
  if (rc > 0) src->stats_.add_error("open", fmt::format("warning: {}", api->geterr(p)));
  if (!options.filter.empty()) {
    bpf_program prog{};
    if (api->compile(p, &prog, options.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return fail(ErrorKind::Malformed, "live", 0,
                  fmt::format("BPF filter '{}' does not compile: {}", options.filter, api->geterr(p)));
    }
    const int set = api->setfilter(p, &prog);
    api->freecode(&prog);
    if (set != 0) {
      return fail(ErrorKind::Io, "live", 0,
                  fmt::format("cannot install BPF filter '{}' on '{}': {}", options.filter, iface, api->geterr(p)));
    }
  }
  if (api->setnonblock(p, 1, err) != 0) {
    return fail(ErrorKind::Io, "live", 0, fmt::format("cannot capture on '{}': {}", iface, err));
  }
  src->handle_->fd = api->get_selectable_fd(p);
  src->linktype_ = to_linktype(api->datalink(p));
  src->start_ = src->last_stats_ = std::chrono::steady_clock::now();
  return src;
}

double LiveSource::elapsed_s() const noexcept {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void LiveSource::refresh_kernel_stats() {
  last_stats_ = std::chrono::steady_clock::now();
  pcap_stat ps{};
  if (handle_->api->stats(handle_->pcap, &ps) != 0) return;
  auto& h = *handle_;
  stats_.kernel_received += static_cast<std::uint32_t>(ps.ps_recv - h.last_recv);
  stats_.kernel_dropped += static_cast<std::uint32_t>(ps.ps_drop - h.last_drop);
  stats_.interface_dropped += static_cast<std::uint32_t>(ps.ps_ifdrop - h.last_ifdrop);
  h.last_recv = ps.ps_recv;
  h.last_drop = ps.ps_drop;
  h.last_ifdrop = ps.ps_ifdrop;
}

LiveWait LiveSource::poll(decode::Event& out, std::chrono::milliseconds max_wait) {
  using clock = std::chrono::steady_clock;
  if (ended_) return LiveWait::End;
  auto end = [this] {
    refresh_kernel_stats();
    ended_ = true;
    return LiveWait::End;
  };
  const auto deadline = clock::now() + std::max(max_wait, std::chrono::milliseconds(0));
  const auto stop_at = options_.duration_s > 0
                           ? start_ + std::chrono::duration_cast<clock::duration>(
                                          std::chrono::duration<double>(options_.duration_s))
                           : clock::time_point::max();
  for (;;) {
    if (options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed)) return end();
    if (options_.max_packets != 0 && stats_.records >= options_.max_packets) return end();
    const auto now = clock::now();
    if (now >= stop_at) return end();
    if (now - last_stats_ >= std::chrono::seconds(1)) refresh_kernel_stats();
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    const int r = handle_->api->next_ex(handle_->pcap, &hdr, &data);
    if (r == 1) {
      ++stats_.records;
      stats_.bytes_read += hdr->caplen;
      decode::reset_event(out);
      out.origin.input = options_.input_index;
      out.origin.number = stats_.records;
      out.ts = Timestamp::from_seconds(hdr->ts.tv_sec, hdr->ts.tv_usec);
      const char* skip =
          decode::decode_frame(linktype_, Bytes(data, hdr->caplen), hdr->len, options_.decode, out);
      if (skip != nullptr) {
        stats_.add_skip(skip);
        continue;
      }
      ++stats_.decoded;
      stats_.saw_time(out.ts);
      return LiveWait::Event;
    }
    if (r == PCAP_ERROR_BREAK) return end();
    if (r != 0) {
      stats_.add_error("capture", fmt::format("capture on '{}' failed: {}", options_.interface,
                                              handle_->api->geterr(handle_->pcap)));
      return end();
    }
    if (now >= deadline) return LiveWait::Idle;
    auto slice = std::min({std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                               std::chrono::milliseconds(1),
                           kMaxPollSlice,
                           std::chrono::duration_cast<std::chrono::milliseconds>(stop_at - now) +
                               std::chrono::milliseconds(1)});
    if (handle_->fd >= 0) {
      pollfd pfd{};
      pfd.fd = handle_->fd;
      pfd.events = POLLIN;
      ::poll(&pfd, 1, static_cast<int>(slice.count()));  // EINTR (a signal) just goes round the loop
    } else {
      ::poll(nullptr, 0, static_cast<int>(std::min(slice, std::chrono::milliseconds(10)).count()));
    }
  }
}

bool LiveSource::next(decode::Event& out) {
  for (;;) {
    switch (poll(out, kMaxPollSlice)) {
      case LiveWait::Event: return true;
      case LiveWait::End: return false;
      case LiveWait::Idle: break;
    }
  }
}

}  // namespace netseen::ingest
